package provider

import (
	"fmt"
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

const resourceName = "notification_preferences.me"

// Create writes only the key that differs; update writes only the changed
// key; re-applying the same configuration writes nothing. Every apply is
// followed by an empty plan.
func TestAccPreferencesResource_CreateUpdateNoop(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		created := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: dc.defaultB}
		updated := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		emptyAfterApply := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
		before := &snapshot{}
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{
					PreConfig: before.take(mock, dc.dialect),
					Config:    dc.resourceConfig(url, prefsBody(created, "")),
					ConfigStateChecks: []statecheck.StateCheck{
						expectID(resourceName, dc.id()),
						statecheck.ExpectKnownValue(resourceName, tfjsonpath.New("on_destroy"), knownvalue.StringExact("restore")),
						expectPreferences(resourceName, created),
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						expectServer(mock, dc.dialect, created),
						writesOnly(mock, dc, before, dc.keyA),
						// Plan: 1 GET for the key check. Apply: Terraform plans
						// again (1 GET), then one write reusing that document.
						expectRequests(mock, 2, 1),
					),
					ConfigPlanChecks: emptyAfterApply,
				},
				{
					PreConfig: before.take(mock, dc.dialect),
					Config:    dc.resourceConfig(url, prefsBody(updated, "")),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						expectServer(mock, dc.dialect, updated),
						writesOnly(mock, dc, before, dc.keyB),
						// Refresh: 1 GET; the key check needs none, as no key
						// is new. Apply: 1 write (vastai reads before its PUT).
						expectRequests(mock, updateGets, 1),
					),
				},
				{
					PreConfig:        mock.ResetJournal,
					Config:           dc.resourceConfig(url, prefsBody(updated, "")),
					ConfigPlanChecks: emptyAfterApply,
					// Refresh only: 1 GET and nothing written.
					Check: expectRequests(mock, 1, 0),
				},
			},
		})
	})
}

// A value changed outside Terraform shows in the next plan as an update
// back to the configuration; a change to a key the resource does not
// manage shows nowhere.
func TestAccPreferencesResource_Drift(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		config := dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, ""))
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						mock.Set(dc.dialect, prefs.Document{dc.keyA: dc.defaultA})
						if mock.Document(dc.dialect)[dc.keyA] != dc.defaultA {
							t.Fatal("the mock did not take the out-of-band change")
						}
					},
					Config:             config,
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
				},
				{
					PreConfig: mock.ResetJournal,
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA}),
						expectRequests(mock, updateGets, 1),
					),
				},
				{
					PreConfig: func() {
						mock.Set(dc.dialect, prefs.Document{dc.unmanagedKey: !mock.Document(dc.dialect)[dc.unmanagedKey]})
					},
					Config:   config,
					PlanOnly: true, // fails on a non-empty plan
				},
			},
		})
	})
}

// Removing a key from preferences writes back the value it had before, in
// one request, and leaves the other managed keys alone.
func TestAccPreferencesResource_KeyRemovalRestores(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		before := &snapshot{}
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, ""))},
				{
					PreConfig:         before.take(mock, dc.dialect),
					Config:            dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyB: !dc.defaultB}, "")),
					ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, prefs.Document{dc.keyB: !dc.defaultB})},
					Check: resource.ComposeAggregateTestCheckFunc(
						expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA, dc.keyB: !dc.defaultB}),
						writesOnly(mock, dc, before, dc.keyA),
						expectRequests(mock, updateGets, 1),
					),
				},
			},
		})
	})
}

// With on_destroy = "keep", removing a key only stops managing it: its
// value stays, and nothing is written.
func TestAccPreferencesResource_KeyRemovalKeep(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		keep := "  on_destroy = \"keep\"\n"
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, keep))},
				{
					PreConfig:         mock.ResetJournal,
					Config:            dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyB: !dc.defaultB}, keep)),
					ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, prefs.Document{dc.keyB: !dc.defaultB})},
					Check:             resource.ComposeAggregateTestCheckFunc(leftAsTheyAre(mock, dc, prefs.Document{dc.keyA: !dc.defaultA}), expectRequests(mock, updateGets, 0)),
				},
			},
		})
	})
}

// leftAsTheyAre checks that the server still holds values, and that the
// step wrote nothing.
func leftAsTheyAre(mock *mockapi.Server, dc dialectCase, values prefs.Document) resource.TestCheckFunc {
	return resource.ComposeAggregateTestCheckFunc(expectServer(mock, dc.dialect, values), expectWrites(mock, 0))
}

// Destroy writes back, in one request, the values the keys had before the
// resource first managed them.
func TestAccPreferencesResource_DestroyRestores(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		before := &snapshot{}
		cliTest(t, resource.TestCase{
			CheckDestroy: resource.ComposeAggregateTestCheckFunc(
				expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA, dc.keyB: dc.defaultB}),
				writesOnly(mock, dc, before, dc.keyA),
			),
			Steps: []resource.TestStep{
				{
					Config: dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: dc.defaultB}, "")),
					Check: func(*terraform.State) error {
						before.take(mock, dc.dialect)() // what the destroy's write starts from
						return nil
					},
				},
			},
		})
	})
}

func TestAccPreferencesResource_DestroyKeep(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		cliTest(t, resource.TestCase{
			CheckDestroy: expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA}),
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, "  on_destroy = \"keep\"\n"))},
			},
		})
	})
}

// A removed block with destroy = false forgets the resource and writes nothing.
func TestAccPreferencesResource_RemovedBlockForgets(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, ""))},
				{
					PreConfig: mock.ResetJournal,
					Config: dc.providerBlock(url) + `
removed {
  from = notification_preferences.me
  lifecycle {
    destroy = false
  }
}
`,
					// Terraform 1.8 refreshes here, later releases do not.
					Check: leftAsTheyAre(mock, dc, prefs.Document{dc.keyA: !dc.defaultA}),
				},
			},
		})
	})
}

// A channel the server ships later works without a provider release: the
// catalogue comes from the server.
func TestAccPreferencesResource_ChannelShippedLater(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		before := prefs.Document{dc.keyA: !dc.defaultA}
		shipped := dc.shipped.Keys()[0]
		after := before.Overlay(prefs.Document{shipped: !dc.shipped[shipped]})
		cliTest(t, resource.TestCase{
			CheckDestroy: expectServer(mock, dc.dialect, dc.shipped),
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(before, ""))},
				{Config: dc.resourceConfig(url, prefsBody(after, "")), PlanOnly: true, ExpectError: expectAll(`Unknown Notification Key`, pointsAt(shipped))},
				{
					PreConfig:         func() { mock.Ship(dc.dialect, dc.shipped) },
					Config:            dc.resourceConfig(url, prefsBody(after, "")),
					ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, after)},
					Check:             expectServer(mock, dc.dialect, after),
				},
			},
		})
	})
}

// A key added to preferences in an update remembers the value it had just
// then, and destroy restores that value, not the default or the declared one.
func TestAccPreferencesResource_KeyAddedInUpdateRemembersItsValue(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		cliTest(t, resource.TestCase{
			CheckDestroy: expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA, dc.keyB: !dc.defaultB}),
			Steps: []resource.TestStep{
				{Config: dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, ""))},
				{
					// Someone set keyB away from its default before this
					// resource took it over.
					PreConfig: func() { mock.Set(dc.dialect, prefs.Document{dc.keyB: !dc.defaultB}) },
					Config:    dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: dc.defaultB}, "")),
					Check:     expectServer(mock, dc.dialect, prefs.Document{dc.keyB: dc.defaultB}),
				},
			},
		})
	})
}

// Thousands of keys are created, refreshed and updated through the CLI:
// one write each, and one key's change writes only that key (v1).
func TestAccPreferencesResource_ManyKeys(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	bulk := make(prefs.Document, manyKeys)
	for i := range manyKeys {
		bulk[fmt.Sprintf("bulk.toggle_%05d", i)] = true
	}
	mock.Ship(prefs.V1, bulk)
	created := bulk.Clone()
	for k := range created {
		created[k] = false
	}
	updated := created.Clone()
	updated["bulk.toggle_00042"] = true
	cliTest(t, resource.TestCase{
		CheckDestroy: expectServer(mock, dc.dialect, bulk),
		Steps: []resource.TestStep{
			{
				PreConfig:         mock.ResetJournal,
				Config:            dc.resourceConfig(url, prefsBody(created, "")),
				ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, created)},
				Check:             resource.ComposeAggregateTestCheckFunc(expectServer(mock, dc.dialect, created), expectRequests(mock, 2, 1)),
			},
			{
				PreConfig:         mock.ResetJournal,
				Config:            dc.resourceConfig(url, prefsBody(updated, "")),
				ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, updated)},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectServer(mock, dc.dialect, updated),
					expectLastWrite(mock, `{"bulk":{"toggle_00042":true}}`),
					expectRequests(mock, updateGets, 1),
				),
			},
		},
	})
}
