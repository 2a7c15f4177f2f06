package mockapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// A request's own Fate.AfterApply lands on the document its write
// changed, after the write and before the answer, and Applied says so; a
// refused write changes nothing and leaves nothing behind for the next.
func TestServeFateAfterApply(t *testing.T) {
	s := New()
	applied := 0
	fate := Fate{AfterApply: prefs.Document{"email.product_updates": false}, Applied: func() { applied++ }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.ServeFate(w, r, fate) }))
	defer srv.Close()
	runExchanges(t, srv, []exchange{
		{"a refused write: nothing lands", "PATCH", v1URL, DemoSessionToken, `{"email":{"no_such_key":true}}`, 422, `{"error":{"code":"UNKNOWN_NOTIFICATION_KEY"}}`},
		{"the document as it was", "GET", v1URL, DemoSessionToken, "", 200, `{"data":{"email":{"product_updates":true}}}`},
	})
	if applied != 0 {
		t.Fatalf("Applied ran %d times for a refused write", applied)
	}
	runExchanges(t, srv, []exchange{
		{"an accepted write: its answer shows the other client's change", "PATCH", v1URL, DemoSessionToken, `{"email":{"billing_receipts":false}}`, 200,
			`{"data":{"email":{"product_updates":false,"billing_receipts":false}}}`},
	})
	if applied != 1 {
		t.Fatalf("Applied ran %d times, want once", applied)
	}
	s.Set(prefs.V1, prefs.Document{"email.product_updates": true})
	plain := httptest.NewServer(s)
	defer plain.Close()
	if status, _, _ := call(t, plain, "PATCH", v1URL, DemoSessionToken, `{"email":{"billing_receipts":true}}`); status != 200 || !s.Document(prefs.V1)["email.product_updates"] {
		t.Fatalf("a write served without the fate answered %d and changed email.product_updates", status)
	}
}
