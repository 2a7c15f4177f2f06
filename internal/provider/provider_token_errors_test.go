package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

const currentData = "\ndata \"notification_preferences\" \"current\" {}\n"

// shortCommandTimeout serves a provider whose token_command time limit is
// one second instead of 30, for the test of the limit.
var shortCommandTimeout = map[string]func() (tfprotov6.ProviderServer, error){
	"notification": providerserver.NewProtocol6WithError(&notificationProvider{version: "test", tokenCommandTimeout: time.Second}),
}

// A token file or command that gives no token fails the plan when the
// provider is configured, at its argument, before any request: the error
// names the program, its exit status or the time limit, and the end of
// its standard error with anything token-shaped masked, and never shows
// its standard output.
func TestAccProvider_TokenSourceFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	_ = os.WriteFile(empty, []byte(" \n"), 0o600)
	garbled := filepath.Join(dir, "garbled")
	_ = os.WriteFile(garbled, []byte(`{"token": `), 0o600)
	missing := filepath.Join(dir, "missing")
	for _, tt := range []struct {
		name, source string
		short        bool
		want         *regexp.Regexp
	}{
		{"command fails", helperCommand(t, "fail"), false, expectAll(
			`Token Command Failed`, `\d+:\s+token_command\s+=`, words(`exited with status 3; its standard error ends:`),
			words(`signing in to the token service`), words(`refused: secret_key=*** token=***`), words("Run the command yourself"))},
		{"command times out, slower than request_timeout too", helperCommand(t, "sleep") + "\n  request_timeout = \"200ms\"", true, expectAll(
			`Token Command Timed Out`, `\d+:\s+token_command\s+=`, words(`did not finish within its time limit of 1s and was stopped.`), words("must not wait for input"))},
		{"command prints nothing", helperCommand(t, "empty"), false, expectAll(
			`Token Command Printed No Token`, words(`printed no token on its standard output.`))},
		{"command prints half a JSON object", helperCommand(t, "garbage"), false, expectAll(
			`Token Command Output Not Understood`, words(`printed something that is not a token: it starts with "{" but is not a JSON object`))},
		{"command cannot start", `token_command = ["/no/such/mint-token"]`, false, expectAll(
			`Token Command Failed`, words(`token_command "/no/such/mint-token" could not be run`))},
		{"empty program", `token_command = ["", "--user", "ci"]`, false, expectAll(
			`Invalid Token Command`, `\d+:\s+token_command\s+=`, words(`The first element of token_command is the program to run, and it is empty.`))},
		{"empty file", fmt.Sprintf("token_file = %q", empty), false, expectAll(
			`Token File Empty`, `\d+:\s+token_file\s+=`, words(fmt.Sprintf("token_file %q is empty.", empty)))},
		{"missing file", fmt.Sprintf("token_file = %q", missing), false, expectAll(
			`Token File Unreadable`, words(fmt.Sprintf("token_file %q cannot be read: no such file or directory.", missing)), words("must have written it before Terraform runs"))},
		{"garbled file", fmt.Sprintf("token_file = %q", garbled), false, expectAll(
			`Token File Not Understood`, words(`holds something that is not a token`))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock, url := startMock(t)
			tc := resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: tokenProvider(url, tt.source) + currentData, PlanOnly: true, ExpectError: tt.want,
				}},
			}
			if tt.short {
				tc.ProtoV6ProviderFactories = shortCommandTimeout
			}
			resource.UnitTest(t, tc)
			if j := mock.Journal(); len(j) != 0 {
				t.Fatalf("a provider with no token sent %v", j)
			}
		})
	}
}

// A static token that is a JWT whose exp has passed fails the plan before
// any request, at the argument, saying when it expired and what to use.
func TestAccProvider_StaticTokenExpired(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	token, exp, err := mock.MintSession("", -90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	dc := dialectCases[0]
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:   tokenProvider(url, fmt.Sprintf("token = %q", token)) + resourceBlock(prefsBody(prefs.Document{dc.keyA: true}, "")),
			PlanOnly: true,
			ExpectError: expectAll(`Notification API Token Expired`, `\d+:\s+token\s+=`,
				words(fmt.Sprintf("The token argument is a session token that expired at %s,", exp.UTC().Format(time.RFC3339))),
				`1m\d+s\s+ago;\s+the\s+provider\s+sent\s+nothing\s+with\s+it.`, words("v1 session tokens live about a minute"),
				words("Set token_command to a program that prints a fresh token"), words("or token_file")),
		}},
	})
	if j := mock.Journal(); len(j) != 0 {
		t.Fatalf("an expired token was sent: %v", j)
	}
}

// A token file that still holds an expired token after a 401 says so:
// the 401 came after the token's exp, and whoever writes the file must
// replace it in time.
func TestAccProvider_TokenFileStillExpired(t *testing.T) {
	t.Parallel()
	mock, url := startMock(t)
	token, exp, _ := mock.MintSession("", -5*time.Second)
	file := filepath.Join(t.TempDir(), "token")
	_ = os.WriteFile(file, []byte(token), 0o600)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: tokenProvider(url, fmt.Sprintf("token_file = %q", file)) + currentData, PlanOnly: true,
			ExpectError: expectAll(`Notification API Token Expired`, words("HTTP 401 (UNAUTHORIZED)"),
				words(fmt.Sprintf("The token expired at %s,", exp.UTC().Format(time.RFC3339))),
				words("The token read again from token_file had expired already: whatever writes the file must replace the token before it expires")),
		}},
	})
	if n := mock.Count("GET"); n != 2 {
		t.Fatalf("%d GETs, want the first and the one sent again after reading the file again", n)
	}
}

// Two token sources in the provider block are an error at each of them.
func TestAccProvider_TwoTokenSources(t *testing.T) {
	t.Parallel()
	_, url := startMock(t)
	cliTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: tokenProvider(url, `token = "t"`, `token_file = "/tmp/token"`) + currentData, PlanOnly: true,
			ExpectError: expectAll(`Invalid Attribute Combination`, `\d+:\s+token\s+=`,
				words(`Attribute "token_file" cannot be specified when "token" is specified`),
				`Invalid Attribute Combination`, `\d+:\s+token_file\s+=`,
				words(`Attribute "token" cannot be specified when "token_file" is specified`)),
		}},
	})
}

// A source in the configuration wins over the environment; two in the
// environment, with none in the configuration, are an error.
func TestAccProvider_TokenSourceFromEnvironment(t *testing.T) {
	mock, url := startMock(t)
	file := filepath.Join(t.TempDir(), "token")
	_ = os.WriteFile(file, []byte(mockapi.OtherSessionToken), 0o600)
	t.Setenv("NOTIFICATION_TOKEN_FILE", file)
	t.Run("the file from the environment", func(t *testing.T) {
		mock.ResetJournal()
		cliTest(t, resource.TestCase{Steps: []resource.TestStep{{Config: tokenProvider(url) + currentData}}})
		if lastToken(mock) != mockapi.OtherSessionToken {
			t.Fatalf("the requests carried %q, want the file's token", lastToken(mock))
		}
	})
	t.Run("the configuration wins", func(t *testing.T) {
		mock.ResetJournal()
		cliTest(t, resource.TestCase{Steps: []resource.TestStep{{Config: tokenProvider(url, fmt.Sprintf("token = %q", mockapi.DemoSessionToken)) + currentData}}})
		if lastToken(mock) != mockapi.DemoSessionToken {
			t.Fatalf("the requests carried %q, want the configured token", lastToken(mock))
		}
	})
	t.Run("two in the environment", func(t *testing.T) {
		t.Setenv("NOTIFICATION_TOKEN", mockapi.DemoSessionToken)
		cliTest(t, resource.TestCase{Steps: []resource.TestStep{{
			Config: tokenProvider(url) + currentData, PlanOnly: true,
			ExpectError: expectAll(`Conflicting Notification API Token Sources`,
				words("NOTIFICATION_TOKEN and NOTIFICATION_TOKEN_FILE are both set"), words("a source in the configuration wins over the environment.")),
		}}})
	})
}

// The wordings no CLI test reaches: a fetch that failed for another
// reason (the run was cancelled), a refused static token that had
// expired, one that had not, and a token a command printed expired.
func TestTokenDiagnostics(t *testing.T) {
	api := &client.APIError{Method: "GET", Path: "/v1/me/notifications", Status: 401, Code: client.CodeUnauthorized, Message: "authentication failed", RequestID: "req_1"}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		err     error
		summary string
		phrases []string
	}{
		{"cancelled fetch", &client.RequestError{Method: "GET", Path: "/v1/me/notifications", Err: context.Canceled}, "", nil},
		{"static, expired", &client.TokenRejectedError{API: api, Attr: "token", Expiry: at.Add(-time.Minute), At: at}, "Notification API Token Expired",
			[]string{"HTTP 401 (UNAUTHORIZED): authentication failed [request id req_1].", "The token expired at 2026-03-04T05:05:07Z, 1m0s ago.", "v1 session tokens live about a minute"}},
		{"static, not expired", &client.TokenRejectedError{API: api, Attr: "token", Expiry: at.Add(time.Minute), At: at}, "Notification API Rejected the Token",
			[]string{"Check the token argument or NOTIFICATION_TOKEN: it must be a valid, unexpired user session token."}},
		{"command, expired", &client.TokenRejectedError{API: api, Attr: "token_command", Expiry: at, At: at, Refetched: true}, "Notification API Token Expired",
			[]string{"token_command printed a token that had expired already"}},
		{"file, refused", &client.TokenRejectedError{API: api, Attr: "token_file", At: at, Refetched: true}, "Notification API Rejected the Token",
			[]string{"A new token read again from token_file after the first 401 was refused too."}},
		{"command, refused, not sent again", &client.TokenRejectedError{API: api, Attr: "token_command", At: at}, "Notification API Rejected the Token",
			[]string{"The request was not sent again with a new token (Terraform was interrupted, or the request could not be repeated)."}},
	} {
		var diags diag.Diagnostics
		handled := addTokenError(&diags, prefs.V1, "read notification preferences", tt.err)
		if tt.summary == "" {
			if handled {
				t.Errorf("%s: handled as a token error: %v", tt.name, diags)
			}
			continue
		}
		if !handled || diags.ErrorsCount() != 1 || diags[0].Summary() != tt.summary {
			t.Errorf("%s: %v, want %q", tt.name, diags, tt.summary)
			continue
		}
		for _, p := range tt.phrases {
			if !strings.Contains(diags[0].Detail(), p) {
				t.Errorf("%s: %q lacks %q", tt.name, diags[0].Detail(), p)
			}
		}
	}
	var diags diag.Diagnostics
	addTokenFetchError(&diags, "get a token for the notification API", context.Canceled, true)
	if diags.ErrorsCount() != 1 || diags[0].Summary() != "Could Not Get a Notification API Token" || diags[0].Detail() != "Could not get a token for the notification API: context canceled." {
		t.Fatalf("a fetch that was cancelled: %v", diags)
	}
}

// An empty or blank token counts as unset, as a variable defaulting to ""
// means it: NOTIFICATION_TOKEN applies. With nothing in the environment,
// the token is missing, and the error says the argument was empty. No
// panic either way.
func TestAccProvider_EmptyTokenCountsAsUnset(t *testing.T) {
	mock, url := startMock(t)
	emptyVar := `
variable "notification_token" {
  type    = string
  default = ""
}
`
	t.Run("the environment applies", func(t *testing.T) {
		t.Setenv("NOTIFICATION_TOKEN", mockapi.OtherSessionToken)
		mock.ResetJournal()
		cliTest(t, resource.TestCase{Steps: []resource.TestStep{{Config: emptyVar + tokenProvider(url, "token = var.notification_token") + currentData}}})
		if lastToken(mock) != mockapi.OtherSessionToken {
			t.Fatalf("the requests carried %q, want NOTIFICATION_TOKEN's", lastToken(mock))
		}
	})
	t.Run("blank and nothing else", func(t *testing.T) {
		t.Setenv("NOTIFICATION_TOKEN", "")
		t.Setenv("NOTIFICATION_TOKEN_FILE", "")
		mock.ResetJournal()
		cliTest(t, resource.TestCase{Steps: []resource.TestStep{{
			Config: tokenProvider(url, `token = "  "`) + currentData, PlanOnly: true,
			ExpectError: expectAll(`Missing Notification API Token`, `\d+:\s+token\s+=`,
				words("The token argument is empty, which counts as unset, and no environment variable gives one either.")),
		}}})
		if j := mock.Journal(); len(j) != 0 {
			t.Fatalf("a provider with no token sent %v", j)
		}
	})
}
