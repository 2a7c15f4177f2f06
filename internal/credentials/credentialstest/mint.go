// Package credentialstest has what tests of token sources share, as
// net/http/httptest does for HTTP.
package credentialstest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// MintScript is a token command: each run appends a line to a counter
// file and prints tok-<runs>, with expires_at when given. runs reports how
// many times the command ran.
func MintScript(tb testing.TB, expiresAt string) (argv []string, runs func() int) {
	tb.Helper()
	counter := filepath.Join(tb.TempDir(), "runs")
	script := `echo run >> "$1"; n=$(wc -l < "$1" | tr -d ' '); `
	if expiresAt != "" {
		script += `printf '{"token": "tok-%s", "expires_at": "` + expiresAt + `"}' "$n"`
	} else {
		script += `echo "tok-$n"`
	}
	runs = func() int {
		b, _ := os.ReadFile(counter)
		return strings.Count(string(b), "\n")
	}
	return []string{"sh", "-c", script, "mint", counter}, runs
}
