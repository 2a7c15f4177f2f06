package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/openprefs/terraform-provider-notification/internal/credentials"
	"github.com/openprefs/terraform-provider-notification/internal/credentials/credentialstest"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fakeClock is the time a test sets, for refresh decisions made without waiting.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// authServer answers the v1 document to the tokens it accepts and 401 to
// the others, and records the token of every request.
type authServer struct {
	mu     sync.Mutex
	accept func(token string, n int) bool
	seen   []string
}

func (a *authServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	a.seen = append(a.seen, token)
	ok := a.accept(token, len(a.seen))
	a.mu.Unlock()
	w.Header().Set("X-Request-Id", "req-1")
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"success":false,"error":{"code":"UNAUTHORIZED","message":"authentication failed","request_id":"req-1"}}`))
		return
	}
	_, _ = w.Write([]byte(`{"success":true,"data":{"email":{"product_updates":true}}}`))
}

func (a *authServer) tokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

// readInParallel reads with c from n goroutines at once.
func readInParallel(t *testing.T, c Client, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Read(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func sourceClient(t *testing.T, src TokenSource, accept func(string, int) bool) (Client, *authServer) {
	t.Helper()
	as := &authServer{accept: accept}
	srv := httptest.NewServer(as)
	t.Cleanup(srv.Close)
	c, err := New(Config{Endpoint: srv.URL, Source: src, Dialect: prefs.V1, MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, as
}

// A 401 fetches a new token and sends the request again, once; when many
// requests meet a 401 with one token, one new token serves them all.
func TestRefusedOnceIsFetchedAgainAndSentAgain(t *testing.T) {
	argv, runs := credentialstest.MintScript(t, "")
	c, as := sourceClient(t, credentials.Command(argv, credentials.Options{}), func(tok string, _ int) bool { return tok != "tok-1" })
	readInParallel(t, c, 20)
	if n := runs(); n != 2 {
		t.Fatalf("the command ran %d times, want 2: the first token, and one after the refusals", n)
	}
	seen := as.tokens()
	if strings.Count(strings.Join(seen, " "), "tok-1") != 20 || strings.Count(strings.Join(seen, " "), "tok-2") != 20 {
		t.Fatalf("the server saw %v, want each request refused with tok-1 and sent again with tok-2", seen)
	}
}

// Refused twice is the error: the API's own, which says a new token was
// tried too and when the token expires, when known.
func TestRefusedTwiceIsTheError(t *testing.T) {
	argv, runs := credentialstest.MintScript(t, "2026-03-04T07:00:00Z")
	c, as := sourceClient(t, credentials.Command(argv, credentials.Options{}), func(string, int) bool { return false })
	_, err := c.Read(context.Background())
	var rejected *TokenRejectedError
	var apiErr *APIError
	if !errors.As(err, &rejected) || !errors.As(err, &apiErr) {
		t.Fatalf("err = %v (%T), want a TokenRejectedError wrapping the APIError", err, err)
	}
	if !rejected.Refetched || rejected.Attr != "token_command" || !rejected.Expiry.Equal(t0.Add(time.Hour+54*time.Minute-7*time.Second)) ||
		apiErr.Status != 401 || apiErr.Code != CodeUnauthorized || apiErr.RequestID != "req-1" || apiErr.Message != "authentication failed" {
		t.Fatalf("rejected %+v, api %+v", rejected, apiErr)
	}
	if seen := as.tokens(); len(seen) != 2 || seen[0] != "tok-1" || seen[1] != "tok-2" || runs() != 2 {
		t.Fatalf("the server saw %v after %d runs, want tok-1 then tok-2 and no third request", seen, runs())
	}
}

// A static token is never retried: one 401 is the error.
func TestStaticTokenIsNeverRetried(t *testing.T) {
	c, as := sourceClient(t, credentials.Static("static-1", credentials.Options{}), func(string, int) bool { return false })
	_, err := c.Read(context.Background())
	var rejected *TokenRejectedError
	if !errors.As(err, &rejected) || rejected.Refetched || rejected.Attr != "token" {
		t.Fatalf("err = %#v", err)
	}
	if seen := as.tokens(); len(seen) != 1 {
		t.Fatalf("the server saw %v, want one request", seen)
	}
}

// Each attempt takes its token from the source: a retry after a 503 is
// sent with the token fetched meanwhile.
func TestEachAttemptGetsTheCurrentToken(t *testing.T) {
	clock := &fakeClock{now: t0}
	// Two seconds from the fake clock: less than 10 s left, always due.
	argv, _ := credentialstest.MintScript(t, "2026-03-04T05:06:09Z")
	src := credentials.Command(argv, credentials.Options{Now: clock.Now})
	as := &authServer{accept: func(string, int) bool { return true }}
	failFirst := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(as.tokens()) == 0 {
			as.mu.Lock()
			as.seen = append(as.seen, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			as.mu.Unlock()
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		as.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(failFirst)
	defer srv.Close()
	c, _ := New(Config{Endpoint: srv.URL, Source: src, Dialect: prefs.V1, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	var logs bytes.Buffer
	if _, err := c.Read(tflogtest.RootLogger(context.Background(), &logs)); err != nil {
		t.Fatal(err)
	}
	if seen := as.tokens(); len(seen) != 2 || seen[0] != "tok-1" || seen[1] != "tok-2" {
		t.Fatalf("the attempts carried %v, want tok-1 then tok-2", seen)
	}
	if out := logs.String(); strings.Contains(out, "tok-1") || strings.Contains(out, "tok-2") || !strings.Contains(out, `"authorization":"***"`) {
		t.Fatalf("the logs show a token, or no masked request:\n%s", out)
	}
}

// A command that fails fails the request: not retried, not sent.
func TestFailingCommandIsNotRetried(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "runs")
	src := credentials.Command([]string{"sh", "-c", `echo run >> "$1"; exit 1`, "fail", counter}, credentials.Options{})
	c, as := sourceClient(t, src, func(string, int) bool { return true })
	_, err := c.Read(context.Background())
	var fe *credentials.FetchError
	if !errors.As(err, &fe) || fe.ExitStatus != 1 {
		t.Fatalf("err = %v, want the command's failure", err)
	}
	if b, _ := os.ReadFile(counter); strings.Count(string(b), "\n") != 1 || len(as.tokens()) != 0 {
		t.Fatalf("the command ran %d times and %d requests were sent, want 1 and 0", strings.Count(string(b), "\n"), len(as.tokens()))
	}
}

// Once per logical request: a resend that meets a 503 is retried, and a
// 401 on that retry is final, not one more fetch.
func TestOneResendPerRequestAcrossRetries(t *testing.T) {
	argv, runs := credentialstest.MintScript(t, "")
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		n := len(seen)
		mu.Unlock()
		if n == 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"success":false,"error":{"code":"UNAUTHORIZED","message":"authentication failed"}}`))
	}))
	defer srv.Close()
	c, _ := New(Config{Endpoint: srv.URL, Source: credentials.Command(argv, credentials.Options{}), Dialect: prefs.V1, MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	_, err := c.Read(context.Background())
	var rejected *TokenRejectedError
	if !errors.As(err, &rejected) {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(seen, " ") != "tok-1 tok-2 tok-2" || runs() != 2 {
		t.Fatalf("the attempts carried %v after %d runs, want tok-1 (401), tok-2 (503), tok-2 (401) and no more", seen, runs())
	}
}

// A request Terraform stopped sends nothing more: a write refused with 401
// is not sent again with a new token after an interrupt.
func TestStoppedRequestIsNotSentAgainAfterA401(t *testing.T) {
	argv, runs := credentialstest.MintScript(t, "")
	c, as := sourceClient(t, credentials.Command(argv, credentials.Options{}), func(tok string, _ int) bool { return tok != "tok-1" })
	stop := make(chan struct{})
	close(stop)
	_, err := c.Apply(Unabandoned(context.Background(), stop), prefs.Document{"email.product_updates": true}, nil, nil)
	var rejected *TokenRejectedError
	if !errors.As(err, &rejected) || rejected.Refetched {
		t.Fatalf("err = %v, want the first 401, not sent again", err)
	}
	if seen := as.tokens(); len(seen) != 1 || runs() != 1 {
		t.Fatalf("the server saw %v after %d runs, want one request and no new token", seen, runs())
	}
}

// The wait for a token is not an attempt: a command slower than
// request_timeout gives its token and the request succeeds; one past its
// own limit is "timed out" as a command, run once, never retried. (Its
// times outlast every attempt together: shared waits for one fetch must
// not make it pass by luck.)
func TestTokenWaitIsNotARequest(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "runs")
	slow := func(d string) []string {
		return []string{"sh", "-c", `echo run >> "$1"; sleep ` + d + `; echo tok-slow`, "mint", counter}
	}
	as := &authServer{accept: func(string, int) bool { return true }}
	srv := httptest.NewServer(as)
	defer srv.Close()
	newClient := func(src TokenSource) Client {
		c, err := New(Config{Endpoint: srv.URL, Source: src, Dialect: prefs.V1, Timeout: 100 * time.Millisecond, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := newClient(credentials.Command(slow("0.5"), credentials.Options{})).Read(context.Background()); err != nil {
		t.Fatalf("a command slower than request_timeout failed the request: %v", err)
	}
	_ = os.Remove(counter)
	_, err := newClient(credentials.Command(slow("30"), credentials.Options{Timeout: 600 * time.Millisecond})).Read(context.Background())
	var fe *credentials.FetchError
	if !errors.As(err, &fe) || fe.Problem != credentials.CommandTimedOut {
		t.Fatalf("err = %v, want the command's own time limit", err)
	}
	if b, _ := os.ReadFile(counter); strings.Count(string(b), "\n") != 1 {
		t.Fatalf("the command ran %d times, want once: a failed fetch is not retried", strings.Count(string(b), "\n"))
	}
}

// stopDuringRefetch is a source whose refetch is interrupted: Terraform
// stops the request while the new token is being fetched.
type stopDuringRefetch struct {
	TokenSource
	stop chan struct{}
}

func (s *stopDuringRefetch) Refetch(ctx context.Context, stale credentials.Token) (credentials.Token, error) {
	close(s.stop)
	return s.TokenSource.Refetch(ctx, stale)
}

// Ctrl-C during the refetch after a 401: the request is not sent again,
// and the 401 does not claim a new token was refused.
func TestStoppedDuringRefetchIsNotSentAgain(t *testing.T) {
	argv, _ := credentialstest.MintScript(t, "")
	stop := make(chan struct{})
	src := &stopDuringRefetch{TokenSource: credentials.Command(argv, credentials.Options{}), stop: stop}
	c, as := sourceClient(t, src, func(tok string, _ int) bool { return tok != "tok-1" })
	_, err := c.Apply(Unabandoned(context.Background(), stop), prefs.Document{"email.product_updates": true}, nil, nil)
	var rejected *TokenRejectedError
	if !errors.As(err, &rejected) || rejected.Refetched {
		t.Fatalf("err = %#v, want the first 401, not sent again", err)
	}
	if seen := as.tokens(); len(seen) != 1 {
		t.Fatalf("the server saw %v, want one request", seen)
	}
}

// An API whose errors echo the Authorization header: the token is in
// neither the error (what diagnostics show) nor the TRACE log.
func TestEchoedTokenIsMasked(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusBadRequest, http.StatusForbidden} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, `{"success":false,"error":{"code":"BAD","message":"invalid header %s","details":{"email.product_updates":"token %s"}}}`,
				r.Header.Get("Authorization"), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		}))
		token := "opaque.session~token"
		c, _ := New(Config{Endpoint: srv.URL, Source: credentials.Static(token, credentials.Options{}), Dialect: prefs.V1})
		var logs bytes.Buffer
		_, err := c.Apply(tflogtest.RootLogger(context.Background(), &logs), prefs.Document{"email.product_updates": true}, nil, nil)
		srv.Close()
		var apiErr *APIError
		if !errors.As(err, &apiErr) || strings.Contains(err.Error(), token) || strings.Contains(logs.String(), token) || !strings.Contains(err.Error(), "***") {
			t.Fatalf("HTTP %d: %v\n%s", status, err, logs.String())
		}
		for _, d := range apiErr.Details {
			if strings.Contains(d, token) {
				t.Fatalf("HTTP %d: a detail shows the token: %q", status, d)
			}
		}
	}
}
