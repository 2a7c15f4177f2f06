package client

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	date := time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		retryAfter string
		hi         time.Duration
		lo, up     time.Duration // the wait must fall in [lo, up]
	}{
		{"12", time.Minute, 12 * time.Second, 12 * time.Second},
		{"0", time.Minute, 0, 0},
		{past, time.Minute, 0, 0},                                  // a date in the past means now
		{"120", 5 * time.Second, 5 * time.Second, 5 * time.Second}, // capped
		{date, time.Minute, 18 * time.Second, 20 * time.Second},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {tt.retryAfter}}, Body: http.NoBody}
		got := backoff(time.Second, tt.hi, 0, resp)
		resp.Body.Close()
		if got < tt.lo || got > tt.up {
			t.Errorf("Retry-After %q, cap %v: waited %v, want [%v, %v]", tt.retryAfter, tt.hi, got, tt.lo, tt.up)
		}
	}
	for attempt, ceiling := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		for range 50 {
			got := backoff(time.Second, 8*time.Second, attempt, nil)
			if got < ceiling/2 || got > ceiling {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, got, ceiling/2, ceiling)
			}
		}
	}
	if got := backoff(time.Second, 8*time.Second, 1000, nil); got < 4*time.Second || got > 8*time.Second {
		t.Errorf("huge attempt overflowed: %v", got)
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := map[string]string{
		"https://api.example.com":       "https://api.example.com",
		"https://api.example.com/":      "https://api.example.com",
		"http://127.0.0.1:8080/prefix/": "http://127.0.0.1:8080/prefix",
		"api.example.com":               "",
		"ftp://api.example.com":         "",
		"https://":                      "",
		"https://a.com/?x=1":            "",
		"::nonsense":                    "",
	}
	for in, want := range tests {
		got, err := ParseEndpoint(in)
		if (err == nil) != (want != "") || got != want {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
