package prefs

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Document is a preferences document flattened to dotted keys. The APIs nest
// booleans under objects; a flat map is what Terraform's map(bool) holds, so
// every comparison happens on this form.
type Document map[string]bool

// Flatten turns a decoded JSON document of the dialect's shape into a flat
// Document. Anything other than objects down to the dialect's depth and
// booleans at the leaves is an error naming the offending path, because a
// server answering with another shape must never be read as "no keys".
func (d Dialect) Flatten(nested map[string]any) (Document, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	doc := make(Document)
	for name, value := range nested {
		if err := flattenInto(doc, value, name, d.Depth()); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// flattenInto adds the booleans under value, found at key, to doc; depth
// is how many segments key will have when it reaches a leaf.
func flattenInto(doc Document, value any, key string, depth int) error {
	if depth == 1 {
		b, ok := value.(bool)
		if !ok {
			return fmt.Errorf("document has %s at %q where a boolean was expected", Describe(value), key)
		}
		doc[key] = b
		return nil
	}
	child, ok := value.(map[string]any)
	if !ok {
		return fmt.Errorf("document has %s at %q where an object was expected", Describe(value), key)
	}
	for name, v := range child {
		if err := flattenInto(doc, v, key+"."+name, depth-1); err != nil {
			return err
		}
	}
	return nil
}

// Describe names the kind of a decoded JSON value, for messages about a
// document of the wrong shape.
func Describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// Nest is the inverse of Flatten: it builds the JSON object an API expects.
// Keys are split on dots; callers pass keys that ParseKey accepted.
func (doc Document) Nest() map[string]any {
	root := make(map[string]any)
	for key, value := range doc {
		segments := strings.Split(key, ".")
		node := root
		for _, seg := range segments[:len(segments)-1] {
			child, ok := node[seg].(map[string]any)
			if !ok {
				child = make(map[string]any)
				node[seg] = child
			}
			node = child
		}
		node[segments[len(segments)-1]] = value
	}
	return root
}

// Keys returns the document's keys in order, for stable output.
func (doc Document) Keys() []string {
	return slices.Sorted(maps.Keys(doc))
}

// Clone returns an independent copy, never nil, so it can be written to.
func (doc Document) Clone() Document {
	out := make(Document, len(doc))
	maps.Copy(out, doc)
	return out
}

// Without returns a copy of doc lacking keys.
func (doc Document) Without(keys []string) Document {
	out := doc.Clone()
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// Overlay returns a copy of doc with changes applied on top.
func (doc Document) Overlay(changes Document) Document {
	out := doc.Clone()
	maps.Copy(out, changes)
	return out
}

// Under returns the keys of doc that start with any of prefixes, such as
// "email." for one v1 channel: what a person picks when they manage a few
// toggles rather than the whole catalogue. No prefixes means every key.
func (doc Document) Under(prefixes []string) Document {
	if len(prefixes) == 0 {
		return doc.Clone()
	}
	out := make(Document)
	for k, v := range doc {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out[k] = v
				break
			}
		}
	}
	return out
}
