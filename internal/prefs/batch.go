package prefs

import (
	"slices"
	"strings"
)

// The writes of one provider configuration go out one request at a time,
// and those queued behind a request in flight go out together as the next
// one. Everything a batch's request carries is decided here, when the
// batch is formed, from one document: the one the previous answer left (or
// a fresh read). A write is a statement of what the server must hold
// afterwards, not a request computed earlier, so no write is ever built on
// a document older than the requests ahead of it.

// Write is one resource's part of a batch.
type Write struct {
	// Hold holds the declared values the server must hold afterwards.
	Hold Document
	// Release, when not nil, lets keys go. Its Current and Declared are
	// the batch's to fill.
	Release *Release
	// Adopt lists the keys the resource starts managing, whose earlier
	// values the batch decides.
	Adopt []string
	// Alone is true for a write to send in a request of its own: one
	// refused within a merged request, so that its refusal fails it only.
	Alone bool
}

// NeedsDocument reports whether deciding w needs the server's document:
// to know which declared values to send, or which earlier values differ
// from the server's. A write that only forgets keys does not: its release
// writes nothing back even on a document that holds none of its keys.
func (w Write) NeedsDocument() bool {
	return len(w.Hold) > 0 || (w.Release != nil && len(w.Release.Decide().Writes) > 0)
}

// Walk is what the resources of one provider configuration have said, in
// this Terraform walk, about who manages which key.
type Walk struct {
	// Owned reports whether a plan of this walk declares a key its
	// resource already manages: a key whose owner's write landed before.
	// nil means none does.
	Owned func(key string) bool
	// Offered holds the earlier values of the keys plans of this walk let
	// go, for whichever resource takes them over.
	Offered Document
	// Landed holds, for each key a resource took over in this walk with a
	// write that landed, the earlier value that resource remembered.
	Landed Document
}

// Batch is the decision for one request.
type Batch struct {
	// Writes are the indices, in the queue given to Decide, of the writes
	// this request carries, in queue order.
	Writes []int
	// Send holds the values the request writes: every declared value the
	// base document does not hold, and the earlier values written back.
	Send Document
	// Hold holds every value the server must hold afterwards.
	Hold Document
	// Outcomes holds what the batch decided for each of Writes, in order.
	Outcomes []Outcome
}

// Outcome is what a batch decided for one write.
type Outcome struct {
	// Send is this write's part of the request.
	Send Document
	// Released is what letting its keys go does; zero without a Release.
	Released Released
	// Earlier holds the earlier values of the keys it adopts.
	Earlier Document
	// Moved lists the keys it hands to a resource that took them over
	// earlier in the walk and remembered another earlier value.
	Moved []Moved
}

// Moved is a key handed over to a resource that remembered another
// earlier value than the one the resource letting it go had.
type Moved struct {
	Key                 string
	Remembered, Earlier bool
}

// Decide forms the next batch from queue, the writes waiting in the order
// they arrived, on base, the freshest document. queue must not be empty.
//
// Which writes go together: the first, alone if it must be; then, unless
// it is alone, every later write that need not be alone and gives no key a
// value another one of the batch gives it differently (a conflict the plan
// refuses, but a plan made with the provider configuration unknown could
// not check). The rest wait for the next batch.
//
// What each sends: the declared values base does not hold, and the earlier
// values of the keys it lets go that the release rules write back. A key
// let go is handed over, not written back, only to a resource that is
// sure to manage it: a write of this batch declaring it, a resource that
// took it over with a write that landed in this walk, or one that managed
// it before the walk. A taker that is only planned may still fail, so the
// key goes back to its earlier value, and the taker finds that value on
// the server when it comes. A key taken over remembers the earlier value
// handed over in this batch, else the one offered in this walk, else the
// one base holds.
func Decide(base Document, queue []Write, walk Walk) Batch {
	members := pick(queue)
	for {
		b, conflict := decide(base, queue, members, walk)
		if conflict < 0 {
			return b
		}
		members = slices.DeleteFunc(members, func(i int) bool { return i == conflict })
	}
}

// pick returns the candidates for the batch: the first write, and unless
// it is alone, every later write that need not be alone and agrees with
// the holds of those before it.
func pick(queue []Write) []int {
	members := []int{0}
	if queue[0].Alone {
		return members
	}
	held := queue[0].Hold.Clone()
	for i := 1; i < len(queue); i++ {
		w := queue[i]
		if w.Alone || !agrees(held, w.Hold) {
			continue
		}
		members = append(members, i)
		for k, v := range w.Hold {
			held[k] = v
		}
	}
	return members
}

// decide makes the decision for members, or returns the index of a write
// whose values conflict with those of the writes before it.
func decide(base Document, queue []Write, members []int, walk Walk) (Batch, int) {
	takers := map[string]int{} // key → the member that holds it
	b := Batch{Writes: members, Send: Document{}, Hold: Document{}}
	for _, i := range members {
		for k := range queue[i].Hold {
			takers[k] = i
		}
	}
	handedOver := Document{} // earlier values of keys handed to members
	b.Outcomes = make([]Outcome, len(members))
	for n, i := range members {
		w := queue[i]
		out := &b.Outcomes[n]
		out.Send = Changes(base, w.Hold)
		if w.Release == nil {
			continue
		}
		r := *w.Release
		r.Current = base
		r.Declared = func(k string) bool {
			if t, ok := takers[k]; ok && t != i {
				return true
			}
			return walk.Holds(k)
		}
		out.Released = r.Decide()
		for k, earlier := range out.Released.HandOver {
			if t, ok := takers[k]; ok && t != i {
				// Within one request: the taker lands with this write, or
				// neither does.
				handedOver[k] = earlier
			}
		}
		// A taker that landed before remembered its earlier value then,
		// even when it goes again in this request.
		out.Moved = walk.Misremembered(out.Released.HandOver)
		out.Send = out.Send.Overlay(out.Released.Writes)
	}
	offered := walk.Offered.Overlay(handedOver)
	for n, i := range members {
		w, out := queue[i], &b.Outcomes[n]
		if len(w.Adopt) > 0 {
			out.Earlier = Adopt(w.Adopt, base, offered)
		}
		if !agrees(b.Send, out.Send) || !agrees(b.Hold, w.Hold) {
			return Batch{}, i
		}
		for k, v := range out.Send {
			b.Send[k] = v
		}
		for k, v := range w.Hold {
			b.Hold[k] = v
		}
	}
	return b, -1
}

// Misremembered returns the keys of handedOver, the earlier values of keys
// let go, whose taker landed in this walk remembering another value.
func (w Walk) Misremembered(handedOver Document) []Moved {
	var out []Moved
	for k, earlier := range handedOver {
		if got, ok := w.Landed[k]; ok && got != earlier {
			out = append(out, Moved{Key: k, Remembered: got, Earlier: earlier})
		}
	}
	slices.SortFunc(out, func(a, b Moved) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// agrees reports whether doc gives no key of values another value.
func agrees(values, doc Document) bool {
	for k, v := range doc {
		if have, ok := values[k]; ok && have != v {
			return false
		}
	}
	return true
}
