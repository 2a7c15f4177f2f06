package provider

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The token commands of these tests are this test binary, run again as a
// helper process (the os/exec tests' pattern): token_command =
// ["env", "GORACE=…", binary, "-test.run=^TestTokenHelperProcess$", "--", "token-helper", what, …].
// A helper that mints asks the mock's POST /_mock/session, as a real
// command would ask Clerk.

// TestTokenHelperProcess is not a test: it is the token command, when the
// binary runs with "-- token-helper …", and returns at once otherwise.
func TestTokenHelperProcess(t *testing.T) {
	args := flag.Args()
	if len(args) < 2 || args[0] != "token-helper" {
		return
	}
	os.Exit(tokenHelper(args[1], args[2:]))
}

// failingStdout is what the failing helper prints on its standard output
// (and, as a token, on its standard error). It is not among the command's
// arguments, which Terraform logs with the configuration.
const failingStdout = "stdout-s3cr3t-4e1d9b"

func tokenHelper(what string, args []string) int {
	switch what {
	case "mint": // URL LIFETIME DELAY: a fresh session token, as JSON
		delay, _ := time.ParseDuration(args[2])
		time.Sleep(delay) // a token service's round trip
		resp, err := http.Post(args[0]+"/_mock/session", "application/json", strings.NewReader(fmt.Sprintf(`{"lifetime": %q}`, args[1])))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer resp.Body.Close()
		_, _ = io.Copy(os.Stdout, resp.Body)
	case "opaque": // FILE PREFIX: PREFIX-<n>, n counting the runs in FILE
		f, _ := os.OpenFile(args[0], os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		_, _ = f.WriteString("run\n")
		f.Close()
		b, _ := os.ReadFile(args[0])
		fmt.Printf("%s-%d\n", args[1], strings.Count(string(b), "\n"))
	case "fail": // prints failingStdout, then fails as a CLI whose sign-in was refused
		fmt.Println(failingStdout)
		fmt.Fprintln(os.Stderr, "signing in to the token service")
		fmt.Fprintln(os.Stderr, "refused: secret_key=sk_test_51Hx9aQ2bC8dE4fG6hJ0k token="+failingStdout)
		return 3
	case "sleep":
		time.Sleep(time.Minute)
	case "empty":
	case "garbage":
		fmt.Println(`{"token": "half`)
	}
	return 0
}

// helperCommand is a token_command running the helper, as HCL.
func helperCommand(t *testing.T, args ...string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Under the race detector a binary sleeps a second as it exits
	// (GORACE's atexit_sleep_ms), which would make each token fetch last a
	// second; env runs the helper without it.
	argv := append([]string{"env", "GORACE=atexit_sleep_ms=0", self, "-test.run=^TestTokenHelperProcess$", "--", "token-helper"}, args...)
	return "token_command = " + hclList(argv)
}

func hclList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// tokenProvider configures the provider for the mock at url with a token
// source given as HCL lines.
func tokenProvider(url string, source ...string) string {
	return fmt.Sprintf(`
provider "notification" {
  endpoint = %q
  %s
}
`, url, strings.Join(source, "\n  "))
}

// expiryOf reads a minted token's exp, as the provider does.
func expiryOf(t *testing.T, token string) time.Time {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatalf("not a JWT: %v", err)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		t.Fatalf("no exp: %v", err)
	}
	return exp.Time
}

// waitUntilRefused waits for a token to expire, then checks that the mock
// refuses it: what a CI job meets when it applies a plan reviewed later.
func waitUntilRefused(t *testing.T, mock *mockapi.Server, token string) {
	t.Helper()
	time.Sleep(time.Until(expiryOf(t, token)) + 10*time.Millisecond)
	if mock.UserDocument(token) != nil {
		t.Fatal("the mock still accepts the token after its exp")
	}
}

// lastToken is the token of the latest journalled request.
func lastToken(mock *mockapi.Server) string {
	j := mock.Journal()
	if len(j) == 0 {
		return ""
	}
	return j[len(j)-1].Token
}

// tokensUsed lists the distinct tokens the journalled requests carried,
// and counts the 401s.
func tokensUsed(mock *mockapi.Server) (tokens map[string]bool, refused int) {
	tokens = map[string]bool{}
	for _, e := range mock.Journal() {
		tokens[e.Token] = true
		if e.Status == http.StatusUnauthorized {
			refused++
		}
	}
	return tokens, refused
}

// An apply of many resources that outlasts several tokens of about a
// second, and its destroy, succeed with no 401 reaching the user: each
// token is fetched again before a request once less than 10 s are left.
// 40 resources share requests as Terraform applies them ten at a time,
// and the mock takes 400 ms over each write, so the apply and the destroy
// each outlast several tokens (1-2 s) whatever the provider does.
func TestAccProvider_TokenCommandOutlastsShortTokens(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	const resources, several = 40, 3
	keys := prefs.Document{}
	for i := range resources {
		keys[fmt.Sprintf("digest.k%02d", i)] = false
	}
	mock.Ship(prefs.V1, keys)
	mock.Inject(mockapi.Fault{Method: "PATCH", Latency: 400 * time.Millisecond, Rate: 1})
	config := tokenProvider(url, helperCommand(t, "mint", url, "1s", "0s"))
	for i := range resources {
		config += fmt.Sprintf("\nresource \"notification_preferences\" \"r%02d\" {\n%s}\n", i,
			prefsBody(prefs.Document{fmt.Sprintf("digest.k%02d", i): true}, ""))
	}
	var started time.Time
	outlasted := func(what string) error {
		tokens, refused := tokensUsed(mock)
		if elapsed := time.Since(started); elapsed < 3*time.Second || len(tokens) < several {
			return fmt.Errorf("the %s took %v with %d tokens: it must outlast several tokens (1-2 s each)", what, elapsed, len(tokens))
		}
		if refused > 0 {
			// The 401 path would still save the request; refreshing ahead
			// of expiry is what keeps it from being needed.
			return fmt.Errorf("the %s met %d 401s: tokens were not fetched again before they expired", what, refused)
		}
		t.Logf("%s: %d requests with %d tokens", what, len(mock.Journal()), len(tokens))
		return nil
	}
	cliTest(t, resource.TestCase{
		CheckDestroy: func(*terraform.State) error {
			if err := expectServer(mock, prefs.V1, keys)(nil); err != nil {
				return fmt.Errorf("destroy did not restore every key: %w", err)
			}
			return outlasted("destroy")
		},
		Steps: []resource.TestStep{{
			PreConfig: func() { started = time.Now(); mock.ResetJournal() },
			Config:    config,
			Check: func(*terraform.State) error {
				all := prefs.Document{}
				for k := range keys {
					all[k] = true
				}
				if err := expectServer(mock, prefs.V1, all)(nil); err != nil {
					return err
				}
				err := outlasted("apply")
				started = time.Now()
				mock.ResetJournal()
				return err
			},
		}},
	})
}

// A saved plan applied after its plan's token expired: the apply runs the
// command again and writes with a fresh token.
func TestAccProvider_TokenCommandSavedPlanAfterExpiry(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	dc := dialectCases[0]
	want := prefs.Document{dc.keyA: !dc.defaultA}
	var planToken string
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: tokenProvider(url, helperCommand(t, "mint", url, "1s", "0s")) + resourceBlock(prefsBody(want, "")),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				betweenPlanAndApply(func() {
					planToken = lastToken(mock)
					waitUntilRefused(t, mock, planToken)
					mock.ResetJournal()
				}),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				expectServer(mock, prefs.V1, want),
				func(*terraform.State) error {
					for _, e := range mock.Journal() {
						if e.Token == planToken || e.Status != 200 {
							return fmt.Errorf("the apply sent the plan's expired token, or was refused: %v", e)
						}
					}
					return expectWrites(mock, 1)(nil)
				},
			),
		}},
	})
}

// A token_file rewritten between plan and apply is read again: the apply
// writes with the new token, after the plan's has expired.
func TestAccProvider_TokenFileRewrittenBetweenPlanAndApply(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	dc := dialectCases[0]
	want := prefs.Document{dc.keyA: !dc.defaultA}
	file := t.TempDir() + "/session-token"
	writeToken := func() string {
		token, _, err := mock.MintSession("", 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return token
	}
	first := writeToken()
	var second string
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: tokenProvider(url, fmt.Sprintf("token_file = %q", file)) + resourceBlock(prefsBody(want, "")),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				betweenPlanAndApply(func() {
					waitUntilRefused(t, mock, first)
					second = writeToken()
					mock.ResetJournal()
				}),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				expectServer(mock, prefs.V1, want),
				func(*terraform.State) error {
					if tokens, refused := tokensUsed(mock); !tokens[second] || tokens[first] || refused > 0 {
						return fmt.Errorf("the apply sent %v (%d refused); want only the rewritten file's token", tokens, refused)
					}
					return nil
				},
			),
		}},
	})
}

// A request refused once is sent again with a new token; refused twice,
// the 401 is the error, which says a new token was tried. The command's
// tokens here have no known expiry, so only a 401 runs it again.
func TestAccProvider_TokenCommandRefusedOnceThenTwice(t *testing.T) {
	t.Parallel()
	dataSource := "\ndata \"notification_preferences\" \"current\" {}\n"
	for _, tt := range []struct {
		name     string
		refusals int
	}{
		{"refused once", 1},
		{"refused twice", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock, url := startMock(t)
			for i := 1; i <= 20; i++ {
				mock.AddSession(fmt.Sprintf("opaque-%d", i), "demo")
			}
			counter := t.TempDir() + "/runs"
			step := resource.TestStep{
				PreConfig: func() { mock.Inject(mockapi.Fault{Method: "GET", Status: 401, Times: tt.refusals}) },
				Config:    tokenProvider(url, helperCommand(t, "opaque", counter, "opaque")) + dataSource,
				PlanOnly:  true,
			}
			if tt.refusals == 2 {
				step.ExpectError = expectAll(`Notification API Rejected the Token`, words("HTTP 401 (UNAUTHORIZED)"),
					words("A new token from running token_command again after the first 401 was refused too."))
			}
			cliTest(t, resource.TestCase{Steps: []resource.TestStep{step}})
			j := mock.Journal()
			if len(j) < 2 || j[0].Status != 401 || j[1].Token == j[0].Token || j[1].Method != j[0].Method || j[1].Path != j[0].Path {
				t.Fatalf("journal %v: want the refused GET sent again with a new token", j)
			}
			if tt.refusals == 1 && j[1].Status != 200 {
				t.Fatalf("the request sent again was answered %d, want 200", j[1].Status)
			}
			if tt.refusals == 2 && (len(j) != 2 || j[1].Status != 401) {
				t.Fatalf("journal %v: want two 401s and nothing more", j)
			}
		})
	}
}

// The command may print {"token", "expires_at"}: its token is used.
func TestAccProvider_TokenCommandPrintsJSON(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: tokenProvider(url, helperCommand(t, "mint", url, "1m", "0s")) + "\ndata \"notification_preferences\" \"current\" {}\n",
			Check: func(*terraform.State) error {
				tokens, _ := tokensUsed(mock)
				for tok := range tokens {
					if tok == mockapi.DemoSessionToken || !strings.HasPrefix(tok, "eyJ") || mock.UserDocument(tok) == nil {
						return fmt.Errorf("a request carried %q, want a minted session token", tok)
					}
				}
				if mock.Minted() == 0 {
					return fmt.Errorf("the command minted nothing")
				}
				return nil
			},
		}},
	})
}
