package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// mintScript is a token command: each run appends a line to the counter
// file and prints tok-<runs>, with expires_at when given (a time far from
// the fake clock's, so that the token is not due again).
func mintScript(t *testing.T, expiresAt string) ([]string, func() int) {
	t.Helper()
	counter := filepath.Join(t.TempDir(), "runs")
	script := `echo run >> "$1"; n=$(wc -l < "$1" | tr -d ' '); `
	if expiresAt != "" {
		script += `printf '{"token": "tok-%s", "expires_at": "` + expiresAt + `"}' "$n"`
	} else {
		script += `echo "tok-$n"`
	}
	runs := func() int {
		b, _ := os.ReadFile(counter)
		return strings.Count(string(b), "\n")
	}
	return []string{"sh", "-c", script, "mint", counter}, runs
}

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

func sourceClient(t *testing.T, src *TokenSource, accept func(string, int) bool) (Client, *authServer) {
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

// Many requests in parallel that all need a new token run the command
// once, and each is sent with that token.
func TestParallelRequestsNeedingRefreshRunTheCommandOnce(t *testing.T) {
	argv, runs := mintScript(t, "2026-03-04T07:00:00Z")
	clock := &fakeClock{now: t0}
	src := TokenCommand(argv, 0)
	src.now = clock.Now
	// The token in hand has 5 s left: every request must fetch first.
	src.current = Token{Value: "old", issued: t0.Add(-55 * time.Second), Expiry: t0.Add(5 * time.Second)}
	c, as := sourceClient(t, src, func(tok string, _ int) bool { return tok == "tok-1" })
	readInParallel(t, c, 40)
	if n := runs(); n != 1 {
		t.Fatalf("the command ran %d times for 40 requests needing a refresh, want 1", n)
	}
	for _, tok := range as.tokens() {
		if tok != "tok-1" {
			t.Fatalf("a request carried %q, want tok-1", tok)
		}
	}
}

// A 401 fetches a new token and sends the request again, once; when many
// requests meet a 401 with one token, one new token serves them all.
func TestRefusedOnceIsFetchedAgainAndSentAgain(t *testing.T) {
	argv, runs := mintScript(t, "")
	c, as := sourceClient(t, TokenCommand(argv, 0), func(tok string, _ int) bool { return tok != "tok-1" })
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
	argv, runs := mintScript(t, "2026-03-04T07:00:00Z")
	c, as := sourceClient(t, TokenCommand(argv, 0), func(string, int) bool { return false })
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
	c, as := sourceClient(t, StaticToken("static-1"), func(string, int) bool { return false })
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
	argv, _ := mintScript(t, "2026-03-04T05:06:09Z")
	src := TokenCommand(argv, 0)
	src.now = clock.Now
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
	src := TokenCommand([]string{"sh", "-c", `echo run >> "$1"; exit 1`, "fail", counter}, 0)
	c, as := sourceClient(t, src, func(string, int) bool { return true })
	_, err := c.Read(context.Background())
	var fe *TokenFetchError
	if !errors.As(err, &fe) || fe.ExitStatus != 1 {
		t.Fatalf("err = %v, want the command's failure", err)
	}
	if b, _ := os.ReadFile(counter); strings.Count(string(b), "\n") != 1 || len(as.tokens()) != 0 {
		t.Fatalf("the command ran %d times and %d requests were sent, want 1 and 0", strings.Count(string(b), "\n"), len(as.tokens()))
	}
}

func TestTokenCommandFailures(t *testing.T) {
	secretOut := "stdout-secret-5c2f"
	for _, tt := range []struct {
		name    string
		argv    []string
		timeout time.Duration
		problem FetchProblem
		want    []string
		never   []string
	}{
		{"exit status and standard error, masked", []string{"sh", "-c", `echo ` + secretOut + `; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i" >&2; done; echo "refused: token=abc.def-123" >&2; exit 3`}, 0,
			CommandFailed, []string{`token_command "sh" exited with status 3`, "line 4\n", "line 12\nrefused: token=***"}, []string{secretOut, "abc.def-123", "line 3\n"}},
		{"time limit", []string{"sh", "-c", "echo " + secretOut + "; sleep 30"}, 300 * time.Millisecond,
			CommandTimedOut, []string{`token_command "sh" did not finish within its time limit of 300ms and was stopped`}, []string{secretOut}},
		{"nothing printed", []string{"sh", "-c", "echo 'only on stderr' >&2"}, 0,
			NoToken, []string{`token_command "sh" printed no token on its standard output`, "only on stderr"}, nil},
		{"cannot start", []string{"/no/such/mint-token"}, 0,
			CommandFailed, []string{`token_command "/no/such/mint-token" could not be run`, "no such file"}, nil},
	} {
		start := time.Now()
		_, _, err := TokenCommand(tt.argv, tt.timeout).fetch(context.Background())
		var fe *TokenFetchError
		if !errors.As(err, &fe) || fe.Problem != tt.problem {
			t.Errorf("%s: %v, want problem %d", tt.name, err, tt.problem)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tt.name, err, w)
			}
		}
		for _, n := range tt.never {
			if strings.Contains(err.Error(), n) {
				t.Errorf("%s: %q shows %q", tt.name, err, n)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", tt.name, d)
		}
	}
}

// Standard input is closed: a command that prompts reads end of file at
// once instead of hanging the run.
func TestTokenCommandStdinIsClosed(t *testing.T) {
	// The provider's own standard input here is a pipe nobody writes or
	// closes: a command that inherited it would wait on it.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin }()
	value, _, err := TokenCommand([]string{"sh", "-c", `if read -r line; then echo open; else echo closed; fi`}, 2*time.Second).fetch(context.Background())
	if err != nil || value != "closed" {
		t.Fatalf("got %q, %v; want closed", value, err)
	}
}

// The file is read again on each fetch, trimmed; empty or missing is an
// error naming the path.
func TestTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("  tok-a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := TokenFile(path)
	first, err := src.Token(context.Background())
	if err != nil || first.Value != "tok-a" {
		t.Fatalf("got %q, %v", first.Value, err)
	}
	_ = os.WriteFile(path, []byte(`{"token":"tok-b","expires_at":"2030-01-01T00:00:00Z"}`), 0o600)
	if tok, err := src.Refetch(context.Background(), first); err != nil || tok.Value != "tok-b" || tok.Expiry.Year() != 2030 {
		t.Fatalf("after a rewrite: %+v, %v", tok, err)
	}
	_ = os.WriteFile(path, []byte("\n\n"), 0o600)
	if _, _, err := src.fetch(context.Background()); err == nil || err.Error() != `token_file "`+path+`" is empty` {
		t.Fatalf("empty file: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if _, _, err := TokenFile(missing).fetch(context.Background()); err == nil || err.Error() != `token_file "`+missing+`" cannot be read: no such file or directory` {
		t.Fatalf("missing file: %v", err)
	}
}

// Once per logical request: a resend that meets a 503 is retried, and a
// 401 on that retry is final, not one more fetch.
func TestOneResendPerRequestAcrossRetries(t *testing.T) {
	argv, runs := mintScript(t, "")
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
	c, _ := New(Config{Endpoint: srv.URL, Source: TokenCommand(argv, 0), Dialect: prefs.V1, MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
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
	argv, runs := mintScript(t, "")
	c, as := sourceClient(t, TokenCommand(argv, 0), func(tok string, _ int) bool { return tok != "tok-1" })
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
