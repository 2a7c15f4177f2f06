package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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
			expectAll(`Missing notification API endpoint`, words(`Set the "endpoint" argument in the provider block or the NOTIFICATION_ENDPOINT environment variable.`))},
		{"endpoint without scheme", `endpoint = "api.example.com"
  token = "t"`,
			expectAll(`Invalid notification API endpoint`, words(`endpoint "api.example.com" must start with https://`), `NOTIFICATION_ENDPOINT`)},
		{"unparsable endpoint", `endpoint = "https://exa mple.com"
  token = "t"`,
			expectAll(`Invalid notification API endpoint`, words(`is not a URL`))},
		{"missing token", `endpoint = "https://api.example.com"`,
			expectAll(`Missing notification API token`, `NOTIFICATION_TOKEN`)},
		{"api typo", `endpoint = "https://api.example.com"
  token = "t"
  api = "vast"`,
			expectAll(`Invalid Attribute Value Match`, words(`value must be one of: ["v1" "vastai"], got: "vast"`))},
		{"vastai without user_id", `endpoint = "https://api.example.com"
  token = "t"
  api = "vastai"`,
			expectAll(`Missing Vast.ai user id`, words(`api = "vastai" needs user_id.`), `NOTIFICATION_USER_ID`)},
		{"bad timeout", `endpoint = "https://api.example.com"
  token = "t"
  request_timeout = "soon"`,
			expectAll(`Invalid request timeout`, words(`"soon" is not a positive duration; write it like 30s or 2m.`), `NOTIFICATION_REQUEST_TIMEOUT`)},
		{"too many retries", `endpoint = "https://api.example.com"
  token = "t"
  max_retries = 99`,
			expectAll(`Invalid Attribute Value`, words(`max_retries value must be between 0 and 10, got: 99`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
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
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `data "notification_preferences" "current" {}`,
			Check:  resource.TestCheckResourceAttr(dataSourceName, "id", "4242"),
		}},
	})
}

func TestAccProvider_BadEnvironmentValue(t *testing.T) {
	testAccPreCheck(t)
	t.Setenv("NOTIFICATION_USER_ID", "forty-two")
	resource.Test(t, resource.TestCase{
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
			ExpectError: expectAll(`Invalid Vast.ai user id`, words(`"forty-two" is not a positive whole number.`), `NOTIFICATION_USER_ID`),
		}},
	})
}
