package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The helpers the provider's tests share: the mock and the two dialects'
// cases, configurations written as HCL, and checks of the mock's journal,
// the server's document, state and error messages.

// manyKeys is how many keys the tests of large maps declare: 10,000, or
// 1,000 under the race detector (make test). There the framework's work
// per map element, most of it trace logging that looks its logger up in
// the context whether or not anything is logged, is several times slower,
// and 10,000 keys took four minutes of the suite; the runs on the other
// CLIs, which CI makes without the race detector, keep the 10,000.
var manyKeys = map[bool]int{false: 10000, true: 1000}[raceDetector]

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
	keyA, keyB   string
	defaultA     bool
	defaultB     bool
	misspeltA    string
	unmanagedKey string
	// Keys the server does not know until a test ships them, with defaults.
	shipped        prefs.Document
	providerSuffix string
}

// updateGets is how many GETs a `terraform apply` that changes values of
// keys already in state makes: the refresh, and the read of the apply's
// walk that its write is decided on (a saved plan may be applied long
// after its refresh, and a vastai PUT replaces the whole document).
const updateGets = 2

var dialectCases = []dialectCase{
	{
		dialect: prefs.V1, token: mockapi.DemoSessionToken, write: "PATCH",
		keyA: "email.weekly_usage_digest", defaultA: false, keyB: "email.product_updates", defaultB: true,
		misspeltA: "email.weekly_usage_digst", unmanagedKey: "email.delivery_alerts",
		shipped: mockapi.InAppChannel,
	},
	{
		dialect: prefs.VastAI, token: mockapi.DemoVastKey, write: "PUT",
		keyA: "client.low_credit.webhooks", defaultA: false, keyB: "client.low_credit.email", defaultB: true,
		misspeltA: "client.low_credit.webhook", unmanagedKey: "host.payout_sent.email",
		shipped:        prefs.Document{"client.maintenance.email": true, "client.maintenance.webhooks": false},
		providerSuffix: fmt.Sprintf("\n  user_id = %d", mockapi.DemoVastUser),
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

// expectWrites checks the number of writes in the journal of the step so far.
func expectWrites(mock *mockapi.Server, writes int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if w := mock.Count("PATCH") + mock.Count("PUT"); w != writes {
			return fmt.Errorf("mock served %d writes, want %d:\n%v", w, writes, mock.Journal())
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

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// pointsAt matches Terraform's excerpt of the configuration line that
// declares key: the proof that a diagnostic is attached to
// preferences["<key>"] and not to the map as a whole.
func pointsAt(key string) string {
	return `\d+:\s+"` + regexp.QuoteMeta(key) + `"\s+=`
}

// words matches a phrase however Terraform wraps it.
func words(phrase string) string {
	parts := strings.Fields(phrase)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}

// oneKey declares a single key on a line of its own, as users write it.
func oneKey(key, value string) string {
	return fmt.Sprintf("  preferences = {\n    %q = %s\n  }\n", key, value)
}

func expectAll(patterns ...string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.Join(patterns, ".*"))
}

func prefsBody(values prefs.Document, extra string) string {
	s := "  preferences = {\n"
	for _, k := range values.Keys() {
		s += fmt.Sprintf("    %q = %v\n", k, values[k])
	}
	return s + "  }\n" + extra
}

// snapshot keeps the server's document as it was at a moment of a test,
// for checks that compare a write with what the server had before it.
type snapshot struct{ doc prefs.Document }

// take returns a PreConfig that records the document and forgets the
// journal, so the step's write is the last one journalled.
func (s *snapshot) take(mock *mockapi.Server, d prefs.Dialect) func() {
	return func() {
		s.doc = mock.Document(d)
		mock.ResetJournal()
	}
}

// writesOnly checks that the last write changed nothing but key: for v1 the
// PATCH names only that key; for vastai the PUT carries the whole document,
// which must be the document before the write with only key changed.
func writesOnly(mock *mockapi.Server, dc dialectCase, before *snapshot, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		change := prefs.Document{key: mock.Document(dc.dialect)[key]}
		if dc.dialect == prefs.V1 {
			return expectLastWrite(mock, mustJSON(change.Nest()))(nil)
		}
		var body struct {
			Document map[string]any `json:"notification_preferences"`
		}
		if err := json.Unmarshal([]byte(lastWriteBody(mock)), &body); err != nil {
			return fmt.Errorf("the last PUT's body is not the expected JSON: %w", err)
		}
		got, err := prefs.VastAI.Flatten(body.Document)
		if err != nil {
			return err
		}
		if want := before.doc.Overlay(change); !maps.Equal(got, want) {
			return fmt.Errorf("the PUT sent %v, want the document before it with only %s changed: %v", got, key, want)
		}
		return nil
	}
}

// vastaiFor configures the vastai provider for one of the mock's users.
func vastaiFor(url, token string, userID int) string {
	return fmt.Sprintf(`
provider "notification" {
  endpoint = %[1]q
  token    = %[2]q
  api      = "vastai"
  user_id  = %[3]d
}
`, url, token, userID)
}

// touched reports the journalled requests that reached a user's document.
func touched(mock *mockapi.Server, userID int, methods ...string) []mockapi.Entry {
	var hits []mockapi.Entry
	for _, e := range mock.Journal() {
		if !strings.Contains(e.Path, fmt.Sprintf("/users/%d/", userID)) {
			continue
		}
		for _, m := range methods {
			if e.Method == m {
				hits = append(hits, e)
			}
		}
	}
	return hits
}

func expectUntouched(mock *mockapi.Server, userID int, methods ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if hits := touched(mock, userID, methods...); len(hits) > 0 {
			return fmt.Errorf("user %d's document was reached: %v", userID, hits)
		}
		return nil
	}
}

// twoResources declares resources "a" and "b" of one provider configuration.
func twoResources(dc dialectCase, url string, a, b prefs.Document) string {
	return dc.providerBlock(url) + resourceBlockNamed("a", a) + resourceBlockNamed("b", b)
}

// resourceBlockNamed declares a notification_preferences resource.
func resourceBlockNamed(name string, values prefs.Document) string {
	return fmt.Sprintf(`
resource "notification_preferences" %[1]q {
%[2]s}
`, name, prefsBody(values, ""))
}

func expectOutput(name string, want prefs.Document) statecheck.StateCheck {
	checks := make(map[string]knownvalue.Check, len(want))
	for k, v := range want {
		checks[k] = knownvalue.Bool(v)
	}
	return statecheck.ExpectKnownOutputValue(name, knownvalue.MapExact(checks))
}

// eachDialect runs test for both dialects, in parallel with each other and
// with the other tests.
func eachDialect(t *testing.T, test func(t *testing.T, dc dialectCase)) {
	t.Parallel()
	for _, dc := range dialectCases {
		t.Run(string(dc.dialect), func(t *testing.T) {
			t.Parallel()
			test(t, dc)
		})
	}
}

// cliTest runs tc through the Terraform CLI against the provider served
// in-process, skipping when there is no CLI.
func cliTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	tc.PreCheck = func() { testAccPreCheck(t) }
	tc.ProtoV6ProviderFactories = testAccProtoV6ProviderFactories
	resource.UnitTest(t, tc)
}

// aliasedProvider configures the provider configuration alias; a userID of
// 0 leaves user_id unset.
func aliasedProvider(alias, url, token, api string, userID int) string {
	return fmt.Sprintf(`
provider "notification" {
  alias    = %[1]q
  endpoint = %[2]q
  token    = %[3]q
  api      = %[4]q
  user_id  = %[5]s
}
`, alias, url, token, api, orNull(userID))
}

// orNull writes a user id, or null for none.
func orNull(userID int) string {
	if userID == 0 {
		return "null"
	}
	return fmt.Sprint(userID)
}

// resourceWithProvider declares a notification_preferences resource of the
// provider configuration provider (an address such as notification.team).
func resourceWithProvider(name, provider string, values prefs.Document) string {
	return fmt.Sprintf(`
resource "notification_preferences" %[1]q {
  provider = %[2]s
%[3]s}
`, name, provider, prefsBody(values, ""))
}

// expectPriorPreferences checks the preferences a plan starts from, the
// refreshed state, against want: what a failed apply must leave as it was.
func expectPriorPreferences(addr string, want prefs.Document) plancheck.PlanCheck {
	return priorPreferences{addr: addr, want: want}
}

type priorPreferences struct {
	addr string
	want prefs.Document
}

func (c priorPreferences) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		got := prefs.Document{}
		values, _ := before["preferences"].(map[string]any)
		for k, v := range values {
			got[k], _ = v.(bool)
		}
		if !maps.Equal(got, c.want) {
			resp.Error = fmt.Errorf("%s's plan starts from preferences %v, want %v", c.addr, got, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("the plan has no change for %s", c.addr)
}
