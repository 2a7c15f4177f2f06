package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	_ resource.Resource                 = (*preferencesResource)(nil)
	_ resource.ResourceWithConfigure    = (*preferencesResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*preferencesResource)(nil)
	_ resource.ResourceWithImportState  = (*preferencesResource)(nil)
	_ resource.ResourceWithUpgradeState = (*preferencesResource)(nil)
	_ resource.ResourceWithIdentity     = (*preferencesResource)(nil)
)

func newPreferencesResource() resource.Resource {
	return &preferencesResource{}
}

// preferencesResource manages the keys declared in preferences and no
// others. The APIs have no DELETE, so destroy writes back the values the
// keys had before (kept in private state) rather than removing anything.
type preferencesResource struct {
	account *account // nil while the provider configuration is unknown
}

func (r *preferencesResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preferences"
}

func (r *preferencesResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		// Version 0 is release 0.1.0's; see UpgradeState.
		Version:             1,
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
	r.account = accountFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes the plan fail on what apply could not do: a declared
// key the API would refuse (so that a typo is a plan error at the key, not
// a surprise at apply), a key another resource of this provider
// configuration declares too, and a resource pointed at a document other
// than its own. It also says what releasing keys will write back.
func (r *preferencesResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.account == nil {
		return // provider configuration unknown until apply
	}
	var state preferencesModel
	if !req.State.Raw.IsNull() {
		state = readModel(ctx, req.State, &resp.Diagnostics)
		if resp.Diagnostics.HasError() || !r.boundTo(state.ID, &resp.Diagnostics) {
			return
		}
	}
	prior := fromMap(state.Preferences)
	if req.Plan.Raw.IsNull() {
		private := readPrivate(ctx, req.Private, &resp.Diagnostics)
		r.planRelease("Destroying this resource", prior.Keys(), prior, private, state.keeps(), &resp.Diagnostics)
		return
	}
	plan := readModel(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || plan.Preferences.IsUnknown() {
		return
	}
	if req.State.Raw.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), r.account.ID())...)
	}
	desired := declaredIn(plan.Preferences)
	removed := prefs.Removed(prior, desired)
	// A plan that fails in the apply walk is not applied: the keys it lets
	// go stay in its state, so no taker may claim them in this walk.
	defer func() {
		if len(removed) > 0 && resp.Diagnostics.HasError() {
			r.account.abandon(prefs.Write{Release: &prefs.Release{Keys: removed}})
		}
	}()
	// The earlier values matter only to keys leaving; most plans have none.
	private := privateData{withdrawn: readWithdrawn(ctx, req.Private, &resp.Diagnostics)}
	if len(removed) > 0 {
		private.earlier = readEarlier(ctx, req.Private, &resp.Diagnostics)
	}

	name := planName(ctx, req.Private, resp.Private, &resp.Diagnostics)
	still := !req.State.Raw.IsNull() && plan.Preferences.Equal(state.Preferences) && plan.OnDestroy.Equal(state.OnDestroy)
	twice, heldTwice := r.account.declare(name, desired.Keys(), prior, still)
	addDeclaredTwice(&resp.Diagnostics, twice)
	addHeldTwice(&resp.Diagnostics, heldTwice)
	if !r.checkPlanned(ctx, desired, prior, private.withdrawn, &resp.Diagnostics) {
		return
	}
	r.planRelease("Removing "+quoteList(removed)+" from preferences", removed, prior, private, plan.keeps(), &resp.Diagnostics)
}

func (r *preferencesResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !ready(r.account, &resp.Diagnostics) {
		return
	}
	desired := fromMap(plan.Preferences)
	w := prefs.Write{Hold: desired, Adopt: desired.Keys()}
	current, ok := r.readDocument(ctx, &resp.Diagnostics)
	// The plan-time check was skipped if the provider configuration was
	// unknown then; make it now, before anything is written.
	if !ok || !checkKeys(r.account.Dialect(), desired, current, &resp.Diagnostics) {
		r.account.abandon(w)
		return
	}
	written, ok := r.write(ctx, w, &resp.Diagnostics)
	plan.ID = types.StringValue(r.account.ID())
	if !ok {
		saveFailed(ctx, &resp.State, resp.Private, plan, nil, privateData{}, desired, written, &resp.Diagnostics)
		return
	}
	privateData{earlier: written.outcome.Earlier}.save(ctx, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

// Read refreshes the managed keys from the walk's one read of the server.
// It runs for every resource on every plan, so it reads the attributes it
// needs one by one and writes only what changed: the framework hands it
// the current state, private state and identity to keep, and converting
// the whole model costs more than the rest of Read.
func (r *preferencesResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state := readModel(ctx, req.State, &resp.Diagnostics)
	id, managed := state.ID, state.Preferences
	if resp.Diagnostics.HasError() {
		return
	}
	if r.account == nil || (!id.IsNull() && id.ValueString() != r.account.ID()) {
		// Keep state as it is: the provider configuration is unknown until
		// apply, or this is another document's resource, on whose behalf
		// nothing is read (the plan says what to do).
		setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
		return
	}
	doc, ok := r.readDocument(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	if managed.IsNull() {
		// Just imported: adopt every key users may change. None has an
		// earlier value to restore, so destroy will leave them as they are.
		imported := preferencesModel{
			ID:          types.StringValue(r.account.ID()),
			Preferences: toMap(r.account.Dialect().Mutable(doc)),
			OnDestroy:   types.StringValue(onDestroyRestore),
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &imported)...)
		setIdentity(ctx, resp.Identity, imported.ID, &resp.Diagnostics)
		return
	}
	prior := fromMap(managed)
	found, withdrawn := prefs.Select(doc, prior.Keys())
	if refreshed := prior.Overlay(found); !maps.Equal(refreshed, prior) {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("preferences"), toMap(refreshed))...)
	}
	if !slices.Equal(withdrawn, readWithdrawn(ctx, req.Private, &resp.Diagnostics)) {
		setWithdrawn(ctx, resp.Private, withdrawn, &resp.Diagnostics)
	}
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

// Update writes, in one request, the declared values that differ and, for
// keys removed from preferences, their earlier values. Newly declared keys
// are checked against the server's document first.
func (r *preferencesResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.account, &resp.Diagnostics) || !r.boundTo(state.ID, &resp.Diagnostics) {
		return
	}
	private := readPrivate(ctx, req.Private, &resp.Diagnostics)
	desired, prior := fromMap(plan.Preferences), fromMap(state.Preferences)
	added := prefs.Added(prior, desired)
	release := releaseOf(prefs.Removed(prior, desired), private, plan.keeps())
	// A withdrawn key still declared keeps its last value in state; the
	// server has no such key to write or to hold.
	w := prefs.Write{Hold: desired.Without(private.withdrawn), Release: &release, Adopt: added}
	if len(added) > 0 {
		current, ok := r.readDocument(ctx, &resp.Diagnostics)
		if !ok || !checkKeys(r.account.Dialect(), desired, current.Overlay(prior), &resp.Diagnostics) {
			saveFailed(ctx, &resp.State, resp.Private, state, prior, private, desired, r.account.abandon(w), &resp.Diagnostics)
			return
		}
	}
	written, ok := r.write(ctx, w, &resp.Diagnostics)
	if !ok {
		saveFailed(ctx, &resp.State, resp.Private, state, prior, private, desired, written, &resp.Diagnostics)
		return
	}
	out := written.outcome
	addReleaseWarning(&resp.Diagnostics, "Notification Keys No Longer Managed", out.Released, out.Moved)
	stillDeclared, _ := prefs.Select(desired, private.withdrawn)
	privateData{earlier: out.Released.Earlier.Overlay(out.Earlier), withdrawn: stillDeclared.Keys()}.save(ctx, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

// Delete restores the earlier values of the managed keys in one request,
// unless on_destroy is "keep". A failed restore keeps the resource in state.
func (r *preferencesResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state preferencesModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.account, &resp.Diagnostics) || !r.boundTo(state.ID, &resp.Diagnostics) {
		return
	}
	prior, private := fromMap(state.Preferences), readPrivate(ctx, req.Private, &resp.Diagnostics)
	release := releaseOf(prior.Keys(), private, state.keeps())
	written, ok := r.write(ctx, prefs.Write{Release: &release}, &resp.Diagnostics)
	if !ok {
		saveFailed(ctx, &resp.State, resp.Private, state, prior, private, nil, written, &resp.Diagnostics)
		return
	}
	addReleaseWarning(&resp.Diagnostics, "Notification Keys Left as They Are", written.outcome.Released, written.outcome.Moved)
}

func (r *preferencesResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ready(r.account, &resp.Diagnostics) {
		return
	}
	id := req.ID
	if id == "" && req.Identity != nil {
		// An import block naming the identity rather than an id.
		var identity preferencesIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		id = identity.ID.ValueString()
	}
	if want := r.account.ID(); id != want {
		addInvalidImportID(&resp.Diagnostics, r.account.Dialect(), id, want)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	setIdentity(ctx, resp.Identity, types.StringValue(id), &resp.Diagnostics)
}
