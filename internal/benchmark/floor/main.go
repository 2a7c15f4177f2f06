// Command floor is the do-nothing framework provider `make bench` measures
// against: one resource that stores a map(bool) and calls nothing. What it
// costs to plan (plugin start, handshake, schema, the framework's handling
// of the map) is what every framework provider pays; the benchmark reports
// the notification provider's plan time as a ratio to it.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return floorProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/openprefs/floor"})
	if err != nil {
		log.Fatal(err)
	}
}

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}
func (floorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{}
}
func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return store{} }}
}
func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// store keeps the planned map in state and nothing else.
type store struct{}

type storeModel struct {
	ID          types.String `tfsdk:"id"`
	Preferences types.Map    `tfsdk:"preferences"`
}

func (store) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preferences"
}

func (store) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":          schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"preferences": schema.MapAttribute{ElementType: types.BoolType, Required: true},
	}}
}

func (store) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m storeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue("floor")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (store) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (store) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m storeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (store) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
