package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// releaseOf gathers what the release rules (prefs.Release) need to know
// about keys this resource lets go of; current holds the values the server
// holds now, as far as the resource knows.
func (r *preferencesResource) releaseOf(keys []string, current prefs.Document, private privateData, keep bool) prefs.Release {
	return prefs.Release{
		Keys:      keys,
		Current:   current,
		Earlier:   private.earlier,
		Keep:      keep,
		Withdrawn: private.withdrawn,
		Declared:  r.account.owners.isDeclared,
	}
}

// releaseAndWrite lets keys go and writes, in one request, changes and the
// earlier values the release rules give back. hold holds the declared
// values, which the server must hold afterwards. It returns what the
// release did and the restored keys the server turned out not to know.
func (r *preferencesResource) releaseAndWrite(ctx context.Context, release prefs.Release, changes, hold prefs.Document, diags *diag.Diagnostics) (prefs.Released, []string, bool) {
	var gone []string
	released, ok := r.account.owners.release(release, func(released prefs.Released) bool {
		var ok bool
		gone, ok = r.writeAndVerify(ctx, changes.Overlay(released.Writes), hold, diags)
		return ok
	})
	return released, gone, ok
}
