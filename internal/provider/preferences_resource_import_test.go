package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Import adopts every key users may change; with all of them declared, the
// imported state equals the created one.
func TestAccPreferencesResource_Import(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		all := dc.dialect.Mutable(mock.Document(dc.dialect))
		all[dc.keyA] = !dc.defaultA
		config := dc.resourceConfig(url, prefsBody(all, ""))
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: config},
				{
					Config:            config,
					ResourceName:      resourceName,
					ImportState:       true,
					ImportStateId:     map[prefs.Dialect]string{prefs.V1: "me", prefs.VastAI: "4242"}[dc.dialect],
					ImportStateVerify: true,
				},
			},
		})
	})
}

// An import block with -generate-config-out writes a configuration that
// plans clean: every mutable key, with the server's values.
func TestAccPreferencesResource_ImportBlockGeneratesConfig(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config:          dc.providerBlock(url),
				ResourceName:    resourceName,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   map[prefs.Dialect]string{prefs.V1: "me", prefs.VastAI: "4242"}[dc.dialect],
				GenerateConfig:  true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionNoop),
				}},
			}},
		})
		expectNoWrites(t, mock)
	})
}

func TestAccPreferencesResource_ImportWrongID(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		_, url := startMock(t)
		want := map[prefs.Dialect]string{prefs.V1: "me", prefs.VastAI: "4242"}[dc.dialect]
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config:        dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: true}, "")),
				ResourceName:  resourceName,
				ImportState:   true,
				ImportStateId: "1234",
				ExpectError: expectAll(`Invalid Import ID`,
					words(fmt.Sprintf(`The import ID for the %s API is %q, not "1234"`, dc.dialect, want))),
			}},
		})
	})
}

// Imported keys have no earlier value: after an import the plan is empty,
// removing a key from preferences and destroying the rest leave every value
// on the server as it is, and nothing is written.
func TestAccPreferencesResource_ImportedKeysKeepTheirValues(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
		before := mock.Document(dc.dialect)
		all := dc.dialect.Mutable(before)
		fewer := all.Clone()
		delete(fewer, dc.keyA)
		cliTest(t, resource.TestCase{
			CheckDestroy: func(s *terraform.State) error {
				if err := expectServer(mock, dc.dialect, before)(s); err != nil {
					return err
				}
				return expectWrites(mock, 0)(s)
			},
			Steps: []resource.TestStep{
				{
					Config:             dc.resourceConfig(url, prefsBody(all, "")),
					ResourceName:       resourceName,
					ImportState:        true,
					ImportStateId:      dc.id(),
					ImportStatePersist: true,
				},
				{Config: dc.resourceConfig(url, prefsBody(all, "")), PlanOnly: true},
				{
					PreConfig:         mock.ResetJournal,
					Config:            dc.resourceConfig(url, prefsBody(fewer, "")),
					ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, fewer)},
					Check: resource.ComposeAggregateTestCheckFunc(
						expectServer(mock, dc.dialect, before),
						// The refresh, and the apply's read that checks the
						// keys still declared: nothing to write.
						expectRequests(mock, updateGets, 0),
					),
				},
			},
		})
	})
}
