package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openprefs/terraform-provider-notification/internal/credentials/credentialstest"
)

// Many callers in parallel that all need a new token run the command once.
func TestParallelCallersNeedingRefreshRunTheCommandOnce(t *testing.T) {
	argv, runs := credentialstest.MintScript(t, "2026-03-04T07:00:00Z")
	clock := &fakeClock{now: t0}
	src := Command(argv, Options{Now: clock.Now})
	src.current = Token{Value: "old", fetched: t0.Add(-55 * time.Second), Expiry: t0.Add(5 * time.Second)}
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := src.Token(context.Background()); err != nil || tok.Value != "tok-1" {
				t.Errorf("got %q, %v; want tok-1", tok.Value, err)
			}
		}()
	}
	wg.Wait()
	if n := runs(); n != 1 {
		t.Fatalf("the command ran %d times for 40 callers needing a refresh, want 1", n)
	}
}

func TestTokenCommandFailures(t *testing.T) {
	secretOut := "stdout-secret-5c2f"
	for _, tt := range []struct {
		name    string
		argv    []string
		timeout time.Duration
		problem FetchProblem
		want    []string
		never   []string
	}{
		{"exit status and standard error, masked", []string{"sh", "-c", `echo ` + secretOut + `; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i" >&2; done; echo "refused: token=abc.def-123" >&2; exit 3`}, 0,
			CommandFailed, []string{`token_command "sh" exited with status 3`, "line 4\n", "line 12\nrefused: token=***"}, []string{secretOut, "abc.def-123", "line 3\n"}},
		{"time limit", []string{"sh", "-c", "echo " + secretOut + "; sleep 30"}, 300 * time.Millisecond,
			CommandTimedOut, []string{`token_command "sh" did not finish within its time limit of 300ms and was stopped`}, []string{secretOut}},
		{"nothing printed", []string{"sh", "-c", "echo 'only on stderr' >&2"}, 0,
			NoToken, []string{`token_command "sh" printed no token on its standard output`, "only on stderr"}, nil},
		{"cannot start", []string{"/no/such/mint-token"}, 0,
			CommandFailed, []string{`token_command "/no/such/mint-token" could not be run`, "no such file"}, nil},
		{"50 MB of output", []string{"sh", "-c", "head -c 50000000 /dev/zero | tr '\\\\0' a"}, 0,
			OutputUnreadable, []string{`token_command "sh" printed something that is not a token: it is longer than 64 KiB`}, nil},
	} {
		start := time.Now()
		_, _, err := Command(tt.argv, Options{Timeout: tt.timeout}).fetch(context.Background())
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Problem != tt.problem {
			t.Errorf("%s: %v, want problem %d", tt.name, err, tt.problem)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tt.name, err, w)
			}
		}
		for _, n := range tt.never {
			if strings.Contains(err.Error(), n) {
				t.Errorf("%s: %q shows %q", tt.name, err, n)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", tt.name, d)
		}
	}
}

// Standard input is closed: a command that prompts reads end of file at
// once instead of hanging the run.
func TestTokenCommandStdinIsClosed(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin }()
	value, _, err := Command([]string{"sh", "-c", `if read -r line; then echo open; else echo closed; fi`}, Options{Timeout: 2 * time.Second}).fetch(context.Background())
	if err != nil || value != "closed" {
		t.Fatalf("got %q, %v; want closed", value, err)
	}
}

// A command that exits leaving a background child holding its standard
// output gives its token at once: its exit ends the read.
func TestBackgroundChildDoesNotHoldTheToken(t *testing.T) {
	start := time.Now()
	value, _, err := Command([]string{"sh", "-c", "(sleep 5 &); echo tok-bg"}, Options{Timeout: 10 * time.Second}).fetch(context.Background())
	if err != nil || value != "tok-bg" {
		t.Fatalf("got %q, %v; want tok-bg", value, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v: the read waited for the background child", d)
	}
}

// At its time limit the command's whole process group is killed: no
// grandchild is left running.
func TestTimedOutCommandLeavesNoGrandchild(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	_, _, err := Command([]string{"sh", "-c", `sleep 30 & echo $! > "$1"; wait`, "mint", pidFile}, Options{Timeout: 300 * time.Millisecond}).fetch(context.Background())
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Problem != CommandTimedOut {
		t.Fatalf("err = %v, want the time limit", err)
	}
	b, _ := os.ReadFile(pidFile)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
	if perr != nil {
		t.Fatalf("no grandchild pid: %q", b)
	}
	for deadline := time.Now().Add(2 * time.Second); alive(pid); {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the grandchild %d outlived the timed-out command", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports a process that exists and is not a zombie (a container's
// init may never reap it).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) == 0 || fields[0] != "Z"
}
