package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// writeAndVerify sends w, through the account's queue, and checks that the
// server then holds every declared value: after a successful apply, state
// must equal the plan. A key it was only restoring that the API no longer
// knows (withdrawn since the last refresh) is left out, as withdrawn, and
// the rest written again, once. It returns the write as answered, and
// whether it succeeded; what the write released and adopted says the rest.
func (r *preferencesResource) writeAndVerify(ctx context.Context, w write, diags *diag.Diagnostics) (*write, bool) {
	for retried := false; ; retried = true {
		sent := w // each attempt is decided afresh
		r.account.submit(ctx, &sent)
		if sent.err == nil {
			// A write that sent nothing trusts the read it was built on.
			ok := len(sent.sent()) == 0 || verify(sent.after, sent.hold, diags)
			return &sent, ok
		}
		var apiErr *client.APIError
		if retried || w.release == nil || !errors.As(sent.err, &apiErr) || !onlyRestoring(apiErr, sent.sent(), sent.hold) {
			addAPIError(diags, r.account.Dialect(), "write notification preferences", sent.err)
			return &sent, false
		}
		release := *w.release
		release.Withdrawn = append(release.Withdrawn, apiErr.DetailKeys()...)
		w.release = &release
	}
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
