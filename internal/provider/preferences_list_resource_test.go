package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// querySupported skips a test on CLIs without `terraform query`: Terraform
// before 1.14, and OpenTofu, which reports its own version and has none.
var querySupported = []tfversion.TerraformVersionCheck{needsQuery{}}

type needsQuery struct{}

func (needsQuery) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	tfversion.SkipBelow(tfversion.Version1_14_0).CheckTerraformVersion(ctx, req, resp)
	if resp.Skip != "" {
		resp.Skip = fmt.Sprintf("list blocks and terraform query need Terraform 1.14 or later, this CLI is %s: skipping", req.TerraformVersion)
	}
}

const listAddress = "notification_preferences.mine"

// listBlock finds the document of provider (an address such as
// notification.team), with the resource, and the given lines of the
// config block.
func listBlock(name, provider string, config ...string) string {
	block := ""
	if len(config) > 0 {
		block = "\n  config {\n    " + strings.Join(config, "\n    ") + "\n  }"
	}
	return fmt.Sprintf(`
list "notification_preferences" %q {
  provider         = %s
  include_resource = true%s
}
`, name, provider, block)
}

// displayName is the name a result of the mock at url shows.
func displayName(url string, dc dialectCase) string {
	whose := "the signed-in user"
	if dc.dialect == prefs.VastAI {
		whose = "user " + dc.id()
	}
	return fmt.Sprintf("Notification preferences of %s (%s API at %s)", whose, dc.dialect, hostOf(url))
}

func hostOf(endpoint string) string {
	u, _ := url.Parse(endpoint)
	return u.Host
}

func expectIdentity(address, id string) querycheck.QueryResultCheck {
	return querycheck.ExpectIdentity(address, map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
}

// expectListed checks the resource of the one result of address: the
// declared keys exactly, and what import would set besides.
func expectListed(address, id string, declared prefs.Document) querycheck.QueryResultCheck {
	values := make(map[string]knownvalue.Check, len(declared))
	for k, v := range declared {
		values[k] = knownvalue.Bool(v)
	}
	return querycheck.ExpectResourceKnownValues(address,
		queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}),
		[]querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(id)},
			{Path: tfjsonpath.New("preferences"), KnownValue: knownvalue.MapExact(values)},
			{Path: tfjsonpath.New("on_destroy"), KnownValue: knownvalue.StringExact(onDestroyRestore)},
		})
}

// A list block finds the one document of its provider configuration: its
// identity, a name saying whose it is and where, and every key users may
// change, with the server's values, from one GET.
func TestAccPreferencesList_FindsTheDocument(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
		want := dc.dialect.Mutable(mock.Document(dc.dialect))
		cliTest(t, resource.TestCase{
			TerraformVersionChecks: querySupported,
			Steps: []resource.TestStep{
				{Config: dc.providerBlock(url)},
				{
					PreConfig: mock.ResetJournal,
					Query:     true,
					Config:    listBlock("mine", "notification"),
					QueryResultChecks: []querycheck.QueryResultCheck{
						querycheck.ExpectLength(listAddress, 1),
						expectIdentity(listAddress, dc.id()),
						querycheck.ExpectResourceDisplayName(listAddress,
							queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(dc.id())}),
							knownvalue.StringExact(displayName(url, dc))),
						expectListed(listAddress, dc.id(), want),
					},
				},
				{
					// The query's requests: one GET, and nothing written.
					PreConfig: func() {
						if g, w := mock.Count("GET"), mock.Count(dc.write); g != 1 || w != 0 {
							t.Errorf("the query sent %d GET and %d writes, want 1 and 0:\n%v", g, w, mock.Journal())
						}
					},
					Config: dc.providerBlock(url),
				},
			},
		})
	})
}

// key_prefixes narrows what the resource declares; keys the API refuses to
// change are never declared, even under a prefix that names them.
func TestAccPreferencesList_KeyPrefixesNarrow(t *testing.T) {
	cases := map[prefs.Dialect]struct {
		prefixes []string
		want     []string // the declared keys
		never    string   // a key under the prefixes the API refuses to change
	}{
		// The shipped in_app channel is left out, and so is the immutable
		// security alerts toggle (the resolved document never holds it).
		prefs.V1: {[]string{"email.weekly", "email.product_"}, []string{"email.product_updates", "email.weekly_usage_digest"}, "email.security_alerts"},
		// Billing failure emails are mandatory: their webhook is declared,
		// the email never.
		prefs.VastAI: {[]string{"client.low_credit.", "client.billing_failed."}, []string{"client.billing_failed.webhooks", "client.low_credit.email", "client.low_credit.webhooks"}, "client.billing_failed.email"},
	}
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		c := cases[dc.dialect]
		mock, url := startMock(t)
		mock.Ship(dc.dialect, dc.shipped)
		doc := mock.Document(dc.dialect)
		want := prefs.Document{}
		for _, k := range c.want {
			want[k] = doc[k]
		}
		config := fmt.Sprintf("key_prefixes = %s", mustJSON(c.prefixes))
		cliTest(t, resource.TestCase{
			TerraformVersionChecks: querySupported,
			Steps: []resource.TestStep{
				{Config: dc.providerBlock(url)},
				{
					Query:  true,
					Config: listBlock("mine", "notification", config),
					QueryResultChecks: []querycheck.QueryResultCheck{
						querycheck.ExpectLength(listAddress, 1),
						expectListed(listAddress, dc.id(), want),
					},
				},
			},
		})
		// The exact match above fails if a refused key comes along; this
		// makes sure there was one to leave out.
		if _, ok := doc[c.never]; !ok && dc.dialect == prefs.VastAI {
			t.Fatalf("the document has no %s: the test proves nothing", c.never)
		}
	})
}

// Prefixes that leave nothing to declare fail, naming what there is; so
// does a prefix no key could start with.
func TestAccPreferencesList_KeyPrefixesMatchingNothing(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	dc := dialectCases[0]
	cliTest(t, resource.TestCase{
		TerraformVersionChecks: querySupported,
		Steps: []resource.TestStep{
			{Config: dc.providerBlock(url)},
			{
				Query:       true,
				Config:      listBlock("mine", "notification", `key_prefixes = ["sms."]`),
				ExpectError: expectAll(`No Notification Keys Match key_prefixes`, words(`No key that users may change starts with "sms.",`), words(`The document's keys start with "email.":`)),
			},
			{
				Query:       true,
				Config:      listBlock("mine", "notification", `key_prefixes = ["Email."]`),
				ExpectError: regexp.MustCompile(`must be the beginning of a dotted key`),
			},
		},
	})
	expectNoWrites(t, mock)
}

// A query explains a token the API refuses as a plan would, and never
// shows the token.
func TestAccPreferencesList_RefusedToken(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		dc    dialectCase
		token string
		want  *regexp.Regexp
	}{
		"v1 API key": {dialectCases[0], mockapi.DemoAPIKey, expectAll(`Notification API Needs a User Session Token`, `USER_REQUIRED`, words(`a user session token issued at sign-in`))},
		"bad token":  {dialectCases[1], "not-a-valid-key", expectAll(`Notification API Rejected the Token`, `401`)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, url := startMock(t)
			dc := c.dc
			dc.token = c.token
			tf := newReattachedCLI(t)
			skipWithoutQuery(t, tf)
			tf.write(requiredProviders + dc.providerBlock(url))
			tf.writeFile("mine.tfquery.hcl", listBlock("mine", "notification"))
			tf.do("init", "-input=false")
			out := tf.fails("query")
			if !c.want.MatchString(out) {
				t.Fatalf("terraform query says, want %s:\n%s", c.want, out)
			}
			if strings.Contains(out, c.token) {
				t.Fatalf("terraform query shows the token:\n%s", out)
			}
		})
	}
}

// Two accounts of each dialect, one provider configuration each: one list
// block per configuration, each finding its own account's document and
// nothing of the other's. One provider process per configuration, as in
// production (useProviderBinary), so it runs alone.
func TestAccPreferencesList_TwoAccountsEachDialect(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider binary: set TF_ACC=1 (make test does)")
	}
	mock, url := startMock(t)
	config := aliasedProvider("personal", url, mockapi.DemoSessionToken, "v1", 0) +
		aliasedProvider("team", url, mockapi.OtherSessionToken, "v1", 0) +
		aliasedProvider("vast", url, mockapi.DemoVastKey, "vastai", 0) +
		aliasedProvider("vast_team", url, mockapi.OtherVastKey, "vastai", 0)
	lists := listBlock("personal", "notification.personal") + listBlock("team", "notification.team") +
		listBlock("vast", "notification.vast") + listBlock("vast_team", "notification.vast_team")
	v1, vast := dialectCases[0], dialectCases[1]
	other := vast
	other.providerSuffix = ""
	checks := []querycheck.QueryResultCheck{}
	for _, r := range []struct {
		name, id, token string
		dc              dialectCase
	}{
		{"personal", "me", mockapi.DemoSessionToken, v1},
		{"team", "me", mockapi.OtherSessionToken, v1},
		{"vast", fmt.Sprint(mockapi.DemoVastUser), mockapi.DemoVastKey, vast},
		{"vast_team", fmt.Sprint(mockapi.OtherVastUser), mockapi.OtherVastKey, vast},
	} {
		address := "notification_preferences." + r.name
		checks = append(checks,
			querycheck.ExpectLength(address, 1),
			expectIdentity(address, r.id),
			expectListed(address, r.id, r.dc.dialect.Mutable(mock.UserDocument(r.token))))
	}
	checks = append(checks, querycheck.ExpectResourceDisplayName("notification_preferences.vast_team",
		queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(fmt.Sprint(mockapi.OtherVastUser))}),
		knownvalue.StringExact(fmt.Sprintf("Notification preferences of user %d (vastai API at %s)", mockapi.OtherVastUser, hostOf(url)))))
	useProviderBinary(t)
	resource.Test(t, resource.TestCase{
		PreCheck:               func() { testAccPreCheck(t) },
		ExternalProviders:      externalProvider,
		TerraformVersionChecks: querySupported,
		Steps: []resource.TestStep{
			{Config: config},
			{Query: true, Config: lists, QueryResultChecks: checks},
		},
	})
	expectNoWrites(t, mock)
}

// The configuration import blocks generate from the resource identity, as
// terraform query writes it: it plans as one import and no change, and
// writes nothing.
func TestAccPreferencesList_IdentityImportGeneratesConfig(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		all := dc.dialect.Mutable(mock.Document(dc.dialect))
		all[dc.keyA] = !dc.defaultA
		cliTest(t, resource.TestCase{
			TerraformVersionChecks: querySupported,
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(all, ""))},
				{
					PreConfig:       mock.ResetJournal,
					Config:          dc.providerBlock(url),
					ResourceName:    resourceName,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithResourceIdentity,
					GenerateConfig:  true,
					ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("notification_preferences.generated", plancheck.ResourceActionNoop),
					}},
				},
			},
			CheckDestroy: func(s *terraform.State) error { return nil },
		})
	})
}
