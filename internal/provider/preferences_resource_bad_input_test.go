package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// A server answering with something other than its documented envelope
// fails the run with a diagnostic that shows what came back; state and the
// server are untouched, and the next plan is clean once the server is back.
func TestAccPreferencesResource_BadServerAnswers(t *testing.T) {
	t.Parallel()
	v1, vast := dialectCases[0], dialectCases[1]
	tests := []struct {
		name string
		dc   dialectCase
		body string
		want *regexp.Regexp
	}{
		{"200 with success false", v1, `{"success":false,"error":{"code":"MAINTENANCE","message":"down for maintenance","request_id":"r-9"}}`,
			expectAll(`Notification API Error`, words("HTTP 200 (MAINTENANCE): down for maintenance [request id r-9]"))},
		{"200 with success false (vastai)", vast, `{"success":false,"error":"maintenance","msg":"down for maintenance"}`,
			expectAll(`Notification API Error`, words("HTTP 200 (maintenance): down for maintenance"))},
		{"not JSON", v1, `<html><body>Welcome to nginx!</body></html>`,
			expectAll(`Unexpected Response from the Notification API`, words("(the body is not JSON:"), `Welcome to nginx`, words("Check that endpoint points at the notification API itself"))},
		{"truncated JSON", v1, `{"success":true,"data":{"email":{"product_updates":tr`,
			expectAll(`Unexpected Response from the Notification API`, words("the body is empty or truncated"))},
		{"document of the wrong shape", v1, `{"success":true,"data":{"email":true}}`,
			expectAll(`Unexpected Response from the Notification API`, words(`document has a boolean at "email" where an object was expected`))},
		{"document of the wrong shape (vastai)", vast, `{"success":true,"notification_preferences":{"client":{"low_credit":true}}}`,
			expectAll(`Unexpected Response from the Notification API`, words(`at "client.low_credit" where an object was expected`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock, url := startMock(t)
			dc := tt.dc
			// keep: the harness's final destroy must not write either.
			config := dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, "  on_destroy = \"keep\"\n"))
			var writes int
			cliTest(t, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: func() {
							writes = mock.Count("PATCH") + mock.Count("PUT")
							mock.Inject(mockapi.Fault{Method: "GET", Status: 200, Body: tt.body, Times: 1})
						},
						Config:      config,
						ExpectError: tt.want,
					},
					{Config: config, PlanOnly: true}, // state untouched: nothing to do
				},
			})
			if got := mock.Count("PATCH") + mock.Count("PUT"); got != writes {
				t.Fatalf("%d writes after the bad answer", got-writes)
			}
			if mock.Document(dc.dialect)[dc.keyA] != !dc.defaultA {
				t.Fatal("the server's value changed")
			}
		})
	}
}

// A generated map of thousands of keys the server does not know fails
// plan with ten keys shown at their lines and one summary, not thousands
// of diagnostics.
func TestAccPreferencesResource_ManyBadKeys(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	var body strings.Builder
	body.WriteString("  preferences = {\n")
	for i := range manyKeys {
		fmt.Fprintf(&body, "    \"email.generated_%05d\" = true\n", i)
	}
	body.WriteString("  }\n")
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:   dc.resourceConfig(url, body.String()),
			PlanOnly: true,
			ExpectError: expectAll(`More Notification Keys Cannot Be Written`,
				words(fmt.Sprintf("%d declared keys have problems; the first 10 are shown, each at its key, and %d more are not.", manyKeys, manyKeys-10)),
				pointsAt("email.generated_00000"), pointsAt("email.generated_00009")),
		}},
	})
	expectNoWrites(t, mock)
}
