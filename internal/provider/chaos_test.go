package provider

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// chaosFaults fail about 30% of requests, each kind a retryable failure a
// real API behind a proxy produces.
func chaosFaults() []mockapi.Fault {
	return []mockapi.Fault{
		{Rate: 0.07, Status: 503},
		{Rate: 0.07, Status: 429, RetryAfter: "1"},
		{Rate: 0.06, Status: 502, Body: mockapi.HTMLBadGateway},
		{Rate: 0.06, Latency: 600 * time.Millisecond}, // past request_timeout: never served
		{Rate: 0.06, DropAfterApply: true},            // applied, but the answer is lost
	}
}

// TestAccPreferencesResource_ChaosSoak runs apply cycles with random target
// values and out-of-band drift while the mock fails ~30% of requests. Every
// cycle must converge: the server holds the configuration, state holds
// what the server holds, and the next plan is empty. CHAOS_CYCLES sets the
// number of cycles (make test-chaos runs 100; CI a short run); CHAOS_SEED
// replays one.
func TestAccPreferencesResource_ChaosSoak(t *testing.T) {
	cycles, _ := strconv.Atoi(os.Getenv("CHAOS_CYCLES"))
	if cycles == 0 {
		t.Skip("set CHAOS_CYCLES to run the fault soak (make test-chaos)")
	}
	seed, err := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64)
	if err != nil {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("CHAOS_SEED=%d", seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay this run: make test-chaos CHAOS_CYCLES=%d CHAOS_SEED=%d", cycles, seed)
		}
	})
	for i, dc := range dialectCases {
		n := cycles / len(dialectCases)
		if i < cycles%len(dialectCases) {
			n++
		}
		t.Run(string(dc.dialect), func(t *testing.T) { chaosSoak(t, dc, n, seed) })
	}
}

func chaosSoak(t *testing.T, dc dialectCase, cycles int, seed uint64) {
	mock, url := startMock(t)
	mock.Seed(seed) // which requests fail, as well as what each cycle asks for
	rng := rand.New(rand.NewPCG(seed, uint64(len(dc.dialect))))
	keys := dc.dialect.Mutable(mock.Document(dc.dialect)).Keys()
	provider := dc.providerBlock(url, `request_timeout = "300ms"`, "max_retries = 10")

	var stats chaosStats
	t.Cleanup(func() {
		all := mock.Journal()
		faulted := 0
		for _, e := range all {
			if e.Fault != "" {
				faulted++
			}
		}
		t.Logf("%s: %d of %d cycles converged, %d of them with no fault on their first tries; %d requests, %d failed by injection (%.0f%%) and retried",
			dc.dialect, stats.converged, cycles, stats.clean, len(all), faulted, 100*float64(faulted)/float64(max(len(all), 1)))
	})
	// earlier is the model of what the resource remembers: for each key it
	// manages, the server's value just before it first managed it. A key
	// the next cycle drops must be back at that value.
	earlier := prefs.Document{}
	var previous prefs.Document
	steps := make([]resource.TestStep, 0, cycles)
	for c := range cycles {
		// A random non-empty subset of keys with random values: keys come
		// and go between cycles, which exercises restore on removal.
		target := prefs.Document{}
		for _, k := range keys {
			if rng.IntN(3) > 0 {
				target[k] = rng.IntN(2) == 0
			}
		}
		if len(target) == 0 {
			target[keys[0]] = rng.IntN(2) == 0
		}
		drift := prefs.Document{}
		for _, k := range keys {
			if rng.IntN(4) == 0 {
				drift[k] = rng.IntN(2) == 0
			}
		}
		var journalMark int
		released := prefs.Removed(previous, target)
		previous = target
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				mock.Set(dc.dialect, drift) // someone else changes things between runs
				journalMark = len(mock.Journal())
				server := mock.Document(dc.dialect)
				for k := range target {
					if _, managed := earlier[k]; !managed {
						earlier[k] = server[k]
					}
				}
			},
			Config: provider + resourceBlock(prefsBody(target, "")),
			Check: func(s *terraform.State) error {
				if err := convergedCheck(s, mock, dc.dialect, target); err != nil {
					return fmt.Errorf("cycle %d: %w", c+1, err)
				}
				server := mock.Document(dc.dialect)
				for _, k := range released {
					if server[k] != earlier[k] {
						return fmt.Errorf("cycle %d: released %s is %v, want its earlier value %v", c+1, k, server[k], earlier[k])
					}
					delete(earlier, k)
				}
				stats.record(mock.Journal()[journalMark:])
				return nil
			},
		})
	}
	for _, f := range chaosFaults() {
		mock.Inject(f)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: chaosProviderFactories,
		Steps:                    steps,
	})
}

// chaosProviderFactories serve a provider with short retry waits, up to
// the one second a Retry-After asks for.
var chaosProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"notification": providerserver.NewProtocol6WithError(&notificationProvider{
		version: "test", retryWaitMin: 10 * time.Millisecond, retryWaitMax: time.Second,
	}),
}

// chaosStats counts the cycles whose every check passed; a cycle that
// fails ends the soak, and the log then says how far it got.
type chaosStats struct{ converged, clean int }

func (s *chaosStats) record(cycle []mockapi.Entry) {
	s.converged++
	for _, e := range cycle {
		if e.Fault != "" {
			return
		}
	}
	s.clean++
}

// convergedCheck: the server holds the target, and state claims exactly
// what the server holds for exactly the target's keys.
func convergedCheck(s *terraform.State, mock *mockapi.Server, d prefs.Dialect, target prefs.Document) error {
	server := mock.Document(d)
	attrs := s.RootModule().Resources[resourceName].Primary.Attributes
	if n := attrs["preferences.%"]; n != strconv.Itoa(len(target)) {
		return fmt.Errorf("state manages %s keys, want %d", n, len(target))
	}
	for k, want := range target {
		if server[k] != want {
			return fmt.Errorf("server has %s = %v, want %v", k, server[k], want)
		}
		if got := attrs["preferences."+k]; got != strconv.FormatBool(server[k]) {
			return fmt.Errorf("state claims %s = %s, server holds %v", k, got, server[k])
		}
	}
	return nil
}
