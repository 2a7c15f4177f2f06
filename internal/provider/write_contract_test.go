package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Terraform's contract at the write path, each case through the
// provider's protocol server as Terraform calls it: after an apply, state
// says what is on the server, no two resources' states hold one key, and
// a key's earlier value is decided once, from the document before the
// write that first took it.

// preferencesIn returns the preferences of a notification_preferences
// state (nil for a null one).
func (p *protocol) preferencesIn(state *tfprotov6.DynamicValue) prefs.Document {
	p.tb.Helper()
	if state == nil {
		return nil
	}
	v, err := state.Unmarshal(p.resource)
	if err != nil {
		p.tb.Fatal(err)
	}
	if v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		p.tb.Fatal(err)
	}
	var elems map[string]tftypes.Value
	if err := attrs["preferences"].As(&elems); err != nil {
		p.tb.Fatal(err)
	}
	out := prefs.Document{}
	for k, e := range elems {
		var b bool
		if err := e.As(&b); err != nil {
			p.tb.Fatal(err)
		}
		out[k] = b
	}
	return out
}

// earlierIn returns the earlier values a resource's private state holds.
func earlierIn(tb testing.TB, private []byte) prefs.Document {
	tb.Helper()
	entries := map[string][]byte{}
	if len(private) > 0 {
		if err := json.Unmarshal(private, &entries); err != nil {
			tb.Fatalf("private state %s: %v", private, err)
		}
	}
	earlier, err := decodeEarlier(entries[earlierKey])
	if err != nil {
		tb.Fatal(err)
	}
	return earlier
}

// destroyRestores destroys each resource, in order, and fails unless the
// document is then what it was before Terraform.
func (p *protocol) destroyRestores(mock *mockapi.Server, before prefs.Document, resources ...*tfprotov6.ApplyResourceChangeResponse) {
	p.tb.Helper()
	for _, r := range resources {
		p.check(nil, p.change(r.NewState, r.Private, nil, "").Diagnostics)
	}
	if after := mock.Document(p.dc.dialect); !maps.Equal(after, before) {
		p.tb.Fatalf("after destroy the document is %v, want %v", after, before)
	}
}

// Finding 1: a key moves from a to b; b's write lands and a's fails. a's
// state must not keep the key: b holds it now. Otherwise the next apply,
// in which b changes nothing and so is not applied, lets a write the
// key's earlier value over b's.
func TestContract_FailedReleaseDropsAKeyItsTakerHolds(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		before := mock.Document(dc.dialect)
		aState, aPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		aConfig := prefs.Document{dc.keyB: dc.defaultB}
		bConfig := prefs.Document{dc.keyA: !dc.defaultA, dc.unmanagedKey: !before[dc.unmanagedKey]}

		aPlan := p.plan(aState, aPrivate, aConfig, onDestroyRestore)
		b := p.apply(context.Background(), nil, p.plan(nil, nil, bConfig, onDestroyRestore), bConfig, onDestroyRestore)
		p.check(nil, b.Diagnostics)
		mock.Inject(mockapi.Fault{Method: dc.write, Status: 500, Times: 1})
		a := p.apply(context.Background(), aState, aPlan, aConfig, onDestroyRestore)
		if !hasError(a.Diagnostics) {
			t.Fatal("a's write succeeded despite the fault")
		}
		if got := p.preferencesIn(a.NewState); !maps.Equal(got, prefs.Document{dc.keyB: !dc.defaultB}) {
			t.Fatalf("a's state after its failed apply holds %v; want %s alone: %s belongs to b, whose write landed", got, dc.keyB, dc.keyA)
		}
		p.walk()

		// The next apply: only a has a change.
		aState, aPrivate = a.NewState, a.Private
		applied := p.change(aState, aPrivate, aConfig, onDestroyRestore)
		p.check(nil, applied.Diagnostics)
		if got := mock.Document(dc.dialect)[dc.keyA]; got != !dc.defaultA {
			t.Fatalf("%s = %v after a's second apply, want b's %v", dc.keyA, got, !dc.defaultA)
		}
		// Destroy both: every key back where it was before Terraform.
		p.destroyRestores(mock, before, applied, b)
	})
}

// Finding 2: a create lands, but another client flips one of its keys
// while the request is in flight, so the answer shows it off and the
// write goes once more. The earlier values stay those from before the
// first request: destroy puts back what was there before Terraform, not
// what Terraform wrote.
func TestContract_WriteSentTwiceRemembersTheValuesBeforeIt(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		before := mock.Document(dc.dialect)
		config := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		mock.SetAfterNextWrite(dc.dialect, prefs.Document{dc.keyB: dc.defaultB})
		state, private := p.create(config, onDestroyRestore)
		if want := (prefs.Document{dc.keyA: dc.defaultA, dc.keyB: dc.defaultB}); !maps.Equal(earlierIn(t, private), want) {
			t.Fatalf("the create remembers %v, want %v: the values before its first request", earlierIn(t, private), want)
		}
		p.destroyRestores(mock, before, &tfprotov6.ApplyResourceChangeResponse{NewState: state, Private: private})
	})
}

// A taker does not take a key whose releaser failed in this walk: the
// releaser still manages it, so the taker fails at the key, sending
// nothing, and the next apply, once the releaser's apply succeeds, moves
// the key.
func TestContract_TakerRefusesAKeyItsReleaserStillHolds(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		before := mock.Document(dc.dialect)
		aState, aPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		aConfig := prefs.Document{dc.keyB: dc.defaultB}
		bConfig := prefs.Document{dc.keyA: !dc.defaultA, dc.unmanagedKey: !before[dc.unmanagedKey]}

		aPlan := p.plan(aState, aPrivate, aConfig, onDestroyRestore)
		bPlan := p.plan(nil, nil, bConfig, onDestroyRestore)
		mock.Inject(mockapi.Fault{Method: dc.write, Status: 500, Times: 1})
		a := p.apply(context.Background(), aState, aPlan, aConfig, onDestroyRestore)
		if !hasError(a.Diagnostics) {
			t.Fatal("a's write succeeded despite the fault")
		}
		writes := mock.Count(dc.write)
		b := p.apply(context.Background(), nil, bPlan, bConfig, onDestroyRestore)
		expectDiagnostic(t, b.Diagnostics, severityError, "Notification Key Still Managed by Another Resource", atKey(dc.keyA),
			"whose apply failed before it let the key go", "apply again")
		if got := p.preferencesIn(a.NewState); got[dc.keyA] != !dc.defaultA {
			t.Fatalf("a's state holds %v; want %s, which it failed to let go", got, dc.keyA)
		}
		if b.NewState != nil && p.preferencesIn(b.NewState) != nil {
			t.Fatalf("b's failed create saved %v", p.preferencesIn(b.NewState))
		}
		if mock.Count(dc.write) != writes {
			t.Fatal("b's refused create sent a write")
		}
		p.walk()

		// Apply again: a lets the key go, then b takes it over.
		aPlan = p.plan(a.NewState, a.Private, aConfig, onDestroyRestore)
		bPlan = p.plan(nil, nil, bConfig, onDestroyRestore)
		a = p.apply(context.Background(), a.NewState, aPlan, aConfig, onDestroyRestore)
		p.check(nil, a.Diagnostics)
		b = p.apply(context.Background(), nil, bPlan, bConfig, onDestroyRestore)
		p.check(nil, b.Diagnostics)
		p.walk()
		p.destroyRestores(mock, before, a, b)
	})
}

// When two resources' states hold one key (an apply interrupted between
// the taker and the one letting go, or -target) and the one declaring it
// changes nothing, Terraform applies only the one letting it go, which
// writes the earlier value back. The plan says so, whichever of the two
// Terraform plans first.
func TestContract_PlanWarnsOfAKeyTwoStatesHold(t *testing.T) {
	for _, ownerFirst := range []bool{true, false} {
		name := map[bool]string{true: "owner_planned_first", false: "owner_planned_last"}[ownerFirst]
		t.Run(name, func(t *testing.T) {
			eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
				aState, aPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
				bConfig := prefs.Document{dc.keyA: !dc.defaultA}
				bState, bPrivate := p.create(bConfig, onDestroyRestore) // as -target would: a still holds the key
				aConfig := prefs.Document{dc.keyB: !dc.defaultB}

				var aPlan, bPlan *tfprotov6.PlanResourceChangeResponse
				if ownerFirst {
					bPlan = p.plan(bState, bPrivate, bConfig, onDestroyRestore)
					aPlan = p.plan(aState, aPrivate, aConfig, onDestroyRestore)
				} else {
					aPlan = p.plan(aState, aPrivate, aConfig, onDestroyRestore)
					bPlan = p.plan(bState, bPrivate, bConfig, onDestroyRestore)
				}
				warned := aPlan
				if !ownerFirst {
					warned = bPlan
				}
				expectDiagnostic(t, warned.Diagnostics, warning, "Notification Key Managed by Two Resources", atKey(dc.keyA),
					fmt.Sprintf("writes back %v", dc.defaultA), "Move keys without -target")
				if ownerFirst {
					expectDiagnostic(t, aPlan.Diagnostics, warning, "Notification Keys Will Be Restored", nil, fmt.Sprintf("%s → %v", dc.keyA, dc.defaultA))
				}
			})
		})
	}
}

// A write letting a key go that fails before it is sent (the read its new
// keys' check needs fails) is bookkept like any failed write: it keeps the
// key, which no taker may then take in this walk.
func TestContract_ReleaserFailingBeforeItsWriteKeepsTheKey(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		mock.Ship(dc.dialect, dc.shipped)
		newKey := dc.shipped.Keys()[0]
		rState, rPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		rConfig := prefs.Document{dc.keyA: !dc.defaultA, newKey: true}
		tConfig := prefs.Document{dc.keyB: !dc.defaultB}
		rPlan := p.plan(rState, rPrivate, rConfig, onDestroyRestore)
		tPlan := p.plan(nil, nil, tConfig, onDestroyRestore)
		// A failed write leaves the document unknown, so r's check reads.
		mock.Inject(mockapi.Fault{Method: dc.write, Status: 500, Times: 1})
		other := prefs.Document{dc.unmanagedKey: !mock.Document(dc.dialect)[dc.unmanagedKey]}
		if u := p.tryCreate(context.Background(), other); !hasError(u.Diagnostics) {
			t.Fatal("the write meant to fail succeeded")
		}
		mock.Inject(mockapi.Fault{Method: "GET", Status: 500, Times: 1})
		r := p.apply(context.Background(), rState, rPlan, rConfig, onDestroyRestore)
		if !hasError(r.Diagnostics) {
			t.Fatal("r's update succeeded despite its failed read")
		}
		if got := p.preferencesIn(r.NewState); got[dc.keyB] != !dc.defaultB {
			t.Fatalf("r's state %v; want %s kept, which it did not let go", got, dc.keyB)
		}
		taker := p.apply(context.Background(), nil, tPlan, tConfig, onDestroyRestore)
		expectDiagnostic(t, taker.Diagnostics, severityError, "Notification Key Still Managed by Another Resource", atKey(dc.keyB))
	})
}

// A taker that landed remembering another earlier value than the one the
// resource letting the key go has, and goes once more for a value someone
// changed meanwhile, is warned of even when the one letting go rides in
// that second request.
func TestAccountHandOverToAResendingTakerWarns(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.k": true, "email.x": false}, 1)
	c.meanwhile = prefs.Document{"email.x": false}
	a := &account{Client: c}
	taken := async(context.Background(), a, takeOver("email.x"))
	<-c.held
	released := async(context.Background(), a, letGo())
	queueAfter(a, 1)
	close(c.gates[1])
	b, r := <-taken, <-released
	if b.err != nil || r.err != nil {
		t.Fatalf("taker %v, releaser %v; want both to succeed", b.err, r.err)
	}
	if want := []prefs.Moved{{Key: "email.k", Remembered: true, Earlier: false}}; !slices.Equal(r.outcome.Moved, want) {
		t.Fatalf("the releaser says %v moved, want %v: the taker remembers true, the value before Terraform is false", r.outcome.Moved, want)
	}
}

// A resource letting a key go whose plan fails in the apply walk (the
// read its new key's check needs fails: the walk simulator's seed 374) is
// not applied, so it keeps the key: a taker applied after it in the walk
// fails at the key instead of taking it, which would leave it in two
// states.
func TestContract_ReleaserWhosePlanFailsKeepsTheKey(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		mock.Ship(dc.dialect, dc.shipped)
		newKey := dc.shipped.Keys()[0]
		rState, rPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		// The apply walk: r is planned again first, and its check fails.
		mock.Inject(mockapi.Fault{Method: "GET", Status: 500, Times: 1})
		r := p.tryPlan(rState, rPrivate, prefs.Document{dc.keyA: !dc.defaultA, newKey: true}, onDestroyRestore)
		if !hasError(r.Diagnostics) {
			t.Fatal("r's plan succeeded despite the failed read")
		}
		tConfig := prefs.Document{dc.keyB: !dc.defaultB}
		taker := p.apply(context.Background(), nil, p.plan(nil, nil, tConfig, onDestroyRestore), tConfig, onDestroyRestore)
		expectDiagnostic(t, taker.Diagnostics, severityError, "Notification Key Still Managed by Another Resource", atKey(dc.keyB))
	})
}

// A destroy whose write-back the server does not keep (the walk
// simulator's seed 581) fails at the key, and the resource keeps it, so
// that destroying again, once the server keeps values, restores it.
func TestContract_RestoreTheServerDoesNotKeepFails(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		before := mock.Document(dc.dialect)
		state, private := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		mock.IgnoreWrites(dc.dialect, dc.keyA)
		destroyed := p.change(state, private, nil, "")
		expectDiagnostic(t, destroyed.Diagnostics, severityError, "Notification API Did Not Keep the Value", atKey(dc.keyA))
		if got := p.preferencesIn(destroyed.NewState); !maps.Equal(got, prefs.Document{dc.keyA: !dc.defaultA}) {
			t.Fatalf("the failed destroy keeps %v; want %s alone, whose earlier value did not stay", got, dc.keyA)
		}
		mock.KeepWrites(dc.dialect, dc.keyA)
		p.check(nil, p.change(destroyed.NewState, destroyed.Private, nil, "").Diagnostics)
		if after := mock.Document(dc.dialect); !maps.Equal(after, before) {
			t.Fatalf("after destroying again the document is %v, want %v", after, before)
		}
	})
}
