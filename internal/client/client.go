// Package client talks to the notification preferences APIs. One interface
// hides the two wire dialects: v1 patches the keys it is given, vastai reads
// the whole document, overlays the changes and puts it back.
package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/credentials"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Client reads and writes one user's notification preferences.
type Client interface {
	// Dialect is the wire dialect this client speaks.
	Dialect() prefs.Dialect
	// ID identifies the preferences document: "me" for v1, the user id for vastai.
	ID() string
	// Read returns the server's resolved document.
	Read(ctx context.Context) (prefs.Document, error)
	// Apply writes changes and returns the resolved document after the write.
	// hold holds the values that must be on the server after the write
	// (the declared ones). current, when not nil, is the resolved document
	// the changes were decided on: the vastai dialect replaces the whole
	// document, so it puts current with hold and changes overlaid rather
	// than reading the document again, and every held value goes back
	// whatever anyone changed since. v1 patches changes alone; the caller
	// checks the answer. An empty change set writes nothing. A ctx made
	// by Unabandoned runs an attempt in flight to its answer.
	Apply(ctx context.Context, changes, hold, current prefs.Document) (prefs.Document, error)
}

// Config is what a client needs to reach an API.
type Config struct {
	Endpoint string // base URL, e.g. https://api.example.com
	Token    string // a static bearer token, when Source is nil; never logged
	// Source gives the token of each request instead: a token file or
	// command fetched again before it expires and after a 401.
	Source  TokenSource
	Dialect prefs.Dialect
	UserID  int64 // the vastai user whose document this is; 0 until ResolveUser asks the API

	Timeout      time.Duration // per attempt; zero means DefaultTimeout
	MaxRetries   int           // retries after the first attempt
	RetryWaitMin time.Duration // zero means DefaultRetryWaitMin
	RetryWaitMax time.Duration // zero means DefaultRetryWaitMax; also caps Retry-After
	UserAgent    string
}

// Defaults for Config's tuning fields.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRetries   = 4
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
)

// New checks cfg and returns the client for its dialect.
func New(cfg Config) (Client, error) {
	base, err := ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Token) == "" && cfg.Source == nil {
		return nil, errors.New("the token is empty")
	}
	t := newTransport(cfg)
	switch cfg.Dialect {
	case prefs.V1:
		return &v1Client{t: t, base: base}, nil
	case prefs.VastAI:
		if cfg.UserID < 0 {
			return nil, fmt.Errorf("the vastai API needs a positive user id, got %d", cfg.UserID)
		}
		// A zero id is filled in by ResolveUser: the key's own user.
		return &vastClient{t: t, base: base, userID: cfg.UserID}, nil
	}
	return nil, fmt.Errorf("unknown API dialect %q", cfg.Dialect)
}

// ParseEndpoint accepts an absolute http or https URL with a host and
// returns it without a trailing slash, so paths can be appended.
func ParseEndpoint(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("endpoint %q is not a URL: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("endpoint %q must start with https:// (or http:// for a local server)", s)
	}
	if u.Host == "" {
		return "", fmt.Errorf("endpoint %q has no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("endpoint %q must not have a query or fragment", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// source is the token source of the configuration: Source, or Token as a
// static token.
func (cfg Config) source() TokenSource {
	if cfg.Source != nil {
		return cfg.Source
	}
	return credentials.Static(cfg.Token, credentials.Options{})
}
