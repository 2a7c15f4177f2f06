package provider

import (
	"context"
	"maps"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The warning a release gives names each key with its reason, and a key
// let go because another resource declares it is handed over.
func TestKeyOwnersRelease(t *testing.T) {
	var owners keyOwners
	owners.declare("other", []string{"email.d"})
	release := prefs.Release{
		Keys:      []string{"email.a", "email.b", "email.c", "email.d"},
		Current:   prefs.Document{"email.a": true},
		Earlier:   prefs.Document{"email.a": false, "email.d": true},
		Withdrawn: []string{"email.c"},
	}
	var written prefs.Document
	released, ok := owners.release(release, func(r prefs.Released) bool {
		written = r.Writes
		return true
	})
	want := `Terraform stops managing "email.b" here and leaves their values on the server as they are, because they were imported, so there is no earlier value to restore. ` +
		`Terraform stops managing "email.d" here and leaves their values on the server as they are, because another notification_preferences resource of this provider configuration manages them now, and remembers their earlier values in this one's place. ` +
		`Terraform stops managing "email.c" here and leaves their values on the server as they are, because the server no longer has them.`
	if got := leftAlone(released.Left, nil); !ok || got != want {
		t.Fatalf("warning:\n%s\nwant:\n%s", got, want)
	}
	if !maps.Equal(written, prefs.Document{"email.a": false}) || len(released.Earlier) != 0 {
		t.Fatalf("wrote %v, still remembers %v: want email.a restored and every earlier value forgotten", written, released.Earlier)
	}
	if got := owners.awaitHandOver(context.Background(), []string{"email.d"}); !maps.Equal(got, prefs.Document{"email.d": true}) {
		t.Fatalf("handed over %v, want email.d's earlier value true", got)
	}
}
