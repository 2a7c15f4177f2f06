package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

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

// Keys the server ships later appear at the next read, with no new
// release of the provider.
func TestAccPreferencesDataSource_ShippedChannel(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		before := mock.Document(dc.dialect)
		config := dc.providerBlock(url) + `data "notification_preferences" "current" {}`
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: config, ConfigStateChecks: []statecheck.StateCheck{expectPreferences(dataSourceName, before)}},
				{
					PreConfig:         func() { mock.Ship(dc.dialect, dc.shipped) },
					Config:            config,
					ConfigStateChecks: []statecheck.StateCheck{expectPreferences(dataSourceName, before.Overlay(dc.shipped))},
				},
			},
		})
	})
}
