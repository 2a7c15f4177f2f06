package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The walk simulator's configurations: each step adds, removes and
// changes resources, flips and moves keys, and sets on_destroy and
// depends_on, as users change theirs between applies.

// configure changes the configuration for a step. It returns a key it
// declared in two resources of one configuration, if it did.
func (r *simRun) configure() (twice string) {
	for range 1 + r.rng.IntN(3) {
		res := r.res[r.rng.IntN(len(r.res))]
		switch op := r.rng.IntN(10); {
		case res.cfg == nil:
			if keys := r.freeKeys(res.conf); len(keys) > 0 {
				res.cfg = prefs.Document{}
				for _, k := range r.sample(keys, 1+r.rng.IntN(min(3, len(keys)))) {
					res.cfg[k] = r.rng.IntN(2) == 0
				}
				res.onDestroy = []string{"", onDestroyRestore, onDestroyKeep}[r.rng.IntN(3)]
			}
		case op == 0:
			res.cfg = nil // destroy
		case op <= 2:
			k := r.sample(res.cfg.Keys(), 1)[0]
			res.cfg[k] = !res.cfg[k]
		case op == 3:
			if keys := r.freeKeys(res.conf); len(keys) > 0 {
				res.cfg[r.sample(keys, 1)[0]] = r.rng.IntN(2) == 0
			}
		case op == 4:
			if len(res.cfg) > 1 {
				delete(res.cfg, r.sample(res.cfg.Keys(), 1)[0])
			}
		case op <= 7:
			r.moveKey(res)
		case op == 8:
			res.onDestroy = []string{"", onDestroyRestore, onDestroyKeep}[r.rng.IntN(3)]
		default:
			res.dependsOn = nil
			if other := r.res[r.rng.IntN(len(r.res))]; other != res && r.rng.IntN(3) > 0 {
				res.dependsOn = []int{slices.Index(r.res, other)}
			}
		}
	}
	r.breakCycles()
	if r.rng.IntN(25) == 0 {
		return r.declareTwice()
	}
	return ""
}

// moveKey moves a key of res's state (or configuration) to another
// resource of its configuration, often with depends_on one way or the other.
func (r *simRun) moveKey(from *simRes) {
	var takers []*simRes
	for _, res := range r.res {
		if res != from && res.conf == from.conf && res.cfg != nil {
			takers = append(takers, res)
		}
	}
	if len(takers) == 0 || len(from.cfg) < 2 {
		return
	}
	to := takers[r.rng.IntN(len(takers))]
	// Preferably a key Terraform set off its default: one still at it
	// looks the same whether or not its earlier value is written back.
	keys := slices.DeleteFunc(from.cfg.Keys(), func(k string) bool { return from.cfg[k] == r.confs[from.conf].defaults[k] })
	if len(keys) == 0 {
		keys = from.cfg.Keys()
	}
	k := r.sample(keys, 1)[0]
	to.cfg[k] = from.cfg[k]
	if r.rng.IntN(3) == 0 {
		to.cfg[k] = !to.cfg[k]
	}
	delete(from.cfg, k)
	// Often the taker takes a key of its own too, that a refusal can be
	// about: a merged request refused for it is split, and the one letting
	// go must then be decided again, without the taker.
	if keys := r.freeKeys(to.conf); len(keys) > 0 && r.rng.IntN(4) > 0 {
		to.cfg[r.sample(keys, 1)[0]] = r.rng.IntN(2) == 0
	}
	// Half the time this move adds no order between the two, so that
	// their writes may go in one request.
	switch r.rng.IntN(4) {
	case 0:
		to.dependsOn = []int{slices.Index(r.res, from)}
		from.dependsOn = slices.DeleteFunc(from.dependsOn, func(i int) bool { return r.res[i] == to })
	case 1:
		from.dependsOn = []int{slices.Index(r.res, to)}
		to.dependsOn = slices.DeleteFunc(to.dependsOn, func(i int) bool { return r.res[i] == from })
	}
}

// breakCycles drops depends_on edges that would close a cycle, keeping
// the earlier resources' edges, and edges to resources not in the
// configuration.
func (r *simRun) breakCycles() {
	wanted := make([][]int, len(r.res))
	for i, res := range r.res {
		wanted[i], res.dependsOn = res.dependsOn, nil
	}
	for i, res := range r.res {
		for _, j := range wanted[i] {
			if j != i && r.res[j].cfg != nil && !r.reaches(j, i, map[int]bool{}) && !slices.Contains(res.dependsOn, j) {
				res.dependsOn = append(res.dependsOn, j)
			}
		}
	}
}

// reaches reports whether from depends on to, directly or not, in the
// configuration.
func (r *simRun) reaches(from, to int, seen map[int]bool) bool {
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, j := range r.res[from].dependsOn {
		if j == to || r.reaches(j, to, seen) {
			return true
		}
	}
	return false
}

// declareTwice copies a key of one resource's configuration into
// another's of the same provider configuration, to see the plan refuse it.
func (r *simRun) declareTwice() string {
	for _, a := range r.res {
		for _, b := range r.res {
			if a != b && a.conf == b.conf && a.cfg != nil && b.cfg != nil {
				k := r.sample(a.cfg.Keys(), 1)[0]
				b.cfg[k] = a.cfg[k]
				return b.name + ":" + k
			}
		}
	}
	return ""
}

// undoConfig takes back a key declareTwice added.
func (r *simRun) undoConfig(twice string) {
	name, k, _ := strings.Cut(twice, ":")
	for _, res := range r.res {
		if res.name == name {
			delete(res.cfg, k)
			if len(res.cfg) == 0 {
				res.cfg = nil
			}
		}
	}
}

// freeKeys lists the keys of a configuration no resource's configuration declares.
func (r *simRun) freeKeys(conf int) []string {
	var free []string
	for _, k := range r.confs[conf].keys {
		if !slices.ContainsFunc(r.res, func(res *simRes) bool {
			_, ok := res.cfg[k]
			return res.conf == conf && ok
		}) {
			free = append(free, k)
		}
	}
	return free
}

func (r *simRun) sample(keys []string, n int) []string {
	keys = slices.Sorted(slices.Values(keys))
	r.rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return keys[:n]
}

func (r *simRun) pickTargets() map[int]bool {
	targets := map[int]bool{}
	for i, res := range r.res {
		if (res.cfg != nil || res.state != nil) && r.rng.IntN(2) == 0 {
			targets[i] = true
		}
	}
	return targets
}

func (r *simRun) describeConfig() string {
	var parts []string
	for _, res := range r.res {
		if res.cfg == nil {
			continue
		}
		s := fmt.Sprintf("%s%v", res.name, res.cfg)
		if res.onDestroy != "" {
			s += " on_destroy=" + res.onDestroy
		}
		for _, j := range res.dependsOn {
			s += " depends_on=" + r.res[j].name
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
