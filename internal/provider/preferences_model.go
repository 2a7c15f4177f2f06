package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// preferencesModel is the resource's configuration, plan and state.
type preferencesModel struct {
	ID          types.String `tfsdk:"id"`
	Preferences types.Map    `tfsdk:"preferences"`
	OnDestroy   types.String `tfsdk:"on_destroy"`
}

const (
	onDestroyRestore = "restore"
	onDestroyKeep    = "keep"
)

// attributeReader is a state or a plan.
type attributeReader interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// readModel reads a state or plan attribute by attribute. It is what Get
// with a preferencesModel does, at a fraction of the cost: Read and
// ModifyPlan run for every resource of every plan, and the framework's
// conversion of a whole struct parses every field's tag again on each call,
// which cost more than the rest of those methods together.
func readModel(ctx context.Context, from attributeReader, diags *diag.Diagnostics) preferencesModel {
	var m preferencesModel
	diags.Append(from.GetAttribute(ctx, path.Root("id"), &m.ID)...)
	diags.Append(from.GetAttribute(ctx, path.Root("preferences"), &m.Preferences)...)
	diags.Append(from.GetAttribute(ctx, path.Root("on_destroy"), &m.OnDestroy)...)
	return m
}

// keeps reports whether destroy leaves the managed keys' values as they are.
func (m preferencesModel) keeps() bool {
	return m.OnDestroy.ValueString() == onDestroyKeep
}

// fromMap reads a known map(bool) into a Document. Unknown or null values
// are left out; callers that must see every key check the map first.
func fromMap(m types.Map) prefs.Document {
	elems := m.Elements()
	doc := make(prefs.Document, len(elems))
	for k, v := range elems {
		if b, ok := v.(basetypes.BoolValue); ok && !b.IsNull() && !b.IsUnknown() {
			doc[k] = b.ValueBool()
		}
	}
	return doc
}

// declaredIn is fromMap for checking a plan: a key whose value is unknown
// until apply is kept, as true, because its key can be judged now even if
// its value cannot (true is the value no API refuses).
func declaredIn(m types.Map) prefs.Document {
	doc := fromMap(m)
	for k, v := range m.Elements() {
		if v.IsUnknown() {
			doc[k] = true
		}
	}
	return doc
}

// toMap is the inverse of fromMap.
func toMap(doc prefs.Document) types.Map {
	elems := make(map[string]attr.Value, len(doc))
	for k, v := range doc {
		elems[k] = types.BoolValue(v)
	}
	return types.MapValueMust(types.BoolType, elems)
}
