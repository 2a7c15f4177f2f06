package provider

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// An apply interrupted (Ctrl-C: Terraform cancels the context of every
// request in progress and starts no new one) against an API that applies
// a write well before it answers, then applied again and destroyed, puts
// every key back where it was before Terraform: state held every write
// that landed, so the second apply took no written value for the one the
// key had before.
func TestInterruptedApplyKeepsEveryWriteThatLanded(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock := mockapi.New()
		keys := shipBulk(mock, dc, 40)
		mock.Inject(mockapi.Fault{Method: dc.write, AnswerLatency: 30 * time.Millisecond, Rate: 1})
		p := newProtocolFor(t, mock, dc, nil)
		before := mock.Document(dc.dialect)

		states := make([]*tfprotov6.DynamicValue, len(keys))
		privates := make([][]byte, len(keys))
		ctx, interrupt := context.WithCancel(context.Background())
		go func() {
			for mock.Count(dc.write) < 3 {
				time.Sleep(time.Millisecond)
			}
			interrupt()
		}()
		p.applyAll(ctx, keys, states, privates)
		saved := 0
		for i, k := range keys {
			if states[i] != nil {
				saved++
			} else if got := mock.Document(dc.dialect)[k]; got != before[k] {
				t.Fatalf("%s = %v landed on the server, but its resource was not saved", k, got)
			}
		}
		if saved == 0 || saved == len(keys) {
			t.Fatalf("%d of %d resources saved: the interrupt came too early or too late to test anything", saved, len(keys))
		}

		p.walk()
		p.applyAll(context.Background(), keys, states, privates)
		for i := range keys {
			if states[i] == nil {
				t.Fatalf("the second apply did not create %s", keys[i])
			}
			p.walk()
			p.check(nil, p.change(states[i], privates[i], nil, "").Diagnostics)
		}
		if after := mock.Document(dc.dialect); !maps.Equal(after, before) {
			t.Fatalf("after apply, interrupt, apply and destroy the server has %v, want %v", after, before)
		}
	})
}

// shipBulk ships n new keys of dc's dialect to mock, each false, and
// returns them in order.
func shipBulk(mock *mockapi.Server, dc dialectCase, n int) []string {
	keys := make([]string, n)
	shipped := prefs.Document{}
	for i := range keys {
		keys[i] = fmt.Sprintf("bulk.toggle_%03d", i)
		if dc.dialect == prefs.VastAI {
			keys[i] += ".email"
		}
		shipped[keys[i]] = false
	}
	mock.Ship(dc.dialect, shipped)
	return keys
}

// applyAll creates, ten at a time as Terraform does by default, a
// resource for each key that has no state yet, declaring it true; once
// ctx ends it starts no new one. A resource whose apply succeeds gets its
// state and private state.
func (p *protocol) applyAll(ctx context.Context, keys []string, states []*tfprotov6.DynamicValue, privates [][]byte) {
	slots := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for i, k := range keys {
		if states[i] != nil {
			continue
		}
		slots <- struct{}{}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if resp := p.tryCreate(ctx, prefs.Document{k: true}); !hasError(resp.Diagnostics) {
				states[i], privates[i] = resp.NewState, resp.Private
			}
		})
	}
	wg.Wait()
}

// tryCreate plans and applies a new resource under ctx, for a goroutine
// other than the test's: it stops no test, and answers the apply's
// response, or one carrying the plan's diagnostics when the plan failed.
func (p *protocol) tryCreate(ctx context.Context, values prefs.Document) *tfprotov6.ApplyResourceChangeResponse {
	config := p.object(nil, values, onDestroyRestore)
	planned, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: p.object(nil, nil, ""), ProposedNewState: p.object(tftypes.UnknownValue, values, onDestroyRestore), Config: config,
	})
	if err != nil || hasError(planned.Diagnostics) {
		return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: append(planned.Diagnostics, errorDiagnostic(err))}
	}
	applied, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: p.object(nil, nil, ""), PlannedState: planned.PlannedState, Config: config, PlannedPrivate: planned.PlannedPrivate,
	})
	if err != nil {
		return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: []*tfprotov6.Diagnostic{errorDiagnostic(err)}}
	}
	return applied
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// errorDiagnostic is err as an error diagnostic (nil: a plan that failed
// with diagnostics of its own, said again).
func errorDiagnostic(err error) *tfprotov6.Diagnostic {
	summary := "plan failed"
	if err != nil {
		summary = err.Error()
	}
	return &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary}
}
