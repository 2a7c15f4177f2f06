package credentials

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParseToken: whatever a token file holds, a command prints or a JWT
// carries, parsing never panics, gives a token or a *FetchError, never
// quotes a token it refused, and reads a JWT's exp without verifying.
func FuzzParseToken(f *testing.F) {
	for _, seed := range []string{
		"tok-1\n",
		`{"token": "tok-2", "expires_at": "2026-03-04T05:07:07Z"}`,
		`{"token": "tok-3", "expires_at": 1772600827.5}`,
		"\ufeffeyJhbGciOiJFUzI1NksifQ.eyJleHAiOjE3NzI2MDA4Mjd9.c2ln",
		"eyJ0eXAiOiJKV1QifQ==.eyJleHAiOjE3NzI2MDA4MjcsImlhdCI6MTc3MjYwMDc2N30=.",
		"\xff\xfet\x00o\x00k\x00",
		`{"token": `,
		"two words",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		value, expiresAt, err := parseOutput(out)
		if err != nil {
			var fe *FetchError
			if !errors.As(err, &fe) || value != "" || !expiresAt.IsZero() {
				t.Fatalf("%q: %v (%T), %q", out, err, err, value)
			}
			if s := strings.TrimSpace(string(out)); len(s) >= 8 && !strings.ContainsAny(s, " \t\n{}\"") && strings.Contains(err.Error(), s) {
				t.Fatalf("the error quotes the output: %v", err)
			}
		} else if value == "" || strings.ContainsAny(value, " \t\r\n") {
			t.Fatalf("%q gave the token %q", out, value)
		}
		tok := newToken(string(out), time.Time{}, t0)
		_ = tok.due(t0)
		_ = MaskSecrets(string(out), value)
	})
}
