package prefs

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseKey: parsing never panics, and an accepted key is exactly its
// segments, each non-empty and of [a-z0-9_], at the dialect's depth.
func FuzzParseKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, vast bool) {
		d := V1
		if vast {
			d = VastAI
		}
		segments, err := d.ParseKey(s)
		if err != nil {
			return
		}
		if len(segments) != d.Depth() || strings.Join(segments, ".") != s {
			t.Fatalf("ParseKey(%q) accepted %q", s, segments)
		}
		if err := CheckKeySyntax(s); err != nil {
			t.Fatalf("ParseKey accepted %q but CheckKeySyntax refused it: %v", s, err)
		}
		for _, seg := range segments {
			if seg == "" || strings.Trim(seg, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
				t.Fatalf("ParseKey(%q) accepted segment %q", s, seg)
			}
		}
	})
}

// FuzzFlattenNest: any JSON object either fails to flatten or round-trips
// through Nest unchanged.
func FuzzFlattenNest(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, vast bool) {
		d := V1
		if vast {
			d = VastAI
		}
		var nested map[string]any
		if json.Unmarshal(data, &nested) != nil {
			return
		}
		doc, err := d.Flatten(nested)
		if err != nil {
			return
		}
		// Names with dots cannot be told apart from nesting once flat; the
		// APIs' segments never contain one.
		for k := range doc {
			if strings.Count(k, ".") != d.Depth()-1 {
				return
			}
		}
		back, err := d.Flatten(doc.Nest())
		if err != nil {
			t.Fatalf("Nest of %v does not flatten: %v", doc, err)
		}
		if !reflect.DeepEqual(back, doc) {
			t.Fatalf("round trip changed %v into %v", doc, back)
		}
	})
}
