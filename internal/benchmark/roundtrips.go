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
	{name: "update apply (one key)", args: []string{"apply", "tfplan"}, floor: same(counts{1, 1}),
		why: "one read the write is decided on (a saved plan may be applied long after its refresh; vastai's PUT replaces the document), one write"},
	{name: "destroy plan", args: []string{"plan", "-destroy", "-out=tfplan"}, floor: same(counts{1, 0}),
		why: "the refresh"},
	{name: "destroy apply", args: []string{"apply", "tfplan"}, floor: same(counts{1, 1}),
		why: "one read, so that only earlier values the server does not hold are written, and one write of them"},
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
			results[i].measured[d] = journalCounts(mock)
		}
	}
	return results
}

// moments are measured apart from a resource's life: each sets up its own
// working directory, then counts what one command sends.
var moments = []phase{
	{name: "plan, 5 resources of one configuration", floor: same(counts{1, 0}),
		why: "every refresh of the walk shares one read"},
	{name: "apply of a saved plan after a declared key changed on the server", floor: same(counts{1, 1}),
		why: "the apply's read shows the key off plan, so its one write puts it back (a change landing after that read costs v1 one more PATCH; a vastai PUT carries every declared value)"},
}

// measureMoments counts the requests of the moments, for each dialect.
func measureMoments(tf cli, work string, mock *mockapi.Server, url string) []roundTrip {
	mock.Ship(prefs.V1, mockapi.InAppChannel) // v1 has too few keys for five resources
	keys := map[prefs.Dialect][]string{
		prefs.V1:     {"email.weekly_usage_digest", "email.product_updates", "email.delivery_alerts", "in_app.product_updates", "in_app.delivery_alerts"},
		prefs.VastAI: {"client.low_credit.webhooks", "client.instance_stopped.webhooks", "host.machine_offline.webhooks", "host.payout_sent.email", "host.payout_sent.webhooks"},
	}
	results := []roundTrip{{phase: moments[0], measured: map[prefs.Dialect]counts{}}, {phase: moments[1], measured: map[prefs.Dialect]counts{}}}
	for _, d := range prefs.Dialects {
		k := keys[d]
		var five []prefs.Document
		for _, key := range k {
			five = append(five, prefs.Document{key: false})
		}
		dir := tf.workdir(work, "moments-five-"+string(d), notificationConfig(d, url, five...))
		tf.must(dir, "apply", "-input=false", "-no-color", "-auto-approve")
		mock.ResetJournal()
		tf.must(dir, "plan", "-input=false", "-no-color")
		results[0].measured[d] = journalCounts(mock)
		tf.must(dir, "destroy", "-input=false", "-no-color", "-auto-approve")

		both := prefs.Document{k[0]: true, k[1]: true}
		dir = tf.workdir(work, "moments-drift-"+string(d), notificationConfig(d, url, both))
		tf.must(dir, "apply", "-input=false", "-no-color", "-auto-approve")
		mock.Set(d, prefs.Document{k[1]: false}) // makes the plan an update
		tf.must(dir, "plan", "-input=false", "-no-color", "-out=tfplan")
		mock.Set(d, prefs.Document{k[0]: false}) // lands after the plan
		mock.ResetJournal()
		tf.must(dir, "apply", "-input=false", "-no-color", "tfplan")
		results[1].measured[d] = journalCounts(mock)
		tf.must(dir, "destroy", "-input=false", "-no-color", "-auto-approve")
	}
	return results
}

func journalCounts(mock *mockapi.Server) counts {
	return counts{mock.Count("GET"), mock.Count("PATCH") + mock.Count("PUT")}
}

func (r roundTrip) met() bool {
	for d, c := range r.measured {
		if c.gets > r.phase.floor[d].gets || c.writes > r.phase.floor[d].writes {
			return false
		}
	}
	return true
}

// notificationConfig is a notification_preferences resource for the mock
// for each set of values.
func notificationConfig(d prefs.Dialect, url string, values ...prefs.Document) string {
	provider := fmt.Sprintf("provider \"notification\" {\n  endpoint = %q\n  token    = %q\n}\n", url, mockapi.DemoSessionToken)
	if d == prefs.VastAI {
		provider = fmt.Sprintf("provider \"notification\" {\n  endpoint = %q\n  token    = %q\n  api      = \"vastai\"\n  user_id  = %d\n}\n",
			url, mockapi.DemoVastKey, mockapi.DemoVastUser)
	}
	config := required("notification") + provider
	for i, v := range values {
		name := "me"
		if i > 0 {
			name = fmt.Sprintf("me_%d", i)
		}
		config += resource("notification_preferences", name, v)
	}
	return config
}

func required(name string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    %s = {\n      source = \"openprefs/%s\"\n    }\n  }\n}\n", name, name)
}

func resource(kind, name string, values prefs.Document) string {
	s := fmt.Sprintf("resource %q %q {\n  preferences = {\n", kind, name)
	for _, k := range values.Keys() {
		s += fmt.Sprintf("    %q = %v\n", k, values[k])
	}
	return s + "  }\n}\n"
}
