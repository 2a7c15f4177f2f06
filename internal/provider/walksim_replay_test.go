package provider

import (
	"fmt"
	"strings"
	"testing"
)

// A run is its seed's: run again, it makes the same decisions, so that
// -seed=N replays what a long run found. Not always to the request: when
// one answer wakes several of the provider's calls at once (a shared read,
// a batch), which of them queues its write first is the Go scheduler's
// choice, which no gate outside the provider controls. So the traces of
// a few runs may part; their verdicts must agree.
func TestWalkSimulatorReplays(t *testing.T) {
	t.Parallel()
	traces, verdicts := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		first, again := runSimulation(t, seed), runSimulation(t, seed)
		if first.trace != again.trace {
			traces++
			t.Logf("seed %d ran differently the second time:\n%s", seed, firstDifference(first.trace, again.trace))
		}
		if first.violation != again.violation {
			verdicts++
			t.Logf("seed %d found %q, then %q", seed, first.violation, again.violation)
		}
	}
	t.Logf("%d of 40 runs replayed to the request, %d to the verdict", 40-traces, 40-verdicts)
	if verdicts > 2 {
		t.Errorf("%d of 40 runs came to another verdict the second time", verdicts)
	}
}

// firstDifference shows where two traces part.
func firstDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("one trace has %d lines, the other %d", len(la), len(lb))
}
