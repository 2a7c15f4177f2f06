package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// A held key someone changed after it was read is back at its held value
// after a vastai Apply, inside its one PUT; a v1 PATCH carries the changes
// alone, and its answer shows the key off (the provider's queue checks it
// and sends that key again).
func TestApplyPutsHeldKeysBack(t *testing.T) {
	tests := []struct {
		dialect      prefs.Dialect
		token        string
		changed, off string
		wantBody     string
	}{
		{prefs.V1, mockapi.DemoSessionToken, "email.billing_receipts", "email.product_updates", `{"email":{"billing_receipts":false}}`},
		{prefs.VastAI, mockapi.DemoVastKey, "client.low_credit.email", "host.machine_offline.email", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.dialect), func(t *testing.T) {
			mock, _, c := setup(t, tt.dialect, tt.token)
			ctx := context.Background()
			hold := prefs.Document{tt.changed: false, tt.off: false}
			if _, err := c.Apply(ctx, hold, hold, nil); err != nil {
				t.Fatal(err)
			}
			read, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			mock.Set(tt.dialect, prefs.Document{tt.changed: true}) // seen by the plan
			read[tt.changed] = true
			mock.Set(tt.dialect, prefs.Document{tt.off: true}) // after the plan
			mock.ResetJournal()
			after, err := c.Apply(ctx, prefs.Document{tt.changed: false}, hold, read)
			if err != nil {
				t.Fatal(err)
			}
			server := mock.Document(tt.dialect)
			putBack := tt.dialect == prefs.VastAI
			if after[tt.changed] || server[tt.changed] || after[tt.off] != !putBack || server[tt.off] != !putBack {
				t.Fatalf("answer %v, server %v: want %s false, and %s put back: %v", after, server, tt.changed, tt.off, putBack)
			}
			journal := mock.Journal()
			if len(journal) != 1 || (tt.wantBody != "" && journal[0].Body != tt.wantBody) {
				t.Fatalf("sent %v, want one write (%s) and no read", journal, tt.wantBody)
			}
		})
	}
}

// A PATCH whose answer already holds every held value is not repeated.
func TestApplyNoSecondPatchWithoutDrift(t *testing.T) {
	mock, _, c := setup(t, prefs.V1, mockapi.DemoSessionToken)
	hold := prefs.Document{"email.product_updates": false, "email.billing_receipts": false}
	if _, err := c.Apply(context.Background(), hold, hold, nil); err != nil {
		t.Fatal(err)
	}
	if n := mock.Count("PATCH"); n != 1 {
		t.Fatalf("%d PATCHes, want 1", n)
	}
}

// A refused redirect is sent once, not retried: the refusal is permanent.
func TestRefusedRedirectIsNotRetried(t *testing.T) {
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	hits := 0
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	_, err := newClient(t, redirector.URL, prefs.V1, "t").Read(context.Background())
	var re *client.RequestError
	if !errors.As(err, &re) || re.Attempts != 1 || hits != 1 {
		t.Fatalf("err = %#v, %d requests; want one attempt", err, hits)
	}
}

// Errors say how often the request was sent and which path it went to,
// the endpoint's own path included.
func TestErrorsSayAttemptsAndFullPath(t *testing.T) {
	mock := mockapi.New()
	srv := httptest.NewServer(http.StripPrefix("/base", mock))
	defer srv.Close()
	c := newClient(t, srv.URL+"/base", prefs.V1, mockapi.DemoSessionToken)

	mock.Inject(mockapi.Fault{Status: 503, Times: 10})
	_, err := c.Read(context.Background())
	if e := apiError(t, err); e.Attempts != 4 || e.Path != "/base/v1/me/notifications" {
		t.Fatalf("503: attempts %d, path %q; want 4 (max_retries 3) and the full path", e.Attempts, e.Path)
	}

	mock = mockapi.New()
	srv.Config.Handler = http.StripPrefix("/base", mock)
	mock.Inject(mockapi.Fault{Status: 500, Times: 10})
	_, err = c.Read(context.Background())
	if e := apiError(t, err); e.Attempts != 1 {
		t.Fatalf("500: attempts %d, want 1: a 500 is an answer, not retried", e.Attempts)
	}

	wrong := newClient(t, srv.URL+"/v1", prefs.V1, mockapi.DemoSessionToken)
	_, err = wrong.Read(context.Background())
	var e *client.APIError
	if !errors.As(err, &e) || e.Status != 404 || e.Path != "/v1/v1/me/notifications" {
		t.Fatalf("endpoint with /v1: status %d, path %q; want 404 at the path actually requested", e.Status, e.Path)
	}
}
