package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

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
	*protocol
	state *tfprotov6.DynamicValue
	// private is the first plan's private state, handed to every later
	// plan as Terraform hands it to the second plan of a replacement: the
	// iterations are one resource planned again, not 1,000 resources
	// declaring the same keys.
	private []byte
}

func newBenchServer(b *testing.B, n int) benchServer {
	b.Helper()
	doc := make(prefs.Document, n)
	for i := range n {
		doc[fmt.Sprintf("bulk.toggle_%05d", i)] = true
	}
	mock := mockapi.New()
	mock.Ship(prefs.V1, doc)
	s := benchServer{protocol: newProtocol(b, mock)}
	s.state = s.object(s.id(), doc, onDestroyRestore)
	s.read() // the walk's one GET
	s.private = s.replan().PlannedPrivate
	return s
}

func (s benchServer) read() {
	resp, err := s.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "notification_preferences", CurrentState: s.state})
	s.check(err, resp.Diagnostics)
}

func (s benchServer) replan() *tfprotov6.PlanResourceChangeResponse {
	resp, err := s.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: s.state, ProposedNewState: s.state, Config: s.state, PriorPrivate: s.private,
	})
	s.check(err, resp.Diagnostics)
	return resp
}

// BenchmarkRefreshMap is the refresh of one resource: Read decodes state,
// picks the managed keys out of the walk's document, and encodes state.
func BenchmarkRefreshMap(b *testing.B) {
	for _, n := range []int{2, 1000, 10000} {
		s := newBenchServer(b, n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.read()
			}
		})
	}
}

// BenchmarkPlanCheck is the plan of one resource whose keys are all in
// state already: the framework's plan work and ModifyPlan's offline checks.
func BenchmarkPlanCheck(b *testing.B) {
	for _, n := range []int{2, 1000, 10000} {
		s := newBenchServer(b, n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.replan()
			}
		})
	}
}
