package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// goBenchmark is one line of `go test -bench` output.
type goBenchmark struct {
	name        string // without the -GOMAXPROCS suffix
	nsPerOp     float64
	allocsPerOp float64
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op.*?\s([\d.]+) allocs/op`)

// benchCount is how many times each benchmark runs; the report takes the
// median, as benchstat does, so one disturbed run cannot decide a verdict.
const benchCount = 5

// runGoBenchmarks runs the domain, decoding and provider benchmarks at 1k
// and 10k keys.
func runGoBenchmarks(root string) []goBenchmark {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", "500ms",
		"-count", strconv.Itoa(benchCount), "./internal/prefs", "./internal/client", "./internal/provider")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		fail(fmt.Errorf("go test -bench: %w\n%s", err, out))
	}
	var order []string
	runs := map[string][]goBenchmark{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		allocs, _ := strconv.ParseFloat(m[4], 64)
		name := strings.TrimPrefix(m[1], "Benchmark")
		if runs[name] == nil {
			order = append(order, name)
		}
		runs[name] = append(runs[name], goBenchmark{name: name, nsPerOp: ns, allocsPerOp: allocs})
	}
	results := make([]goBenchmark, 0, len(order))
	for _, name := range order {
		rs := runs[name]
		sort.Slice(rs, func(i, j int) bool { return rs[i].nsPerOp < rs[j].nsPerOp })
		results = append(results, rs[len(rs)/2])
	}
	return results
}

// scaling pairs each benchmark's 1k and 10k runs: linear work costs ~10x.
func scaling(results []goBenchmark) map[string]float64 {
	byName := map[string]float64{}
	for _, r := range results {
		byName[r.name] = r.nsPerOp
	}
	ratios := map[string]float64{}
	for _, r := range results {
		if base, ok := strings.CutSuffix(r.name, "/keys=10000"); ok {
			if small := byName[base+"/keys=1000"]; small > 0 {
				ratios[base] = r.nsPerOp / small
			}
		}
	}
	return ratios
}
