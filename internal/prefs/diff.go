package prefs

// Changes returns the desired values that the current document does not
// already hold: the smallest write that brings current to desired. Keys of
// current that desired does not mention are left alone, which is what
// partial ownership means.
func Changes(current, desired Document) Document {
	changes := make(Document)
	for key, want := range desired {
		if have, ok := current[key]; !ok || have != want {
			changes[key] = want
		}
	}
	return changes
}

// Select returns the values current holds for keys, and the keys it does not
// hold at all.
func Select(current Document, keys []string) (Document, []string) {
	found := make(Document, len(keys))
	var missing []string
	for _, key := range keys {
		if v, ok := current[key]; ok {
			found[key] = v
		} else {
			missing = append(missing, key)
		}
	}
	return found, missing
}

// Added returns, sorted, the keys of after that before lacks: the keys a
// configuration starts managing.
func Added(before, after Document) []string {
	_, added := Select(before, after.Keys())
	return added
}

// Removed returns, sorted, the keys of before that after lacks: the keys a
// configuration stops managing.
func Removed(before, after Document) []string {
	return Added(after, before)
}
