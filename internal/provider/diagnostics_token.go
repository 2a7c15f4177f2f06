package provider

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/credentials"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The wording of the diagnostics about where the token comes from:
// token_file and token_command that give none, tokens that expired, and
// 401s. None of them ever shows a token, or a command's standard output.

// sessionAdvice is what a user with an expiring static token should do.
const sessionAdvice = "v1 session tokens live about a minute, so one copied into the token argument, NOTIFICATION_TOKEN or a variable expires before or during a run, and a saved plan applied later meets an expired one every time. " +
	"Set token_command to a program that prints a fresh token (the provider runs it again before the token expires), or token_file to a file that something keeps fresh; the provider's \"Credentials in CI\" guide shows both."

// whenExpired says when a token expired, and how long before now.
func whenExpired(expiry, now time.Time) string {
	return fmt.Sprintf("%s, %s ago", expiry.UTC().Format(time.RFC3339), now.Sub(expiry).Round(time.Second))
}

// addExpiredStaticToken explains, at configuration, a static JWT whose exp
// has passed: nothing was sent.
func addExpiredStaticToken(diags *diag.Diagnostics, s setting, fromEnv bool, expiry, now time.Time) {
	from := "The token argument"
	if fromEnv {
		from = "The token in " + s.env
	}
	diags.AddAttributeError(path.Root(s.attr), "Notification API Token Expired",
		fmt.Sprintf("%s is a session token that expired at %s; the provider sent nothing with it. %s", from, whenExpired(expiry, now), sessionAdvice))
}

// addTokenSourcesConflict explains two token sources in the environment.
func addTokenSourcesConflict(diags *diag.Diagnostics) {
	diags.AddError("Conflicting Notification API Token Sources",
		"NOTIFICATION_TOKEN and NOTIFICATION_TOKEN_FILE are both set, and the provider block sets none of token, token_file and token_command, so nothing says which token to use. "+
			"Unset one of the two variables, or set the source to use in the provider block: a source in the configuration wins over the environment.")
}

// addEmptyTokenProgram explains a token_command whose program is "".
func addEmptyTokenProgram(diags *diag.Diagnostics) {
	diags.AddAttributeError(path.Root("token_command"), "Invalid Token Command",
		`The first element of token_command is the program to run, and it is empty. Write the program first, then its arguments, such as ["./mint-session-token", "--user", "ci"].`)
}

// addTokenError reports a request that failed for its token: none could be
// fetched, or the API refused it. It reports whether err was one.
func addTokenError(diags *diag.Diagnostics, d prefs.Dialect, action string, err error) bool {
	var rejected *client.TokenRejectedError
	switch {
	case errors.As(err, &rejected):
		addTokenRejected(diags, d, action, rejected)
		return true
	case errors.As(err, new(*credentials.FetchError)):
		addTokenFetchError(diags, action, err, false)
		return true
	}
	return false
}

// tokenSummary names each way a fetch fails. (Each is assigned to
// summary, so that TestEverySummaryIsAsserted finds it.)
func tokenSummary(fe *credentials.FetchError) (summary string) {
	file := fe.Attr == "token_file"
	switch {
	case fe.Problem == credentials.FileUnreadable:
		summary = "Token File Unreadable"
	case fe.Problem == credentials.NoToken && file:
		summary = "Token File Empty"
	case fe.Problem == credentials.OutputUnreadable && file:
		summary = "Token File Not Understood"
	case fe.Problem == credentials.CommandTimedOut:
		summary = "Token Command Timed Out"
	case fe.Problem == credentials.NoToken:
		summary = "Token Command Printed No Token"
	case fe.Problem == credentials.OutputUnreadable:
		summary = "Token Command Output Not Understood"
	default:
		summary = "Token Command Failed"
	}
	return summary
}

// addTokenFetchError explains a token file or command that gave no token:
// at its argument when the provider is being configured, on the
// operation otherwise.
func addTokenFetchError(diags *diag.Diagnostics, action string, err error, atAttr bool) {
	var fe *credentials.FetchError
	if !errors.As(err, &fe) {
		diags.AddError("Could Not Get a Notification API Token", fmt.Sprintf("Could not %s: %v.", action, err))
		return
	}
	summary := tokenSummary(fe)
	advice := "token_command runs its program without a shell, with standard input closed, in Terraform's working directory and environment; its standard output must be the token alone or {\"token\": \"…\", \"expires_at\": \"<RFC 3339>\"}. Run the command yourself to see what it does."
	if fe.Problem == credentials.CommandTimedOut {
		advice = "A token command must not wait for input (its standard input is closed) or for a person. If it is only slow, make it faster: requests wait for it. " + advice
	}
	if fe.Attr == "token_file" {
		advice = "token_file (or NOTIFICATION_TOKEN_FILE) names a file holding the token alone or {\"token\": \"…\", \"expires_at\": \"<RFC 3339>\"}; whatever writes it (a CI step, a sidecar) must have written it before Terraform runs, and keep it fresh."
	}
	detail := fmt.Sprintf("Could not %s: %v", action, fe)
	if fe.Stderr == "" {
		detail += "."
	}
	detail += "\n\n" + advice
	if atAttr {
		diags.AddAttributeError(path.Root(fe.Attr), summary, detail)
		return
	}
	diags.AddError(summary, detail)
}

// addTokenRejected explains a 401: when the token had expired, when it
// did and what to use instead; otherwise what to check, for the source
// the token came from.
func addTokenRejected(diags *diag.Diagnostics, d prefs.Dialect, action string, e *client.TokenRejectedError) {
	facts := apiFacts(e.API)
	if e.Expired() {
		var advice string
		switch e.Attr {
		case "token_file":
			advice = "The token read again from token_file had expired already: whatever writes the file must replace the token before it expires (for a session token of a minute, every 30 seconds or so), or use token_command."
		case "token_command":
			advice = "token_command printed a token that had expired already: check that it mints a new token rather than printing a cached one, and this machine's clock."
		default:
			advice = sessionAdvice
		}
		diags.AddError("Notification API Token Expired",
			fmt.Sprintf("Could not %s. %s The token expired at %s. %s", action, facts, whenExpired(e.Expiry, e.At), advice))
		return
	}
	summary := "Notification API Rejected the Token"
	advice := "Check the token argument or NOTIFICATION_TOKEN: " + tokenKind(d) + "."
	if e.Attr != "token" {
		what := "read again from token_file"
		if e.Attr == "token_command" {
			what = "from running token_command again"
		}
		advice = fmt.Sprintf("A new token %s after the first 401 was refused too. Check that it gives a token for this API at this endpoint: %s.", what, tokenKind(d))
		if !e.Refetched {
			// Only the first token was tried: the request was stopped, or
			// its body could not be sent again.
			advice = fmt.Sprintf("The request was not sent again with a new token (Terraform was interrupted, or the request could not be repeated). Run Terraform again; if the 401 persists, check that %s gives a token for this API at this endpoint: %s.", e.Attr, tokenKind(d))
		}
	}
	diags.AddError(summary, fmt.Sprintf("Could not %s. %s %s", action, facts, advice))
}

// addMissingToken explains that no source gave a token; blank says the
// token argument was set, but to nothing.
func addMissingToken(diags *diag.Diagnostics, vast, blank bool) {
	detail := "The provider needs a bearer token: a user session token for the v1 API, from token, token_file (or NOTIFICATION_TOKEN_FILE) or token_command. Session tokens live about a minute: in CI, token_command or token_file keeps one fresh."
	if vast {
		detail = "The provider needs a Vast.ai API key, from token, token_file or token_command; VAST_API_KEY, which the vast CLI reads, works too."
	}
	if blank {
		detail = "The token argument is empty, which counts as unset, and no environment variable gives one either. " + detail
	}
	addSettingError(diags, setting{attr: "token", env: "NOTIFICATION_TOKEN"}, "Missing Notification API Token", detail)
}
