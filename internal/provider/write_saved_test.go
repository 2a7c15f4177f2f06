package provider

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Terraform's contract when a write fails after something of it may have
// landed: what landed is saved in state and private state, so that the
// next plan knows it and destroy puts back the values from before it.

// Finding 3(b): a write whose first request landed and whose second is
// refused fails, but what landed is saved: the keys it took over are in
// state, with the values from before it, so that destroy puts them back.
func TestContract_LandedWriteSavedWhenItsSecondRequestFails(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		before := mock.Document(dc.dialect)
		config := prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}
		mock.SetAfterNextWrite(dc.dialect, prefs.Document{dc.keyB: dc.defaultB})
		mock.Inject(mockapi.Fault{Method: dc.write, Status: 400, Nth: 2})
		created := p.apply(context.Background(), nil, p.plan(nil, nil, config, onDestroyRestore), config, onDestroyRestore)
		if !hasError(created.Diagnostics) {
			t.Fatal("the create succeeded despite its second request's refusal")
		}
		if got := p.preferencesIn(created.NewState); got[dc.keyA] != !dc.defaultA {
			t.Fatalf("the failed create's state holds %v; want %s = %v, which landed", got, dc.keyA, !dc.defaultA)
		}
		if want := (prefs.Document{dc.keyA: dc.defaultA, dc.keyB: dc.defaultB}); !maps.Equal(earlierIn(t, created.Private), want) {
			t.Fatalf("the failed create remembers %v, want %v", earlierIn(t, created.Private), want)
		}
		p.walk()
		p.destroyRestores(mock, before, created)
	})
}

// Finding 3(d): under Ctrl-C, a request that lands but loses its answer
// is not retried; the write fails, but is saved as landed, so that the
// next apply does not take Terraform's value for the earlier one.
func TestContract_InterruptedWriteWithALostAnswerIsSaved(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		before := mock.Document(dc.dialect)
		config := prefs.Document{dc.keyA: !dc.defaultA}
		mock.Inject(mockapi.Fault{Method: dc.write, DropAfterApply: true, Latency: 50 * time.Millisecond, Times: 1})
		ctx, interrupt := context.WithCancel(context.Background())
		planned := p.plan(nil, nil, config, onDestroyRestore)
		go func() {
			for mock.Count(dc.write) == 0 {
				time.Sleep(time.Millisecond)
			}
			interrupt()
		}()
		created := p.apply(ctx, nil, planned, config, onDestroyRestore)
		if !hasError(created.Diagnostics) {
			t.Fatal("the create succeeded although its answer was lost after the interrupt")
		}
		if got := p.preferencesIn(created.NewState); got[dc.keyA] != !dc.defaultA {
			t.Fatalf("the interrupted create's state holds %v; want %s, which may have landed", got, dc.keyA)
		}
		if !maps.Equal(earlierIn(t, created.Private), prefs.Document{dc.keyA: dc.defaultA}) {
			t.Fatalf("the interrupted create remembers %v, want %s = %v", earlierIn(t, created.Private), dc.keyA, dc.defaultA)
		}
		p.walk()
		p.destroyRestores(mock, before, created)
	})
}

// A write whose first attempt lands but loses its answer, and whose retry
// the server then fails (a 500) or refuses (a 400: the walk simulator's
// seed 213, a key withdrawn meanwhile), may have landed: the create is
// saved with the values from before it, so that destroying it puts them
// back.
func TestContract_RetriedWriteThatMayHaveLandedIsSaved(t *testing.T) {
	for _, status := range []int{500, 400} {
		t.Run(fmt.Sprint(status), func(t *testing.T) { retriedWriteThatMayHaveLanded(t, status) })
	}
}

func retriedWriteThatMayHaveLanded(t *testing.T, status int) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		before := mock.Document(dc.dialect)
		config := prefs.Document{dc.keyA: !dc.defaultA}
		mock.Inject(mockapi.Fault{Method: dc.write, DropAfterApply: true, Times: 1})
		mock.Inject(mockapi.Fault{Method: dc.write, Status: status, Times: 1})
		created := p.apply(context.Background(), nil, p.plan(nil, nil, config, onDestroyRestore), config, onDestroyRestore)
		if !hasError(created.Diagnostics) {
			t.Fatalf("the create succeeded despite the %d", status)
		}
		if got := p.preferencesIn(created.NewState); got[dc.keyA] != !dc.defaultA || !maps.Equal(earlierIn(t, created.Private), prefs.Document{dc.keyA: dc.defaultA}) {
			t.Fatalf("the failed create saved %v remembering %v; want %s, which landed, and its value before", got, earlierIn(t, created.Private), dc.keyA)
		}
		p.walk()
		p.destroyRestores(mock, before, created)
	})
}

// A failed write that may have landed lets go, for good, the keys whose
// release writes nothing (on_destroy = "keep" here): that happened either
// way. Its state no longer holds them, and apply says so, as a successful
// one does; otherwise the value Terraform left on the server is known to
// no state and no warning (the walk simulator's seed 25843 at 581a070).
func TestContract_FailedWriteSaysWhichKeysItLetGo(t *testing.T) {
	eachDialectProtocol(t, func(t *testing.T, p *protocol, mock *mockapi.Server, dc dialectCase) {
		state, private := p.create(prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB}, onDestroyRestore)
		mock.Inject(mockapi.Fault{Method: dc.write, DropAfterApply: true, Times: 1})
		mock.Inject(mockapi.Fault{Method: dc.write, Status: 500, Times: 1})
		config := prefs.Document{dc.keyB: dc.defaultB}
		updated := p.apply(context.Background(), state, p.plan(state, private, config, onDestroyKeep), config, onDestroyKeep)
		if !hasError(updated.Diagnostics) {
			t.Fatal("the update succeeded despite the 500")
		}
		if got := p.preferencesIn(updated.NewState); !maps.Equal(got, config) {
			t.Fatalf("the failed update saved %v, want %v: %s is let go either way", got, config, dc.keyA)
		}
		expectDiagnostic(t, updated.Diagnostics, warning, "Notification Keys No Longer Managed", nil,
			fmt.Sprintf("stops managing %q here and leaves their values on the server as they are, because on_destroy is \"keep\"", dc.keyA))
	})
}
