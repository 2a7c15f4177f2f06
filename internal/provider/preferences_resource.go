package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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

	"github.com/openprefs/terraform-provider-notification/internal/client"
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
	api *api // nil while the provider configuration is unknown
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
	r.api = apiFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes the plan fail on what apply could not do: a declared
// key the API would refuse (so that a typo is a plan error at the key, not
// a surprise at apply), a key another resource of this provider
// configuration declares too, and a resource pointed at a document other
// than its own. Keys already in state were confirmed by the refresh that
// just read the server, so only newly declared keys need the server's
// document, which is read at most once per walk.
func (r *preferencesResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.api == nil {
		return // provider configuration unknown until apply
	}
	var state preferencesModel
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() || !r.boundTo(state.ID, &resp.Diagnostics) {
			return
		}
	}
	prior := document(state.Preferences)
	if req.Plan.Raw.IsNull() {
		r.warnRestore(ctx, req.Private, prior.Keys(), prior, state.OnDestroy.ValueString(), "Destroying this resource", &resp.Diagnostics)
		return
	}
	var plan preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Preferences.IsUnknown() {
		return
	}
	if req.State.Raw.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), r.api.ID())...)
	}
	desired := declared(plan.Preferences)
	owner := planOwner(ctx, req.Private, resp.Private, &resp.Diagnostics)
	addDeclaredTwice(&resp.Diagnostics, r.api.owners.declare(owner, desired.Keys()))

	// A withdrawn key still declared with its last value plans no change
	// and only warns; declared with another value, it would be written,
	// and is checked like a new key.
	withdrawn := readWithdrawn(ctx, req.Private, &resp.Diagnostics)
	confirmed := prior.Without(withdrawn)
	var known prefs.Document // nil: no new key, so only the offline checks
	if len(prefs.Missing(confirmed, desired)) > 0 {
		catalogue, err := r.api.document(ctx)
		if err != nil {
			addAPIError(&resp.Diagnostics, r.api.Dialect(), "read the notification preferences to check the declared keys", err)
			return
		}
		known = catalogue.Overlay(confirmed)
	}
	var problems []prefs.Problem
	for _, p := range r.api.Dialect().Check(desired, known) {
		if was, ok := prior[p.Key]; ok && p.Kind == prefs.Unknown && slices.Contains(withdrawn, p.Key) && was == desired[p.Key] {
			addWithdrawnWarning(&resp.Diagnostics, p.Key)
			continue
		}
		problems = append(problems, p)
	}
	addProblems(&resp.Diagnostics, r.api.Dialect(), problems)
	if removed := prefs.Missing(desired, prior); len(removed) > 0 {
		r.warnRestore(ctx, req.Private, removed, prior, plan.OnDestroy.ValueString(), "Removing "+quoteList(removed)+" from preferences", &resp.Diagnostics)
	}
}

func (r *preferencesResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !ready(r.api, &resp.Diagnostics) {
		return
	}
	desired := document(plan.Preferences)
	current, ok := r.document(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	// The plan-time check was skipped if the provider configuration was
	// unknown then; make it now, before anything is written.
	if problems := r.api.Dialect().Check(desired, current); len(problems) > 0 {
		addProblems(&resp.Diagnostics, r.api.Dialect(), problems)
		return
	}
	restore, _ := prefs.Select(current, desired.Keys())
	for k := range restore {
		if earlier, ok := r.api.owners.takeOver(k); ok {
			restore[k] = earlier
		}
	}
	if _, ok := r.write(ctx, prefs.Changes(current, desired), desired, &resp.Diagnostics); !ok {
		return
	}
	writeRestore(ctx, resp.Private, restore, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ownerKey, nil)...)
	plan.ID = types.StringValue(r.api.ID())
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *preferencesResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state preferencesModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.api == nil || (!state.ID.IsNull() && state.ID.ValueString() != r.api.ID()) {
		// Keep state as it is: the provider configuration is unknown until
		// apply, or this is another document's resource, on whose behalf
		// nothing is read (the plan says what to do).
		setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
		return
	}
	doc, ok := r.document(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	state.ID = types.StringValue(r.api.ID())
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyRestore)
	}
	if state.Preferences.IsNull() {
		// Just imported: adopt every key users may change. None has an
		// earlier value to restore, so destroy will leave them as they are.
		state.Preferences = mapValue(r.api.Dialect().Mutable(doc))
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
		return
	}
	managed := document(state.Preferences)
	found, withdrawn := prefs.Select(doc, managed.Keys())
	writeWithdrawn(ctx, resp.Private, withdrawn, &resp.Diagnostics)
	state.Preferences = mapValue(managed.Overlay(found))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

// Update writes, in one request, the declared values that differ and, for
// keys removed from preferences, their earlier values. State was refreshed
// moments ago, so only newly declared keys need the server's document.
func (r *preferencesResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state preferencesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.api, &resp.Diagnostics) || !r.boundTo(state.ID, &resp.Diagnostics) {
		return
	}
	desired, prior := document(plan.Preferences), document(state.Preferences)
	restore := readRestore(ctx, req.Private, &resp.Diagnostics)
	base := prior
	if added := prefs.Missing(prior, desired); len(added) > 0 {
		current, ok := r.document(ctx, &resp.Diagnostics)
		if !ok {
			return
		}
		if problems := r.api.Dialect().Check(desired, current.Overlay(prior)); len(problems) > 0 {
			addProblems(&resp.Diagnostics, r.api.Dialect(), problems)
			return
		}
		for _, k := range added {
			restore[k] = current[k] // the value it had before this resource managed it
			if earlier, ok := r.api.owners.takeOver(k); ok {
				restore[k] = earlier
			}
		}
		base = prior.Overlay(current)
	}
	changes := prefs.Changes(base, desired)
	withdrawn := readWithdrawn(ctx, req.Private, &resp.Diagnostics)
	rel := r.release(prefs.Missing(desired, prior), base, restore, plan.OnDestroy.ValueString(), withdrawn, changes)
	// A withdrawn key still declared keeps its last value in state; the
	// server has no such key to write or to hold.
	gone, ok := r.write(ctx, changes, desired.Without(withdrawn), &resp.Diagnostics)
	if !ok {
		return
	}
	rel.withdrawn = append(rel.withdrawn, gone...)
	if msg := rel.String(); msg != "" {
		resp.Diagnostics.AddWarning("Notification Keys No Longer Managed", msg)
	}
	writeRestore(ctx, resp.Private, restore, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ownerKey, nil)...)
	stillDeclared, _ := prefs.Select(desired, withdrawn)
	writeWithdrawn(ctx, resp.Private, stillDeclared.Keys(), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

// Delete restores the earlier values of the managed keys in one request,
// unless on_destroy is "keep". A failed restore keeps the resource in state.
func (r *preferencesResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state preferencesModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.api, &resp.Diagnostics) || !r.boundTo(state.ID, &resp.Diagnostics) {
		return
	}
	prior := document(state.Preferences)
	restore := readRestore(ctx, req.Private, &resp.Diagnostics)
	withdrawn := readWithdrawn(ctx, req.Private, &resp.Diagnostics)
	changes := prefs.Document{}
	rel := r.release(prior.Keys(), prior, restore, state.OnDestroy.ValueString(), withdrawn, changes)
	gone, ok := r.write(ctx, changes, nil, &resp.Diagnostics)
	if !ok {
		return
	}
	rel.withdrawn = append(rel.withdrawn, gone...)
	if msg := rel.String(); msg != "" {
		resp.Diagnostics.AddWarning("Notification Keys Left as They Are", msg)
	}
}

func (r *preferencesResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ready(r.api, &resp.Diagnostics) {
		return
	}
	id := req.ID
	if id == "" && req.Identity != nil {
		// An import block naming the identity rather than an id.
		var identity preferencesIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		id = identity.ID.ValueString()
	}
	if want := r.api.ID(); id != want {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID for the %s API is %q, not %q: the provider configuration decides whose preferences these are. Run: terraform import notification_preferences.<name> %s", r.api.Dialect(), want, id, want))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	setIdentity(ctx, resp.Identity, types.StringValue(id), &resp.Diagnostics)
}

// UpgradeState reads state written by earlier schema versions. Version 0
// (release 0.1.0) had the same attributes; what changed with version 1 is
// the shape of the private restore data, which readRestore reads in either
// shape, so the state itself carries over as it is.
func (r *preferencesResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	var current resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &current)
	v0 := current.Schema
	v0.Version = 0
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &v0,
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var state preferencesModel
				resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			},
		},
	}
}

// release stops managing keys: with on_destroy "restore" it adds their
// earlier values to changes (only where they differ from current). It
// leaves alone keys that on_destroy "keep" keeps, keys with no earlier
// value (imported ones), keys the server withdrew, and keys another
// resource of this provider configuration declares now, to which it hands
// the earlier value. It forgets their earlier values, and returns what it
// left alone, for a warning.
func (r *preferencesResource) release(keys []string, current, restore prefs.Document, onDestroy string, withdrawn []string, changes prefs.Document) released {
	writes, rel := r.planRelease(keys, current, restore, onDestroy, withdrawn)
	maps.Copy(changes, writes)
	for _, k := range rel.handedOver {
		if earlier, known := restore[k]; known {
			r.api.owners.handOver(k, earlier)
		}
	}
	for _, k := range keys {
		delete(restore, k)
	}
	return rel
}

// planRelease works out what releasing keys will do, without doing it: the
// earlier values it writes back, and the keys it leaves as they are.
func (r *preferencesResource) planRelease(keys []string, current, restore prefs.Document, onDestroy string, withdrawn []string) (prefs.Document, released) {
	writes := prefs.Document{}
	var rel released
	for _, k := range keys {
		earlier, known := restore[k]
		switch {
		case slices.Contains(withdrawn, k):
			rel.withdrawn = append(rel.withdrawn, k)
		case r.api.owners.isDeclared(k):
			rel.handedOver = append(rel.handedOver, k)
		case onDestroy == onDestroyKeep:
			rel.kept = append(rel.kept, k)
		case !known:
			rel.imported = append(rel.imported, k)
		case earlier != current[k]:
			writes[k] = earlier
		}
	}
	return writes, rel
}

// warnRestore tells, at plan, what releasing keys will write to the server:
// each key and the value it goes back to, and which keys are only let go.
// The earlier values live in private state, so the plan itself shows only
// the keys leaving preferences. Nothing to write, no warning.
func (r *preferencesResource) warnRestore(ctx context.Context, private privateState, keys []string, current prefs.Document, onDestroy, what string, diags *diag.Diagnostics) {
	restore := readRestore(ctx, private, diags)
	writes, rel := r.planRelease(keys, current, restore, onDestroy, readWithdrawn(ctx, private, diags))
	if len(writes) == 0 {
		return
	}
	lines := make([]string, 0, len(writes))
	for _, k := range writes.Keys() {
		lines = append(lines, fmt.Sprintf("  %s → %v", k, writes[k]))
	}
	detail := fmt.Sprintf("%s writes back the values these keys had before this resource managed them:\n%s", what, strings.Join(lines, "\n"))
	if s := rel.String(); s != "" {
		detail += "\n\n" + s
	}
	diags.AddWarning("Notification Keys Will Be Restored", detail)
}

// released lists, by reason, the keys a release left as they are.
type released struct {
	kept, imported, handedOver, withdrawn []string
}

func (rel released) String() string {
	var parts []string
	for _, group := range []struct {
		keys []string
		why  string
	}{
		{rel.kept, `on_destroy is "keep"`},
		{rel.imported, "they were imported, so there is no earlier value to restore"},
		{rel.handedOver, "another notification_preferences resource of this provider configuration manages them now, and remembers their earlier values in this one's place"},
		{rel.withdrawn, "the server no longer has them"},
	} {
		if len(group.keys) > 0 {
			parts = append(parts, fmt.Sprintf("Terraform stops managing %s here and leaves their values on the server as they are, because %s.", quoteList(group.keys), group.why))
		}
	}
	return strings.Join(parts, " ")
}

// boundTo reports whether the provider is configured for the document id
// names (5.10): a resource created for one vastai user must never read or
// write another's on its behalf, destroy included.
func (r *preferencesResource) boundTo(id types.String, diags *diag.Diagnostics) bool {
	if id.IsNull() || id.IsUnknown() || id.ValueString() == r.api.ID() {
		return true
	}
	diags.AddAttributeError(path.Root("id"), "Resource Belongs to Another Preferences Document",
		fmt.Sprintf("This resource manages preferences document %q, but the provider is now configured for %q (user_id or the token changed). "+
			"Nothing was read from or written to either document. To keep managing %q, configure the provider for it again. "+
			"To manage %q instead, first stop managing %q without writing to it: a removed block with lifecycle { destroy = false }, or terraform state rm; "+
			"then declare the resource again and apply, or configure the provider for %q again and destroy to restore its earlier values.",
			id.ValueString(), r.api.ID(), id.ValueString(), r.api.ID(), id.ValueString(), id.ValueString()))
	return false
}

// document is the document this walk last saw, or a fresh read.
func (r *preferencesResource) document(ctx context.Context, diags *diag.Diagnostics) (prefs.Document, bool) {
	doc, err := r.api.document(ctx)
	if err != nil {
		addAPIError(diags, r.api.Dialect(), "read notification preferences", err)
		return nil, false
	}
	return doc, true
}

// write applies changes, if there are any, holding the declared values in
// hold, and checks that the server then holds every one of them. A key it
// was only restoring that the API no longer knows (withdrawn since the
// last refresh) is left out and the rest written again; such keys are
// returned for a warning.
func (r *preferencesResource) write(ctx context.Context, changes, hold prefs.Document, diags *diag.Diagnostics) ([]string, bool) {
	var gone []string
	for len(changes) > 0 {
		after, err := r.api.write(ctx, changes, hold)
		if err == nil {
			return gone, converged(after, hold, diags)
		}
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || !onlyRestoring(apiErr, changes, hold) || len(gone) > 0 {
			addAPIError(diags, r.api.Dialect(), "write notification preferences", err)
			return nil, false
		}
		for _, k := range apiErr.DetailKeys() {
			delete(changes, k)
			gone = append(gone, k)
		}
	}
	return gone, true
}

// onlyRestoring reports whether the API refused, as unknown, only keys
// being restored: keys written but not declared.
func onlyRestoring(e *client.APIError, changes, hold prefs.Document) bool {
	if !e.UnknownKey() || len(e.Details) == 0 {
		return false
	}
	for k := range e.Details {
		_, declared := hold[k]
		_, written := changes[k]
		if declared || !written {
			return false
		}
	}
	return true
}

// converged reports whether after, the server's answer to a write, holds
// every declared value, and otherwise says which key the server kept.
func converged(after, hold prefs.Document, diags *diag.Diagnostics) bool {
	for _, k := range prefs.Changes(after, hold).Keys() {
		got, ok := after[k]
		diags.AddAttributeError(keyPath(k), "Notification API Did Not Keep the Value",
			fmt.Sprintf("The write succeeded, but the server answered with %q = %s where the plan has %v. Something on the server side keeps changing or ignoring it; run terraform plan to see the server's value.",
				k, map[bool]string{true: fmt.Sprint(got), false: "no value"}[ok], hold[k]))
	}
	return !diags.HasError()
}

func quoteList(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(quoted, ", ")
}
