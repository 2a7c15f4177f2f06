package provider

import (
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// releaseOf gathers what the release rules (prefs.Release) need to know
// about keys this resource lets go of. What the server holds and whether
// another resource takes a key over are the batch's to fill in when the
// write is sent (prefs.Decide), or the plan's when it says what a release
// will do.
func releaseOf(keys []string, private privateData, keep bool) prefs.Release {
	return prefs.Release{
		Keys:      keys,
		Earlier:   private.earlier,
		Keep:      keep,
		Withdrawn: private.withdrawn,
	}
}
