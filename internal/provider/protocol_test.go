package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// protocol calls the provider as Terraform does, through its protocol
// server, for what the test harness does not show: the warnings of a
// plan or an apply, requests cancelled mid-flight, and timings without
// the CLI around them.
type protocol struct {
	tb       testing.TB
	server   tfprotov6.ProviderServer
	resource tftypes.Object
	config   *tfprotov6.ConfigureProviderRequest
	dc       dialectCase
	// configured is the answer to the latest ConfigureProvider.
	configured *tfprotov6.ConfigureProviderResponse
}

// newProtocol configures the provider for the v1 demo user of mock.
func newProtocol(tb testing.TB, mock *mockapi.Server) *protocol {
	tb.Helper()
	return newProtocolFor(tb, mock, dialectCases[0], nil)
}

// newProtocolFor configures the provider for dc's demo user of mock, with
// settings overriding provider arguments (an unknown token, say).
func newProtocolFor(tb testing.TB, mock *mockapi.Server, dc dialectCase, settings map[string]tftypes.Value) *protocol {
	tb.Helper()
	srv := httptest.NewServer(mock)
	tb.Cleanup(srv.Close)
	ctx := context.Background()
	p := &protocol{tb: tb, server: providerserver.NewProtocol6(New("test")())(), dc: dc}
	schemas, err := p.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	p.check(err, schemas.Diagnostics)
	providerType := p.objectType(schemas.Provider)
	values := map[string]tftypes.Value{}
	for name, ty := range providerType.AttributeTypes {
		values[name] = tftypes.NewValue(ty, nil)
	}
	values["endpoint"] = tftypes.NewValue(tftypes.String, srv.URL)
	values["token"] = tftypes.NewValue(tftypes.String, dc.token)
	values["api"] = tftypes.NewValue(tftypes.String, string(dc.dialect))
	if dc.dialect == prefs.VastAI {
		values["user_id"] = tftypes.NewValue(tftypes.Number, mockapi.DemoVastUser)
	}
	for name, v := range settings {
		values[name] = v
	}
	p.config = &tfprotov6.ConfigureProviderRequest{
		Config: p.dynamic(providerType, tftypes.NewValue(providerType, values)), TerraformVersion: "1.8.5",
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
	p.configured = configured
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
// destroy). An error diagnostic stops the test.
func (p *protocol) plan(prior *tfprotov6.DynamicValue, private []byte, values prefs.Document, onDestroy string) *tfprotov6.PlanResourceChangeResponse {
	p.tb.Helper()
	resp := p.tryPlan(prior, private, values, onDestroy)
	p.check(nil, resp.Diagnostics)
	return resp
}

// tryPlan is plan for a test that expects errors.
func (p *protocol) tryPlan(prior *tfprotov6.DynamicValue, private []byte, values prefs.Document, onDestroy string) *tfprotov6.PlanResourceChangeResponse {
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
	p.check(err, nil)
	return resp
}

func (p *protocol) id() string { return p.dc.id() }

// apply is ApplyResourceChange of a plan made by plan or tryPlan, from
// prior (nil: create) to config (nil values: destroy), under ctx.
func (p *protocol) apply(ctx context.Context, prior *tfprotov6.DynamicValue, planned *tfprotov6.PlanResourceChangeResponse, values prefs.Document, onDestroy string) *tfprotov6.ApplyResourceChangeResponse {
	p.tb.Helper()
	if prior == nil {
		prior = p.object(nil, nil, "")
	}
	resp, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: prior, PlannedState: planned.PlannedState,
		Config: p.object(nil, values, onDestroy), PlannedPrivate: planned.PlannedPrivate,
	})
	p.check(err, nil)
	return resp
}

// create plans and applies a new resource, returning its state and private
// state, and starts a new walk.
func (p *protocol) create(values prefs.Document, onDestroy string) (*tfprotov6.DynamicValue, []byte) {
	p.tb.Helper()
	defer p.walk()
	resp := p.apply(context.Background(), nil, p.plan(nil, nil, values, onDestroy), values, onDestroy)
	p.check(nil, resp.Diagnostics)
	return resp.NewState, resp.Private
}

// change plans and applies a change of a resource's configuration in one
// walk (values nil: destroy), then starts a new walk. It returns the
// apply's answer, whose diagnostics the caller checks.
func (p *protocol) change(state *tfprotov6.DynamicValue, private []byte, values prefs.Document, onDestroy string) *tfprotov6.ApplyResourceChangeResponse {
	p.tb.Helper()
	defer p.walk()
	return p.apply(context.Background(), state, p.plan(state, private, values, onDestroy), values, onDestroy)
}

// read is ReadResource: the refresh at the start of a plan.
func (p *protocol) read(state *tfprotov6.DynamicValue, private []byte) (*tfprotov6.DynamicValue, []byte) {
	p.tb.Helper()
	resp, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName: "notification_preferences", CurrentState: state, Private: private,
	})
	p.check(err, resp.Diagnostics)
	return resp.NewState, resp.Private
}

// importState imports the configured document, as terraform import does,
// and refreshes it; then it starts a new walk.
func (p *protocol) importState() (*tfprotov6.DynamicValue, []byte) {
	p.tb.Helper()
	defer p.walk()
	resp, err := p.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: "notification_preferences", ID: p.id(),
	})
	p.check(err, resp.Diagnostics)
	if len(resp.ImportedResources) != 1 {
		p.tb.Fatalf("import returned %d resources", len(resp.ImportedResources))
	}
	imported := resp.ImportedResources[0]
	return p.read(imported.State, imported.Private)
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

// expectDiagnostic fails the test unless diags hold exactly one diagnostic
// of severity with summary, at the attribute path at (nil: none), whose
// detail says every one of the phrases.
func expectDiagnostic(tb testing.TB, diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, summary string, at *tftypes.AttributePath, phrases ...string) {
	tb.Helper()
	var found []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == severity && d.Summary == summary {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		tb.Fatalf("want one %v %q, got %d among:\n%s", severity, summary, len(found), describe(diags))
	}
	d := found[0]
	if (at == nil) != (d.Attribute == nil) || (at != nil && !at.Equal(d.Attribute)) {
		tb.Errorf("%q is at %v, want %v", summary, d.Attribute, at)
	}
	for _, phrase := range phrases {
		if !strings.Contains(d.Detail, phrase) {
			tb.Errorf("%q does not say %q:\n%s", summary, phrase, d.Detail)
		}
	}
}

// atKey is the attribute path preferences["<key>"].
func atKey(key string) *tftypes.AttributePath {
	return tftypes.NewAttributePath().WithAttributeName("preferences").WithElementKeyString(key)
}

func describe(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "  %v %q at %v: %s\n", d.Severity, d.Summary, d.Attribute, d.Detail)
	}
	return b.String()
}

// withPrivateEntry returns private state with one entry replaced, as a
// release of the provider that wrote it differently would leave it.
func withPrivateEntry(tb testing.TB, private []byte, key, value string) []byte {
	tb.Helper()
	entries := map[string][]byte{}
	if err := json.Unmarshal(private, &entries); err != nil {
		tb.Fatalf("private state %s: %v", private, err)
	}
	entries[key] = []byte(value)
	raw, err := json.Marshal(entries)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}
