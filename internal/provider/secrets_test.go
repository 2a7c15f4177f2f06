package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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

	files, _ := filepath.Glob(filepath.Join(logs, "*"))
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	out := all.String()
	if i := strings.Index(out, token); i >= 0 {
		t.Fatalf("the token is in the TRACE logs: …%s…", out[max(0, i-300):i+len(token)])
	}
	for _, want := range []string{`notification API request`, `method=PATCH`, `authorization="***"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("the TRACE logs (%d files, %d bytes) lack %q: the capture did not see the provider's requests", len(files), len(out), want)
		}
	}
}
