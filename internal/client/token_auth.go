package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// sentTokenKey finds, in a request's context, what authTransport did for
// it: the token it sent last, and whether it fetched a new one after a 401.
type sentTokenKey struct{}

type sentToken struct {
	tok       Token
	refetched bool
}

// withSentToken gives a logical request (all its attempts) its record.
func withSentToken(ctx context.Context) (context.Context, *sentToken) {
	sent := &sentToken{}
	return context.WithValue(ctx, sentTokenKey{}, sent), sent
}

// authTransport sets each attempt's Authorization header from the token
// source, so that a retry after a 503 carries a token fetched meanwhile.
// A 401 with a token from a file or command is answered once per logical
// request: a new token, unless another request got one already, and the
// same request again. client-go fails the request that met the 401 and
// refreshes for the next; here that request is a write a plan promised,
// so it is sent again. A static token is never retried.
type authTransport struct {
	src  *TokenSource
	base http.RoundTripper
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
	sent.refetched = true
	var body io.ReadCloser
	if req.GetBody != nil {
		var bodyErr error
		if body, bodyErr = req.GetBody(); bodyErr != nil {
			return resp, nil //nolint:nilerr // no body to send again: the 401 stands, and send reports it
		}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	fresh, err := t.src.Refetch(req.Context(), tok)
	if err != nil {
		// Why no token came (the command's exit status, its standard
		// error) says more than the 401 did.
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	sent.tok = fresh
	return t.send(req, body, fresh)
}

func (t *authTransport) send(req *http.Request, body io.ReadCloser, tok Token) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = body
	r.Header.Set("Authorization", "Bearer "+tok.Value)
	return t.base.RoundTrip(r)
}

// stopped reports a request Terraform stopped (see Unabandoned): it sends
// nothing more, and a write refused with 401 was not applied, so nothing
// is lost by not sending it again.
func stopped(ctx context.Context) bool {
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
	var fe *TokenFetchError
	return errors.As(err, &fe)
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
	// Refetched: a new token was fetched after a first 401, and refused too.
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
func rejectedToken(method string, resp *response, src *TokenSource, sent *sentToken) error {
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
	return &TokenRejectedError{API: apiErr, Attr: src.Attr, Expiry: sent.tok.Expiry, At: src.Now(), Refetched: sent.refetched}
}
