package provider

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// These tests manage several accounts from one configuration, one provider
// configuration per account, as the "Several accounts" guide shows: with
// aliases (every CLI) and with OpenTofu's provider for_each. Each step
// checks every account's document, so a request on one account's behalf
// that reached another's would show. They run the provider binary, one
// process per provider configuration as in production (useProviderBinary),
// so they run alone rather than in parallel.

// mockAccount is one principal of the mock: a document of its own.
type mockAccount struct {
	name, token string
}

// threeAccounts returns, for the dialect, the two demo principals and a
// third one added to the mock, which the configuration gains later.
func threeAccounts(dc dialectCase, mock *mockapi.Server) []mockAccount {
	if dc.dialect == prefs.VastAI {
		mock.AddVastKey("third-vast-key", 6161)
		return []mockAccount{{"personal", mockapi.DemoVastKey}, {"team", mockapi.OtherVastKey}, {"third", "third-vast-key"}}
	}
	mock.AddSession("third-session-token", "third")
	return []mockAccount{{"personal", mockapi.DemoSessionToken}, {"team", mockapi.OtherSessionToken}, {"third", "third-session-token"}}
}

// accountDocuments checks that each account in want holds its values and
// every other account's document is as it was before the test.
func accountDocuments(mock *mockapi.Server, accounts []mockAccount, before map[string]prefs.Document, want map[string]prefs.Document) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, a := range accounts {
			got := mock.UserDocument(a.token)
			expected := before[a.name].Overlay(want[a.name])
			if !maps.Equal(got, expected) {
				return fmt.Errorf("account %s holds %v, want %v", a.name, got, expected)
			}
		}
		for _, e := range mock.Journal() {
			if e.Status == 403 {
				return fmt.Errorf("a request reached a document its key does not own: %v", e)
			}
		}
		return nil
	}
}

// aliasesConfig declares a provider configuration for each of providers and
// a resource for each of managed, with the same name.
func aliasesConfig(dc dialectCase, url string, providers, managed []mockAccount, values prefs.Document) string {
	var config strings.Builder
	for _, a := range providers {
		config.WriteString(aliasedProvider(a.name, url, a.token, string(dc.dialect), 0))
	}
	for _, a := range managed {
		config.WriteString(resourceWithProvider(a.name, "notification."+a.name, values))
	}
	return config.String()
}

func TestAccSeveralAccounts_Aliases(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider binary: set TF_ACC=1 (make test does)")
	}
	for _, dc := range dialectCases {
		t.Run(string(dc.dialect), func(t *testing.T) {
			mock, url := startMock(t)
			useProviderBinary(t)
			s := newAccountSteps(dc, mock, func(providers, managed []mockAccount) string {
				return aliasesConfig(dc, url, providers, managed, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB})
			})
			resource.Test(t, resource.TestCase{
				PreCheck:          func() { testAccPreCheck(t) },
				ExternalProviders: externalProvider,
				Steps:             s.steps(),
				CheckDestroy:      s.documents(nil),
			})
		})
	}
}

// accountSteps takes a configuration of several accounts through its life:
// two accounts, a third added, the second removed.
type accountSteps struct {
	mock   *mockapi.Server
	all    []mockAccount
	before map[string]prefs.Document
	values prefs.Document
	config func(providers, managed []mockAccount) string
}

func newAccountSteps(dc dialectCase, mock *mockapi.Server, config func(providers, managed []mockAccount) string) accountSteps {
	s := accountSteps{mock: mock, all: threeAccounts(dc, mock), before: map[string]prefs.Document{},
		values: prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, config: config}
	for _, a := range s.all {
		s.before[a.name] = mock.UserDocument(a.token)
	}
	return s
}

// documents checks that each account of managed holds the values and every
// other account's document is as it was.
func (s accountSteps) documents(managed []mockAccount) resource.TestCheckFunc {
	want := map[string]prefs.Document{}
	for _, a := range managed {
		want[a.name] = s.values
	}
	return accountDocuments(s.mock, s.all, s.before, want)
}

func (s accountSteps) steps() []resource.TestStep {
	personal, team, third := s.all[0], s.all[1], s.all[2]
	addr := func(a mockAccount) string { return "notification_preferences." + a.name }
	actions := func(create, destroy mockAccount, noop ...mockAccount) []plancheck.PlanCheck {
		checks := []plancheck.PlanCheck{}
		if create.name != "" {
			checks = append(checks, plancheck.ExpectResourceAction(addr(create), plancheck.ResourceActionCreate))
		}
		if destroy.name != "" {
			checks = append(checks, plancheck.ExpectResourceAction(addr(destroy), plancheck.ResourceActionDestroy))
		}
		for _, a := range noop {
			checks = append(checks, plancheck.ExpectResourceAction(addr(a), plancheck.ResourceActionNoop))
		}
		return checks
	}
	empty := []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	return []resource.TestStep{
		{
			Config:           s.config(s.all[:2], s.all[:2]),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: empty},
			Check:            s.documents(s.all[:2]),
		},
		{
			// An account added: only its resource is created.
			Config:           s.config(s.all, s.all),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(third, mockAccount{}, personal, team), PostApplyPostRefresh: empty},
			Check:            s.documents(s.all),
		},
		{
			// An account removed, its provider configuration still there:
			// only its keys go back.
			Config:           s.config(s.all, []mockAccount{personal, third}),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(mockAccount{}, team, personal, third), PostApplyPostRefresh: empty},
			Check:            s.documents([]mockAccount{personal, third}),
		},
	}
}

// forEachConfig is the guide's OpenTofu configuration: a provider
// configuration for each account of providers, from one map, and a
// resource for each of managed. The resources are written out one by one,
// each naming its provider instance, rather than with for_each as the
// guide's example does: the test harness cannot read resources keyed by
// strings back from state. make examples-check applies the guide's example
// itself under OpenTofu.
func forEachConfig(url string, providers, managed []mockAccount, values prefs.Document) string {
	keys := make([]string, len(providers))
	for i, a := range providers {
		keys[i] = fmt.Sprintf("%q = %q", a.name, a.token)
	}
	var config strings.Builder
	fmt.Fprintf(&config, `
locals {
  accounts = { %[2]s }
}

provider "notification" {
  alias    = "account"
  for_each = local.accounts
  endpoint = %[1]q
  api      = "vastai"
  token    = each.value
}
`, url, strings.Join(keys, ", "))
	for _, a := range managed {
		config.WriteString(resourceWithProvider(a.name, fmt.Sprintf("notification.account[%q]", a.name), values))
	}
	return config.String()
}

func TestAccSeveralAccounts_ProviderForEach(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider binary: set TF_ACC=1 (make test does)")
	}
	if !openTofu(t) {
		t.Skip("provider for_each is OpenTofu's (1.9 and later): make test-opentofu runs this")
	}
	dc := dialectCases[1]
	mock, url := startMock(t)
	useProviderBinary(t)
	s := newAccountSteps(dc, mock, func(providers, managed []mockAccount) string {
		return forEachConfig(url, providers, managed, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB})
	})
	remaining := []mockAccount{s.all[0], s.all[2]}
	resource.Test(t, resource.TestCase{
		PreCheck:          func() { testAccPreCheck(t) },
		ExternalProviders: externalProvider,
		Steps: append(s.steps(), resource.TestStep{
			// Then gone from the map: nothing left to do.
			Config:           forEachConfig(url, remaining, remaining, s.values),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}),
		CheckDestroy: s.documents(nil),
	})
}

// externalProvider is the binary useProviderBinary mirrors.
var externalProvider = map[string]resource.ExternalProvider{"notification": {Source: "openprefs/notification", VersionConstraint: mirrorVersion}}

var (
	openTofuOnce sync.Once
	isOpenTofu   bool
)

// openTofu reports whether the CLI the tests drive is OpenTofu.
func openTofu(t *testing.T) bool {
	t.Helper()
	openTofuOnce.Do(func() {
		cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
		if cli == "" {
			cli = "terraform"
		}
		out, err := exec.Command(cli, "version").Output()
		isOpenTofu = err == nil && strings.Contains(string(out), "OpenTofu v")
	})
	return isOpenTofu
}
