package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Provider-defined functions need Terraform 1.8 or OpenTofu 1.7.
var functionsSupported = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

// vastExport is a Vast.ai GET answer, as a user would save it to a file.
const vastExport = `{"success":true,"notification_preferences":{"client":{"low_credit":{"email":true,"webhooks":false}},"host":{"payout_sent":{"email":true}}}}`

func TestFunctionFlatten(t *testing.T) {
	t.Parallel()
	cliTest(t, resource.TestCase{
		TerraformVersionChecks: functionsSupported,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
output "v1" {
  value = provider::notification::flatten({ email = { weekly_usage_digest = true, product_updates = false } })
}
output "vastai" {
  value = provider::notification::flatten(jsondecode(%q).notification_preferences)
}
`, vastExport),
				ConfigStateChecks: []statecheck.StateCheck{
					expectOutput("v1", prefs.Document{"email.weekly_usage_digest": true, "email.product_updates": false}),
					expectOutput("vastai", prefs.Document{"client.low_credit.email": true, "client.low_credit.webhooks": false, "host.payout_sent.email": true}),
				},
			},
			{
				Config:      `output "bad" { value = provider::notification::flatten({ email = { weekly_usage_digest = "yes" } }) }`,
				ExpectError: expectAll(`Invalid function argument`, words(`email.weekly_usage_digest: expected a bool, got a string`)),
			},
			{
				Config:      `output "bad" { value = provider::notification::flatten({ email = { weekly_usage_digest = null } }) }`,
				ExpectError: expectAll(words(`email.weekly_usage_digest: expected a bool, got null`)),
			},
			{
				Config:      `output "bad" { value = provider::notification::flatten({ email = { "" = true } }) }`,
				ExpectError: expectAll(words(`email: empty name`)),
			},
		},
	})
}

func TestFunctionNest(t *testing.T) {
	t.Parallel()
	cliTest(t, resource.TestCase{
		TerraformVersionChecks: functionsSupported,
		Steps: []resource.TestStep{
			{
				Config: `
output "json" {
  value = jsonencode(provider::notification::nest({ "email.weekly_usage_digest" = true, "in_app.product_updates" = false }))
}
output "round_trip" {
  value = provider::notification::flatten(provider::notification::nest({ "client.low_credit.email" = true }))
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("json", knownvalue.StringExact(`{"email":{"weekly_usage_digest":true},"in_app":{"product_updates":false}}`)),
					expectOutput("round_trip", prefs.Document{"client.low_credit.email": true}),
				},
			},
			{
				Config:      `output "bad" { value = provider::notification::nest({ "email..digest" = true }) }`,
				ExpectError: expectAll(words(`email..digest: segment 2 is empty`)),
			},
			{
				Config:      `output "bad" { value = provider::notification::nest({ "email" = true, "email.digest" = false }) }`,
				ExpectError: expectAll(words(`email: a key cannot be both a bool and an object (email.digest)`)),
			},
		},
	})
}

// Preferences adopted from a Vast.ai export with flatten are applied like
// any others.
func TestFunctionFlattenFeedsAResource(t *testing.T) {
	t.Parallel()
	dc := dialectCases[1]
	mock, url := startMock(t)
	before := mock.Document(prefs.VastAI)
	cliTest(t, resource.TestCase{
		TerraformVersionChecks: functionsSupported,
		// Keys adopted through flatten have earlier values like any others.
		CheckDestroy: expectServer(mock, prefs.VastAI, before),
		Steps: []resource.TestStep{{
			Config: dc.providerBlock(url) + fmt.Sprintf(`
resource "notification_preferences" "me" {
  preferences = provider::notification::flatten(jsondecode(%q).notification_preferences)
}
`, vastExport),
			Check: expectServer(mock, prefs.VastAI, prefs.Document{"client.low_credit.email": true, "client.low_credit.webhooks": false, "host.payout_sent.email": true}),
		}},
	})
}
