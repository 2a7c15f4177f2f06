package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// keyOwners is what the resources of one provider configuration have
// planned, in this walk, for the keys they declare. Resources are planned
// and applied in parallel and know nothing of each other; this is how one
// finds out that another declares the same key (an error: they would undo
// each other on every apply), or that a key it stops managing has been
// taken over by another (so it must not write the key's earlier value over
// the new owner's, and the new owner must remember that earlier value).
type keyOwners struct {
	mu sync.Mutex
	// declared maps each key to the plan that declares it.
	declared map[string]string
	// handedOver holds the earlier value of each key a resource lets go of,
	// for a resource taking the key over to remember in its place.
	handedOver prefs.Document
	// planned is closed, and replaced, whenever a plan declares keys or
	// offers earlier values, waking takers waiting for a hand-over; lastPlan
	// is when that last happened.
	planned  chan struct{}
	lastPlan time.Time
}

// How long a resource taking keys over waits for their earlier values: see
// awaitHandOver.
const (
	handOverQuiet = 100 * time.Millisecond
	handOverLimit = time.Second
)

// notePlanLocked wakes the takers waiting for a hand-over.
func (o *keyOwners) notePlanLocked() {
	if o.planned != nil {
		close(o.planned)
	}
	o.planned = make(chan struct{})
	o.lastPlan = time.Now()
}

// declare records that the plan named plan declares keys, and returns
// those another plan of this walk declares already.
func (o *keyOwners) declare(plan string, keys []string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
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
	o.notePlanLocked()
	return twice
}

// isDeclared reports whether a plan of this walk declares key.
func (o *keyOwners) isDeclared(key string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.isDeclaredLocked(key)
}

func (o *keyOwners) isDeclaredLocked(key string) bool {
	_, ok := o.declared[key]
	return ok
}

// handOver leaves the earlier values of keys a resource lets go of for
// whichever resource takes them over. The resource letting go offers them
// when it plans, not only when it applies: Terraform plans each resource
// again just before applying it, but applies two unrelated resources in
// either order, and the one taking a key over must find its earlier value
// even when it is applied first.
func (o *keyOwners) handOver(earlier prefs.Document) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handOverLocked(earlier)
}

func (o *keyOwners) handOverLocked(earlier prefs.Document) {
	if len(earlier) == 0 {
		return
	}
	if o.handedOver == nil {
		o.handedOver = prefs.Document{}
	}
	for k, v := range earlier {
		o.handedOver[k] = v
	}
	o.notePlanLocked()
}

// awaitHandOver returns the earlier values handed over for keys a resource
// starts managing, waiting for them a little where they are missing.
//
// Terraform plans each resource again just before applying it, and runs
// unrelated resources in parallel, in no set order: the resource taking a
// key over can be applied before the one letting it go has even been
// planned, and nothing Terraform hands a provider says that such a
// resource exists. (Private state from the plan walk does not reach the
// apply: the plan made just before applying replaces it.) So a taker waits
// until every key has an earlier value handed over, or until no plan of
// this walk has declared or offered anything for handOverQuiet, and never
// longer than handOverLimit. A key nobody let go of costs the one quiet
// period; one being let go of arrived within 1.4 ms of the taker's write
// when measured on a loaded 2-core machine, so the quiet period is some
// seventy times that. The limit bounds what a large first apply pays,
// where plans keep coming: Terraform applies ten resources at a time, so
// a resource whose node waits for one of those ten places can still come
// too late, and its key's earlier value is then the one the taker found.
func (o *keyOwners) awaitHandOver(ctx context.Context, keys []string) prefs.Document {
	deadline := time.Now().Add(handOverLimit)
	for {
		o.mu.Lock()
		found, missing := prefs.Select(o.handedOver, keys)
		if o.planned == nil {
			o.notePlanLocked()
		}
		woken, quietAt := o.planned, o.lastPlan.Add(handOverQuiet)
		o.mu.Unlock()
		now := time.Now()
		if len(missing) == 0 || !now.Before(quietAt) || !now.Before(deadline) {
			return found
		}
		wake := quietAt
		if deadline.Before(wake) {
			wake = deadline
		}
		timer := time.NewTimer(wake.Sub(now))
		select {
		case <-woken:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return found
		}
		timer.Stop()
	}
}

// release decides what letting keys go does, and runs write, with the
// walk's declarations held still: a resource that declares one of the keys
// either has declared it before the decision (and the key is handed over)
// or declares it after the write (and writes its own value after the
// earlier one). Without this, a key could be judged free, then taken over
// and written by its new owner, and then overwritten with its earlier value.
func (o *keyOwners) release(r prefs.Release, write func(prefs.Released) bool) (prefs.Released, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r.Declared = o.isDeclaredLocked
	released := r.Decide()
	if !write(released) {
		return released, false
	}
	o.handOverLocked(released.HandOver)
	return released, true
}

// planName returns the name of the plan being made, making one up if the
// plan has none yet: keyOwners tells plans apart by it. Terraform plans a
// replacement twice, handing the first plan's private state to the second,
// so both are one plan. Create
// and Update remove the entry (privateData.save): it means something only
// within a walk.
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
