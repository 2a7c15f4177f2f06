package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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

// document reads a known map(bool) into a Document. Unknown or null values
// are left out; callers that must see every key check the map first.
func document(m types.Map) prefs.Document {
	elems := m.Elements()
	doc := make(prefs.Document, len(elems))
	for k, v := range elems {
		if b, ok := v.(basetypes.BoolValue); ok && !b.IsNull() && !b.IsUnknown() {
			doc[k] = b.ValueBool()
		}
	}
	return doc
}

// declared is document for checking a plan: a key whose value is unknown
// until apply is kept, as true, because its key can be judged now even if
// its value cannot (true is the value no API refuses).
func declared(m types.Map) prefs.Document {
	doc := document(m)
	for k, v := range m.Elements() {
		if v.IsUnknown() {
			doc[k] = true
		}
	}
	return doc
}

// mapValue is the inverse of document.
func mapValue(doc prefs.Document) types.Map {
	elems := make(map[string]attr.Value, len(doc))
	for k, v := range doc {
		elems[k] = types.BoolValue(v)
	}
	return types.MapValueMust(types.BoolType, elems)
}

// restoreKey names the private state entry holding, for each managed key,
// the value it had just before this resource first managed it: what
// destroy and key removal write back, since the APIs cannot reset a key.
const restoreKey = "restore"

// privateState is the part of the framework's private state API we use;
// both the request's and the response's private data satisfy it.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func readRestore(ctx context.Context, p privateState, diags *diag.Diagnostics) prefs.Document {
	raw, d := p.GetKey(ctx, restoreKey)
	diags.Append(d...)
	restore := prefs.Document{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &restore); err != nil {
			diags.AddWarning("Earlier Values Unreadable",
				"The values to restore on destroy could not be read from private state; keys will be left as they are on destroy.")
			return prefs.Document{}
		}
	}
	return restore
}

func writeRestore(ctx context.Context, p privateSetter, restore prefs.Document, diags *diag.Diagnostics) {
	raw, err := json.Marshal(restore)
	if err != nil {
		diags.AddError("Could Not Save Earlier Values", err.Error())
		return
	}
	diags.Append(p.SetKey(ctx, restoreKey, raw)...)
}
