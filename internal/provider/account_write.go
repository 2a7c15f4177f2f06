package provider

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"sync/atomic"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Writes of one provider configuration take turns, one request in flight
// at a time: a vastai PUT replaces the whole document, and two in parallel
// would each put back the other's old values. The writes that arrive while
// a request is in flight queue, and go out together as the next request:
// one PATCH, or one PUT, for all of them. Nothing waits on a clock: a batch
// is what queued during the previous request.
//
// The queue is also where the order of writes is decided, so the choices
// that depend on it are made there, under account.mu, when a batch is
// formed: whether a key a resource lets go is written back or handed over
// to a resource that declares it now, and which earlier value a resource
// taking a key over remembers.

// write is one resource's part of a request.
type write struct {
	ctx     context.Context
	changes prefs.Document // values to write
	hold    prefs.Document // declared values the server must hold afterwards
	// release, when not nil, lets keys go: the values it writes back are
	// decided when the write's batch is formed.
	release *prefs.Release
	// adopt lists the keys the resource starts managing, whose earlier
	// values are decided then too: one offered in this walk, else the
	// server's value before this write.
	adopt []string
	found prefs.Document // the document the resource read

	alone   bool // refused within a merged request: sent in one of its own
	reread  bool // refused for a key of the shared document: sent again on a fresh read
	decided bool

	// Decided when the batch is formed.
	released      prefs.Released
	earlier       prefs.Document // the earlier values of adopt
	misremembered []movedKey     // keys handed over to a taker that remembered another value

	// Answered.
	after prefs.Document
	err   error
	done  chan struct{} // closed when answered
	turn  chan struct{} // signalled when this write's goroutine is to send the next batch
}

// sent is what the request carried for w.
func (w *write) sent() prefs.Document {
	return w.changes.Overlay(w.released.Writes)
}

// submit queues w and returns once its request has been answered (w.after
// or w.err). The goroutine that finds no request in flight sends one; when
// its answer comes, the goroutine of the first write still queued sends the
// next, so no resource waits on requests after its own.
func (a *account) submit(ctx context.Context, w *write) {
	w.ctx = ctx
	w.done, w.turn = make(chan struct{}), make(chan struct{}, 1)
	a.mu.Lock()
	a.queue = append(a.queue, w)
	if !a.writing {
		a.writing = true
		w.turn <- struct{}{}
	}
	a.mu.Unlock()
	for {
		select {
		case <-w.done:
			return
		case <-w.turn:
			a.sendBatch()
		}
	}
}

// sendBatch sends the queued writes as one request and hands each its
// answer.
func (a *account) sendBatch() {
	a.mu.Lock()
	batch := a.takeBatch()
	base := a.doc
	a.mu.Unlock()

	changes, hold := prefs.Document{}, prefs.Document{}
	for _, w := range batch {
		maps.Copy(changes, w.sent())
		maps.Copy(hold, w.hold)
	}
	// Nothing to write, nothing sent: the writes only let keys go, or
	// found the server as they want it.
	after, err, sent := base, error(nil), len(changes) > 0
	if sent {
		ctx, stop := batchContext(batch)
		after, err = a.Apply(ctx, changes, hold, base)
		stop()
	}

	a.mu.Lock()
	answered := a.answer(batch, sent, after, err)
	if len(a.queue) > 0 {
		a.queue[0].turn <- struct{}{}
	} else {
		a.writing = false
	}
	a.mu.Unlock()
	for _, w := range answered {
		close(w.done)
	}
}

// takeBatch removes from the queue the writes that go out together, and
// decides for each what it releases and adopts: releases first, so that
// a resource taking over a key another one lets go in the same batch
// remembers the key's earlier value. A write refused in a merged request
// goes alone, and so does one that would write a key another write of the
// batch writes differently. The caller holds a.mu.
func (a *account) takeBatch() []*write {
	candidates := a.queue
	if candidates[0].alone {
		candidates = candidates[:1]
	}
	for _, w := range candidates {
		if !w.decided && w.release != nil {
			w.released, w.misremembered = a.owners.release(*w.release)
		}
	}
	for _, w := range candidates {
		if !w.decided && len(w.adopt) > 0 {
			base := a.doc
			if base == nil {
				base = w.found
			}
			w.earlier = a.owners.adopt(w.adopt, base)
		}
		w.decided = true
	}
	var batch, rest []*write
	values := prefs.Document{}
	for _, w := range a.queue {
		sent := w.sent()
		inBatch := len(batch) == 0 || (!w.alone && !batch[0].alone && agrees(values, sent) && agrees(values, w.hold))
		if !inBatch || !w.decided {
			rest = append(rest, w)
			continue
		}
		batch = append(batch, w)
		maps.Copy(values, sent)
		maps.Copy(values, w.hold)
	}
	a.queue = rest
	return batch
}

// agrees reports whether doc gives no key of values another value.
func agrees(values, doc prefs.Document) bool {
	for k, v := range doc {
		if have, ok := values[k]; ok && have != v {
			return false
		}
	}
	return true
}

// answer hands the batch its answer (sent: a request was made) and returns
// the writes answered. A
// merged request the API refused is split: its writes go again, each
// alone, so that one resource's bad key fails that resource only. The
// caller holds a.mu.
func (a *account) answer(batch []*write, sent bool, after prefs.Document, err error) []*write {
	if sent {
		a.version++
	}
	switch {
	case err == nil:
		if sent {
			a.doc = after
		}
		for _, w := range batch {
			w.after = after
		}
	case len(batch) == 1 && refused(err) && !batch[0].reread && !namesOwnKey(err, batch[0]):
		// A vastai PUT carries the whole shared document: the key refused
		// is one of it, withdrawn since it was read. Once more, on a fresh
		// read.
		a.doc = nil
		batch[0].reread = true
		a.queue = append(batch, a.queue...)
		return nil
	case len(batch) > 1 && refused(err):
		// The document goes too: a vastai PUT carries the whole of it, and
		// the key refused may be one of its own, withdrawn since it was read.
		a.doc = nil
		for _, w := range batch {
			w.alone = true
		}
		a.queue = append(batch, a.queue...)
		return nil
	default:
		// The write may have landed with its answer lost: a PUT built on
		// the document from before it would put the old values back.
		a.doc = nil
		for _, w := range batch {
			w.err = err
			a.owners.forget(w.earlier)
		}
	}
	return batch
}

// refused reports whether the API refused a request for what it carried,
// changing nothing: the answer a merged request gets for one bad key.
func refused(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && (apiErr.Status == http.StatusBadRequest || apiErr.Status == http.StatusUnprocessableEntity)
}

// namesOwnKey reports whether a refusal is about a key w wrote or holds.
// Only an unknown-key refusal naming none of the keys written (Vast.ai
// names keys in its message alone) is about another key.
func namesOwnKey(err error, w *write) bool {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return true
	}
	if len(apiErr.Details) == 0 {
		return !apiErr.UnknownKey()
	}
	written := w.sent()
	for k := range apiErr.Details {
		_, sent := written[k]
		_, held := w.hold[k]
		if sent || held {
			return true
		}
	}
	return false
}

// batchContext is the context of a batch's request: it carries the first
// write's values (for logging) and is cancelled once every write's own
// context is, so that one resource's interruption does not fail the
// others' writes.
func batchContext(batch []*write) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(batch[0].ctx))
	var waiting atomic.Int64
	waiting.Store(int64(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, w := range batch {
		stops[i] = context.AfterFunc(w.ctx, func() {
			if waiting.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
