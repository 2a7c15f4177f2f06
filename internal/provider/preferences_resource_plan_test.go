package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Every configuration the API would refuse fails at plan, at the key, with
// what is wrong and what to do, and nothing is written.
func TestAccPreferencesResource_PlanDiagnostics(t *testing.T) {
	t.Parallel()
	v1, vast := dialectCases[0], dialectCases[1]
	tests := []struct {
		name  string
		dc    dialectCase
		token string // overrides the dialect's token
		body  string
		want  *regexp.Regexp
	}{
		{"malformed key", v1, "", oneKey("Email.digest", `true`),
			expectAll(`Malformed Notification Key`, pointsAt("Email.digest"), words(`"Email" has 'E'; use only lowercase letters, digits and underscores`))},
		{"empty segment", vast, "", oneKey("client..email", `true`),
			expectAll(`Malformed Notification Key`, pointsAt("client..email"), words("segment 2 is empty"))},
		{"wrong depth for v1", v1, "", oneKey("client.low_credit.email", `true`),
			expectAll(`Malformed Notification Key`, pointsAt("client.low_credit.email"), words(`has 3 segment(s); a v1 key has 2, like "email.weekly_usage_digest".`))},
		{"wrong depth for vastai", vast, "", oneKey("email.weekly_usage_digest", `true`),
			expectAll(`Malformed Notification Key`, pointsAt("email.weekly_usage_digest"), words(`a vastai key has 3`))},
		{"null value", v1, "", oneKey("email.weekly_usage_digest", `null`),
			expectAll(`Notification Preference Has No Value`, pointsAt("email.weekly_usage_digest"), words("Set it to true or false, or remove the key to stop managing it."))},
		{"non-boolean value", v1, "", oneKey("email.weekly_usage_digest", `"maybe"`),
			expectAll(`Incorrect attribute value type|Inappropriate value`, words("a bool is required"))},
		{"empty preferences", v1, "", `  preferences = {}`,
			expectAll(`Invalid Attribute Value`, words("must contain at least 1 elements"))},
		{"immutable key", v1, "", oneKey("email.security_alerts", `false`),
			expectAll(`Notification Key Cannot Be Changed`, pointsAt("email.security_alerts"), words("(IMMUTABLE_NOTIFICATION_KEY): critical security alerts are not user-toggleable. Remove it from preferences."))},
		{"mandatory key off", vast, "", oneKey("client.billing_failed.email", `false`),
			expectAll(`Notification Key Cannot Be Changed`, pointsAt("client.billing_failed.email"), words("(mandatory_notification): billing failure emails are mandatory"))},
		{"unknown toggle", v1, "", oneKey("email.weekly_usage_digst", `true`),
			expectAll(`Unknown Notification Key`, pointsAt("email.weekly_usage_digst"), words(`(UNKNOWN_NOTIFICATION_KEY). Did you mean "email.weekly_usage_digest"?`))},
		{"unknown channel", v1, "", oneKey("in_app.product_updates", `true`),
			expectAll(`Unknown Notification Key`, pointsAt("in_app.product_updates"), words(`The notification_preferences data source lists every key the server knows.`))},
		{"unknown vastai key", vast, "", oneKey("client.low_credit.webhook", `true`),
			expectAll(`Unknown Notification Key`, pointsAt("client.low_credit.webhook"), words(`Did you mean "client.low_credit.webhooks"?`))},
		{"API key instead of a session", v1, mockapi.DemoAPIKey, oneKey("email.weekly_usage_digest", `true`),
			expectAll(`Notification API Needs a User Session Token`, words("HTTP 403 (USER_REQUIRED)"), `request id req_`, words("Set token (or NOTIFICATION_TOKEN) to a user session token"))},
		{"bad v1 token", v1, "expired", oneKey("email.weekly_usage_digest", `true`),
			expectAll(`Notification API Rejected the Token`, words("HTTP 401 (UNAUTHORIZED): authentication failed"), words("valid, unexpired user session token"))},
		{"bad vastai key", vast, "expired", oneKey("client.low_credit.email", `true`),
			expectAll(`Notification API Rejected the Token`, words("HTTP 401 (auth_error)"), words("valid Vast.ai API key"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock, url := startMock(t)
			dc := tt.dc
			if tt.token != "" {
				dc.token = tt.token
			}
			cliTest(t, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: dc.resourceConfig(url, tt.body), PlanOnly: true, ExpectError: tt.want},
				},
			})
			expectNoWrites(t, mock)
		})
	}
}

// Several bad keys are each reported at their own line, in one plan.
func TestAccPreferencesResource_PlanDiagnosticsEveryKey(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	body := prefsBody(prefs.Document{"email.weekly_usage_digst": true, "email.security_alerts": true, "email.product_updates": false}, "")
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: dc.resourceConfig(url, body), PlanOnly: true,
			ExpectError: expectAll(pointsAt("email.security_alerts"), `IMMUTABLE_NOTIFICATION_KEY`, pointsAt("email.weekly_usage_digst"), `UNKNOWN_NOTIFICATION_KEY`),
		}},
	})
	expectNoWrites(t, mock)
	if n := mock.Count("GET"); n != 1 {
		t.Fatalf("the plan read the document %d times, want once for every check", n)
	}
}

// When the provider configuration is unknown at plan (here the token comes
// from a resource), the key check waits for apply and still runs before
// anything is written.
func TestAccPreferencesResource_CheckDeferredToApply(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	config := fmt.Sprintf(`
resource "terraform_data" "token" {
  input = %q
}

provider "notification" {
  endpoint = %q
  token    = terraform_data.token.output
}

resource "notification_preferences" "me" {
%s}
`, mockapi.DemoSessionToken, url, oneKey("email.weekly_usage_digst", "true"))
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: expectAll(`Unknown Notification Key`, pointsAt("email.weekly_usage_digst"), `Did you mean`),
		}},
	})
	expectNoWrites(t, mock)
}

// A key whose value is only known at apply is still checked at plan.
func TestAccPreferencesResource_UnknownValueKeyChecked(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	config := dialectCases[0].providerBlock(url) + `
resource "terraform_data" "value" {
  input = true
}
` + resourceBlock(oneKey("email.weekly_usage_digst", "terraform_data.value.output"))
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: config, PlanOnly: true,
			ExpectError: expectAll(`Unknown Notification Key`, pointsAt("email.weekly_usage_digst"), `Did you mean`),
		}},
	})
	expectNoWrites(t, mock)
}

// An error the API gives at apply is shown at the key it names, with the
// API's code, message and request id; the failed write leaves state as it
// was, so the change is still pending afterwards.
func TestAccPreferencesResource_ApplyErrorAtKey(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	before := dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: true}, ""))
	after := dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: false}, ""))
	refusal := `{"success":false,"error":{"code":"IMMUTABLE_NOTIFICATION_KEY","message":"notification key is locked by your organisation","request_id":"req_locked","details":{"email.weekly_usage_digest":"locked by your organisation"}}}`
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: before},
			{
				PreConfig: func() { mock.Inject(mockapi.Fault{Method: "PATCH", Status: 422, Body: refusal, Times: 1}) },
				Config:    after,
				ExpectError: expectAll(`Notification API Refused "email.weekly_usage_digest"`, pointsAt("email.weekly_usage_digest"),
					words("locked by your organisation."), words("HTTP 422 (IMMUTABLE_NOTIFICATION_KEY)"), `request id req_locked`, words("remove it from preferences")),
			},
			{
				Config:   after,
				PlanOnly: true, ExpectNonEmptyPlan: true, // state still says true
			},
			{
				Config:           after,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)}},
				Check:            expectServer(mock, dc.dialect, prefs.Document{dc.keyA: false}),
			},
		},
	})
}
