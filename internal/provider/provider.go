// Package provider is the Terraform face of the notification preferences
// APIs: the provider configuration, the notification_preferences resource
// and data source, and the diagnostics they show.
package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

var (
	_ provider.Provider              = (*notificationProvider)(nil)
	_ provider.ProviderWithFunctions = (*notificationProvider)(nil)
	// List resources need Terraform 1.14; older CLIs never ask for them.
	_ provider.ProviderWithListResources = (*notificationProvider)(nil)
)

// New returns a constructor for the provider at the given release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &notificationProvider{version: version}
	}
}

type notificationProvider struct {
	version string
	// Retry waits; zero means the client's defaults. Only tests set them,
	// so that a fault soak of hundreds of retries finishes in minutes.
	retryWaitMin, retryWaitMax time.Duration
	// tokenCommandTimeout bounds token_command; zero means
	// credentials.DefaultCommandTimeout. Only tests set it.
	tokenCommandTimeout time.Duration
}

// providerModel is the provider block. Every argument may instead come from
// its NOTIFICATION_* environment variable, so CI can keep the token out of
// configuration.
type providerModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	Token          types.String `tfsdk:"token"`
	TokenFile      types.String `tfsdk:"token_file"`
	TokenCommand   types.List   `tfsdk:"token_command"`
	API            types.String `tfsdk:"api"`
	UserID         types.Int64  `tfsdk:"user_id"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
}

func (p *notificationProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "notification"
	resp.Version = p.version
}

func (p *notificationProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Keeps a user's notification preferences in code, over the `v1` partial-PATCH API or Vast.ai's full-PUT API.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the notification API, such as `https://api.example.com`. May also be set with the `NOTIFICATION_ENDPOINT` environment variable. Defaults to `https://console.vast.ai` with `api = \"vastai\"`.",
				Optional:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "Bearer token: a user session token for `v1` (API keys are refused by that endpoint), an API key for `vastai`. May also be set with the `NOTIFICATION_TOKEN` environment variable, which keeps it out of configuration; with `api = \"vastai\"`, `VAST_API_KEY` (the variable the vast CLI reads) is used when neither is set. A `v1` session token lives about a minute, so a static one suits only short runs: in CI use `token_command` or `token_file`, which the provider reads again before the token expires. A token that is a JWT whose `exp` has passed (by more than 30 seconds, an allowance for clock skew) fails the plan before any request. An empty or blank `token` counts as unset, so that `token = var.token` with a default of `\"\"` lets `NOTIFICATION_TOKEN` (or `NOTIFICATION_TOKEN_FILE`) apply. Conflicts with `token_file` and `token_command`.",
				Optional:            true,
				Sensitive:           true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("token_file"), path.MatchRoot("token_command")),
				},
			},
			"token_file": schema.StringAttribute{
				MarkdownDescription: "Path of a file whose content is the token (surrounding whitespace trimmed), or `{\"token\": \"…\", \"expires_at\": \"<RFC 3339>\"}` (`expires_at` may also be Unix seconds), at most 64 KiB, in UTF-8 (a byte order mark is dropped) or UTF-16 with a byte order mark, as PowerShell's `>` writes. A read that takes more than 5 seconds (a FIFO nothing writes to, a hung mount) is an error. The provider reads it when it is configured and again before each request once half the token's lifetime has passed or less than 10 seconds are left (the lifetime comes from `expires_at` or the JWT's `exp`), and after a `401`; so whatever keeps the file fresh may rewrite it at any time. A relative path is relative to Terraform's working directory. May also be set with the `NOTIFICATION_TOKEN_FILE` environment variable. Conflicts with `token` and `token_command`.",
				Optional:            true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("token"), path.MatchRoot("token_command")),
				},
			},
			"token_command": schema.ListAttribute{
				MarkdownDescription: "A program and its arguments, such as `[\"./mint-session-token\", \"--user\", \"ci\"]`, run without a shell, in Terraform's environment and working directory, with standard input closed and a time limit of 30 seconds, in a process group of its own that is killed whole at the limit. Its standard output is the token alone (surrounding whitespace trimmed) or `{\"token\": \"…\", \"expires_at\": \"<RFC 3339>\"}` (`expires_at` may also be Unix seconds), at most 64 KiB, and is never logged or shown; it is read until the command exits, so a background process it leaves behind does not hold it. The time a run takes does not count against `request_timeout`. A run that fails while the current token has more than 10 seconds left is logged as a warning, and the current token serves, with a backoff before the next run. The provider runs it when it is configured, so a broken command fails the plan before anything else, and again before a request once half the token's lifetime has passed or less than 10 seconds are left (the lifetime comes from `expires_at` or the JWT's `exp`), and after a `401`, one run at a time per provider configuration. A request refused with `401` is sent again once with the new token. When the command fails, the error names the program, its exit status or the time limit, and the last lines of its standard error, with anything that looks like a token masked. Conflicts with `token` and `token_file`.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.NoNullValues(),
					listvalidator.ConflictsWith(path.MatchRoot("token"), path.MatchRoot("token_file")),
				},
			},
			"api": schema.StringAttribute{
				MarkdownDescription: "Wire dialect of the API: `v1` (default; partial PATCH, keys like `email.weekly_usage_digest`) or `vastai` (full PUT, keys like `client.low_credit.email`). May also be set with the `NOTIFICATION_API` environment variable.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(dialectNames()...)},
			},
			"user_id": schema.Int64Attribute{
				MarkdownDescription: "Vast.ai user id whose preferences are managed. May also be set with the `NOTIFICATION_USER_ID` environment variable. When neither is set, the provider asks the API whose key the token is (`GET /api/v0/users/current/`, as `vastai show user` does), once per run.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP attempt may take, as a Go duration such as `30s` or `1m` (default `30s`). May also be set with the `NOTIFICATION_REQUEST_TIMEOUT` environment variable.",
				Optional:            true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a transient failure (connection error, timeout, 429, 502, 503, 504) is retried, with capped exponential backoff that honours `Retry-After` (default `4`, at most `10`). May also be set with the `NOTIFICATION_MAX_RETRIES` environment variable.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 10)},
			},
		},
	}
}

func dialectNames() []string {
	names := make([]string, len(prefs.Dialects))
	for i, d := range prefs.Dialects {
		names[i] = string(d)
	}
	return names
}

func (p *notificationProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A value that is unknown until apply (say, a token from another
	// resource) is not an error: resources then skip the plan-time key
	// check and make it at apply instead.
	if model.hasUnknown() {
		return
	}
	cfg, diags := model.clientConfigWith(p.version, req.TerraformVersion, p.tokenCommandTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.RetryWaitMin, cfg.RetryWaitMax = p.retryWaitMin, p.retryWaitMax
	// A token file or command is read now, so that a broken one fails
	// the plan before anything else, pointed at its argument.
	if cfg.Source != nil && cfg.Source.Refreshable() {
		if _, err := cfg.Source.Token(ctx); err != nil {
			addTokenFetchError(&resp.Diagnostics, "get a token for the notification API", err, true)
			return
		}
	}
	configured, err := newAccount(cfg)
	if err != nil {
		addInvalidConfiguration(&resp.Diagnostics, err)
		return
	}
	if err := client.ResolveUser(ctx, configured.Client); err != nil {
		addAPIError(&resp.Diagnostics, cfg.Dialect, "look up the Vast.ai user of the API key (set user_id to skip this)", err)
		return
	}
	resp.ResourceData = configured
	resp.DataSourceData = configured
	resp.ListResourceData = newListedAccount(configured, cfg.Endpoint)
}

func (p *notificationProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newPreferencesResource}
}

func (p *notificationProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{newPreferencesListResource}
}

func (p *notificationProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{newFlattenFunction, newNestFunction}
}

func (p *notificationProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newPreferencesDataSource}
}
