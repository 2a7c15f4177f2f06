package provider

import (
	"slices"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The warning a release gives names each key with its reason.
func TestReleaseWarningNamesEachReason(t *testing.T) {
	release := prefs.Release{
		Keys:      []string{"email.a", "email.b", "email.c", "email.d"},
		Current:   prefs.Document{"email.a": true},
		Earlier:   prefs.Document{"email.a": false, "email.d": true},
		Withdrawn: []string{"email.c"},
		Declared:  func(k string) bool { return k == "email.d" },
	}
	want := `Terraform stops managing "email.b" here and leaves their values on the server as they are, because they were imported, so there is no earlier value to restore. ` +
		`Terraform stops managing "email.d" here and leaves their values on the server as they are, because another notification_preferences resource of this provider configuration manages them now, and remembers their earlier values in this one's place. ` +
		`Terraform stops managing "email.c" here and leaves their values on the server as they are, because the server no longer has them.`
	if got := leftAlone(release.Decide().Left); got != want {
		t.Fatalf("warning:\n%s\nwant:\n%s", got, want)
	}
}

// A key another plan of the walk takes over is unordered until the
// taker's write lands; a key handed to a taker that remembered another
// value is no longer claimed to be remembered.
func TestKeyOwnersUnorderedUntilTheTakerLands(t *testing.T) {
	var owners keyOwners
	owners.declare("taker", []string{"email.d"}, nil, false)
	if got := owners.unordered([]string{"email.d"}); !slices.Equal(got, []string{"email.d"}) {
		t.Fatalf("unordered = %v before the taker wrote, want email.d", got)
	}
	if owners.owned("email.d") {
		t.Fatal("a key only planned to be taken over counts as owned")
	}
	owners.land([]string{"email.d"}, prefs.Document{"email.d": false})
	if got := owners.unordered([]string{"email.d"}); len(got) != 0 {
		t.Fatalf("unordered = %v after the taker wrote: the apply's own warning says it", got)
	}
	released := prefs.Released{Left: map[prefs.Reason][]string{prefs.HandedOver: {"email.d"}}}
	if got := leftAlone(withoutMoved(released, []prefs.Moved{{Key: "email.d", Earlier: true}}).Left); got != "" {
		t.Fatalf("the release still claims a hand-over: %s", got)
	}
	owners.declare("owner", []string{"email.e"}, prefs.Document{"email.e": true}, false)
	if !owners.owned("email.e") {
		t.Fatal("a key declared by the resource managing it is not owned")
	}
}
