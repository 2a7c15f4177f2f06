package provider

import (
	"bytes"
	"context"
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Terraform 1.16 keeps a plan's planned private data in a saved plan;
// earlier releases dropped it, so applying a saved plan started from the
// private data in state. What this provider plans into private data (a
// plan's name, which tells plans apart within one walk) means nothing in
// another walk, so the outcome of an apply must not depend on whether it
// arrives. Each case plans in one walk and applies in the next, as a
// saved plan is applied, three ways: the apply walk's own plan starting
// from state's private data (before 1.16) or from the saved plan's (1.16),
// and ApplyResourceChange handed the saved plan's planned private data as
// it is. State, private state and the server must come out the same.
func TestSavedPlan_PlannedPrivateNeitherNeededNorHarmful(t *testing.T) {
	ways := map[string]func(p *protocol, state *tfprotov6.DynamicValue, private []byte, saved *tfprotov6.PlanResourceChangeResponse, values prefs.Document) *tfprotov6.ApplyResourceChangeResponse{
		"replanned from state's private data (before 1.16)": func(p *protocol, state *tfprotov6.DynamicValue, private []byte, _ *tfprotov6.PlanResourceChangeResponse, values prefs.Document) *tfprotov6.ApplyResourceChangeResponse {
			return p.apply(context.Background(), state, p.plan(state, private, values, onDestroyRestore), values, onDestroyRestore)
		},
		"replanned from the saved plan's private data (1.16)": func(p *protocol, state *tfprotov6.DynamicValue, _ []byte, saved *tfprotov6.PlanResourceChangeResponse, values prefs.Document) *tfprotov6.ApplyResourceChangeResponse {
			return p.apply(context.Background(), state, p.plan(state, saved.PlannedPrivate, values, onDestroyRestore), values, onDestroyRestore)
		},
		"applied with the saved plan's private data": func(p *protocol, state *tfprotov6.DynamicValue, _ []byte, saved *tfprotov6.PlanResourceChangeResponse, values prefs.Document) *tfprotov6.ApplyResourceChangeResponse {
			return p.apply(context.Background(), state, saved, values, onDestroyRestore)
		},
	}
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		type outcome struct {
			state, private []byte
			server         prefs.Document
		}
		outcomes := map[string]outcome{}
		for way, apply := range ways {
			mock := mockapi.New()
			p := newProtocolFor(t, mock, dc, nil)
			// Created managing keyA; the update lets keyA go (written back
			// from private state) and takes keyB.
			state, private := p.create(prefs.Document{dc.keyA: !dc.defaultA}, onDestroyRestore)
			update := prefs.Document{dc.keyB: !dc.defaultB}
			saved := p.plan(state, private, update, onDestroyRestore)
			p.walk()
			applied := apply(p, state, private, saved, update)
			p.check(nil, applied.Diagnostics)
			p.walk()
			// And a destroy, planned and applied in walks of their own.
			savedDestroy := p.plan(applied.NewState, applied.Private, nil, onDestroyRestore)
			p.walk()
			destroyed := apply(p, applied.NewState, applied.Private, savedDestroy, nil)
			p.check(nil, destroyed.Diagnostics)
			if bytes.Contains(applied.Private, []byte(planNameKey)) {
				t.Fatalf("%s: a plan's name outlived its walk in private state: %s", way, applied.Private)
			}
			outcomes[way] = outcome{state: applied.NewState.MsgPack, private: applied.Private, server: mock.Document(dc.dialect)}
			if before := mockapi.New().Document(dc.dialect); !maps.Equal(outcomes[way].server, before) {
				t.Fatalf("%s: after the update and destroy the server has %v, want every key back: %v", way, outcomes[way].server, before)
			}
		}
		var first string
		for way, o := range outcomes {
			if first == "" {
				first = way
				continue
			}
			f := outcomes[first]
			if !bytes.Equal(o.state, f.state) || !bytes.Equal(o.private, f.private) {
				t.Fatalf("applied %s, the update left state %x and private %s; %s left %x and %s", way, o.state, o.private, first, f.state, f.private)
			}
		}
	})
}
