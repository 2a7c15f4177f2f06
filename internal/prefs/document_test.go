package prefs

import (
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFlatten(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		json    string
		want    Document
		wantErr string
	}{
		{"v1", V1, `{"email":{"a":true,"b":false},"in_app":{"c":true}}`,
			Document{"email.a": true, "email.b": false, "in_app.c": true}, ""},
		{"vastai", VastAI, `{"client":{"low_credit":{"email":true,"webhooks":false}}}`,
			Document{"client.low_credit.email": true, "client.low_credit.webhooks": false}, ""},
		{"empty", V1, `{}`, Document{}, ""},
		{"empty channel", V1, `{"email":{}}`, Document{}, ""},
		{"leaf null", V1, `{"email":{"a":null}}`, nil, `null at "email.a" where a boolean`},
		{"leaf string", V1, `{"email":{"a":"yes"}}`, nil, `a string at "email.a"`},
		{"too shallow", V1, `{"email":true}`, nil, `a boolean at "email" where an object`},
		{"too deep", V1, `{"email":{"a":{"b":true}}}`, nil, `an object at "email.a" where a boolean`},
		{"vast too shallow", VastAI, `{"client":{"low_credit":true}}`, nil, `at "client.low_credit" where an object`},
		{"array", V1, `{"email":[true]}`, nil, `an array at "email"`},
		{"number", V1, `{"email":{"a":1}}`, nil, `a number at "email.a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.dialect.Flatten(decode(t, tt.json))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNestRoundTrip(t *testing.T) {
	for _, d := range Dialects {
		var doc Document
		if d == V1 {
			doc = Document{"email.a": true, "email.b": false, "in_app.a": false}
		} else {
			doc = Document{"client.x.email": true, "client.x.webhooks": false, "host.y.email": true}
		}
		back, err := d.Flatten(doc.Nest())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, doc) {
			t.Errorf("%s: round trip = %v, want %v", d, back, doc)
		}
	}
}

func TestOverlayLeavesOriginal(t *testing.T) {
	doc := Document{"email.a": true, "email.b": true}
	out := doc.Overlay(Document{"email.a": false})
	if doc["email.a"] != true || out["email.a"] != false || out["email.b"] != true {
		t.Fatalf("doc=%v out=%v", doc, out)
	}
}

func TestWithout(t *testing.T) {
	doc := Document{"a.b": true, "a.c": false}
	got := doc.Without([]string{"a.b", "x.y"})
	if len(got) != 1 || got["a.c"] != false || len(doc) != 2 {
		t.Fatalf("Without = %v (doc now %v), want only a.c and doc untouched", got, doc)
	}
}

func TestUnder(t *testing.T) {
	doc := Document{"email.a": true, "email.b": false, "sms.a": true, "emails.x": true}
	tests := []struct {
		name     string
		prefixes []string
		want     Document
	}{
		{"no prefixes keep every key", nil, doc},
		{"a channel", []string{"email."}, Document{"email.a": true, "email.b": false}},
		{"a prefix is a prefix of the key, not of a segment", []string{"email"}, Document{"email.a": true, "email.b": false, "emails.x": true}},
		{"several prefixes, a key counted once", []string{"email.", "email.a", "sms."}, Document{"email.a": true, "email.b": false, "sms.a": true}},
		{"a whole key", []string{"sms.a"}, Document{"sms.a": true}},
		{"nothing matches", []string{"push."}, Document{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := doc.Under(tt.prefixes)
			if !maps.Equal(got, tt.want) {
				t.Fatalf("Under(%q) = %v, want %v", tt.prefixes, got, tt.want)
			}
			got["new"] = true
			if _, ok := doc["new"]; ok {
				t.Fatal("Under wrote to the document it was given")
			}
		})
	}
}
