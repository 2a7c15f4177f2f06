package provider

import (
	"errors"
	"net/http"
	"slices"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// A batch's answer, and the one place a write is retried. Nothing here
// sends a request: a write decided again goes back to the head of the
// queue, and the drain forms it into a batch like any other.

// step is a rung of the one retry ladder a write has: merged with others;
// alone, once refused within a merged request, so that one resource's bad
// key fails that resource only; and once more, the last time: on a fresh
// read after a refusal for a key it does not declare (a vastai PUT carries
// the whole document, whose keys may have been withdrawn since it was
// read), or on the answer of a request that landed without every declared
// value (someone changed a key between the batch's forming and its
// landing). The HTTP layer below retries transient failures; nothing else
// retries.
type step int

const (
	merged step = iota
	alone
	last
)

// settle records a batch's answer and returns the writes it answers; the
// others go back to the head of the queue, to be decided again. The
// caller holds a.mu.
func (a *account) settle(batch []*write, sent bool, after prefs.Document, err error) []*write {
	switch {
	case err == nil:
		if sent {
			a.doc = after
		}
		return a.checkAnswer(batch, after)
	case refused(err) && len(batch) > 1:
		// Nothing changed on the server. Each write goes again alone, on
		// a fresh read: a vastai PUT carries the whole document, and the
		// key refused may be one of it, withdrawn since it was read.
		a.doc = nil
		a.requeue(split(batch))
		return nil
	case refused(err):
		a.doc = nil
		w := batch[0]
		if w.step < last {
			if release, ok := withoutWithdrawn(w, err); ok {
				w.Release, w.step = release, last
				a.requeue(batch)
				return nil
			}
		}
		a.fail(w, err)
		return batch
	default:
		// The server's document is unknown now: a PUT built on the one
		// from before this request would put back values it may have
		// changed. And when its answer was lost on the way, what its
		// writes did is recorded as if it landed.
		a.doc = nil
		for _, w := range batch {
			if mayHaveLanded(err) {
				a.land(w, writeLost)
			}
			a.fail(w, err)
		}
		return batch
	}
}

// checkAnswer records a landed request: every write it carried landed, and
// what each did is decided, once, by this request if it is the first that
// landed with it. A write whose values the answer does not all hold, its
// declared ones and the earlier values it wrote back (someone changed a
// key between the batch's forming and its landing, or the server ignores
// it), goes once more with just those values, then fails; its resource
// still manages a key whose earlier value did not stay. It returns the
// writes answered. The caller holds a.mu.
func (a *account) checkAnswer(batch []*write, after prefs.Document) []*write {
	var answered, again []*write
	for _, w := range batch {
		a.land(w, writeLanded)
		w.after = after
		off := prefs.Changes(after, w.pending().Hold)
		switch {
		case len(off) == 0:
			w.state = writeAnswered
		case w.step < last:
			w.step = last
			again = append(again, w)
			continue
		default:
			a.fail(w, &valueNotKept{after: after, off: off})
		}
		answered = append(answered, w)
	}
	a.requeue(again)
	return answered
}

// land records that a request carrying w landed, or may have (writeLost):
// the first such request decides, once, what w did, and its taker claims
// hold from then on. A write that landed before keeps what it did. The
// caller holds a.mu.
func (a *account) land(w *write, state writeState) {
	if w.state != writeSent {
		return
	}
	w.state, w.outcome = state, w.decided
	a.owners.land(w.Adopt, w.outcome.Earlier)
}

// requeue puts writes back at the head of the queue, in order.
func (a *account) requeue(writes []*write) {
	for _, w := range writes {
		if w.state == writeSent {
			w.state = writeQueued
		}
	}
	a.queue = append(slices.Clone(writes), a.queue...)
}

// split marks the writes of a refused request to go alone, each decided
// again, and orders them: writes taking over a key another of them lets
// go first. Once a taker has landed, the one letting go hands the key
// over even if its own request is refused; the other way round, a refusal
// of the one letting go would fail its taker too (see refuseHeldKeys).
func split(batch []*write) []*write {
	for _, w := range batch {
		w.Alone, w.step = true, max(w.step, alone)
	}
	takes := func(w *write) bool {
		return slices.ContainsFunc(batch, func(r *write) bool {
			return r != w && r.Release != nil && slices.ContainsFunc(w.Adopt, func(k string) bool { return slices.Contains(r.Release.Keys, k) })
		})
	}
	ordered := slices.Clone(batch)
	slices.SortStableFunc(ordered, func(x, y *write) int {
		switch tx, ty := takes(x), takes(y); {
		case tx && !ty:
			return -1
		case ty && !tx:
			return 1
		}
		return 0
	})
	return ordered
}

// fail answers w with err, and records what its resource still manages
// of the keys it lets go: no taker may claim those in this walk. A taker
// of which nothing reached the server takes nothing over, so no plan made
// after this may say it does. The caller holds a.mu.
func (a *account) fail(w *write, err error) {
	if w.state == writeQueued || w.state == writeSent {
		w.state = writeFailed
	}
	w.err = err
	if w.Release != nil {
		var released *prefs.Released
		if w.onServer() {
			released = &w.outcome.Released
		}
		walk := a.owners.walk()
		w.unreleased = w.Release.Unreleased(released, w.state == writeLanded, walk)
		if w.state == writeLanded {
			// An earlier value written back that the last answer does
			// not show did not stay: the key is still this resource's.
			w.unreleased = append(w.unreleased, prefs.Changes(w.after, w.outcome.Released.Writes).Keys()...)
		}
		a.owners.stuck(w.unreleased)
		letGo, _ := prefs.Select(w.Release.Earlier, w.Release.Keys)
		w.moved = walk.Misremembered(letGo.Without(w.unreleased))
	}
	if !w.onServer() {
		a.owners.withdraw(w.Adopt)
	}
}

// abandon records a write that failed before it was sent (the check of
// its keys, or the read that check needed, failed): like any failed
// write, it says what its resource still manages, and keeps a taker from
// claiming those keys. The caller has reported why.
func (a *account) abandon(w prefs.Write) *write {
	abandoned := &write{Write: w, state: writeFailed}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail(abandoned, errNotSent)
	return abandoned
}

// errNotSent is the error of a write abandoned before it was sent.
var errNotSent = errors.New("the write was not sent")

// withoutWithdrawn returns w's release with the keys a refusal of w's
// request alone names as unknown left alone as withdrawn, when the refusal
// is about keys w does not declare, and so worth one more request on a
// fresh read: a key of the vastai document withdrawn since it was read
// (named nowhere in w), or keys w only writes back, which the server no
// longer knows.
func withoutWithdrawn(w *write, err error) (*prefs.Release, bool) {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || !apiErr.UnknownKey() {
		return w.Release, false
	}
	var restored []string
	for k := range apiErr.Details {
		if _, declared := w.Hold[k]; declared {
			return w.Release, false
		}
		if _, ok := w.decided.Released.Writes[k]; ok {
			restored = append(restored, k)
		}
	}
	if len(restored) == 0 {
		return w.Release, true
	}
	release := *w.Release
	release.Withdrawn = append(slices.Clone(release.Withdrawn), restored...)
	return &release, true
}

// valueNotKept is the error of a write whose request landed but whose
// declared values the server, asked twice, does not hold.
type valueNotKept struct {
	after, off prefs.Document
}

func (e *valueNotKept) Error() string {
	return "the server did not keep " + quoteList(e.off.Keys())
}

// keysStillHeld is the error of a write that would take over keys another
// resource failed to let go in this walk.
type keysStillHeld struct {
	keys []string
}

func (e *keysStillHeld) Error() string {
	return "another resource still manages " + quoteList(e.keys)
}

// mayHaveLanded reports whether a write request that failed with err may
// have changed the server all the same: an answer was lost on the way (a
// dropped connection, a timeout, a gateway's 502 or 504), on the last
// attempt or on one the HTTP layer retried, whatever the last attempt then
// got. Only a write the server refused on its one attempt surely did not
// land. Under doubt, a write is recorded as landed: its resource then
// remembers the earlier values of the keys it took over, and at worst
// plans to write a value again.
func mayHaveLanded(err error) bool {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Method != http.MethodGet &&
			(apiErr.Attempts > 1 || apiErr.Status == http.StatusBadGateway || apiErr.Status == http.StatusGatewayTimeout)
	}
	return true
}

// refused reports whether the API refused a request for what it carried,
// changing nothing: the answer a merged request gets for one bad key. A
// refusal of a retried request is not that: an attempt before it may
// have landed (see mayHaveLanded).
func refused(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.Attempts <= 1 &&
		(apiErr.Status == http.StatusBadRequest || apiErr.Status == http.StatusUnprocessableEntity)
}
