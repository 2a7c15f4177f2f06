package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// checkPlanned checks the declared keys at plan time. Keys already in
// state were confirmed by the refresh that just read the server, so only
// newly declared keys need the server's document, which is read at most
// once per walk. A withdrawn key still declared with its last value plans
// no change and only warns; declared with another value, it would be
// written, and is checked like a new key.
func (r *preferencesResource) checkPlanned(ctx context.Context, desired, prior prefs.Document, withdrawn []string, diags *diag.Diagnostics) bool {
	confirmed := prior.Without(withdrawn)
	var known prefs.Document // nil: no new key, so only the offline checks
	if len(prefs.Added(confirmed, desired)) > 0 {
		catalogue, err := r.account.readShared(ctx)
		if err != nil {
			addAPIError(diags, r.account.Dialect(), "read the notification preferences to check the declared keys", err)
			return false
		}
		known = catalogue.Overlay(confirmed)
	}
	var problems []prefs.Problem
	for _, p := range r.account.Dialect().Check(desired, known) {
		if was, ok := prior[p.Key]; ok && p.Kind == prefs.Unknown && slices.Contains(withdrawn, p.Key) && was == desired[p.Key] {
			addWithdrawnWarning(diags, p.Key)
			continue
		}
		problems = append(problems, p)
	}
	addProblems(diags, r.account.Dialect(), problems)
	return true
}

// checkKeys checks the declared keys against the server's document before a
// write, and reports whether all of them may be written.
func checkKeys(d prefs.Dialect, desired, known prefs.Document, diags *diag.Diagnostics) bool {
	problems := d.Check(desired, known)
	addProblems(diags, d, problems)
	return len(problems) == 0
}

// boundTo reports whether the provider is configured for the document id
// names: a resource created for one vastai user must never read or write
// another's on its behalf, destroy included.
func (r *preferencesResource) boundTo(id types.String, diags *diag.Diagnostics) bool {
	if id.IsNull() || id.IsUnknown() || id.ValueString() == r.account.ID() {
		return true
	}
	addOtherDocument(diags, id.ValueString(), r.account.ID())
	return false
}

// planRelease leaves the earlier values of the keys this plan lets go for
// a resource taking them over after it, and says what letting them go will
// do: the values it will write back, and the keys Terraform may hand to a
// taker before this resource lets them go.
func (r *preferencesResource) planRelease(what string, keys []string, prior prefs.Document, private privateData, keep bool, diags *diag.Diagnostics) {
	if len(keys) == 0 {
		return
	}
	offered, _ := prefs.Select(private.earlier.Without(private.withdrawn), keys)
	release := releaseOf(keys, private, keep)
	release.Current = prior
	unordered, heldTwice := r.account.offer(offered, release.Decide().Writes, keys)
	for _, k := range unordered {
		if earlier, ok := offered[k]; ok && prior[k] != earlier {
			addUnorderedMove(diags, k, prior[k], earlier)
		}
	}
	addHeldTwice(diags, heldTwice)
	release.Declared = r.account.isDeclared
	addRestoreWarning(diags, what, release.Decide())
}
