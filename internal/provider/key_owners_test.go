package provider

import (
	"maps"
	"slices"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The warning a release gives names each key with its reason; a key let
// go because another resource declares it is handed over, not written,
// and its earlier value is offered to the taker, who remembers it.
func TestKeyOwnersRelease(t *testing.T) {
	var owners keyOwners
	owners.declare("other", []string{"email.d"})
	release := prefs.Release{
		Keys:      []string{"email.a", "email.b", "email.c", "email.d"},
		Current:   prefs.Document{"email.a": true},
		Earlier:   prefs.Document{"email.a": false, "email.d": true},
		Withdrawn: []string{"email.c"},
	}
	released, moved := owners.release(release)
	want := `Terraform stops managing "email.b" here and leaves their values on the server as they are, because they were imported, so there is no earlier value to restore. ` +
		`Terraform stops managing "email.d" here and leaves their values on the server as they are, because another notification_preferences resource of this provider configuration manages them now, and remembers their earlier values in this one's place. ` +
		`Terraform stops managing "email.c" here and leaves their values on the server as they are, because the server no longer has them.`
	if got := leftAlone(released.Left); got != want || len(moved) != 0 {
		t.Fatalf("warning:\n%s\nwant:\n%s\n(moved %v)", got, want, moved)
	}
	if !maps.Equal(released.Writes, prefs.Document{"email.a": false}) || len(released.Earlier) != 0 {
		t.Fatalf("wrote %v, still remembers %v: want email.a restored and every earlier value forgotten", released.Writes, released.Earlier)
	}
	if got := owners.adopt([]string{"email.d"}, prefs.Document{"email.d": false}); !maps.Equal(got, prefs.Document{"email.d": true}) {
		t.Fatalf("the taker remembers %v, want email.d's earlier value true", got)
	}
}

// A taker applied before the resource letting its key go remembers the
// value it found; the release then names the key, both values, and no
// longer claims the taker remembers the earlier value.
func TestKeyOwnersReleaseAfterTheTaker(t *testing.T) {
	var owners keyOwners
	owners.declare("taker", []string{"email.d"})
	if got := owners.unordered([]string{"email.d"}); !slices.Equal(got, []string{"email.d"}) {
		t.Fatalf("unordered = %v before the taker wrote, want email.d", got)
	}
	adopted := owners.adopt([]string{"email.d"}, prefs.Document{"email.d": false})
	if got := owners.unordered([]string{"email.d"}); len(got) != 0 {
		t.Fatalf("unordered = %v after the taker wrote: the apply's own warning says it", got)
	}
	released, moved := owners.release(prefs.Release{Keys: []string{"email.d"}, Earlier: prefs.Document{"email.d": true}})
	if want := []movedKey{{key: "email.d", remembered: false, earlier: true}}; !slices.Equal(moved, want) || adopted["email.d"] {
		t.Fatalf("moved %v, want %v", moved, want)
	}
	if got := leftAlone(withoutMoved(released, moved).Left); got != "" {
		t.Fatalf("the release still claims a hand-over: %s", got)
	}
	owners.forget(adopted)
	if _, moved := owners.release(prefs.Release{Keys: []string{"email.d"}, Earlier: prefs.Document{"email.d": true}}); len(moved) != 0 {
		t.Fatalf("a failed taker's value is still compared: %v", moved)
	}
}
