package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

const dataSourceName = "data.notification_preferences.current"

// The data source reads every key of the resolved document, defaults
// included, and picks up channels the server ships later.
func TestAccPreferencesDataSource(t *testing.T) {
	for _, dc := range dialectCases {
		t.Run(string(dc.dialect), func(t *testing.T) {
			mock, url := startMock(t)
			mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
			config := dc.providerBlock(url) + `data "notification_preferences" "current" {}`
			want := mock.Document(dc.dialect)
			checks := []resource.TestCheckFunc{
				resource.TestCheckResourceAttr(dataSourceName, "id", map[prefs.Dialect]string{prefs.V1: "me", prefs.VastAI: "4242"}[dc.dialect]),
				resource.TestCheckResourceAttr(dataSourceName, "preferences.%", fmt.Sprint(len(want))),
			}
			for k, v := range want {
				checks = append(checks, resource.TestCheckResourceAttr(dataSourceName, "preferences."+k, fmt.Sprint(v)))
			}
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: config, Check: resource.ComposeAggregateTestCheckFunc(checks...)},
				},
			})
		})
	}
}

func TestAccPreferencesDataSource_ShippedChannel(t *testing.T) {
	dc := dialectCases[0]
	mock, url := startMock(t)
	config := dc.providerBlock(url) + `data "notification_preferences" "current" {}`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: resource.TestCheckResourceAttr(dataSourceName, "preferences.%", "4")},
			{
				PreConfig: func() { mock.Ship(prefs.V1, mockapi.InAppChannel) },
				Config:    config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(dataSourceName, "preferences.%", "6"),
					resource.TestCheckResourceAttr(dataSourceName, "preferences.in_app.product_updates", "true"),
				),
			},
		},
	})
}
