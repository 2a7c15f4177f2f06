package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

var _ function.Function = (*flattenFunction)(nil)

func newFlattenFunction() function.Function { return &flattenFunction{} }

// flattenFunction turns a nested document, as the APIs return it, into
// the map(bool) that preferences takes: for people whose preferences live
// in JSON today (an API export, a settings file).
type flattenFunction struct{}

func (f *flattenFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "flatten"
}

func (f *flattenFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Turns a nested preferences document into a map of dotted keys",
		MarkdownDescription: "Turns a nested object of booleans, as both APIs return it (`{ email = { weekly_usage_digest = true } }`, " +
			"or a Vast.ai `notification_preferences` object), into a `map(bool)` keyed by dotted path, ready for `preferences`. " +
			"A leaf that is not a boolean, a null, or an empty name is an error naming the path.",
		Parameters: []function.Parameter{
			function.DynamicParameter{
				Name:                "document",
				MarkdownDescription: "The nested document: an object (or map) of objects whose leaves are booleans, such as `jsondecode(file(\"preferences.json\"))`.",
			},
		},
		Return: function.MapReturn{ElementType: types.BoolType},
	}
}

func (f *flattenFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var document types.Dynamic
	resp.Error = req.Arguments.Get(ctx, &document)
	if resp.Error != nil {
		return
	}
	value := treeOf(document.UnderlyingValue())
	tree, ok := value.(map[string]any)
	if !ok {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("expected an object of booleans, got %s", prefs.Describe(value)))
		return
	}
	doc, err := prefs.FlattenTree(tree)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, toMap(doc))
}

// treeOf converts a Terraform value into the Go value encoding/json would
// decode from the same JSON: objects and maps to map[string]any, booleans
// to bool, null to nil; anything else to a value of its kind, which
// FlattenTree then names in its error.
func treeOf(v attr.Value) any {
	if v == nil || v.IsNull() {
		return nil
	}
	switch v := v.(type) {
	case basetypes.DynamicValue:
		return treeOf(v.UnderlyingValue())
	case basetypes.ObjectValue:
		return treeOfAll(v.Attributes())
	case basetypes.MapValue:
		return treeOfAll(v.Elements())
	case basetypes.BoolValue:
		return v.ValueBool()
	case basetypes.StringValue:
		return v.ValueString()
	case basetypes.NumberValue, basetypes.Int64Value, basetypes.Float64Value:
		return 0.0
	case basetypes.ListValue, basetypes.TupleValue, basetypes.SetValue:
		return []any{}
	}
	return v.String()
}

func treeOfAll(values map[string]attr.Value) map[string]any {
	out := make(map[string]any, len(values))
	for name, v := range values {
		out[name] = treeOf(v)
	}
	return out
}
