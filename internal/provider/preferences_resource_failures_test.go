package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The promises made for when things go wrong at apply, through the CLI.

// A server that answers a write without keeping a declared value, even
// after the write is repeated, fails the apply at that key. What landed
// is saved: the key is in state at the value the server answered, so the
// next plan still has the update to make.
func TestAccPreferencesResource_ServerDoesNotKeepTheValue(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		before := prefs.Document{dc.keyB: !dc.defaultB}
		after := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(before, ""))},
				{
					PreConfig: func() { mock.IgnoreWrites(dc.dialect, dc.keyA) },
					Config:    dc.resourceConfig(url, prefsBody(after, "")),
					ExpectError: expectAll(`Notification API Did Not Keep the Value`, pointsAt(dc.keyA),
						words(fmt.Sprintf(`The write succeeded, but the server answered with %q = %v where the plan has %v.`, dc.keyA, dc.defaultA, !dc.defaultA))),
				},
				{
					// The server keeps values again: the plan starts from
					// what the failed apply saved, and applies.
					PreConfig: func() { mock.Reset(); mock.Set(dc.dialect, before) },
					Config:    dc.resourceConfig(url, prefsBody(after, "")),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate),
						expectPriorPreferences(resourceName, prefs.Document{dc.keyA: dc.defaultA, dc.keyB: !dc.defaultB}),
					}},
					Check: expectServer(mock, dc.dialect, after),
				},
			},
		})
	})
}

// A restore the API refuses is an error, and the resource stays in state
// with its values on the server, to be destroyed once the API answers.
func TestAccPreferencesResource_FailedRestoreKeepsTheResource(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		managed := prefs.Document{dc.keyA: !dc.defaultA}
		config := dc.resourceConfig(url, prefsBody(managed, ""))
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig:   func() { mock.Inject(mockapi.Fault{Method: dc.write, Status: 500, Times: 1}) },
					Config:      config,
					Destroy:     true,
					ExpectError: expectAll(`Could not write notification preferences`, `HTTP 500`),
				},
				{
					Config:           config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionNoop)}},
					Check:            expectServer(mock, dc.dialect, managed),
				},
			},
			CheckDestroy: expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA}),
		})
	})
}

// A Vast.ai key used for another user's document is refused with a 403,
// which says to set user_id to the key's own user.
func TestAccProvider_VastaiOtherUsersDocument(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: vastaiFor(url, mockapi.DemoVastKey, mockapi.OtherVastUser) + `
data "notification_preferences" "current" {}
`,
			ExpectError: expectAll(`Notification API Refused This User`, `HTTP 403`,
				words(fmt.Sprintf("user %d is not the user of this API key", mockapi.OtherVastUser)),
				words("Set user_id (or NOTIFICATION_USER_ID) to the id of the user the API key belongs to.")),
		}},
	})
	if hits := touched(mock, mockapi.OtherVastUser, "PUT"); len(hits) > 0 {
		t.Errorf("the other user's document was written: %v", hits)
	}
}

// Resources created in one apply share write requests. A key the server
// withdrew after the plan fails only the resource declaring it, at that
// key; the others are created, and state equals the server.
func TestAccPreferencesResource_BadKeyFailsOnlyItsResource(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		before := mock.Document(dc.dialect)
		keys := dc.dialect.Mutable(before).Keys()[:4]
		bad := keys[2]
		config := func(keys []string) string {
			config := dc.providerBlock(url)
			for _, k := range keys {
				config += resourceBlockNamed(strings.ReplaceAll(k, ".", "_"), prefs.Document{k: !before[k]})
			}
			return config
		}
		good := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == bad })
		want := prefs.Document{}
		for _, k := range good {
			want[k] = !before[k]
		}
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{
					PreConfig: func() { mock.WithdrawBeforeNextWrite(dc.dialect, bad) },
					Config:    config(keys),
					// Refused by the write, or, if Terraform plans it again
					// after the first write, at that plan.
					ExpectError: expectAll(fmt.Sprintf(`(Notification API Refused %s|Unknown Notification Key)`, regexp.QuoteMeta(fmt.Sprintf("%q", bad))), pointsAt(bad)),
				},
				{
					Config:           config(good),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					Check:            expectServer(mock, dc.dialect, want),
				},
			},
		})
	})
}
