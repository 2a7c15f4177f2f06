package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// keyOwners is what the resources of one provider configuration said, in
// this walk, of the keys they declare, let go and take over. Resources are
// planned and applied in parallel and know nothing of each other; this is
// how one finds out that another declares the same key (an error: they
// would undo each other on every apply), and how a batch (prefs.Decide)
// knows whether a key a resource lets go has an owner to hand it to.
//
// Terraform plans each resource again just before applying it. A resource
// letting a key go offers the key's earlier value when it plans; a
// resource taking the key over after that remembers the offered value.
// Only a taker applied before the other resource was even planned in the
// walk (nothing orders the two, or the taker comes first) cannot know the
// value: it remembers the one it finds, and the resource letting go says
// so when it plans or applies (see prefs.Moved).
//
// The account's mu guards it.
type keyOwners struct {
	declared map[string]claim // key → the plan declaring it
	offered  prefs.Document   // earlier values of keys plans let go
	landed   prefs.Document   // earlier values takers whose writes landed remembered
	// writesBack holds the earlier values plans will write back unless a
	// resource holding the key is applied in the same walk.
	writesBack prefs.Document
	// held lists the keys resources whose writes failed still manage
	// although their plans let them go: no taker may take them in this
	// walk.
	held map[string]bool
}

// claim is a plan's declaration of a key.
type claim struct {
	plan string
	// adopting is true when the plan's resource does not manage the key
	// yet: a taker whose write may still fail.
	adopting bool
	// still is true when the plan changes nothing: Terraform will not
	// apply its resource, so the apply walk never hears of its claim.
	still bool
}

// declare records that the plan named plan declares keys, adopting those
// its resource does not manage yet, and changing nothing if still. It
// returns the keys another plan of this walk declares already, and the
// earlier values of those a plan made before this one lets go and will
// write back although this resource, which Terraform will not apply,
// manages them too (see heldTwice).
func (o *keyOwners) declare(plan string, keys []string, managed prefs.Document, still bool) (twice []string, heldTwice prefs.Document) {
	if o.declared == nil {
		o.declared = map[string]claim{}
	}
	for _, k := range keys {
		if other, ok := o.declared[k]; ok && other.plan != plan {
			twice = append(twice, k)
			continue
		}
		_, owned := managed[k]
		o.declared[k] = claim{plan: plan, adopting: !owned, still: still}
		if e, ok := o.writesBack[k]; ok && owned && still {
			heldTwice = heldTwice.Overlay(prefs.Document{k: e})
		}
	}
	return twice, heldTwice
}

// isDeclared reports whether a plan declares key whose resource Terraform
// will apply in this walk, or that takes the key over: a resource that
// already manages the key and changes nothing is not applied, so the
// apply walk of the one letting the key go never hears of it.
func (o *keyOwners) isDeclared(key string) bool {
	c, ok := o.declared[key]
	return ok && (!c.still || c.adopting)
}

// heldTwice returns, of the earlier values a plan will write back, those
// of keys a resource Terraform will not apply manages too: two states
// hold the key, after an apply interrupted between a taker and the
// resource letting go, or one made with -target.
func (o *keyOwners) heldTwice(writesBack prefs.Document) prefs.Document {
	var out prefs.Document
	for k, e := range writesBack {
		if c, ok := o.declared[k]; ok && c.still && !c.adopting {
			out = out.Overlay(prefs.Document{k: e})
		}
	}
	return out
}

// owned reports whether a plan declares key whose resource manages it
// already.
func (o *keyOwners) owned(key string) bool {
	c, ok := o.declared[key]
	return ok && !c.adopting
}

// withdraw takes back a plan's claims to keys its resource was to take
// over: its write failed, so it takes nothing over. (One plan alone
// declares a key, so the claim to each is that resource's.)
func (o *keyOwners) withdraw(adopted []string) {
	for _, k := range adopted {
		if c, ok := o.declared[k]; ok && c.adopting {
			delete(o.declared, k)
		}
	}
}

// offer leaves the earlier values of keys let go for whichever resource
// takes them over, and records those the plan will write back.
func (o *keyOwners) offer(earlier, writesBack prefs.Document) {
	if o.offered == nil {
		o.offered, o.writesBack = prefs.Document{}, prefs.Document{}
	}
	maps.Copy(o.offered, earlier)
	maps.Copy(o.writesBack, writesBack)
}

// land records the earlier values a taker's write remembered, once the
// write has landed: only then is the taker the key's owner.
func (o *keyOwners) land(adopted []string, earlier prefs.Document) {
	for _, k := range adopted {
		if v, ok := earlier[k]; ok {
			if o.landed == nil {
				o.landed = prefs.Document{}
			}
			o.landed[k] = v
		}
	}
}

// stuck records keys a resource whose write failed still manages,
// although its plan let them go.
func (o *keyOwners) stuck(keys []string) {
	for _, k := range keys {
		if o.held == nil {
			o.held = map[string]bool{}
		}
		o.held[k] = true
	}
}

// stuckOf returns those of keys that a resource whose write failed still
// manages.
func (o *keyOwners) stuckOf(keys []string) []string {
	var out []string
	for _, k := range keys {
		if o.held[k] {
			out = append(out, k)
		}
	}
	return out
}

// walk is what a batch needs to know of this walk.
func (o *keyOwners) walk() prefs.Walk {
	return prefs.Walk{Owned: o.owned, Offered: o.offered, Landed: o.landed}
}

// unordered returns the keys a resource lets go that another plan of this
// walk declared before this one, with no taker's write landed yet: nothing
// orders the two resources, or the taker comes first, so Terraform may
// apply the taker first.
func (o *keyOwners) unordered(keys []string) []string {
	var out []string
	for _, k := range keys {
		_, taken := o.landed[k]
		if o.isDeclared(k) && !taken {
			out = append(out, k)
		}
	}
	return out
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
func (a *account) declare(plan string, keys []string, managed prefs.Document, still bool) ([]string, prefs.Document) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.owners.declare(plan, keys, managed, still)
}

// offer leaves the earlier values of keys a plan lets go for a taker, and
// records those it will write back. It returns the keys Terraform may
// apply a taker of before this resource, and the earlier values it will
// write back over a resource Terraform will not apply (see heldTwice).
func (a *account) offer(earlier, writesBack prefs.Document, letGo []string) ([]string, prefs.Document) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.owners.offer(earlier, writesBack)
	return a.owners.unordered(letGo), a.owners.heldTwice(writesBack)
}

// isDeclared reports whether a plan of this walk declares key.
func (a *account) isDeclared(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.owners.isDeclared(key)
}
