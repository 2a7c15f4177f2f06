package provider

import (
	"context"
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
// each batch, sends it and hands out the answers, so that what a write
// did is decided in one place, in the order the server saw it. A caller
// only queues its write and waits for its answer; a caller that goes is
// answered by the drain too, once the request in flight has answered, so
// that what the write leaves in state knows whether a taker of its keys
// landed. What a batch sends is decided when it is formed, by
// prefs.Decide, from the document the previous answer left (or a fresh
// read), and a refused or incomplete request is retried in settle
// (account_settle.go) and nowhere else.

// writeState is where a write is. Only the drain changes it, under the
// account's lock, and the caller reads it once answered.
type writeState int

const (
	// writeQueued: waiting for a batch; nothing of it has been sent.
	writeQueued writeState = iota
	// writeSent: in the request in flight, which may land.
	writeSent
	// writeLanded: a request carrying it landed, and outcome is what it did. It
	// may queue and go once more, for declared values the answer showed
	// off; if that fails, it stays landed, with err set.
	writeLanded
	// writeLost: a request carrying it may have landed, but its answer was lost
	// (err says how). outcome is what it did if it landed.
	writeLost
	// writeAnswered: it landed and the server holds every declared value.
	writeAnswered
	// writeFailed: nothing of it reached the server (err says why; a caller
	// that went before it was sent is answered with the cancellation).
	writeFailed
)

// write is one resource's write, from the moment it queues to its answer.
type write struct {
	prefs.Write
	// ctx is the caller's. Ending before the write is sent, it takes the
	// write out of the queue; after, the write's request runs to its
	// answer (see client.Unabandoned).
	ctx   context.Context
	state writeState
	// step is how far the write has gone down the retry ladder.
	step step
	// decided is what the batch it goes in decided for it.
	decided prefs.Outcome
	// outcome is what it did: the decision of the first request that
	// landed with it. A key's earlier value is decided once, there, from
	// the document before that request.
	outcome prefs.Outcome
	// unreleased lists, once it failed, the keys it lets go that its
	// resource still manages; moved, those it no longer manages whose
	// taker remembered another earlier value (see prefs.Moved).
	unreleased []string
	moved      []prefs.Moved
	// after is the server's document in the answer, when there was one.
	after prefs.Document
	err   error
	done  chan struct{} // closed when answered
}

// onServer reports whether something of w is, or may be, on the server.
func (w *write) onServer() bool {
	return w.state == writeLanded || w.state == writeLost || w.state == writeAnswered
}

// pending is what of w a batch decides: all of it until a request
// carrying it lands; after, only the values the server must hold, its
// declared ones and the earlier values it wrote back, since what it let go
// and took over was decided by the request that landed.
func (w *write) pending() prefs.Write {
	if w.state == writeLanded {
		return prefs.Write{Hold: w.Hold.Overlay(w.outcome.Released.Writes), Alone: w.Alone}
	}
	return w.Write
}

// submit queues w and returns once it is answered (w.state, w.outcome and
// w.after, or w.err). A write whose caller goes while it is still queued
// sends nothing and is answered with the cancellation.
func (a *account) submit(ctx context.Context, w *write) {
	w.ctx, w.state, w.done = ctx, writeQueued, make(chan struct{})
	a.mu.Lock()
	a.queue = append(a.queue, w)
	if !a.writing {
		a.writing = true
		go a.drain()
	}
	a.mu.Unlock()
	<-w.done
}

// drain sends batches until the queue is empty.
func (a *account) drain() {
	for {
		a.mu.Lock()
		answered := a.dropCancelled()
		if len(a.queue) == 0 {
			a.writing = false
			a.mu.Unlock()
			closeAll(answered)
			return
		}
		if base := a.base(); base != nil {
			answered = append(answered, a.refuseHeldKeys()...)
			if len(a.queue) == 0 {
				a.mu.Unlock()
				closeAll(answered)
				continue
			}
			batch, b := a.form(base)
			a.mu.Unlock()
			closeAll(answered)
			a.send(batch, b, base)
			continue
		}
		first := a.queue[0]
		a.mu.Unlock()
		closeAll(answered)
		// No request is in flight, so nothing can answer meanwhile: a
		// successful read is the document the next batch is decided on.
		if _, err := a.readShared(first.ctx); err != nil {
			a.mu.Lock()
			answered = a.failReaders(first, err)
			a.mu.Unlock()
			closeAll(answered)
		}
	}
}

// base is the document the next batch is decided on: the one the last
// answer left, or a read since; an empty one when no queued write needs
// the server's document; nil when it must be read first. The caller
// holds a.mu.
func (a *account) base() prefs.Document {
	switch {
	case a.doc != nil:
		return a.doc
	case !slices.ContainsFunc(a.queue, func(w *write) bool { return w.pending().NeedsDocument() }):
		return prefs.Document{} // writes that only forget keys: nothing to read for
	}
	return nil
}

// dropCancelled takes out of the queue, and returns, the writes whose
// caller has gone: they send nothing more. One that landed already fails
// with what it landed. The caller holds a.mu.
func (a *account) dropCancelled() []*write {
	var gone []*write
	a.queue = slices.DeleteFunc(a.queue, func(w *write) bool {
		if w.ctx.Err() == nil {
			return false
		}
		gone = append(gone, w)
		return true
	})
	for _, w := range gone {
		a.fail(w, w.ctx.Err())
	}
	return gone
}

// refuseHeldKeys fails, before anything of them is sent, the queued
// writes that would take over a key whose resource failed to let it go in
// this walk: that resource still manages it, and two resources must never
// hold one key. The caller holds a.mu.
func (a *account) refuseHeldKeys() []*write {
	var refused []*write
	a.queue = slices.DeleteFunc(a.queue, func(w *write) bool {
		if w.state == writeLanded {
			return false
		}
		held := a.owners.stuckOf(w.Adopt)
		if len(held) == 0 {
			return false
		}
		a.fail(w, &keysStillHeld{keys: held})
		refused = append(refused, w)
		return true
	})
	return refused
}

// failReaders answers, with the error of the read their batch needed, the
// queued writes that need the server's document, unless that read failed
// because first's caller went: first leaves the queue then, and the next
// batch reads again. Writes that only forget keys go on without it. The
// caller holds a.mu.
func (a *account) failReaders(first *write, err error) []*write {
	if first.ctx.Err() != nil {
		return nil
	}
	var failed []*write
	a.queue = slices.DeleteFunc(a.queue, func(w *write) bool {
		if !w.pending().NeedsDocument() {
			return false
		}
		a.fail(w, err)
		failed = append(failed, w)
		return true
	})
	return failed
}

func closeAll(answered []*write) {
	for _, w := range answered {
		close(w.done)
	}
}

// form takes the next batch out of the queue, decided on base. The caller
// holds a.mu.
func (a *account) form(base prefs.Document) ([]*write, prefs.Batch) {
	queued := make([]prefs.Write, len(a.queue))
	for i, w := range a.queue {
		queued[i] = w.pending()
	}
	b := prefs.Decide(base, queued, a.owners.walk())
	batch := make([]*write, len(b.Writes))
	for n, i := range b.Writes {
		batch[n] = a.queue[i]
		batch[n].decided = b.Outcomes[n]
		if batch[n].state == writeQueued {
			batch[n].state = writeSent
		}
	}
	a.queue = slices.DeleteFunc(a.queue, func(w *write) bool { return slices.Contains(batch, w) })
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
