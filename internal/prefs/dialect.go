// Package prefs is the domain of notification preferences: dotted keys, the
// flat documents built from them, the changes between two documents and the
// suggestions offered for a misspelt key. It knows no HTTP and no Terraform.
package prefs

import (
	"fmt"
	"strings"
)

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

// shapes is what a dialect's keys look like: how many segments, and an
// example shown in error messages, so a user sees the expected shape
// rather than a grammar. A dialect missing here has no keys at all.
var shapes = map[Dialect]struct {
	depth   int
	example string
}{
	V1:     {2, "email.weekly_usage_digest"},
	VastAI: {3, "client.low_credit.email"},
}

// ParseDialect accepts the configuration spelling of a dialect.
func ParseDialect(s string) (Dialect, error) {
	for _, d := range Dialects {
		if string(d) == s {
			return d, nil
		}
	}
	quoted := make([]string, len(Dialects))
	for i, d := range Dialects {
		quoted[i] = fmt.Sprintf("%q", d)
	}
	return "", fmt.Errorf("unknown API dialect %q: expected one of %s", s, strings.Join(quoted, " or "))
}

// check returns ParseDialect's error for a dialect that is not one of
// Dialects, such as the zero Dialect.
func (d Dialect) check() error {
	_, err := ParseDialect(string(d))
	return err
}

// Depth is the number of segments in every key of the dialect; 0 for an
// unknown dialect, which has no keys.
func (d Dialect) Depth() int {
	return shapes[d].depth
}

// Example is a well-formed key of the dialect; empty for an unknown one.
func (d Dialect) Example() string {
	return shapes[d].example
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
