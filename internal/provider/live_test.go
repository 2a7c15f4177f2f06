package provider

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The acceptance tests that need nothing but a real API: they rely only on
// what the API documents promise, and assume nothing of the mock's
// catalogue, reading the account's document and using keys found there.
// The provider is configured by its environment, as in CI. make
// testacc-live runs them (see live_account_test.go); every other run skips
// them.

// liveKeys returns the account's document and n of its keys users may
// change, skipping the test outside a live run.
func liveKeys(t *testing.T, n int) (prefs.Document, []string) {
	t.Helper()
	if live == nil {
		t.Skip("a live test: make testacc-live runs it against the account the provider's environment names")
	}
	doc, err := live.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	keys := live.Dialect().Mutable(doc).Keys()
	if len(keys) < n {
		t.Skipf("the account has %d keys users may change; this test needs %d", len(keys), n)
	}
	return doc, keys[:n]
}

// liveConfig declares resources named a, b, … with the given values; the
// provider block is empty: the environment configures it.
func liveConfig(values ...prefs.Document) string {
	config := "provider \"notification\" {}\n"
	for i, v := range values {
		config += resourceBlockNamed(string(rune('a'+i)), v)
	}
	return config
}

// onServer checks the account's values.
func onServer(want prefs.Document) resource.TestCheckFunc {
	return func(*terraform.State) error {
		doc, err := live.Read(context.Background())
		if err != nil {
			return err
		}
		for k, v := range want {
			if got, ok := doc[k]; !ok || got != v {
				return fmt.Errorf("the account has %s = %v (present %v), want %v", k, got, ok, v)
			}
		}
		return nil
	}
}

// setOnServer changes values as another client of the API would.
func setOnServer(t *testing.T, values prefs.Document) {
	t.Helper()
	if _, err := live.Apply(context.Background(), values, values, nil); err != nil {
		t.Fatal(err)
	}
}

// flipped returns the keys of doc with the other value.
func flipped(doc prefs.Document, keys ...string) prefs.Document {
	out := prefs.Document{}
	for _, k := range keys {
		out[k] = !doc[k]
	}
	return out
}

// Create, drift back to the configuration, update, a key removed and
// restored, and destroy restoring the earlier values.
func TestLive_Lifecycle(t *testing.T) {
	doc, keys := liveKeys(t, 2)
	k1, k2 := keys[0], keys[1]
	one, both := flipped(doc, k1), flipped(doc, k1, k2)
	cliTest(t, resource.TestCase{
		CheckDestroy: onServer(prefs.Document{k1: doc[k1], k2: doc[k2]}),
		Steps: []resource.TestStep{
			{Config: liveConfig(one), Check: onServer(one)},
			{
				PreConfig: func() { setOnServer(t, prefs.Document{k1: doc[k1]}) },
				Config:    liveConfig(one),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("notification_preferences.a", plancheck.ResourceActionUpdate),
				}},
				Check: onServer(one),
			},
			{Config: liveConfig(both), Check: onServer(both)},
			{Config: liveConfig(one), Check: onServer(prefs.Document{k1: !doc[k1], k2: doc[k2]})},
		},
	})
}

// Import by id, and an import block with -generate-config-out, adopt every
// key users may change and plan clean; nothing is written.
func TestLive_Import(t *testing.T) {
	doc, _ := liveKeys(t, 1)
	all := live.Dialect().Mutable(doc)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:             liveConfig(all),
				ResourceName:       "notification_preferences.a",
				ImportState:        true,
				ImportStateId:      live.ID(),
				ImportStatePersist: true,
			},
			{Config: liveConfig(all), PlanOnly: true},
		},
		CheckDestroy: onServer(all),
	})
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:          "provider \"notification\" {}\n",
			ResourceName:    "notification_preferences.a",
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateId:   live.ID(),
			GenerateConfig:  true,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("notification_preferences.a", plancheck.ResourceActionNoop),
			}},
		}},
	})
}

// The data source reads the whole document.
func TestLive_DataSource(t *testing.T) {
	doc, _ := liveKeys(t, 1)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:            "provider \"notification\" {}\ndata \"notification_preferences\" \"current\" {}\n",
			ConfigStateChecks: []statecheck.StateCheck{expectID(dataSourceName, live.ID()), expectPreferences(dataSourceName, doc)},
		}},
	})
}

// A key the server does not know, and for v1 the key the API documents as
// immutable, fail the plan at the key, and nothing is written.
func TestLive_PlanErrors(t *testing.T) {
	doc, keys := liveKeys(t, 1)
	unknown := keys[0] + "_not_a_key"
	steps := []resource.TestStep{{
		Config: "provider \"notification\" {}\n" + resourceBlock(oneKey(unknown, "true")), PlanOnly: true,
		ExpectError: expectAll(`Unknown Notification Key`, pointsAt(unknown)),
	}}
	if live.Dialect() == prefs.V1 {
		steps = append(steps, resource.TestStep{
			Config: "provider \"notification\" {}\n" + resourceBlock(oneKey("email.security_alerts", "false")), PlanOnly: true,
			ExpectError: expectAll(`Notification Key Cannot Be Changed`, pointsAt("email.security_alerts")),
		})
	}
	cliTest(t, resource.TestCase{Steps: steps})
	if after, err := live.Read(context.Background()); err != nil || !maps.Equal(after, doc) {
		t.Fatalf("a refused plan changed the account: %v (%v)", after, err)
	}
}

// Several resources of one provider configuration in one apply: each key
// lands, and destroying them restores each.
func TestLive_SeveralResources(t *testing.T) {
	doc, keys := liveKeys(t, 3)
	values := make([]prefs.Document, len(keys))
	for i, k := range keys {
		values[i] = flipped(doc, k)
	}
	earlier, _ := prefs.Select(doc, keys)
	cliTest(t, resource.TestCase{
		CheckDestroy: onServer(earlier),
		Steps: []resource.TestStep{{
			Config: liveConfig(values...),
			Check:  onServer(flipped(doc, keys...)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// A saved plan applied after another client changed a declared key still
// leaves the planned values on the server, and state equals the plan.
func TestLive_SavedPlanAfterAnotherClient(t *testing.T) {
	doc, keys := liveKeys(t, 2)
	want := flipped(doc, keys...)
	cliTest(t, resource.TestCase{
		CheckDestroy: onServer(prefs.Document{keys[0]: doc[keys[0]], keys[1]: doc[keys[1]]}),
		Steps: []resource.TestStep{
			{Config: liveConfig(flipped(doc, keys[0]))},
			{
				Config: liveConfig(want),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{changeOnServer{t: t, values: prefs.Document{keys[0]: doc[keys[0]]}}},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: onServer(want),
			},
		},
	})
}

// changeOnServer is a plan check that changes values on the server
// between the plan and its apply.
type changeOnServer struct {
	t      *testing.T
	values prefs.Document
}

func (c changeOnServer) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	setOnServer(c.t, c.values)
}
