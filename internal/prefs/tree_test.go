package prefs

import (
	"reflect"
	"testing"
)

func TestFlattenTree(t *testing.T) {
	tests := []struct {
		name string
		tree map[string]any
		want Document
		err  string
	}{
		{"v1 document", map[string]any{"email": map[string]any{"weekly_usage_digest": true, "product_updates": false}},
			Document{"email.weekly_usage_digest": true, "email.product_updates": false}, ""},
		{"vastai document", map[string]any{"client": map[string]any{"low_credit": map[string]any{"email": true}}},
			Document{"client.low_credit.email": true}, ""},
		{"top-level bool", map[string]any{"flag": true}, Document{"flag": true}, ""},
		{"string leaf", map[string]any{"email": map[string]any{"weekly_usage_digest": "yes"}}, nil,
			"email.weekly_usage_digest: expected a bool, got a string"},
		{"null leaf", map[string]any{"email": map[string]any{"weekly_usage_digest": nil}}, nil,
			"email.weekly_usage_digest: expected a bool, got null"},
		{"number leaf", map[string]any{"email": 1.0}, nil, "email: expected a bool, got a number"},
		{"empty segment", map[string]any{"email": map[string]any{"": true}}, nil, "email: empty name"},
		{"dotted name", map[string]any{"email.x": true}, nil, "email.x: a name may not contain a dot"},
		{"empty object", map[string]any{"email": map[string]any{}}, nil, "email: expected a bool or an object of them, got an empty object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FlattenTree(tt.tree)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("FlattenTree = %v, %v; want %v", got, err, tt.want)
			}
			back, err := got.NestTree()
			if err != nil || !reflect.DeepEqual(back, tt.tree) {
				t.Fatalf("NestTree = %v, %v; want the tree back %v", back, err, tt.tree)
			}
		})
	}
}

func TestNestTreeRefusesWhatIsNoTree(t *testing.T) {
	for doc, want := range map[*Document]string{
		{"email..digest": true}:           "email..digest: segment 2 is empty",
		{"email": true, "email.x": false}: "email: a key cannot be both a bool and an object (email.x)",
		{".x": true}:                      ".x: segment 1 is empty",
	} {
		if _, err := doc.NestTree(); err == nil || err.Error() != want {
			t.Errorf("NestTree(%v) = %v, want %q", *doc, err, want)
		}
	}
}
