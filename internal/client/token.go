package client

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// v1 session tokens are Clerk session JWTs, which live about a minute: a
// token copied into the environment has expired before a CI job's apply,
// and a long apply outlasts any token minted at its start. So besides a
// static token the client takes a token file or a token command, and
// fetches the token again when it is about to expire, or after a 401.

// Token is a bearer token and what is known of its lifetime.
type Token struct {
	Value string
	// Expiry is when the token stops working: the expires_at a command
	// printed, or the JWT's exp claim. Zero when unknown.
	Expiry time.Time
	// issued is when its lifetime began: the JWT's iat, or when it was
	// fetched. Half the lifetime after it, the token is fetched again.
	issued time.Time
	// gen numbers the tokens a source has fetched, so that a request
	// refused with 401 can tell whether another request fetched a new one
	// since it was sent.
	gen uint64
}

// refreshMargin is how long before its expiry a token is fetched again at
// the latest, as Google's oauth2 token source does (10 s early).
const refreshMargin = 10 * time.Second

// due reports whether a fetched token should be fetched again before a
// request at now: once half its lifetime has passed, or less than
// refreshMargin is left. A token of unknown expiry never is (only a 401
// fetches it again).
func (t Token) due(now time.Time) bool {
	if t.Expiry.IsZero() {
		return false
	}
	half := t.issued.Add(t.Expiry.Sub(t.issued) / 2)
	return !now.Before(half) || t.Expiry.Sub(now) < refreshMargin
}

// Expired reports whether the token's known expiry has passed at now.
func (t Token) Expired(now time.Time) bool {
	return !t.Expiry.IsZero() && !now.Before(t.Expiry)
}

// newToken reads what the token says of its own lifetime. expiresAt, when
// not zero, is what the source said (a command's expires_at) and wins
// over the token's own claims. A JWT's claims are read, never verified:
// the server verifies them; the client only needs to know when to fetch
// again.
func newToken(value string, expiresAt, fetched time.Time) Token {
	t := Token{Value: value, Expiry: expiresAt, issued: fetched}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(value, claims); err != nil {
		return t
	}
	if t.Expiry.IsZero() {
		if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
			t.Expiry = exp.Time
		}
	}
	// The iat claim dates the lifetime better than the fetch when a file
	// holds a token minted a while ago; a clock ahead of ours does not
	// make the token look younger than when we got it.
	if iat, err := claims.GetIssuedAt(); err == nil && iat != nil && iat.Before(fetched) {
		t.issued = iat.Time
	}
	return t
}

// TokenSource gives the bearer token for each request: a static token, or
// one read from a file or printed by a command, fetched again when due.
// One provider configuration has one source, and a source fetches one
// token at a time: every request that needs a new token while a fetch is
// running waits for that fetch and shares its token.
type TokenSource struct {
	// Attr is the provider argument the token comes from: token,
	// token_file or token_command. Errors name it.
	Attr string
	// fetch gets a new token; nil for a static token, never fetched again.
	fetch func(ctx context.Context) (string, time.Time, error)
	now   func() time.Time

	mu      sync.Mutex
	current Token
	gens    uint64
	pending *tokenFetch
}

// tokenFetch is a fetch in flight, which the requests that need it wait for.
type tokenFetch struct {
	done chan struct{}
	tok  Token
	err  error
}

// StaticToken is a token given as it is, as the token argument is.
func StaticToken(value string) *TokenSource {
	s := &TokenSource{Attr: "token", now: time.Now}
	s.current = newToken(value, time.Time{}, s.now())
	return s
}

// Refreshable reports whether the source can fetch a new token: a static
// token cannot, so a 401 for it is final.
func (s *TokenSource) Refreshable() bool { return s.fetch != nil }

// Token returns the token to send now, fetching a new one first when
// there is none yet or the current one is due.
func (s *TokenSource) Token(ctx context.Context) (Token, error) {
	s.mu.Lock()
	if s.current.Value != "" && (s.fetch == nil || !s.current.due(s.now())) {
		defer s.mu.Unlock()
		return s.current, nil
	}
	f := s.startFetch(ctx)
	s.mu.Unlock()
	return f.wait(ctx)
}

// errNotRefreshable is what Refetch answers for a static token.
var errNotRefreshable = errors.New("a static token cannot be fetched again")

// Refetch answers a 401 for stale: it fetches a new token, unless another
// request already did since stale was handed out (then that one is the
// answer), or a fetch is running (then its token is).
func (s *TokenSource) Refetch(ctx context.Context, stale Token) (Token, error) {
	if s.fetch == nil {
		return Token{}, errNotRefreshable
	}
	s.mu.Lock()
	if s.current.gen != stale.gen && s.current.Value != "" {
		defer s.mu.Unlock()
		return s.current, nil
	}
	f := s.startFetch(ctx)
	s.mu.Unlock()
	return f.wait(ctx)
}

// startFetch returns the fetch in flight, or starts one. The caller holds
// s.mu. The fetch runs apart from the caller's context: the others
// waiting for it must not fail because the first caller gave up.
func (s *TokenSource) startFetch(ctx context.Context) *tokenFetch {
	if s.pending != nil {
		return s.pending
	}
	f := &tokenFetch{done: make(chan struct{})}
	s.pending = f
	go func() {
		fetched := s.now()
		value, expiresAt, err := s.fetch(context.WithoutCancel(ctx))
		s.mu.Lock()
		if err == nil {
			s.gens++
			f.tok = newToken(value, expiresAt, fetched)
			f.tok.gen = s.gens
			s.current = f.tok
		}
		f.err = err
		s.pending = nil
		s.mu.Unlock()
		close(f.done)
	}()
	return f
}

func (f *tokenFetch) wait(ctx context.Context) (Token, error) {
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// Current returns the token last handed out, without fetching: what the
// provider checks at configuration (has a static token expired?).
func (s *TokenSource) Current() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Now is the source's clock, which errors date their facts by.
func (s *TokenSource) Now() time.Time { return s.now() }
