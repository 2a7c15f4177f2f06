package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
)

// servingEnv, set, makes the test binary serve the provider in debug mode
// instead of running tests: the provider process of TestProviderLogLines.
const servingEnv = "NOTIFICATION_TEST_SERVE_PROVIDER"

func TestMain(m *testing.M) {
	if os.Getenv(servingEnv) != "" {
		os.Args = []string{os.Args[0], "-debug"}
		main()
		return
	}
	os.Exit(m.Run())
}

// The provider process writes log lines only when someone will read them:
// Terraform keeps a provider's lines only with TF_LOG or TF_LOG_PROVIDER
// set, and parses every line before throwing it away. The provider is run
// as Terraform's debugger attaches to it, so that its own stderr can be
// counted, and a plan against the mock drives it.
func TestProviderLogLines(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no Terraform CLI: put terraform on PATH or set TF_ACC_TERRAFORM_PATH (make test installs one)")
		}
	}
	srv := httptest.NewServer(mockapi.New())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	config := fmt.Sprintf(`
terraform {
  required_providers {
    notification = { source = "openprefs/notification" }
  }
}

provider "notification" {
  endpoint = %q
  token    = %q
}

data "notification_preferences" "current" {}
`, srv.URL, mockapi.DemoSessionToken)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env  string // set in the provider's environment, as Terraform passes its own on
		full bool
	}{
		{"", false},
		{"TF_LOG=TRACE", true},
		{"TF_LOG_PROVIDER=DEBUG", true},
		{"TF_LOG_SDK_FRAMEWORK=TRACE", true},
		{"TF_LOG_PATH_MASK=/tmp/test-%s.log", true},
	} {
		lines := providerLogLines(t, terraform, dir, tt.env)
		t.Logf("%q: %d lines from the SDK, the framework and the provider", tt.env, len(lines))
		switch {
		case !tt.full && len(lines) > 0:
			t.Errorf("with %q the provider wrote %d lines nobody reads, first: %s", tt.env, len(lines), lines[0])
		case tt.full && !anyContains(lines, "notification API request"):
			t.Errorf("with %q the provider's request lines are missing from its %d lines", tt.env, len(lines))
		case tt.full && !anyContains(lines, `"@module":"sdk.framework"`):
			t.Errorf("with %q the framework's lines are missing from the provider's %d lines", tt.env, len(lines))
		}
	}
}

func anyContains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// loggerLine is a line of one of the loggers the provider controls, not
// go-plugin's own announcement of where it listens.
var loggerLine = regexp.MustCompile(`"@module":"(sdk|notification)`)

// providerLogLines serves the provider with env added to the test's
// environment, runs terraform plan in dir against it, and returns the log
// lines the provider process wrote.
func providerLogLines(t *testing.T, terraform, dir, env string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	provider := exec.CommandContext(ctx, os.Args[0])
	provider.Env = append(os.Environ(), servingEnv+"=1")
	if env != "" {
		provider.Env = append(provider.Env, env)
	}
	var stderr bytes.Buffer
	provider.Stderr = &stderr
	stdout, err := provider.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := provider.Start(); err != nil {
		t.Fatal(err)
	}
	reattach := ""
	for scan := bufio.NewScanner(stdout); reattach == "" && scan.Scan(); {
		if _, value, ok := strings.Cut(scan.Text(), "TF_REATTACH_PROVIDERS='"); ok {
			reattach = strings.TrimSuffix(value, "'")
		}
	}
	if reattach == "" {
		t.Fatalf("the provider did not say how to attach to it: %s", stderr.String())
	}
	for _, args := range [][]string{{"init", "-input=false"}, {"plan", "-input=false"}} {
		cmd := exec.CommandContext(ctx, terraform, append(args, "-no-color")...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_IN_AUTOMATION=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
		}
	}
	_ = provider.Process.Kill()
	_ = provider.Wait()
	var lines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if loggerLine.MatchString(l) {
			lines = append(lines, l)
		}
	}
	return lines
}
