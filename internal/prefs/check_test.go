package prefs

import (
	"reflect"
	"testing"
)

var v1Catalogue = Document{
	"email.product_updates":     true,
	"email.delivery_alerts":     true,
	"email.billing_receipts":    true,
	"email.weekly_usage_digest": false,
}

func TestChanges(t *testing.T) {
	got := Changes(v1Catalogue, Document{
		"email.product_updates":     true,  // same: not written
		"email.weekly_usage_digest": true,  // differs
		"in_app.product_updates":    false, // absent on the server: written
	})
	want := Document{"email.weekly_usage_digest": true, "in_app.product_updates": false}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Changes = %v, want %v", got, want)
	}
	if n := len(Changes(v1Catalogue, v1Catalogue)); n != 0 {
		t.Fatalf("Changes of equal documents has %d keys", n)
	}
}

func TestSelect(t *testing.T) {
	found, missing := Select(v1Catalogue, []string{"email.product_updates", "email.gone"})
	if !reflect.DeepEqual(found, Document{"email.product_updates": true}) || !reflect.DeepEqual(missing, []string{"email.gone"}) {
		t.Fatalf("found=%v missing=%v", found, missing)
	}
}

func TestAddedRemoved(t *testing.T) {
	prior := Document{"email.a": true, "email.b": true}
	desired := Document{"email.b": false, "email.d": true, "email.c": true}
	if got := Added(prior, desired); !reflect.DeepEqual(got, []string{"email.c", "email.d"}) {
		t.Fatalf("added = %v", got)
	}
	if got := Removed(prior, desired); !reflect.DeepEqual(got, []string{"email.a"}) {
		t.Fatalf("removed = %v", got)
	}
	if got := Added(prior, prior); len(got) != 0 {
		t.Fatalf("Added of equal documents = %v", got)
	}
}

func TestCheck(t *testing.T) {
	desired := Document{
		"email.product_updates":    false,
		"email.weekly_usage_digst": true,
		"email.security_alerts":    false,
		"email.Bad":                true,
		"in_app.product_updates":   true,
	}
	got := V1.Check(desired, v1Catalogue)
	want := []Problem{
		{Key: "email.Bad", Kind: Malformed, Reason: `key "email.Bad": segment 2 "Bad" has 'B'; use only lowercase letters, digits and underscores`},
		{Key: "email.security_alerts", Kind: Locked, Reason: "critical security alerts are not user-toggleable"},
		{Key: "email.weekly_usage_digst", Kind: Unknown, Reason: "the server does not know this key", Suggestion: "email.weekly_usage_digest"},
		{Key: "in_app.product_updates", Kind: Unknown, Reason: "the server does not know this key"}, // too far from any key to suggest one
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Check =\n%#v\nwant\n%#v", got, want)
	}
	// Without the server's document only the offline checks run.
	if got := V1.Check(desired, nil); len(got) != 2 {
		t.Fatalf("offline Check = %v, want the malformed and locked keys only", got)
	}
}

func TestCheckMandatoryOnlyWhenTurnedOff(t *testing.T) {
	cat := Document{"client.billing_failed.email": true}
	if p := VastAI.Check(Document{"client.billing_failed.email": true}, cat); len(p) != 0 {
		t.Fatalf("switching a mandatory email on is a no-op, got %v", p)
	}
	p := VastAI.Check(Document{"client.billing_failed.email": false}, cat)
	if len(p) != 1 || p[0].Kind != Locked {
		t.Fatalf("got %v, want one Locked problem", p)
	}
}

func TestMutable(t *testing.T) {
	doc := Document{"client.billing_failed.email": true, "client.low_credit.email": true}
	if got := VastAI.Mutable(doc); !reflect.DeepEqual(got, Document{"client.low_credit.email": true}) {
		t.Fatalf("Mutable = %v", got)
	}
}

func TestClosest(t *testing.T) {
	cands := v1Catalogue.Keys()
	tests := []struct {
		key, want string
		ok        bool
	}{
		{"email.weekly_usage_digst", "email.weekly_usage_digest", true},
		{"email.product_update", "email.product_updates", true},
		{"emial.delivery_alerts", "email.delivery_alerts", true},
		{"sms.totally_different_thing", "", false},
		{"x.y", "", false},
	}
	for _, tt := range tests {
		got, ok := Closest(tt.key, cands)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Closest(%q) = %q,%v want %q,%v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "abd", 1}, {"abc", "ab", 1}, {"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b, 10); got != tt.want {
			t.Errorf("distance(%q,%q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := distance("aaaaaaaa", "bbbbbbbb", 2); got <= 2 {
		t.Errorf("bounded distance = %d, want more than the bound", got)
	}
}
