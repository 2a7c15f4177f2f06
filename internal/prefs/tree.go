package prefs

import (
	"fmt"
	"strings"
)

// FlattenTree turns a nested object of booleans of any depth, such as a
// preferences document exported from either API, into a Document keyed by
// dotted path. Unlike a dialect's Flatten it does not check the depth: it
// serves people converting their own files, and the plan checks the keys.
// A leaf that is not a boolean, a null, or an empty or dotted name is an
// error naming the path.
func FlattenTree(tree map[string]any) (Document, error) {
	doc := Document{}
	return doc, flattenTree(doc, tree, "")
}

func flattenTree(doc Document, node map[string]any, prefix string) error {
	for name, value := range node {
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		switch {
		case name == "" && prefix == "":
			return fmt.Errorf("the top level has an empty name")
		case name == "":
			return fmt.Errorf("%s: empty name", prefix)
		case strings.Contains(name, "."):
			return fmt.Errorf("%s: a name may not contain a dot", key)
		}
		switch v := value.(type) {
		case bool:
			doc[key] = v
		case map[string]any:
			if len(v) == 0 {
				return fmt.Errorf("%s: expected a bool or an object of them, got an empty object", key)
			}
			if err := flattenTree(doc, v, key); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: expected a bool, got %s", key, Describe(value))
		}
	}
	return nil
}

// NestTree is the inverse of FlattenTree: it checks that the keys make a
// tree (no empty segment, no key that is also another key's prefix) and
// builds it.
func (doc Document) NestTree() (map[string]any, error) {
	for _, key := range doc.Keys() {
		segments := strings.Split(key, ".")
		for j, seg := range segments {
			if seg == "" {
				return nil, fmt.Errorf("%s: segment %d is empty", key, j+1)
			}
			if parent := strings.Join(segments[:j], "."); j > 0 {
				if _, ok := doc[parent]; ok {
					return nil, fmt.Errorf("%s: a key cannot be both a bool and an object (%s)", parent, key)
				}
			}
		}
	}
	return doc.Nest(), nil
}
