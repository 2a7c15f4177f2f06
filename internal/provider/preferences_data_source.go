package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*preferencesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*preferencesDataSource)(nil)
)

func newPreferencesDataSource() datasource.DataSource {
	return &preferencesDataSource{}
}

// preferencesDataSource reads the whole resolved document: every key the
// server knows, which is also the list of keys the resource accepts.
type preferencesDataSource struct {
	account *account
}

type preferencesDataModel struct {
	ID          types.String `tfsdk:"id"`
	Preferences types.Map    `tfsdk:"preferences"`
}

func (d *preferencesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preferences"
}

func (d *preferencesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads every notification toggle of the configured user, as the server resolves it (defaults included).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifies the preferences document: `me` for the `v1` API, the user id for `vastai`.",
				Computed:            true,
			},
			"preferences": schema.MapAttribute{
				MarkdownDescription: "Every key of the resolved document, by dotted key (`email.weekly_usage_digest` for `v1`, `client.low_credit.email` for `vastai`), with its current value. These are the keys `notification_preferences` resources may manage.",
				ElementType:         types.BoolType,
				Computed:            true,
			},
		},
	}
}

func (d *preferencesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.account = accountFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *preferencesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !ready(d.account, &resp.Diagnostics) {
		return
	}
	doc, err := d.account.readShared(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, d.account.Dialect(), "read notification preferences", err)
		return
	}
	state := preferencesDataModel{ID: types.StringValue(d.account.ID()), Preferences: toMap(doc)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
