package provider

import (
	"context"
	"maps"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

func newTestAccount(t *testing.T, maxRetries int) (*account, *mockapi.Server) {
	t.Helper()
	mock := mockapi.New()
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	a, err := newAccount(client.Config{Endpoint: srv.URL, Token: mockapi.DemoVastKey, Dialect: prefs.VastAI, UserID: mockapi.DemoVastUser,
		MaxRetries: maxRetries, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return a, mock
}

// writeOnce sends one write of changes, holding them, through a's queue.
func writeOnce(a *account, changes prefs.Document) error {
	w := &write{changes: changes, hold: changes}
	a.submit(context.Background(), w)
	return w.err
}

// A write whose answer was lost may still have landed, so the shared
// document from before it is discarded: the next PUT is built on a fresh
// read and keeps the lost write's value instead of reverting it.
func TestAccountFailedWriteDiscardsTheSharedDocument(t *testing.T) {
	t.Parallel()
	a, mock := newTestAccount(t, 0)
	if _, err := a.readShared(context.Background()); err != nil {
		t.Fatal(err)
	}
	mock.Inject(mockapi.Fault{Method: "PUT", DropAfterApply: true, Times: 1})
	if err := writeOnce(a, prefs.Document{"client.low_credit.webhooks": true}); err == nil {
		t.Fatal("the write with a dropped answer did not fail")
	}
	if err := writeOnce(a, prefs.Document{"host.payout_sent.email": true}); err != nil {
		t.Fatal(err)
	}
	if got := mock.Document(prefs.VastAI)["client.low_credit.webhooks"]; !got {
		t.Fatal("the second PUT reverted the first write, whose answer was lost")
	}
}

// A vastai PUT carries the whole shared document: refused for a key
// withdrawn since the document was read, not one the write names, it is
// sent once more on a fresh read, and succeeds.
func TestAccountRereadsAfterAKeyOfTheDocumentIsWithdrawn(t *testing.T) {
	t.Parallel()
	a, mock := newTestAccount(t, 0)
	if _, err := a.readShared(context.Background()); err != nil {
		t.Fatal(err)
	}
	mock.Withdraw(prefs.VastAI, "host.payout_sent.webhooks")
	if err := writeOnce(a, prefs.Document{"client.low_credit.webhooks": true}); err != nil {
		t.Fatal(err)
	}
	if puts, gets := mock.Count("PUT"), mock.Count("GET"); puts != 2 || gets != 2 || !mock.Document(prefs.VastAI)["client.low_credit.webhooks"] {
		t.Fatalf("%d PUTs and %d GETs, webhooks = %v; want the refused PUT, a fresh read and the PUT that lands", puts, gets, mock.Document(prefs.VastAI)["client.low_credit.webhooks"])
	}
}

// Every read of a walk shares one GET, and a write's answer replaces it.
func TestAccountSharesOneReadPerWalk(t *testing.T) {
	t.Parallel()
	a, mock := newTestAccount(t, 0)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := a.readShared(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := writeOnce(a, prefs.Document{"client.low_credit.webhooks": true}); err != nil {
		t.Fatal(err)
	}
	doc, err := a.readShared(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if gets := mock.Count("GET"); gets != 1 || !doc["client.low_credit.webhooks"] {
		t.Fatalf("%d GETs and webhooks = %v; want 1 GET and the write's answer", gets, doc["client.low_credit.webhooks"])
	}
}

// gatedClient is a client whose first Apply waits until the test opens
// the gate, so that the test decides what queues behind it; it refuses a
// request that writes a key named "email.bad", as the v1 API refuses a
// key it does not know, changing nothing.
type gatedClient struct {
	client.Client
	gate    chan struct{}
	mu      sync.Mutex
	doc     prefs.Document
	applied []prefs.Document // the changes of each request
	started chan struct{}
}

func (c *gatedClient) Apply(_ context.Context, changes, _, _ prefs.Document) (prefs.Document, error) {
	c.mu.Lock()
	c.applied = append(c.applied, changes)
	first := len(c.applied) == 1
	c.mu.Unlock()
	if first {
		close(c.started)
		<-c.gate
	}
	if _, bad := changes["email.bad"]; bad {
		return nil, &client.APIError{Status: 422, Code: client.CodeUnknownKey, Details: map[string]string{"email.bad": "unknown toggle"}}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.doc = c.doc.Overlay(changes)
	return c.doc.Clone(), nil
}

// Writes that arrive while a request is in flight go out together as the
// next request, and each gets the answer; a merged request the API refuses
// is split, so that only the write with the bad key fails.
func TestAccountWritesShareRequests(t *testing.T) {
	t.Parallel()
	for _, bad := range []bool{false, true} {
		c := &gatedClient{gate: make(chan struct{}), started: make(chan struct{}), doc: prefs.Document{}}
		a := &account{Client: c}
		first := prefs.Document{"email.first": true}
		go func() {
			if err := writeOnce(a, first); err != nil {
				t.Error(err)
			}
		}()
		<-c.started
		queued := []prefs.Document{{"email.a": true}, {"email.b": false}, {"email.c": true}}
		if bad {
			queued = append(queued, prefs.Document{"email.bad": true})
		}
		errs := make([]error, len(queued))
		var wg sync.WaitGroup
		for i, changes := range queued {
			wg.Go(func() { errs[i] = writeOnce(a, changes) })
		}
		for queueLen(a) < len(queued) {
			time.Sleep(time.Millisecond)
		}
		close(c.gate)
		wg.Wait()

		merged := prefs.Document{"email.a": true, "email.b": false, "email.c": true}
		want := []prefs.Document{first, merged}
		if bad {
			// The merged request is refused, then each write goes alone,
			// in the order they queued.
			want = []prefs.Document{first, merged.Overlay(prefs.Document{"email.bad": true})}
		}
		if len(c.applied) < 2 || !slices.EqualFunc(c.applied[:2], want, maps.Equal) {
			t.Fatalf("bad=%v: requests %v, want %v first", bad, c.applied, want)
		}
		alone := c.applied[2:]
		if !bad && len(alone) != 0 {
			t.Fatalf("requests %v, want two", c.applied)
		}
		for _, q := range queued {
			if bad && (len(alone) != len(queued) || !slices.ContainsFunc(alone, func(d prefs.Document) bool { return maps.Equal(d, q) })) {
				t.Fatalf("after the refusal, requests %v, want each of %v alone", alone, queued)
			}
		}
		for i, err := range errs {
			if _, isBad := queued[i]["email.bad"]; isBad != (err != nil) {
				t.Errorf("bad=%v: write %v answered %v", bad, queued[i], err)
			}
		}
	}
}

func queueLen(a *account) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.queue)
}
