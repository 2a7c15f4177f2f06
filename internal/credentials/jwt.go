package credentials

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// claims is what a JWT says of its lifetime.
type claims struct {
	exp, iat time.Time
}

// readClaims decodes a JWT's payload, whatever its header says: the alg
// (ES256K, none, or missing) does not matter to a reader that never
// verifies. Segments may carry base64 padding. ok is false for anything
// that is not three dot-separated segments with a JSON object in the
// middle one.
func readClaims(value string) (c claims, ok bool) {
	parts := strings.Split(value, ".")
	if len(parts) != 3 || parts[1] == "" {
		return claims{}, false
	}
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return claims{}, false
	}
	var raw struct {
		Exp json.RawMessage `json:"exp"`
		Iat json.RawMessage `json:"iat"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if dec.Decode(&raw) != nil {
		return claims{}, false
	}
	c.exp, c.iat = numericDate(raw.Exp), numericDate(raw.Iat)
	return c, true
}

// decodeSegment decodes base64url, padded or not (and, leniently, the
// standard alphabet, which some hand-rolled issuers use).
func decodeSegment(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// numericDate reads a JWT NumericDate: seconds since the Unix epoch, whole
// or fractional. Anything else, or a value beyond any plausible date, is
// the zero time.
func numericDate(raw json.RawMessage) time.Time {
	var f float64
	if len(raw) == 0 || json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}
