package provider

import (
	"context"
	"encoding/json"
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	helper "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// release010 stands in for release 0.1.0, which the test harness cannot
// download (terraform-provider-http's upgrade tests fetch the old release
// from the registry; nothing may be fetched here): the same provider, but
// writing what 0.1.0 wrote, schema version 0 and the earlier values as a
// bare map in private state.
type release010 struct{ notificationProvider }

func (p *release010) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &release010Resource{} }}
}

type release010Resource struct{ preferencesResource }

func (r *release010Resource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.preferencesResource.Schema(ctx, req, resp)
	resp.Schema.Version = 0
}

func (r *release010Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.preferencesResource.Create(ctx, req, resp)
	raw, _ := json.Marshal(readEarlier(ctx, resp.Private, &resp.Diagnostics))
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, earlierKey, nil)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, legacyEarlierKey, raw)...)
}

var _ provider.Provider = (*release010)(nil)

// State written by 0.1.0 is read by this release with an empty plan, and
// destroy still restores the earlier values 0.1.0 remembered.
func TestAccPreferencesResource_UpgradeFromVersion0_1_0(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		config := dc.resourceConfig(url, prefsBody(prefs.Document{dc.keyA: !dc.defaultA}, ""))
		helper.UnitTest(t, helper.TestCase{
			PreCheck:     func() { testAccPreCheck(t) },
			CheckDestroy: expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA}),
			Steps: []helper.TestStep{
				{
					ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
						"notification": providerserver.NewProtocol6WithError(&release010{notificationProvider{version: "0.1.0"}}),
					},
					Config: config,
				},
				{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					Config:                   config,
					ConfigPlanChecks: helper.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
	})
}

// The private restore data is read in every shape a release has written.
func TestDecodeRestore(t *testing.T) {
	want := prefs.Document{"email.weekly_usage_digest": false}
	for name, raw := range map[string]string{
		"version 0 (0.1.0)": `{"email.weekly_usage_digest":false}`,
		"version 1":         `{"version":1,"values":{"email.weekly_usage_digest":false}}`,
	} {
		got, err := decodeEarlier([]byte(raw))
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("%s: %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := decodeEarlier([]byte(`{"version":2,"values":{}}`)); err == nil {
		t.Error("a version from a newer release was read as if understood")
	}
}
