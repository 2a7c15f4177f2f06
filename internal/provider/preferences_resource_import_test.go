package provider

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

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

// Imported keys have no earlier value, so destroy leaves them as they are.
func TestAccPreferencesResource_ImportedKeysKeptOnDestroy(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
	all := dc.dialect.Mutable(mock.Document(dc.dialect))
	cliTest(t, resource.TestCase{
		CheckDestroy: expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA}),
		Steps: []resource.TestStep{
			{
				Config:             dc.resourceConfig(url, prefsBody(all, "")),
				ResourceName:       resourceName,
				ImportState:        true,
				ImportStateId:      "me",
				ImportStatePersist: true,
			},
			{Config: dc.resourceConfig(url, prefsBody(all, "")), PlanOnly: true},
		},
	})
	expectNoWrites(t, mock)
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

// An imported key has no earlier value: removing it from preferences stops
// managing it and leaves its value on the server as it is.
func TestAccPreferencesResource_ImportThenRemoveKeyKeepsValue(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
	all := dc.dialect.Mutable(mock.Document(dc.dialect))
	fewer := all.Clone()
	delete(fewer, dc.keyA)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:             dc.resourceConfig(url, prefsBody(all, "")),
				ResourceName:       resourceName,
				ImportState:        true,
				ImportStateId:      dc.id(),
				ImportStatePersist: true,
			},
			{
				PreConfig:         mock.ResetJournal,
				Config:            dc.resourceConfig(url, prefsBody(fewer, "")),
				ConfigStateChecks: []statecheck.StateCheck{expectPreferences(resourceName, fewer)},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA}),
					expectRequests(mock, 1, 0),
				),
			},
		},
	})
}

// The warning a release gives names each key with its reason, and a key
// let go because another resource declares it is handed over.
func TestReleaseWarning(t *testing.T) {
	var owners keyOwners
	owners.declare("other", []string{"email.d"})
	release := prefs.Release{
		Keys:      []string{"email.a", "email.b", "email.c", "email.d"},
		Current:   prefs.Document{"email.a": true},
		Earlier:   prefs.Document{"email.a": false, "email.d": true},
		Withdrawn: []string{"email.c"},
	}
	var written prefs.Document
	released, ok := owners.release(release, func(r prefs.Released) bool {
		written = r.Writes
		return true
	})
	want := `Terraform stops managing "email.b" here and leaves their values on the server as they are, because they were imported, so there is no earlier value to restore. ` +
		`Terraform stops managing "email.d" here and leaves their values on the server as they are, because another notification_preferences resource of this provider configuration manages them now, and remembers their earlier values in this one's place. ` +
		`Terraform stops managing "email.c" here and leaves their values on the server as they are, because the server no longer has them.`
	if got := leftAlone(released.Left, nil); !ok || got != want {
		t.Fatalf("warning:\n%s\nwant:\n%s", got, want)
	}
	if !maps.Equal(written, prefs.Document{"email.a": false}) || len(released.Earlier) != 0 {
		t.Fatalf("wrote %v, still remembers %v: want email.a restored and every earlier value forgotten", written, released.Earlier)
	}
	if got := owners.awaitHandOver(context.Background(), []string{"email.d"}); !maps.Equal(got, prefs.Document{"email.d": true}) {
		t.Fatalf("handed over %v, want email.d's earlier value true", got)
	}
}
