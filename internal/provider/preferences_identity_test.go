package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Resource identity needs Terraform 1.12.
var identitySupported = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// The identity names the document, is kept by every operation, and an
// import block naming it adopts the resource as one naming the id does.
func TestAccPreferencesResource_Identity(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		all := dc.dialect.Mutable(mock.Document(dc.dialect))
		all[dc.keyA] = !dc.defaultA
		config := dc.resourceConfig(url, prefsBody(all, ""))
		identity := map[string]knownvalue.Check{"id": knownvalue.StringExact(dc.id())}
		cliTest(t, resource.TestCase{
			TerraformVersionChecks: identitySupported,
			Steps: []resource.TestStep{
				{
					Config:            config,
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity(resourceName, identity)},
				},
				{
					// An update keeps it.
					Config:            dc.resourceConfig(url, prefsBody(all.Overlay(prefs.Document{dc.keyB: !dc.defaultB}), "")),
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity(resourceName, identity)},
				},
				{
					Config:          dc.resourceConfig(url, prefsBody(all.Overlay(prefs.Document{dc.keyB: !dc.defaultB}), "")),
					ResourceName:    resourceName,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithResourceIdentity,
				},
			},
		})
	})
}
