package credentials

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// signedJWT builds a JWT with header alg and the claims; its signature
// is made up: nothing here verifies one.
func signedJWT(t *testing.T, alg string, claims map[string]any) string {
	t.Helper()
	header := map[string]any{"typ": "JWT"}
	if alg != "" {
		header["alg"] = alg
	}
	h, _ := json.Marshal(header)
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + ".c2lnbmF0dXJl"
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
		tok := Token{Value: "t", fetched: t0}
		if tt.lifetime > 0 {
			tok.Expiry = t0.Add(tt.lifetime)
		}
		if got := tok.due(t0.Add(tt.at)); got != tt.due {
			t.Errorf("%s: due = %v, want %v", tt.name, got, tt.due)
		}
	}
}

// A token's expiry is the source's expires_at, else its JWT exp, read
// without verifying whatever the alg (ES256K, none, missing) and with
// padded segments; an iat in our future moves the expiry earlier by as
// much, since our clock is behind the issuer's.
func TestNewTokenReadsExpiry(t *testing.T) {
	exp := t0.Add(time.Minute)
	withExp := signedJWT(t, "HS256", map[string]any{"exp": exp.Unix(), "iat": t0.Add(-10 * time.Second).Unix()})
	es256k := signedJWT(t, "ES256K", map[string]any{"exp": exp.Unix()})
	noAlg := signedJWT(t, "", map[string]any{"exp": exp.Unix()})
	padded := strings.Join(func() []string {
		parts := strings.Split(signedJWT(t, "RS256", map[string]any{"exp": exp.Unix(), "s": "ab"}), ".")
		for i := range parts {
			parts[i] += strings.Repeat("=", (4-len(parts[i])%4)%4)
		}
		return parts
	}(), ".")
	fractional := signedJWT(t, "HS256", map[string]any{"exp": float64(exp.Unix()) + 0.5})
	futureIat := signedJWT(t, "HS256", map[string]any{"exp": exp.Unix(), "iat": t0.Add(20 * time.Second).Unix()})
	noExp := signedJWT(t, "HS256", map[string]any{"sub": "u"})
	later := t0.Add(time.Hour)
	for _, tt := range []struct {
		name      string
		value     string
		expiresAt time.Time
		wantExp   time.Time
	}{
		{"a JWT's exp", withExp, time.Time{}, exp},
		{"expires_at wins over exp", withExp, later, later},
		{"alg ES256K", es256k, time.Time{}, exp},
		{"no alg at all", noAlg, time.Time{}, exp},
		{"padded segments", padded, time.Time{}, exp},
		{"a fractional exp", fractional, time.Time{}, exp.Add(500 * time.Millisecond)},
		{"an iat 20 s in our future: our clock is behind", futureIat, time.Time{}, exp.Add(-20 * time.Second)},
		{"a JWT without exp", noExp, time.Time{}, time.Time{}},
		{"an opaque token", "demo-session-token", time.Time{}, time.Time{}},
		{"an opaque token with expires_at", "opaque", later, later},
		{"three dots, not a JWT", "a.b.c", time.Time{}, time.Time{}},
	} {
		got := newToken(tt.value, tt.expiresAt, t0)
		if !got.Expiry.Equal(tt.wantExp) || !got.fetched.Equal(t0) || got.Value != tt.value {
			t.Errorf("%s: expiry %v, fetched %v; want %v", tt.name, got.Expiry, got.fetched, tt.wantExp)
		}
	}
}

// Our clock 45 s ahead of the issuer's: a minute's token arrives looking
// 15 s from expiry. It is fetched again after half of that, not before
// every request; and a static token minted 20 s ago, 5 s past its exp by
// our clock, is not refused as expired (ClockSkew).
func TestClockAheadOfTheIssuer(t *testing.T) {
	const skew = 45 * time.Second
	clock := &fakeClock{now: t0}
	runs := 0
	s := &Source{attr: "token_command", now: clock.Now, limit: time.Minute}
	s.fetch = func(context.Context) (string, time.Time, error) {
		runs++
		issued := clock.Now().Add(-skew) // the issuer's clock
		return signedJWT(t, "ES256K", map[string]any{"iat": issued.Unix(), "exp": issued.Add(time.Minute).Unix()}), time.Time{}, nil
	}
	for i := range 100 { // a request every 100 ms for 10 s
		clock.Set(t0.Add(time.Duration(i) * 100 * time.Millisecond))
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if runs > 3 {
		t.Fatalf("the command ran %d times in 10 s of requests, want a run every 7.5 s at most", runs)
	}
	static := Static(signedJWT(t, "HS256", map[string]any{"exp": t0.Add(-skew + 40*time.Second).Unix()}), Options{Now: clock.Now})
	if tok := static.Current(); tok.Expired(t0) {
		t.Fatalf("a static token valid by the issuer's clock is refused as expired at %v (exp %v)", t0, tok.Expiry)
	}
	if tok := static.Current(); !tok.Expired(t0.Add(ClockSkew)) {
		t.Fatal("a static token past its exp by more than ClockSkew is not expired")
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
		{"a bad expires_at", `{"token":"t","expires_at":"tomorrow"}`, "", time.Time{}, OutputUnreadable, `expires_at "tomorrow" is neither an RFC 3339 time`},
		{"expires_at in Unix seconds", `{"token":"tok-4","expires_at":1772600827}`, "tok-4", t0.Add(time.Minute), 0, ""},
		{"a UTF-8 byte order mark", "\ufefftok-5\n", "tok-5", time.Time{}, 0, ""},
		{"UTF-16 LE with its mark, as PowerShell writes", utf16le("tok-6\r\n"), "tok-6", time.Time{}, 0, ""},
		{"UTF-16 BE with its mark", utf16be("tok-7"), "tok-7", time.Time{}, 0, ""},
		{"a control character", "tok\x00x", "", time.Time{}, OutputUnreadable, "control characters or non-ASCII"},
		{"longer than 64 KiB", strings.Repeat("a", MaxOutput+1), "", time.Time{}, OutputUnreadable, "longer than 64 KiB"},
		{"two words", "Your token is: abc", "", time.Time{}, OutputUnreadable, "more than one word"},
	} {
		token, expiry, err := parseOutput([]byte(tt.out))
		if tt.token != "" {
			if err != nil || token != tt.token || !expiry.Equal(tt.expiry) {
				t.Errorf("%s: %q, %v, %v; want %q, %v", tt.name, token, expiry, err, tt.token, tt.expiry)
			}
			continue
		}
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Problem != tt.problem || !strings.Contains(fe.Detail, tt.detail) {
			t.Errorf("%s: %v, want problem %d with %q", tt.name, err, tt.problem, tt.detail)
		}
		if strings.Contains(err.Error(), "secret-value") {
			t.Errorf("%s: the error quotes the output: %v", tt.name, err)
		}
	}
}

func TestMaskSecrets(t *testing.T) {
	jwtish := signedJWT(t, "HS256", map[string]any{"sub": "u"})
	for in, want := range map[string]string{
		"error: token " + jwtish + " rejected":                     "error: token *** rejected",
		"Authorization: Bearer abc123":                             "Authorization: ***",
		"curl: (22) 401 with bearer xyz":                           "curl: (22) 401 with bearer ***",
		"header was Basic dXNlcjpwYXNz":                            "header was Basic ***",
		"secret_key=sk_test_abc, retrying":                         "secret_key=***, retrying",
		`{"token": "tok-1", "ok": false}`:                          `{"token": "***", "ok": false}`,
		"key sk_live_51HxY2eZvKYlo2C8Nabcdefgh used":               "key *** used",
		"session mine-42 was refused":                              "session *** was refused",
		"earlier old-token-1 and later":                            "earlier *** and later",
		"gh says ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ no":      "gh says *** no",
		"short key a1B2c3D4e5F6g7H8 here":                          "short key *** here",
		"padded c2VjcmV0IQ== here":                                 "padded *** here",
		"dotted abc.def~ghi.jkl12345678 here":                      "dotted *** here",
		"connection refused after 30 seconds":                      "connection refused after 30 seconds",
		"GET /v1/me/notifications: email.weekly_usage_digest":      "GET /v1/me/notifications: email.weekly_usage_digest",
		"token_file \"/tmp/TestAccX123/001/token\" cannot be read": "token_file \"/tmp/TestAccX123/001/token\" cannot be read",
	} {
		if got := MaskSecrets(in, "mine-42", "old-token-1"); got != want {
			t.Errorf("MaskSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

// A long standard error is masked before it is cut: the end of a token
// the cut leaves is not shown.
func TestStderrTailMasksBeforeItCuts(t *testing.T) {
	key := "Zx9" + strings.Repeat("k", 29) // 32 characters, a known token
	line := strings.Repeat("x ", 999) + key + " end"
	tail := stderrTail(line, key)
	if strings.Contains(tail, "kkkk") || !strings.Contains(tail, "*** end") {
		t.Fatalf("the tail shows part of the key: …%s", tail[max(0, len(tail)-80):])
	}
}

// countingSource fetches tok-1, tok-2, … and counts its fetches; each
// fetch waits for release when it is not nil.
func countingSource(clock *fakeClock, lifetime time.Duration, release chan struct{}) (*Source, *atomic.Int32) {
	var n atomic.Int32
	s := &Source{attr: "token_command", now: clock.Now, limit: time.Minute}
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
	s.current = Token{Value: "old", fetched: t0.Add(-50 * time.Second), Expiry: t0.Add(5 * time.Second), gen: 0}
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
	if _, err := Static("s", Options{}).Refetch(context.Background(), Token{}); !errors.Is(err, errNotRefreshable) {
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

func utf16le(s string) string {
	b := []byte{0xff, 0xfe}
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return string(b)
}

func utf16be(s string) string {
	b := []byte{0xfe, 0xff}
	for _, r := range s {
		b = append(b, 0, byte(r))
	}
	return string(b)
}
