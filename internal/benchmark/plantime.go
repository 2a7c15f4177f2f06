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

// planTiming compares `terraform plan` of notification_preferences
// resources with the same plan against the floor provider (and, for scale,
// Terraform's built-in terraform_data), all holding the same maps.
type planTiming struct {
	resources                   int
	keys                        int // per resource
	runs                        int
	notification, floor, tfData time.Duration // medians
	requestsPerPlan             float64
	// The same two plans with the SDK's loggers switched off for both
	// providers: what is left once no log line is written.
	quietNotification, quietFloor time.Duration
}

func (p planTiming) ratio() float64 { return float64(p.notification) / float64(p.floor) }

func (p planTiming) quietRatio() float64 {
	return float64(p.quietNotification) / float64(p.quietFloor)
}

// sdkLogsOff switches a framework provider's loggers off.
var sdkLogsOff = []string{"TF_LOG_SDK=off", "TF_LOG_SDK_PROTO=off", "TF_LOG_SDK_FRAMEWORK=off"}

// measurePlan applies each configuration of resources resources holding
// keys keys each (distinct keys: one owner per key), then times runs plans
// of each, alternating which goes first so that neither is favoured by
// whatever else the machine is doing.
func measurePlan(tf cli, work string, mock *mockapi.Server, url string, resources, keys, runs int) planTiming {
	values := make([]prefs.Document, resources)
	if resources == 1 && keys <= 4 {
		values[0] = prefs.Document{}
		for k := range mock.Document(prefs.V1) {
			values[0][k] = true
		}
	} else {
		bulk := prefs.Document{}
		for r := range resources {
			values[r] = prefs.Document{}
			for i := range keys {
				k := fmt.Sprintf("bulk%d.toggle_%05d", resources, r*keys+i)
				bulk[k] = false
				values[r][k] = true
			}
		}
		mock.Ship(prefs.V1, bulk)
	}
	name := fmt.Sprintf("plan-%dx%d", resources, keys)
	floor, tfData := required("floor"), ""
	for r, v := range values {
		floor += resource("floor_preferences", fmt.Sprintf("me_%d", r), v)
		tfData += terraformData(fmt.Sprintf("me_%d", r), v)
	}
	dirs := []string{
		tf.workdir(work, name+"-notification", notificationConfig(prefs.V1, url, values...)),
		tf.workdir(work, name+"-floor", floor),
		tf.workdir(work, name+"-terraform_data", tfData),
	}
	for _, dir := range dirs {
		tf.must(dir, "apply", "-auto-approve", "-input=false", "-no-color")
		tf.must(dir, "plan", "-input=false", "-no-color") // warm the page cache
	}
	mock.ResetJournal()
	times := timePlans(tf, dirs, runs)
	requests := float64(len(mock.Journal())) / float64(runs)
	quiet := timePlans(tf.with(sdkLogsOff...), dirs[:2], runs)
	return planTiming{
		resources: resources, keys: keys, runs: runs,
		notification: times[0], floor: times[1], tfData: times[2],
		requestsPerPlan:   requests,
		quietNotification: quiet[0], quietFloor: quiet[1],
	}
}

// timePlans returns the median time of runs plans in each of dirs,
// rotating which goes first so that none is favoured by whatever else the
// machine is doing.
func timePlans(tf cli, dirs []string, runs int) []time.Duration {
	times := make([][]time.Duration, len(dirs))
	for i := range runs {
		for j := range dirs {
			k := (i + j) % len(dirs)
			times[k] = append(times[k], tf.must(dirs[k], "plan", "-input=false", "-no-color", "-lock=false"))
		}
	}
	medians := make([]time.Duration, len(dirs))
	for k, ts := range times {
		medians[k] = median(ts)
	}
	return medians
}

func terraformData(name string, values prefs.Document) string {
	s := fmt.Sprintf("resource \"terraform_data\" %q {\n  input = {\n", name)
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
