package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// writeAndVerify writes changes, if there are any, holding the declared
// values in hold, and checks that the server then holds every one of them:
// after a successful apply, state must equal the plan. A key it was only
// restoring that the API no longer knows (withdrawn since the last
// refresh) is left out and the rest written again, once; such keys are
// returned for a warning.
func (r *preferencesResource) writeAndVerify(ctx context.Context, changes, hold prefs.Document, diags *diag.Diagnostics) ([]string, bool) {
	changes = changes.Clone()
	var gone []string
	for len(changes) > 0 {
		after, err := r.account.writeShared(ctx, changes, hold)
		if err == nil {
			return gone, verify(after, hold, diags)
		}
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || !onlyRestoring(apiErr, changes, hold) || len(gone) > 0 {
			addAPIError(diags, r.account.Dialect(), "write notification preferences", err)
			return nil, false
		}
		for _, k := range apiErr.DetailKeys() {
			delete(changes, k)
			gone = append(gone, k)
		}
	}
	return gone, true
}

// onlyRestoring reports whether the API refused, as unknown, only keys
// being restored: keys written but not declared.
func onlyRestoring(e *client.APIError, changes, hold prefs.Document) bool {
	if !e.UnknownKey() || len(e.Details) == 0 {
		return false
	}
	for k := range e.Details {
		_, declared := hold[k]
		_, written := changes[k]
		if declared || !written {
			return false
		}
	}
	return true
}

// verify reports whether after, the server's answer to a write, holds
// every declared value, and otherwise says at each key what the server
// kept instead.
func verify(after, hold prefs.Document, diags *diag.Diagnostics) bool {
	off := prefs.Changes(after, hold).Keys()
	for _, k := range off {
		got, ok := after[k]
		addValueNotKept(diags, k, got, ok, hold[k])
	}
	return len(off) == 0
}

// readDocument is the document this walk last saw, or a fresh read.
func (r *preferencesResource) readDocument(ctx context.Context, diags *diag.Diagnostics) (prefs.Document, bool) {
	doc, err := r.account.readShared(ctx)
	if err != nil {
		addAPIError(diags, r.account.Dialect(), "read notification preferences", err)
		return nil, false
	}
	return doc, true
}
