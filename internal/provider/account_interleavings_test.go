package provider

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The interleavings of writes that share requests, each made
// deterministic by a gated client: the test holds a request in flight
// while it queues other writes behind it, changes the server or cancels a
// caller, then lets the request answer.

// gatedClient is an API for the interleavings of the queue: it holds each
// request the test asks it to until the test lets it go, so that the test
// decides what queues behind it and what changes on the server meanwhile.
// It refuses, changing nothing, a request that writes a key of bad, as the
// v1 API refuses a key it does not know.
type gatedClient struct {
	client.Client
	mu       sync.Mutex
	doc      prefs.Document
	bad      map[string]bool
	ignored  map[string]bool  // keys whose writes succeed without keeping the value
	requests []prefs.Document // what each write request carried
	reads    int
	// gates holds, for the nth write request (from 1), the gate it waits
	// on; held is told each time one is held.
	gates map[int]chan struct{}
	held  chan context.Context
	// meanwhile is what someone else changes on the server just after the
	// next write request lands, before it answers.
	meanwhile prefs.Document
	// readErr, when set, is every read's answer.
	readErr error
}

func newGatedClient(doc prefs.Document, gated ...int) *gatedClient {
	c := &gatedClient{doc: doc, bad: map[string]bool{"email.bad": true}, gates: map[int]chan struct{}{}, held: make(chan context.Context, 10)}
	for _, n := range gated {
		c.gates[n] = make(chan struct{})
	}
	return c
}

func (c *gatedClient) Dialect() prefs.Dialect { return prefs.V1 }
func (c *gatedClient) ID() string             { return "me" }

func (c *gatedClient) Read(context.Context) (prefs.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.readErr != nil {
		return nil, c.readErr
	}
	return c.doc.Clone(), nil
}

func (c *gatedClient) Apply(ctx context.Context, changes, _, _ prefs.Document) (prefs.Document, error) {
	c.mu.Lock()
	c.requests = append(c.requests, changes.Clone())
	gate := c.gates[len(c.requests)]
	c.mu.Unlock()
	if gate != nil {
		c.held <- ctx
		<-gate
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range changes {
		if c.bad[k] {
			return nil, &client.APIError{Status: 422, Code: client.CodeUnknownKey, Details: map[string]string{k: "unknown toggle"}}
		}
	}
	c.doc = c.doc.Overlay(changes).Overlay(c.meanwhile)
	for k := range c.ignored {
		c.doc[k] = false
	}
	c.meanwhile = nil
	return c.doc.Clone(), nil
}

func (c *gatedClient) sent() []prefs.Document {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requests)
}

// queueAfter waits until n writes are queued behind the request in flight.
func queueAfter(a *account, n int) {
	for {
		a.mu.Lock()
		queued := len(a.queue)
		a.mu.Unlock()
		if queued >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// async submits w and returns a channel that answers it.
func async(ctx context.Context, a *account, w prefs.Write) <-chan *write {
	answered := make(chan *write, 1)
	go func() { answered <- submitted(ctx, a, w) }()
	return answered
}

// letGo and takeOver are a key moving between two resources: a lets
// email.k go, whose value before Terraform was false; b takes it over,
// declaring true.
func letGo() prefs.Write {
	return prefs.Write{Release: &prefs.Release{Keys: []string{"email.k"}, Earlier: prefs.Document{"email.k": false}}}
}

func takeOver(extra ...string) prefs.Write {
	w := prefs.Write{Hold: prefs.Document{"email.k": true}, Adopt: []string{"email.k"}}
	for _, k := range extra {
		w.Hold[k] = true
		w.Adopt = append(w.Adopt, k)
	}
	return w
}

// Writes that arrive while a request is in flight go out together as the
// next request, and each gets the answer.
func TestAccountWritesShareRequests(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{}, 1)
	a := &account{Client: c}
	first := async(context.Background(), a, prefs.Write{Hold: prefs.Document{"email.first": true}})
	<-c.held
	var queued []<-chan *write
	for _, k := range []string{"email.a", "email.b", "email.c"} {
		queued = append(queued, async(context.Background(), a, prefs.Write{Hold: prefs.Document{k: true}}))
	}
	queueAfter(a, 3)
	close(c.gates[1])
	for _, q := range append(queued, first) {
		if w := <-q; w.err != nil {
			t.Fatal(w.err)
		}
	}
	want := []prefs.Document{{"email.first": true}, {"email.a": true, "email.b": true, "email.c": true}}
	if got := c.sent(); !slices.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("requests %v, want %v", got, want)
	}
}

// A write queued behind a request whose answer changes a key it declares
// is decided on that answer: it sends the key, and the server ends at the
// declared value. Here the request in flight is a writes back the key's
// earlier value while b, which takes the key over, waits behind it.
func TestAccountWriteDecidedOnTheAnswerAhead(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.k": true}, 1)
	a := &account{Client: c}
	a.declare("b", []string{"email.k"}, nil, false)
	released := async(context.Background(), a, letGo())
	<-c.held
	taken := async(context.Background(), a, takeOver())
	queueAfter(a, 1)
	close(c.gates[1])
	r, b := <-released, <-taken
	if r.err != nil || b.err != nil {
		t.Fatal(r.err, b.err)
	}
	want := []prefs.Document{{"email.k": false}, {"email.k": true}}
	if got := c.sent(); !slices.EqualFunc(got, want, maps.Equal) || !c.doc["email.k"] || !b.after["email.k"] {
		t.Fatalf("requests %v, server email.k = %v; want %v and the declared true", got, c.doc["email.k"], want)
	}
	if !maps.Equal(b.outcome.Earlier, prefs.Document{"email.k": false}) {
		t.Fatalf("b remembers %v, want the value from before Terraform, false", b.outcome.Earlier)
	}
}

// A request refused while merged is split, and each part is decided again:
// a, whose key b took over within the merged request, writes the key back
// when alone, since b's create (with a bad key) fails. The taker goes
// alone first, so that a refusal of the one letting go could not fail it.
func TestAccountSplitRequestDecidesEachPartAgain(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.k": true}, 1)
	a := &account{Client: c}
	first := async(context.Background(), a, prefs.Write{Hold: prefs.Document{"email.first": true}})
	<-c.held
	released := async(context.Background(), a, letGo())
	queueAfter(a, 1)
	taken := async(context.Background(), a, takeOver("email.bad"))
	queueAfter(a, 2)
	close(c.gates[1])
	f, r, b := <-first, <-released, <-taken
	if f.err != nil || r.err != nil || b.err == nil {
		t.Fatalf("first %v, a %v, b %v; want only b to fail", f.err, r.err, b.err)
	}
	want := []prefs.Document{
		{"email.first": true},
		{"email.bad": true}, // merged: email.k handed over to b
		{"email.bad": true}, // b alone first, the taker: refused
		{"email.k": false},  // then a alone: b is not there to take it
	}
	if got := c.sent(); !slices.EqualFunc(got, want, maps.Equal) || c.doc["email.k"] {
		t.Fatalf("requests %v, server email.k = %v; want %v and email.k back at false", got, c.doc["email.k"], want)
	}
	if left := r.outcome.Released.Left[prefs.HandedOver]; len(left) > 0 {
		t.Fatalf("a claims %v handed over", left)
	}
}

// A taker whose create fails before the resource letting its key go is
// applied takes nothing over: the key goes back to its earlier value, and
// no warning claims a hand-over.
func TestAccountFailedTakerTakesNothingOver(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.k": true})
	a := &account{Client: c}
	a.declare("b", []string{"email.k", "email.bad"}, nil, false)
	a.offer(prefs.Document{"email.k": false}, prefs.Document{"email.k": false}, []string{"email.k"})
	if b := submitted(context.Background(), a, takeOver("email.bad")); b.err == nil {
		t.Fatal("b's create with a bad key succeeded")
	}
	if a.isDeclared("email.k") {
		t.Fatal("b's plan still declares email.k after its create failed: a later plan would claim a hand-over")
	}
	r := submitted(context.Background(), a, letGo())
	if r.err != nil {
		t.Fatal(r.err)
	}
	if c.doc["email.k"] || len(r.outcome.Released.Left[prefs.HandedOver]) > 0 || len(r.outcome.Moved) > 0 {
		t.Fatalf("server email.k = %v, a left %v and names %v moved; want the key written back and no hand-over", c.doc["email.k"], r.outcome.Released.Left, r.outcome.Moved)
	}
}

// A write whose context ends while it waits in the queue sends nothing
// and is answered with the cancellation, once the request in flight has
// answered (what it leaves in state depends on whether a taker of its
// keys landed); one whose request is in flight waits for its answer,
// which the request gets in full.
func TestAccountCancelledWrites(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{}, 1)
	a := &account{Client: c}
	inFlight, stopInFlight := context.WithCancel(context.Background())
	first := async(inFlight, a, prefs.Write{Hold: prefs.Document{"email.first": true}})
	requestCtx := <-c.held
	queued, stopQueued := context.WithCancel(context.Background())
	second := async(queued, a, prefs.Write{Hold: prefs.Document{"email.second": true}})
	queueAfter(a, 1)

	stopQueued()
	stopInFlight()
	select {
	case w := <-first:
		t.Fatalf("the write in flight answered before its request did: %v", w.err)
	case w := <-second:
		t.Fatalf("the queued write answered before the request ahead of it did: %v", w.err)
	case <-time.After(50 * time.Millisecond):
	}
	if requestCtx.Err() != nil {
		t.Fatal("the request in flight was cancelled with its caller")
	}
	close(c.gates[1])
	if w := <-first; w.err != nil || !w.after["email.first"] {
		t.Fatalf("the write in flight answered %v, %v; want its request's answer", w.err, w.after)
	}
	if w := <-second; !errors.Is(w.err, context.Canceled) || w.state != writeFailed {
		t.Fatalf("the queued write answered %v in state %v, want its cancellation with nothing sent", w.err, w.state)
	}
	if got := c.sent(); len(got) != 1 {
		t.Fatalf("requests %v, want the first alone: the cancelled write sent nothing", got)
	}
}

// A write whose request landed without one of its declared values (changed
// on the server meanwhile) is sent once more with that key alone, and then
// holds it.
func TestAccountAnswerCheckedAgainstTheHold(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.a": false, "email.b": false}, 1)
	c.meanwhile = prefs.Document{"email.b": false}
	a := &account{Client: c}
	w := async(context.Background(), a, prefs.Write{Hold: prefs.Document{"email.a": true, "email.b": true}})
	<-c.held
	close(c.gates[1])
	if got := <-w; got.err != nil || !got.after["email.a"] || !got.after["email.b"] {
		t.Fatalf("answered %v, %v; want both keys held", got.err, got.after)
	}
	want := []prefs.Document{{"email.a": true, "email.b": true}, {"email.b": true}}
	if got := c.sent(); !slices.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("requests %v, want %v", got, want)
	}
}

// A write whose caller stops while its request is in flight goes on to its
// answer, and what landed is recorded, but nothing more is sent after the
// stop: the key someone changed meanwhile is left to the next plan.
func TestAccountStoppedWriteRecordsWhatLanded(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.a": false, "email.b": false}, 1)
	c.meanwhile = prefs.Document{"email.b": false}
	a := &account{Client: c}
	ctx, stop := context.WithCancel(context.Background())
	w := async(ctx, a, prefs.Write{Hold: prefs.Document{"email.a": true, "email.b": true}, Adopt: []string{"email.a", "email.b"}})
	<-c.held
	stop()
	close(c.gates[1])
	got := <-w
	if !errors.Is(got.err, context.Canceled) || got.state != writeLanded || !got.after["email.a"] {
		t.Fatalf("answered %v in state %v with %v; want the cancellation, landed, with the answer", got.err, got.state, got.after)
	}
	if want := (prefs.Document{"email.a": false, "email.b": false}); !maps.Equal(got.outcome.Earlier, want) {
		t.Fatalf("remembers %v, want %v: the values before the write that landed", got.outcome.Earlier, want)
	}
	if sent := c.sent(); len(sent) != 1 {
		t.Fatalf("requests %v, want the write alone: nothing after the stop", sent)
	}
}

// A key handed over within a request that landed stays handed over when
// the taker then fails (the server does not keep another of its values,
// asked twice): the taker's request landed, so it holds the key, and the
// write letting it go succeeded.
func TestAccountHandOverWithinALandedRequestHolds(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.k": true, "email.sticky": false}, 1)
	c.ignored = map[string]bool{"email.sticky": true}
	a := &account{Client: c}
	first := async(context.Background(), a, prefs.Write{Hold: prefs.Document{"email.first": true}})
	<-c.held
	released := async(context.Background(), a, letGo())
	queueAfter(a, 1)
	taken := async(context.Background(), a, takeOver("email.sticky"))
	queueAfter(a, 2)
	close(c.gates[1])
	f, r, b := <-first, <-released, <-taken
	var notKept *valueNotKept
	if f.err != nil || r.err != nil || !errors.As(b.err, &notKept) || b.state != writeLanded {
		t.Fatalf("first %v, a %v, b %v (state %v); want b alone to fail, landed, its value not kept", f.err, r.err, b.err, b.state)
	}
	if !c.doc["email.k"] || !slices.Equal(r.outcome.Released.Left[prefs.HandedOver], []string{"email.k"}) {
		t.Fatalf("server email.k = %v, a left %v; want email.k handed over to b, which holds it", c.doc["email.k"], r.outcome.Released.Left)
	}
	if !maps.Equal(b.outcome.Earlier, prefs.Document{"email.k": false, "email.sticky": false}) {
		t.Fatalf("b remembers %v, want email.k's earlier value handed over and email.sticky's from before the write", b.outcome.Earlier)
	}
}

// Finding 3(a): every write of a request that landed is landed. A write
// letting a key go to a taker in the same request succeeds with it, even
// when the taker goes once more for a value someone changed meanwhile and
// the caller of the one letting go has gone by then: its values are on
// the server, so its answer is the request's, not the cancellation.
func TestAccountEveryWriteOfALandedRequestLanded(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.k": true, "email.x": false}, 1, 2)
	a := &account{Client: c}
	first := async(context.Background(), a, prefs.Write{Hold: prefs.Document{"email.first": true}})
	<-c.held
	ctx, interrupt := context.WithCancel(context.Background())
	released := async(ctx, a, letGo())
	queueAfter(a, 1)
	taken := async(context.Background(), a, takeOver("email.x"))
	queueAfter(a, 2)
	close(c.gates[1])
	<-c.held // the merged request of both, in flight
	c.mu.Lock()
	c.meanwhile = prefs.Document{"email.x": false}
	c.mu.Unlock()
	interrupt()
	close(c.gates[2])
	f, r, b := <-first, <-released, <-taken
	if f.err != nil || r.err != nil || b.err != nil {
		t.Fatalf("first %v, a %v, b %v; want all three to succeed", f.err, r.err, b.err)
	}
	if !slices.Equal(r.outcome.Released.Left[prefs.HandedOver], []string{"email.k"}) || !c.doc["email.k"] || !c.doc["email.x"] {
		t.Fatalf("a left %v, server %v; want email.k handed over to b, and b's values held", r.outcome.Released.Left, c.doc)
	}
}

// Finding 3(c): when the read a batch needs fails, a write that landed
// already fails with what it landed (its resource saves it), and a write
// that only forgets keys, needing no document, goes on.
func TestAccountFailedReadKeepsWhatLanded(t *testing.T) {
	t.Parallel()
	c := newGatedClient(prefs.Document{"email.a": false, "email.b": false}, 1)
	c.meanwhile = prefs.Document{"email.b": false}
	c.bad["email.bad"] = true
	a := &account{Client: c}
	landing := async(context.Background(), a, prefs.Write{Hold: prefs.Document{"email.a": true, "email.b": true}, Adopt: []string{"email.a", "email.b"}})
	<-c.held
	refused := async(context.Background(), a, prefs.Write{Hold: prefs.Document{"email.bad": true}})
	queueAfter(a, 1)
	forgets := async(context.Background(), a, prefs.Write{Release: &prefs.Release{Keys: []string{"email.z"}, Keep: true}})
	queueAfter(a, 2)
	c.mu.Lock()
	c.readErr = errors.New("the read failed")
	c.mu.Unlock()
	close(c.gates[1])
	l, r, f := <-landing, <-refused, <-forgets
	if l.err == nil || l.state != writeLanded || !maps.Equal(l.outcome.Earlier, prefs.Document{"email.a": false, "email.b": false}) {
		t.Fatalf("the landed write answered %v in state %v remembering %v; want it failed, landed, with the values before it", l.err, l.state, l.outcome.Earlier)
	}
	if r.err == nil || f.err != nil {
		t.Fatalf("the refused write answered %v, the one that only forgets %v; want the first to fail, the second to succeed", r.err, f.err)
	}
}
