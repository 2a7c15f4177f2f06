package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxBody bounds how much of a response is read: a 10,000-key document is
// well under a megabyte, and a runaway body must not exhaust memory.
const maxBody = 16 << 20

// transport sends one JSON request with retries, logging and the headers
// both dialects share. It returns whatever response the server gave last;
// the dialect decides what the body means.
type transport struct {
	http      *retryablehttp.Client
	src       TokenSource
	userAgent string
}

func newTransport(cfg Config) *transport {
	src := cfg.source()
	rc := retryablehttp.NewClient()
	rc.Logger = nil // requests are logged through tflog by loggingTransport
	rc.RetryMax = cfg.MaxRetries
	rc.RetryWaitMin = orDefault(cfg.RetryWaitMin, DefaultRetryWaitMin)
	rc.RetryWaitMax = orDefault(cfg.RetryWaitMax, DefaultRetryWaitMax)
	rc.CheckRetry = retryPolicy(rc.RetryMax)
	rc.PrepareRetry = prepareRetry
	rc.Backoff = backoff
	rc.RequestLogHook = countAttempt
	// Hand the last response back instead of an opaque "giving up" error,
	// so a 429 or 503 that outlasted the retries still reads as the API's
	// own error with its code and request id.
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	// No http.Client Timeout: it would bound the wait for a token too.
	// authTransport bounds each attempt instead, once it has its token.
	rc.HTTPClient = &http.Client{
		Transport: &authTransport{
			src: src, timeout: orDefault(cfg.Timeout, DefaultTimeout),
			base: &loggingTransport{base: cleanhttp.DefaultPooledTransport()},
		},
		CheckRedirect: sameHostRedirects,
	}
	return &transport{http: rc, src: src, userAgent: cfg.UserAgent}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// attemptsKey finds, in a request's context, the counter of how many
// times send has sent it.
type attemptsKey struct{}

// countAttempt runs before every attempt (redirects it follows are part of
// the attempt, not new ones).
func countAttempt(_ retryablehttp.Logger, req *http.Request, _ int) {
	if n, ok := req.Context().Value(attemptsKey{}).(*int); ok {
		*n++
	}
}

// send makes one logical request. body, when not nil, is encoded as JSON.
// PATCH and PUT bodies here are idempotent, so a write whose response was
// lost is safe to send again.
func (t *transport) send(ctx context.Context, method, url string, body any) (*response, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
	}
	attempts := new(int)
	ctx, g := guard(ctx)
	defer g.release()
	ctx, sent := withSentToken(ctx)
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, attemptsKey{}, attempts), method, url, payload)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t.userAgent != "" {
		req.Header.Set("User-Agent", t.userAgent)
	}
	resp, err := t.http.Do(req)
	g.answered()
	if err != nil {
		return nil, &RequestError{Method: method, Path: req.URL.Path, Attempts: *attempts, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, &RequestError{Method: method, Path: req.URL.Path, Attempts: *attempts, Err: fmt.Errorf("reading response: %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// An error's message and body reach diagnostics and logs: a
		// gateway that echoes the Authorization header must not put the
		// token there.
		data = []byte(t.src.Mask(string(data)))
	}
	r := &response{path: req.URL.Path, attempts: *attempts, status: resp.StatusCode, requestID: resp.Header.Get("X-Request-Id"), body: data}
	if r.status == http.StatusUnauthorized {
		return nil, rejectedToken(method, r, t.src, sent)
	}
	return r, nil
}

// retryPolicy retries what is transient: connection errors and timeouts,
// 429, and the gateway statuses 502, 503 and 504. Every other status, 500
// included, is an answer; retrying a 4xx would only repeat it. A write
// that Terraform stopped is not sent again (see Unabandoned).
func retryPolicy(maxRetries int) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		retry, checkErr := transient(ctx, resp, err)
		if !retry {
			return false, checkErr
		}
		if n, ok := ctx.Value(attemptsKey{}).(*int); ok && *n > maxRetries {
			return true, nil // the last attempt: the library sends no other
		}
		return guardOf(ctx).retrying(), nil
	}
}

func transient(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		// Our own refusal to follow a redirect is as permanent as the ones
		// the library's policy knows (bad scheme, TLS verification, too
		// many redirects): sending again would be refused again.
		if errors.Is(err, errCrossHostRedirect) || tokenFetchFailed(err) {
			return false, nil
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	return Transient(resp.StatusCode), nil
}

// Transient reports whether a status is one the client retries.
func Transient(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff waits as long as the server asked with Retry-After, capped at
// hi, and otherwise doubles from lo up to hi with jitter, so that many CI
// jobs hitting the same outage do not retry in lockstep. retryablehttp's
// DefaultBackoff reads Retry-After, in seconds or as an HTTP date, on the
// 429 and 503 answers that send it, and does the doubling; it neither
// caps what the server asks nor adds jitter.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.Header.Get("Retry-After") != "" {
		return min(retryablehttp.DefaultBackoff(lo, hi, attempt, resp), hi)
	}
	wait := retryablehttp.DefaultBackoff(lo, hi, attempt, nil)
	// Equal jitter: half fixed, half random, so the wait still grows.
	half := wait / 2
	return half + rand.N(half+1)
}

// errCrossHostRedirect stops a redirect to another host: the bearer token
// is for the configured endpoint only.
var errCrossHostRedirect = errors.New("refusing to follow a redirect to another host; set endpoint to the API's own address")

func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		return errCrossHostRedirect
	}
	return nil
}

// loggingTransport logs every attempt through terraform-plugin-log. The
// Authorization header is logged only through a mask, and the token the
// attempt carries, whichever the source gave it, is masked wherever else
// it might appear.
type loggingTransport struct {
	base http.RoundTripper
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	token := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
	ctx := tflog.MaskFieldValuesWithFieldKeys(req.Context(), "authorization")
	ctx = tflog.MaskAllFieldValuesStrings(ctx, token)
	ctx = tflog.MaskMessageStrings(ctx, token)
	fields := map[string]any{
		"method":        req.Method,
		"path":          req.URL.Path,
		"authorization": req.Header.Get("Authorization"),
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = err.Error()
		tflog.Warn(ctx, "notification API request failed", fields)
		return nil, err
	}
	fields["status"] = resp.StatusCode
	fields["request_id"] = resp.Header.Get("X-Request-Id")
	tflog.Debug(ctx, "notification API request", fields)
	return resp, nil
}

// decodeJSON decodes a body into v, reporting truncated or non-JSON bodies.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return errors.New("the body is empty or truncated")
		}
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return nil
}
