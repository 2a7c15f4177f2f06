package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// A key moved from resource a to a new resource b, with the value a gave
// it, in every order Terraform may apply the two: a first (b depends on
// a), b first (a depends on b), and nothing ordering them, with the API
// answering at once and after 40 ms, so that the writes overlap in every
// way they can. After the apply the server holds what state says and the
// next plan is empty. With a applied first, destroying everything puts
// back the values from before Terraform; in the other orders b may
// remember a's value instead (a warning says so), and destroy leaves
// every key at a value one of the resources remembers.
func TestAccPreferencesResource_KeyMoveInEveryOrder(t *testing.T) {
	orders := []struct{ name, aExtra, bExtra string }{
		{name: "letting_go_first", bExtra: "  depends_on = [notification_preferences.a]\n"},
		{name: "taker_first", aExtra: "  depends_on = [notification_preferences.b]\n"},
		{name: "unordered"},
	}
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		for _, order := range orders {
			for _, latency := range []time.Duration{0, 40 * time.Millisecond} {
				t.Run(fmt.Sprintf("%s/%v", order.name, latency), func(t *testing.T) {
					t.Parallel()
					mock, url := startMock(t)
					if latency > 0 {
						mock.Inject(mockapi.Fault{Latency: latency, Rate: 1})
					}
					keyC := dc.unmanagedKey
					before := mock.Document(dc.dialect)
					earlier, _ := prefs.Select(before, []string{dc.keyA, dc.keyB, keyC})
					first := dc.providerBlock(url) + resourceBlockNamed("a", prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB})
					moved := dc.providerBlock(url) +
						resourceBlockWith("a", prefs.Document{dc.keyA: !dc.defaultA}, order.aExtra) +
						resourceBlockWith("b", prefs.Document{dc.keyB: !dc.defaultB, keyC: !before[keyC]}, order.bExtra)
					destroyed := expectServerAtOneOf(mock, dc.dialect, earlier, prefs.Document{dc.keyB: !dc.defaultB})
					if order.name == "letting_go_first" {
						destroyed = expectServer(mock, dc.dialect, earlier)
					}
					moveKey(t, first, moved, expectServer(mock, dc.dialect, prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: !dc.defaultB, keyC: !before[keyC]}), destroyed)
				})
			}
		}
	})
}

// moveKey applies first, then moved, which moves a key between resources:
// after the move the server is as moved checks and the next plan is empty;
// after destroy, the server is as destroyed checks.
func moveKey(t *testing.T, first, moved string, movedCheck, destroyed resource.TestCheckFunc) {
	t.Helper()
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: first},
			{
				Config: moved,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: movedCheck,
			},
		},
		CheckDestroy: destroyed,
	})
}

// resourceBlockWith declares a notification_preferences resource with
// extra lines (depends_on, say).
func resourceBlockWith(name string, values prefs.Document, extra string) string {
	return fmt.Sprintf(`
resource "notification_preferences" %[1]q {
%[2]s}
`, name, prefsBody(values, extra))
}

// expectServerAtOneOf checks that each key of earlier holds its value
// there or, for a key of alternative, the value there.
func expectServerAtOneOf(mock *mockapi.Server, d prefs.Dialect, earlier, alternative prefs.Document) resource.TestCheckFunc {
	return func(*terraform.State) error {
		doc := mock.Document(d)
		for k, v := range earlier {
			if alt, ok := alternative[k]; doc[k] != v && (!ok || doc[k] != alt) {
				return fmt.Errorf("server has %s = %v, want %v (or %v)", k, doc[k], v, alternative[k])
			}
		}
		return nil
	}
}

// Finding 1 of issue 29, through the CLI: a key moves from a to b; b's
// write lands (b is applied first) and a's fails. a's state must not keep
// the key, or the next apply, in which b has nothing to change and so is
// not applied, lets a write the key's earlier value over b's. Applied
// again, the next plan is empty, and destroy puts back every value from
// before Terraform.
func TestAccPreferencesResource_FailedMoveThenApplyAgain(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock, url := startMock(t)
		keyC := dc.unmanagedKey
		before := mock.Document(dc.dialect)
		earlier, _ := prefs.Select(before, []string{dc.keyA, dc.keyB, keyC})
		// a manages keyB at the value it had before Terraform, so that b,
		// finding that value when it takes the key over, remembers it.
		first := dc.providerBlock(url) + resourceBlockNamed("a", prefs.Document{dc.keyA: !dc.defaultA, dc.keyB: dc.defaultB})
		moved := dc.providerBlock(url) +
			resourceBlockWith("a", prefs.Document{dc.keyA: dc.defaultA}, "  depends_on = [notification_preferences.b]\n") +
			resourceBlockNamed("b", prefs.Document{dc.keyB: !dc.defaultB, keyC: !before[keyC]})
		cliTest(t, resource.TestCase{
			Steps: []resource.TestStep{
				{Config: first},
				{
					// b's write lands first; a's, the second, fails.
					PreConfig:   func() { mock.Inject(mockapi.Fault{Method: dc.write, Status: 500, Nth: 2}) },
					Config:      moved,
					ExpectError: expectAll(`Could not write notification preferences`, `HTTP 500`),
				},
				{
					Config: moved,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("notification_preferences.b", plancheck.ResourceActionNoop)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: expectServer(mock, dc.dialect, prefs.Document{dc.keyA: dc.defaultA, dc.keyB: !dc.defaultB, keyC: !before[keyC]}),
				},
			},
			CheckDestroy: expectServer(mock, dc.dialect, earlier),
		})
	})
}
