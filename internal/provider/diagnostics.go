package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The wording of every diagnostic the provider's schema, resource and data
// source report lives here, so that plan and apply say the same thing about
// the same problem, and a reviewer reads them all in one place. Each is a
// constructor that adds its diagnostic to diags.

func keyPath(key string) path.Path {
	return path.Root("preferences").AtMapKey(key)
}

// maxKeyDiagnostics bounds the diagnostics shown for individual keys: a
// generated map with thousands of bad keys should read as one problem.
const maxKeyDiagnostics = 10

// addProblems reports plan checks, each at the key it is about.
func addProblems(diags *diag.Diagnostics, d prefs.Dialect, problems []prefs.Problem) {
	if n := len(problems) - maxKeyDiagnostics; n > 0 {
		diags.AddAttributeError(path.Root("preferences"), "More Notification Keys Cannot Be Written",
			fmt.Sprintf("%d declared keys have problems; the first %d are shown, each at its key, and %d more are not. "+
				"Compare preferences with the keys the notification_preferences data source lists.", len(problems), maxKeyDiagnostics, n))
		problems = problems[:maxKeyDiagnostics]
	}
	for _, p := range problems {
		switch p.Kind {
		case prefs.Malformed:
			addMalformedKey(diags, keyPath(p.Key), p.Reason)
		case prefs.Locked:
			diags.AddAttributeError(keyPath(p.Key), "Notification Key Cannot Be Changed",
				fmt.Sprintf("The %s API refuses to change %q (%s): %s. Remove it from preferences.", d, p.Key, lockedCode(d), p.Reason))
		case prefs.Unknown:
			hint := "The notification_preferences data source lists every key the server knows."
			if p.Suggestion != "" {
				hint = fmt.Sprintf("Did you mean %q? %s", p.Suggestion, hint)
			}
			diags.AddAttributeError(keyPath(p.Key), "Unknown Notification Key",
				fmt.Sprintf("The %s API does not know %q (%s). %s", d, p.Key, client.CodeUnknownKey, hint))
		}
	}
}

// addAPIError turns a failed request into diagnostics: at each key the API
// named, or else on the resource, with the API's code, message and request
// id, and what to do about it.
func addAPIError(diags *diag.Diagnostics, d prefs.Dialect, action string, err error) {
	if addTokenError(diags, d, action, err) {
		return // no token could be fetched, or the API refused it: diagnostics_token.go
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		if errors.Is(err, context.Canceled) {
			diags.AddError("Notification API Request Cancelled",
				fmt.Sprintf("Could not %s: Terraform was interrupted before the API answered, and nothing more was sent. Run Terraform again.", action))
			return
		}
		var reqErr *client.RequestError
		attempts := 0
		if errors.As(err, &reqErr) {
			attempts = reqErr.Attempts
		}
		why := ""
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			why = " No answer came within request_timeout."
		}
		diags.AddError("Could Not Reach the Notification API",
			fmt.Sprintf("Could not %s: %v.%s%s Check the endpoint and the network, then run Terraform again.", action, err, why, sentTimes(attempts)))
		return
	}
	facts := apiFacts(apiErr)
	if keys := apiErr.DetailKeys(); len(keys) > 0 {
		for _, key := range keys {
			diags.AddAttributeError(keyPath(key), "Notification API Refused "+fmt.Sprintf("%q", key),
				fmt.Sprintf("Could not %s: %s. %s %s", action, apiErr.Details[key], facts, keyAdvice(apiErr.Code)))
		}
		return
	}
	summary, advice := "Notification API Error", ""
	switch {
	case apiErr.Status == http.StatusUnauthorized:
		summary = "Notification API Rejected the Token"
		advice = "Check the token argument or NOTIFICATION_TOKEN: " + tokenKind(d) + "."
	case apiErr.Code == client.CodeUserRequired:
		summary = "Notification API Needs a User Session Token"
		advice = "The token is an API key, but the v1 notification preferences endpoint acts for a signed-in user. Set token (or NOTIFICATION_TOKEN) to a user session token issued at sign-in."
	case apiErr.Status == http.StatusForbidden && d == prefs.VastAI && strings.Contains(apiErr.Message, "user_write"):
		summary = "API Key Cannot Change Preferences"
		advice = "The key may read these preferences but not change them: its permissions allow user_read, not user_write. Create a key with user_write in the Vast.ai console and set token (or NOTIFICATION_TOKEN, or VAST_API_KEY) to it."
	case apiErr.Status == http.StatusForbidden && d == prefs.VastAI:
		summary = "Notification API Refused This User"
		advice = "Set user_id (or NOTIFICATION_USER_ID) to the id of the user the API key belongs to."
	case client.Transient(apiErr.Status):
		advice = strings.TrimSpace(sentTimes(apiErr.Attempts) + " Try again later, or raise max_retries.")
	case apiErr.Status >= 500:
		advice = "The API failed on its side; such an answer is not retried. Try again later, and give the request id to the API's operator if it persists."
	case apiErr.Code == "":
		summary = "Unexpected Response from the Notification API"
		advice = "Check that endpoint points at the notification API itself and not at a proxy or web page."
	}
	diags.AddError(summary, strings.TrimSpace(fmt.Sprintf("Could not %s. %s %s", action, facts, advice)))
}

// sentTimes says how often a request was sent, when it was more than once:
// a diagnostic claims retries only where there were some.
func sentTimes(attempts int) string {
	if attempts < 2 {
		return ""
	}
	return fmt.Sprintf(" The request was sent %d times, retrying transient failures.", attempts)
}

// apiFacts is the part of a diagnostic a support ticket needs.
func apiFacts(e *client.APIError) string {
	code := e.Code
	if code == "" {
		code = "no error code"
	}
	s := fmt.Sprintf("The API answered %s %s with HTTP %d (%s): %s", e.Method, e.Path, e.Status, code, e.Message)
	if e.RequestID != "" {
		s += fmt.Sprintf(" [request id %s]", e.RequestID)
	}
	return s + "."
}

// lockedCode is the error code each API answers a locked key with.
func lockedCode(d prefs.Dialect) string {
	if d == prefs.VastAI {
		return client.CodeVastMandatoryKey
	}
	return client.CodeImmutableKey
}

func keyAdvice(code string) string {
	switch code {
	case client.CodeUnknownKey, client.CodeVastUnknownKey:
		return "Check the key's spelling against the notification_preferences data source, or remove it."
	case client.CodeImmutableKey, client.CodeVastMandatoryKey:
		return "Users may not change this key: remove it from preferences."
	}
	return "Correct or remove this key."
}

func tokenKind(d prefs.Dialect) string {
	if d == prefs.VastAI {
		return "it must be a valid Vast.ai API key"
	}
	return "it must be a valid, unexpired user session token"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// addWithdrawnWarning explains a declared key the server stopped reporting.
func addWithdrawnWarning(diags *diag.Diagnostics, key string) {
	diags.AddAttributeWarning(keyPath(key), "Notification Key Withdrawn by the Server",
		fmt.Sprintf("The server no longer reports %q. Terraform keeps its last known value in state and will not write it again, and destroy leaves it out of the values it restores. Remove it from preferences; changing its value would fail.", key))
}

// addNullValue explains a key declared with no value.
func addNullValue(diags *diag.Diagnostics, p path.Path, key string) {
	diags.AddAttributeError(p, "Notification Preference Has No Value",
		fmt.Sprintf("%q is null. Set it to true or false, or remove the key to stop managing it.", key))
}

// addMalformedKey explains a key that breaks the key grammar or the
// dialect's depth.
func addMalformedKey(diags *diag.Diagnostics, p path.Path, reason string) {
	diags.AddAttributeError(p, "Malformed Notification Key", capitalize(reason)+".")
}

// addValueNotKept explains a declared key the server did not hold after a
// successful write.
func addValueNotKept(diags *diag.Diagnostics, key string, got, present, want bool) {
	have := "no value"
	if present {
		have = fmt.Sprint(got)
	}
	diags.AddAttributeError(keyPath(key), "Notification API Did Not Keep the Value",
		fmt.Sprintf("The write succeeded, but the server answered with %q = %s where the plan has %v. Something on the server side keeps changing or ignoring it; run terraform plan to see the server's value.",
			key, have, want))
}

// addOtherDocument explains a resource whose provider is now configured for
// another preferences document than the one it manages.
func addOtherDocument(diags *diag.Diagnostics, own, configured string) {
	diags.AddAttributeError(path.Root("id"), "Resource Belongs to Another Preferences Document",
		fmt.Sprintf("This resource manages preferences document %q, but the provider is now configured for %q (user_id or the token changed). "+
			"Nothing was read from or written to either document. To keep managing %q, configure the provider for it again. "+
			"To manage %q instead, first stop managing %q without writing to it: a removed block with lifecycle { destroy = false }, or terraform state rm; "+
			"then declare the resource again and apply, or configure the provider for %q again and destroy to restore its earlier values.",
			own, configured, own, configured, own, own))
}

// addInvalidImportID explains an import ID other than the configured
// provider's document.
func addInvalidImportID(diags *diag.Diagnostics, d prefs.Dialect, got, want string) {
	diags.AddError("Invalid Import ID",
		fmt.Sprintf("The import ID for the %s API is %q, not %q: the provider configuration decides whose preferences these are. Run: terraform import notification_preferences.<name> %s", d, want, got, want))
}

// addRestoreWarning tells, at plan, what releasing keys will write to the
// server: each key and the value it goes back to, and which keys are only
// let go. The earlier values live in private state, so the plan itself
// shows only the keys leaving preferences. Nothing to write, no warning.
func addRestoreWarning(diags *diag.Diagnostics, what string, released prefs.Released) {
	if len(released.Writes) == 0 {
		return
	}
	lines := make([]string, 0, len(released.Writes))
	for _, k := range released.Writes.Keys() {
		lines = append(lines, fmt.Sprintf("  %s → %v", k, released.Writes[k]))
	}
	detail := fmt.Sprintf("%s writes back the values these keys had before this resource managed them:\n%s", what, strings.Join(lines, "\n"))
	if s := leftAlone(released.Left); s != "" {
		detail += "\n\n" + s
	}
	diags.AddWarning("Notification Keys Will Be Restored", detail)
}

// addReleaseWarning tells, after a release, which keys were left on the
// server as they are, and why, and which a taker remembers wrongly.
func addReleaseWarning(diags *diag.Diagnostics, summary string, released prefs.Released, moved []prefs.Moved) {
	if s := leftAlone(withoutMoved(released, moved).Left); s != "" {
		diags.AddWarning(summary, s)
	}
	for _, m := range moved {
		addMisremembered(diags, m)
	}
}

// withoutMoved returns released with the misremembered keys out of the
// handed-over ones, which the release warning says remember the earlier
// values: of these keys, that is not so.
func withoutMoved(released prefs.Released, moved []prefs.Moved) prefs.Released {
	if len(moved) == 0 {
		return released
	}
	left := maps.Clone(released.Left)
	left[prefs.HandedOver] = slices.DeleteFunc(slices.Clone(left[prefs.HandedOver]), func(k string) bool {
		return slices.ContainsFunc(moved, func(m prefs.Moved) bool { return m.Key == k })
	})
	released.Left = left
	return released
}

// leftAlone says, by reason, which keys a release leaves as they are.
func leftAlone(left map[prefs.Reason][]string) string {
	var parts []string
	for _, reason := range prefs.Reasons {
		if keys := left[reason]; len(keys) > 0 {
			parts = append(parts, fmt.Sprintf("Terraform stops managing %s here and leaves their values on the server as they are, because %s.", quoteList(keys), releaseReasons[reason]))
		}
	}
	return strings.Join(parts, " ")
}

var releaseReasons = map[prefs.Reason]string{
	prefs.Kept:       `on_destroy is "keep"`,
	prefs.Imported:   "they were imported, so there is no earlier value to restore",
	prefs.HandedOver: "another notification_preferences resource of this provider configuration manages them now, and remembers their earlier values in this one's place",
	prefs.Withdrawn:  "the server no longer has them",
}

func quoteList(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(quoted, ", ")
}

// addEarlierUnreadable explains private state this release cannot read.
func addEarlierUnreadable(diags *diag.Diagnostics, err error) {
	diags.AddWarning("Earlier Values Unreadable",
		fmt.Sprintf("The values to restore on destroy could not be read from private state (%v); keys will be left as they are on destroy.", err))
}

// addUnexpectedProviderData is a bug in the provider, never in a
// configuration.
func addUnexpectedProviderData(diags *diag.Diagnostics, data any) {
	diags.AddError("Unexpected Provider Data",
		fmt.Sprintf("Expected %T, got %T. Please report this issue to the provider developers.", (*account)(nil), data))
}

func addNotConfigured(diags *diag.Diagnostics) {
	diags.AddError("Notification Provider Not Configured",
		"The provider configuration was not known when this operation ran. Make sure endpoint and token are known before apply.")
}

// addInvalidConfiguration reports a configuration the client refused after
// clientConfig accepted it. clientConfig checks everything client.New
// does, so this is a bug in the provider, and no test can provoke it.
func addInvalidConfiguration(diags *diag.Diagnostics, err error) {
	diags.AddError("Invalid Notification Provider Configuration",
		fmt.Sprintf("%v. The provider's own checks let this configuration through: please report this issue to the provider developers.", err))
}

// addSettingError explains a provider argument that is missing or wrong,
// and where to set it.
func addSettingError(diags *diag.Diagnostics, s setting, summary, detail string) {
	diags.AddAttributeError(path.Root(s.attr), summary,
		fmt.Sprintf("%s Set the %q argument in the provider block or the %s environment variable.", detail, s.attr, s.env))
}

// addCleartextWarning warns that the token would travel unencrypted.
func addCleartextWarning(diags *diag.Diagnostics, attr, endpoint string) {
	diags.AddAttributeWarning(path.Root(attr), "Token Sent in Clear Text",
		fmt.Sprintf("The endpoint %s uses http:// to a host other than this machine, so the token travels unencrypted and anyone on the network path can read it. Use https://.", endpoint))
}

// addNoKeysUnder explains a list block's key_prefixes that leave nothing
// to declare, naming the groups of keys there are: a resource with no key
// would not even validate.
func addNoKeysUnder(diags *diag.Diagnostics, prefixes []string, doc prefs.Document) {
	var groups []string
	for _, k := range doc.Keys() {
		g := k[:strings.LastIndex(k, ".")+1]
		if len(groups) == 0 || groups[len(groups)-1] != g {
			groups = append(groups, g)
		}
	}
	diags.AddAttributeError(path.Root("key_prefixes"), "No Notification Keys Match key_prefixes",
		fmt.Sprintf("No key that users may change starts with %s, so there is nothing to declare. The document's keys start with %s: use one of these, or leave key_prefixes out to declare every key.",
			quoteList(prefixes), quoteList(groups)))
}
