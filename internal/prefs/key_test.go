package prefs

import (
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		dialect Dialect
		key     string
		wantErr string
	}{
		{V1, "email.weekly_usage_digest", ""},
		{V1, "in_app.product_updates", ""},
		{V1, "email2.x_1", ""},
		{VastAI, "client.low_credit.email", ""},
		{V1, "email", "has 1 segment(s); a v1 key has 2"},
		{V1, "client.low_credit.email", "has 3 segment(s); a v1 key has 2"},
		{VastAI, "email.weekly_usage_digest", "has 2 segment(s); a vastai key has 3"},
		{V1, "email.", "segment 2 is empty"},
		{V1, ".email", "segment 1 is empty"},
		{V1, "", "has 1 segment(s)"},
		{V1, "Email.digest", `segment 1 "Email" has 'E'`},
		{V1, "email.weekly-digest", `has '-'`},
		{V1, "email.week ly", `has ' '`},
		{VastAI, "client..email", "segment 2 is empty"},
		{V1, "émail.x", `has 'é'`},
	}
	for _, tt := range tests {
		t.Run(string(tt.dialect)+"/"+tt.key, func(t *testing.T) {
			_, err := tt.dialect.ParseKey(tt.key)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseKey(%q) = %v, want no error", tt.key, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseKey(%q) = %v, want error containing %q", tt.key, err, tt.wantErr)
			}
		})
	}
}

func TestCheckKeySyntax(t *testing.T) {
	tests := map[string]bool{
		"email.product_updates":   true,
		"client.low_credit.email": true,
		"a":                       false,
		"a.b.c.d":                 false,
		"a..b":                    false,
		"A.b":                     false,
	}
	for key, ok := range tests {
		if err := CheckKeySyntax(key); (err == nil) != ok {
			t.Errorf("CheckKeySyntax(%q) = %v, want ok=%v", key, err, ok)
		}
	}
}

func TestParseDialect(t *testing.T) {
	for _, s := range []string{"v1", "vastai"} {
		if d, err := ParseDialect(s); err != nil || string(d) != s {
			t.Errorf("ParseDialect(%q) = %q, %v", s, d, err)
		}
	}
	var unknown Dialect = "v2"
	if _, err := unknown.ParseKey("email.weekly_usage_digest"); err == nil || !strings.Contains(err.Error(), `unknown API dialect "v2"`) {
		t.Errorf("an unknown dialect parsed a key: %v", err)
	}
	if _, err := unknown.Flatten(map[string]any{"email": map[string]any{"x": true}}); err == nil {
		t.Error("an unknown dialect flattened a document")
	}
	if _, err := ParseDialect("vast"); err == nil || !strings.Contains(err.Error(), `"v1" or "vastai"`) {
		t.Errorf("ParseDialect(vast) = %v, want the valid choices named", err)
	}
}
