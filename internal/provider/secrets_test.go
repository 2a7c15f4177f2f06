package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The token appears in no log line at TRACE: a full create,
// update and destroy is logged to files, which must show the provider's
// request lines, masked, and never the token. The token comes from
// NOTIFICATION_TOKEN, as in CI, so that Terraform itself never sees it and
// every line it and the provider log can be searched.
func TestAccProvider_TokenNeverLogged(t *testing.T) {
	const token = "tok-s3cr3t-7f3a9c1e"
	mock, url := startMock(t)
	mock.AddSession(token, "demo")
	logs := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(logs, "%s.log"))

	dc := dialectCases[0]
	config := func(values prefs.Document, extra string) string {
		return fmt.Sprintf(`
provider "notification" {
  endpoint = %[1]q
}
`, url) + resourceBlock(prefsBody(values, "")) + extra
	}
	// The steps only make the provider work: what they log is checked below.
	t.Setenv("NOTIFICATION_TOKEN", token)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: config(prefs.Document{dc.keyA: true}, "")},
			{Config: config(prefs.Document{dc.keyA: false, dc.keyB: false}, "")},
			{Config: config(prefs.Document{dc.keyA: false}, `data "notification_preferences" "current" {}`)},
		},
	})

	files, all := readLogs(t, logs)
	out := all
	if i := strings.Index(out, token); i >= 0 {
		t.Fatalf("the token is in the TRACE logs: …%s…", out[max(0, i-300):i+len(token)])
	}
	for _, want := range []string{`notification API request`, `method=PATCH`, `authorization="***"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("the TRACE logs (%d files, %d bytes) lack %q: the capture did not see the provider's requests", len(files), len(out), want)
		}
	}
}

// Tokens from token_command and token_file appear in no log line at TRACE,
// in no state and in no diagnostic, and neither does the standard output
// of a command that fails. The command mints a session token of about a
// second for each request, so the steps log many tokens' requests; then a
// token file is read, then a failing command prints a secret on its
// standard output and a token on its standard error.
func TestAccProvider_RefreshedTokensNeverLogged(t *testing.T) {
	mock, url := startMock(t)
	logs := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(logs, "%s.log"))
	fileToken, _, _ := mock.MintSession("", time.Hour)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(fileToken), 0o600); err != nil {
		t.Fatal(err)
	}

	dc := dialectCases[0]
	command := helperCommand(t, "mint", url, "1s", "0s")
	var states strings.Builder
	keepState := func(s *terraform.State) error {
		b, err := json.Marshal(s)
		states.Write(b)
		return err
	}
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: tokenProvider(url, command) + resourceBlock(prefsBody(prefs.Document{dc.keyA: true}, "")), Check: keepState},
			{Config: tokenProvider(url, fmt.Sprintf("token_file = %q", tokenFile)) + resourceBlock(prefsBody(prefs.Document{dc.keyA: false}, "")), Check: keepState},
			{
				Config:      tokenProvider(url, helperCommand(t, "fail")) + resourceBlock(prefsBody(prefs.Document{dc.keyA: false}, "")),
				ExpectError: expectAll(`Token Command Failed`, words("token=***")),
			},
			{Config: tokenProvider(url, command) + resourceBlock(prefsBody(prefs.Document{dc.keyA: false}, ""))},
		},
	})

	tokens, _ := tokensUsed(mock)
	if len(tokens) < 4 || !tokens[fileToken] {
		t.Fatalf("the steps used %d tokens (the file's: %v): the test did not exercise refreshed tokens", len(tokens), tokens[fileToken])
	}
	// Configure's own diagnostics, as Terraform receives them.
	diags := configureDiagnostics(t, url, helperCommand(t, "fail"))
	files, all := readLogs(t, logs)
	for where, text := range map[string]string{"the TRACE logs": all, "the state": states.String(), "the diagnostics": diags} {
		for secret := range tokens {
			if i := strings.Index(text, secret); secret != "" && i >= 0 {
				t.Fatalf("a token is in %s: …%s…", where, text[max(0, i-300):i+len(secret)])
			}
		}
		if strings.Contains(text, failingStdout) {
			t.Fatalf("the failing command's standard output is in %s", where)
		}
	}
	for _, want := range []string{`notification API request`, `method=PATCH`, `authorization="***"`, `fetched a notification API token`} {
		if !strings.Contains(all, want) {
			t.Fatalf("the TRACE logs (%d files) lack %q: the capture did not see the provider's requests", len(files), want)
		}
	}
	if !strings.Contains(diags, "Token Command Failed") || !strings.Contains(diags, "exited with status 3") {
		t.Fatalf("configure's diagnostics: %s", diags)
	}
}

// configureDiagnostics configures the provider through its protocol
// server with the token source given as HCL (a token_command of the
// helper), and returns the diagnostics' text.
func configureDiagnostics(t *testing.T, url, command string) string {
	t.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ty, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the provider schema is a %T", schemas.Provider.ValueType())
	}
	values := map[string]tftypes.Value{}
	for name, at := range ty.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	values["endpoint"] = tftypes.NewValue(tftypes.String, url)
	var argv []string
	if err := json.Unmarshal([]byte(strings.TrimPrefix(command, "token_command = ")), &argv); err != nil {
		t.Fatal(err)
	}
	elems := make([]tftypes.Value, len(argv))
	for i, a := range argv {
		elems[i] = tftypes.NewValue(tftypes.String, a)
	}
	values["token_command"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, elems)
	config, err := tfprotov6.NewDynamicValue(ty, tftypes.NewValue(ty, values))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &config, TerraformVersion: "1.8.5"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, d := range resp.Diagnostics {
		fmt.Fprintf(&out, "%s: %s\n", d.Summary, d.Detail)
	}
	return out.String()
}

// readLogs returns the log files TF_LOG_PATH_MASK wrote in dir, and all
// they hold.
func readLogs(t *testing.T, dir string) ([]string, string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	return files, all.String()
}
