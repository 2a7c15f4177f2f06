package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fakeClock is the time a test sets, for refresh decisions made without waiting.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func signedJWT(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("test key"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A token is fetched again once half its lifetime has passed or less than
// 10 s is left, whichever comes first; one of unknown expiry, never.
func TestTokenDue(t *testing.T) {
	for _, tt := range []struct {
		name     string
		lifetime time.Duration // zero: unknown expiry
		at       time.Duration // after it was issued
		due      bool
	}{
		{"a minute's token, early", time.Minute, 29 * time.Second, false},
		{"a minute's token, at half its life", time.Minute, 30 * time.Second, true},
		{"an hour's token, at 29 min", time.Hour, 29 * time.Minute, false},
		{"an hour's token, at half its life", time.Hour, 30 * time.Minute, true},
		{"a 15 s token with 11 s left", 15 * time.Second, 4 * time.Second, false},
		{"a 15 s token at half its life, 7.5 s left", 15 * time.Second, 7500 * time.Millisecond, true},
		{"a 2 s token, at once: less than 10 s left", 2 * time.Second, 0, true},
		{"an expired token", time.Minute, 2 * time.Minute, true},
		{"unknown expiry, much later", 0, 1000 * time.Hour, false},
	} {
		tok := Token{Value: "t", issued: t0}
		if tt.lifetime > 0 {
			tok.Expiry = t0.Add(tt.lifetime)
		}
		if got := tok.due(t0.Add(tt.at)); got != tt.due {
			t.Errorf("%s: due = %v, want %v", tt.name, got, tt.due)
		}
	}
}

// A token's expiry is the source's expires_at, else its JWT exp, read
// without verifying; its lifetime starts at iat when that is earlier than
// the fetch.
func TestNewTokenReadsExpiry(t *testing.T) {
	exp := t0.Add(time.Minute)
	withExp := signedJWT(t, jwt.MapClaims{"exp": exp.Unix(), "iat": t0.Add(-10 * time.Second).Unix()})
	futureIat := signedJWT(t, jwt.MapClaims{"exp": exp.Unix(), "iat": t0.Add(time.Hour).Unix()})
	noExp := signedJWT(t, jwt.MapClaims{"sub": "u"})
	later := t0.Add(time.Hour)
	for _, tt := range []struct {
		name              string
		value             string
		expiresAt         time.Time
		wantExp, wantFrom time.Time
	}{
		{"a JWT's exp and iat", withExp, time.Time{}, exp, t0.Add(-10 * time.Second)},
		{"expires_at wins over exp", withExp, later, later, t0.Add(-10 * time.Second)},
		{"an iat after the fetch is not believed", futureIat, time.Time{}, exp, t0},
		{"a JWT without exp", noExp, time.Time{}, time.Time{}, t0},
		{"an opaque token", "demo-session-token", time.Time{}, time.Time{}, t0},
		{"an opaque token with expires_at", "opaque", later, later, t0},
		{"three dots, not a JWT", "a.b.c", time.Time{}, time.Time{}, t0},
	} {
		got := newToken(tt.value, tt.expiresAt, t0)
		if !got.Expiry.Equal(tt.wantExp) || !got.issued.Equal(tt.wantFrom) || got.Value != tt.value {
			t.Errorf("%s: expiry %v, issued %v; want %v, %v", tt.name, got.Expiry, got.issued, tt.wantExp, tt.wantFrom)
		}
	}
}

func TestParseTokenOutput(t *testing.T) {
	for _, tt := range []struct {
		name, out string
		token     string
		expiry    time.Time
		problem   FetchProblem // when token is empty
		detail    string
	}{
		{"the token alone", "tok-1", "tok-1", time.Time{}, 0, ""},
		{"whitespace trimmed", "\n  tok-1 \r\n\n", "tok-1", time.Time{}, 0, ""},
		{"JSON with expires_at", `{"token": "tok-2", "expires_at": "2026-03-04T05:07:07Z"}`, "tok-2", t0.Add(time.Minute), 0, ""},
		{"JSON with an offset", `{"token":"tok-2","expires_at":"2026-03-04T06:07:07+01:00"}`, "tok-2", t0.Add(time.Minute), 0, ""},
		{"JSON without expires_at", `{"token":"tok-3"}`, "tok-3", time.Time{}, 0, ""},
		{"nothing", "  \n", "", time.Time{}, NoToken, ""},
		{"JSON without a token", `{"expires_at":"2026-03-04T05:07:07Z"}`, "", time.Time{}, NoToken, `its JSON has no "token"`},
		{"broken JSON", `{"token": "secret-value"`, "", time.Time{}, OutputUnreadable, "is not a JSON object"},
		{"a bad expires_at", `{"token":"t","expires_at":"tomorrow"}`, "", time.Time{}, OutputUnreadable, `expires_at "tomorrow" is not an RFC 3339 time`},
		{"two words", "Your token is: abc", "", time.Time{}, OutputUnreadable, "more than one word"},
	} {
		token, expiry, err := parseTokenOutput([]byte(tt.out))
		if tt.token != "" {
			if err != nil || token != tt.token || !expiry.Equal(tt.expiry) {
				t.Errorf("%s: %q, %v, %v; want %q, %v", tt.name, token, expiry, err, tt.token, tt.expiry)
			}
			continue
		}
		var fe *TokenFetchError
		if !errors.As(err, &fe) || fe.Problem != tt.problem || !strings.Contains(fe.Detail, tt.detail) {
			t.Errorf("%s: %v, want problem %d with %q", tt.name, err, tt.problem, tt.detail)
		}
		if strings.Contains(err.Error(), "secret-value") {
			t.Errorf("%s: the error quotes the output: %v", tt.name, err)
		}
	}
}

func TestMaskSecrets(t *testing.T) {
	jwtish := signedJWT(t, jwt.MapClaims{"sub": "u"})
	for in, want := range map[string]string{
		"error: token " + jwtish + " rejected":       "error: token *** rejected",
		"Authorization: Bearer abc123":               "Authorization: *** ***",
		"curl: (22) 401 with bearer xyz":             "curl: (22) 401 with bearer ***",
		"secret_key=sk_test_abc, retrying":           "secret_key=***, retrying",
		`{"token": "tok-1", "ok": false}`:            `{"token": "***", "ok": false}`,
		"key sk_live_51HxY2eZvKYlo2C8Nabcdefgh used": "key *** used",
		"session mine-42 was refused":                "session *** was refused",
		"connection refused after 30 seconds":        "connection refused after 30 seconds",
	} {
		if got := MaskSecrets(in, "mine-42"); got != want {
			t.Errorf("MaskSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

// countingSource fetches tok-1, tok-2, … and counts its fetches; each
// fetch waits for release when it is not nil.
func countingSource(clock *fakeClock, lifetime time.Duration, release chan struct{}) (*TokenSource, *atomic.Int32) {
	var n atomic.Int32
	s := &TokenSource{Attr: "token_command", now: clock.Now}
	s.fetch = func(context.Context) (string, time.Time, error) {
		i := n.Add(1)
		if release != nil {
			<-release
		}
		var exp time.Time
		if lifetime > 0 {
			exp = clock.Now().Add(lifetime)
		}
		return fmt.Sprintf("tok-%d", i), exp, nil
	}
	return s, &n
}

// Many callers that all need a new token share one fetch, however they
// interleave with it: those arriving while it runs wait for it, those
// after it find its token fresh.
func TestTokenSourceSharesOneFetch(t *testing.T) {
	clock := &fakeClock{now: t0}
	release := make(chan struct{})
	s, fetches := countingSource(clock, time.Hour, release)
	s.current = Token{Value: "old", issued: t0.Add(-50 * time.Second), Expiry: t0.Add(5 * time.Second), gen: 0}
	var wg sync.WaitGroup
	got := make([]Token, 50)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Token(context.Background())
			if err != nil {
				t.Error(err)
			}
			got[i] = tok
		}()
	}
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for 50 callers, want 1", n)
	}
	for _, tok := range got {
		if tok.Value != "tok-1" {
			t.Fatalf("a caller got %q, want the one fetch's tok-1", tok.Value)
		}
	}
	// Half an hour on, the hour's token is due: one more fetch.
	clock.Set(t0.Add(31 * time.Minute))
	if tok, _ := s.Token(context.Background()); tok.Value != "tok-2" || fetches.Load() != 2 {
		t.Fatalf("after half the lifetime: %q after %d fetches, want tok-2 after 2", tok.Value, fetches.Load())
	}
}

// After a 401, a new token is fetched unless another request has done so
// since the refused token was handed out.
func TestRefetchAfterRefusal(t *testing.T) {
	clock := &fakeClock{now: t0}
	s, fetches := countingSource(clock, 0, nil)
	first, _ := s.Token(context.Background())
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := s.Refetch(context.Background(), first); err != nil || tok.Value != "tok-2" {
				t.Errorf("Refetch = %q, %v; want tok-2", tok.Value, err)
			}
		}()
	}
	wg.Wait()
	if n := fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2: the first token, and one after the refusals", n)
	}
	// A token of unknown expiry is never due: no fetch without a 401.
	clock.Set(t0.Add(1000 * time.Hour))
	if tok, _ := s.Token(context.Background()); tok.Value != "tok-2" || fetches.Load() != 2 {
		t.Fatalf("got %q after %d fetches; a token of unknown expiry must be kept", tok.Value, fetches.Load())
	}
	if _, err := StaticToken("s").Refetch(context.Background(), Token{}); !errors.Is(err, errNotRefreshable) {
		t.Fatalf("a static token was fetched again: %v", err)
	}
}

// A caller that gives up does not fail the others waiting for the fetch.
func TestFetchOutlivesTheCallerThatStartedIt(t *testing.T) {
	clock := &fakeClock{now: t0}
	release := make(chan struct{})
	s, _ := countingSource(clock, time.Hour, release)
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error)
	go func() { _, err := s.Token(ctx); gaveUp <- err }()
	waited := make(chan Token)
	go func() { tok, _ := s.Token(context.Background()); waited <- tok }()
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled caller got %v", err)
	}
	close(release)
	if tok := <-waited; tok.Value != "tok-1" {
		t.Fatalf("the caller still waiting got %q, want tok-1", tok.Value)
	}
}
