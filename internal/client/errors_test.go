package client

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

func TestDecodeV1(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    prefs.Document
		wantErr *APIError
		msg     string // substring of the error message for bad responses
	}{
		{name: "document", status: 200, body: `{"success":true,"data":{"email":{"a":true}},"meta":{"total":0}}`,
			want: prefs.Document{"email.a": true}},
		{name: "unknown key", status: 422,
			body:    `{"success":false,"error":{"code":"UNKNOWN_NOTIFICATION_KEY","message":"unknown notification key","details":{"email.product_news":"unknown toggle"},"request_id":"01JT"}}`,
			wantErr: &APIError{Method: "GET", Path: v1Path, Status: 422, Code: CodeUnknownKey, Message: "unknown notification key", RequestID: "01JT", Details: map[string]string{"email.product_news": "unknown toggle"}}},
		{name: "request id from header when the envelope has none", status: 401,
			body:    `{"success":false,"error":{"code":"UNAUTHORIZED","message":"authentication failed"}}`,
			wantErr: &APIError{Method: "GET", Path: v1Path, Status: 401, Code: CodeUnauthorized, Message: "authentication failed", RequestID: "hdr-id"}},
		{name: "200 with success false", status: 200, body: `{"success":false,"error":{"code":"X","message":"m"}}`,
			wantErr: &APIError{Method: "GET", Path: v1Path, Status: 200, Code: "X", Message: "m", RequestID: "hdr-id"}},
		{name: "200 with success false and no error", status: 200, body: `{"success":false}`, msg: `"success" is not true`},
		{name: "HTML", status: 502, body: "<html><body>502 Bad Gateway</body></html>", msg: `not JSON`},
		{name: "truncated", status: 200, body: `{"success":true,"data":{"email":{"a":tr`, msg: "empty or truncated"},
		{name: "empty", status: 200, body: ``, msg: "empty or truncated"},
		{name: "wrong shape", status: 200, body: `{"success":true,"data":{"email":true}}`, msg: `a boolean at "email" where an object was expected`},
		{name: "no data", status: 200, body: `{"success":true}`, msg: "holds no document"},
		{name: "data not an object", status: 200, body: `{"success":true,"data":[1]}`, msg: "not a JSON object"},
		{name: "5xx envelope", status: 503, body: `{"success":false,"error":{"code":"UNAVAILABLE","message":"down","request_id":"r"}}`,
			wantErr: &APIError{Method: "GET", Path: v1Path, Status: 503, Code: "UNAVAILABLE", Message: "down", RequestID: "r"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeV1(http.MethodGet, &response{path: v1Path, status: tt.status, requestID: "hdr-id", body: []byte(tt.body)})
			checkDecode(t, got, err, tt.want, tt.wantErr, tt.msg)
		})
	}
}

func TestDecodeVast(t *testing.T) {
	path := "/api/v0/users/1/notification-prefs/"
	changes := prefs.Document{"client.low_credit.email": false, "client.low_credit.sms": true, "client.low_credit.sm": true}
	tests := []struct {
		name    string
		status  int
		body    string
		want    prefs.Document
		wantErr *APIError
		msg     string
	}{
		{name: "document", status: 200, body: `{"success":true,"notification_preferences":{"client":{"low_credit":{"email":true}}}}`,
			want: prefs.Document{"client.low_credit.email": true}},
		{name: "key named in msg becomes a detail, a prefix of it does not", status: 400,
			body:    `{"success":false,"error":"unknown_notification_key","msg":"unknown notification key(s): client.low_credit.sms."}`,
			wantErr: &APIError{Method: "PUT", Path: path, Status: 400, Code: "unknown_notification_key", Message: "unknown notification key(s): client.low_credit.sms.", RequestID: "hdr-id", Details: map[string]string{"client.low_credit.sms": "unknown notification key(s): client.low_credit.sms."}}},
		{name: "401", status: 401, body: `{"success":false,"error":"auth_error","msg":"invalid"}`,
			wantErr: &APIError{Method: "PUT", Path: path, Status: 401, Code: "auth_error", Message: "invalid", RequestID: "hdr-id"}},
		{name: "200 success false", status: 200, body: `{"success":false,"error":"oops","msg":"nope"}`,
			wantErr: &APIError{Method: "PUT", Path: path, Status: 200, Code: "oops", Message: "nope", RequestID: "hdr-id"}},
		{name: "wrong depth", status: 200, body: `{"success":true,"notification_preferences":{"client":{"low_credit":true}}}`, msg: `at "client.low_credit" where an object`},
		{name: "not JSON", status: 200, body: `OK`, msg: "not JSON"},
		{name: "no error fields", status: 500, body: `{}`, msg: "no error in the body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeVast(http.MethodPut, &response{path: path, status: tt.status, requestID: "hdr-id", body: []byte(tt.body)}, changes)
			checkDecode(t, got, err, tt.want, tt.wantErr, tt.msg)
		})
	}
}

func checkDecode(t *testing.T, got prefs.Document, err error, want prefs.Document, wantErr *APIError, msg string) {
	t.Helper()
	switch {
	case want != nil:
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v, %v; want %v", got, err, want)
		}
	case wantErr != nil:
		if !reflect.DeepEqual(err, wantErr) {
			t.Fatalf("err = %#v\nwant %#v", err, wantErr)
		}
	default:
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "" || !strings.Contains(apiErr.Message, msg) {
			t.Fatalf("err = %v, want a bad-response APIError containing %q", err, msg)
		}
	}
}

func TestAPIErrorMessage(t *testing.T) {
	e := &APIError{Method: "PATCH", Path: v1Path, Status: 422, Code: CodeImmutableKey, Message: "notification key is not user-toggleable",
		RequestID: "r1", Details: map[string]string{"email.security_alerts": "not user-toggleable"}}
	want := "PATCH /v1/me/notifications: HTTP 422 IMMUTABLE_NOTIFICATION_KEY: notification key is not user-toggleable; email.security_alerts: not user-toggleable (request id r1)"
	if e.Error() != want {
		t.Fatalf("got  %s\nwant %s", e.Error(), want)
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		msg, key string
		want     bool
	}{
		{"bad: a.b.c", "a.b.c", true},
		{"bad: a.b.c.", "a.b.c", true},
		{"bad: a.b.cd", "a.b.c", false},
		{"bad: xa.b.c", "a.b.c", false},
		{"a.b.c, a.b.d", "a.b.d", true},
		{"a.b.c.d", "a.b.c", false},
		{"anything", "", false},
		{"a.b.c a.b.c", "a.b.c", true},
		{"", "a.b.c", false},
	}
	for _, tt := range tests {
		if got := mentions(tt.msg, tt.key); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v", tt.msg, tt.key, got)
		}
	}
}
