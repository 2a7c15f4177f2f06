package provider

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The walk simulator's model of Terraform makes, for a few scenarios, the
// provider calls the real CLI makes: create two resources; change one;
// move a key from one to the other with depends_on; destroy. The CLI's
// calls are recorded by wrapping the provider server it is given; each
// ConfigureProvider starts a walk. For each step the plan walk that the
// apply follows and the apply walk must hold the same calls per resource,
// in the same order (UpgradeResourceState and the validation calls, which
// the model leaves out, are not compared).
func TestWalkSimulatorFidelity(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		third := dc.unmanagedKey
		steps := []struct {
			name string
			a, b prefs.Document
			dep  bool
		}{
			{"create two resources", prefs.Document{dc.keyA: !dc.defaultA, third: false}, prefs.Document{dc.keyB: !dc.defaultB}, false},
			{"change one", prefs.Document{dc.keyA: dc.defaultA, third: false}, prefs.Document{dc.keyB: !dc.defaultB}, false},
			{"move a key with depends_on", prefs.Document{dc.keyA: dc.defaultA}, prefs.Document{dc.keyB: !dc.defaultB, third: true}, true},
			{"destroy", nil, nil, true},
		}
		markers := map[string]string{dc.keyA: "a", dc.keyB: "b"}

		// The CLI.
		mock, url := startMock(t)
		_ = mock
		log := &rpcLog{markers: markers}
		var tc resource.TestCase
		var cliSteps []int // the walk count when each step begins
		for i, s := range steps {
			cfg := dc.providerBlock(url) + resourceBlockNamed("a", orLast(steps[:i+1], true)) + bBlock(orLast(steps[:i+1], false), s.dep || (s.a == nil && steps[i-1].dep))
			tc.Steps = append(tc.Steps, resource.TestStep{
				PreConfig: func() { cliSteps = append(cliSteps, log.count()) },
				Config:    cfg,
				Destroy:   s.a == nil,
			})
		}
		tc.PreCheck = func() { testAccPreCheck(t) }
		tc.ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
			"notification": func() (tfprotov6.ProviderServer, error) {
				return rpcRecorder{ProviderServer: providerserver.NewProtocol6(New("test")())(), log: log}, nil
			},
		}
		resource.UnitTest(t, tc)
		if t.Failed() {
			return
		}
		cliSteps = append(cliSteps, log.count())

		// The model, on a mock of its own.
		r := newFidelityRun(t, dc)
		for i, s := range steps {
			r.walks = nil
			if s.a == nil {
				refresh := r.planWalk("terraform destroy: refresh", nil, false)
				r.applyWalk(r.destroyPlanWalk(refresh), nil)
			} else {
				r.res[0].cfg, r.res[1].cfg = s.a.Clone(), s.b.Clone()
				r.res[1].dependsOn = nil
				if s.dep {
					r.res[1].dependsOn = []int{0}
				}
				r.applyWalk(r.planWalk("plan", nil, false), nil)
			}
			if r.violation != "" {
				t.Fatalf("%s: the model's run failed: %s\n%s", s.name, r.violation, r.trace.String())
			}
			cli := log.walks[cliSteps[i]:cliSteps[i+1]]
			applyAt := slices.IndexFunc(cli, func(w []string) bool { return slices.ContainsFunc(w, isApply) })
			if applyAt < 0 {
				t.Fatalf("%s: the CLI made no apply walk: %q", s.name, cli)
			}
			want := slices.Clone(cli[:applyAt+1])
			// The walks that lead to the apply: for terraform destroy, its
			// refresh walk and destroy plan walk; otherwise the saved plan's.
			first := applyAt - 1
			if s.a == nil {
				first = applyAt - 2
			}
			want = want[first:]
			got := r.walks
			t.Logf("%s: the CLI's walks %q; the model's %q", s.name, want, got)
			if len(got) != len(want) {
				t.Errorf("%s: the model makes %d walks %q, the CLI %d %q", s.name, len(got), got, len(want), want)
				continue
			}
			for w := range want {
				for _, res := range []string{"a", "b"} {
					if g, c := perResource(got[w], res), perResource(want[w], res); !slices.Equal(g, c) {
						t.Errorf("%s, walk %d, resource %s: the model calls %q, the CLI %q", s.name, w+1, res, g, c)
					}
				}
			}
			if s.dep && s.a != nil {
				// b depends on a: the whole apply walk's order is fixed.
				if g, c := got[len(got)-1], want[len(want)-1]; !slices.Equal(g, c) {
					t.Errorf("%s: the model's apply walk calls %q, the CLI's %q", s.name, g, c)
				}
			}
		}
	})
}

// orLast returns the configuration of a (or b) as of the last step that
// declares one.
func orLast(steps []struct {
	name string
	a, b prefs.Document
	dep  bool
}, a bool) prefs.Document {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].a != nil {
			if a {
				return steps[i].a
			}
			return steps[i].b
		}
	}
	return nil
}

// bBlock declares resource b, depending on a when dep is set.
func bBlock(values prefs.Document, dep bool) string {
	body := prefsBody(values, "")
	if dep {
		body += "  depends_on = [notification_preferences.a]\n"
	}
	return fmt.Sprintf("\nresource \"notification_preferences\" \"b\" {\n%s}\n", body)
}

func isApply(call string) bool { return strings.HasPrefix(call, "ApplyResourceChange") }

func perResource(walk []string, res string) []string {
	var out []string
	for _, c := range walk {
		if strings.HasSuffix(c, " "+res) {
			out = append(out, c)
		}
	}
	return out
}

// newFidelityRun is a simulator run without faults, other clients or
// interrupts, over resources a and b of dc's demo document, recording its
// provider calls, one apply at a time as the CLI's default order allows.
func newFidelityRun(t *testing.T, dc dialectCase) *simRun {
	mock := mockapi.New()
	r := &simRun{t: t, seed: 1, rng: rand.New(rand.NewPCG(1, 1)), mock: mock, faultsOff: true, recording: true, parallelism: 10}
	r.gate = newSimGate(r, mock)
	srv := httptest.NewServer(r.gate)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	c := &simConf{dialect: dc.dialect, token: dc.token}
	if dc.dialect == prefs.VastAI {
		c.userID = mockapi.DemoVastUser
	}
	c.defaults = mock.UserDocument(c.token)
	c.keys = c.dialect.Mutable(c.defaults).Keys()
	r.confs = []*simConf{c}
	r.truth = []map[string][]bool{{}}
	r.excused = []map[string]string{{}}
	r.namedValue, r.movedValue = []map[string]bool{{}}, []map[string]bool{{}}
	r.tags = map[string]bool{}
	r.res = []*simRes{{name: "a"}, {name: "b"}}
	return r
}

// rpcRecorder records the resource calls the CLI makes.
type rpcRecorder struct {
	tfprotov6.ProviderServer
	log *rpcLog
}

type rpcLog struct {
	mu      sync.Mutex
	markers map[string]string // a key each resource always declares → its name
	walks   [][]string
}

func (l *rpcLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.walks)
}

func (l *rpcLog) add(call string, values ...*tfprotov6.DynamicValue) {
	name := "?"
	for _, v := range values {
		if d := decodeSim(v); !d.null {
			for k := range d.prefs {
				if n, ok := l.markers[k]; ok {
					name = n
				}
			}
			break
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.walks) == 0 {
		l.walks = append(l.walks, nil)
	}
	l.walks[len(l.walks)-1] = append(l.walks[len(l.walks)-1], call+" "+name)
}

func (s rpcRecorder) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	s.log.mu.Lock()
	s.log.walks = append(s.log.walks, nil)
	s.log.mu.Unlock()
	return s.ProviderServer.ConfigureProvider(ctx, req)
}

func (s rpcRecorder) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	s.log.add("ReadResource", req.CurrentState)
	return s.ProviderServer.ReadResource(ctx, req)
}

func (s rpcRecorder) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	s.log.add("PlanResourceChange", req.Config, req.PriorState)
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

func (s rpcRecorder) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	s.log.add("ApplyResourceChange", req.Config, req.PriorState)
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}
