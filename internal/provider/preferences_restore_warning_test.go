package provider

import (
	"slices"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

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
	for name, resp := range map[string][]string{
		"removal": warnings(p.plan(state, private, prefs.Document{"email.product_updates": false}, onDestroyKeep).Diagnostics),
		"destroy": warnings(p.plan(state, private, nil, "").Diagnostics),
	} {
		if len(resp) != 0 {
			t.Errorf("%s with keep warns %q, want no warning", name, resp)
		}
	}
}
