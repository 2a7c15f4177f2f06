package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Errors the CLI test harness cannot provoke, read from the provider's
// protocol server.

const severityError = tfprotov6.DiagnosticSeverityError

// Terraform interrupted (Ctrl-C cancels every request's context): a write
// whose request is in flight waits for its answer, which may have changed
// the server, and is saved; a write still queued behind it sends nothing
// and is reported as cancelled, not as an API that could not be reached.
func TestErrors_RequestCancelled(t *testing.T) {
	t.Parallel()
	mock := mockapi.New()
	p := newProtocol(t, mock)
	first, second := prefs.Document{"email.weekly_usage_digest": true}, prefs.Document{"email.product_updates": false}
	plannedSecond := p.plan(nil, nil, second, onDestroyRestore)
	mock.Inject(mockapi.Fault{Method: "PATCH", AnswerLatency: 2 * time.Second, Times: 1})
	ctx, interrupt := context.WithCancel(context.Background())
	answered := make(chan *tfprotov6.ApplyResourceChangeResponse, 1)
	go func() { answered <- p.tryCreate(ctx, first) }()
	for mock.Count("PATCH") == 0 {
		time.Sleep(time.Millisecond)
	}
	interrupt() // while the first write's request is in flight
	queued := p.apply(ctx, nil, plannedSecond, second, onDestroyRestore)
	expectDiagnostic(t, queued.Diagnostics, severityError, "Notification API Request Cancelled", nil,
		"Could not write notification preferences: Terraform was interrupted before the API answered, and nothing more was sent.")
	inFlight := <-answered
	p.check(nil, inFlight.Diagnostics)
	if inFlight.NewState == nil || mock.Count("PATCH") != 1 || !mock.Document(prefs.V1)["email.weekly_usage_digest"] || !mock.Document(prefs.V1)["email.product_updates"] {
		t.Fatalf("%d PATCHes, server %v; want the write in flight saved and landed, the queued one not sent", mock.Count("PATCH"), mock.Document(prefs.V1))
	}
}

// A provider configuration unknown at plan (a token from another
// resource, say) skips the plan-time checks; should apply still find it
// unknown, the resource says what to make known.
func TestErrors_ProviderNotConfigured(t *testing.T) {
	t.Parallel()
	mock := mockapi.New()
	p := newProtocolFor(t, mock, dialectCases[0], map[string]tftypes.Value{"token": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})
	values := prefs.Document{"email.weekly_usage_digest": true}
	planned := p.plan(nil, nil, values, onDestroyRestore)
	resp := p.apply(context.Background(), nil, planned, values, onDestroyRestore)
	expectDiagnostic(t, resp.Diagnostics, severityError, "Notification Provider Not Configured", nil,
		"Make sure endpoint and token are known before apply.")
	if len(mock.Journal()) != 0 {
		t.Errorf("an unconfigured provider reached the API: %v", mock.Journal())
	}
}

// Provider data of another type is a bug in the provider, and says to
// report it.
func TestErrors_UnexpectedProviderData(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	var res resource.ConfigureResponse
	(&preferencesResource{}).Configure(context.Background(), resource.ConfigureRequest{ProviderData: 42}, &res)
	var data datasource.ConfigureResponse
	(&preferencesDataSource{}).Configure(context.Background(), datasource.ConfigureRequest{ProviderData: "x"}, &data)
	diags.Append(res.Diagnostics...)
	diags.Append(data.Diagnostics...)
	want := []string{"Expected *provider.account, got int.", "Expected *provider.account, got string."}
	if len(diags) != len(want) {
		t.Fatalf("got %v, want %d errors", diags, len(want))
	}
	for i, d := range diags {
		if d.Summary() != "Unexpected Provider Data" || d.Detail() != want[i]+" Please report this issue to the provider developers." {
			t.Errorf("got %q: %q, want Unexpected Provider Data: %q", d.Summary(), d.Detail(), want[i])
		}
	}
}
