package mockapi

import (
	"encoding/json"
	"maps"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The example state file the testing guide shows loads, and the mock then
// serves its keys, principals and values, and refuses what it locks.
func TestStateExampleFile(t *testing.T) {
	data, err := os.ReadFile("../../examples/guides/testing/mock-state.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseState(data)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewFromState(st))
	defer srv.Close()

	status, _, body := call(t, srv, "GET", v1URL, DemoSessionToken, "")
	if status != 200 || !contains(body, decode(t, `{"data": {"email": {"product_news": false, "weekly_usage_digest": true}}}`)) {
		t.Fatalf("demo session sees %d %v, want the shipped email.product_news and the stored digest", status, body)
	}
	if contains(body, decode(t, `{"data": {"email": {"legal_notices": false}}}`)) || contains(body, decode(t, `{"data": {"email": {"legal_notices": true}}}`)) {
		t.Fatalf("an immutable key is in the resolved document: %v", body)
	}
	status, _, body = call(t, srv, "PATCH", v1URL, DemoSessionToken, `{"email":{"legal_notices":false}}`)
	if status != 422 || !contains(body, map[string]any{"error": map[string]any{"code": "IMMUTABLE_NOTIFICATION_KEY"}}) {
		t.Fatalf("PATCH of an immutable key: %d %v", status, body)
	}
	if status, _, _ := call(t, srv, "GET", v1URL, "team-session-token", ""); status != 200 {
		t.Fatalf("a session of the state file answers %d", status)
	}
	status, _, body = call(t, srv, "GET", "/api/v0/users/7001/notification-prefs/", "team-vast-key", "")
	if status != 200 || !contains(body, decode(t, `{"notification_preferences": {"client": {"maintenance": {"email": true}}}}`)) {
		t.Fatalf("the state file's vastai user sees %d %v", status, body)
	}
	status, _, body = call(t, srv, "PUT", "/api/v0/users/7001/notification-prefs/", "team-vast-key",
		`{"notification_preferences":{"client":{"maintenance":{"email":false}}}}`)
	if status != 400 || !contains(body, map[string]any{"error": "mandatory_notification"}) {
		t.Fatalf("turning a mandatory key of the state file off: %d %v", status, body)
	}
}

func TestParseStateRefusesBadFiles(t *testing.T) {
	tests := map[string]struct{ file, want string }{
		"empty":            {``, "the file is empty"},
		"not an object":    {`[]`, "line 1: the file holds a JSON array where an object belongs"},
		"two values":       {`{} {}`, "more than one JSON value"},
		"truncated":        {`{"v1": {"keys": {"email.x": true}`, "ends inside its JSON object"},
		"syntax":           {"{\n\"v1\": {,}}", "line 2"},
		"unknown field":    {`{"v1": {"keyz": {}}}`, `unknown field "keyz"`},
		"wrong type":       {`{"v1": {"keys": {"email.x": "yes"}}}`, "v1.keys holds JSON string where bool belongs"},
		"malformed key":    {`{"v1": {"keys": {"email.x.y": true}}}`, "v1.keys:"},
		"wrong depth":      {`{"vastai": {"keys": {"client.x": true}}}`, "vastai.keys:"},
		"bad immutable":    {`{"v1": {"immutable": ["EMAIL"]}}`, "v1.immutable:"},
		"empty token":      {`{"v1": {"sessions": {"": {}}}}`, "session token is empty"},
		"api key session":  {`{"v1": {"sessions": {"demo-api-key": {}}}}`, "demo API key"},
		"unknown value":    {`{"v1": {"sessions": {"t": {"email.nope": true}}}}`, `"email.nope" is not in the catalogue`},
		"immutable value":  {`{"v1": {"immutable": ["email.legal"], "sessions": {"t": {"email.legal": true}}}}`, `"email.legal" is not in the catalogue`},
		"no id":            {`{"vastai": {"users": [{"key": "k"}]}}`, "id must be a positive whole number"},
		"no key":           {`{"vastai": {"users": [{"id": 7}]}}`, "key is empty"},
		"shared key":       {`{"vastai": {"users": [{"id": 7, "key": "k"}, {"id": 8, "key": "k"}]}}`, "given to another user too"},
		"mandatory off":    {`{"vastai": {"users": [{"id": 7, "key": "k", "preferences": {"client.billing_failed.email": false}}]}}`, "is mandatory and cannot be false"},
		"unknown mandatry": {`{"vastai": {"mandatory": ["client.nope.email"]}}`, "not in the catalogue"},
		"fractional id":    {`{"vastai": {"users": [{"id": 7.5, "key": "k"}]}}`, "holds JSON number 7.5"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			st, err := ParseState([]byte(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseState = %v, %v; want an error containing %q", st, err, tt.want)
			}
		})
	}
}

// Reset goes back to the state file's values, not to the built-in ones.
func TestResetGoesBackToTheState(t *testing.T) {
	st, err := ParseState([]byte(`{"v1": {"sessions": {"demo-session-token": {"email.weekly_usage_digest": true}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := NewFromState(st)
	s.Set(prefs.V1, prefs.Document{"email.weekly_usage_digest": false, "email.product_updates": false})
	s.Withdraw(prefs.V1, "email.delivery_alerts")
	s.Reset()
	want := v1Defaults.Overlay(prefs.Document{"email.weekly_usage_digest": true})
	if got := s.Document(prefs.V1); !maps.Equal(got, want) {
		t.Fatalf("after Reset the demo user has %v, want %v", got, want)
	}
}

// The admin endpoints do what the mock's -h says, answer mistakes with
// 400 or 404, and are never journalled.
func TestAdminEndpoints(t *testing.T) {
	mock := New()
	srv := httptest.NewServer(mock)
	defer srv.Close()
	for _, step := range []exchange{
		{"set", "POST", "/_mock/set", "", `{"token": "other-vast-key", "preferences": {"client.low_credit.email": false}}`, 200, `{"success": true}`},
		{"set for nobody", "POST", "/_mock/set", "", `{"token": "nobody", "preferences": {}}`, 400, `{"error": "no v1 session or vastai key \"nobody\""}`},
		{"withdraw", "POST", "/_mock/withdraw", "", `{"api": "v1", "keys": ["email.delivery_alerts"]}`, 200, `{"success": true}`},
		{"withdraw from no dialect", "POST", "/_mock/withdraw", "", `{"api": "v2", "keys": []}`, 400, `{}`},
		{"ship", "POST", "/_mock/ship", "", `{"api": "v1", "keys": {"in_app.product_updates": true}}`, 200, `{"success": true}`},
		{"ship a malformed key", "POST", "/_mock/ship", "", `{"api": "v1", "keys": {"in_app": true}}`, 400, `{}`},
		{"unknown field", "POST", "/_mock/set", "", `{"tokn": "x"}`, 400, `{}`},
		{"wrong method", "GET", "/_mock/reset", "", ``, 405, `{}`},
		{"no such endpoint", "POST", "/_mock/nothing", "", `{}`, 404, `{}`},
	} {
		status, _, body := call(t, srv, step.method, step.path, step.token, step.body)
		if status != step.wantStatus || !contains(body, decode(t, step.want)) {
			t.Errorf("%s: %d %v, want %d with %s", step.name, status, body, step.wantStatus, step.want)
		}
	}
	if got := mock.UserDocument(OtherVastKey)["client.low_credit.email"]; got {
		t.Error("/_mock/set did not change the other vastai user's value")
	}
	if _, ok := mock.Document(prefs.V1)["email.delivery_alerts"]; ok {
		t.Error("/_mock/withdraw left the key in the catalogue")
	}
	if _, ok := mock.Document(prefs.V1)["in_app.product_updates"]; !ok {
		t.Error("/_mock/ship did not add the key")
	}
	call(t, srv, "GET", v1URL, DemoSessionToken, "")
	if status, _, _ := call(t, srv, "POST", "/_mock/reset", "", ""); status != 200 {
		t.Fatalf("reset answered %d", status)
	}
	if !maps.Equal(mock.Document(prefs.V1), v1Defaults) || len(mock.Journal()) != 0 {
		t.Fatalf("after reset: %v, journal %v", mock.Document(prefs.V1), mock.Journal())
	}
	call(t, srv, "GET", v1URL, DemoSessionToken, "")
	if j := mock.Journal(); len(j) != 1 || j[0].Path != v1URL {
		t.Fatalf("the journal holds %v, want only the API request", j)
	}
}

// Whatever a state file holds, ParseState either refuses it or returns a
// state the mock starts from without a panic.
func FuzzParseState(f *testing.F) {
	f.Add([]byte(`{"v1": {"keys": {"email.x": true}, "immutable": ["email.y"], "sessions": {"t": {"email.x": false}}}}`))
	f.Add([]byte(`{"vastai": {"keys": {"a.b.c": true}, "mandatory": ["a.b.c"], "users": [{"id": 1, "key": "k", "preferences": {"a.b.c": true}}]}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseState(data)
		if err != nil {
			return
		}
		s := NewFromState(st)
		s.Reset()
		_ = s.Document(prefs.V1)
		_ = s.Document(prefs.VastAI)
	})
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON in the test: %v", err)
	}
	return v
}
