package mockapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

const v1URL = "/v1/me/notifications"
const vastURL = "/api/v0/users/4242/notification-prefs/"

type exchange struct {
	name, method, path, token, body string
	wantStatus                      int
	want                            string // JSON the response must contain (a subset match)
}

// call sends a raw request, as a client written from the API documents would.
func call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
	}
	return resp.StatusCode, resp.Header, got
}

// contains reports whether want (decoded JSON) is a subset of got.
func contains(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if !contains(g[k], wv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}

func runExchanges(t *testing.T, srv *httptest.Server, exchanges []exchange) {
	t.Helper()
	for _, ex := range exchanges {
		status, header, got := call(t, srv, ex.method, ex.path, ex.token, ex.body)
		if status != ex.wantStatus {
			t.Fatalf("%s: status %d, want %d; body %v", ex.name, status, ex.wantStatus, got)
		}
		var want any
		if err := json.Unmarshal([]byte(ex.want), &want); err != nil {
			t.Fatalf("%s: bad want: %v", ex.name, err)
		}
		if !contains(got, want) {
			t.Fatalf("%s: body %v\ndoes not contain %s", ex.name, got, ex.want)
		}
		if header.Get("X-Request-Id") == "" {
			t.Fatalf("%s: no X-Request-Id header", ex.name)
		}
	}
}

func TestV1Seed(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	tok := DemoSessionToken
	runExchanges(t, srv, []exchange{
		{"resolved defaults, security_alerts hidden", "GET", v1URL, tok, "", 200,
			`{"success":true,"data":{"email":{"product_updates":true,"delivery_alerts":true,"billing_receipts":true,"weekly_usage_digest":false}}}`},
		{"missing token", "GET", v1URL, "", "", 401, `{"success":false,"error":{"code":"UNAUTHORIZED","message":"authentication failed"}}`},
		{"bad token", "PATCH", v1URL, "nope", `{}`, 401, `{"error":{"code":"UNAUTHORIZED"}}`},
		{"API-key principal", "GET", v1URL, DemoAPIKey, "", 403, `{"error":{"code":"USER_REQUIRED","message":"endpoint requires a user session"}}`},
		{"seed example patch", "PATCH", v1URL, tok, `{"email":{"weekly_usage_digest":true}}`, 200,
			`{"success":true,"data":{"email":{"weekly_usage_digest":true,"product_updates":true}}}`},
		{"empty body is a no-op", "PATCH", v1URL, tok, ``, 200, `{"data":{"email":{"weekly_usage_digest":true}}}`},
		{"{} is a no-op", "PATCH", v1URL, tok, `{}`, 200, `{"data":{"email":{"weekly_usage_digest":true}}}`},
		{"unknown toggle", "PATCH", v1URL, tok, `{"email":{"product_news":true}}`, 422,
			`{"success":false,"error":{"code":"UNKNOWN_NOTIFICATION_KEY","message":"unknown notification key","details":{"email.product_news":"unknown toggle"}}}`},
		{"unknown channel", "PATCH", v1URL, tok, `{"in_app":{"product_updates":true}}`, 422,
			`{"error":{"code":"UNKNOWN_NOTIFICATION_KEY","details":{"in_app.product_updates":"unknown channel"}}}`},
		{"immutable", "PATCH", v1URL, tok, `{"email":{"security_alerts":false}}`, 422,
			`{"error":{"code":"IMMUTABLE_NOTIFICATION_KEY","details":{"email.security_alerts":"not user-toggleable"}}}`},
		{"null rejected", "PATCH", v1URL, tok, `{"email":{"product_updates":null}}`, 422,
			`{"error":{"code":"INVALID_NOTIFICATION_VALUE","details":{"email.product_updates":"null is not allowed; send true or false"}}}`},
		{"non-boolean rejected", "PATCH", v1URL, tok, `{"email":{"product_updates":"no"}}`, 422,
			`{"error":{"code":"INVALID_NOTIFICATION_VALUE","details":{"email.product_updates":"expected a boolean, got a string"}}}`},
		{"atomic: a good key beside a bad one is not applied", "PATCH", v1URL, tok,
			`{"email":{"product_updates":false,"product_news":true}}`, 422, `{"error":{"code":"UNKNOWN_NOTIFICATION_KEY"}}`},
		{"...so product_updates is still true", "GET", v1URL, tok, "", 200, `{"data":{"email":{"product_updates":true}}}`},
		{"not JSON", "PATCH", v1URL, tok, `{"email":`, 400, `{"error":{"code":"INVALID_REQUEST"}}`},
		{"error carries a request id", "GET", v1URL, "", "", 401, `{"error":{"request_id":"req_00000016"}}`},
	})
}

func TestV1ShipChannel(t *testing.T) {
	s := New()
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.Ship(prefs.V1, InAppChannel)
	runExchanges(t, srv, []exchange{
		{"shipped channel is resolved", "GET", v1URL, DemoSessionToken, "", 200, `{"data":{"in_app":{"product_updates":true}}}`},
		{"and writable", "PATCH", v1URL, DemoSessionToken, `{"in_app":{"product_updates":false}}`, 200, `{"data":{"in_app":{"product_updates":false}}}`},
	})
}

func TestVastSeed(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	key := DemoVastKey
	runExchanges(t, srv, []exchange{
		{"defaults", "GET", vastURL, key, "", 200,
			`{"success":true,"notification_preferences":{"client":{"low_credit":{"email":true,"webhooks":false}}}}`},
		{"seed example put", "PUT", vastURL, key,
			`{"notification_preferences":{"client":{"low_credit":{"email":false,"webhooks":true}},"host":{"payout_sent":{"email":true}}}}`, 200,
			`{"success":true,"notification_preferences":{"client":{"low_credit":{"email":false,"webhooks":true}},"host":{"payout_sent":{"email":true}}}}`},
		{"PUT replaces: absent keys fall back to defaults", "PUT", vastURL, key,
			`{"notification_preferences":{"client":{"low_credit":{"webhooks":true}}}}`, 200,
			`{"notification_preferences":{"client":{"low_credit":{"email":true,"webhooks":true}},"host":{"payout_sent":{"email":false}}}}`},
		{"bad key", "GET", vastURL, "nope", "", 401, `{"success":false,"error":"auth_error"}`},
		{"v1 token is not a vast key", "GET", vastURL, DemoSessionToken, "", 401, `{"success":false}`},
		{"another user's document", "GET", "/api/v0/users/1/notification-prefs/", key, "", 403, `{"success":false,"error":"forbidden"}`},
		{"unknown key", "PUT", vastURL, key, `{"notification_preferences":{"client":{"low_credit":{"sms":true}}}}`, 400,
			`{"error":"unknown_notification_key","msg":"unknown notification key(s): client.low_credit.sms"}`},
		{"mandatory key off", "PUT", vastURL, key, `{"notification_preferences":{"client":{"billing_failed":{"email":false}}}}`, 400,
			`{"error":"mandatory_notification","msg":"mandatory notification(s) cannot be disabled: client.billing_failed.email"}`},
		{"mandatory key on is fine", "PUT", vastURL, key, `{"notification_preferences":{"client":{"billing_failed":{"email":true}}}}`, 200, `{"success":true}`},
		{"non-boolean", "PUT", vastURL, key, `{"notification_preferences":{"client":{"low_credit":{"email":null}}}}`, 400, `{"error":"invalid_value"}`},
		{"wrong depth", "PUT", vastURL, key, `{"notification_preferences":{"client":{"low_credit":true}}}`, 400, `{"error":"invalid_value"}`},
		{"missing document", "PUT", vastURL, key, `{}`, 400, `{"error":"invalid_request"}`},
		{"failed PUT changed nothing", "GET", vastURL, key, "", 200, `{"notification_preferences":{"client":{"low_credit":{"email":true,"webhooks":false}}}}`},
	})
}

func TestFaults(t *testing.T) {
	s := New()
	srv := httptest.NewServer(s)
	defer srv.Close()

	s.Inject(Fault{Status: 429, RetryAfter: "3", Times: 2})
	for i := range 2 {
		status, h, got := call(t, srv, "GET", v1URL, DemoSessionToken, "")
		if status != 429 || h.Get("Retry-After") != "3" || !contains(got, map[string]any{"error": map[string]any{"code": "RATE_LIMITED"}}) {
			t.Fatalf("attempt %d: %d %v %v", i, status, h, got)
		}
	}
	if status, _, _ := call(t, srv, "GET", v1URL, DemoSessionToken, ""); status != 200 {
		t.Fatalf("fault outlived Times: %d", status)
	}

	s.Inject(Fault{Nth: 2, Status: 503})
	if st, _, _ := call(t, srv, "GET", vastURL, DemoVastKey, ""); st != 200 {
		t.Fatalf("1st = %d", st)
	}
	if st, _, got := call(t, srv, "GET", vastURL, DemoVastKey, ""); st != 503 || got["error"] != "injected_fault" {
		t.Fatalf("2nd = %d %v, want the vastai error body", st, got)
	}

	// A write applied and then dropped: the client sees no answer, the server has the change.
	s.Inject(Fault{Method: "PATCH", DropAfterApply: true, Times: 1})
	req, _ := http.NewRequest("PATCH", srv.URL+v1URL, strings.NewReader(`{"email":{"delivery_alerts":false}}`))
	req.Header.Set("Authorization", "Bearer "+DemoSessionToken)
	if resp, err := srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("dropped connection answered")
	}
	if s.Document(prefs.V1)["email.delivery_alerts"] != false {
		t.Fatal("the dropped write was not applied")
	}

	// Latency past the caller's patience: not served.
	s.Inject(Fault{Method: "PATCH", Latency: 5 * time.Second, Times: 1})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ = http.NewRequest("PATCH", srv.URL+v1URL, strings.NewReader(`{"email":{"delivery_alerts":true}}`))
	req.Header.Set("Authorization", "Bearer "+DemoSessionToken)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("slow request answered within the timeout")
	}
	// Wait, without a fixed sleep a loaded machine could outlast, for the
	// handler to notice and journal the abandoned request.
	for deadline := time.Now().Add(4 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if j := s.Journal(); j[len(j)-1].Fault != "" {
			break
		}
	}
	if s.Document(prefs.V1)["email.delivery_alerts"] != false {
		t.Fatal("a write whose caller gave up was applied")
	}

	j := s.Journal()
	last := j[len(j)-1]
	if last.Status != statusDropped || last.Fault != "latency 5s" {
		t.Fatalf("journal last = %v", last)
	}
	if s.Count("PATCH") != 2 || s.Count("GET") != 5 {
		t.Fatalf("journal counts PATCH=%d GET=%d: %v", s.Count("PATCH"), s.Count("GET"), j)
	}
}

func TestFaultRateAndHTML(t *testing.T) {
	s := New()
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.Inject(Fault{Rate: 0.5, Status: 502, Body: HTMLBadGateway})
	failed := 0
	for range 200 {
		req, _ := http.NewRequest("GET", srv.URL+v1URL, nil)
		req.Header.Set("Authorization", "Bearer "+DemoSessionToken)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 502 {
			failed++
			if !strings.Contains(string(body), "<html>") {
				t.Fatalf("502 body %q", body)
			}
		}
	}
	if failed < 70 || failed > 130 {
		t.Fatalf("%d of 200 failed at rate 0.5", failed)
	}
}

// The second vastai user has a document of its own, which the demo user's
// key cannot reach and which changes to the demo user's leave alone.
func TestVastSecondUser(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	otherURL := "/api/v0/users/5151/notification-prefs/"
	runExchanges(t, srv, []exchange{
		{"demo user writes its own", "PUT", vastURL, DemoVastKey,
			`{"notification_preferences":{"client":{"low_credit":{"webhooks":true}}}}`, 200, `{"success":true}`},
		{"other user still has defaults", "GET", otherURL, OtherVastKey, "", 200,
			`{"notification_preferences":{"client":{"low_credit":{"webhooks":false}}}}`},
		{"demo key cannot read the other user", "GET", otherURL, DemoVastKey, "", 403, `{"error":"forbidden"}`},
		{"other key cannot read the demo user", "GET", vastURL, OtherVastKey, "", 403, `{"error":"forbidden"}`},
	})
}

// A change held back with SetBeforeNextWrite lands just before the next
// write of its dialect, not before reads and not before the other
// dialect's writes, and only once.
func TestSetBeforeNextWrite(t *testing.T) {
	s := New()
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.SetBeforeNextWrite(prefs.V1, prefs.Document{"email.product_updates": false})
	runExchanges(t, srv, []exchange{
		{"a read does not trigger it", "GET", v1URL, DemoSessionToken, "", 200, `{"data":{"email":{"product_updates":true}}}`},
		{"nor a write of the other dialect", "PUT", vastURL, DemoVastKey,
			`{"notification_preferences":{"client":{"low_credit":{"webhooks":true}}}}`, 200, `{"success":true}`},
		{"the next PATCH sees it, beside its own change", "PATCH", v1URL, DemoSessionToken, `{"email":{"billing_receipts":false}}`, 200,
			`{"data":{"email":{"product_updates":false,"billing_receipts":false}}}`},
		{"a later PATCH is served as usual", "PATCH", v1URL, DemoSessionToken, `{"email":{"product_updates":true}}`, 200,
			`{"data":{"email":{"product_updates":true}}}`},
	})
	s.WithdrawBeforeNextWrite(prefs.V1, "email.billing_receipts")
	runExchanges(t, srv, []exchange{
		{"a withdrawal waits for the next write", "GET", v1URL, DemoSessionToken, "", 200, `{"data":{"email":{"billing_receipts":false}}}`},
		{"which meets it", "PATCH", v1URL, DemoSessionToken, `{"email":{"billing_receipts":true}}`, 422,
			`{"error":{"code":"UNKNOWN_NOTIFICATION_KEY","details":{"email.billing_receipts":"unknown toggle"}}}`},
	})
}

// A write of a key whose writes the server ignores succeeds, and answers
// with the value the key kept, in both dialects; other keys of the same
// write change as usual.
func TestIgnoreWrites(t *testing.T) {
	s := New()
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.IgnoreWrites(prefs.V1, "email.product_updates")
	s.IgnoreWrites(prefs.VastAI, "client.low_credit.webhooks")
	runExchanges(t, srv, []exchange{
		{"v1: the ignored key keeps its value, the other changes", "PATCH", v1URL, DemoSessionToken,
			`{"email":{"product_updates":false,"billing_receipts":false}}`, 200,
			`{"data":{"email":{"product_updates":true,"billing_receipts":false}}}`},
		{"vastai: the ignored key keeps its value, the other changes", "PUT", vastURL, DemoVastKey,
			`{"notification_preferences":{"client":{"low_credit":{"webhooks":true,"email":false}}}}`, 200,
			`{"notification_preferences":{"client":{"low_credit":{"webhooks":false,"email":false}}}}`},
	})
	if status, _, _ := call(t, srv, "POST", "/_mock/ignore", "", `{"api": "v1", "keys": ["email.billing_receipts"]}`); status != 200 {
		t.Fatalf("/_mock/ignore answered %d", status)
	}
	runExchanges(t, srv, []exchange{
		{"v1: a key ignored through the admin endpoint keeps its value", "PATCH", v1URL, DemoSessionToken,
			`{"email":{"billing_receipts":true}}`, 200, `{"data":{"email":{"billing_receipts":false}}}`},
	})
	s.Reset()
	runExchanges(t, srv, []exchange{
		{"reset ends it", "PATCH", v1URL, DemoSessionToken, `{"email":{"product_updates":false}}`, 200,
			`{"data":{"email":{"product_updates":false}}}`},
	})
}

// The current-user endpoint names the key's user; a read-only key reads
// the preferences and cannot change them.
func TestVastCurrentUserAndReadOnlyKey(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	runExchanges(t, srv, []exchange{
		{"current user", "GET", "/api/v0/users/current/", DemoVastKey, "", 200, `{"id":4242}`},
		{"the other user's key", "GET", "/api/v0/users/current/", OtherVastKey, "", 200, `{"id":5151}`},
		{"no key", "GET", "/api/v0/users/current/", "", "", 401, `{"success":false,"error":"auth_error"}`},
		{"read-only key reads", "GET", vastURL, ReadOnlyVastKey, "", 200, `{"success":true}`},
		{"read-only key cannot write", "PUT", vastURL, ReadOnlyVastKey, `{"notification_preferences":{}}`, 403,
			`{"success":false,"error":"permission_denied","msg":"this API key's permissions allow user_read, not user_write"}`},
	})
}
