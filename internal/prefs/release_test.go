package prefs

import (
	"maps"
	"reflect"
	"slices"
	"testing"
)

// among reports whether a key is one of keys: another resource's
// declarations, say.
func among(keys ...string) func(string) bool {
	return func(k string) bool { return slices.Contains(keys, k) }
}

func TestReleaseDecide(t *testing.T) {
	tests := []struct {
		name    string
		release Release
		want    Released
	}{
		{
			name: "earlier values go back where they differ",
			release: Release{
				Keys:    []string{"email.a", "email.b"},
				Current: Document{"email.a": true, "email.b": false},
				Earlier: Document{"email.a": false, "email.b": false, "email.c": true},
			},
			want: Released{
				Writes:  Document{"email.a": false},
				Earlier: Document{"email.c": true},
			},
		},
		{
			name: "a key the current document lacks is written back",
			release: Release{
				Keys:    []string{"email.a"},
				Current: Document{},
				Earlier: Document{"email.a": true},
			},
			want: Released{Writes: Document{"email.a": true}, Earlier: Document{}},
		},
		{
			name: "keep leaves every key and forgets it",
			release: Release{
				Keys:    []string{"email.a", "email.b"},
				Current: Document{"email.a": true, "email.b": true},
				Earlier: Document{"email.a": false, "email.b": false},
				Keep:    true,
			},
			want: Released{
				Left:    map[Reason][]string{Kept: {"email.a", "email.b"}},
				Earlier: Document{},
			},
		},
		{
			name: "an imported key has no earlier value to write",
			release: Release{
				Keys:    []string{"email.a"},
				Current: Document{"email.a": true},
				Earlier: Document{},
			},
			want: Released{Left: map[Reason][]string{Imported: {"email.a"}}, Earlier: Document{}},
		},
		{
			name: "a key declared elsewhere is handed over with its earlier value",
			release: Release{
				Keys:     []string{"email.a", "email.b"},
				Current:  Document{"email.a": true, "email.b": true},
				Earlier:  Document{"email.a": false, "email.b": false},
				Declared: among("email.a"),
			},
			want: Released{
				Writes:   Document{"email.b": false},
				Left:     map[Reason][]string{HandedOver: {"email.a"}},
				HandOver: Document{"email.a": false},
				Earlier:  Document{},
			},
		},
		{
			name: "hand-over wins over keep: the new owner remembers",
			release: Release{
				Keys:     []string{"email.a"},
				Current:  Document{"email.a": true},
				Earlier:  Document{"email.a": false},
				Keep:     true,
				Declared: among("email.a"),
			},
			want: Released{
				Left:     map[Reason][]string{HandedOver: {"email.a"}},
				HandOver: Document{"email.a": false},
				Earlier:  Document{},
			},
		},
		{
			name: "an imported key declared elsewhere hands over nothing",
			release: Release{
				Keys:     []string{"email.a"},
				Current:  Document{"email.a": true},
				Earlier:  Document{},
				Declared: among("email.a"),
			},
			want: Released{Left: map[Reason][]string{HandedOver: {"email.a"}}, Earlier: Document{}},
		},
		{
			name: "a withdrawn key is never written, even when declared elsewhere",
			release: Release{
				Keys:      []string{"email.a", "email.b"},
				Current:   Document{"email.a": true, "email.b": true},
				Earlier:   Document{"email.a": false, "email.b": false},
				Withdrawn: []string{"email.a"},
				Declared:  among("email.a"),
			},
			want: Released{
				Writes:  Document{"email.b": false},
				Left:    map[Reason][]string{Withdrawn: {"email.a"}},
				Earlier: Document{},
			},
		},
		{
			name: "keys are reported in order",
			release: Release{
				Keys:    []string{"email.c", "email.a", "email.b"},
				Current: Document{},
				Earlier: Document{},
			},
			want: Released{Left: map[Reason][]string{Imported: {"email.a", "email.b", "email.c"}}, Earlier: Document{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			earlierBefore := maps.Clone(tt.release.Earlier)
			got := tt.release.Decide()
			want := tt.want
			if want.Writes == nil {
				want.Writes = Document{}
			}
			if want.Left == nil {
				want.Left = map[Reason][]string{}
			}
			if want.HandOver == nil {
				want.HandOver = Document{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Decide() =\n  %+v\nwant\n  %+v", got, want)
			}
			if !maps.Equal(tt.release.Earlier, earlierBefore) {
				t.Errorf("Decide changed its input: Earlier is %v, was %v", tt.release.Earlier, earlierBefore)
			}
		})
	}
}

func TestAdopt(t *testing.T) {
	current := Document{"email.a": true, "email.b": false}
	tests := []struct {
		name       string
		keys       []string
		handedOver Document
		want       Document
	}{
		{"the server's value now", []string{"email.a", "email.b"}, nil, Document{"email.a": true, "email.b": false}},
		{"a handed-over value wins", []string{"email.a"}, Document{"email.a": false}, Document{"email.a": false}},
		{"a key the server lacks has none", []string{"email.z"}, nil, Document{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Adopt(tt.keys, current, tt.handedOver); !maps.Equal(got, tt.want) {
				t.Errorf("Adopt(%v) = %v, want %v", tt.keys, got, tt.want)
			}
		})
	}
}

// What a resource whose write failed still manages of the keys it lets go.
func TestUnreleased(t *testing.T) {
	r := Release{Keys: []string{"email.back", "email.handed", "email.kept", "email.taken"}}
	landed := &Released{
		Writes: Document{"email.back": false},
		Left:   map[Reason][]string{HandedOver: {"email.handed"}, Withdrawn: {"email.kept"}},
	}
	walk := Walk{Landed: Document{"email.taken": true}}
	tests := []struct {
		name   string
		landed *Released
		sure   bool
		want   []string
	}{
		{"landed: every key let go is gone", landed, true, nil},
		{"answer lost: only a written-back key stays, the rest wrote nothing", landed, false, []string{"email.back"}},
		{"nothing landed: all stay but one a landed taker holds", nil, false, []string{"email.back", "email.handed", "email.kept"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Unreleased(tt.landed, tt.sure, walk); !slices.Equal(got, tt.want) {
				t.Fatalf("Unreleased = %v, want %v", got, tt.want)
			}
		})
	}
}
