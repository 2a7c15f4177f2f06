package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// keyOwners is what the resources of one provider configuration said, in
// this walk, of the keys they declare, let go and take over. Resources are
// planned and applied in parallel and know nothing of each other; this is
// how one finds out that another declares the same key (an error: they
// would undo each other on every apply), or that a key it lets go is taken
// over by another (so it must not write the key's earlier value over the
// new owner's, and the new owner must remember that earlier value).
//
// Terraform plans each resource again just before applying it. A resource
// letting a key go offers the key's earlier value when it plans and when
// it lets go; a resource taking the key over after that remembers the
// offered value. Only a taker applied before the other resource was even
// planned in the walk (nothing orders the two, or the taker comes first)
// cannot know the value: it remembers the one it finds, and the resource
// letting go says so when it plans or applies (see movedKey).
//
// The account's mu guards it.
type keyOwners struct {
	declared map[string]string // key → name of the plan declaring it
	offered  prefs.Document    // earlier values of keys let go
	adopted  prefs.Document    // earlier values takers remembered
}

// declare records that the plan named plan declares keys, and returns
// those another plan of this walk declares already.
func (o *keyOwners) declare(plan string, keys []string) []string {
	if o.declared == nil {
		o.declared = map[string]string{}
	}
	var twice []string
	for _, k := range keys {
		if other, ok := o.declared[k]; ok && other != plan {
			twice = append(twice, k)
			continue
		}
		o.declared[k] = plan
	}
	return twice
}

func (o *keyOwners) isDeclared(key string) bool {
	_, ok := o.declared[key]
	return ok
}

// offer leaves the earlier values of keys let go for whichever resource
// takes them over.
func (o *keyOwners) offer(earlier prefs.Document) {
	if o.offered == nil {
		o.offered = prefs.Document{}
	}
	for k, v := range earlier {
		o.offered[k] = v
	}
}

// adopt returns, and records, the earlier values of keys a resource starts
// managing: the value offered for a key another resource let go, else the
// one in current.
func (o *keyOwners) adopt(keys []string, current prefs.Document) prefs.Document {
	earlier := prefs.Adopt(keys, current, o.offered)
	if o.adopted == nil {
		o.adopted = prefs.Document{}
	}
	for k, v := range earlier {
		o.adopted[k] = v
	}
	return earlier
}

// forget drops what a failed write adopted: its resource manages nothing new.
func (o *keyOwners) forget(adopted prefs.Document) {
	for k := range adopted {
		delete(o.adopted, k)
	}
}

// release applies the release rules with this walk's declarations, and
// offers the earlier values of the keys let go. A key handed over to a
// taker that already remembered another value is returned for a warning.
func (o *keyOwners) release(r prefs.Release) (prefs.Released, []movedKey) {
	r.Declared = o.isDeclared
	released := r.Decide()
	offered, _ := prefs.Select(r.Earlier.Without(r.Withdrawn), r.Keys)
	o.offer(offered)
	var wrong []movedKey
	for _, k := range released.HandOver.Keys() {
		if got, ok := o.adopted[k]; ok && got != released.HandOver[k] {
			wrong = append(wrong, movedKey{key: k, remembered: got, earlier: released.HandOver[k]})
		}
	}
	return released, wrong
}

// unordered returns the keys a resource lets go that another plan of this
// walk declared before this one, with no taker having remembered a value
// yet: nothing orders the two resources, or the taker comes first, so
// Terraform may apply the taker first.
func (o *keyOwners) unordered(keys []string) []string {
	var out []string
	for _, k := range keys {
		_, taken := o.adopted[k]
		if o.isDeclared(k) && !taken {
			out = append(out, k)
		}
	}
	return out
}

// movedKey is a key handed over to a resource that remembered another
// earlier value than the one the resource letting it go had.
type movedKey struct {
	key                 string
	remembered, earlier bool
}

// withoutMoved returns released with the misremembered keys out of the
// handed-over ones, which the release warning says remember the earlier
// values: of these keys, that is not so.
func withoutMoved(released prefs.Released, moved []movedKey) prefs.Released {
	if len(moved) == 0 {
		return released
	}
	left := map[prefs.Reason][]string{}
	for reason, keys := range released.Left {
		left[reason] = keys
	}
	left[prefs.HandedOver] = slices.DeleteFunc(slices.Clone(left[prefs.HandedOver]), func(k string) bool {
		return slices.ContainsFunc(moved, func(m movedKey) bool { return m.key == k })
	})
	released.Left = left
	return released
}

// planName returns the name of the plan being made, making one up if the
// plan has none yet: keyOwners tells plans apart by it. Terraform plans a
// replacement twice, handing the first plan's private state to the second,
// so both are one plan. Create and Update remove the entry
// (privateData.save): it means something only within a walk.
func planName(ctx context.Context, prior privateState, planned privateSetter, diags *diag.Diagnostics) string {
	raw, d := prior.GetKey(ctx, planNameKey)
	diags.Append(d...)
	var name string
	if len(raw) > 0 && json.Unmarshal(raw, &name) == nil && name != "" {
		return name
	}
	name = rand.Text()
	raw, _ = json.Marshal(name)
	diags.Append(planned.SetKey(ctx, planNameKey, raw)...)
	return name
}

// Account-level entry points, which take the account's lock.

// declare records the keys a plan declares; see keyOwners.declare.
func (a *account) declare(plan string, keys []string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.owners.declare(plan, keys)
}

// offer leaves the earlier values of keys a plan lets go for a taker, and
// returns those Terraform may apply a taker of before this resource.
func (a *account) offer(earlier prefs.Document, letGo []string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.owners.offer(earlier)
	return a.owners.unordered(letGo)
}

// isDeclared reports whether a plan of this walk declares key.
func (a *account) isDeclared(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.owners.isDeclared(key)
}
