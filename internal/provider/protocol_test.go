package provider

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// protocol calls the provider as Terraform does, through its protocol
// server, for what the test harness does not show: the warnings of a
// plan, and timings without the CLI around them.
type protocol struct {
	tb       testing.TB
	server   tfprotov6.ProviderServer
	resource tftypes.Object
	config   *tfprotov6.ConfigureProviderRequest
}

// newProtocol configures the provider for the v1 demo user of mock.
func newProtocol(tb testing.TB, mock *mockapi.Server) *protocol {
	tb.Helper()
	srv := httptest.NewServer(mock)
	tb.Cleanup(srv.Close)
	ctx := context.Background()
	p := &protocol{tb: tb, server: providerserver.NewProtocol6(New("test")())()}
	schemas, err := p.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	p.check(err, schemas.Diagnostics)
	providerType := p.objectType(schemas.Provider)
	settings := map[string]tftypes.Value{}
	for name, ty := range providerType.AttributeTypes {
		settings[name] = tftypes.NewValue(ty, nil)
	}
	settings["endpoint"] = tftypes.NewValue(tftypes.String, srv.URL)
	settings["token"] = tftypes.NewValue(tftypes.String, mockapi.DemoSessionToken)
	p.config = &tfprotov6.ConfigureProviderRequest{
		Config: p.dynamic(providerType, tftypes.NewValue(providerType, settings)), TerraformVersion: "1.8.5",
	}
	p.walk()
	p.resource = p.objectType(schemas.ResourceSchemas["notification_preferences"])
	return p
}

func (p *protocol) objectType(s *tfprotov6.Schema) tftypes.Object {
	ty, ok := s.ValueType().(tftypes.Object)
	if !ok {
		p.tb.Fatalf("schema type %v is not an object", s.ValueType())
	}
	return ty
}

// walk configures the provider again, as Terraform does at the start of
// every walk of its graph (a plan, an apply).
func (p *protocol) walk() {
	p.tb.Helper()
	configured, err := p.server.ConfigureProvider(context.Background(), p.config)
	p.check(err, configured.Diagnostics)
}

// check stops the test on an error or an error diagnostic.
func (p *protocol) check(err error, diags []*tfprotov6.Diagnostic) {
	p.tb.Helper()
	if err != nil {
		p.tb.Fatal(err)
	}
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			p.tb.Fatalf("%s: %s", d.Summary, d.Detail)
		}
	}
}

func (p *protocol) dynamic(ty tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(ty, v)
	if err != nil {
		p.tb.Fatal(err)
	}
	return &dv
}

// object is a notification_preferences value; id nil is null (as in
// configuration), and values nil is a null object (destroy).
func (p *protocol) object(id any, values prefs.Document, onDestroy string) *tfprotov6.DynamicValue {
	if values == nil {
		return p.dynamic(p.resource, tftypes.NewValue(p.resource, nil))
	}
	elems := make(map[string]tftypes.Value, len(values))
	for k, v := range values {
		elems[k] = tftypes.NewValue(tftypes.Bool, v)
	}
	return p.dynamic(p.resource, tftypes.NewValue(p.resource, map[string]tftypes.Value{
		"id":          tftypes.NewValue(tftypes.String, id),
		"preferences": tftypes.NewValue(tftypes.Map{ElementType: tftypes.Bool}, elems),
		"on_destroy":  tftypes.NewValue(tftypes.String, onDestroy),
	}))
}

// plan is PlanResourceChange: from prior (nil: create) to config (nil values:
// destroy).
func (p *protocol) plan(prior *tfprotov6.DynamicValue, private []byte, values prefs.Document, onDestroy string) *tfprotov6.PlanResourceChangeResponse {
	p.tb.Helper()
	config, proposed := p.object(nil, values, onDestroy), p.object(nil, values, onDestroy)
	if prior == nil {
		prior = p.object(nil, nil, "")
		proposed = p.object(tftypes.UnknownValue, values, onDestroy)
	} else if values != nil {
		proposed = p.object(p.id(), values, onDestroy)
	}
	resp, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: prior, ProposedNewState: proposed, Config: config, PriorPrivate: private,
	})
	p.check(err, resp.Diagnostics)
	return resp
}

func (p *protocol) id() string { return "me" }

// create plans and applies a new resource, returning its state and private
// state, and starts a new walk.
func (p *protocol) create(values prefs.Document, onDestroy string) (*tfprotov6.DynamicValue, []byte) {
	p.tb.Helper()
	defer p.walk()
	planned := p.plan(nil, nil, values, onDestroy)
	resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: p.object(nil, nil, ""), PlannedState: planned.PlannedState,
		Config: p.object(nil, values, onDestroy), PlannedPrivate: planned.PlannedPrivate,
	})
	p.check(err, resp.Diagnostics)
	return resp.NewState, resp.Private
}

// warnings returns the warnings of a response, summary and detail.
func warnings(diags []*tfprotov6.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}
