package main

import (
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// applyTiming compares creating, then destroying, resources resources of
// one key each in one provider configuration with the same against the
// floor provider, against a mock that answers every request after latency,
// with Terraform applying parallelism resources at a time.
type applyTiming struct {
	dialect                     prefs.Dialect
	resources                   int
	latency                     time.Duration
	parallelism                 int
	runs                        int
	create, destroy             time.Duration // medians
	floorCreate, floorDestroy   time.Duration
	createWrites, destroyWrites int // write requests, the most of any run
}

func (a applyTiming) createRatio() float64  { return float64(a.create) / float64(a.floorCreate) }
func (a applyTiming) destroyRatio() float64 { return float64(a.destroy) / float64(a.floorDestroy) }

// per100 is write requests per 100 resources written.
func (a applyTiming) per100(writes int) float64 { return 100 * float64(writes) / float64(a.resources) }

// measureApply creates and destroys the resources runs times for each
// provider, alternating which goes first, on a mock of its own.
func measureApply(tf cli, work string, d prefs.Dialect, resources int, latency time.Duration, parallelism, runs int) applyTiming {
	mock := mockapi.New()
	srv := httptest.NewServer(mock)
	defer srv.Close()
	if latency > 0 {
		mock.Inject(mockapi.Fault{Rate: 1, Latency: latency})
	}
	values := make([]prefs.Document, resources)
	bulk := prefs.Document{}
	for r := range resources {
		k := fmt.Sprintf("bulk.toggle_%05d", r)
		if d == prefs.VastAI {
			k = fmt.Sprintf("bulk.toggle_%05d.email", r)
		}
		bulk[k] = false
		values[r] = prefs.Document{k: true}
	}
	mock.Ship(d, bulk)
	floor := required("floor")
	for r, v := range values {
		floor += resource("floor_preferences", fmt.Sprintf("me_%d", r), v)
	}
	name := fmt.Sprintf("apply-%s-%d-%s-%d", d, resources, latency, parallelism)
	dirs := []string{
		tf.workdir(work, name+"-notification", notificationConfig(d, srv.URL, values...)),
		tf.workdir(work, name+"-floor", floor),
	}
	a := applyTiming{dialect: d, resources: resources, latency: latency, parallelism: parallelism, runs: runs}
	flags := []string{"-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", parallelism)}
	var creates, destroys [2][]time.Duration
	for i := range runs {
		for j := range dirs {
			k := (i + j) % len(dirs)
			mock.ResetJournal()
			creates[k] = append(creates[k], tf.must(dirs[k], append([]string{"apply"}, flags...)...))
			if k == 0 {
				a.createWrites = max(a.createWrites, writes(mock))
				mock.ResetJournal()
			}
			destroys[k] = append(destroys[k], tf.must(dirs[k], append([]string{"destroy"}, flags...)...))
			if k == 0 {
				a.destroyWrites = max(a.destroyWrites, writes(mock))
			}
		}
	}
	a.create, a.floorCreate = median(creates[0]), median(creates[1])
	a.destroy, a.floorDestroy = median(destroys[0]), median(destroys[1])
	return a
}

func writes(mock *mockapi.Server) int {
	return mock.Count("PATCH") + mock.Count("PUT")
}

// The mock's answer times measured: at once, and as an API nearby answers;
// and for the largest size, as an API far away answers, where batching
// shows.
var (
	applyLatencies = []time.Duration{0, 25 * time.Millisecond}
	farLatency     = 100 * time.Millisecond
)

// defaultParallelism is Terraform's -parallelism when none is given;
// wideParallelism is the one row measured with more.
const (
	defaultParallelism = 10
	wideParallelism    = 30
)

// measureApplies measures every size, dialect and latency; then, for the
// largest size, both dialects far away, and v1 far away with more
// resources applied at a time.
func measureApplies(tf cli, work string, sizes []int, runs int) []applyTiming {
	type setting struct {
		d           prefs.Dialect
		n           int
		latency     time.Duration
		parallelism int
	}
	var settings []setting
	for _, n := range sizes {
		for _, d := range prefs.Dialects {
			for _, latency := range applyLatencies {
				settings = append(settings, setting{d, n, latency, defaultParallelism})
			}
		}
	}
	largest := sizes[len(sizes)-1]
	for _, d := range prefs.Dialects {
		settings = append(settings, setting{d, largest, farLatency, defaultParallelism})
	}
	settings = append(settings, setting{prefs.V1, largest, farLatency, wideParallelism})
	var out []applyTiming
	for _, s := range settings {
		step(fmt.Sprintf("create and destroy %d resources, %s, answers after %s, parallelism %d", s.n, s.d, s.latency, s.parallelism))
		out = append(out, measureApply(tf, work, s.d, s.n, s.latency, s.parallelism, runs))
	}
	return out
}

// row is the report's table row.
func (a applyTiming) row() string {
	return fmt.Sprintf("| %d | %s | %s | %d | %s | %s | %.3f | %d (%.0f) | %s | %s | %.3f | %d (%.0f) |",
		a.resources, a.dialect, a.latency, a.parallelism, secs(a.create), secs(a.floorCreate), a.createRatio(), a.createWrites, a.per100(a.createWrites),
		secs(a.destroy), secs(a.floorDestroy), a.destroyRatio(), a.destroyWrites, a.per100(a.destroyWrites))
}
