package prefs

import (
	"fmt"
	"strings"
)

// ParseKey checks that s is a dotted key of the dialect's depth whose
// segments are made of [a-z0-9_]. The returned error says which rule was
// broken, so it can be shown to a user as is.
func (d Dialect) ParseKey(s string) ([]string, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	segments := strings.Split(s, ".")
	if len(segments) != d.Depth() {
		return nil, fmt.Errorf("key %q has %d segment(s); a %s key has %d, like %q",
			s, len(segments), d, d.Depth(), d.Example())
	}
	for i, seg := range segments {
		if err := checkSegment(seg); err != nil {
			return nil, fmt.Errorf("key %q: segment %d %w", s, i+1, err)
		}
	}
	return segments, nil
}

// CheckKeySyntax checks the parts of a key that do not depend on the
// dialect: segments of [a-z0-9_], and the depth of one of the dialects. It
// lets configuration be validated before the provider is configured.
func CheckKeySyntax(s string) error {
	segments := strings.Split(s, ".")
	fits := false
	var examples []string
	for _, d := range Dialects {
		fits = fits || len(segments) == d.Depth()
		examples = append(examples, fmt.Sprintf("%q (%s)", d.Example(), d))
	}
	if !fits {
		return fmt.Errorf("key %q has %d segment(s); keys are dotted paths like %s",
			s, len(segments), strings.Join(examples, " or "))
	}
	for i, seg := range segments {
		if err := checkSegment(seg); err != nil {
			return fmt.Errorf("key %q: segment %d %w", s, i+1, err)
		}
	}
	return nil
}

func checkSegment(seg string) error {
	if seg == "" {
		return fmt.Errorf("is empty")
	}
	for _, r := range seg {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return fmt.Errorf("%q has %q; use only lowercase letters, digits and underscores", seg, r)
		}
	}
	return nil
}
