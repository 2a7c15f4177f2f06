package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// api is what a configured provider hands its resources and data sources:
// the client, and the last resolved document seen by this provider instance.
// Terraform configures a provider afresh for every walk of its graph, so
// that document is moments old: one read serves every plan-time key check
// (a refresh that just read it saves the check its own request), and in the
// apply walk, where Terraform plans each resource again right before
// applying it, the write starts from the document that plan just read.
type api struct {
	client.Client

	mu        sync.Mutex
	catalogue prefs.Document
}

func newAPI(cfg client.Config) (*api, error) {
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	return &api{Client: c}, nil
}

// apiFrom is what a resource's or data source's Configure keeps of the
// provider's data: nil while the provider configuration is not known yet.
func apiFrom(providerData any, diags *diag.Diagnostics) *api {
	if providerData == nil {
		return nil
	}
	a, ok := providerData.(*api)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *api, got %T. Please report this issue to the provider developers.", providerData))
	}
	return a
}

// ready reports whether a is configured, and says what to do if not.
func ready(a *api, diags *diag.Diagnostics) bool {
	if a == nil {
		diags.AddError("Notification provider not configured",
			"The provider configuration was not known when this operation ran. Make sure endpoint and token are known before apply.")
		return false
	}
	return true
}

// apply writes changes. Writes through one provider instance take turns,
// and each starts from the document the previous one returned: the vastai
// PUT replaces the whole document, so two resources writing disjoint keys
// of it in parallel would otherwise each put back the other's old values.
func (a *api) apply(ctx context.Context, changes prefs.Document) (prefs.Document, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	after, err := a.Apply(ctx, changes, a.catalogue)
	if err != nil {
		return nil, err
	}
	a.catalogue = after
	return after, nil
}

// remember keeps a resolved document for later checks in this run.
func (a *api) remember(doc prefs.Document) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.catalogue = doc
}

// resolved returns the resolved document seen in this run, reading it once
// if nothing has read it yet. The lock is held during the read so that
// resources planned in parallel share one request.
func (a *api) resolved(ctx context.Context) (prefs.Document, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.catalogue != nil {
		return a.catalogue, nil
	}
	doc, err := a.Read(ctx)
	if err != nil {
		return nil, err
	}
	a.catalogue = doc
	return doc, nil
}
