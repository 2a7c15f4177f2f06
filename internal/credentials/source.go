package credentials

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Options tune a source. The zero value is the provider's.
type Options struct {
	// Timeout bounds one fetch: a command's run, a file's read. Zero means
	// DefaultCommandTimeout or DefaultFileTimeout.
	Timeout time.Duration
	// Now is the clock refresh decisions are made by; nil means time.Now.
	// Tests set it, so that none waits for a token to age.
	Now func() time.Time
}

func (o Options) clock() func() time.Time {
	if o.Now == nil {
		return time.Now
	}
	return o.Now
}

// Source gives the bearer token for each request: a static token, or one
// read from a file or printed by a command, fetched again when due. One
// provider configuration has one source, and a source fetches one token
// at a time: every request that needs a new token while a fetch is
// running waits for that fetch and shares its token.
type Source struct {
	// attr is the provider argument the token comes from: token,
	// token_file or token_command. Errors name it.
	attr string
	// fetch gets a new token; nil for a static token, never fetched again.
	fetch func(ctx context.Context) (string, time.Time, error)
	// limit bounds a fetch, whoever waits for it.
	limit time.Duration
	now   func() time.Time

	mu      sync.Mutex
	current Token
	gens    uint64
	pending *fetchRun
	// known holds every token the source has given, for masking: an
	// error may quote an earlier one as well as the current.
	known []string
	// retryAt is when an early refresh that failed may be tried again;
	// backoff is how long the next failure waits.
	retryAt time.Time
	backoff time.Duration
}

// fetchRun is a fetch in flight, which the requests that need it wait for.
type fetchRun struct {
	done chan struct{}
	tok  Token
	err  error
}

// maxKnown bounds the tokens kept for masking: a day's apply of minute
// tokens, and then the oldest go first.
const maxKnown = 2048

// Early refresh failures wait this long before the next try, doubling up
// to the cap: a broken mint script is not run before every request.
const (
	firstBackoff = 5 * time.Second
	maxBackoff   = time.Minute
)

// Static is a token given as it is, as the token argument is.
func Static(value string, o Options) *Source {
	s := &Source{attr: "token", now: o.clock()}
	s.current = newToken(value, time.Time{}, s.now())
	s.remember(value)
	return s
}

// Attr is the provider argument the token comes from.
func (s *Source) Attr() string { return s.attr }

// Refreshable reports whether the source can fetch a new token: a static
// token cannot, so a 401 for it is final.
func (s *Source) Refreshable() bool { return s.fetch != nil }

// ErrNoToken is what a static source without a token answers: the
// provider refuses an empty token before it builds one, so this is a
// guard against a panic, not a message users meet.
var ErrNoToken = errors.New("the token is empty")

// Token returns the token to send now, fetching a new one first when
// there is none yet or the current one is due. A refresh that fails while
// the current token has more than RefreshMargin left is logged, and the
// current token serves; the next try waits for a backoff.
func (s *Source) Token(ctx context.Context) (Token, error) {
	s.mu.Lock()
	now := s.now()
	cur := s.current
	switch {
	case s.fetch == nil && cur.Value == "":
		s.mu.Unlock()
		return Token{}, ErrNoToken
	case s.fetch == nil, cur.Value != "" && !cur.due(now):
		s.mu.Unlock()
		return cur, nil
	case cur.Value != "" && cur.usable(now) > 0 && now.Before(s.retryAt):
		s.mu.Unlock()
		return cur, nil // an early refresh failed a moment ago
	}
	f := s.startFetch(ctx)
	s.mu.Unlock()
	tok, err := f.wait(ctx)
	if err == nil || cur.Value == "" || !errors.As(err, new(*FetchError)) {
		return tok, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if left := cur.usable(s.now()); left > 0 {
		tflog.Warn(ctx, "could not fetch a new notification API token; the current one serves until it is nearly expired", map[string]any{
			"source": s.attr, "error": MaskSecrets(err.Error(), s.known...), "usable_for": left.Round(time.Second).String(), "next_try_in": s.backoff.String(),
		})
		return cur, nil
	}
	return tok, err
}

// Refetch answers a 401 for stale: it fetches a new token, unless another
// request already did since stale was handed out (then that one is the
// answer), or a fetch is running (then its token is). ctx ends the wait,
// not the fetch: the caller cancels it when Terraform stops the request.
func (s *Source) Refetch(ctx context.Context, stale Token) (Token, error) {
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

// errNotRefreshable is what Refetch answers for a static token.
var errNotRefreshable = errors.New("a static token cannot be fetched again")

// startFetch returns the fetch in flight, or starts one. The caller holds
// s.mu. The fetch runs apart from the caller's context, so that the
// others waiting for it do not fail because the first caller gave up; it
// is bounded by the source's limit instead, so that it ends even when no
// caller is left.
func (s *Source) startFetch(ctx context.Context) *fetchRun {
	if s.pending != nil {
		return s.pending
	}
	f := &fetchRun{done: make(chan struct{})}
	s.pending = f
	go func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.limit+time.Second)
		defer cancel()
		fetched := s.now()
		value, expiresAt, err := s.fetch(fctx)
		s.mu.Lock()
		if err == nil {
			s.gens++
			f.tok = newToken(value, expiresAt, fetched)
			f.tok.gen = s.gens
			s.current = f.tok
			s.remember(value)
			s.retryAt, s.backoff = time.Time{}, 0
		} else {
			s.backoff = min(max(2*s.backoff, firstBackoff), maxBackoff)
			s.retryAt = s.now().Add(s.backoff)
		}
		f.err = err
		s.pending = nil
		s.mu.Unlock()
		close(f.done)
	}()
	return f
}

func (f *fetchRun) wait(ctx context.Context) (Token, error) {
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// remember adds a token to those masked. The caller holds s.mu, or owns s.
func (s *Source) remember(value string) {
	if value == "" {
		return
	}
	if len(s.known) >= maxKnown {
		s.known = s.known[1:]
	}
	s.known = append(s.known, value)
}

// Mask masks every token the source has given, and whatever looks like a
// credential, in text bound for a diagnostic or a log.
func (s *Source) Mask(text string) string {
	s.mu.Lock()
	known := s.known
	s.mu.Unlock()
	return MaskSecrets(text, known...)
}

// Current returns the token last handed out, without fetching: what the
// provider checks at configuration (has a static token expired?).
func (s *Source) Current() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Now is the source's clock, which errors date their facts by.
func (s *Source) Now() time.Time { return s.now() }
