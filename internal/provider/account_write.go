package provider

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync/atomic"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Writes of one provider configuration go out one request at a time: a
// vastai PUT replaces the whole document, and two in parallel would each
// put back the other's old values. The writes that arrive while a request
// is in flight queue, and go out together as the next request: one PATCH,
// or one PUT, for all of them. Nothing waits on a clock: a batch is what
// queued during the previous request.
//
// One goroutine owns the queue while it is not empty (drain): it forms
// each batch, sends it and hands out the answers. A caller only queues its
// write and waits for its own answer, or for its own context to end. What
// a batch sends is decided when it is formed, by prefs.Decide, from the
// document the previous answer left (or a fresh read), and a refused or
// incomplete request is retried here and nowhere else.

// write is one resource's write, from the moment it queues to its answer.
type write struct {
	prefs.Write
	// ctx is the caller's. Ending before the write's batch is formed, it
	// takes the write out of the queue; after, the write's request runs
	// to its answer (see client.Unabandoned) and the caller waits for it.
	ctx context.Context
	// step is how far the write has gone down the retry ladder.
	step step
	// formed is set once the write's batch is formed: from then on its
	// request may land, so it is answered, never abandoned.
	formed bool
	// landed is set when the write's request landed but its answer shows a
	// declared value off (someone changed the key meanwhile): the one more
	// request that puts it back goes whatever the caller does, since what
	// landed is what state must record.
	landed bool
	// takers are the writes of its batch it hands keys to: the hand-over
	// happens only if they succeed.
	takers []*write

	// The answer: what the batch decided, and the server's document after
	// it, or the error.
	outcome prefs.Outcome
	after   prefs.Document
	err     error
	done    chan struct{} // closed when answered
}

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

// submit queues w and returns once it is answered (w.outcome and w.after,
// or w.err). A write whose ctx ends while it is still queued leaves the
// queue, sends nothing, and is answered with the cancellation.
func (a *account) submit(ctx context.Context, w *write) {
	w.ctx, w.done = ctx, make(chan struct{})
	a.mu.Lock()
	a.queue = append(a.queue, w)
	if !a.writing {
		a.writing = true
		go a.drain()
	}
	a.mu.Unlock()
	select {
	case <-w.done:
	case <-ctx.Done():
		a.mu.Lock()
		bound := w.formed || w.landed
		if !bound {
			a.queue = slices.DeleteFunc(a.queue, func(q *write) bool { return q == w })
			w.err = ctx.Err()
			a.withdrawFailed([]*write{w})
		}
		a.mu.Unlock()
		if bound {
			<-w.done
		}
	}
}

// drain sends batches until the queue is empty.
func (a *account) drain() {
	var fresh prefs.Document // a read made for the next batch
	for {
		a.mu.Lock()
		cancelled := a.dropCancelled()
		if len(a.queue) == 0 {
			a.writing = false
			a.mu.Unlock()
			closeAll(cancelled)
			return
		}
		base := a.doc
		switch {
		case base == nil && fresh != nil:
			base = fresh
		case base == nil && !slices.ContainsFunc(a.queue, func(w *write) bool { return w.NeedsDocument() }):
			base = prefs.Document{} // writes that only forget keys: nothing to read for
		}
		if base == nil {
			first := a.queue[0]
			a.mu.Unlock()
			closeAll(cancelled)
			var err error
			if fresh, err = a.readShared(readContext(first)); err != nil {
				a.failQueued(first, err)
			}
			continue
		}
		fresh = nil
		batch, b := a.form(base)
		a.mu.Unlock()
		closeAll(cancelled)
		a.send(batch, b, base)
	}
}

// dropCancelled takes out of the queue, and returns, the writes whose
// caller's context has ended: they send nothing. The caller holds a.mu.
func (a *account) dropCancelled() []*write {
	var cancelled []*write
	a.queue = slices.DeleteFunc(a.queue, func(w *write) bool {
		if w.ctx.Err() == nil || w.landed {
			return false
		}
		w.formed, w.err = true, w.ctx.Err()
		cancelled = append(cancelled, w)
		return true
	})
	a.withdrawFailed(cancelled)
	return cancelled
}

func closeAll(answered []*write) {
	for _, w := range answered {
		close(w.done)
	}
}

// readContext is the context of the read the next batch needs, made for
// first: its caller's, unless first must go on to its answer whatever its
// caller does; then the read goes on too, without a retry once the caller
// has stopped.
func readContext(first *write) context.Context {
	if !first.landed {
		return first.ctx
	}
	return client.Unabandoned(first.ctx, first.ctx.Done())
}

// failQueued answers the writes still queued with the error of the read
// their batch needed, unless that read failed because first's caller
// went: first has left the queue then, and the next batch reads again.
func (a *account) failQueued(first *write, err error) {
	if first.ctx.Err() != nil && !first.landed {
		return
	}
	a.mu.Lock()
	failed := a.queue
	a.queue = nil
	for _, w := range failed {
		w.formed, w.err = true, err
	}
	a.withdrawFailed(failed)
	a.mu.Unlock()
	closeAll(failed)
}

// form takes the next batch out of the queue, decided on base. The caller
// holds a.mu.
func (a *account) form(base prefs.Document) ([]*write, prefs.Batch) {
	queued := make([]prefs.Write, len(a.queue))
	for i, w := range a.queue {
		queued[i] = w.Write
	}
	b := prefs.Decide(base, queued, a.owners.walk())
	batch := make([]*write, len(b.Writes))
	for n, i := range b.Writes {
		batch[n] = a.queue[i]
		batch[n].formed, batch[n].outcome, batch[n].takers = true, b.Outcomes[n], nil
	}
	for _, w := range batch {
		for _, t := range w.outcome.Takers {
			w.takers = append(w.takers, a.queue[t])
		}
	}
	a.queue = slices.DeleteFunc(a.queue, func(w *write) bool { return w.formed })
	return batch, b
}

// send sends a batch formed on base and hands out the answers.
func (a *account) send(batch []*write, b prefs.Batch, base prefs.Document) {
	// A batch whose writes find the server as they want it sends nothing:
	// base is the freshest document there is, and its answer.
	after, err, sent := base, error(nil), len(b.Send) > 0
	if sent {
		ctx, stop := requestContext(batch)
		after, err = a.Apply(ctx, b.Send, b.Hold, base)
		stop()
	}

	a.mu.Lock()
	answered := a.settle(batch, sent, after, err)
	a.mu.Unlock()
	closeAll(answered)
}

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
			if succeeded(w) && !all(w.takers, succeeded) {
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

func all(writes []*write, ok func(*write) bool) bool {
	for _, w := range writes {
		if !ok(w) {
			return false
		}
	}
	return true
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

// requestContext is the context of a batch's request. It carries the first
// write's values (for logging) and none of its cancellation: the request,
// once sent, runs to its answer. Once every write's own context has ended,
// it starts no new attempt.
func requestContext(batch []*write) (context.Context, func()) {
	stop := make(chan struct{})
	var waiting atomic.Int64
	waiting.Store(int64(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, w := range batch {
		stops[i] = context.AfterFunc(w.ctx, func() {
			if waiting.Add(-1) == 0 {
				close(stop)
			}
		})
	}
	return client.Unabandoned(batch[0].ctx, stop), func() {
		for _, s := range stops {
			s()
		}
	}
}
