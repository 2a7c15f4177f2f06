package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

var (
	_ resource.Resource                = (*preferencesResource)(nil)
	_ resource.ResourceWithConfigure   = (*preferencesResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*preferencesResource)(nil)
	_ resource.ResourceWithImportState = (*preferencesResource)(nil)
)

func newPreferencesResource() resource.Resource {
	return &preferencesResource{}
}

// preferencesResource manages the keys declared in preferences and no
// others. The APIs have no DELETE, so destroy writes back the values the
// keys had before (kept in private state) rather than removing anything.
type preferencesResource struct {
	api *api // nil while the provider configuration is unknown
}

func (r *preferencesResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preferences"
}

func (r *preferencesResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the notification toggles you declare, and only those: other keys keep whatever value they have.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifies the preferences document: `me` for the `v1` API, the user id for `vastai`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"preferences": schema.MapAttribute{
				MarkdownDescription: "The toggles this resource manages, by dotted key (`email.weekly_usage_digest` for `v1`, `client.low_credit.email` for `vastai`), each set to `true` or `false`. " +
					"Keys are checked against the server at plan time. Removing a key stops managing it and, with `on_destroy = \"restore\"`, puts back the value it had before.",
				ElementType: types.BoolType,
				Required:    true,
				Validators:  []validator.Map{mapvalidator.SizeAtLeast(1), declaredKeysValidator{}},
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What destroy, and removing a key from `preferences`, does to the server: `restore` (default) writes back the values the keys had before this resource managed them; `keep` leaves the current values and only stops managing them.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(onDestroyRestore),
				Validators:          []validator.String{stringvalidator.OneOf(onDestroyRestore, onDestroyKeep)},
			},
		},
	}
}

func (r *preferencesResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.api = apiFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes the plan fail on any declared key the API would refuse,
// so that a typo is a plan error pointed at the key and not a surprise at
// apply. Keys already in state were confirmed by the refresh that just
// read the server, so only newly declared keys need the server's document,
// which is read at most once per provider instance.
func (r *preferencesResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.api == nil {
		return // destroy, or provider configuration unknown until apply
	}
	var plan preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Preferences.IsUnknown() {
		return
	}
	var state preferencesModel
	if req.State.Raw.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), r.api.ID())...)
	} else {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	desired, prior := declared(plan.Preferences), document(state.Preferences)
	var known prefs.Document // nil: no new key, so only the offline checks
	if len(prefs.Missing(prior, desired)) > 0 {
		catalogue, err := r.api.resolved(ctx)
		if err != nil {
			addAPIError(&resp.Diagnostics, r.api.Dialect(), "read the notification preferences to check the declared keys", err)
			return
		}
		known = catalogue.Overlay(prior)
	}
	addProblems(&resp.Diagnostics, r.api.Dialect(), r.api.Dialect().Check(desired, known))
}

func (r *preferencesResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !ready(r.api, &resp.Diagnostics) {
		return
	}
	desired := document(plan.Preferences)
	current, ok := r.resolved(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	// The plan-time check was skipped if the provider configuration was
	// unknown then; make it now, before anything is written.
	if problems := r.api.Dialect().Check(desired, current); len(problems) > 0 {
		addProblems(&resp.Diagnostics, r.api.Dialect(), problems)
		return
	}
	after, ok := r.write(ctx, prefs.Changes(current, desired), current, &resp.Diagnostics)
	if !ok {
		return
	}
	restore, _ := prefs.Select(current, desired.Keys())
	writeRestore(ctx, resp.Private, restore, &resp.Diagnostics)
	plan.ID = types.StringValue(r.api.ID())
	plan.Preferences = managedValues(after, desired)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *preferencesResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.api == nil {
		return // provider configuration unknown until apply: keep state as it is
	}
	var state preferencesModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, ok := r.read(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	r.api.remember(doc)
	state.ID = types.StringValue(r.api.ID())
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyRestore)
	}
	if state.Preferences.IsNull() {
		// Just imported: adopt every key users may change. None has an
		// earlier value to restore, so destroy will leave them as they are.
		state.Preferences = mapValue(r.api.Dialect().Mutable(doc))
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	managed := document(state.Preferences)
	found, missing := prefs.Select(doc, managed.Keys())
	if len(missing) > 0 {
		resp.Diagnostics.AddWarning("Managed notification keys no longer exist",
			fmt.Sprintf("The server no longer reports %s, so they were removed from state. Remove them from preferences too, or the next plan will fail on them.", quoteList(missing)))
		restore := readRestore(ctx, req.Private, &resp.Diagnostics)
		for _, k := range missing {
			delete(restore, k)
		}
		writeRestore(ctx, resp.Private, restore, &resp.Diagnostics)
	}
	state.Preferences = mapValue(found)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update writes, in one request, the declared values that differ and, for
// keys removed from preferences, their earlier values. State was refreshed
// moments ago, so only newly declared keys need the server's document.
func (r *preferencesResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.api, &resp.Diagnostics) {
		return
	}
	desired, prior := document(plan.Preferences), document(state.Preferences)
	restore := readRestore(ctx, req.Private, &resp.Diagnostics)
	base := prior
	if added := prefs.Missing(prior, desired); len(added) > 0 {
		current, ok := r.resolved(ctx, &resp.Diagnostics)
		if !ok {
			return
		}
		if problems := r.api.Dialect().Check(desired, current.Overlay(prior)); len(problems) > 0 {
			addProblems(&resp.Diagnostics, r.api.Dialect(), problems)
			return
		}
		for _, k := range added {
			restore[k] = current[k] // the value it had before this resource managed it
		}
		base = prior.Overlay(current)
	}
	changes := prefs.Changes(base, desired)
	released := r.release(prefs.Missing(desired, prior), base, restore, plan.OnDestroy.ValueString(), changes)
	after, ok := r.write(ctx, changes, base, &resp.Diagnostics)
	if !ok {
		return
	}
	if released != "" {
		resp.Diagnostics.AddWarning("Notification keys no longer managed", released)
	}
	writeRestore(ctx, resp.Private, restore, &resp.Diagnostics)
	plan.Preferences = managedValues(after, desired)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete restores the earlier values of the managed keys in one request,
// unless on_destroy is "keep". A failed restore keeps the resource in state.
func (r *preferencesResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state preferencesModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.api, &resp.Diagnostics) {
		return
	}
	prior := document(state.Preferences)
	restore := readRestore(ctx, req.Private, &resp.Diagnostics)
	changes := prefs.Document{}
	released := r.release(prior.Keys(), prior, restore, state.OnDestroy.ValueString(), changes)
	if _, ok := r.write(ctx, changes, nil, &resp.Diagnostics); !ok {
		return
	}
	if released != "" {
		resp.Diagnostics.AddWarning("Notification keys left as they are", released)
	}
}

func (r *preferencesResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ready(r.api, &resp.Diagnostics) {
		return
	}
	if want := r.api.ID(); req.ID != want {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("The import ID for the %s API is %q, not %q: the provider configuration decides whose preferences these are. Run: terraform import notification_preferences.<name> %s", r.api.Dialect(), want, req.ID, want))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// release stops managing keys: with on_destroy "restore" it adds their
// earlier values to changes (only where they differ from current);
// with "keep", or for keys with no earlier value (imported ones), it leaves
// them. It forgets their earlier values and returns what to warn about.
func (r *preferencesResource) release(keys []string, current, restore prefs.Document, onDestroy string, changes prefs.Document) string {
	var kept []string
	for _, k := range keys {
		earlier, known := restore[k]
		delete(restore, k)
		switch {
		case onDestroy == onDestroyKeep || !known:
			kept = append(kept, k)
		case earlier != current[k]:
			changes[k] = earlier
		}
	}
	if len(kept) == 0 {
		return ""
	}
	why := `on_destroy is "keep"`
	if onDestroy != onDestroyKeep {
		why = "they were imported, so there is no earlier value to restore"
	}
	return fmt.Sprintf("Terraform no longer manages %s; their values on the server were left as they are because %s.", quoteList(kept), why)
}

func (r *preferencesResource) read(ctx context.Context, diags *diag.Diagnostics) (prefs.Document, bool) {
	doc, err := r.api.Read(ctx)
	if err != nil {
		addAPIError(diags, r.api.Dialect(), "read notification preferences", err)
		return nil, false
	}
	return doc, true
}

// resolved is the document this provider instance read moments ago (in
// the apply walk, the plan of this very resource read it), or a fresh read.
func (r *preferencesResource) resolved(ctx context.Context, diags *diag.Diagnostics) (prefs.Document, bool) {
	doc, err := r.api.resolved(ctx)
	if err != nil {
		addAPIError(diags, r.api.Dialect(), "read notification preferences", err)
		return nil, false
	}
	return doc, true
}

// write applies changes, if there are any, and returns the document after
// them (current when nothing needed writing).
func (r *preferencesResource) write(ctx context.Context, changes, current prefs.Document, diags *diag.Diagnostics) (prefs.Document, bool) {
	if len(changes) == 0 {
		return current, true
	}
	after, err := r.api.apply(ctx, changes)
	if err != nil {
		addAPIError(diags, r.api.Dialect(), "write notification preferences", err)
		return nil, false
	}
	return after, true
}

// managedValues is the state's preferences: the declared keys, with the
// server's values where it reported them.
func managedValues(server, declared prefs.Document) types.Map {
	values := declared.Clone()
	for k := range values {
		if v, ok := server[k]; ok {
			values[k] = v
		}
	}
	return mapValue(values)
}

func quoteList(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(quoted, ", ")
}
