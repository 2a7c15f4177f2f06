package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// These benchmarks account for the time the provider adds to a plan of
// 10,000 keys beyond a do-nothing provider (BENCHMARKS.md). They call the
// provider as Terraform does, through its protocol server: ReadResource
// (the refresh) and PlanResourceChange (ModifyPlan and the framework's plan
// work), on a configured provider whose walk has already read the server's
// document once, as every resource after the first one in a walk finds it.

type benchServer struct {
	server tfprotov6.ProviderServer
	state  *tfprotov6.DynamicValue
	// private is the first plan's private state, handed to every later
	// plan as Terraform hands it to the second plan of a replacement: the
	// iterations are one resource planned again, not 1,000 resources
	// declaring the same keys.
	private []byte
}

func newBenchServer(b *testing.B, n int) benchServer {
	b.Helper()
	ctx := context.Background()
	doc := make(prefs.Document, n)
	for i := range n {
		doc[fmt.Sprintf("bulk.toggle_%05d", i)] = true
	}
	mock := mockapi.New()
	mock.Ship(prefs.V1, doc)
	srv := httptest.NewServer(mock)
	b.Cleanup(srv.Close)

	server := providerserver.NewProtocol6(New("bench")())()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	failed(b, err, schemas.Diagnostics)
	providerType := schemas.Provider.ValueType().(tftypes.Object)
	settings := map[string]tftypes.Value{}
	for name, ty := range providerType.AttributeTypes {
		settings[name] = tftypes.NewValue(ty, nil)
	}
	settings["endpoint"] = tftypes.NewValue(tftypes.String, srv.URL)
	settings["token"] = tftypes.NewValue(tftypes.String, mockapi.DemoSessionToken)
	config := dynamic(b, providerType, settings)
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config, TerraformVersion: "1.8.5"})
	failed(b, err, configured.Diagnostics)

	resourceType := schemas.ResourceSchemas["notification_preferences"].ValueType().(tftypes.Object)
	values := make(map[string]tftypes.Value, n)
	for k, v := range doc {
		values[k] = tftypes.NewValue(tftypes.Bool, v)
	}
	state := dynamic(b, resourceType, map[string]tftypes.Value{
		"id":          tftypes.NewValue(tftypes.String, "me"),
		"preferences": tftypes.NewValue(tftypes.Map{ElementType: tftypes.Bool}, values),
		"on_destroy":  tftypes.NewValue(tftypes.String, onDestroyRestore),
	})
	bs := benchServer{server: server, state: state}
	bs.read(b) // the walk's one GET
	bs.private = bs.plan(b).PlannedPrivate
	return bs
}

func dynamic(b *testing.B, ty tftypes.Object, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	dv, err := tfprotov6.NewDynamicValue(ty, tftypes.NewValue(ty, attrs))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// failed stops the benchmark on an error or a diagnostic.
func failed(b *testing.B, err error, diags []*tfprotov6.Diagnostic) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	if len(diags) > 0 {
		b.Fatalf("%d diagnostics, the first: %s: %s", len(diags), diags[0].Summary, diags[0].Detail)
	}
}

func (s benchServer) read(b *testing.B) {
	resp, err := s.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "notification_preferences", CurrentState: s.state})
	failed(b, err, resp.Diagnostics)
}

func (s benchServer) plan(b *testing.B) *tfprotov6.PlanResourceChangeResponse {
	resp, err := s.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: s.state, ProposedNewState: s.state, Config: s.state, PriorPrivate: s.private,
	})
	failed(b, err, resp.Diagnostics)
	return resp
}

// BenchmarkRefreshMap is the refresh of one resource: Read decodes state,
// picks the managed keys out of the walk's document, and encodes state.
func BenchmarkRefreshMap(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		s := newBenchServer(b, n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.read(b)
			}
		})
	}
}

// BenchmarkPlanCheck is the plan of one resource whose keys are all in
// state already: the framework's plan work and ModifyPlan's offline checks.
func BenchmarkPlanCheck(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		s := newBenchServer(b, n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.plan(b)
			}
		})
	}
}
