package provider

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// testAccProtoV6ProviderFactories serves the provider in-process, so the
// real Terraform CLI drives it while the mock runs in the test binary.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"notification": providerserver.NewProtocol6WithError(New("test")()),
}

// testAccPreCheck runs before every test that drives the Terraform CLI.
// Those run by default (resource.UnitTest, as terraform-provider-http's
// do), so plain `go test ./...` exercises the provider through the CLI
// whenever one is installed. Without one the test harness would download
// Terraform, which this project never does: the test is skipped instead.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if _, err := exec.LookPath("terraform"); err != nil {
			t.Skip("no Terraform CLI: put terraform on PATH or set TF_ACC_TERRAFORM_PATH (make test installs one)")
		}
	}
	// The provider reads these when its block leaves them out; a developer's
	// own settings must not leak into the tests.
	for _, env := range []string{"NOTIFICATION_ENDPOINT", "NOTIFICATION_TOKEN", "NOTIFICATION_API", "NOTIFICATION_USER_ID", "NOTIFICATION_REQUEST_TIMEOUT", "NOTIFICATION_MAX_RETRIES", "VAST_API_KEY"} {
		if v, ok := os.LookupEnv(env); ok {
			t.Setenv(env, v)
			os.Unsetenv(env)
		}
	}
}

// startMock serves a fresh mock API for one test.
func startMock(t *testing.T) (*mockapi.Server, string) {
	t.Helper()
	mock := mockapi.New()
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	return mock, srv.URL
}

// dialectCase is what differs between the two dialects in a test that
// proves the same behaviour for both.
type dialectCase struct {
	dialect prefs.Dialect
	token   string
	write   string // the HTTP method of a write
	// Two mutable keys, with their default values, and a misspelling of the first.
	keyA, keyB     string
	defaultA       bool
	defaultB       bool
	misspeltA      string
	unmanagedKey   string
	providerSuffix string
	// GETs a `terraform apply` that changes values of keys already in state
	// makes: the refresh, and for vastai the read its whole-document PUT
	// is built on.
	updateGets int
}

var dialectCases = []dialectCase{
	{
		dialect: prefs.V1, token: mockapi.DemoSessionToken, write: "PATCH",
		keyA: "email.weekly_usage_digest", defaultA: false, keyB: "email.product_updates", defaultB: true,
		misspeltA: "email.weekly_usage_digst", unmanagedKey: "email.delivery_alerts",
		updateGets: 1,
	},
	{
		dialect: prefs.VastAI, token: mockapi.DemoVastKey, write: "PUT",
		keyA: "client.low_credit.webhooks", defaultA: false, keyB: "client.low_credit.email", defaultB: true,
		misspeltA: "client.low_credit.webhook", unmanagedKey: "host.payout_sent.email",
		providerSuffix: fmt.Sprintf("\n  user_id = %d", mockapi.DemoVastUser),
		updateGets:     2,
	},
}

// id is the resource id of the dialect's demo document.
func (dc dialectCase) id() string {
	if dc.dialect == prefs.VastAI {
		return fmt.Sprint(mockapi.DemoVastUser)
	}
	return "me"
}

// providerBlock configures the provider for the mock at url, with any
// extra arguments given as lines.
func (dc dialectCase) providerBlock(url string, extra ...string) string {
	var lines string
	for _, l := range extra {
		lines += "\n  " + l
	}
	return fmt.Sprintf(`
provider "notification" {
  endpoint = %q
  token    = %q
  api      = %q%s%s
}
`, url, dc.token, dc.dialect, dc.providerSuffix, lines)
}

// resourceConfig configures the provider and a notification_preferences
// resource "me" with the given body.
func (dc dialectCase) resourceConfig(url, body string) string {
	return dc.providerBlock(url) + resourceBlock(body)
}

func resourceBlock(body string) string {
	return fmt.Sprintf(`
resource "notification_preferences" "me" {
%s
}
`, body)
}

// expectRequests checks the journal of the step so far, then forgets it.
func expectRequests(mock *mockapi.Server, gets, writes int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		defer mock.ResetJournal()
		g, w := mock.Count("GET"), mock.Count("PATCH")+mock.Count("PUT")
		if g != gets || w != writes {
			return fmt.Errorf("mock served %d GET and %d writes, want %d and %d:\n%v", g, w, gets, writes, mock.Journal())
		}
		return nil
	}
}

// expectServer checks values on the mock.
func expectServer(mock *mockapi.Server, d prefs.Dialect, want prefs.Document) resource.TestCheckFunc {
	return func(*terraform.State) error {
		doc := mock.Document(d)
		for k, v := range want {
			if got, ok := doc[k]; !ok || got != v {
				return fmt.Errorf("server has %s = %v (present %v), want %v", k, got, ok, v)
			}
		}
		return nil
	}
}

// expectNoWrites fails the test if the mock ever received a write.
func expectNoWrites(t *testing.T, mock *mockapi.Server) {
	t.Helper()
	for _, e := range mock.Journal() {
		if e.Method == "PATCH" || e.Method == "PUT" {
			t.Fatalf("a refused configuration reached the API: %v", e)
		}
	}
}

// lastWriteBody returns the body of the latest write the mock received.
func lastWriteBody(mock *mockapi.Server) string {
	j := mock.Journal()
	for i := len(j) - 1; i >= 0; i-- {
		if j[i].Method == "PATCH" || j[i].Method == "PUT" {
			return j[i].Body
		}
	}
	return ""
}

func expectLastWrite(mock *mockapi.Server, body string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := lastWriteBody(mock); got != body {
			return fmt.Errorf("last write sent %s, want %s", got, body)
		}
		return nil
	}
}

// expectPreferences checks that addr's preferences are exactly want: the
// same keys, each with the same value.
func expectPreferences(addr string, want prefs.Document) statecheck.StateCheck {
	checks := make(map[string]knownvalue.Check, len(want))
	for k, v := range want {
		checks[k] = knownvalue.Bool(v)
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("preferences"), knownvalue.MapExact(checks))
}

func expectID(addr, id string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(id))
}

func regex(s string) *regexp.Regexp {
	return regexp.MustCompile(s)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
