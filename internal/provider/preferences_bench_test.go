package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// These benchmarks account for the time the provider adds to a plan of
// 10,000 keys beyond a do-nothing provider (BENCHMARKS.md): the work Read
// and ModifyPlan do on the map, without the HTTP request.

func benchState(b *testing.B, n int) (tfsdk.State, prefs.Document) {
	b.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&preferencesResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	doc := make(prefs.Document, n)
	for i := range n {
		doc[fmt.Sprintf("bulk.toggle_%05d", i)] = true
	}
	state := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	model := preferencesModel{ID: types.StringValue("me"), Preferences: mapValue(doc), OnDestroy: types.StringValue(onDestroyRestore)}
	if diags := state.Set(ctx, &model); diags.HasError() {
		b.Fatal(diags)
	}
	return state, doc
}

// BenchmarkRefreshMap is Read's work on state: decode it, pick the managed
// keys out of the server's document, encode it again.
func BenchmarkRefreshMap(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		state, server := benchState(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var m preferencesModel
				if diags := state.Get(ctx, &m); diags.HasError() {
					b.Fatal(diags)
				}
				found, _ := prefs.Select(server, document(m.Preferences).Keys())
				m.Preferences = mapValue(found)
				out := tfsdk.State{Schema: state.Schema, Raw: state.Raw}
				if diags := out.Set(ctx, &m); diags.HasError() {
					b.Fatal(diags)
				}
			}
		})
	}
}

// BenchmarkPlanCheck is ModifyPlan's work when no key is new: decode plan
// and state, and run the offline key checks.
func BenchmarkPlanCheck(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		state, _ := benchState(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var plan, prior preferencesModel
				state.Get(ctx, &plan)
				state.Get(ctx, &prior)
				desired := document(plan.Preferences)
				if len(prefs.Missing(document(prior.Preferences), desired)) != 0 {
					b.Fatal("new keys")
				}
				if p := prefs.V1.Check(desired, nil); len(p) != 0 {
					b.Fatal(p)
				}
			}
		})
	}
}
