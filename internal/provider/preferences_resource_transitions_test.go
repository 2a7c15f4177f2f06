package provider

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// These tests take a resource through the moments between steady states:
// a saved plan applied after the server changed, the provider pointed at
// another user, two resources naming one key, a key the server withdrew,
// and a replacement.

// betweenPlanAndApply is a pre-apply plan check that changes the server:
// the test harness saves the plan, runs the checks, then applies the saved
// plan, so this is someone else's change landing while a CI plan waits.
type betweenPlanAndApply func()

func (f betweenPlanAndApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// A key changed on the server after the plan was saved is put back to its
// planned value by the apply, so state equals the plan: the apply decides
// its one write on the document as it is then, and a vastai PUT overlays
// every declared value on the document it replaces.
func TestAccPreferencesResource_ServerChangedBetweenPlanAndApply(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		want := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		config := dc.resourceConfig(url, prefsBody(want, ""))
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: config},
				{
					// Drift on B makes the plan an update; then A changes
					// after the plan was saved.
					PreConfig: func() {
						mock.Set(dc.dialect, prefs.Document{dc.keyB: dc.defaultB})
						mock.ResetJournal()
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate),
							betweenPlanAndApply(func() { mock.Set(dc.dialect, prefs.Document{dc.keyA: dc.defaultA}) }),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, want)},
					Check: resource.ComposeAggregateTestCheckFunc(
						expectServer(mock, dc.dialect, want),
						expectRequests(mock, updateGets, 1),
					),
				},
			},
		})
	})
}

// The mock can also land the change at the very moment the write arrives,
// after the apply decided its write: the answer shows the key off, and v1
// sends one more PATCH of just that key; a vastai PUT overlays every
// declared value on the document it replaces, so its one PUT holds it.
func TestAccPreferencesResource_ServerChangedAtWrite(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		want := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		config := dc.resourceConfig(url, prefsBody(want, ""))
		writes := map[prefs.Dialect]int{prefs.V1: 2, prefs.VastAI: 1}[dc.dialect]
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						mock.Set(dc.dialect, prefs.Document{dc.keyB: dc.defaultB})
						mock.SetBeforeNextWrite(dc.dialect, prefs.Document{dc.keyA: dc.defaultA})
						mock.ResetJournal()
					},
					Config:           config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					Check:            resource.ComposeAggregateTestCheckFunc(expectServer(mock, dc.dialect, want), expectRequests(mock, updateGets, writes)),
				},
			},
		})
	})
}

// A resource stays bound to the document it was created for: pointed at
// another user, plan and destroy fail naming both ids and neither document
// is written; the way out the error names (a removed block, then a new
// resource) works.
func TestAccPreferencesResource_ProviderPointedAtAnotherUser(t *testing.T) {
	t.Parallel()
	dc := dialectCases[1]
	mock, url := startMock(t)
	body := resourceBlock(prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, ""))
	asDemo := vastaiFor(url, mockapi.DemoVastKey, mockapi.DemoVastUser) + body
	asOther := vastaiFor(url, mockapi.OtherVastKey, mockapi.OtherVastUser) + body
	repointed := expectAll(`Resource Belongs to Another Preferences Document`, `"4242"`, `"5151"`, `removed`, words("terraform state rm"))
	otherDefaults := mock.UserDocument(mockapi.OtherVastKey)
	cliTest(t, resource.TestCase{
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			// The new resource restored user 5151; 4242 kept what the
			// forgotten resource had set.
			expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA}),
			func(*terraform.State) error {
				if got := mock.UserDocument(mockapi.OtherVastKey); !maps.Equal(got, otherDefaults) {
					return fmt.Errorf("user 5151 has %v after destroy, want its defaults %v", got, otherDefaults)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{Config: asDemo},
			{
				PreConfig:   mock.ResetJournal,
				Config:      asOther,
				ExpectError: repointed,
			},
			{
				Config:      asOther,
				Destroy:     true,
				ExpectError: repointed,
				Check:       nil,
			},
			{
				// Back on 4242 nothing changed and the plan is empty.
				Config:   asDemo,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					if hits := touched(mock, mockapi.OtherVastUser, "GET", "PUT"); len(hits) > 0 {
						t.Fatalf("user 5151's document was reached on 4242's resource's behalf: %v", hits)
					}
					if hits := touched(mock, mockapi.DemoVastUser, "PUT"); len(hits) > 0 {
						t.Fatalf("user 4242's document was written while the provider pointed at 5151: %v", hits)
					}
				},
				Config: vastaiFor(url, mockapi.OtherVastKey, mockapi.OtherVastUser) + `
removed {
  from = notification_preferences.me
  lifecycle {
    destroy = false
  }
}
`,
				Check: expectUntouched(mock, mockapi.DemoVastUser, "PUT"),
			},
			{
				Config: asOther,
				Check: func(*terraform.State) error {
					if got := mock.UserDocument(mockapi.OtherVastKey)[dc.keyA]; got != !dc.defaultA {
						return fmt.Errorf("user 5151 has %s = %v after the new resource was created", dc.keyA, got)
					}
					return nil
				},
			},
		},
	})
}

// Two resources of one provider configuration may not declare the same
// key: plan fails at the key. Moving a key from one to the other in one
// apply is allowed, and the key ends with the value the new owner declares.
func TestAccPreferencesResource_OneOwnerPerKey(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		keyC := dc.unmanagedKey
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{
					Config:      twoResources(dc, url, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, prefs.Document{dc.keyB: dc.defaultB}),
					ExpectError: expectAll(`Notification Key Declared Twice`, pointsAt(dc.keyB), words("Another notification_preferences resource of this provider configuration")),
				},
				{
					PreConfig: func() { expectNoWrites(t, mock) },
					Config:    twoResources(dc, url, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, prefs.Document{keyC: true}),
				},
				{
					// keyB moves from a to b with the value a gave it: if a
					// restored it after b took it, the server would lose it.
					Config: twoResources(dc, url, prefs.Document{dc.keyA: !dc.defaultA}, prefs.Document{dc.keyB: !dc.defaultB, keyC: true}),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB, keyC: true}),
				},
			},
		})
	})
}

// Many keys declared twice read as one problem: the first ten at their
// keys, and one error on the map counting the rest. (The cap is the
// provider's own, the same for both dialects.)
func TestAccPreferencesResource_ManyKeysDeclaredTwice(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	bulk := prefs.Document{}
	for i := range 12 {
		bulk[fmt.Sprintf("bulk.toggle_%02d", i)] = true
	}
	mock.Ship(dc.dialect, bulk)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: twoResources(dc, url, bulk, bulk),
			ExpectError: expectAll(`More Notification Keys Declared Twice`,
				words("12 declared keys are declared by another notification_preferences resource of this provider configuration too; the first 10 are shown, each at its key, and 2 more are not.")),
		}},
	})
	expectNoWrites(t, mock)
}

// A key moved from one resource to another keeps its earlier value when
// Terraform applies the resource letting it go first, as depends_on on the
// taker makes it: the new owner remembers the value the key had before
// Terraform first touched it, and destroying everything puts it back. The
// other order warns (TestWarnings_KeyMovedToAResourceAppliedFirst).
func TestAccPreferencesResource_KeyMovedKeepsEarlierValue(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		for _, existing := range []bool{false, true} {
			t.Run(map[bool]string{false: "new_taker", true: "existing_taker"}[existing], func(t *testing.T) {
				t.Parallel()
				testKeyMove(t, dc, existing)
			})
		}
	})
}

func testKeyMove(t *testing.T, dc dialectCase, existing bool) {
	mock, url := startMock(t)
	keyC := dc.unmanagedKey
	before := mock.Document(dc.dialect)
	earlier, _ := prefs.Select(before, []string{dc.keyA, dc.keyB, keyC})
	first := dc.providerBlock(url) + resourceBlockNamed("a", prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB})
	if existing {
		first = twoResources(dc, url, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, prefs.Document{keyC: !before[keyC]})
	}
	moved := dc.providerBlock(url) + resourceBlockNamed("a", prefs.Document{dc.keyA: !dc.defaultA}) + fmt.Sprintf(`
resource "notification_preferences" "b" {
%s  depends_on = [notification_preferences.a]
}
`, prefsBody(prefs.Document{dc.keyB: !dc.defaultB, keyC: !before[keyC]}, ""))
	moveKey(t, first, moved, expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB, keyC: !before[keyC]}),
		expectServer(mock, dc.dialect, earlier))
}

// A managed key the server withdrew never blocks destroy or key removal,
// with or without a refresh: it is left out of the restore write, with a
// warning, and the other keys are restored.
func TestAccPreferencesResource_WithdrawnKeyDoesNotBlockDestroy(t *testing.T) {
	t.Parallel()
	for _, refresh := range []bool{true, false} {
		for _, dc := range dialectCases {
			t.Run(fmt.Sprintf("%s/refresh=%v", dc.dialect, refresh), func(t *testing.T) {
				t.Parallel()
				mock, url := startMock(t)
				both := dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, ""))
				tc := resource.TestCase{
					Steps: []resource.TestStep{
						{Config: both},
						{
							// Removing keyB after the server withdrew it
							// forgets it; a refresh has seen it go, so
							// nothing is written (without one, the restore
							// is refused and left out).
							PreConfig:         func() { mock.Withdraw(dc.dialect, dc.keyB); mock.ResetJournal() },
							Config:            dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, "")),
							ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, prefs.Document{dc.keyA: !dc.defaultA})},
							Check:             expectWrites(mock, map[bool]int{true: 0, false: 1}[refresh]),
						},
						{Config: both, PreConfig: func() { mock.Ship(dc.dialect, prefs.Document{dc.keyB: dc.defaultB}) }},
						{
							PreConfig: func() { mock.Withdraw(dc.dialect, dc.keyB) },
							Config:    both,
							Destroy:   true,
							Check:     expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA}),
						},
					},
				}
				if !refresh {
					tc.AdditionalCLIOptions = &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}}
				}
				cliTest(t, tc)
			})
		}
	}
}

// After a replacement, with or without create_before_destroy, the server
// holds the configured values and the next plan is empty: the old object's
// destroy does not undo what the new one wrote. The replacement is forced
// as -replace forces it (replace_triggered_by; the test harness cannot pass
// -replace), and by a taint.
func TestAccPreferencesResource_Replace(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"replace", "taint"} {
		for _, cbd := range []bool{false, true} {
			for _, dc := range dialectCases {
				t.Run(fmt.Sprintf("%s/%s/create_before_destroy=%v", how, dc.dialect, cbd), func(t *testing.T) {
					t.Parallel()
					testReplace(t, dc, how, cbd)
				})
			}
		}
	}
}

func testReplace(t *testing.T, dc dialectCase, how string, cbd bool) {
	mock, url := startMock(t)
	want := prefs.Document{dc.keyA: !dc.defaultA}
	config := func(trigger string) string {
		return fmt.Sprintf(`
resource "terraform_data" "trigger" {
  input = %[1]q
}
`, trigger) + dc.resourceConfig(url, prefsBody(want, fmt.Sprintf(`
  lifecycle {
    create_before_destroy = %[1]v
    replace_triggered_by  = [terraform_data.trigger]
  }
`, cbd)))
	}
	action := plancheck.ResourceActionDestroyBeforeCreate
	if cbd {
		action = plancheck.ResourceActionCreateBeforeDestroy
	}
	// Without create_before_destroy the old object hands the earlier
	// values over first, and the new one remembers them. With it, the new
	// one is written first and remembers what the old one had set, which a
	// later destroy leaves in place (the old object's destroy warns so). Terraform hands a tainted object's
	// destroy the new object's private state, so its earlier values are
	// lost either way.
	afterDestroy := prefs.Document{dc.keyA: dc.defaultA}
	if cbd || how == "taint" {
		afterDestroy = want
	}
	replace := resource.TestStep{
		Config: config("two"),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, action)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: expectServer(mock, dc.dialect, want),
	}
	if how == "taint" {
		replace.Config, replace.Taint = config("one"), []string{resourceName}
	}
	cliTest(t, resource.TestCase{
		CheckDestroy: expectServer(mock, dc.dialect, afterDestroy),
		Steps:        []resource.TestStep{{Config: config("one")}, replace},
	})
}

// Every read of one provider configuration in a walk shares one GET:
// refreshing a resource for every key and a data source costs one request.
func TestAccPreferencesResource_RefreshSharesOneRead(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		config := dc.providerBlock(url) + `
data "notification_preferences" "all" {}
`
		for i, k := range dc.dialect.Mutable(mock.Document(dc.dialect)).Keys() {
			config += resourceBlockNamed(fmt.Sprintf("r%d", i), prefs.Document{k: true})
		}
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: config},
				{PreConfig: mock.ResetJournal, Config: config, Check: expectRequests(mock, 1, 0)},
			},
		})
	})
}

// A withdrawn key still declared with its last value does not stop the
// other keys from changing: it is neither written nor expected back.
func TestAccPreferencesResource_WithdrawnKeyStillDeclared(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, ""))},
				{
					PreConfig: func() { mock.Withdraw(dc.dialect, dc.keyB) },
					Config:    dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: dc.defaultA, dc.keyB: !dc.defaultB}, "")),
					Check:     expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA}),
				},
			},
		})
	})
}
