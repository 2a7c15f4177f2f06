package credentials

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxOutput bounds what is read of a command's standard output or of a
// token file: a token is a few kilobytes at most, and a command that
// floods its output must neither exhaust memory nor have the flood sent
// as a header.
const MaxOutput = 64 << 10

// tooLong is the detail of output past MaxOutput.
var tooLong = fmt.Sprintf("it is longer than %d KiB, the most a token may be", MaxOutput>>10)

// parseOutput reads a command's standard output or a file: the token
// alone, surrounding whitespace trimmed, or {"token": "…", "expires_at":
// "<RFC 3339>" or Unix seconds}. Text as editors and shells write it is
// understood: a UTF-8 byte order mark, or UTF-16 with its mark (what
// PowerShell's > writes). Its errors never quote the output.
func parseOutput(out []byte) (string, time.Time, error) {
	if len(out) > MaxOutput {
		return "", time.Time{}, &FetchError{Problem: OutputUnreadable, Detail: tooLong}
	}
	s, ok := decodeText(out)
	if !ok {
		return "", time.Time{}, &FetchError{Problem: OutputUnreadable, Detail: "it is not text in UTF-8, or UTF-16 with a byte order mark"}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", time.Time{}, &FetchError{Problem: NoToken}
	}
	var expiresAt time.Time
	if strings.HasPrefix(s, "{") {
		var v struct {
			Token     string          `json:"token"`
			ExpiresAt json.RawMessage `json:"expires_at"`
		}
		if json.Unmarshal([]byte(s), &v) != nil {
			return "", time.Time{}, &FetchError{Problem: OutputUnreadable, Detail: `it starts with "{" but is not a JSON object of the shape {"token": "…", "expires_at": "<RFC 3339>"}`}
		}
		var err error
		if expiresAt, err = parseExpiresAt(v.ExpiresAt); err != nil {
			return "", time.Time{}, err
		}
		if s = strings.TrimSpace(v.Token); s == "" {
			return "", time.Time{}, &FetchError{Problem: NoToken, Detail: `its JSON has no "token"`}
		}
	}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return "", time.Time{}, &FetchError{Problem: OutputUnreadable, Detail: "it holds more than one word, and a token is one"}
		case r < 0x21 || r > 0x7e:
			// An HTTP header carries printable ASCII; anything else is
			// not a token, and would be refused as a header.
			return "", time.Time{}, &FetchError{Problem: OutputUnreadable, Detail: "it holds characters no token has (control characters or non-ASCII)"}
		}
	}
	return s, expiresAt, nil
}

// parseExpiresAt reads expires_at: an RFC 3339 time, or Unix seconds as a
// JSON number. Absent or null is no expiry.
func parseExpiresAt(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	bad := func() (time.Time, error) {
		shown := string(raw)
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		return time.Time{}, &FetchError{Problem: OutputUnreadable, Detail: fmt.Sprintf("expires_at %s is neither an RFC 3339 time such as \"2026-01-02T15:04:05Z\" nor Unix seconds such as 1767366245", shown)}
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			return bad()
		}
		return t, nil
	}
	if t := numericDate(raw); !t.IsZero() {
		return t, nil // Unix seconds, as a JWT's exp
	}
	return bad()
}

// decodeText returns b as a string: UTF-8, its byte order mark dropped,
// or UTF-16 of either byte order when it starts with its mark.
func decodeText(b []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		b = b[3:]
	case len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || b[0] == 0xfe && b[1] == 0xff):
		little := b[0] == 0xff
		b = b[2:]
		units := make([]uint16, len(b)/2)
		for i := range units {
			if little {
				units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		if len(b)%2 != 0 {
			return "", false
		}
		return string(utf16.Decode(units)), true
	}
	return string(b), utf8.Valid(b)
}
