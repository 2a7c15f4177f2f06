package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
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

// submitted sends one write through a's queue and returns it answered.
func submitted(ctx context.Context, a *account, w prefs.Write) *write {
	written := &write{Write: w}
	a.submit(ctx, written)
	return written
}

// writeOnce sends one write holding values through a's queue.
func writeOnce(a *account, values prefs.Document) error {
	return submitted(context.Background(), a, prefs.Write{Hold: values}).err
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

// A shared read that times out is the answer of every read waiting on it:
// ten resources refreshing against a hanging API wait for one timeout, not
// ten in turn.
func TestAccountSharedReadTimesOutOnce(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	a, err := newAccount(client.Config{Endpoint: srv.URL, Token: "t", Dialect: prefs.V1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := make(chan struct{})
	for range 10 {
		wg.Go(func() {
			<-start // all ten within the first GET's second
			if _, err := a.readShared(context.Background()); err != nil {
				failed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if hits.Load() != 1 || failed.Load() != 10 {
		t.Fatalf("%d GETs sent, %d reads failed; want one GET whose timeout answers all ten", hits.Load(), failed.Load())
	}
}
