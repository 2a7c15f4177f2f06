package credentials

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// failingRefresh is a source holding a minute's token, fetched at t0,
// whose every later fetch fails printing the token it holds (which the
// warning must mask).
func failingRefresh(clock *fakeClock) (*Source, *int) {
	runs := 0
	s := &Source{attr: "token_command", now: clock.Now, limit: time.Minute}
	s.fetch = func(context.Context) (string, time.Time, error) {
		runs++
		if runs == 1 {
			return "tok-minute-0001", clock.Now().Add(time.Minute), nil
		}
		return "", time.Time{}, &FetchError{Attr: "token_command", Problem: CommandFailed, Program: "mint", ExitStatus: 1, Stderr: "refusing to replace tok-minute-0001"}
	}
	return s, &runs
}

// A refresh that fails while the token has 20 s left is a warning: the
// requests go on with the current token, and the command is not run again
// before the backoff has passed.
func TestFailedEarlyRefreshKeepsTheCurrentToken(t *testing.T) {
	clock := &fakeClock{now: t0}
	s, runs := failingRefresh(clock)
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	clock.Set(t0.Add(40 * time.Second)) // past half its life, 20 s left
	for i := range 10 {
		clock.Set(t0.Add(40*time.Second + time.Duration(i)*100*time.Millisecond))
		tok, err := s.Token(ctx)
		if err != nil || tok.Value != "tok-minute-0001" {
			t.Fatalf("request %d: %q, %v; want the current token", i, tok.Value, err)
		}
	}
	if *runs != 2 {
		t.Fatalf("the command ran %d times, want 2: the first token, one refresh, then a backoff", *runs)
	}
	if n := strings.Count(logs.String(), "could not fetch a new notification API token"); n != 1 || strings.Contains(logs.String(), "tok-minute-0001") {
		t.Fatalf("%d warnings, want 1, masked:\n%s", n, logs.String())
	}
	clock.Set(t0.Add(40*time.Second + firstBackoff))
	if _, err := s.Token(ctx); err != nil || *runs != 3 {
		t.Fatalf("after the backoff: %v after %d runs, want a third run", err, *runs)
	}
}

// Within the 10 s margin a failing refresh is the error, backoff or not.
func TestFailedRefreshInsideTheMarginIsTheError(t *testing.T) {
	clock := &fakeClock{now: t0}
	s, runs := failingRefresh(clock)
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(55 * time.Second)) // 5 s left
	_, err := s.Token(context.Background())
	var fe *FetchError
	if !errors.As(err, &fe) || *runs != 2 {
		t.Fatalf("with 5 s left: %v after %d runs, want the fetch's error", err, *runs)
	}
}
