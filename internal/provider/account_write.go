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
// each batch, sends it and hands out the answers. A caller only queues its
// write and waits for its own answer, or for its own context to end. What
// a batch sends is decided when it is formed, by prefs.Decide, from the
// document the previous answer left (or a fresh read), and a refused or
// incomplete request is retried in settle (account_settle.go) and nowhere
// else.

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
