package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
)

// A write request cancelled while in flight may still land: the server can
// have applied it when the connection is cut. Its caller would then record
// nothing, and the next apply would take the written value for the one the
// key had before Terraform. So a write, once sent, is never abandoned: it
// runs to its answer, bounded by the request timeout of each attempt. What
// a stop (Terraform interrupted) does is start no new attempt: a wait
// between attempts ends at once, and a retry is not sent.

// errStopped is the error of a request stopped between two attempts.
var errStopped = errors.New("stopped before sending the request again: Terraform was interrupted")

type stopKey struct{}

// Unabandoned returns a context for a write: parent's values without its
// cancellation, so that an attempt in flight is not cut off. Once stop is
// closed, the request starts no new attempt.
func Unabandoned(parent context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(context.WithoutCancel(parent), stopKey{}, stop)
}

// attemptGuard is the state of one request made with an Unabandoned
// context: whether it is stopped, and whether it is waiting between two
// attempts, the only time a stop may cancel it.
type attemptGuard struct {
	mu      sync.Mutex
	stopped bool
	waiting bool
	cancel  context.CancelFunc
}

type guardKey struct{}

// guard returns ctx carrying the guard of its request. A context not made
// by Unabandoned gets no guard (nil, whose methods do nothing): its
// cancellation is the caller's to decide.
func guard(ctx context.Context) (context.Context, *attemptGuard) {
	stop, ok := ctx.Value(stopKey{}).(<-chan struct{})
	if !ok {
		return ctx, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	g := &attemptGuard{cancel: cancel}
	go func() {
		select {
		case <-stop:
			g.stop()
		case <-ctx.Done(): // released
		}
	}()
	return context.WithValue(ctx, guardKey{}, g), g
}

func guardOf(ctx context.Context) *attemptGuard {
	g, _ := ctx.Value(guardKey{}).(*attemptGuard)
	return g
}

// answered marks the request's last attempt answered: from here on
// nothing cancels it, while its answer is read.
func (g *attemptGuard) answered() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.waiting = false
	g.mu.Unlock()
}

// release frees the request's context once its answer is read.
func (g *attemptGuard) release() {
	if g != nil {
		g.cancel()
	}
}

func (g *attemptGuard) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	if g.waiting {
		g.cancel()
	}
}

// retrying reports whether the request may be sent again, and if so marks
// it as waiting for that attempt.
func (g *attemptGuard) retrying() bool {
	if g == nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	g.waiting = true
	return true
}

// prepareRetry runs just before another attempt: a stopped request sends
// nothing more, and one that goes on may no longer be cancelled.
func prepareRetry(req *http.Request) error {
	g := guardOf(req.Context())
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return errStopped
	}
	g.waiting = false
	return nil
}

// untilStopped returns ctx, cancelled too when Terraform stops the request
// (see Unabandoned): what a wait that is not an attempt (for a new token)
// ends on.
func untilStopped(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop, ok := ctx.Value(stopKey{}).(<-chan struct{})
	if !ok {
		return ctx, cancel
	}
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
