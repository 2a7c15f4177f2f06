package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// stillManaged returns what a resource whose write failed still manages:
// the values its state keeps and their earlier values. Terraform records
// the state an apply returns even when it fails, so this is how a write
// that landed is saved, and how a key already handed to a taker stops
// being this resource's: no apply, failed or interrupted, may leave two
// resources' states holding one key.
//
// prior and earlier are what the resource managed before (nil for a
// create), desired what it declares (nil for a destroy). When the write
// landed, a declared key is kept at the value the server answered (a key
// the answer lacks, withdrawn meanwhile, only if the resource managed it
// before, at its prior value); when its answer was lost, at the planned
// value; otherwise at its prior value. A key taken over keeps the earlier
// value the landed request decided. Of the keys let go, those the write
// says the resource still manages stay as they were. A destroy whose
// keys all went to takers leaves preferences empty: Terraform keeps the
// state of a failed destroy, and the next destroy has nothing to write.
func stillManaged(prior, earlier, desired prefs.Document, w *write) (values, remembered prefs.Document) {
	values, remembered = prefs.Document{}, prefs.Document{}
	keep := func(k string, v bool, from prefs.Document) {
		values[k] = v
		if e, ok := from[k]; ok {
			remembered[k] = e
		}
	}
	for k, v := range desired {
		was, had := prior[k]
		got, answered := w.after[k]
		switch {
		case w.state == writeLost:
			keep(k, v, earlier.Overlay(w.outcome.Earlier))
		case w.onServer() && answered:
			keep(k, got, earlier.Overlay(w.outcome.Earlier))
		case had:
			keep(k, was, earlier)
		}
	}
	for _, k := range w.unreleased {
		keep(k, prior[k], earlier)
	}
	return values, remembered
}

// saveFailed records in state and private state what a resource whose
// write failed still manages (see stillManaged): model, with its
// preferences replaced by those values. A create of which nothing reached
// the server records nothing.
func saveFailed(ctx context.Context, st stateSetter, private privateSetter, model preferencesModel, prior prefs.Document, was privateData, desired prefs.Document, w *write, diags *diag.Diagnostics) {
	if prior == nil && !w.onServer() {
		return
	}
	if w.Release != nil && w.onServer() {
		// What its release let go happened, or would have left the
		// server as it is: say so, as a successful apply does. Of the
		// keys it let go, it still holds none: w.unreleased holds only
		// keys whose earlier value it wrote back.
		summary := "Notification Keys No Longer Managed"
		if desired == nil {
			summary = "Notification Keys Left as They Are"
		}
		addReleaseWarning(diags, summary, w.outcome.Released, w.moved)
	} else {
		for _, m := range w.moved {
			addMisremembered(diags, m)
		}
	}
	values, remembered := stillManaged(prior, was.earlier, desired, w)
	model.Preferences = toMap(values)
	privateData{earlier: remembered, withdrawn: was.withdrawn}.save(ctx, private, diags)
	diags.Append(st.Set(ctx, &model)...)
}

// stateSetter is the part of a response's state we write.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}
