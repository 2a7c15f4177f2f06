package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/credentials"
)

// TokenSource is where each request's bearer token comes from: a static
// token, a token file or a token command (credentials.Source). The
// transport asks it for a token before each attempt, outside the
// attempt's time limit, and for a new one after a 401.
type TokenSource interface {
	// Token returns the token to send now, fetching one first when due.
	Token(ctx context.Context) (credentials.Token, error)
	// Refetch answers a 401 for stale; ctx ends the wait, not the fetch.
	Refetch(ctx context.Context, stale credentials.Token) (credentials.Token, error)
	// Refreshable reports whether Refetch can give another token.
	Refreshable() bool
	// Attr is the provider argument the token comes from.
	Attr() string
	// Now is the source's clock.
	Now() time.Time
	// Mask masks every token the source gave, and anything
	// credential-shaped, in text bound for a diagnostic or a log.
	Mask(text string) string
}

// sentTokenKey finds, in a request's context, what authTransport did for
// it: the token it sent last, and whether it fetched a new one after a 401.
type sentTokenKey struct{}

type sentToken struct {
	tok credentials.Token
	// refetched: the request met a 401 and was sent again with a new
	// token; resend is then spent for the rest of its attempts.
	refetched bool
}

// withSentToken gives a logical request (all its attempts) its record.
func withSentToken(ctx context.Context) (context.Context, *sentToken) {
	sent := &sentToken{}
	return context.WithValue(ctx, sentTokenKey{}, sent), sent
}

// authTransport sets each attempt's Authorization header from the token
// source, so that a retry after a 503 carries a token fetched meanwhile.
// The token is got before the attempt's time limit starts: waiting for a
// token command is not waiting for the API, and a fetch that fails is the
// fetch's own error, never retried as a transient one.
// A 401 with a token from a file or command is answered once per logical
// request: a new token, unless another request got one already, and the
// same request again. client-go fails the request that met the 401 and
// refreshes for the next; here that request is a write a plan promised,
// so it is sent again. A static token is never retried.
type authTransport struct {
	src  TokenSource
	base http.RoundTripper
	// timeout bounds each send: request_timeout.
	timeout time.Duration
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sent, ok := req.Context().Value(sentTokenKey{}).(*sentToken)
	if !ok {
		sent = &sentToken{}
	}
	tok, err := t.src.Token(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	sent.tok = tok
	resp, err := t.send(req, req.Body, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !t.src.Refreshable() || sent.refetched ||
		req.Context().Err() != nil || (req.Body != nil && req.GetBody == nil) || stopped(req.Context()) {
		return resp, err
	}
	var body io.ReadCloser
	if req.GetBody != nil {
		var bodyErr error
		if body, bodyErr = req.GetBody(); bodyErr != nil {
			return resp, nil //nolint:nilerr // no body to send again: the 401 stands, and send reports it
		}
	}
	// The 401 is kept: it is the answer if the request is not sent again.
	refused, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(refused))
	// Terraform's stop ends the wait for the new token (the fetch goes on
	// for whoever else waits for it), and is checked again after it: a
	// request stopped meanwhile is not sent again.
	waitCtx, cancel := untilStopped(req.Context())
	fresh, err := t.src.Refetch(waitCtx, tok)
	cancel()
	if stopped(req.Context()) {
		if body != nil {
			body.Close()
		}
		return resp, nil
	}
	if err != nil {
		// Why no token came (the command's exit status, its standard
		// error) says more than the 401 did.
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	sent.tok, sent.refetched = fresh, true
	return t.send(req, body, fresh)
}

// send makes one attempt within the attempt's time limit, which runs until
// its answer's body is closed.
func (t *authTransport) send(req *http.Request, body io.ReadCloser, tok credentials.Token) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	r := req.Clone(ctx)
	r.Body = body
	r.Header.Set("Authorization", "Bearer "+tok.Value)
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends an attempt's time limit with its body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	defer b.cancel()
	return b.ReadCloser.Close()
}

// stopped reports a request Terraform stopped (see Unabandoned): it sends
// nothing more, and a write refused with 401 was not applied, so nothing
// is lost by not sending it again.
func stopped(ctx context.Context) bool {
	// The stop itself first: the guard learns of it a moment later, on
	// its own goroutine, and a wait that the stop ended may return first.
	if stop, ok := ctx.Value(stopKey{}).(<-chan struct{}); ok {
		select {
		case <-stop:
			return true
		default:
		}
	}
	g := guardOf(ctx)
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stopped
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// tokenFetchFailed reports a request that failed because no token could
// be fetched: sending it again would run the failing command again.
func tokenFetchFailed(err error) bool {
	var fe *credentials.FetchError
	return errors.As(err, &fe) || errors.Is(err, credentials.ErrNoToken)
}

// TokenRejectedError is a 401: the API refused the token. It wraps the
// API's own error (errors.As finds the *APIError), and says where the
// token came from and what is known of it, so that a diagnostic can say
// that the token expired, when, and what to use instead.
type TokenRejectedError struct {
	API  *APIError
	Attr string // token, token_file or token_command
	// Expiry is when the refused token expired or expires; zero when unknown.
	Expiry time.Time
	// At is when the API refused it.
	At time.Time
	// Refetched: the request was sent again with a new token after a
	// first 401, and that was refused too. False when the first 401
	// stands: the request was stopped, or its body could not be sent again.
	Refetched bool
}

func (e *TokenRejectedError) Error() string { return e.API.Error() }
func (e *TokenRejectedError) Unwrap() error { return e.API }

// Expired reports whether the refused token had expired when it was refused.
func (e *TokenRejectedError) Expired() bool {
	return !e.Expiry.IsZero() && !e.At.Before(e.Expiry)
}

// rejectedToken reads a 401 answer of either dialect: v1's {"error":
// {"code", "message", "request_id"}} or Vast.ai's {"error": code, "msg":
// message}.
func rejectedToken(method string, resp *response, src TokenSource, sent *sentToken) error {
	apiErr := &APIError{Method: method, Path: resp.path, Status: resp.status, Attempts: resp.attempts, RequestID: resp.requestID}
	var env struct {
		Error json.RawMessage `json:"error"`
		Msg   string          `json:"msg"`
	}
	var v1 struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		RequestID string            `json:"request_id"`
		Details   map[string]string `json:"details"`
	}
	var code string
	switch {
	case decodeJSON(resp.body, &env) != nil || len(env.Error) == 0:
		apiErr = badResponse(method, resp, "no error in the body")
	case json.Unmarshal(env.Error, &v1) == nil:
		apiErr.Code, apiErr.Message, apiErr.Details = v1.Code, v1.Message, v1.Details
		if v1.RequestID != "" {
			apiErr.RequestID = v1.RequestID
		}
	case json.Unmarshal(env.Error, &code) == nil:
		apiErr.Code, apiErr.Message = code, env.Msg
	default:
		apiErr = badResponse(method, resp, "the error is neither an object nor a string")
	}
	apiErr.Message = strings.TrimSpace(apiErr.Message)
	return &TokenRejectedError{API: apiErr, Attr: src.Attr(), Expiry: sent.tok.Expiry, At: src.Now(), Refetched: sent.refetched}
}
