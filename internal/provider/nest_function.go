package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ function.Function = (*nestFunction)(nil)

func newNestFunction() function.Function { return &nestFunction{} }

// nestFunction is the inverse of flatten: preferences as the APIs nest
// them, for jsonencode and for comparing with an export.
type nestFunction struct{}

func (f *nestFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "nest"
}

func (f *nestFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Turns a map of dotted keys into a nested preferences document",
		MarkdownDescription: "The inverse of `flatten`: turns a `map(bool)` keyed by dotted path, such as `preferences`, into the nested object " +
			"the APIs use (`{ email = { weekly_usage_digest = true } }`), for example for `jsonencode`. " +
			"A key with an empty segment, or a key that is also the prefix of another, is an error naming the key.",
		Parameters: []function.Parameter{
			function.MapParameter{
				Name:                "preferences",
				ElementType:         types.BoolType,
				MarkdownDescription: "Booleans by dotted key, as `preferences` takes them.",
			},
		},
		Return: function.DynamicReturn{},
	}
}

func (f *nestFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var preferences map[string]types.Bool
	resp.Error = req.Arguments.Get(ctx, &preferences)
	if resp.Error != nil {
		return
	}
	values := make(map[string]attr.Value, len(preferences))
	for k, v := range preferences {
		if v.IsNull() {
			resp.Error = function.NewArgumentFuncError(0, k+": expected a bool, got null")
			return
		}
		values[k] = v
	}
	tree, err := fromMap(types.MapValueMust(types.BoolType, values)).NestTree()
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, types.DynamicValue(valueOf(tree)))
}

// valueOf converts a tree of map[string]any and bool into a Terraform
// object value.
func valueOf(tree any) attr.Value {
	node, ok := tree.(map[string]any)
	if !ok {
		b, _ := tree.(bool)
		return types.BoolValue(b)
	}
	values := make(map[string]attr.Value, len(node))
	kinds := make(map[string]attr.Type, len(node))
	for name, child := range node {
		values[name] = valueOf(child)
		kinds[name] = values[name].Type(context.Background())
	}
	return types.ObjectValueMust(kinds, values)
}
