// Package credentials gives the bearer token of each request: a static
// token, or one read from a file or printed by a command, fetched again
// before it expires. It reads what a token says of its own lifetime, and
// masks tokens wherever text may reach a diagnostic or a log.
//
// It imports nothing of the HTTP client: the client uses a source through
// one small interface, and passes Terraform's stop in as a context.
package credentials

import "time"

// v1 session tokens are Clerk session JWTs, which live about a minute: a
// token copied into the environment has expired before a CI job's apply,
// and a long apply outlasts any token minted at its start. So besides a
// static token there are token files and token commands, fetched again
// when the token is about to expire, or after a 401.

// Token is a bearer token and what is known of its lifetime.
type Token struct {
	Value string
	// Expiry is when the token stops working, by our clock: the
	// expires_at a command printed, or the JWT's exp claim. Zero when
	// unknown.
	Expiry time.Time
	// fetched is when the token was fetched. Its lifetime is counted
	// from here, not from its iat: our clock may be ahead of the
	// issuer's, and a token that looks half spent the moment it arrives
	// would be fetched again before every request.
	fetched time.Time
	// gen numbers the tokens a source has fetched, so that a request
	// refused with 401 can tell whether another request fetched a new one
	// since it was sent.
	gen uint64
}

// RefreshMargin is how long before its expiry a token is fetched again at
// the latest, as Google's oauth2 token source does (10 s early). A refresh
// that fails before then is not yet an error: the current token serves.
const RefreshMargin = 10 * time.Second

// ClockSkew is how far our clock may be ahead of the token issuer's before
// a token looks expired to us: a static token is refused as expired only
// this long after its exp.
const ClockSkew = 30 * time.Second

// due reports whether a fetched token should be fetched again before a
// request at now: once half of what was left of its life when it was
// fetched has passed, or less than RefreshMargin is left. A token of
// unknown expiry never is (only a 401 fetches it again).
func (t Token) due(now time.Time) bool {
	if t.Expiry.IsZero() {
		return false
	}
	half := t.fetched.Add(t.Expiry.Sub(t.fetched) / 2)
	return !now.Before(half) || t.usable(now) <= 0
}

// usable is how long the token may still be used before it must be
// replaced: its time to expiry less RefreshMargin.
func (t Token) usable(now time.Time) time.Duration {
	return t.Expiry.Sub(now) - RefreshMargin
}

// Expired reports whether the token's known expiry has passed at now,
// ClockSkew allowed for.
func (t Token) Expired(now time.Time) bool {
	return !t.Expiry.IsZero() && !now.Before(t.Expiry.Add(ClockSkew))
}

// newToken reads what the token says of its own lifetime. expiresAt, when
// not zero, is what the source said (a command's expires_at) and wins
// over the token's own claims. A JWT's claims are read, never verified:
// the server verifies them; we only need to know when to fetch again.
func newToken(value string, expiresAt, fetched time.Time) Token {
	t := Token{Value: value, Expiry: expiresAt, fetched: fetched}
	if !t.Expiry.IsZero() {
		return t
	}
	c, ok := readClaims(value)
	if !ok || c.exp.IsZero() {
		return t
	}
	t.Expiry = c.exp
	// An iat in our future says our clock is behind the issuer's by at
	// least that much: the token expires that much earlier by our clock.
	if !c.iat.IsZero() && c.iat.After(fetched) {
		t.Expiry = t.Expiry.Add(-c.iat.Sub(fetched))
	}
	return t
}
