package prefs

import (
	"reflect"
	"testing"
)

// The interleavings of writes that share a document, each as the batch
// the queue forms when it comes to them.
func TestDecide(t *testing.T) {
	// a lets k go; its earlier value, from before Terraform, is false.
	letGo := func(alone bool) Write {
		return Write{Release: &Release{Keys: []string{"email.k"}, Earlier: Document{"email.k": false}}, Alone: alone}
	}
	// b takes k over, declaring it true.
	takeOver := func(alone bool) Write {
		return Write{Hold: Document{"email.k": true}, Adopt: []string{"email.k"}, Alone: alone}
	}
	tests := []struct {
		name  string
		base  Document
		queue []Write
		walk  Walk
		want  Batch
	}{
		{
			name:  "a write queued behind a request whose answer changed a key it declares sends that key",
			base:  Document{"email.a": false, "email.b": true}, // the answer: someone turned email.a off
			queue: []Write{{Hold: Document{"email.a": true, "email.b": true}}},
			want: Batch{Writes: []int{0}, Send: Document{"email.a": true}, Hold: Document{"email.a": true, "email.b": true},
				Outcomes: []Outcome{{Send: Document{"email.a": true}}}},
		},
		{
			name:  "a write the document already holds sends nothing",
			base:  Document{"email.a": true},
			queue: []Write{{Hold: Document{"email.a": true}}},
			want: Batch{Writes: []int{0}, Send: Document{}, Hold: Document{"email.a": true},
				Outcomes: []Outcome{{Send: Document{}}}},
		},
		{
			name:  "a key moved within one batch is handed over and remembers the earlier value",
			base:  Document{"email.k": true},
			queue: []Write{letGo(false), takeOver(false)},
			want: Batch{Writes: []int{0, 1}, Send: Document{}, Hold: Document{"email.k": true},
				Outcomes: []Outcome{
					{Send: Document{}, Released: Released{
						Writes: Document{}, Left: map[Reason][]string{HandedOver: {"email.k"}}, HandOver: Document{"email.k": false}, Earlier: Document{}}},
					{Send: Document{}, Earlier: Document{"email.k": false}},
				}},
		},
		{
			name:  "a key let go while its taker is only planned goes back to its earlier value",
			base:  Document{"email.k": true},
			queue: []Write{letGo(false)},
			walk:  Walk{Offered: Document{"email.k": false}},
			want: Batch{Writes: []int{0}, Send: Document{"email.k": false}, Hold: Document{},
				Outcomes: []Outcome{{Send: Document{"email.k": false}, Released: Released{
					Writes: Document{"email.k": false}, Left: map[Reason][]string{}, HandOver: Document{}, Earlier: Document{}}}}},
		},
		{
			name:  "then the taker finds the earlier value and remembers it",
			base:  Document{"email.k": false},
			queue: []Write{takeOver(false)},
			want: Batch{Writes: []int{0}, Send: Document{"email.k": true}, Hold: Document{"email.k": true},
				Outcomes: []Outcome{{Send: Document{"email.k": true}, Earlier: Document{"email.k": false}}}},
		},
		{
			name:  "a merged request refused and split decides each part again: alone, the one letting go writes back",
			base:  Document{"email.k": true},
			queue: []Write{letGo(true), takeOver(true)},
			want: Batch{Writes: []int{0}, Send: Document{"email.k": false}, Hold: Document{},
				Outcomes: []Outcome{{Send: Document{"email.k": false}, Released: Released{
					Writes: Document{"email.k": false}, Left: map[Reason][]string{}, HandOver: Document{}, Earlier: Document{}}}}},
		},
		{
			name:  "a taker applied first remembers the value offered by the plan letting the key go",
			base:  Document{"email.k": true},
			queue: []Write{takeOver(false)},
			walk:  Walk{Offered: Document{"email.k": false}},
			want: Batch{Writes: []int{0}, Send: Document{}, Hold: Document{"email.k": true},
				Outcomes: []Outcome{{Send: Document{}, Earlier: Document{"email.k": false}}}},
		},
		{
			name:  "a key whose taker landed earlier in the walk is handed over, and a wrong memory named",
			base:  Document{"email.k": true},
			queue: []Write{letGo(false)},
			walk:  Walk{Landed: Document{"email.k": true}},
			want: Batch{Writes: []int{0}, Send: Document{}, Hold: Document{},
				Outcomes: []Outcome{{Send: Document{}, Moved: []Moved{{Key: "email.k", Remembered: true, Earlier: false}}, Released: Released{
					Writes: Document{}, Left: map[Reason][]string{HandedOver: {"email.k"}}, HandOver: Document{"email.k": false}, Earlier: Document{}}}}},
		},
		{
			name:  "a key another resource managed before the walk is handed over",
			base:  Document{"email.k": true},
			queue: []Write{letGo(false)},
			walk:  Walk{Owned: among("email.k")},
			want: Batch{Writes: []int{0}, Send: Document{}, Hold: Document{},
				Outcomes: []Outcome{{Send: Document{}, Released: Released{
					Writes: Document{}, Left: map[Reason][]string{HandedOver: {"email.k"}}, HandOver: Document{"email.k": false}, Earlier: Document{}}}}},
		},
		{
			name: "a write alone goes by itself, and one that must be alone waits its turn",
			base: Document{},
			queue: []Write{
				{Hold: Document{"email.a": true}},
				{Hold: Document{"email.b": true}, Alone: true},
				{Hold: Document{"email.c": true}},
			},
			want: Batch{Writes: []int{0, 2}, Send: Document{"email.a": true, "email.c": true}, Hold: Document{"email.a": true, "email.c": true},
				Outcomes: []Outcome{{Send: Document{"email.a": true}}, {Send: Document{"email.c": true}}}},
		},
		{
			name: "writes that give one key two values go in separate batches",
			base: Document{},
			queue: []Write{
				{Hold: Document{"email.a": true}},
				{Hold: Document{"email.a": false}},
				{Release: &Release{Keys: []string{"email.b"}, Earlier: Document{"email.b": true}}},
				{Release: &Release{Keys: []string{"email.b"}, Earlier: Document{"email.b": false}}},
			},
			want: Batch{Writes: []int{0, 2}, Send: Document{"email.a": true, "email.b": true}, Hold: Document{"email.a": true},
				Outcomes: []Outcome{
					{Send: Document{"email.a": true}},
					{Send: Document{"email.b": true}, Released: Released{Writes: Document{"email.b": true}, Left: map[Reason][]string{}, HandOver: Document{}, Earlier: Document{}}},
				}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.base, tt.queue, tt.walk)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// A write that does not need the document sends nothing whatever the
// document holds: the queue decides such writes on an empty one rather
// than read (and a vastai PUT of an empty document would reset every key).
func TestNeedsDocument(t *testing.T) {
	release := func(r Release) *Release { return &r }
	tests := []struct {
		write Write
		needs bool
	}{
		{Write{Hold: Document{"email.a": true}}, true},
		{Write{Release: release(Release{Keys: []string{"email.a"}, Earlier: Document{"email.a": true}})}, true},
		{Write{Release: release(Release{Keys: []string{"email.a"}, Earlier: Document{"email.a": true}, Keep: true})}, false},
		{Write{Release: release(Release{Keys: []string{"email.a"}})}, false},
		{Write{Release: release(Release{Keys: []string{"email.a"}, Earlier: Document{"email.a": true}, Withdrawn: []string{"email.a"}})}, false},
		{Write{}, false},
	}
	for i, tt := range tests {
		if got := tt.write.NeedsDocument(); got != tt.needs {
			t.Errorf("%d: NeedsDocument = %v, want %v", i, got, tt.needs)
		}
		if sent := Decide(Document{}, []Write{tt.write}, Walk{}).Send; !tt.needs && len(sent) > 0 {
			t.Errorf("%d: a write that needs no document sends %v", i, sent)
		}
	}
}
