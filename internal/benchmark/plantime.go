package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// planTiming compares `terraform plan` of one notification_preferences
// resource with the same plan against the floor provider (and, for scale,
// Terraform's built-in terraform_data), all holding the same map.
type planTiming struct {
	keys                        int
	runs                        int
	notification, floor, tfData time.Duration // medians
	requestsPerPlan             float64
}

func (p planTiming) ratio() float64 { return float64(p.notification) / float64(p.floor) }

// measurePlan applies each configuration once, then times runs plans of
// each, alternating which goes first so that neither is favoured by
// whatever else the machine is doing.
func measurePlan(tf cli, work string, mock *mockapi.Server, url string, keys, runs int) planTiming {
	values := prefs.Document{}
	if keys <= 4 {
		for k := range mock.Document(prefs.V1) {
			values[k] = true
		}
	} else {
		bulk := prefs.Document{}
		for i := range keys {
			bulk[fmt.Sprintf("bulk.toggle_%05d", i)] = false
		}
		mock.Ship(prefs.V1, bulk)
		for k := range bulk {
			values[k] = true
		}
	}
	name := fmt.Sprintf("plan-%d", keys)
	dirs := []string{
		tf.workdir(work, name+"-notification", notificationConfig(prefs.V1, url, values)),
		tf.workdir(work, name+"-floor", required("floor")+resource("floor_preferences", "me", values)),
		tf.workdir(work, name+"-terraform_data", terraformData(values)),
	}
	for _, dir := range dirs {
		tf.must(dir, "apply", "-auto-approve", "-input=false", "-no-color")
		tf.must(dir, "plan", "-input=false", "-no-color") // warm the page cache
	}
	times := make([][]time.Duration, len(dirs))
	mock.ResetJournal()
	for i := range runs {
		for j := range dirs {
			k := (i + j) % len(dirs) // rotate who goes first
			times[k] = append(times[k], tf.must(dirs[k], "plan", "-input=false", "-no-color", "-lock=false"))
		}
	}
	return planTiming{
		keys: keys, runs: runs,
		notification: median(times[0]), floor: median(times[1]), tfData: median(times[2]),
		requestsPerPlan: float64(len(mock.Journal())) / float64(runs),
	}
}

func terraformData(values prefs.Document) string {
	s := "resource \"terraform_data\" \"me\" {\n  input = {\n"
	for _, k := range values.Keys() {
		s += fmt.Sprintf("    %q = %v\n", k, values[k])
	}
	return s + "  }\n}\n"
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func writeConfig(dir, config string) {
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		fail(err)
	}
}
