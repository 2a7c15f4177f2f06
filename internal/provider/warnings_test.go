package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The warnings of plan and apply, which the CLI test harness does not
// show, read from the provider's protocol server as Terraform gets them.

const warning = tfprotov6.DiagnosticSeverityWarning

// eachDialectProtocol runs test for both dialects, each on a fresh mock and
// provider, in parallel.
func eachDialectProtocol(t *testing.T, test func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase)) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock := mockapi.New()
		test(t, newProtocolFor(t, mock, dc, nil), mock, dc)
	})
}

// A key the server withdrew warns at every plan that still declares it
// with its last value; declared with another value it would be written,
// and is an error at the key. Destroy restores the other keys and says it
// leaves the withdrawn one, both when it plans and when it applies.
func TestWarnings_WithdrawnKey(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		managed := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		state, private := p.create(managed, onDestroyRestore)
		mock.Withdraw(dc.dialect, dc.keyB)
		for plan := range 2 {
			state, private = p.read(state, private)
			resp := p.plan(state, private, managed, onDestroyRestore)
			expectDiagnostic(t, resp.Diagnostics, warning, "Notification Key Withdrawn by the Server", atKey(dc.keyB),
				fmt.Sprintf("The server no longer reports %q", dc.keyB), "Remove it from preferences")
			if t.Failed() {
				t.Fatalf("plan %d", plan+1)
			}
			p.walk()
		}

		changed := p.tryPlan(state, private, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: dc.defaultB}, onDestroyRestore)
		expectDiagnostic(t, changed.Diagnostics, tfprotov6.DiagnosticSeverityError, "Unknown Notification Key", atKey(dc.keyB),
			fmt.Sprintf("does not know %q", dc.keyB))
		p.walk()

		destroy := p.plan(state, private, nil, "")
		expectDiagnostic(t, destroy.Diagnostics, warning, "Notification Keys Will Be Restored", nil,
			fmt.Sprintf("%s → %v", dc.keyA, dc.defaultA),
			fmt.Sprintf("stops managing %q here and leaves their values on the server as they are, because the server no longer has them", dc.keyB))
		applied := p.apply(context.Background(), state, destroy, nil, "")
		p.check(nil, applied.Diagnostics)
		expectDiagnostic(t, applied.Diagnostics, warning, "Notification Keys Left as They Are", nil,
			fmt.Sprintf("stops managing %q here", dc.keyB), "because the server no longer has them")
		if got := mock.Document(dc.dialect)[dc.keyA]; got != dc.defaultA {
			t.Errorf("destroy left %s = %v, want its earlier value %v", dc.keyA, got, dc.defaultA)
		}
	})
}

// With on_destroy = "keep", destroy and removing a key only let keys go,
// and apply says so: which keys, and why.
func TestWarnings_KeepSaysWhatItLeaves(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		managed := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		state, private := p.create(managed, onDestroyKeep)

		removal := p.change(state, private, prefs.Document{dc.keyB: !dc.defaultB}, onDestroyKeep)
		p.check(nil, removal.Diagnostics)
		expectDiagnostic(t, removal.Diagnostics, warning, "Notification Keys No Longer Managed", nil,
			fmt.Sprintf("stops managing %q here and leaves their values on the server as they are, because on_destroy is \"keep\"", dc.keyA))

		destroy := p.change(removal.NewState, removal.Private, nil, "")
		p.check(nil, destroy.Diagnostics)
		expectDiagnostic(t, destroy.Diagnostics, warning, "Notification Keys Left as They Are", nil,
			fmt.Sprintf("stops managing %q here", dc.keyB), `because on_destroy is "keep"`)
		if doc := mock.Document(dc.dialect); doc[dc.keyA] != !dc.defaultA || doc[dc.keyB] != !dc.defaultB {
			t.Errorf("keep wrote earlier values back: %v", doc)
		}
	})
}

// A restore says, beside the keys it writes back, which keys it only lets
// go: here the imported ones, which have no earlier value.
func TestWarnings_RestoreNamesImportedKeys(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
		state, private := p.importState()
		imported := p.dc.dialect.Mutable(mock.Document(dc.dialect))

		// A key shipped after the import is adopted with an earlier value.
		shipped := dc.shipped.Keys()[0]
		mock.Ship(dc.dialect, dc.shipped)
		declared := imported.Overlay(prefs.Document{shipped: !dc.shipped[shipped]})
		update := p.change(state, private, declared, onDestroyRestore)
		p.check(nil, update.Diagnostics)

		destroy := p.plan(update.NewState, update.Private, nil, "")
		expectDiagnostic(t, destroy.Diagnostics, warning, "Notification Keys Will Be Restored", nil,
			"Destroying this resource writes back", fmt.Sprintf("%s → %v", shipped, dc.shipped[shipped]), quoteList(imported.Keys()),
			"because they were imported, so there is no earlier value to restore")
		applied := p.apply(context.Background(), update.NewState, destroy, nil, "")
		p.check(nil, applied.Diagnostics)
		expectDiagnostic(t, applied.Diagnostics, warning, "Notification Keys Left as They Are", nil,
			quoteList(imported.Keys()), "because they were imported")
		doc := mock.Document(dc.dialect)
		if doc[shipped] != dc.shipped[shipped] || doc[dc.keyA] != !dc.defaultA {
			t.Errorf("after destroy the server has %s = %v (want %v, restored) and %s = %v (want %v, left)", shipped, doc[shipped], dc.shipped[shipped], dc.keyA, doc[dc.keyA], !dc.defaultA)
		}
	})
}

// Earlier values written by a newer release cannot be read: plan and
// apply say so, and destroy then leaves the keys as they are.
func TestWarnings_EarlierValuesUnreadable(t *testing.T) {
	t.Parallel()
	mock := mockapi.New()
	p := newProtocol(t, mock)
	state, private := p.create(prefs.Document{"email.weekly_usage_digest": true}, onDestroyRestore)
	private = withPrivateEntry(t, private, earlierKey, `{"version": 99, "values": {"email.weekly_usage_digest": false}}`)

	destroy := p.plan(state, private, nil, "")
	expectDiagnostic(t, destroy.Diagnostics, warning, "Earlier Values Unreadable", nil,
		"version 99 was written by a newer release of the provider", "keys will be left as they are on destroy")
	applied := p.apply(context.Background(), state, destroy, nil, "")
	p.check(nil, applied.Diagnostics)
	expectDiagnostic(t, applied.Diagnostics, warning, "Earlier Values Unreadable", nil, "version 99")
	if !mock.Document(prefs.V1)["email.weekly_usage_digest"] {
		t.Error("destroy wrote a value it could not have read")
	}
}

// http:// to a host other than this machine sends the token in clear: a
// warning at the endpoint, naming it and the fix.
func TestWarnings_TokenSentInClearText(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{"http://api.example.com", "http://192.0.2.10:8080/v1"} {
		p := newProtocolFor(t, mockapi.New(), dialectCases[0], map[string]tftypes.Value{"endpoint": tftypes.NewValue(tftypes.String, endpoint)})
		expectDiagnostic(t, p.configured.Diagnostics, warning, "Token Sent in Clear Text", tftypes.NewAttributePath().WithAttributeName("endpoint"),
			"The endpoint "+endpoint+" uses http://", "the token travels unencrypted", "Use https://.")
	}
	for _, endpoint := range []string{"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "https://api.example.com"} {
		p := newProtocolFor(t, mockapi.New(), dialectCases[0], map[string]tftypes.Value{"endpoint": tftypes.NewValue(tftypes.String, endpoint)})
		if w := warnings(p.configured.Diagnostics); len(w) != 0 {
			t.Errorf("%s warns %q", endpoint, w)
		}
	}
}

// A plan that will restore earlier values says which, and to what: the
// plan itself shows only the keys leaving preferences.
func TestPlanWarnsWhatRestoreWrites(t *testing.T) {
	mock := mockapi.New()
	p := newProtocol(t, mock)
	managed := prefs.Document{"email.weekly_usage_digest": true, "email.product_updates": false}
	state, private := p.create(managed, onDestroyRestore)

	removal := p.plan(state, private, prefs.Document{"email.product_updates": false}, onDestroyRestore)
	want := []string{"Notification Keys Will Be Restored: Removing \"email.weekly_usage_digest\" from preferences writes back the values these keys had before this resource managed them:\n  email.weekly_usage_digest → false"}
	if got := warnings(removal.Diagnostics); !slices.Equal(got, want) {
		t.Errorf("removal warns %q, want %q", got, want)
	}

	p.walk()
	destroy := p.plan(state, private, nil, "")
	want = []string{"Notification Keys Will Be Restored: Destroying this resource writes back the values these keys had before this resource managed them:\n  email.product_updates → true\n  email.weekly_usage_digest → false"}
	if got := warnings(destroy.Diagnostics); !slices.Equal(got, want) {
		t.Errorf("destroy warns %q, want %q", got, want)
	}
}

// Nothing to write, no warning: on_destroy "keep" only lets keys go.
func TestPlanNoRestoreWarningWhenKeeping(t *testing.T) {
	p := newProtocol(t, mockapi.New())
	managed := prefs.Document{"email.weekly_usage_digest": true, "email.product_updates": false}
	state, private := p.create(managed, onDestroyKeep)
	removal := warnings(p.plan(state, private, prefs.Document{"email.product_updates": false}, onDestroyKeep).Diagnostics)
	p.walk()
	for name, resp := range map[string][]string{
		"removal": removal,
		"destroy": warnings(p.plan(state, private, nil, "").Diagnostics),
	} {
		if len(resp) != 0 {
			t.Errorf("%s with keep warns %q, want no warning", name, resp)
		}
	}
}

// When the resource taking a key over is applied before the one letting
// it go (nothing orders them, or the order is the reverse of depends_on
// on the taker), the taker remembers the value it finds. The plan says so
// when it can tell (the taker was planned first), and the apply of the
// resource letting go says so for certain: the key, what destroy would
// write back, the value before Terraform, and the fix. Applied after the
// other resource has planned, the taker remembers the earlier value.
func TestWarnings_KeyMovedToAResourceAppliedFirst(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		aState, aPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		taker, letGo := prefs.Document{dc.keyA: !dc.defaultA}, prefs.Document{dc.keyB: !dc.defaultB}

		// The plan walk: the taker is planned first.
		p.plan(nil, nil, taker, onDestroyRestore)
		plan := p.plan(aState, aPrivate, letGo, onDestroyRestore)
		expectDiagnostic(t, plan.Diagnostics, warning, "Notification Key Moves Between Resources Without an Order", atKey(dc.keyA),
			fmt.Sprintf("it remembers %v, the value this resource set, as the value to write back on destroy, instead of %v", !dc.defaultA, dc.defaultA),
			"add depends_on = [<this resource>] to the notification_preferences resource taking the key over", "move the key in two applies")
		p.walk()

		// The apply walk: the taker is planned and applied first.
		created := p.apply(context.Background(), nil, p.plan(nil, nil, taker, onDestroyRestore), taker, onDestroyRestore)
		p.check(nil, created.Diagnostics)
		plan = p.plan(aState, aPrivate, letGo, onDestroyRestore)
		for _, w := range warnings(plan.Diagnostics) {
			if strings.Contains(w, "Without an Order") {
				t.Errorf("the plan made after the taker's apply warns %q; the apply says it", w)
			}
		}
		applied := p.apply(context.Background(), aState, plan, letGo, onDestroyRestore)
		p.check(nil, applied.Diagnostics)
		expectDiagnostic(t, applied.Diagnostics, warning, "Moved Notification Key Remembers Another Value", atKey(dc.keyA),
			fmt.Sprintf("That resource will write back %v on destroy; the value %q had before Terraform managed it is %v.", !dc.defaultA, dc.keyA, dc.defaultA),
			"add depends_on")
		for _, w := range warnings(applied.Diagnostics) {
			if strings.Contains(w, "remembers their earlier values in this one's place") {
				t.Errorf("the apply claims a hand-over that did not happen: %s", w)
			}
		}
		p.walk()

		// Destroying the taker writes back what it remembered: the warning was right.
		destroyed := p.change(created.NewState, created.Private, nil, "")
		p.check(nil, destroyed.Diagnostics)
		if got := mock.Document(dc.dialect)[dc.keyA]; got != !dc.defaultA {
			t.Errorf("destroying the taker wrote %v, want %v as the warning said", got, !dc.defaultA)
		}
	})
}

// Applied after the resource letting its key go has planned, a taker
// remembers the key's earlier value even when nothing orders the two: the
// plan, made before the taker declared the key, says it will restore it;
// the apply says it handed the key over instead, and nothing warns of a
// value remembered wrongly.
func TestWarnings_KeyMovedAfterThePlanOfTheOneLettingGo(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		aState, aPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		taker, letGo := prefs.Document{dc.keyA: !dc.defaultA}, prefs.Document{dc.keyB: !dc.defaultB}

		plan := p.plan(aState, aPrivate, letGo, onDestroyRestore)
		bPlan := p.plan(nil, nil, taker, onDestroyRestore)
		created := p.apply(context.Background(), nil, bPlan, taker, onDestroyRestore)
		p.check(nil, created.Diagnostics)
		applied := p.apply(context.Background(), aState, plan, letGo, onDestroyRestore)
		p.check(nil, applied.Diagnostics)
		expectDiagnostic(t, plan.Diagnostics, warning, "Notification Keys Will Be Restored", nil, fmt.Sprintf("%s → %v", dc.keyA, dc.defaultA))
		expectDiagnostic(t, applied.Diagnostics, warning, "Notification Keys No Longer Managed", nil,
			fmt.Sprintf("stops managing %q here", dc.keyA), "remembers their earlier values in this one's place")
		if len(created.Diagnostics) != 0 || len(applied.Diagnostics) != 1 {
			t.Errorf("unexpected diagnostics:\n%s%s", describe(created.Diagnostics), describe(applied.Diagnostics))
		}
		p.walk()

		destroyed := p.change(created.NewState, created.Private, nil, "")
		p.check(nil, destroyed.Diagnostics)
		if got := mock.Document(dc.dialect)[dc.keyA]; got != dc.defaultA {
			t.Errorf("destroying the taker wrote %v, want the earlier value %v", got, dc.defaultA)
		}
	})
}

// A taker whose create fails takes nothing over: the plan of the resource
// letting the key go, made after that, says it restores the key, and
// warns of no move; its apply writes the earlier value back.
func TestWarnings_FailedTakerClaimsNothing(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		aState, aPrivate := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		// The taker writes another key too, so its create sends a request.
		other := !mock.Document(dc.dialect)[dc.unmanagedKey]
		taker, letGo := prefs.Document{dc.keyA: !dc.defaultA, dc.unmanagedKey: other}, prefs.Document{dc.keyB: !dc.defaultB}

		mock.Inject(mockapi.Fault{Method: dc.write, Status: 500, Times: 1})
		failed := p.apply(context.Background(), nil, p.plan(nil, nil, taker, onDestroyRestore), taker, onDestroyRestore)
		expectDiagnostic(t, failed.Diagnostics, severityError, "Notification API Error", nil)
		plan := p.plan(aState, aPrivate, letGo, onDestroyRestore)
		expectDiagnostic(t, plan.Diagnostics, warning, "Notification Keys Will Be Restored", nil, fmt.Sprintf("%s → %v", dc.keyA, dc.defaultA))
		if len(plan.Diagnostics) != 1 {
			t.Errorf("the plan after the taker failed says more:\n%s", describe(plan.Diagnostics))
		}
		applied := p.apply(context.Background(), aState, plan, letGo, onDestroyRestore)
		p.check(nil, applied.Diagnostics)
		if got := mock.Document(dc.dialect)[dc.keyA]; got != dc.defaultA {
			t.Errorf("%s = %v after the apply, want its earlier value %v written back", dc.keyA, got, dc.defaultA)
		}
	})
}
