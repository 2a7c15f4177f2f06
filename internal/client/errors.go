package client

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/openprefs/terraform-provider-notification/internal/credentials"
)

// APIError is an answer from the API that is not the document asked for:
// an error envelope of either dialect, or a body that could not be read as
// one. Details maps the keys the API named to its reason for each, so the
// provider can point a diagnostic at the key.
type APIError struct {
	Method    string
	Path      string // the URL path requested, endpoint path included
	Status    int
	Attempts  int    // how many times the request was sent
	Code      string // the API's error code; empty when the body had none
	Message   string
	RequestID string
	Details   map[string]string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, k := range e.DetailKeys() {
		fmt.Fprintf(&b, "; %s: %s", k, e.Details[k])
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// DetailKeys returns the keys named in Details, sorted.
func (e *APIError) DetailKeys() []string {
	return slices.Sorted(maps.Keys(e.Details))
}

// Error codes the provider treats specially. The v1 API sends these; the
// vastai dialect's errors are mapped onto the nearest one by status.
const (
	CodeUnauthorized = "UNAUTHORIZED"
	CodeUserRequired = "USER_REQUIRED"
	CodeUnknownKey   = "UNKNOWN_NOTIFICATION_KEY"
	CodeImmutableKey = "IMMUTABLE_NOTIFICATION_KEY"
	CodeRateLimited  = "RATE_LIMITED"
)

// The codes the vastai dialect refuses an unknown key, and turning off a
// mandatory email, with.
const (
	CodeVastUnknownKey   = "unknown_notification_key"
	CodeVastMandatoryKey = "mandatory_notification"
)

// UnknownKey reports whether the API refused the request for naming keys
// it does not know.
func (e *APIError) UnknownKey() bool {
	return e.Code == CodeUnknownKey || e.Code == CodeVastUnknownKey
}

// badResponse describes a body that is neither the document nor an error
// envelope: HTML from a proxy, truncated JSON, a document of the wrong shape.
func badResponse(method string, resp *response, problem string) *APIError {
	return &APIError{
		Method: method, Path: resp.path, Status: resp.status, Attempts: resp.attempts, RequestID: resp.requestID,
		Message: fmt.Sprintf("unexpected response from the API (%s): %s", problem, snippet(resp.body)),
	}
}

// RequestError is a request that got no answer to decode: the connection
// failed or timed out, TLS verification failed, a redirect was refused, or
// the caller gave up. Attempts says how often it was sent, so a diagnostic
// claims retries only where there were some.
type RequestError struct {
	Method   string
	Path     string
	Attempts int
	Err      error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// snippet shows the start of a body on one line, so an HTML error page or a
// truncated document can be recognised without flooding the diagnostic.
func snippet(body []byte) string {
	const limit = 120
	s := strings.Join(strings.Fields(credentials.MaskSecrets(string(body))), " ")
	if s == "" {
		return "(empty body)"
	}
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return fmt.Sprintf("%q", s)
}
