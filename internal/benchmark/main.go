// Command benchmark is `make bench`: it measures the provider's round trips
// and the time it adds to `terraform plan`, runs the Go benchmarks of the
// 10,000-key path, and writes the figures to BENCHMARKS.md.
package main

import (
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
)

func main() {
	out := flag.String("out", "BENCHMARKS.md", "where to write the report")
	runs := flag.Int("runs", 9, "timed plans per provider and size (at least 7)")
	terraform := flag.String("terraform", "terraform", "the Terraform CLI to drive")
	only := flag.String("plan-only", "", "time only the plan of this many resources with 2 keys each, print it and write nothing (for profiling)")
	applyOnly := flag.Int("apply-only", 0, "time only creating and destroying this many resources (both dialects at once, after 25 ms and after 100 ms, and v1 after 100 ms at -parallelism=30), print it and write nothing")
	flag.Parse()
	if *runs < 7 {
		fail(fmt.Errorf("-runs must be at least 7, got %d", *runs))
	}
	root, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	work, err := os.MkdirTemp("", "notification-bench")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(work)

	mock := mockapi.New()
	srv := httptest.NewServer(mock)
	defer srv.Close()
	tf := newCLI(*terraform, root, work)

	if *only != "" {
		var n int
		if _, err := fmt.Sscan(*only, &n); err != nil || n < 1 {
			fail(fmt.Errorf("-plan-only takes a number of resources, got %q", *only))
		}
		p := measurePlan(tf, work, mock, srv.URL, n, 2, *runs)
		fmt.Printf("%d resources: notification %s, floor %s, ratio %.3f\n", n, secs(p.notification), secs(p.floor), p.ratio())
		return
	}

	if *applyOnly > 0 {
		for _, a := range measureApplies(tf, work, []int{*applyOnly}, 3) {
			fmt.Println(a.row())
		}
		return
	}

	step("round trips")
	r := report{terraform: tf.version(), machine: machine()}
	r.roundTrips = measureRoundTrips(tf, work, mock, srv.URL)
	r.roundTrips = append(r.roundTrips, measureMoments(tf, work, mock, srv.URL)...)
	for _, size := range []struct{ resources, keys int }{{1, 4}, {1, 10000}, {100, 2}, {400, 2}} {
		step(fmt.Sprintf("plan time of %d resources with %d keys each", size.resources, size.keys))
		r.plans = append(r.plans, measurePlan(tf, work, mock, srv.URL, size.resources, size.keys, *runs))
	}
	r.applies = measureApplies(tf, work, []int{100, 400}, 3)
	step("Go benchmarks")
	r.goBench = runGoBenchmarks(root)

	text := r.markdown()
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		fail(err)
	}
	fmt.Print(text)
}

func step(s string) { fmt.Fprintf(os.Stderr, "==> %s\n", s) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchmark:", err)
	os.Exit(1)
}

// machine describes where the figures were taken.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	kernel := "unknown kernel"
	if b, err := exec.Command("uname", "-sr").Output(); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d cores, %s, %s %s/%s", cpu, runtime.NumCPU(), kernel, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
