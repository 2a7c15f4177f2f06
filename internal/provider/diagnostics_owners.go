package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Diagnostics about who manages a key: one owner per key, and keys moving
// between resources of one provider configuration.

// addDeclaredTwice explains keys declared by two resources of one provider
// configuration, each at its key, the first few of many.
func addDeclaredTwice(diags *diag.Diagnostics, keys []string) {
	if n := len(keys) - maxKeyDiagnostics; n > 0 {
		diags.AddAttributeError(path.Root("preferences"), "More Notification Keys Declared Twice",
			fmt.Sprintf("%d declared keys are declared by another notification_preferences resource of this provider configuration too; the first %d are shown, each at its key, and %d more are not.", len(keys), maxKeyDiagnostics, n))
		keys = keys[:maxKeyDiagnostics]
	}
	for _, key := range keys {
		diags.AddAttributeError(keyPath(key), "Notification Key Declared Twice",
			fmt.Sprintf("Another notification_preferences resource of this provider configuration declares %q too. Two resources managing one key undo each other on every apply, and neither can restore its earlier value. Declare each key in one resource only; moving a key from one resource to another in one apply is fine.", key))
	}
}

// The fix for a key moved between resources in an order that loses its
// earlier value, as both of the warnings below give it.
const moveAdvice = "To keep the earlier value, add depends_on = [<this resource>] to the notification_preferences resource taking the key over, so that Terraform applies this one first; or move the key in two applies: remove it here and apply, then declare it there and apply."

// addUnorderedMove warns at plan that a key this resource lets go is
// declared by another resource that Terraform may apply first.
func addUnorderedMove(diags *diag.Diagnostics, key string, current, earlier bool) {
	diags.AddAttributeWarning(keyPath(key), "Notification Key Moves Between Resources Without an Order",
		fmt.Sprintf("%q moves from this resource to another notification_preferences resource of this provider configuration, which Terraform planned before this one: nothing orders the two. "+
			"If Terraform applies the other resource first, it remembers %v, the value this resource set, as the value to write back on destroy, instead of %v, the value %q had before Terraform managed it. %s",
			key, current, earlier, key, moveAdvice))
}

// addMisremembered warns at apply that a key this resource let go was taken
// over by a resource applied before it, which remembers another value.
func addMisremembered(diags *diag.Diagnostics, m prefs.Moved) {
	diags.AddAttributeWarning(keyPath(m.Key), "Moved Notification Key Remembers Another Value",
		fmt.Sprintf("%q was taken over by another notification_preferences resource of this provider configuration, which Terraform applied before this one let the key go "+
			"(or by this resource's own new object, replacing it with create_before_destroy). "+
			"That resource will write back %v on destroy; the value %q had before Terraform managed it is %v. %s",
			m.Key, m.Remembered, m.Key, m.Earlier, moveAdvice))
}

// addKeysStillHeld explains keys a resource would take over from another
// whose apply failed before it let them go. The provider is not told
// resource addresses, so it names the other resource by what it does.
func addKeysStillHeld(diags *diag.Diagnostics, keys []string) {
	for _, key := range keys {
		diags.AddAttributeError(keyPath(key), "Notification Key Still Managed by Another Resource",
			fmt.Sprintf("%q moves to this resource from another notification_preferences resource of this provider configuration (the one whose preferences no longer declare it), whose apply failed before it let the key go: it still manages %q, and two resources managing one key would undo each other. Nothing was written for this resource. Fix what failed there and apply again.", key, key))
	}
}

// addHeldTwice warns at plan of keys one resource lets go, writing back
// their earlier values, that another resource manages too and Terraform
// will not apply because nothing of it changes: an earlier apply was
// interrupted after the other took the key over, or applied it with
// -target. Nothing tells the apply of the one letting go about the other,
// so it writes the earlier value back.
func addHeldTwice(diags *diag.Diagnostics, earlier prefs.Document) {
	for _, key := range earlier.Keys() {
		diags.AddAttributeWarning(keyPath(key), "Notification Key Managed by Two Resources",
			fmt.Sprintf("%q is in the state of this resource and of another notification_preferences resource of this provider configuration: one declares it, the other lets it go. An earlier apply was interrupted after the one declaring it took the key over, or applied it with -target. "+
				"Terraform applies only the one letting it go, since nothing of the other changes, and it writes back %v, the value %q had before it managed it; the next plan then shows the other resource setting it again, and that resource, which took the key over without this one's earlier value, may write another value back on destroy. "+
				"Move keys without -target, and let an apply that moves keys finish.", key, earlier[key], key))
	}
}
