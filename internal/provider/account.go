package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// account is what a configured provider hands its resources and data
// sources for the one preferences document it is configured for:
// the client, and what this provider configuration has learned in the
// current Terraform walk. Terraform configures a provider afresh for every
// walk of its graph (a plan, an apply), so none of it outlives the walk.
type account struct {
	client.Client

	// mu is held for every request, so the reads and writes of one walk
	// take turns. Writes must: a vastai PUT replaces the whole document,
	// and two in parallel would each put back the other's old values.
	// Reads share one GET that way. And the shared document stays in
	// order without version numbers: no answer can land after the answer
	// to a request sent later.
	mu sync.Mutex
	// doc is the document as the server last answered it in this walk:
	// every read of the walk shares it (refreshing N resources is one
	// GET), and the next write starts from it. nil until read, and after a
	// failed write, whose effect on the server is unknown.
	doc prefs.Document

	owners keyOwners
}

func newAccount(cfg client.Config) (*account, error) {
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	return &account{Client: c}, nil
}

// accountFrom is what a resource's or data source's Configure keeps of the
// provider's data: nil while the provider configuration is not known yet.
func accountFrom(providerData any, diags *diag.Diagnostics) *account {
	if providerData == nil {
		return nil
	}
	a, ok := providerData.(*account)
	if !ok {
		addUnexpectedProviderData(diags, providerData)
	}
	return a
}

// ready reports whether a is configured, and says what to do if not.
func ready(a *account, diags *diag.Diagnostics) bool {
	if a == nil {
		addNotConfigured(diags)
		return false
	}
	return true
}

// readShared returns the document as this walk last saw it, reading it if
// nothing has yet.
func (a *account) readShared(ctx context.Context) (prefs.Document, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.doc != nil {
		return a.doc, nil
	}
	doc, err := a.Read(ctx)
	if err != nil {
		return nil, err
	}
	a.doc = doc
	return doc, nil
}

// writeShared applies changes, holding the declared values in hold, and
// starts from the document the previous request of this walk answered with.
func (a *account) writeShared(ctx context.Context, changes, hold prefs.Document) (prefs.Document, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	after, err := a.Apply(ctx, changes, hold, a.doc)
	if err != nil {
		// The write may have landed with its answer lost: a PUT built on
		// the document from before it would put the old values back.
		a.doc = nil
		return nil, err
	}
	a.doc = after
	return after, nil
}
