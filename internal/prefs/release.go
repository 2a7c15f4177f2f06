package prefs

import "slices"

// The release rules: what happens to a key when a resource stops managing
// it, on destroy or when the key leaves its configuration. The APIs have
// no DELETE and refuse null, so "stop managing" cannot reset a key to a
// default. Instead a resource remembers the value each key had just before
// it first managed it (its earlier value) and, when it lets the key go,
// writes that value back, unless a rule below says to leave the key alone.

// Reason says why a released key is left on the server as it is.
type Reason int

const (
	// HandedOver: another resource of the same provider configuration
	// declares the key now. Writing the earlier value back would undo the
	// new owner's value, so the new owner remembers it instead.
	HandedOver Reason = iota
	// Withdrawn: the server no longer has the key, so there is nothing to
	// write it to.
	Withdrawn
	// Kept: the resource was told to keep values on destroy.
	Kept
	// Imported: no earlier value is known, as for a key that was imported
	// rather than first written by the resource.
	Imported
)

// Reasons lists every reason, in the order messages give them.
var Reasons = []Reason{Kept, Imported, HandedOver, Withdrawn}

// Release is what a resource knows about the keys it is letting go.
type Release struct {
	// Keys are the keys leaving the resource.
	Keys []string
	// Current holds the values the server holds now, as far as the
	// resource knows: a write is needed only where the earlier value
	// differs.
	Current Document
	// Earlier holds the earlier value of every key the resource manages
	// and knows one for.
	Earlier Document
	// Keep is true when the resource keeps values on destroy.
	Keep bool
	// Withdrawn lists the keys the server stopped reporting.
	Withdrawn []string
	// Declared reports whether another resource of the same provider
	// configuration declares a key now. nil means none does.
	Declared func(key string) bool
}

// Released is what releasing the keys does.
type Released struct {
	// Writes holds the earlier values to write back: only those that
	// differ from the current ones.
	Writes Document
	// Left lists, by reason, the keys left as they are.
	Left map[Reason][]string
	// HandOver holds the earlier values of the keys handed over, for their
	// new owners to remember in the releasing resource's place.
	HandOver Document
	// Earlier is what the resource still remembers afterwards: the
	// earlier values of the keys it keeps managing.
	Earlier Document
}

// Decide applies the release rules. The first rule that fits a key wins,
// in this order: a withdrawn key is never written, whatever else holds; a
// key declared elsewhere belongs to its new owner; "keep" keeps; a key with
// no earlier value stays; any other key goes back to its earlier value.
func (r Release) Decide() Released {
	out := Released{
		Writes:   Document{},
		Left:     map[Reason][]string{},
		HandOver: Document{},
		Earlier:  r.Earlier.Without(r.Keys),
	}
	for _, k := range slices.Sorted(slices.Values(r.Keys)) {
		earlier, known := r.Earlier[k]
		switch {
		case slices.Contains(r.Withdrawn, k):
			out.Left[Withdrawn] = append(out.Left[Withdrawn], k)
		case r.Declared != nil && r.Declared(k):
			out.Left[HandedOver] = append(out.Left[HandedOver], k)
			if known {
				out.HandOver[k] = earlier
			}
		case r.Keep:
			out.Left[Kept] = append(out.Left[Kept], k)
		case !known:
			out.Left[Imported] = append(out.Left[Imported], k)
		default:
			if current, ok := r.Current[k]; !ok || current != earlier {
				out.Writes[k] = earlier
			}
		}
	}
	return out
}

// Adopt returns the earlier values of keys a resource starts managing: the
// value another resource handed over for a key it let go, or else the
// value the server holds now, which is the one to go back to later.
func Adopt(keys []string, current, handedOver Document) Document {
	earlier := make(Document, len(keys))
	for _, k := range keys {
		if v, ok := handedOver[k]; ok {
			earlier[k] = v
		} else if v, ok := current[k]; ok {
			earlier[k] = v
		}
	}
	return earlier
}

// Holds reports whether another resource of the walk manages key: one that
// took it over with a write that landed, or one that managed it before.
func (w Walk) Holds(key string) bool {
	_, landed := w.Landed[key]
	return landed || (w.Owned != nil && w.Owned(key))
}

// Unreleased returns the keys of r that a resource whose write failed
// still manages. landed is what the release did in the request that
// landed with the write (nil: none did), and sure is false when that
// request's answer was lost, so that it may not have landed at all.
//
// A key the landed request let go is gone. When it may not have landed,
// only a key whose earlier value it wrote back stays: every other release
// (handed over to a taker, who holds it whatever became of this write;
// kept; imported; withdrawn) writes nothing, so it happened either way.
// When nothing landed, a key another resource of the walk holds is that
// resource's; any other key stays: its earlier value is still to be
// written back, and no taker may claim it in this walk.
func (r Release) Unreleased(landed *Released, sure bool, walk Walk) []string {
	var held []string
	for _, k := range r.Keys {
		switch {
		case landed != nil && sure:
		case landed != nil:
			if _, written := landed.Writes[k]; written {
				held = append(held, k)
			}
		case walk.Holds(k):
		default:
			held = append(held, k)
		}
	}
	return held
}
