package credentials

import (
	"regexp"
	"strings"
	"unicode"
)

// Masked is what a masked secret reads as.
const Masked = "***"

var (
	// A scheme and its credentials: Authorization: Bearer …, Basic ….
	schemeValue = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[^\s"',;]+`)
	// The value of key=…, "secret": … and the like.
	namedSecret = regexp.MustCompile(`(?i)((?:token|secret|key|password|passwd|pwd|authorization|auth|credentials?|session)["']?\s*[:=]\s*["']?)(?:(?:bearer|basic)\s+)?[^\s"',;]+`)
	// Three base64url segments: a JWT, whatever it holds.
	jwtShaped = regexp.MustCompile(`[A-Za-z0-9_=-]{4,}\.[A-Za-z0-9_=-]{4,}\.[A-Za-z0-9_=-]*`)
	// Keys whose prefix names them: GitHub, Stripe, Slack, GitLab, AWS,
	// whatever follows (letters only included).
	prefixedKey = regexp.MustCompile(`\b(?:gh[pousr]_|github_pat_|sk_|pk_|rk_|xox[abprs]-|glpat-|AKIA|ASIA)[A-Za-z0-9_-]{6,}`)
	// Padded base64: the padding says it is encoded, short or not (and
	// not key= of key=value, which a token character follows).
	paddedBase64 = regexp.MustCompile(`[A-Za-z0-9+/_-]{6,}={1,2}($|[^A-Za-z0-9+/=_*-])`)
	// A run of the characters tokens are made of, . and ~ included.
	opaqueRun = regexp.MustCompile(`[A-Za-z0-9_+/~.=-]{16,}`)
)

// MaskSecrets replaces with *** the known tokens and whatever looks like a
// credential: a JWT, the value after Bearer or Basic, the value of
// key=… or "secret": …, keys with a known prefix, padded base64, and runs
// of sixteen or more token characters that mix letters and digits.
// Known tokens go first, before anything cuts or rewrites the text; the
// longest first, so that a token holding another is masked whole.
func MaskSecrets(s string, known ...string) string {
	for _, k := range longestFirst(known) {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, Masked)
		}
	}
	s = schemeValue.ReplaceAllString(s, "${1}${2}"+Masked)
	s = namedSecret.ReplaceAllString(s, "${1}"+Masked)
	s = jwtShaped.ReplaceAllStringFunc(s, maskUnlessWords)
	s = prefixedKey.ReplaceAllString(s, Masked)
	s = paddedBase64.ReplaceAllString(s, Masked+"${1}")
	return opaqueRun.ReplaceAllStringFunc(s, maskUnlessWords)
}

// maskUnlessWords masks a run unless it reads as words, a path or a host
// name rather than a secret: it must mix letters and digits, and not start
// as a path does.
func maskUnlessWords(w string) string {
	if strings.HasPrefix(w, "/") || strings.HasPrefix(w, ".") || strings.Contains(w, "//") {
		return w
	}
	if strings.Contains(w, Masked) || !strings.ContainsAny(w, "0123456789") || strings.IndexFunc(w, unicode.IsLetter) < 0 {
		return w
	}
	return Masked
}

func longestFirst(known []string) []string {
	sorted := append([]string(nil), known...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && len(sorted[j]) > len(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	return sorted
}
