package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// A write in flight when its caller stops runs to its answer: the server
// may already have applied it, and the answer is what state must record.
func TestUnabandonedWriteRunsToItsAnswer(t *testing.T) {
	mock := mockapi.New()
	arrived, answer := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			close(arrived)
			<-answer
		}
		mock.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, prefs.V1, mockapi.DemoSessionToken)
	caller, stopCaller := context.WithCancel(context.Background())
	stop := make(chan struct{})
	context.AfterFunc(caller, func() { close(stop) })
	done := make(chan error, 1)
	var after prefs.Document
	go func() {
		var err error
		after, err = c.Apply(client.Unabandoned(caller, stop), prefs.Document{"email.weekly_usage_digest": true}, nil, prefs.Document{})
		done <- err
	}()
	<-arrived
	stopCaller()
	close(answer)
	if err := <-done; err != nil || !after["email.weekly_usage_digest"] {
		t.Fatalf("Apply answered %v, %v; want the write's answer", err, after)
	}
}

// Once stopped, a write starts no new attempt: a wait between attempts
// ends at once, and a transient failure is the answer.
func TestUnabandonedWriteStartsNoNewAttempt(t *testing.T) {
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		attempts.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: "t", Dialect: prefs.V1, MaxRetries: 3, RetryWaitMax: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Apply(client.Unabandoned(context.Background(), stop), prefs.Document{"email.a": true}, nil, prefs.Document{})
		done <- err
	}()
	for attempts.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Most often during the 30 s the API asked to wait, which then ends;
	// else just before the answer is checked, which then is the answer.
	close(stop)
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the stopped write still waits to retry")
	}
	var apiErr *client.APIError
	stopped := errors.Is(err, context.Canceled) || (errors.As(err, &apiErr) && apiErr.Status == http.StatusServiceUnavailable)
	if n := attempts.Load(); n != 1 || !stopped {
		t.Fatalf("%d attempts, err %v; want one attempt, answered by the stop or the 503", n, err)
	}
}
