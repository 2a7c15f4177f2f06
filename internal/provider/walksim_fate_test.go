package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// What becomes of the walk simulator's requests: faults before and after
// a write lands, refusals, and other clients of the API changing keys
// between walks and while a request is on its way.

// otherClients lets other clients of the API change a few keys. during is
// true inside a walk, where the pre-Terraform value of a key a resource
// takes over may be either.
func (r *simRun) otherClients(during bool) {
	for range 1 + r.rng.IntN(2) {
		conf := r.rng.IntN(len(r.confs))
		k := r.sample(r.confs[conf].keys, 1)[0]
		r.otherClient(conf, k, r.rng.IntN(2) == 0, during)
	}
}

// otherClient sets a key as another client of the API would, and keeps
// the checker's idea of its pre-Terraform value up to date: a key no state
// holds takes the new value as its own; one a state holds drifted.
func (r *simRun) otherClient(conf int, k string, v, during bool) {
	if err := r.mock.SetFor(r.confs[conf].token, prefs.Document{k: v}); err != nil {
		r.fail("simulator", err.Error())
	}
	r.noteOtherClient(conf, k, v, during)
}

// noteOtherClient is otherClient's bookkeeping, for a change the mock
// makes itself.
func (r *simRun) noteOtherClient(conf int, k string, v, during bool) {
	c := r.confs[conf]
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.trace, "   other client sets %s %s = %v\n", c, k, v)
	if r.touched != nil {
		r.touched[conf][k] = max(r.touched[conf][k], r.phase)
	}
	if during {
		if owner, held := r.walkStart[conf][k]; held {
			if _, kept := r.res[owner].cfg[k]; kept {
				return // drift of a key its owner keeps
			}
		}
		if !slices.Contains(r.truth[conf][k], v) {
			r.truth[conf][k] = append(r.truth[conf][k], v)
		}
		return
	}
	for _, res := range r.res {
		if _, ok := r.stateOf(res).prefs[k]; ok && res.conf == conf {
			return
		}
	}
	r.truth[conf][k] = []bool{v}
}

// fate decides what becomes of a request: in an apply walk (held) when
// the scheduler releases it, otherwise when it arrives.
func (r *simRun) fate(req *simRequest) mockapi.Fate {
	r.mu.Lock()
	roll := r.rng.Float64()
	pick := r.rng.IntN(8)
	extra := r.rng.IntN(1 << 20)
	boost := req.crowded && r.faultRate > 0 && r.rng.IntN(2) == 0
	r.mu.Unlock()
	if fresh, _, _ := r.keysTaken(req); boost && len(fresh) > 0 {
		// A write of a walk with other writes of its configuration
		// running may carry several of them, merged: refused for a key a
		// resource takes over, it is split, and each part is decided
		// again without the others. That is rare at the run's fault rate,
		// so it is made common here.
		roll, pick = -1, 6
	}
	fate := mockapi.Fate{}
	what := "served"
	select {
	case <-req.gone:
		if extra%2 == 0 {
			fate.Fault = &mockapi.Fault{Drop: true}
			what = "given up by the provider, never served"
		} else {
			what = "given up by the provider, served all the same"
		}
	default:
	}
	switch {
	case r.faultsOff || req.conf < 0 || fate.Fault != nil:
	case !req.write() && roll < r.faultRate/2:
		fate.Fault = &mockapi.Fault{Status: []int{500, 503}[extra%2]}
		what = fmt.Sprint(fate.Fault.Status)
	case req.write() && roll < r.faultRate:
		switch pick {
		case 0:
			fate.Fault = &mockapi.Fault{Status: 500}
			what = "500, not applied"
		case 1:
			fate.Fault = &mockapi.Fault{DropAfterApply: true}
			what = "applied, connection dropped"
		case 2:
			fate.StatusAfterApply = 504
			what = "applied, answered 504"
		case 3:
			k, v := r.anyKey(req.conf, extra)
			fate.Before = func() { r.otherClient(req.conf, k, v, true) }
			what = "another client's change lands first"
		case 4:
			// A key the request's writes declare, changed after the write
			// is applied and before it is answered: the answer shows it
			// off, and the write goes again.
			k, v := r.declaredKey(req, extra)
			fate.AfterApply = prefs.Document{k: v}
			fate.Applied = func() { r.noteOtherClient(req.conf, k, v, true) }
			what = "another client's change lands during the request"
		case 5:
			k, _ := r.anyKey(req.conf, extra)
			c := r.confs[req.conf]
			fate.Before = func() { r.mock.IgnoreWrites(c.dialect, k) }
			r.atWalkEnd(func() { r.mock.KeepWrites(c.dialect, k) })
			what = "the server keeps its value of " + k
		case 6:
			k := r.takenKey(req, extra)
			c := r.confs[req.conf]
			fate.Before = func() { r.mock.Withdraw(c.dialect, k) }
			r.mu.Lock()
			r.touched[req.conf][k] = simDuringApply // shipped again after the walk, without the value state may hold
			r.mu.Unlock()
			r.atWalkEnd(func() {
				r.mock.Ship(c.dialect, prefs.Document{k: c.defaults[k]})
				// The catalogue is the dialect's: every user's document
				// forgot the key's value, and holds whatever the server
				// gives it now, a value from outside Terraform like any
				// other client's.
				r.mu.Lock()
				defer r.mu.Unlock()
				for i, other := range r.confs {
					if other.dialect != c.dialect {
						continue
					}
					v := r.mock.UserDocument(other.token)[k]
					if !slices.Contains(r.truth[i][k], v) {
						r.truth[i][k] = append(r.truth[i][k], v)
					}
				}
			})
			what = "the server withdraws " + k + " (shipped again after the walk)"
		default:
			fate.Fault = &mockapi.Fault{Status: 503}
			what = "503, not applied"
		}
	}
	r.logf("   %s %s: %s", req.method, req.path, what)
	if tag := simTag(what); tag != "" {
		r.mu.Lock()
		r.tags[tag] = true
		r.mu.Unlock()
	}
	return fate
}

// anyKey picks a key some resource declares or holds, if any, and a value
// other than the server's.
func (r *simRun) anyKey(conf, n int) (string, bool) {
	var keys []string
	for _, res := range r.res {
		if res.conf == conf {
			keys = append(keys, res.cfg.Keys()...)
			keys = append(keys, r.stateOf(res).prefs.Keys()...)
		}
	}
	if len(keys) == 0 {
		keys = r.confs[conf].keys
	}
	slices.Sort(keys)
	k := keys[n%len(keys)]
	return k, !r.mock.UserDocument(r.confs[conf].token)[k]
}

// declaredKey picks a key the request carries that a resource declares,
// and the other value than the declared one: preferably one it takes over
// and changes, whose other value is the one the key had (a vastai PUT
// carries every key, and another value than the key's would be one more
// the checker allows it to go back to); else any key.
func (r *simRun) declaredKey(req *simRequest, n int) (string, bool) {
	_, taken, carried := r.keysTaken(req)
	doc := r.mock.UserDocument(r.confs[req.conf].token)
	changed := func(keys []string) []string {
		return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return doc[k] == r.declared(req.conf, k) })
	}
	for _, keys := range [][]string{changed(taken), changed(carried), taken, carried} {
		if len(keys) > 0 {
			k := keys[n%len(keys)]
			return k, !r.declared(req.conf, k)
		}
	}
	return r.anyKey(req.conf, n)
}

// declared is the value a resource of configuration conf declares for k.
func (r *simRun) declared(conf int, k string) bool {
	for _, res := range r.res {
		if v, ok := res.cfg[k]; ok && res.conf == conf {
			return v
		}
	}
	return false
}

// takenKey picks the key a refusal is about: one the request carries that
// a resource takes over (declares, but its state lacks) and no other
// resource lets go, so that merged requests of keys moving between
// resources are refused and split for the taker's own key; else one the
// request carries; else any key.
func (r *simRun) takenKey(req *simRequest, n int) string {
	fresh, taken, carried := r.keysTaken(req)
	switch {
	case len(fresh) > 0:
		return fresh[n%len(fresh)]
	case len(taken) > 0:
		return taken[n%len(taken)]
	case len(carried) > 0:
		return carried[n%len(carried)]
	}
	k, _ := r.anyKey(req.conf, n)
	return k
}

// keysTaken sorts the keys a write request carries: those a resource
// declares (carried), of which those its state lacks (taken), of which
// those no state holds (fresh).
func (r *simRun) keysTaken(req *simRequest) (fresh, taken, carried []string) {
	for _, k := range req.keys {
		held := false
		for _, res := range r.res {
			if _, ok := r.stateOf(res).prefs[k]; ok && res.conf == req.conf {
				held = true
			}
		}
		for _, res := range r.res {
			if res.conf != req.conf {
				continue
			}
			if _, declared := res.cfg[k]; declared {
				carried = append(carried, k)
				if _, own := r.stateOf(res).prefs[k]; !own {
					taken = append(taken, k)
					if !held {
						fresh = append(fresh, k)
					}
				}
			}
		}
	}
	return fresh, taken, carried
}

func (r *simRun) atWalkEnd(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.undo = append(r.undo, f)
}

// endWalk undoes the walk's changes to the catalogue.
func (r *simRun) endWalk() {
	r.mu.Lock()
	undo := r.undo
	r.undo = nil
	r.mu.Unlock()
	for _, f := range undo {
		f()
	}
}

// simTag sorts a request's fate into a cause of violations.
func simTag(what string) string {
	switch {
	case strings.HasPrefix(what, "applied,"):
		return "lost answer"
	case strings.HasPrefix(what, "5"):
		return "5xx"
	case strings.HasPrefix(what, "another client"):
		return "other client during a write"
	case strings.HasPrefix(what, "the server keeps"):
		return "value not kept"
	case strings.HasPrefix(what, "the server withdraws"):
		return "refused key"
	case strings.HasPrefix(what, "given up"):
		return "request given up"
	}
	return ""
}
