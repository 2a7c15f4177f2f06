package main

import (
	"fmt"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// phase is one Terraform command of a resource's life, and the requests
// the provider may make at the floor: what the operation cannot do without.
type phase struct {
	name, why string
	args      []string
	edit      bool // switch the configuration to the updated one first
	floor     map[prefs.Dialect]counts
}

type counts struct{ gets, writes int }

func (c counts) String() string { return fmt.Sprintf("%d GET + %d write", c.gets, c.writes) }

func same(c counts) map[prefs.Dialect]counts {
	return map[prefs.Dialect]counts{prefs.V1: c, prefs.VastAI: c}
}

// Plans are saved and applied as CI does, so each apply is counted apart
// from the plan before it.
var phases = []phase{
	{name: "create plan", args: []string{"plan", "-out=tfplan"}, floor: same(counts{1, 0}),
		why: "the key check reads the server's document once"},
	{name: "create apply", args: []string{"apply", "tfplan"}, floor: same(counts{1, 1}),
		why: "one read for the values to restore on destroy (and the PUT's base), one write"},
	{name: "no-op plan", args: []string{"plan", "-out=tfplan"}, floor: same(counts{1, 0}),
		why: "the refresh; the key check reuses it"},
	{name: "no-op apply", args: []string{"apply", "tfplan"}, floor: same(counts{0, 0}),
		why: "nothing to do"},
	{name: "update plan (one key)", args: []string{"plan", "-out=tfplan"}, edit: true, floor: same(counts{1, 0}),
		why: "the refresh"},
	{name: "update apply (one key)", args: []string{"apply", "tfplan"},
		floor: map[prefs.Dialect]counts{prefs.V1: {0, 1}, prefs.VastAI: {1, 1}},
		why:   "one PATCH; vastai must read the document its PUT replaces"},
	{name: "destroy plan", args: []string{"plan", "-destroy", "-out=tfplan"}, floor: same(counts{1, 0}),
		why: "the refresh"},
	{name: "destroy apply", args: []string{"apply", "tfplan"},
		floor: map[prefs.Dialect]counts{prefs.V1: {0, 1}, prefs.VastAI: {1, 1}},
		why:   "one write of the earlier values; vastai reads first"},
}

type roundTrip struct {
	phase    phase
	measured map[prefs.Dialect]counts
}

// measureRoundTrips takes one resource of each dialect through its life
// and counts, from the mock's journal, what each command sent.
func measureRoundTrips(tf cli, work string, mock *mockapi.Server, url string) []roundTrip {
	results := make([]roundTrip, len(phases))
	for i := range phases {
		results[i] = roundTrip{phase: phases[i], measured: map[prefs.Dialect]counts{}}
	}
	for _, d := range prefs.Dialects {
		keyA, keyB := "email.weekly_usage_digest", "email.product_updates"
		if d == prefs.VastAI {
			keyA, keyB = "client.low_credit.webhooks", "client.low_credit.email"
		}
		created := prefs.Document{keyA: true, keyB: true}
		updated := prefs.Document{keyA: true, keyB: false}
		dir := tf.workdir(work, "roundtrips-"+string(d), notificationConfig(d, url, created))
		for i, p := range phases {
			if p.edit {
				writeConfig(dir, notificationConfig(d, url, updated))
			}
			mock.ResetJournal()
			args := append([]string{p.args[0], "-input=false", "-no-color"}, p.args[1:]...)
			tf.must(dir, args...)
			results[i].measured[d] = counts{mock.Count("GET"), mock.Count("PATCH") + mock.Count("PUT")}
		}
	}
	return results
}

func (r roundTrip) met() bool {
	for d, c := range r.measured {
		if c.gets > r.phase.floor[d].gets || c.writes > r.phase.floor[d].writes {
			return false
		}
	}
	return true
}

// notificationConfig is one notification_preferences resource for the mock.
func notificationConfig(d prefs.Dialect, url string, values prefs.Document) string {
	provider := fmt.Sprintf("provider \"notification\" {\n  endpoint = %q\n  token    = %q\n}\n", url, mockapi.DemoSessionToken)
	if d == prefs.VastAI {
		provider = fmt.Sprintf("provider \"notification\" {\n  endpoint = %q\n  token    = %q\n  api      = \"vastai\"\n  user_id  = %d\n}\n",
			url, mockapi.DemoVastKey, mockapi.DemoVastUser)
	}
	return required("notification") + provider + resource("notification_preferences", values)
}

func required(name string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    %s = {\n      source = \"openprefs/%s\"\n    }\n  }\n}\n", name, name)
}

func resource(kind string, values prefs.Document) string {
	s := fmt.Sprintf("resource %q \"me\" {\n  preferences = {\n", kind)
	for _, k := range values.Keys() {
		s += fmt.Sprintf("    %q = %v\n", k, values[k])
	}
	return s + "  }\n}\n"
}
