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
// others go back to the head of the queue, to be decided again. This is
// the one place where a write is retried. The caller holds a.mu.
func (a *account) settle(batch []*write, sent bool, after prefs.Document, err error) []*write {
	if sent {
		a.version++
	}
	var again []*write
	switch {
	case err == nil:
		if sent {
			a.doc = after
		}
		again = a.checkAnswer(batch, after)
	case refused(err) && len(batch) > 1:
		// Nothing changed on the server. Each write goes again alone, on
		// a fresh read: a vastai PUT carries the whole document, and the
		// key refused may be one of it, withdrawn since it was read.
		a.doc = nil
		for _, w := range batch {
			w.Alone, w.step = true, max(w.step, alone)
		}
		again = batch
	case refused(err) && batch[0].step < last && withdrawIfNotOwn(batch[0], err):
		a.doc = nil
		again = batch
	default:
		// The write may have landed with its answer lost: a PUT built on
		// the document from before it would put the old values back.
		a.doc = nil
		for _, w := range batch {
			w.err = err
		}
	}
	for _, w := range again {
		w.formed = false
	}
	a.queue = append(again, a.queue...)
	answered := slices.DeleteFunc(slices.Clone(batch), func(w *write) bool { return slices.Contains(again, w) })
	a.withdrawFailed(answered)
	return answered
}

// withdrawFailed takes back the plans' claims to the keys that writes
// which failed were to take over: their resources take nothing over, so no
// plan made after this may say another resource takes those keys. The
// caller holds a.mu.
func (a *account) withdrawFailed(answered []*write) {
	for _, w := range answered {
		if w.err != nil {
			a.owners.withdraw(w.Adopt)
		}
	}
}

// checkAnswer checks a landed request's answer against each write of its
// batch and returns those to decide again: a write whose declared values
// the answer does not all hold is sent once more (someone changed a key
// between the batch's forming and its landing), then fails; and a write
// that handed a key to a write of the batch that did not succeed hands
// over nothing, so it is decided again too. The caller holds a.mu.
func (a *account) checkAnswer(batch []*write, after prefs.Document) []*write {
	var again []*write
	for _, w := range batch {
		if off := prefs.Changes(after, w.Hold); len(off) > 0 {
			if w.step == last {
				w.err = &valueNotKept{after: after, off: off}
				continue
			}
			w.step, w.landed = last, true
			again = append(again, w)
		}
	}
	succeeded := func(w *write) bool { return w.err == nil && !slices.Contains(again, w) }
	for changed := true; changed; {
		changed = false
		for _, w := range batch {
			if succeeded(w) && slices.ContainsFunc(w.takers, func(t *write) bool { return !succeeded(t) }) {
				again, changed = append(again, w), true
			}
		}
	}
	for _, w := range batch {
		if succeeded(w) {
			w.after = after
			a.owners.land(w.Adopt, w.outcome.Earlier)
		}
	}
	return again
}

// withdrawIfNotOwn reports whether a refusal of w's request alone, as
// unknown, is about keys w does not declare, and so worth one more request
// on a fresh read: a key of the vastai document withdrawn since it was
// read (named nowhere in w), or keys w only writes back, which the server
// no longer knows. Those w now leaves alone, as withdrawn.
func withdrawIfNotOwn(w *write, err error) bool {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || !apiErr.UnknownKey() {
		return false
	}
	var restored []string
	for k := range apiErr.Details {
		if _, declared := w.Hold[k]; declared {
			return false
		}
		if _, ok := w.outcome.Released.Writes[k]; ok {
			restored = append(restored, k)
		}
	}
	if len(restored) > 0 {
		release := *w.Release
		release.Withdrawn = append(slices.Clone(release.Withdrawn), restored...)
		w.Release = &release
	}
	w.step = last
	return true
}

// valueNotKept is the error of a write whose request landed but whose
// declared values the server, asked twice, does not hold.
type valueNotKept struct {
	after, off prefs.Document
}

func (e *valueNotKept) Error() string {
	return "the server did not keep " + quoteList(e.off.Keys())
}

// refused reports whether the API refused a request for what it carried,
// changing nothing: the answer a merged request gets for one bad key.
func refused(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && (apiErr.Status == http.StatusBadRequest || apiErr.Status == http.StatusUnprocessableEntity)
}
