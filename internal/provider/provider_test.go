package provider

import (
	"os"
	"os/exec"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// testAccProtoV6ProviderFactories serves the provider in-process, so the
// real Terraform CLI drives it while the mock runs in the test binary. Each
// test gets a provider of its own.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"notification": func() (tfprotov6.ProviderServer, error) {
		return providerserver.NewProtocol6WithError(New("test")())()
	},
}

// providerEnvironment lists the variables the provider reads when its block
// leaves an argument out.
var providerEnvironment = []string{
	"NOTIFICATION_ENDPOINT", "NOTIFICATION_TOKEN", "NOTIFICATION_API", "NOTIFICATION_USER_ID",
	"NOTIFICATION_REQUEST_TIMEOUT", "NOTIFICATION_MAX_RETRIES", "VAST_API_KEY",
}

// TestMain clears the provider's environment once, before any test runs: a
// developer's own settings must not leak into the tests. Doing it here
// rather than in each test lets the tests run in parallel (t.Setenv
// forbids t.Parallel); the few tests that set these variables run alone.
func TestMain(m *testing.M) {
	if os.Getenv(liveEnv) != "" {
		// The live tests run against the account the environment names.
		os.Exit(runLive(m))
	}
	for _, env := range providerEnvironment {
		os.Unsetenv(env)
	}
	code := m.Run()
	if providerBinary.dir != "" {
		os.RemoveAll(providerBinary.dir)
	}
	os.Exit(code)
}

// testAccPreCheck runs before every test that drives the Terraform CLI.
// Those run by default (resource.UnitTest, as terraform-provider-http's
// do), so plain `go test ./...` exercises the provider through the CLI
// whenever one is installed. Without one the test harness would download
// Terraform, which this project never does: the test is skipped instead.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if _, err := exec.LookPath("terraform"); err != nil {
			t.Skip("no Terraform CLI: put terraform on PATH or set TF_ACC_TERRAFORM_PATH (make test installs one)")
		}
	}
}
