package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

var (
	_ list.ListResource              = (*preferencesListResource)(nil)
	_ list.ListResourceWithConfigure = (*preferencesListResource)(nil)
)

func newPreferencesListResource() list.ListResource {
	return &preferencesListResource{}
}

// preferencesListResource lets `terraform query` (Terraform 1.14 and
// later) find the preferences document of a provider configuration and
// write the resource that would manage it. A provider configuration is for
// exactly one document, so a list block finds exactly one.
type preferencesListResource struct {
	listed *listedAccount // nil while the provider configuration is unknown
}

// listedAccount is what the provider hands list resources: the account,
// and the endpoint's host, which only a display name needs.
type listedAccount struct {
	*account
	host string
}

func newListedAccount(a *account, endpoint string) *listedAccount {
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		host = u.Host
	}
	return &listedAccount{account: a, host: host}
}

// preferencesListModel is the list block's config block.
type preferencesListModel struct {
	KeyPrefixes types.List `tfsdk:"key_prefixes"`
}

func (l *preferencesListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preferences"
}

// keyPrefix allows what a dotted key's beginning may hold: a typo such as
// "Email." would otherwise silently match nothing.
var keyPrefix = regexp.MustCompile(`^[a-z0-9_.]+$`)

func (l *preferencesListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the notification preferences document of the provider configuration (the signed-in user's for `v1`, the API key's user's for `vastai`): one result, with the resource identity an `import` block names. With `include_resource = true` the result carries the resource as `terraform import` makes it, so `terraform query -generate-config-out` writes a resource block and an import block that plan as one import and no change.",
		Attributes: map[string]schema.Attribute{
			"key_prefixes": schema.ListAttribute{
				MarkdownDescription: "Declare only the keys that start with one of these, such as `[\"email.\"]` for the `v1` email channel or `[\"client.low_credit.\"]` for one `vastai` event. Without it the resource declares every key users may change. Keys the API refuses to change (immutable or mandatory) are never declared. The import that follows still adopts every key users may change, so with `key_prefixes` its plan also drops the other keys from state, writing nothing: imported keys are kept as they are on destroy.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(keyPrefix,
						"must be the beginning of a dotted key: lowercase letters, digits, underscores and dots")),
				},
			},
		},
	}
}

func (l *preferencesListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	listed, ok := req.ProviderData.(*listedAccount)
	if !ok {
		addUnexpectedProviderData(&resp.Diagnostics, req.ProviderData)
		return
	}
	l.listed = listed
}

// List reads the document once (the walk's shared read) and answers one
// result: its identity, a name a person recognises, and, when asked, the
// resource as import would make it, narrowed to key_prefixes.
func (l *preferencesListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	var config preferencesListModel
	// The config is null when the list block has no config block.
	if !req.Config.Raw.IsNull() {
		diags.Append(req.Config.Get(ctx, &config)...)
	}
	a := l.listed
	if a == nil {
		addNotConfigured(&diags)
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	doc, err := a.readShared(ctx)
	if err != nil {
		addAPIError(&diags, a.Dialect(), "read notification preferences", err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var prefixes []string
	diags.Append(config.KeyPrefixes.ElementsAs(ctx, &prefixes, false)...)
	mutable := a.Dialect().Mutable(doc)
	declared := mutable.Under(prefixes)
	if len(declared) == 0 {
		addNoKeysUnder(&diags, prefixes, mutable)
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}

	result := req.NewListResult(ctx)
	result.DisplayName = a.displayName()
	id := types.StringValue(a.ID())
	result.Diagnostics.Append(result.Identity.Set(ctx, preferencesIdentity{ID: id})...)
	if req.IncludeResource {
		// As Read makes an imported resource: on_destroy is the default,
		// and with no earlier values destroy leaves every key as it is.
		imported := preferencesModel{ID: id, Preferences: toMap(declared), OnDestroy: types.StringValue(onDestroyRestore)}
		result.Diagnostics.Append(result.Resource.Set(ctx, imported)...)
	}
	stream.Results = func(push func(list.ListResult) bool) { push(result) }
}

// displayName says whose document it is and where: the dialect, the user
// and the endpoint's host, as a person would tell two accounts apart.
func (a *listedAccount) displayName() string {
	whose := "the signed-in user"
	if a.Dialect() == prefs.VastAI {
		whose = "user " + a.ID()
	}
	return fmt.Sprintf("Notification preferences of %s (%s API at %s)", whose, a.Dialect(), a.host)
}
