// Package prefs is the domain of notification preferences: dotted keys, the
// flat documents built from them, the changes between two documents and the
// suggestions offered for a misspelt key. It knows no HTTP and no Terraform.
package prefs

import "fmt"

// Dialect is one of the two wire dialects the provider speaks. It decides how
// deep a key is and which keys users may never change.
type Dialect string

const (
	// V1 is the partial-PATCH API: {channel: {toggle: bool}}.
	V1 Dialect = "v1"
	// VastAI is Vast.ai's full-PUT API: {group: {event: {channel: bool}}}.
	VastAI Dialect = "vastai"
)

// Dialects lists every supported dialect, default first.
var Dialects = []Dialect{V1, VastAI}

// ParseDialect accepts the configuration spelling of a dialect.
func ParseDialect(s string) (Dialect, error) {
	for _, d := range Dialects {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("unknown API dialect %q: expected one of %q or %q", s, V1, VastAI)
}

// Depth is the number of segments in every key of the dialect.
func (d Dialect) Depth() int {
	if d == VastAI {
		return 3
	}
	return 2
}

// Example is a well-formed key of the dialect, used in error messages so a
// user sees the expected shape rather than a grammar.
func (d Dialect) Example() string {
	if d == VastAI {
		return "client.low_credit.email"
	}
	return "email.weekly_usage_digest"
}

// Locked reports whether the API refuses to let users set key to value, and
// why. The v1 API documents email.security_alerts as immutable whatever the
// value; Vast.ai documents some emails as mandatory, which means they may be
// switched on (a no-op) but never off. Knowing these lets a plan fail before
// any write is attempted.
func (d Dialect) Locked(key string, value bool) (string, bool) {
	switch {
	case d == V1 && key == "email.security_alerts":
		return "critical security alerts are not user-toggleable", true
	case d == VastAI && key == "client.billing_failed.email" && !value:
		return "billing failure emails are mandatory and cannot be turned off", true
	}
	return "", false
}
