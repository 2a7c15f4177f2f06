package provider

import (
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// releaseOf gathers what the release rules (prefs.Release) need to know
// about keys this resource lets go of; current holds the values the server
// holds now, as far as the resource knows. Whether another resource
// declares a key is decided when the write is sent (account_write.go), or
// at plan with declaredNow.
func releaseOf(keys []string, current prefs.Document, private privateData, keep bool) prefs.Release {
	return prefs.Release{
		Keys:      keys,
		Current:   current,
		Earlier:   private.earlier,
		Keep:      keep,
		Withdrawn: private.withdrawn,
	}
}
