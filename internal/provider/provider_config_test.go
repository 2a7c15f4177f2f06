package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
)

// Bad provider configuration fails plan naming the argument and its
// environment variable, before any request.
func TestAccProvider_ConfigurationErrors(t *testing.T) {
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
		{"vastai without user_id", `endpoint = "https://api.example.com"
  token = "t"
  api = "vastai"`,
			expectAll(`Missing Vast.ai User ID`, words(`api = "vastai" needs user_id.`), `NOTIFICATION_USER_ID`)},
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
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
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

// Every argument can come from the environment instead.
func TestAccProvider_EnvironmentVariables(t *testing.T) {
	_, url := startMock(t)
	testAccPreCheck(t)
	t.Setenv("NOTIFICATION_ENDPOINT", url)
	t.Setenv("NOTIFICATION_TOKEN", mockapi.DemoVastKey)
	t.Setenv("NOTIFICATION_API", "vastai")
	t.Setenv("NOTIFICATION_USER_ID", fmt.Sprint(mockapi.DemoVastUser))
	t.Setenv("NOTIFICATION_REQUEST_TIMEOUT", "5s")
	t.Setenv("NOTIFICATION_MAX_RETRIES", "2")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            `data "notification_preferences" "current" {}`,
			ConfigStateChecks: []statecheck.StateCheck{expectID(dataSourceName, "4242")},
		}},
	})
}

// NOTIFICATION_REQUEST_TIMEOUT and NOTIFICATION_MAX_RETRIES take effect:
// with the defaults (30 s, 4 retries) both reads below would succeed.
func TestAccProvider_EnvironmentTuning(t *testing.T) {
	dc := dialectCases[0]
	config := "\ndata \"notification_preferences\" \"current\" {}\n"
	t.Run("request timeout", func(t *testing.T) {
		mock, url := startMock(t)
		testAccPreCheck(t)
		t.Setenv("NOTIFICATION_REQUEST_TIMEOUT", "300ms")
		t.Setenv("NOTIFICATION_MAX_RETRIES", "0")
		mock.Inject(mockapi.Fault{Method: "GET", Latency: 3 * time.Second, Times: 1})
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url) + config, PlanOnly: true,
				ExpectError: expectAll(`Could Not Reach the Notification API`, words("No answer came within request_timeout.")),
			}},
		})
	})
	t.Run("max retries", func(t *testing.T) {
		mock, url := startMock(t)
		testAccPreCheck(t)
		t.Setenv("NOTIFICATION_MAX_RETRIES", "1")
		mock.Inject(mockapi.Fault{Method: "GET", Status: 503, Times: 2})
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url) + config, PlanOnly: true,
				ExpectError: expectAll(`HTTP 503`, words("The request was sent 2 times")),
			}},
		})
	})
}

func TestAccProvider_BadEnvironmentValue(t *testing.T) {
	testAccPreCheck(t)
	t.Setenv("NOTIFICATION_USER_ID", "forty-two")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "notification" {
  endpoint = "https://api.example.com"
  token    = "t"
  api      = "vastai"
}

data "notification_preferences" "current" {}
`,
			PlanOnly:    true,
			ExpectError: expectAll(`Invalid Vast.ai User ID`, words(`"forty-two" is not a positive whole number.`), `NOTIFICATION_USER_ID`),
		}},
	})
}

// http:// to anything but this machine sends the token in clear: a warning
// at the endpoint argument.
func TestCleartextEndpointWarning(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"http://127.0.0.1:8080":     false,
		"http://localhost:8080":     false,
		"http://[::1]:8080":         false,
		"https://api.example.com":   false,
		"http://api.example.com":    true,
		"http://192.0.2.10:8080/v1": true,
	} {
		m := providerModel{Endpoint: types.StringValue(endpoint), Token: types.StringValue("t")}
		_, diags := m.clientConfig("test", "1.8.5")
		if got := diags.WarningsCount() == 1; got != want || diags.HasError() {
			t.Errorf("%s: warned %v, want %v (%v)", endpoint, got, want, diags)
		}
	}
}

// Diagnostics say only what happened: a 500 was not retried, and the path
// named is the one requested, the endpoint's own path included.
func TestAccProvider_ErrorsSayWhatHappened(t *testing.T) {
	dc := dialectCases[0]
	dataSource := "\ndata \"notification_preferences\" \"current\" {}\n"
	t.Run("500 is not retried", func(t *testing.T) {
		mock, url := startMock(t)
		mock.Inject(mockapi.Fault{Status: 500, Times: 10})
		resource.UnitTest(t, resource.TestCase{
			PreCheck:                 func() { testAccPreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url) + dataSource, PlanOnly: true,
				ExpectError: expectAll(`HTTP 500`, words("such an answer is not retried")),
			}},
		})
		if n := mock.Count("GET"); n != 1 {
			t.Fatalf("a 500 was sent %d times", n)
		}
	})
	t.Run("503 says how often it was sent", func(t *testing.T) {
		mock, url := startMock(t)
		mock.Inject(mockapi.Fault{Status: 503, Times: 10})
		resource.UnitTest(t, resource.TestCase{
			PreCheck:                 func() { testAccPreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url, "max_retries = 1") + dataSource, PlanOnly: true,
				ExpectError: expectAll(`HTTP 503`, words("The request was sent 2 times")),
			}},
		})
	})
	t.Run("endpoint with a path", func(t *testing.T) {
		_, url := startMock(t)
		resource.UnitTest(t, resource.TestCase{
			PreCheck:                 func() { testAccPreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: dc.providerBlock(url+"/v1") + dataSource, PlanOnly: true,
				ExpectError: expectAll(words("GET /v1/v1/me/notifications with HTTP 404")),
			}},
		})
	})
}
