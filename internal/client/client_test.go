package client_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// setup starts a mock and a client for it with fast retries.
func setup(t *testing.T, d prefs.Dialect, token string) (*mockapi.Server, *httptest.Server, client.Client) {
	t.Helper()
	mock := mockapi.New()
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	return mock, srv, newClient(t, srv.URL, d, token)
}

func newClient(t *testing.T, url string, d prefs.Dialect, token string) client.Client {
	t.Helper()
	c, err := client.New(client.Config{
		Endpoint: url, Token: token, Dialect: d, UserID: mockapi.DemoVastUser,
		MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
		Timeout: 2 * time.Second, UserAgent: "terraform-provider-notification/test Terraform/1.8.5",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func apiError(t *testing.T, err error) *client.APIError {
	t.Helper()
	var e *client.APIError
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *client.APIError", err, err)
	}
	if e.RequestID == "" {
		t.Fatalf("APIError without a request id: %v", e)
	}
	return e
}

func TestV1ReadAndMinimalPatch(t *testing.T) {
	mock, _, c := setup(t, prefs.V1, mockapi.DemoSessionToken)
	ctx := context.Background()
	doc, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc, mock.Document(prefs.V1)) || len(doc) != 4 {
		t.Fatalf("Read = %v", doc)
	}
	after, err := c.Apply(ctx, prefs.Document{"email.weekly_usage_digest": true}, nil, doc)
	if err != nil {
		t.Fatal(err)
	}
	if !after["email.weekly_usage_digest"] || !after["email.product_updates"] {
		t.Fatalf("Apply = %v", after)
	}
	j := mock.Journal()
	if len(j) != 2 || j[1].Method != "PATCH" || j[1].Body != `{"email":{"weekly_usage_digest":true}}` {
		t.Fatalf("journal = %v, want GET then a PATCH of the one key", j)
	}
	// Nothing to change: nothing sent.
	if _, err := c.Apply(ctx, prefs.Document{}, nil, after); err != nil || len(mock.Journal()) != 2 {
		t.Fatalf("empty Apply sent a request: %v", mock.Journal())
	}
}

func TestV1Errors(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		changes prefs.Document
		status  int
		code    string
		details []string
	}{
		{"unknown toggle", mockapi.DemoSessionToken, prefs.Document{"email.product_news": true}, 422, client.CodeUnknownKey, []string{"email.product_news"}},
		{"unknown channel", mockapi.DemoSessionToken, prefs.Document{"in_app.product_updates": true}, 422, client.CodeUnknownKey, []string{"in_app.product_updates"}},
		{"immutable", mockapi.DemoSessionToken, prefs.Document{"email.security_alerts": false}, 422, client.CodeImmutableKey, []string{"email.security_alerts"}},
		{"bad token", "wrong", prefs.Document{"email.product_updates": false}, 401, client.CodeUnauthorized, nil},
		{"API key principal", mockapi.DemoAPIKey, prefs.Document{"email.product_updates": false}, 403, client.CodeUserRequired, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mock, _, c := setup(t, prefs.V1, tt.token)
			_, err := c.Apply(context.Background(), tt.changes, nil, nil)
			e := apiError(t, err)
			if e.Status != tt.status || e.Code != tt.code || !slices.Equal(e.DetailKeys(), tt.details) {
				t.Fatalf("err = %v", e)
			}
			if n := len(mock.Journal()); n != 1 {
				t.Fatalf("a %d was sent %d times; 4xx must not be retried", tt.status, n)
			}
		})
	}
}

func TestVastOverlayPut(t *testing.T) {
	mock, _, c := setup(t, prefs.VastAI, mockapi.DemoVastKey)
	mock.Set(prefs.VastAI, prefs.Document{"host.payout_sent.email": true}) // someone else's choice
	after, err := c.Apply(context.Background(), prefs.Document{"client.low_credit.webhooks": true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !after["client.low_credit.webhooks"] || !after["host.payout_sent.email"] {
		t.Fatalf("PUT lost a key this client does not manage: %v", after)
	}
	if got := []string{mock.Journal()[0].Method, mock.Journal()[1].Method}; !reflect.DeepEqual(got, []string{"GET", "PUT"}) || len(mock.Journal()) != 2 {
		t.Fatalf("journal = %v, want GET then PUT", mock.Journal())
	}
	// With the document already in hand, the PUT needs no GET.
	mock.ResetJournal()
	if _, err := c.Apply(context.Background(), prefs.Document{"client.low_credit.webhooks": false}, nil, after); err != nil {
		t.Fatal(err)
	}
	if j := mock.Journal(); len(j) != 1 || j[0].Method != "PUT" {
		t.Fatalf("journal = %v, want one PUT", j)
	}
	if c.ID() != "4242" {
		t.Fatalf("ID = %q", c.ID())
	}
}

func TestVastErrors(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		userID  int64
		changes prefs.Document
		status  int
		details []string
	}{
		{"unknown key", mockapi.DemoVastKey, 4242, prefs.Document{"client.low_credit.sms": true}, 400, []string{"client.low_credit.sms"}},
		{"mandatory key", mockapi.DemoVastKey, 4242, prefs.Document{"client.billing_failed.email": false, "client.low_credit.email": false}, 400, []string{"client.billing_failed.email"}},
		{"bad key", "wrong", 4242, prefs.Document{"client.low_credit.email": false}, 401, nil},
		{"another user", mockapi.DemoVastKey, 7, prefs.Document{"client.low_credit.email": false}, 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mock := mockapi.New()
			srv := httptest.NewServer(mock)
			defer srv.Close()
			c, err := client.New(client.Config{Endpoint: srv.URL, Token: tt.token, Dialect: prefs.VastAI, UserID: tt.userID, RetryWaitMin: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			current := mock.Document(prefs.VastAI)
			_, err = c.Apply(context.Background(), tt.changes, nil, current)
			var e *client.APIError
			if !errors.As(err, &e) || e.Status != tt.status || !slices.Equal(e.DetailKeys(), tt.details) {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(mock.Document(prefs.VastAI), current) {
				t.Fatal("a refused PUT changed the document")
			}
		})
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault mockapi.Fault
	}{
		{"429 with Retry-After seconds", mockapi.Fault{Status: 429, RetryAfter: "0", Times: 2}},
		{"429 with Retry-After date", mockapi.Fault{Status: 429, RetryAfter: time.Now().Add(-time.Second).UTC().Format(http.TimeFormat), Times: 2}},
		{"502 HTML page", mockapi.Fault{Status: 502, Body: mockapi.HTMLBadGateway, Times: 2}},
		{"503", mockapi.Fault{Status: 503, Times: 2}},
		{"504", mockapi.Fault{Status: 504, Times: 2}},
		{"dropped connection", mockapi.Fault{Drop: true, Times: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mock, _, c := setup(t, prefs.V1, mockapi.DemoSessionToken)
			mock.Inject(tt.fault)
			if _, err := c.Read(context.Background()); err != nil {
				t.Fatalf("Read after 2 transient failures: %v", err)
			}
			if n := mock.Count("GET"); n != 3 {
				t.Fatalf("%d GETs, want 3 (2 failures + 1 success)", n)
			}
		})
	}
}

func TestNoRetryOn500And4xx(t *testing.T) {
	for _, status := range []int{400, 404, 409, 422, 500, 501} {
		mock, _, c := setup(t, prefs.V1, mockapi.DemoSessionToken)
		mock.Inject(mockapi.Fault{Status: status, Times: 5})
		_, err := c.Read(context.Background())
		if e := apiError(t, err); e.Status != status {
			t.Fatalf("status %d: err %v", status, e)
		}
		if n := mock.Count("GET"); n != 1 {
			t.Fatalf("status %d sent %d times", status, n)
		}
	}
}

func TestRetriesExhaustedKeepTheAPIError(t *testing.T) {
	mock, _, c := setup(t, prefs.V1, mockapi.DemoSessionToken)
	mock.Inject(mockapi.Fault{Status: 429, RetryAfter: "0", Times: 100})
	_, err := c.Read(context.Background())
	if e := apiError(t, err); e.Status != 429 || e.Code != client.CodeRateLimited {
		t.Fatalf("err = %v", e)
	}
	if n := mock.Count("GET"); n != 4 {
		t.Fatalf("%d attempts, want 1 + MaxRetries(3)", n)
	}
}

func TestWriteAppliedButResponseLost(t *testing.T) {
	for _, d := range prefs.Dialects {
		t.Run(string(d), func(t *testing.T) {
			token := map[prefs.Dialect]string{prefs.V1: mockapi.DemoSessionToken, prefs.VastAI: mockapi.DemoVastKey}[d]
			key := map[prefs.Dialect]string{prefs.V1: "email.product_updates", prefs.VastAI: "client.low_credit.email"}[d]
			mock, _, c := setup(t, d, token)
			write := map[prefs.Dialect]string{prefs.V1: "PATCH", prefs.VastAI: "PUT"}[d]
			mock.Inject(mockapi.Fault{Method: write, DropAfterApply: true, Times: 1})
			after, err := c.Apply(context.Background(), prefs.Document{key: false}, nil, nil)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if after[key] || mock.Document(d)[key] {
				t.Fatalf("%s not false after the retried write", key)
			}
			// The first write was applied and its answer dropped; the same
			// write was then sent again and answered.
			var writes []mockapi.Entry
			for _, e := range mock.Journal() {
				if e.Method == write {
					writes = append(writes, e)
				}
			}
			if len(writes) != 2 || writes[0].Fault != "drop after apply" || writes[0].Status != 0 ||
				writes[1].Fault != "" || writes[1].Status != 200 || writes[1].Body != writes[0].Body {
				t.Fatalf("writes = %v, want the dropped write and the same write sent again", writes)
			}
		})
	}
}

func TestSlowResponseTimesOutAndRetries(t *testing.T) {
	mock, srv, _ := setup(t, prefs.V1, mockapi.DemoSessionToken)
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: mockapi.DemoSessionToken, Dialect: prefs.V1,
		Timeout: 250 * time.Millisecond, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	mock.Inject(mockapi.Fault{Latency: 5 * time.Second, Times: 1})
	if _, err := c.Read(context.Background()); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if n := mock.Count("GET"); n != 2 {
		t.Fatalf("%d GETs, want a timed-out one and a retry", n)
	}
}

// Cancelling while the client waits to retry ends the wait at once, and
// nothing is sent after it.
func TestCancellationStopsRetries(t *testing.T) {
	mock := mockapi.New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mock.ServeHTTP(w, r)
		if mock.Count("GET") == 1 {
			// Answered with a 503: the client now waits 30 s before
			// retrying. Cancel during that wait.
			time.AfterFunc(100*time.Millisecond, cancel)
		}
	}))
	defer srv.Close()
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: mockapi.DemoSessionToken, Dialect: prefs.V1,
		MaxRetries: 1, RetryWaitMin: 30 * time.Second, RetryWaitMax: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	mock.Inject(mockapi.Fault{Status: 503, Times: 100})
	start := time.Now()
	_, err = c.Read(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if waited := time.Since(start); waited > 20*time.Second {
		t.Fatalf("Read returned %v after the cancellation, not at once", waited)
	}
	time.Sleep(200 * time.Millisecond)
	if n := mock.Count("GET"); n != 1 {
		t.Fatalf("%d requests; want the first only, none after the cancellation", n)
	}
}

func TestHeadersAndMaskedLogs(t *testing.T) {
	var got http.Header
	mock := mockapi.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		mock.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, prefs.V1, mockapi.DemoSessionToken)

	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	if _, err := c.Apply(ctx, prefs.Document{"email.product_updates": false}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer "+mockapi.DemoSessionToken || got.Get("Content-Type") != "application/json" ||
		got.Get("User-Agent") != "terraform-provider-notification/test Terraform/1.8.5" {
		t.Fatalf("request headers = %v", got)
	}
	out := logs.String()
	if strings.Contains(out, mockapi.DemoSessionToken) {
		t.Fatalf("token in logs:\n%s", out)
	}
	for _, want := range []string{`"method":"PATCH"`, `"path":"/v1/me/notifications"`, `"status":200`, `"request_id":"req_`, `"duration_ms":`, `"authorization":"***"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("logs lack %s:\n%s", want, out)
		}
	}
}

func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	var leaked string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization")
	}))
	defer other.Close()
	redirector := httptest.NewServer(http.RedirectHandler(strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/v1/me/notifications", http.StatusTemporaryRedirect))
	defer redirector.Close()
	c := newClient(t, redirector.URL, prefs.V1, "secret-token")
	_, err := c.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirect to another host") {
		t.Fatalf("err = %v", err)
	}
	if leaked != "" {
		t.Fatalf("token forwarded: %q", leaked)
	}
}

func TestTLSVerificationIsOn(t *testing.T) {
	mock := mockapi.New()
	srv := httptest.NewTLSServer(mock) // a self-signed certificate
	defer srv.Close()
	c := newClient(t, srv.URL, prefs.V1, mockapi.DemoSessionToken)
	_, err := c.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	if len(mock.Journal()) != 0 {
		t.Fatal("a request reached a server with an untrusted certificate")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		cfg  client.Config
		want string
	}{
		{client.Config{Endpoint: "example.com", Token: "t", Dialect: prefs.V1}, "must start with https://"},
		{client.Config{Endpoint: "https://example.com", Dialect: prefs.V1}, "token is empty"},
		{client.Config{Endpoint: "https://example.com", Token: "t", Dialect: prefs.VastAI, UserID: -1}, "positive user id"},
		{client.Config{Endpoint: "https://example.com", Token: "t", Dialect: "v2"}, "unknown API dialect"},
	}
	for _, tt := range tests {
		if _, err := client.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}
