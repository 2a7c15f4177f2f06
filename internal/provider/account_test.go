package provider

import (
	"context"
	"net/http/httptest"
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

// A write whose answer was lost may still have landed, so the shared
// document from before it is discarded: the next PUT is built on a fresh
// read and keeps the lost write's value instead of reverting it.
func TestAccountFailedWriteDiscardsTheSharedDocument(t *testing.T) {
	a, mock := newTestAccount(t, 0)
	ctx := context.Background()
	if _, err := a.readShared(ctx); err != nil {
		t.Fatal(err)
	}
	mock.Inject(mockapi.Fault{Method: "PUT", DropAfterApply: true, Times: 1})
	first := prefs.Document{"client.low_credit.webhooks": true}
	if _, err := a.writeShared(ctx, first, first); err == nil {
		t.Fatal("the write with a dropped answer did not fail")
	}
	second := prefs.Document{"host.payout_sent.email": true}
	if _, err := a.writeShared(ctx, second, second); err != nil {
		t.Fatal(err)
	}
	if got := mock.Document(prefs.VastAI)["client.low_credit.webhooks"]; !got {
		t.Fatal("the second PUT reverted the first write, whose answer was lost")
	}
}

// Every read of a walk shares one GET, and a write's answer replaces it.
func TestAccountSharesOneReadPerWalk(t *testing.T) {
	a, mock := newTestAccount(t, 0)
	ctx := context.Background()
	for range 5 {
		if _, err := a.readShared(ctx); err != nil {
			t.Fatal(err)
		}
	}
	change := prefs.Document{"client.low_credit.webhooks": true}
	if _, err := a.writeShared(ctx, change, change); err != nil {
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
