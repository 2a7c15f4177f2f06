package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The walk simulator's apply walk: Terraform's order, -parallelism and
// interrupts, with the provider's requests released one at a time.

// simNodeResult is what applying one node returned.
type simNodeResult struct {
	node            *simNode
	destroyed       *tfprotov6.ApplyResourceChangeResponse
	replanned       *tfprotov6.PlanResourceChangeResponse
	applied         *tfprotov6.ApplyResourceChangeResponse
	replannedConfig *tfprotov6.DynamicValue
}

// applyNode applies one node as Terraform's apply walk does: a destroy as
// planned; any other change planned again first, from the refreshed state.
func (r *simRun) applyNode(ctx context.Context, srv tfprotov6.ProviderServer, n *simNode) *simNodeResult {
	out := &simNodeResult{node: n}
	res := n.res
	if n.action == "replace" && res.tainted {
		r.excuseTainted(res.conf, decodeSim(n.prior).prefs)
	}
	if n.action == "delete" || n.action == "replace" {
		n.called = true
		out.destroyed, _ = srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "notification_preferences", PriorState: n.prior, PlannedState: simObject(nil, nil, nil),
			Config: simObject(nil, nil, nil), PlannedPrivate: n.planned.PlannedPrivate,
		})
		if n.action == "delete" || out.destroyed == nil || hasError(out.destroyed.Diagnostics) {
			return out
		}
	}
	prior, priorPrivate := n.prior, n.priorPrivate
	if n.action != "update" {
		prior, priorPrivate = simObject(nil, nil, nil), nil
	}
	config, proposed := res.config(decodeSim(prior))
	out.replanned, _ = srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: prior, PriorPrivate: priorPrivate, Config: config, ProposedNewState: proposed,
	})
	if out.replanned == nil || hasError(out.replanned.Diagnostics) || (n.action == "update" && decodeSim(out.replanned.PlannedState).equal(decodeSim(prior))) {
		return out
	}
	out.replannedConfig = config
	n.called = true
	out.applied, _ = srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "notification_preferences", PriorState: prior, PlannedState: out.replanned.PlannedState,
		Config: config, PlannedPrivate: out.replanned.PlannedPrivate,
	})
	return out
}

// record saves what a node's calls returned, as Terraform does, and
// reports whether the node failed.
func (r *simRun) record(out *simNodeResult) (failed bool) {
	n, res := out.node, out.node.res
	if d := out.destroyed; d != nil {
		r.rpc(res, "ApplyResourceChange (destroy)", nil, d.Diagnostics, d.NewState)
		switch {
		case !hasError(d.Diagnostics):
			res.state, res.private, res.tainted = nil, nil, false
		case !decodeSim(d.NewState).null:
			res.state, res.private = d.NewState, d.Private
			return true
		default:
			return true // the prior state stays
		}
	} else if n.action == "delete" || n.action == "replace" {
		r.logf("   ApplyResourceChange (destroy) %s: no answer", res.name)
		return true
	}
	if n.action == "delete" {
		res.deps = nil
		return false
	}
	if p := out.replanned; p != nil {
		r.rpc(res, "PlanResourceChange (apply walk)", nil, p.Diagnostics, p.PlannedState)
		if hasError(p.Diagnostics) {
			return true
		}
	}
	a := out.applied
	if a == nil {
		return out.replanned == nil
	}
	r.rpc(res, "ApplyResourceChange", nil, a.Diagnostics, a.NewState)
	newState := decodeSim(a.NewState)
	switch {
	case hasError(a.Diagnostics) && newState.null:
		return true
	case hasError(a.Diagnostics):
		res.state, res.private, res.deps = a.NewState, a.Private, slices.Clone(res.dependsOn)
		res.tainted = res.tainted || n.action != "update"
		return true
	}
	if planned := decodeSim(out.replanned.PlannedState); !newState.equal(planned) {
		r.fail("Provider produced inconsistent result after apply", fmt.Sprintf("%s: planned %s, applied %s", res.name, planned, newState))
	}
	res.state, res.private, res.tainted, res.deps = a.NewState, a.Private, false, slices.Clone(res.dependsOn)
	r.logf("      %s remembers earlier values %v", res.name, earlierOf(res.private))
	return false
}

// applyWalk applies a plan. It reports whether every change applied
// without an error, and whether it was interrupted.
func (r *simRun) applyWalk(plan *simPlan, targets map[int]bool) (ok, interrupted bool, applied map[string]bool) {
	r.snapshotOwners()
	defer r.confirmMoved()
	defer r.endWalk()
	r.mu.Lock()
	r.phase = simDuringApply
	r.mu.Unlock()
	applied = map[string]bool{}
	// The apply starts from the plan's refreshed state: it is what
	// Terraform saves of every resource, changed or not.
	for _, n := range plan.nodes {
		n.res.state, n.res.private = n.prior, n.priorPrivate
		if n.prior == nil {
			n.res.tainted = false
		}
	}
	// Terraform records every configured resource's dependencies anew
	// at apply, changed or not; destroys follow the recorded ones.
	for _, res := range r.res {
		if res.cfg != nil && res.state != nil {
			res.deps = slices.Clone(res.dependsOn)
		}
	}
	var nodes []*simNode
	for _, n := range plan.nodes {
		if n.action != "no-op" {
			nodes = append(nodes, n)
			applied[n.res.name] = true
		}
	}
	r.order(nodes)
	par := []int{1, 1, 2, 3, 4, 10}[r.rng.IntN(6)]
	if r.parallelism != 0 {
		par = r.parallelism
	}
	interruptAt := -1
	if !r.faultsOff && r.rng.IntN(6) == 0 {
		interruptAt = r.rng.IntN(2 + 2*len(nodes))
	}
	r.logf("-- apply walk: %d changes, -parallelism=%d%s", len(nodes), par, map[bool]string{true: ", with -target", false: ""}[targets != nil])
	servers := r.providers()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.gate.hold()
	defer r.gate.open()

	ok = true
	running := 0
	var waiting []*simRequest
	for decision := 0; ; decision++ {
		running, waiting = r.settle(running, waiting, &ok)
		var ready []*simNode
		for _, n := range nodes {
			if n.status != simWaiting {
				continue
			}
			if slices.ContainsFunc(n.preds, func(p *simNode) bool { return p.status == simFailed || p.status == simSkipped }) {
				n.status = simSkipped
				r.logf("   %s skipped: a dependency failed", n.res.name)
				continue
			}
			if !slices.ContainsFunc(n.preds, func(p *simNode) bool { return p.status != simApplied }) {
				ready = append(ready, n)
			}
		}
		if interrupted {
			ready = nil
		}
		if running == 0 && len(waiting) == 0 && len(ready) == 0 {
			if !interrupted && slices.ContainsFunc(nodes, func(n *simNode) bool { return n.status == simWaiting }) {
				r.fail("simulator", "the apply's order has a cycle")
			}
			break
		}
		switch {
		case decision == interruptAt && running > 0:
			interrupted = true
			r.mu.Lock()
			r.tags["interrupt"] = true
			r.mu.Unlock()
			r.logf("   ^C: interrupt (StopProvider, cancel every call in flight)")
			for _, srv := range servers {
				_, _ = srv.StopProvider(context.Background(), &tfprotov6.StopProviderRequest{})
			}
			cancel()
		case len(ready) > 0 && running < par && (len(waiting) == 0 || r.rng.IntN(2) == 0):
			n := ready[r.rng.IntN(len(ready))]
			n.status = simRunning
			running++
			r.logf("   start %s (%s)", n.res.name, n.action)
			srv := servers[n.res.conf]
			go func() { r.gate.finished(r.applyNode(ctx, srv, n)) }()
		case len(waiting) > 0:
			i := r.rng.IntN(len(waiting))
			req := waiting[i]
			waiting = slices.Delete(waiting, i, i+1)
			req.crowded = req.write() && runningOf(nodes, req.conf) > 1
			req.release <- r.fate(req)
			// Its answer is bound to end a call or bring another request,
			// unless the provider gave up on it: wait for that before
			// judging what is quiet.
			select {
			case <-req.gone:
				continue
			default:
			}
			if !r.gate.waitEvent(-1) {
				r.fail("hang", fmt.Sprintf("a request was served and nothing followed for %v", simHangLimit))
			}
			r.gate.signal()
		default:
			decision-- // nothing to decide but to wait
			if !r.gate.waitEvent(-1) {
				r.fail("hang", fmt.Sprintf("%d provider calls neither answered nor sent a request for %v", running, simHangLimit))
			}
		}
	}
	return ok && !interrupted, interrupted, applied
}

// settle waits until the provider's calls in flight have each answered,
// sent a request that waits at the gate, or had time to queue behind
// one; then it records the answers. Answers and requests that arrive
// together are taken in a fixed order, not the order the Go scheduler
// happened to deliver them in.
func (r *simRun) settle(running int, waiting []*simRequest, ok *bool) (int, []*simRequest) {
	var finished []*simNodeResult
	for {
		arrived, done := r.gate.take()
		waiting = append(waiting, arrived...)
		finished = append(finished, done...)
		running -= len(done)
		if len(arrived) > 0 || len(done) > 0 {
			continue
		}
		quiet := false
		switch {
		case running == 0 && len(waiting) == 0:
			quiet = true
		case running == 1 && len(waiting) == 0:
			if !r.gate.waitEvent(-1) {
				r.fail("hang", fmt.Sprintf("a provider call neither answered nor sent a request for %v", simHangLimit))
			}
		default:
			quiet = r.gate.quiet()
		}
		if !quiet {
			continue
		}
		slices.SortStableFunc(waiting, func(a, b *simRequest) int {
			return strings.Compare(fmt.Sprint(a.conf, a.method, a.path), fmt.Sprint(b.conf, b.method, b.path))
		})
		slices.SortFunc(finished, func(a, b *simNodeResult) int { return a.node.i - b.node.i })
		for _, out := range finished {
			if r.record(out) {
				out.node.status = simFailed
				*ok = false
			} else {
				out.node.status = simApplied
			}
		}
		return running, waiting
	}
}

// order links each node to those Terraform applies before it: a
// dependency before its dependents, but a dependent's destroy before its
// dependency's change.
func (r *simRun) order(nodes []*simNode) {
	byRes := map[int]*simNode{}
	for _, n := range nodes {
		byRes[n.i] = n
	}
	for _, n := range nodes {
		deps := n.res.dependsOn
		if n.action == "delete" {
			deps = n.res.deps
		}
		for _, j := range deps {
			d, ok := byRes[j]
			if !ok {
				continue
			}
			if n.action == "delete" {
				d.preds = append(d.preds, n)
			} else {
				n.preds = append(n.preds, d)
			}
		}
	}
}

// excuseTainted excuses from the restore check the keys of a tainted
// object (a create that failed after its write landed) that Terraform
// replaces: it hands the destroy of the tainted object the private data
// of the new object's plan, made with no prior private data, so the
// destroy does not know the keys' earlier values and leaves them as they
// are.
func (r *simRun) excuseTainted(c int, keys prefs.Document) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range keys {
		r.excuse(c, k, "a tainted object's destroy is given no earlier values")
	}
}

// runningOf counts the nodes of configuration conf being applied.
func runningOf(nodes []*simNode, conf int) int {
	n := 0
	for _, node := range nodes {
		if node.status == simRunning && node.res.conf == conf {
			n++
		}
	}
	return n
}
