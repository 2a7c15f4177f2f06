package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// account is what a configured provider hands its resources and data
// sources for the one preferences document it is configured for: the
// client, and what this provider configuration has learned in the current
// Terraform walk. Terraform configures a provider afresh for every walk of
// its graph (a plan, an apply), so none of it outlives the walk.
type account struct {
	client.Client

	// mu guards everything below. It is never held across a request:
	// reads share one GET, and writes go out one batch at a time from the
	// queue (see account_write.go), so that a slow request holds up no
	// plan.
	mu sync.Mutex

	// doc is the document as the server last answered it in this walk:
	// every read of the walk shares it (refreshing N resources is one
	// GET), and the next write starts from it. nil until read, and after a
	// failed write, whose effect on the server is unknown.
	//
	// No read is ever older than a write's answer, by construction rather
	// than by counting: a GET starts only while doc is nil, and the drain
	// sends a request only on a document it holds (a batch that needs no
	// document sends nothing), so no GET is in flight when a write
	// answers, and none can replace what an answer said.
	doc     prefs.Document
	reading *pendingRead

	// owners is what the resources' plans and writes of this walk said of
	// the keys they declare, let go and take over.
	owners keyOwners

	// queue holds the writes waiting for the request in flight; writing
	// is true while a drain goroutine owns it (account_write.go).
	queue   []*write
	writing bool
}

// pendingRead is a GET in flight, which every read arriving meanwhile
// waits for instead of sending its own.
type pendingRead struct {
	done chan struct{}
	doc  prefs.Document
	err  error
	// abandoned is true when the GET failed because its own caller's
	// context ended: that is no answer for the others, who read again. Any
	// other failure, a timeout of the request included, is theirs too.
	abandoned bool
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
// nothing has yet; reads that arrive while the GET is in flight share it.
// The document is shared: callers must not change it.
func (a *account) readShared(ctx context.Context) (prefs.Document, error) {
	for {
		a.mu.Lock()
		if a.doc != nil {
			doc := a.doc
			a.mu.Unlock()
			return doc, nil
		}
		if r := a.reading; r != nil {
			a.mu.Unlock()
			select {
			case <-r.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if r.abandoned {
				continue // the GET was another caller's: its cancellation is not ours
			}
			return r.doc, r.err
		}
		r := &pendingRead{done: make(chan struct{})}
		a.reading = r
		a.mu.Unlock()

		r.doc, r.err = a.Read(ctx)
		r.abandoned = r.err != nil && ctx.Err() != nil

		a.mu.Lock()
		a.reading = nil
		if r.err == nil {
			a.doc = r.doc
		}
		a.mu.Unlock()
		close(r.done)
		return r.doc, r.err
	}
}
