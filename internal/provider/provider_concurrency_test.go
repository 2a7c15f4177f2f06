package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Several provider configurations, both dialects, and several resources
// sharing one document, applied at Terraform's default parallelism of 10:
// every key lands, including when three resources write disjoint keys of
// the same vastai document, which a PUT replaces whole.
func TestAccPreferencesResource_ParallelProviders(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider binary and applies 12 resources: set TF_ACC=1 (make test does)")
	}
	mock, url := startMock(t)
	mock.AddSession("alice-session", "alice")
	mock.AddVastKey("vast-key-5151", 5151)

	type principal struct {
		alias, token, api string
		userID            int
		resources         []prefs.Document
	}
	principals := []principal{
		{"demo", mockapi.DemoSessionToken, "v1", 0, []prefs.Document{
			{"email.weekly_usage_digest": true}, {"email.product_updates": false}, {"email.delivery_alerts": false}}},
		{"alice", "alice-session", "v1", 0, []prefs.Document{
			{"email.billing_receipts": false}, {"email.weekly_usage_digest": true}}},
		{"vast", mockapi.DemoVastKey, "vastai", mockapi.DemoVastUser, []prefs.Document{
			{"client.low_credit.webhooks": true}, {"client.instance_stopped.webhooks": true},
			{"host.machine_offline.webhooks": true}, {"host.payout_sent.email": true}}},
		{"vast2", "vast-key-5151", "vastai", 5151, []prefs.Document{
			{"client.low_credit.email": false}, {"client.billing_failed.webhooks": true}, {"host.payout_sent.webhooks": true}}},
	}
	var config strings.Builder
	for _, p := range principals {
		config.WriteString(aliasedProvider(p.alias, url, p.token, p.api, p.userID))
		for i, values := range p.resources {
			config.WriteString(resourceWithProvider(fmt.Sprintf("%s_%d", p.alias, i), "notification."+p.alias, values))
		}
	}
	everyKeyLanded := func(*terraform.State) error {
		for _, p := range principals {
			doc := mock.UserDocument(p.token)
			for _, values := range p.resources {
				for k, v := range values {
					if doc[k] != v {
						return fmt.Errorf("%s: server has %s = %v, want %v", p.alias, k, doc[k], v)
					}
				}
			}
		}
		return nil
	}
	useProviderBinary(t)
	resource.Test(t, resource.TestCase{
		PreCheck:          func() { testAccPreCheck(t) },
		ExternalProviders: externalProvider,
		Steps: []resource.TestStep{
			{Config: config.String(), Check: everyKeyLanded},
		},
	})
}

// mirrorVersion is the version .ci/provider-mirror.sh gives the binary.
const mirrorVersion = "0.1.0"

// useProviderBinary points Terraform at the provider built into a local
// filesystem mirror. In-process provider factories reattach every provider
// configuration to one server, so aliases would share (and race on) one
// configuration; a real binary runs one process per alias, as Terraform
// does in production. The binary is built once per test run; setting
// TF_CLI_CONFIG_FILE keeps such a test out of the parallel ones.
func useProviderBinary(t *testing.T) {
	t.Helper()
	providerBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "notification-provider-mirror") //nolint:usetesting // shared by every test of the run; TestMain removes it
		if err != nil {
			providerBinary.err = err
			return
		}
		providerBinary.dir = dir
		cmd := exec.Command("bash", "-c", `source ../../.ci/provider-mirror.sh && provider_mirror "$1"`, "bash", dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			providerBinary.err = fmt.Errorf("building the provider binary: %w\n%s", err, out)
		}
	})
	if providerBinary.err != nil {
		t.Fatal(providerBinary.err)
	}
	t.Setenv("TF_CLI_CONFIG_FILE", filepath.Join(providerBinary.dir, "terraformrc"))
}

// providerBinary is the mirror useProviderBinary builds; TestMain removes it.
var providerBinary struct {
	once sync.Once
	dir  string
	err  error
}
