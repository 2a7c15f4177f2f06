package provider

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The walk simulator (issue 29): a seeded, randomized model of Terraform
// driving the provider's real protocol server in-process against the mock,
// with faults, other clients and interrupts, and a checker of the
// provider's contract after every step. A run is deterministic given its
// seed; a violation prints the seed and the run's trace, and -seed=N
// replays that run alone.
//
// walksim_test.go: the runs and their steps; walksim_config_test.go: the
// configurations; walksim_walk_test.go: Terraform's plan walk;
// walksim_apply_test.go: its apply walk; walksim_gate_test.go and
// walksim_fate_test.go: the requests and what becomes of them;
// walksim_check_test.go: the checker; walksim_fidelity_test.go: the model
// against the CLI; walksim_replay_test.go: that a seed replays its run.

var (
	simSeed    = flag.Uint64("seed", 0, "replay this one run of TestWalkSimulator, printing its trace")
	simRuns    = flag.Int("sim.runs", 0, "runs of TestWalkSimulator (0: the CI count)")
	simStart   = flag.Uint64("sim.start", 1, "the seed of TestWalkSimulator's first run")
	simBudget  = flag.Duration("sim.budget", 90*time.Second, "TestWalkSimulator stops starting runs after this long")
	simSettle  = flag.Duration("sim.settle", 20*time.Millisecond, "how long the provider's calls are given to come to rest when other goroutines keep the test binary busy")
	simVerbose = flag.Bool("sim.trace", false, "print the trace of every run")
)

// simCIRuns is how many runs make test makes: about 60 seconds on two
// shared cores, with and without the race detector.
var simCIRuns = map[bool]int{false: 600, true: 320}[raceDetector]

func TestWalkSimulator(t *testing.T) {
	if *simSeed != 0 {
		// A replay may take another path where the provider wakes several
		// calls at once (see TestWalkSimulatorReplays): try a few times
		// for the violation.
		var v simOutcome
		for try := 1; try <= 10; try++ {
			if v = runSimulation(t, *simSeed); v.violation != "" {
				break
			}
		}
		t.Log("\n" + v.trace)
		if v.violation != "" {
			t.Errorf("seed %d: %s", *simSeed, v.violation)
		}
		return
	}
	runs := *simRuns
	if runs == 0 {
		runs = simCIRuns
		if testing.Short() {
			runs /= 10
		}
	}
	start, deadline := time.Now(), time.Now().Add(*simBudget)
	var found []simOutcome
	kinds := map[string]int{}
	done := 0
	for seed := *simStart; done < runs && time.Now().Before(deadline); seed++ {
		v := runSimulation(t, seed)
		done++
		if *simVerbose {
			t.Logf("seed %d:\n%s", seed, v.trace)
		}
		if v.violation != "" {
			kinds[v.kind]++
			found = append(found, v)
		}
	}
	elapsed := time.Since(start)
	t.Logf("%d runs (seeds %d–%d) in %v: %.0f runs per minute; %d violations", done, *simStart, *simStart+uint64(done)-1, elapsed.Round(time.Millisecond), float64(done)/elapsed.Minutes(), len(found))
	if done < runs {
		t.Logf("the budget of %v ended the simulation after %d of %d runs", *simBudget, done, runs)
	}
	if len(found) == 0 {
		return
	}
	var b strings.Builder
	for _, kind := range slices.Sorted(maps.Keys(kinds)) {
		var seeds []string
		for _, v := range found {
			if v.kind == kind && len(seeds) < 6 {
				seeds = append(seeds, fmt.Sprint(v.seed))
			}
		}
		fmt.Fprintf(&b, "  %4d× %s (seeds %s)\n", kinds[kind], kind, strings.Join(seeds, ", "))
	}
	t.Errorf("the walk simulator found %d violations in %d runs, by kind:\n%s\nThe first one, %s, has this trace:\n%s\nReplay one with: go test -run 'TestWalkSimulator$' ./internal/provider/ -seed=N", len(found), done, b.String(), found[0].violation, found[0].trace)
}

// simOutcome is what one run found.
type simOutcome struct {
	seed      uint64
	violation string // empty: none
	kind      string // the violation with its particulars left out
	trace     string
}

// simConf is one provider configuration of a run: one document.
type simConf struct {
	dialect  prefs.Dialect
	token    string
	userID   int // 0 for v1
	keys     []string
	defaults prefs.Document
}

func (c *simConf) String() string {
	if c.userID != 0 {
		return fmt.Sprintf("%s/%d", c.dialect, c.userID)
	}
	return string(c.dialect)
}

// simRes is one notification_preferences resource: what Terraform's state
// holds of it and what the current step's configuration declares.
type simRes struct {
	name    string
	conf    int
	state   *tfprotov6.DynamicValue // nil: not in state
	private []byte
	tainted bool
	deps    []int // depends_on as state records it

	cfg       prefs.Document // nil: not in the configuration
	onDestroy string         // "": unset (the default, restore)
	dependsOn []int
}

// simRun is one run: its mock, configurations, resources, and what the
// checker knows of the documents.
type simRun struct {
	t     testing.TB
	seed  uint64
	rng   *rand.Rand
	mock  *mockapi.Server
	url   string
	gate  *simGate
	confs []*simConf
	res   []*simRes

	// Per run: how often requests fail, how often other clients act.
	faultRate, otherRate float64
	// noRetries sets max_retries = 0: a lost answer is then an error.
	noRetries bool
	// faultsOff is true while the checker walks and the final destroy.
	faultsOff bool

	mu    sync.Mutex // guards what request handlers touch: trace, truth, rng, withdrawn
	trace strings.Builder
	// truth holds, per configuration, the values a key may go back to when
	// no resource manages it: its pre-Terraform value, or other clients'.
	truth []map[string][]bool
	// excused holds, per configuration, keys a warning said destroy
	// leaves as they are.
	excused []map[string]string
	// namedValue holds, per configuration, the value a move warning said
	// the key's taker remembers, or would if Terraform applied it first;
	// movedValue, those a state holding the key was then seen to remember
	// (and will write back).
	namedValue, movedValue []map[string]bool
	// heldTwice holds, per configuration, the keys a plan of this step
	// warned two states hold while the one declaring it changes nothing:
	// the apply of the one letting go writes the earlier value over it,
	// as the warning says, and the next plan sets it again.
	heldTwice []map[string]bool
	// walkStart holds, during a walk, which resource's state held each key
	// when it began (per configuration).
	walkStart []map[string]int
	// touched holds, per configuration, the keys other clients changed in
	// this step and when (simBeforeApply, simDuringApply); phase is now.
	touched []map[string]int
	phase   int
	// tags name the faults of the step so far, to sort violations by cause.
	tags map[string]bool
	// undo puts back what a walk's faults changed in the catalogue.
	undo []func()

	violation, kind string
	// parallelism, when not 0, is every apply walk's -parallelism; walks,
	// when recording, the provider calls of each walk (the fidelity test).
	parallelism int
	recording   bool
	walks       [][]string
	// dirty is true after a -target apply, or one in which Terraform
	// called no apply for a resource it planned to change (interrupted
	// before it, its plan in the apply walk failed, or a dependency
	// did), until a full apply succeeds:
	// Terraform may then leave one key in two states (SPEC §5.11).
	dirty bool
}

func runSimulation(t testing.TB, seed uint64) (out simOutcome) {
	mock := mockapi.New()
	r := &simRun{t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x5eed)), mock: mock}
	r.gate = newSimGate(r, mock)
	srv := httptest.NewServer(r.gate)
	defer srv.Close()
	r.url = srv.URL
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(simStop); !ok {
				r.fail("panic", fmt.Sprint(p))
			}
		}
		r.gate.open()
		// The mock's address changes from run to run; a replay's trace must not.
		trace := strings.ReplaceAll(r.trace.String(), strings.TrimPrefix(r.url, "http://"), "mock")
		out = simOutcome{seed: seed, violation: r.violation, kind: r.kind, trace: trace}
	}()
	r.setUp()
	steps := 2 + r.rng.IntN(6)
	for step := 1; step <= steps; step++ {
		r.step(step)
	}
	r.destroyAll()
	r.checkRestored()
	return out
}

// simStop ends a run at its first violation.
type simStop struct{}

// fail records the run's violation and ends it.
func (r *simRun) fail(kind, detail string) {
	r.mu.Lock()
	if r.violation == "" {
		tags := slices.Sorted(maps.Keys(r.tags))
		if len(tags) > 0 {
			kind += " [" + strings.Join(tags, ", ") + "]"
		}
		r.kind, r.violation = kind, kind+": "+detail
		fmt.Fprintf(&r.trace, "!! VIOLATION %s: %s\n", kind, detail)
	}
	r.mu.Unlock()
	panic(simStop{})
}

func (r *simRun) logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.trace, format+"\n", args...)
}

// setUp picks the run's provider configurations, resources and fault rates.
func (r *simRun) setUp() {
	r.mock.Ship(prefs.V1, mockapi.InAppChannel)
	r.mock.Ship(prefs.VastAI, dialectCases[1].shipped)
	v1 := &simConf{dialect: prefs.V1, token: mockapi.DemoSessionToken}
	vast := &simConf{dialect: prefs.VastAI, token: mockapi.DemoVastKey, userID: mockapi.DemoVastUser}
	other := &simConf{dialect: prefs.VastAI, token: mockapi.OtherVastKey, userID: mockapi.OtherVastUser}
	switch n := r.rng.IntN(10); {
	case n < 4:
		r.confs = []*simConf{v1}
	case n < 8:
		r.confs = []*simConf{vast}
	case n < 9:
		r.confs = []*simConf{v1, vast}
	default:
		r.confs = []*simConf{vast, other}
	}
	for _, c := range r.confs {
		c.defaults = r.mock.UserDocument(c.token)
		c.keys = c.dialect.Mutable(c.defaults).Keys()
		truth := map[string][]bool{}
		for k, v := range c.defaults {
			truth[k] = []bool{v}
		}
		r.truth = append(r.truth, truth)
		r.excused = append(r.excused, map[string]string{})
		r.namedValue = append(r.namedValue, map[string]bool{})
		r.movedValue = append(r.movedValue, map[string]bool{})
	}
	for i := range 2 + r.rng.IntN(5) {
		r.res = append(r.res, &simRes{name: fmt.Sprintf("r%d", i), conf: r.rng.IntN(len(r.confs))})
	}
	r.faultRate = []float64{0, 0, 0.05, 0.15, 0.3}[r.rng.IntN(5)]
	r.noRetries = r.rng.IntN(4) == 0
	r.otherRate = []float64{0, 0.05, 0.2}[r.rng.IntN(3)]
	var names []string
	for _, res := range r.res {
		names = append(names, res.name+"→"+r.confs[res.conf].String())
	}
	r.logf("run %d: configurations %v; resources %s; fault rate %.2f, other clients %.2f, max_retries = 0: %v", r.seed, r.confs, strings.Join(names, " "), r.faultRate, r.otherRate, r.noRetries)
}

// step changes the configuration, then plans and applies it, as
// `terraform apply` does, or as a saved plan applied later.
func (r *simRun) step(n int) {
	twice := r.configure()
	r.mu.Lock()
	r.touched = make([]map[string]int, len(r.confs))
	r.heldTwice = make([]map[string]bool, len(r.confs))
	for c := range r.confs {
		r.touched[c] = map[string]int{}
		r.heldTwice[c] = map[string]bool{}
	}
	r.phase = simBeforeApply
	r.tags = map[string]bool{}
	r.mu.Unlock()
	r.logf("\n== step %d: configuration %s", n, r.describeConfig())
	var targets map[int]bool
	if r.rng.IntN(12) == 0 && twice == "" {
		targets = r.pickTargets()
	}
	plan := r.planWalk("plan", targets, true)
	if twice != "" {
		if plan.ok {
			r.fail("key declared twice not refused", fmt.Sprintf("%s is declared by two resources of one configuration, and the plan did not fail at it", twice))
		}
		r.undoConfig(twice)
		return
	}
	if !plan.ok {
		r.logf("-- the plan failed: nothing applied")
		return
	}
	if r.rng.IntN(3) == 0 {
		r.logf("-- the plan is saved and applied later; meanwhile:")
		r.otherClients(false)
		r.mu.Lock()
		r.tags["other client after the plan"] = true
		r.mu.Unlock()
	}
	ok, interrupted, applied := r.applyWalk(plan, targets)
	if targets != nil || r.unapplied(plan) {
		r.dirty = true
	}
	r.checkOwners()
	switch {
	case targets != nil:
		if !ok || interrupted {
			r.checkKnown()
		}
	case ok && !interrupted:
		r.dirty = false
		r.checkConverged(applied)
	default:
		r.checkKnown()
	}
	if r.rng.Float64() < r.otherRate*2 {
		r.logf("-- between applies:")
		r.otherClients(false)
	}
}

// destroyAll destroys every resource with faults off, trying again while
// anything is left: as `terraform destroy` does (a plan walk of the
// configuration to refresh, then a destroy plan from its refreshed state,
// then the apply), and when that cannot plan, by removing every resource
// from the configuration.
func (r *simRun) destroyAll() {
	r.faultsOff = true
	r.mu.Lock()
	r.tags = map[string]bool{"final destroy": true}
	r.mu.Unlock()
	for try := 1; try <= 4; try++ {
		if !r.anyState() {
			return
		}
		r.logf("\n== destroy, try %d", try)
		var plan *simPlan
		if try%2 == 1 {
			refresh := r.planWalk("terraform destroy: refresh", nil, true)
			if refresh.ok {
				plan = r.destroyPlanWalk(refresh)
			}
		} else {
			for _, res := range r.res {
				res.cfg = nil
			}
			plan = r.planWalk("plan without any resource", nil, true)
		}
		if plan.ok {
			if ok, _, _ := r.applyWalk(plan, nil); !ok {
				r.checkKnown()
			}
			r.checkOwners()
		}
	}
	if r.anyState() {
		r.fail("destroy did not finish", "resources are still in state after four destroys without faults")
	}
}

func (r *simRun) anyState() bool {
	return slices.ContainsFunc(r.res, func(res *simRes) bool { return res.state != nil })
}
