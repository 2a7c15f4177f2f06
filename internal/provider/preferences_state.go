package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

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

// restoreVersion is the version of the private restore data this provider
// writes. Version 0 (release 0.1.0) was the bare map of earlier values;
// version 1 wraps it, so that a later change of its shape can tell what
// it is reading.
const restoreVersion = 1

type restoreData struct {
	Version int            `json:"version"`
	Values  prefs.Document `json:"values"`
}

func readRestore(ctx context.Context, p privateState, diags *diag.Diagnostics) prefs.Document {
	raw, d := p.GetKey(ctx, restoreKey)
	diags.Append(d...)
	restore, err := decodeRestore(raw)
	if err != nil {
		diags.AddWarning("Earlier Values Unreadable",
			fmt.Sprintf("The values to restore on destroy could not be read from private state (%v); keys will be left as they are on destroy.", err))
		return prefs.Document{}
	}
	return restore
}

// decodeRestore reads the private restore data of any version so far.
func decodeRestore(raw []byte) (prefs.Document, error) {
	if len(raw) == 0 {
		return prefs.Document{}, nil
	}
	var data restoreData
	if err := json.Unmarshal(raw, &data); err == nil && data.Version > 0 {
		if data.Version > restoreVersion {
			return nil, fmt.Errorf("version %d was written by a newer release of the provider", data.Version)
		}
		if data.Values == nil {
			data.Values = prefs.Document{}
		}
		return data.Values, nil
	}
	legacy := prefs.Document{} // version 0: keys are dotted, so never "version"
	if err := json.Unmarshal(raw, &legacy); err != nil {
		return nil, err
	}
	return legacy, nil
}

func writeRestore(ctx context.Context, p privateSetter, restore prefs.Document, diags *diag.Diagnostics) {
	raw, err := json.Marshal(restoreData{Version: restoreVersion, Values: restore})
	if err != nil {
		diags.AddError("Could Not Save Earlier Values", err.Error())
		return
	}
	diags.Append(p.SetKey(ctx, restoreKey, raw)...)
}

// withdrawnKey names the private state entry listing the managed keys the
// server stopped reporting at the last refresh. They stay in state with
// their last values, so that a configuration still declaring them plans
// no change and destroy is not blocked; they are never written again.
const withdrawnKey = "withdrawn"

func readWithdrawn(ctx context.Context, p privateState, diags *diag.Diagnostics) []string {
	raw, d := p.GetKey(ctx, withdrawnKey)
	diags.Append(d...)
	var keys []string
	if len(raw) > 0 && json.Unmarshal(raw, &keys) != nil {
		return nil
	}
	return keys
}

func writeWithdrawn(ctx context.Context, p privateSetter, keys []string, diags *diag.Diagnostics) {
	var raw []byte
	if len(keys) > 0 {
		slices.Sort(keys)
		raw, _ = json.Marshal(keys)
	}
	diags.Append(p.SetKey(ctx, withdrawnKey, raw)...)
}
