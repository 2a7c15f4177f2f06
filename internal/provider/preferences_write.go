package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// write sends w through the account's queue and returns it as answered,
// and whether it succeeded: the server then holds every declared value, as
// the queue checked in the answer (after a successful apply, state must
// equal the plan). What the write released and adopted says the rest; a
// write that failed says what its resource still manages (saveFailed).
func (r *preferencesResource) write(ctx context.Context, w prefs.Write, diags *diag.Diagnostics) (*write, bool) {
	written := &write{Write: w}
	r.account.submit(ctx, written)
	var notKept *valueNotKept
	var held *keysStillHeld
	switch {
	case errors.As(written.err, &notKept):
		for _, k := range notKept.off.Keys() {
			got, ok := notKept.after[k]
			addValueNotKept(diags, k, got, ok, notKept.off[k])
		}
	case errors.As(written.err, &held):
		addKeysStillHeld(diags, held.keys)
	case written.err != nil:
		addAPIError(diags, r.account.Dialect(), "write notification preferences", written.err)
	}
	return written, written.err == nil
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
