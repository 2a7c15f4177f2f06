package provider

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
)

// simGate stands between the provider and the mock for the walk
// simulator. Outside an apply walk it decides each request's fate as it
// arrives; during one it holds every request until the simulator's
// scheduler releases it, so that which request is in flight, which writes
// queue behind it, and what becomes of each is the seed's choice, not the
// Go scheduler's.
type simGate struct {
	run  *simRun
	mock *mockapi.Server

	mu      sync.Mutex
	held    bool
	pending []*simRequest
	done    []*simNodeResult
	wake    chan struct{}
}

// simRequest is a request waiting at the gate.
type simRequest struct {
	method, path string
	conf         int
	// keys are the keys a write's body carries.
	keys []string
	// crowded: other calls of its configuration were running when the
	// scheduler released it, so it may carry their writes too.
	crowded bool
	gone    <-chan struct{} // closed when the provider gave up on it
	release chan mockapi.Fate
}

func (r *simRequest) write() bool { return r.method == http.MethodPatch || r.method == http.MethodPut }

func newSimGate(run *simRun, mock *mockapi.Server) *simGate {
	return &simGate{run: run, mock: mock, wake: make(chan struct{}, 1)}
}

func (g *simGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &simRequest{method: r.Method, path: r.URL.Path, conf: g.run.confOf(r.URL.Path), gone: r.Context().Done(), release: make(chan mockapi.Fate, 1)}
	if req.write() {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		req.keys = bodyKeys(body)
	}
	g.mu.Lock()
	if g.held {
		g.pending = append(g.pending, req)
		g.mu.Unlock()
		g.signal()
		g.mock.ServeFate(w, r, <-req.release)
		return
	}
	g.mu.Unlock()
	g.mock.ServeFate(w, r, g.run.fate(req))
}

func (g *simGate) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// hold makes requests wait for release from now on (an apply walk).
func (g *simGate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held = true
}

// open ends an apply walk: requests still waiting, and any that come
// later, get their fate as they arrive.
func (g *simGate) open() {
	g.mu.Lock()
	pending := g.pending
	g.held, g.pending, g.done = false, nil, nil
	g.mu.Unlock()
	for _, req := range pending {
		req.release <- g.run.fate(req)
	}
}

// finished reports a node's end to the scheduler.
func (g *simGate) finished(res *simNodeResult) {
	g.mu.Lock()
	g.done = append(g.done, res)
	g.mu.Unlock()
	g.signal()
}

// take returns what arrived since the last call: requests now waiting,
// and nodes that ended.
func (g *simGate) take() (arrived []*simRequest, done []*simNodeResult) {
	g.mu.Lock()
	defer g.mu.Unlock()
	arrived, done = g.pending, g.done
	g.pending, g.done = nil, nil
	return arrived, done
}

// waitEvent waits until something happened, or d passed (d < 0: up to the
// hang limit), and reports whether something did.
func (g *simGate) waitEvent(d time.Duration) bool {
	if d < 0 {
		d = simHangLimit
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-g.wake:
		return true
	case <-timer.C:
		return false
	}
}

// quiet waits until nothing happens: no event, and no goroutine of the
// test binary but this one running or runnable (twice in a row, a moment
// apart: a request on its way through the loopback is runnable as soon
// as it lands). Where other goroutines never rest it gives up after
// -sim.settle and calls that quiet, which replays less surely.
func (g *simGate) quiet() bool {
	deadline := time.Now().Add(*simSettle)
	idle := 0
	for time.Now().Before(deadline) {
		if g.waitEvent(100 * time.Microsecond) {
			return false
		}
		if othersIdle() {
			idle++
		} else {
			idle = 0
		}
		if idle == 4 {
			return true
		}
	}
	return true
}

// othersIdle reports whether every goroutine but the caller is blocked,
// as the scheduler's own counts tell (cheap, unlike a stack dump).
func othersIdle() bool {
	simMetricsMu.Lock()
	defer simMetricsMu.Unlock()
	metrics.Read(simMetrics)
	active := uint64(0)
	for _, m := range simMetrics {
		active += m.Value.Uint64()
	}
	return active <= 1
}

var (
	simMetricsMu sync.Mutex
	simMetrics   = []metrics.Sample{
		{Name: "/sched/goroutines/running:goroutines"},
		{Name: "/sched/goroutines/runnable:goroutines"},
		{Name: "/sched/goroutines/not-in-go:goroutines"},
	}
)

// simHangLimit is how long the simulator waits for a provider call that
// has neither answered nor sent a request before it calls it a hang.
const simHangLimit = 20 * time.Second

// confOf names the provider configuration a request is for.
func (r *simRun) confOf(path string) int {
	for i, c := range r.confs {
		if c.userID == 0 && strings.HasPrefix(path, "/v1/") {
			return i
		}
		if c.userID != 0 && strings.Contains(path, "/users/"+itoa(c.userID)+"/") {
			return i
		}
	}
	return -1
}

func itoa(n int) string { return strconv.Itoa(n) }

// bodyKeys returns the dotted keys of a write's body, in either dialect.
func bodyKeys(body []byte) []string {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	if nested, ok := v["notification_preferences"].(map[string]any); ok {
		v = nested
	}
	var keys []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, x := range m {
			if sub, ok := x.(map[string]any); ok {
				walk(prefix+k+".", sub)
			} else {
				keys = append(keys, prefix+k)
			}
		}
	}
	walk("", v)
	slices.Sort(keys)
	return keys
}
