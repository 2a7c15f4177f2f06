package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Terraform's walks, as the simulator models them (Terraform 1.16.4's
// internal/terraform): every walk configures fresh providers; a plan walk
// refreshes (ReadResource) and plans (PlanResourceChange) every resource
// in state or configuration, dependencies first; the apply walk starts
// from the plan's refreshed state and private data, and for every change
// that is not a no-op plans again and applies (a destroy is applied as
// planned), dependencies first and destroys in reverse, up to
// -parallelism at once; it records what ApplyResourceChange returns even
// with errors, skips the dependents of a failed resource, and after an
// interrupt starts nothing new.

var simSchemas = sync.OnceValues(func() (tftypes.Object, tftypes.Object) {
	resp, err := providerserver.NewProtocol6(New("test")())().GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		panic(err)
	}
	resource, _ := resp.ResourceSchemas["notification_preferences"].ValueType().(tftypes.Object)
	provider, _ := resp.Provider.ValueType().(tftypes.Object)
	return resource, provider
})

// simValue is a decoded notification_preferences object.
type simValue struct {
	null      bool
	id        string
	prefs     prefs.Document
	onDestroy string
}

func (v simValue) String() string {
	if v.null {
		return "null"
	}
	return fmt.Sprintf("%v on_destroy=%s", v.prefs, v.onDestroy)
}

func (v simValue) equal(o simValue) bool {
	return v.null == o.null && v.id == o.id && v.onDestroy == o.onDestroy && maps.Equal(v.prefs, o.prefs)
}

func decodeSim(dv *tfprotov6.DynamicValue) simValue {
	if dv == nil {
		return simValue{null: true}
	}
	resource, _ := simSchemas()
	v, err := dv.Unmarshal(resource)
	if err != nil || v.IsNull() {
		return simValue{null: true}
	}
	var attrs map[string]tftypes.Value
	_ = v.As(&attrs)
	out := simValue{prefs: prefs.Document{}}
	if attrs["id"].IsKnown() {
		_ = attrs["id"].As(&out.id)
	}
	if attrs["on_destroy"].IsKnown() {
		_ = attrs["on_destroy"].As(&out.onDestroy)
	}
	var elems map[string]tftypes.Value
	if attrs["preferences"].IsKnown() {
		_ = attrs["preferences"].As(&elems)
	}
	for k, e := range elems {
		var b bool
		_ = e.As(&b)
		out.prefs[k] = b
	}
	return out
}

func (r *simRun) stateOf(res *simRes) simValue { return decodeSim(res.state) }

// simObject encodes an object; values nil is the null object.
func simObject(id, onDestroy any, values prefs.Document) *tfprotov6.DynamicValue {
	resource, _ := simSchemas()
	var v tftypes.Value
	if values == nil {
		v = tftypes.NewValue(resource, nil)
	} else {
		elems := map[string]tftypes.Value{}
		for k, b := range values {
			elems[k] = tftypes.NewValue(tftypes.Bool, b)
		}
		v = tftypes.NewValue(resource, map[string]tftypes.Value{
			"id":          tftypes.NewValue(tftypes.String, id),
			"preferences": tftypes.NewValue(tftypes.Map{ElementType: tftypes.Bool}, elems),
			"on_destroy":  tftypes.NewValue(tftypes.String, onDestroy),
		})
	}
	dv, err := tfprotov6.NewDynamicValue(resource, v)
	if err != nil {
		panic(err)
	}
	return &dv
}

// config is the resource's configuration value, and the proposed new
// state Terraform makes of it and the prior state (ProposedNew: computed
// attributes unset in configuration keep their prior value, unknown on
// create).
func (res *simRes) config(prior simValue) (config, proposed *tfprotov6.DynamicValue) {
	var onDestroy any
	if res.onDestroy != "" {
		onDestroy = res.onDestroy
	}
	config = simObject(nil, onDestroy, res.cfg)
	if prior.null {
		if onDestroy == nil {
			onDestroy = tftypes.UnknownValue
		}
		return config, simObject(tftypes.UnknownValue, onDestroy, res.cfg)
	}
	if onDestroy == nil {
		onDestroy = prior.onDestroy
	}
	return config, simObject(prior.id, onDestroy, res.cfg)
}

// providers configures a fresh provider for each configuration, as
// Terraform does at the start of every walk.
func (r *simRun) providers() []tfprotov6.ProviderServer {
	if r.recording {
		r.walks = append(r.walks, nil)
	}
	_, providerType := simSchemas()
	servers := make([]tfprotov6.ProviderServer, len(r.confs))
	for i, c := range r.confs {
		values := map[string]tftypes.Value{}
		for name, ty := range providerType.AttributeTypes {
			values[name] = tftypes.NewValue(ty, nil)
		}
		values["endpoint"] = tftypes.NewValue(tftypes.String, r.url)
		values["token"] = tftypes.NewValue(tftypes.String, c.token)
		values["api"] = tftypes.NewValue(tftypes.String, string(c.dialect))
		if r.noRetries {
			values["max_retries"] = tftypes.NewValue(tftypes.Number, 0)
		}
		if c.userID != 0 {
			values["user_id"] = tftypes.NewValue(tftypes.Number, c.userID)
		}
		dv, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, values))
		if err != nil {
			panic(err)
		}
		// Retries wait next to nothing: what matters is the request that
		// comes next, and it waits at the gate like any other.
		servers[i] = providerserver.NewProtocol6(&notificationProvider{version: "test", retryWaitMin: 20 * time.Microsecond, retryWaitMax: 100 * time.Microsecond})()
		resp, err := servers[i].ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: &dv, TerraformVersion: "1.16.4"})
		if err != nil || hasError(resp.Diagnostics) {
			r.fail("simulator", fmt.Sprintf("configuring %s: %v %s", c, err, describe(resp.Diagnostics)))
		}
	}
	return servers
}

// simNode is one resource in a walk: its refreshed state and its plan.
type simNode struct {
	i            int
	res          *simRes
	action       string                  // no-op, create, update, delete, replace
	prior        *tfprotov6.DynamicValue // refreshed; nil: none
	priorPrivate []byte
	planned      *tfprotov6.PlanResourceChangeResponse

	preds  []*simNode
	status simStatus
	// called is set once Terraform calls ApplyResourceChange for it.
	called bool
}

// unapplied reports whether Terraform called no ApplyResourceChange for a
// resource the plan changes: it then tells the provider nothing of that
// resource, as with -target, and a key it was letting go may stay in its
// state after a taker's write landed.
func (r *simRun) unapplied(plan *simPlan) bool {
	return slices.ContainsFunc(plan.nodes, func(n *simNode) bool { return n.action != "no-op" && !n.called })
}

type simStatus int

const (
	simWaiting simStatus = iota
	simRunning
	simApplied
	simFailed
	simSkipped
)

// simPlan is a plan walk's result: what a saved plan holds.
type simPlan struct {
	ok, saidTwice bool
	nodes         []*simNode
}

// snapshotOwners notes which resource's state holds each key as a walk begins.
func (r *simRun) snapshotOwners() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.walkStart = make([]map[string]int, len(r.confs))
	for c := range r.confs {
		r.walkStart[c] = map[string]int{}
	}
	for i, res := range r.res {
		for k := range r.stateOf(res).prefs {
			r.walkStart[res.conf][k] = i
		}
	}
}

// walked lists the resources a walk visits: those in state or
// configuration, or with -target those targeted and their dependencies.
func (r *simRun) walked(targets map[int]bool) []int {
	var out []int
	var add func(i int)
	add = func(i int) {
		if slices.Contains(out, i) {
			return
		}
		out = append(out, i)
		for _, j := range append(slices.Clone(r.res[i].dependsOn), r.res[i].deps...) {
			if r.res[j].cfg != nil || r.res[j].state != nil {
				add(j)
			}
		}
	}
	for i, res := range r.res {
		if (res.cfg != nil || res.state != nil) && (targets == nil || targets[i]) {
			add(i)
		}
	}
	slices.Sort(out)
	return out
}

// planWalk refreshes and plans, dependencies first, in an order the seed
// picks among the ready ones. Nothing of it is saved but the plan.
func (r *simRun) planWalk(label string, targets map[int]bool, logged bool) *simPlan {
	r.snapshotOwners()
	defer r.endWalk()
	if logged {
		r.logf("-- %s walk", label)
	}
	servers := r.providers()
	plan := &simPlan{ok: true}
	pending := r.walked(targets)
	refreshed := map[int]*simNode{}
	for len(pending) > 0 {
		var ready []int
		for _, i := range pending {
			if !slices.ContainsFunc(r.res[i].dependsOn, func(j int) bool { return slices.Contains(pending, j) }) {
				ready = append(ready, i)
			}
		}
		if len(ready) == 0 {
			ready = pending // state's dependencies may loop with the configuration's; Terraform would say so
		}
		// Each resource's node refreshes, then plans; the nodes that are
		// ready run side by side, so one's refresh may come between
		// another's refresh and plan.
		i := ready[r.rng.IntN(len(ready))]
		srv := servers[r.res[i].conf]
		n, started := refreshed[i]
		if !started && r.res[i].state != nil {
			refreshed[i] = r.refreshOne(srv, i, plan)
			continue
		}
		pending = slices.DeleteFunc(pending, func(j int) bool { return j == i })
		if !started {
			n = &simNode{i: i, res: r.res[i]}
		}
		if n != nil {
			if n = r.planOne(srv, n, plan); n != nil {
				plan.nodes = append(plan.nodes, n)
			}
		}
	}
	return plan
}

// refreshOne refreshes a resource in state: nil when the refresh failed.
func (r *simRun) refreshOne(srv tfprotov6.ProviderServer, i int, plan *simPlan) *simNode {
	res := r.res[i]
	n := &simNode{i: i, res: res}
	resp, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "notification_preferences", CurrentState: res.state, Private: res.private})
	r.rpc(res, "ReadResource", err, resp.Diagnostics, resp.NewState)
	if err != nil || hasError(resp.Diagnostics) {
		plan.ok = false
		return nil
	}
	n.prior, n.priorPrivate = resp.NewState, resp.Private
	if decodeSim(n.prior).null {
		n.prior, n.priorPrivate = nil, nil
	}
	return n
}

// planOne plans a resource from its refreshed state.
func (r *simRun) planOne(srv tfprotov6.ProviderServer, n *simNode, plan *simPlan) *simNode {
	ctx := context.Background()
	res := n.res
	prior := decodeSim(n.prior)
	req := &tfprotov6.PlanResourceChangeRequest{TypeName: "notification_preferences", PriorState: n.prior, PriorPrivate: n.priorPrivate}
	switch {
	case res.cfg == nil && n.prior == nil:
		return nil
	case res.cfg == nil:
		n.action = "delete"
		req.Config, req.ProposedNewState = simObject(nil, nil, nil), simObject(nil, nil, nil)
	case n.prior == nil || res.tainted:
		n.action = "create"
		if res.tainted {
			n.action = "replace"
		}
		req.PriorState, req.PriorPrivate = simObject(nil, nil, nil), nil
		req.Config, req.ProposedNewState = res.config(simValue{null: true})
	default:
		req.Config, req.ProposedNewState = res.config(prior)
	}
	resp, err := srv.PlanResourceChange(ctx, req)
	r.rpc(res, "PlanResourceChange", err, resp.Diagnostics, resp.PlannedState)
	if err != nil || hasError(resp.Diagnostics) {
		plan.ok = false
		plan.saidTwice = plan.saidTwice || slices.ContainsFunc(resp.Diagnostics, func(d *tfprotov6.Diagnostic) bool {
			return strings.Contains(d.Summary, "Declared Twice")
		})
		return nil
	}
	n.planned = resp
	if n.action == "" {
		n.action = "update"
		if decodeSim(resp.PlannedState).equal(prior) {
			n.action = "no-op"
		}
	}
	r.logf("   %s: %s", res.name, n.action)
	return n
}

// destroyPlanWalk plans the destroy of every resource in state from a
// refresh walk's results, as `terraform destroy` does after its refresh.
func (r *simRun) destroyPlanWalk(refresh *simPlan) *simPlan {
	r.snapshotOwners()
	defer r.endWalk()
	r.logf("-- terraform destroy: destroy plan walk")
	servers := r.providers()
	plan := &simPlan{ok: true}
	for _, idx := range r.rng.Perm(len(refresh.nodes)) {
		n := refresh.nodes[idx]
		if n.prior == nil {
			continue
		}
		d := &simNode{i: n.i, res: n.res, action: "delete", prior: n.prior, priorPrivate: n.priorPrivate}
		resp, err := servers[n.res.conf].PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
			TypeName: "notification_preferences", PriorState: n.prior, PriorPrivate: n.priorPrivate,
			Config: simObject(nil, nil, nil), ProposedNewState: simObject(nil, nil, nil),
		})
		r.rpc(n.res, "PlanResourceChange", err, resp.Diagnostics, resp.PlannedState)
		if err != nil || hasError(resp.Diagnostics) {
			plan.ok = false
			continue
		}
		d.planned = resp
		plan.nodes = append(plan.nodes, d)
	}
	return plan
}

// rpc logs a call and its answer, and notes the warnings that excuse keys
// from the final check.
func (r *simRun) rpc(res *simRes, call string, err error, diags []*tfprotov6.Diagnostic, value *tfprotov6.DynamicValue) {
	var b strings.Builder
	fmt.Fprintf(&b, "   %s %s → %s", call, res.name, decodeSim(value))
	if err != nil {
		fmt.Fprintf(&b, " error %v", err)
	}
	for _, d := range diags {
		at := ""
		if d.Attribute != nil {
			at = " at " + d.Attribute.String()
		}
		fmt.Fprintf(&b, "\n      %v %q%s: %s", d.Severity, d.Summary, at, strings.ReplaceAll(d.Detail, "\n", " "))
	}
	r.logf("%s", b.String())
	r.noteWarnings(res.conf, diags)
	if r.recording {
		call, _, _ = strings.Cut(call, " (")
		r.walks[len(r.walks)-1] = append(r.walks[len(r.walks)-1], call+" "+res.name)
	}
}
