package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

const dataSourceName = "data.notification_preferences.current"

// The data source reads every key of the resolved document, defaults
// included, and picks up channels the server ships later.
func TestAccPreferencesDataSource(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
		config := dc.providerBlock(url) + `data "notification_preferences" "current" {}`
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					expectID(dataSourceName, dc.id()),
					expectPreferences(dataSourceName, mock.Document(dc.dialect)),
				},
			}},
		})
	})
}

func TestAccPreferencesDataSource_ShippedChannel(t *testing.T) {
	t.Parallel()
	dc := dialectCases[0]
	mock, url := startMock(t)
	config := dc.providerBlock(url) + `data "notification_preferences" "current" {}`
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dataSourceName, tfjsonpath.New("preferences"), knownvalue.MapSizeExact(4)),
			}},
			{
				PreConfig: func() { mock.Ship(prefs.V1, mockapi.InAppChannel) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dataSourceName, tfjsonpath.New("preferences"), knownvalue.MapSizeExact(6)),
					statecheck.ExpectKnownValue(dataSourceName, tfjsonpath.New("preferences").AtMapKey("in_app.product_updates"), knownvalue.Bool(true)),
				},
			},
		},
	})
}
