package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// keyOwners is what the resources of one provider configuration have
// planned, in this walk, for the keys they declare. Resources are planned
// and applied in parallel and know nothing of each other; this is how one
// finds out that another declares the same key (an error: they would undo
// each other on every apply), or that a key it stops managing has been
// taken over by another (so it must not restore the key's earlier value
// over the new owner's).
type keyOwners struct {
	mu sync.Mutex
	// declared maps each key to the plan that declares it.
	declared map[string]string
	// handedOver holds the earlier value of each key a resource let go of
	// because another declares it now, for the one taking it over to
	// remember in its place.
	handedOver prefs.Document
}

// declare records that the plan named owner declares keys, and returns
// those another plan of this walk declares already.
func (o *keyOwners) declare(owner string, keys []string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.declared == nil {
		o.declared = map[string]string{}
	}
	var twice []string
	for _, k := range keys {
		if other, ok := o.declared[k]; ok && other != owner {
			twice = append(twice, k)
			continue
		}
		o.declared[k] = owner
	}
	return twice
}

// isDeclared reports whether a plan of this walk declares key.
func (o *keyOwners) isDeclared(key string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.declared[key]
	return ok
}

// handOver leaves a released key's earlier value for its new owner.
func (o *keyOwners) handOver(key string, earlier bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.handedOver == nil {
		o.handedOver = prefs.Document{}
	}
	o.handedOver[key] = earlier
}

// takeOver returns the earlier value another resource handed over for key.
func (o *keyOwners) takeOver(key string) (bool, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.handedOver[key]
	return v, ok
}

// ownerKey names the private state entry that tells one plan from another.
// Terraform plans a replacement twice, handing the first plan's private
// state to the second, so both count as one owner. Create and Update
// remove the entry: it means something only within a walk.
const ownerKey = "plan_owner"

// planOwner returns the name of the plan being made, making one up if the
// plan has none yet.
func planOwner(ctx context.Context, prior privateState, planned privateSetter, diags *diag.Diagnostics) string {
	raw, d := prior.GetKey(ctx, ownerKey)
	diags.Append(d...)
	var owner string
	if len(raw) > 0 && json.Unmarshal(raw, &owner) == nil && owner != "" {
		return owner
	}
	owner = rand.Text()
	raw, _ = json.Marshal(owner)
	diags.Append(planned.SetKey(ctx, ownerKey, raw)...)
	return owner
}
