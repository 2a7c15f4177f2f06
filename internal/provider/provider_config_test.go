package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Bad provider configuration fails plan naming the argument and its
// environment variable, before any request.
func TestAccProvider_ConfigurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, block string
		want        *regexp.Regexp
	}{
		{"missing endpoint", `token = "t"`,
			expectAll(`Missing Notification API Endpoint`, words(`Set the "endpoint" argument in the provider block or the NOTIFICATION_ENDPOINT environment variable.`))},
		{"endpoint without scheme", `endpoint = "api.example.com"
  token = "t"`,
			expectAll(`Invalid Notification API Endpoint`, words(`endpoint "api.example.com" must start with https://`), `NOTIFICATION_ENDPOINT`)},
		{"unparsable endpoint", `endpoint = "https://exa mple.com"
  token = "t"`,
			expectAll(`Invalid Notification API Endpoint`, words(`is not a URL`))},
		{"missing token", `endpoint = "https://api.example.com"`,
			expectAll(`Missing Notification API Token`, `NOTIFICATION_TOKEN`)},
		{"api typo", `endpoint = "https://api.example.com"
  token = "t"
  api = "vast"`,
			expectAll(`Invalid Attribute Value Match`, words(`value must be one of: ["v1" "vastai"], got: "vast"`))},
		{"vastai without a key", `api = "vastai"`,
			expectAll(`Missing Notification API Token`, words(`VAST_API_KEY, which the vast CLI reads, works too.`), `NOTIFICATION_TOKEN`)},
		{"bad timeout", `endpoint = "https://api.example.com"
  token = "t"
  request_timeout = "soon"`,
			expectAll(`Invalid Request Timeout`, words(`"soon" is not a positive duration; write it like 30s or 2m.`), `NOTIFICATION_REQUEST_TIMEOUT`)},
		{"too many retries", `endpoint = "https://api.example.com"
  token = "t"
  max_retries = 99`,
			expectAll(`Invalid Attribute Value`, words(`max_retries value must be between 0 and 10, got: 99`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cliTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "notification" {
  %s
}

data "notification_preferences" "current" {}
`, tt.block),
					PlanOnly:    true,
					ExpectError: tt.want,
				}},
			})
		})
	}
}

// endpoint, token, api and user_id can come from the environment instead:
// the id is the vastai user's, read from the mock at the endpoint with the
// token. (TestAccProvider_EnvironmentTuning proves request_timeout and
// max_retries.)
func TestAccProvider_EnvironmentVariables(t *testing.T) {
	_, url := startMock(t)
	t.Setenv("NOTIFICATION_ENDPOINT", url)
	t.Setenv("NOTIFICATION_TOKEN", mockapi.DemoVastKey)
	t.Setenv("NOTIFICATION_API", "vastai")
	t.Setenv("NOTIFICATION_USER_ID", fmt.Sprint(mockapi.DemoVastUser))
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:            `data "notification_preferences" "current" {}`,
			ConfigStateChecks: []statecheck.StateCheck{expectID(dataSourceName, fmt.Sprint(mockapi.DemoVastUser))},
		}},
	})
}

// With api = "vastai" the endpoint defaults to Vast.ai's server, the token
// to VAST_API_KEY; neither default applies to v1.
func TestVastDefaults(t *testing.T) {
	t.Setenv("NOTIFICATION_ENDPOINT", "")
	t.Setenv("NOTIFICATION_TOKEN", "")
	t.Setenv("VAST_API_KEY", "from-vast-cli")
	vast := providerModel{API: types.StringValue("vastai"), UserID: types.Int64Value(4242)}
	cfg, diags := vast.clientConfig("test", "1.8.5")
	if diags.HasError() || cfg.Endpoint != VastEndpoint || cfg.Token != "from-vast-cli" {
		t.Fatalf("vastai: endpoint %q, token %q, %v; want %s and VAST_API_KEY", cfg.Endpoint, cfg.Token, diags, VastEndpoint)
	}
	explicit := providerModel{API: types.StringValue("vastai"), Token: types.StringValue("t")}
	if cfg, _ := explicit.clientConfig("test", "1.8.5"); cfg.Token != "t" {
		t.Fatalf("token %q: VAST_API_KEY must not override a configured token", cfg.Token)
	}
	if _, diags := (providerModel{}).clientConfig("test", "1.8.5"); diags.ErrorsCount() != 2 {
		t.Fatalf("v1 without endpoint and token: %v; want both missing, VAST_API_KEY is not a v1 token", diags)
	}
}

// provider "notification" { api = "vastai" } and VAST_API_KEY make a whole
// configuration (here with the mock's endpoint): the user comes from the
// key, asked once per run.
func TestAccProvider_VastaiFromVastAPIKey(t *testing.T) {
	mock, url := startMock(t)
	t.Setenv("VAST_API_KEY", mockapi.DemoVastKey)
	config := fmt.Sprintf(`
provider "notification" {
  api      = "vastai"
  endpoint = %[1]q
}
`, url) + resourceBlock(prefsBody(prefs.Document{"client.low_credit.webhooks": true}, ""))
	lookups := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			n := 0
			for _, e := range mock.Journal() {
				if e.Path == "/api/v0/users/current/" {
					n++
				}
			}
			if n != want {
				return fmt.Errorf("%d user look-ups, want %d (one per run: plan, apply)", n, want)
			}
			return nil
		}
	}
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			PreConfig:         mock.ResetJournal,
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{expectID(resourceName, "4242")},
			Check:             resource.ComposeAggregateTestCheckFunc(expectServer(mock, prefs.VastAI, prefs.Document{"client.low_credit.webhooks": true}), lookups(2)),
		}},
	})
}

// A key that may read but not write fails at the write saying so.
func TestAccProvider_VastaiReadOnlyKey(t *testing.T) {
	t.Parallel()
	dc := dialectCases[1]
	dc.token = mockapi.ReadOnlyVastKey
	_, url := startMock(t)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, "")),
			ExpectError: expectAll(`API Key Cannot Change Preferences`, words("allow user_read, not user_write"), words("Create a key with user_write")),
		}},
	})
}

// NOTIFICATION_REQUEST_TIMEOUT and NOTIFICATION_MAX_RETRIES take effect:
// with the defaults (30 s, 4 retries) both reads below would succeed.
func TestAccProvider_EnvironmentTuning(t *testing.T) {
	dc := dialectCases[0]
	config := `
data "notification_preferences" "current" {}
`
	t.Run("request timeout", func(t *testing.T) {
		mock, url := startMock(t)
		t.Setenv("NOTIFICATION_REQUEST_TIMEOUT", "300ms")
		t.Setenv("NOTIFICATION_MAX_RETRIES", "0")
		mock.Inject(mockapi.Fault{Method: "GET", Latency: 3 * time.Second, Times: 1})
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url) + config, PlanOnly: true,
				ExpectError: expectAll(`Could Not Reach the Notification API`, words("No answer came within request_timeout.")),
			}},
		})
	})
	t.Run("max retries", func(t *testing.T) {
		mock, url := startMock(t)
		t.Setenv("NOTIFICATION_MAX_RETRIES", "1")
		mock.Inject(mockapi.Fault{Method: "GET", Status: 503, Times: 2})
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url) + config, PlanOnly: true,
				ExpectError: expectAll(`HTTP 503`, words("The request was sent 2 times")),
			}},
		})
	})
}

// A bad value in an environment variable is an error naming the variable:
// the schema's validators see only the provider block, so these are the
// provider's own checks.
func TestAccProvider_BadEnvironmentValue(t *testing.T) {
	for _, tt := range []struct {
		env, value string
		want       *regexp.Regexp
	}{
		{"NOTIFICATION_USER_ID", "forty-two", expectAll(`Invalid Vast.ai User ID`, words(`"forty-two" is not a positive whole number.`), `NOTIFICATION_USER_ID`)},
		{"NOTIFICATION_API", "vast", expectAll(`Unknown Notification API Dialect`, words(`unknown API dialect "vast": expected one of "v1" or "vastai".`), `NOTIFICATION_API`)},
		{"NOTIFICATION_MAX_RETRIES", "11", expectAll(`Invalid max_retries`, words(`"11" is not a whole number from 0 to 10.`), `NOTIFICATION_MAX_RETRIES`)},
		{"NOTIFICATION_REQUEST_TIMEOUT", "-1s", expectAll(`Invalid Request Timeout`, words(`"-1s" is not a positive duration`), `NOTIFICATION_REQUEST_TIMEOUT`)},
	} {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			cliTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: `
provider "notification" {
  endpoint = "https://api.example.com"
  token    = "t"
}

data "notification_preferences" "current" {}
`,
					PlanOnly:    true,
					ExpectError: tt.want,
				}},
			})
		})
	}
}

// Diagnostics say only what happened: a 500 was not retried, and the path
// named is the one requested, the endpoint's own path included.
func TestAccProvider_ErrorsSayWhatHappened(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	dataSource := `
data "notification_preferences" "current" {}
`
	for _, tt := range []struct {
		name, extra string
		status      int
		want        *regexp.Regexp
		sent        int
	}{
		{"500 is not retried", "", 500, expectAll(`HTTP 500`, words("such an answer is not retried")), 1},
		{"503 says how often it was sent", "max_retries = 1", 503, expectAll(`HTTP 503`, words("The request was sent 2 times")), 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock, url := startMock(t)
			mock.Inject(mockapi.Fault{Status: tt.status, Times: 10})
			cliTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: dc.providerBlock(url, tt.extra) + dataSource, PlanOnly: true, ExpectError: tt.want,
				}},
			})
			if n := mock.Count("GET"); n != tt.sent {
				t.Fatalf("the request was sent %d times, want %d", n, tt.sent)
			}
		})
	}
	t.Run("endpoint with a path", func(t *testing.T) {
		t.Parallel()
		_, url := startMock(t)
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url+"/v1") + dataSource, PlanOnly: true,
				ExpectError: expectAll(words("GET /v1/v1/me/notifications with HTTP 404")),
			}},
		})
	})
}
