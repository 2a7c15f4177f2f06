package mockapi

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The v1 API takes Clerk session JWTs, which live about a minute. The mock
// mints tokens of that shape for its v1 users, signed with a key of its
// own (HS256: only the mock verifies them), with iat and exp set, and
// answers an expired one as it answers any bad token: 401 UNAUTHORIZED.
// The named demo sessions (DemoSessionToken) are opaque and never expire,
// so `make demo` and every test written before short-lived tokens keep
// working.

// DefaultSessionLifetime is how long a minted session token lives, as
// Clerk's do.
const DefaultSessionLifetime = time.Minute

// sessionMinter mints and verifies the mock's session tokens.
type sessionMinter struct {
	key      []byte
	lifetime time.Duration
	minted   int
	now      func() time.Time
}

func newSessionMinter() sessionMinter {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand panics instead)
	return sessionMinter{key: key, lifetime: DefaultSessionLifetime, now: time.Now}
}

// SetSessionLifetime sets how long the session tokens minted from now on
// live (notification-mock's -session-lifetime).
func (s *Server) SetSessionLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.minter.lifetime = d
}

// MintSession returns a session token for the v1 user (demoV1User when
// empty) that expires after lifetime (the mock's lifetime when zero; a
// negative one mints a token that has expired already), and its expiry.
// exp is a whole second, as in Clerk's tokens, rounded up, so a token
// lives at least its lifetime.
func (s *Server) MintSession(user string, lifetime time.Duration) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if user == "" {
		user = demoV1User
	}
	if !s.hasV1User(user) {
		return "", time.Time{}, fmt.Errorf("no v1 user %q", user)
	}
	if lifetime == 0 {
		lifetime = s.minter.lifetime
	}
	now := s.minter.now()
	exp := now.Add(lifetime).Truncate(time.Second)
	if exp.Before(now.Add(lifetime)) {
		exp = exp.Add(time.Second)
	}
	iat := now
	if lifetime < 0 {
		iat = exp.Add(-DefaultSessionLifetime)
	}
	s.minter.minted++
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": user,
		"iat": iat.Unix(),
		"exp": exp.Unix(),
		"jti": fmt.Sprintf("sess_%06d", s.minter.minted), // two tokens of one second differ
		"iss": "notification-mock",
	}).SignedString(s.minter.key)
	return token, exp, err
}

// Minted returns how many session tokens the mock has minted.
func (s *Server) Minted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.minter.minted
}

// sessionUser returns the v1 user a token acts for: a named session, or a
// minted token with a valid signature that has not expired. The caller
// holds s.mu.
func (s *Server) sessionUser(token string) (string, bool) {
	if user, ok := s.sessions[token]; ok {
		return user, true
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.minter.now),
	).ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return s.minter.key, nil })
	if err != nil {
		return "", false
	}
	user, err := claims.GetSubject()
	return user, err == nil && user != ""
}

// hasV1User reports whether a named session acts for user. The caller
// holds s.mu.
func (s *Server) hasV1User(user string) bool {
	for _, u := range s.sessions {
		if u == user {
			return true
		}
	}
	return false
}

// serveSession answers POST /_mock/session with a new session token, in
// the shape token_command reads: {"token": T, "expires_at": RFC 3339}.
func (s *Server) serveSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User     string `json:"user"`
		Lifetime string `json:"lifetime"`
	}
	if r.ContentLength != 0 {
		if err := decodeAdmin(r, &req); err != nil && !errors.Is(err, io.EOF) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
	}
	var lifetime time.Duration
	if req.Lifetime != "" {
		d, err := time.ParseDuration(req.Lifetime)
		if err != nil || d <= 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("lifetime %q is not a positive duration such as 2s or 1m", req.Lifetime)})
			return
		}
		lifetime = d
	}
	token, exp, err := s.MintSession(req.User, lifetime)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token, "expires_at": exp.UTC().Format(time.RFC3339)})
}
