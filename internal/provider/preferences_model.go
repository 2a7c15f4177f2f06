package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	elems := m.Elements()
	doc := make(prefs.Document, len(elems))
	for k, v := range elems {
		if v.IsUnknown() {
			doc[k] = true
		} else if b, ok := v.(basetypes.BoolValue); ok && !b.IsNull() {
			doc[k] = b.ValueBool()
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
