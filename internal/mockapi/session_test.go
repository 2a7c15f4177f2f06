package mockapi

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clock is a settable time for the mock's minter: expiry is tested by
// moving it, not by waiting.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mockWithClock() (*Server, *httptest.Server, *clock) {
	c := &clock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	s := New()
	s.minter.now = c.now
	return s, httptest.NewServer(s), c
}

// Minted session tokens are JWTs with iat and exp, as Clerk's are; they
// act for their user until exp, and are then refused like any bad token.
func TestSessionTokensExpire(t *testing.T) {
	s, srv, c := mockWithClock()
	defer srv.Close()
	s.SetSessionLifetime(2 * time.Second)
	token, exp, err := s.MintSession("", 0)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatalf("a minted token is not a JWT: %v", err)
	}
	gotExp, _ := claims.GetExpirationTime()
	gotIat, _ := claims.GetIssuedAt()
	if gotExp == nil || !gotExp.Equal(exp) || !exp.Equal(c.now().Add(2*time.Second)) || gotIat == nil || !gotIat.Equal(c.now()) {
		t.Fatalf("claims %v, expiry %v: want iat now and exp two seconds later", claims, exp)
	}
	runExchanges(t, srv, []exchange{
		{"a fresh token reads", "GET", v1URL, token, "", 200, `{"success":true}`},
		{"and writes as the demo user", "PATCH", v1URL, token, `{"email":{"weekly_usage_digest":true}}`, 200, `{"data":{"email":{"weekly_usage_digest":true}}}`},
		{"the demo user's document changed", "GET", v1URL, DemoSessionToken, "", 200, `{"data":{"email":{"weekly_usage_digest":true}}}`},
	})
	c.advance(1999 * time.Millisecond)
	runExchanges(t, srv, []exchange{{"just before exp", "GET", v1URL, token, "", 200, `{"success":true}`}})
	c.advance(time.Millisecond)
	runExchanges(t, srv, []exchange{
		{"at exp it is refused as any bad token", "GET", v1URL, token, "", 401, `{"success":false,"error":{"code":"UNAUTHORIZED","message":"authentication failed"}}`},
		{"writes too", "PATCH", v1URL, token, `{}`, 401, `{"error":{"code":"UNAUTHORIZED"}}`},
	})
	c.advance(365 * 24 * time.Hour)
	runExchanges(t, srv, []exchange{{"the demo token never expires", "GET", v1URL, DemoSessionToken, "", 200, `{"success":true}`}})
}

// Only the mock's own signature counts, and a token needs an exp.
func TestSessionTokensAreVerified(t *testing.T) {
	s, srv, _ := mockWithClock()
	defer srv.Close()
	token, _, _ := s.MintSession("other", time.Minute)
	parts := strings.Split(token, ".")
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "demo", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte("not the mock's key"))
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "demo"}).SignedString(s.minter.key)
	runExchanges(t, srv, []exchange{
		{"another user's token acts for that user", "PATCH", v1URL, token, `{"email":{"product_updates":false}}`, 200, `{"data":{"email":{"product_updates":false}}}`},
		{"the demo user is untouched", "GET", v1URL, DemoSessionToken, "", 200, `{"data":{"email":{"product_updates":true}}}`},
		{"a changed signature", "GET", v1URL, parts[0] + "." + parts[1] + ".AAAA" + parts[2][4:], "", 401, `{"error":{"code":"UNAUTHORIZED"}}`},
		{"another key's signature", "GET", v1URL, forged, "", 401, `{"error":{"code":"UNAUTHORIZED"}}`},
		{"no exp", "GET", v1URL, noExp, "", 401, `{"error":{"code":"UNAUTHORIZED"}}`},
	})
	if _, _, err := s.MintSession("nobody", 0); err == nil {
		t.Fatal("minted a token for a user the mock does not have")
	}
}

// POST /_mock/session answers a fresh token as a token service would, in
// the JSON token_command reads.
func TestSessionAdminEndpoint(t *testing.T) {
	s, srv, c := mockWithClock()
	defer srv.Close()
	s.SetSessionLifetime(90 * time.Second)
	status, _, got := call(t, srv, "POST", "/_mock/session", "", "")
	if status != 200 {
		t.Fatalf("POST /_mock/session: %d %v", status, got)
	}
	token, _ := got["token"].(string)
	if want := c.now().Add(90 * time.Second).Format(time.RFC3339); got["expires_at"] != want || token == "" {
		t.Fatalf("answer %v, want a token expiring at %s", got, want)
	}
	runExchanges(t, srv, []exchange{{"the token works", "GET", v1URL, token, "", 200, `{"success":true}`}})
	for _, ex := range []exchange{
		{"a lifetime of its own", "POST", "/_mock/session", "", `{"lifetime":"2s"}`, 200, `{"expires_at":"2026-03-04T05:06:09Z"}`},
		{"a bad lifetime", "POST", "/_mock/session", "", `{"lifetime":"soon"}`, 400, `{"error":"lifetime \"soon\" is not a positive duration such as 2s or 1m"}`},
		{"an unknown user", "POST", "/_mock/session", "", `{"user":"nobody"}`, 400, `{"error":"no v1 user \"nobody\""}`},
		{"GET is refused", "GET", "/_mock/session", "", "", 405, `{"error":"/_mock/session takes POST"}`},
	} {
		// Admin answers carry no request id, so these are checked here.
		status, _, got := call(t, srv, ex.method, ex.path, ex.token, ex.body)
		var want any
		_ = json.Unmarshal([]byte(ex.want), &want)
		if status != ex.wantStatus || !contains(got, want) {
			t.Errorf("%s: %d %v, want %d %s", ex.name, status, got, ex.wantStatus, ex.want)
		}
	}
	if n := s.Minted(); n != 2 {
		t.Fatalf("Minted() = %d, want 2", n)
	}
}
