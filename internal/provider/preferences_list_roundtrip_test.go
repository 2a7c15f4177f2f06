package provider

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The round trip users run, through the CLI as they run it (terraform-
// plugin-testing's Query steps cannot write configuration): `terraform
// query -generate-config-out` for two accounts of a dialect writes an
// import block (by identity) and a resource block for each; `plan` shows
// two imports and no change, `apply` imports them writing nothing, the
// next plan is empty, and destroy leaves every imported key as it is.
func TestAccPreferencesList_QueryGeneratesConfigThatImports(t *testing.T) {
	accounts := map[prefs.Dialect][2]string{
		prefs.V1:     {mockapi.DemoSessionToken, mockapi.OtherSessionToken},
		prefs.VastAI: {mockapi.DemoVastKey, mockapi.OtherVastKey},
	}
	for _, dc := range dialectCases {
		t.Run(string(dc.dialect), func(t *testing.T) { queryRoundTrip(t, dc, accounts[dc.dialect]) })
	}
}

func queryRoundTrip(t *testing.T, dc dialectCase, tokens [2]string) {
	mock := mockapi.New()
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	mock.Set(dc.dialect, prefs.Document{dc.keyA: !dc.defaultA})
	before := [2]prefs.Document{mock.UserDocument(tokens[0]), mock.UserDocument(tokens[1])}

	tf := newBinaryCLI(t)
	tf.write(requiredProviders +
		aliasedProvider("personal", srv.URL, tokens[0], string(dc.dialect), 0) +
		aliasedProvider("team", srv.URL, tokens[1], string(dc.dialect), 0))
	tf.writeFile("mine.tfquery.hcl", listBlock("personal", "notification.personal")+listBlock("team", "notification.team"))
	tf.do("init", "-input=false")
	tf.do("query", "-generate-config-out=generated.tf")

	generated := tf.readFile("generated.tf")
	for _, want := range []string{`provider = notification.personal`, `provider = notification.team`, `identity = {`, `on_destroy = "restore"`} {
		if !strings.Contains(generated, want) {
			t.Fatalf("generated.tf lacks %s:\n%s", want, generated)
		}
	}
	if n := strings.Count(generated, "import {"); n != 2 {
		t.Fatalf("generated.tf has %d import blocks, want 2:\n%s", n, generated)
	}
	for _, locked := range []string{"email.security_alerts", "client.billing_failed.email"} {
		if strings.Contains(generated, locked) {
			t.Fatalf("generated.tf declares %s, which the API refuses to change:\n%s", locked, generated)
		}
	}

	tf.do("plan", "-input=false", "-out=import.tfplan")
	changes := tf.planChanges("import.tfplan")
	if len(changes) != 2 {
		t.Fatalf("the plan has %d changes, want 2 imports: %v", len(changes), changes)
	}
	for addr, c := range changes {
		if !c.importing || c.actions != "no-op" {
			t.Fatalf("%s plans %q (importing %v), want an import and no change", addr, c.actions, c.importing)
		}
	}
	tf.do("apply", "-input=false", "import.tfplan")
	tf.do("plan", "-input=false", "-detailed-exitcode") // exit status 2 would be a change

	tf.do("destroy", "-input=false", "-auto-approve")
	for i, token := range tokens {
		if after := mock.UserDocument(token); !maps.Equal(after, before[i]) {
			t.Fatalf("account %d: after import and destroy the server has %v, want %v as before", i, after, before[i])
		}
	}
	if w := mock.Count(dc.write); w != 0 {
		t.Fatalf("the round trip wrote %d times, want none:\n%v", w, mock.Journal())
	}
}

// With key_prefixes the generated resource declares only those keys; the
// import adopts every key users may change, so its plan drops the others
// from state (an update that writes nothing), and the plan after is empty.
func TestAccPreferencesList_NarrowedQueryImportsThenDropsTheRest(t *testing.T) {
	t.Parallel()
	mock := mockapi.New()
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	dc := dialectCases[1]
	before := mock.Document(dc.dialect)

	tf := newReattachedCLI(t)
	skipWithoutQuery(t, tf)
	tf.write(requiredProviders + dc.providerBlock(srv.URL))
	tf.writeFile("mine.tfquery.hcl", listBlock("mine", "notification", `key_prefixes = ["client.low_credit."]`))
	tf.do("init", "-input=false")
	tf.do("query", "-generate-config-out=generated.tf")
	generated := tf.readFile("generated.tf")
	declared := regexp.MustCompile(`"([a-z0-9_.]+)"\s+=\s+(true|false)`).FindAllStringSubmatch(generated, -1)
	if len(declared) != 2 {
		t.Fatalf("generated.tf declares %d keys, want client.low_credit's two:\n%s", len(declared), generated)
	}
	for _, d := range declared {
		if !strings.HasPrefix(d[1], "client.low_credit.") {
			t.Fatalf("generated.tf declares %s, outside key_prefixes:\n%s", d[1], generated)
		}
	}

	tf.do("plan", "-input=false", "-out=import.tfplan")
	for addr, c := range tf.planChanges("import.tfplan") {
		if !c.importing || c.actions != "update" {
			t.Fatalf("%s plans %q (importing %v), want an import and an update dropping the other keys", addr, c.actions, c.importing)
		}
	}
	tf.do("apply", "-input=false", "import.tfplan")
	tf.do("plan", "-input=false", "-detailed-exitcode")
	tf.do("destroy", "-input=false", "-auto-approve")
	if after := mock.Document(dc.dialect); !maps.Equal(after, before) {
		t.Fatalf("after import and destroy the server has %v, want %v as before", after, before)
	}
	if w := mock.Count(dc.write); w != 0 {
		t.Fatalf("the round trip wrote %d times, want none:\n%v", w, mock.Journal())
	}
}

const requiredProviders = `
terraform {
  required_providers {
    notification = { source = "openprefs/notification" }
  }
}
`

// skipWithoutQuery skips a test whose CLI has no `terraform query`, with
// the reason the Query steps give.
func skipWithoutQuery(t *testing.T, tf *reattachedCLI) {
	t.Helper()
	out, err := exec.Command(tf.bin, "version", "-json").Output()
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err != nil || json.Unmarshal(out, &v) != nil {
		t.Fatalf("%s version -json: %v\n%s", tf.bin, err, out)
	}
	cli, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatalf("%s version -json names no version: %v\n%s", tf.bin, err, out)
	}
	resp := tfversion.CheckTerraformVersionResponse{}
	needsQuery{}.CheckTerraformVersion(t.Context(), tfversion.CheckTerraformVersionRequest{TerraformVersion: cli}, &resp)
	if resp.Skip != "" {
		t.Skip(resp.Skip)
	}
}

// newBinaryCLI is newReattachedCLI for several provider configurations:
// the provider binary, one process per configuration as in production
// (useProviderBinary), so the test cannot run in parallel.
func newBinaryCLI(t *testing.T) *reattachedCLI {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	tf := &reattachedCLI{t: t, bin: bin, dir: t.TempDir()}
	skipWithoutQuery(t, tf)
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider binary: set TF_ACC=1 (make test does)")
	}
	useProviderBinary(t)
	tf.env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return tf
}

// do runs a command to its end, which must succeed: unlike run, the
// arguments go last as given (a saved plan's file must be the last one,
// and terraform query takes no -input).
func (c *reattachedCLI) do(command string, args ...string) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{command, "-no-color"}, args...)...)
	cmd.Dir, cmd.Env = c.dir, c.env
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("terraform %s %s: %v\n%s", command, strings.Join(args, " "), err, out)
	}
}

// fails runs a command that must fail, and returns what it said.
func (c *reattachedCLI) fails(command string, args ...string) string {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{command, "-no-color"}, args...)...)
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.CombinedOutput()
	if err == nil {
		c.t.Fatalf("terraform %s %s succeeded, want it to fail:\n%s", command, strings.Join(args, " "), out)
	}
	return string(out)
}

func (c *reattachedCLI) writeFile(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func (c *reattachedCLI) readFile(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

type plannedChange struct {
	actions   string
	importing bool
}

// planChanges reads a saved plan's resource changes by address.
func (c *reattachedCLI) planChanges(plan string) map[string]plannedChange {
	c.t.Helper()
	var p struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	cmd := exec.Command(c.bin, "show", "-json", plan)
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.Output()
	if err == nil {
		err = json.Unmarshal(out, &p)
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			out = exitErr.Stderr
		}
		c.t.Fatalf("terraform show -json %s: %v\n%s", plan, err, out)
	}
	changes := map[string]plannedChange{}
	for _, rc := range p.ResourceChanges {
		changes[rc.Address] = plannedChange{actions: strings.Join(rc.Change.Actions, ","), importing: len(rc.Change.Importing) > 0 && string(rc.Change.Importing) != "null"}
	}
	return changes
}
