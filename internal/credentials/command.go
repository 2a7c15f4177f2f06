package credentials

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultCommandTimeout bounds a token command: long enough for a secret
// store's CLI to sign in, short enough that a command waiting on something
// that never comes fails the run rather than holding CI.
const DefaultCommandTimeout = 30 * time.Second

// drainAfterExit is how long the output pipes are read after the command
// exits. What it wrote is in the pipe by then and is read at once; only a
// background child it left behind (`(sleep 5 &); echo tok`) still holds
// the pipe open, and it must not hold the token hostage.
const drainAfterExit = 200 * time.Millisecond

// Command runs argv (a program and its arguments, no shell) for each
// token, with standard input closed so that no prompt can hang a run, in
// the provider's environment and working directory, which are
// Terraform's. Its standard output is the token and is never logged.
func Command(argv []string, o Options) *Source {
	s := &Source{attr: "token_command", now: o.clock(), limit: o.Timeout}
	if s.limit <= 0 {
		s.limit = DefaultCommandTimeout
	}
	s.fetch = func(ctx context.Context) (string, time.Time, error) {
		s.mu.Lock()
		known := s.known
		s.mu.Unlock()
		out, stderr, err := runCommand(ctx, argv, s.limit, known...)
		if err != nil {
			tflog.Warn(ctx, "token_command failed", map[string]any{"error": err.Error()})
			return "", time.Time{}, err
		}
		value, expiresAt, err := parseOutput(out)
		var fe *FetchError
		if errors.As(err, &fe) {
			fe.Stderr = stderr // why it printed no token may be there
		}
		return fetched(ctx, s.attr, argv[0], value, expiresAt, err)
	}
	return s
}

// runCommand returns the command's standard output (at most MaxOutput+1
// bytes of it) and the end of its standard error, masked. The command
// runs in a process group of its own, killed whole at the time limit, so
// that nothing it started outlives it.
func runCommand(ctx context.Context, argv []string, timeout time.Duration, known ...string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := &FetchError{Attr: "token_command", Program: argv[0], ExitStatus: -1}
	// The pipes are ours, not exec's: exec's copying goroutines would
	// make Wait wait for every process holding them.
	outR, outW, err := os.Pipe()
	if err != nil {
		fail.Problem, fail.Err = CommandFailed, err
		return nil, "", fail
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		fail.Problem, fail.Err = CommandFailed, err
		return nil, "", fail
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = nil // reads see end of file at once
	cmd.Stdout, cmd.Stderr = outW, errW
	ownProcessGroup(cmd)
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		fail.Problem, fail.Err = CommandFailed, err
		return nil, "", fail
	}
	stdout := drain(outR, false)
	stderr := drain(errR, true)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var waitErr error
	timedOut := false
	select {
	case waitErr = <-exited:
	case <-ctx.Done():
		timedOut = true
		killProcessGroup(cmd)
		waitErr = <-exited
	}
	stopReading(outR)
	stopReading(errR)
	out, errOut := <-stdout, <-stderr
	fail.Stderr = stderrTail(string(errOut), known...)
	var exit *exec.ExitError
	switch {
	case timedOut:
		fail.Problem, fail.Timeout = CommandTimedOut, timeout
		return nil, "", fail
	case errors.As(waitErr, &exit):
		fail.Problem, fail.ExitStatus = CommandFailed, exit.ExitCode()
		return nil, "", fail
	case waitErr != nil:
		fail.Problem, fail.Err = CommandFailed, waitErr
		return nil, "", fail
	}
	return out, fail.Stderr, nil
}

// drain reads r to its end in the background: the first MaxOutput+1
// bytes, or with tail the last MaxOutput. It reads on past the limit and
// drops the rest, so that a command flooding its output is not blocked on
// a full pipe but exits, and is told apart by its length.
func drain(r *os.File, tail bool) <-chan []byte {
	done := make(chan []byte, 1)
	go func() {
		var kept []byte
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			switch {
			case tail:
				kept = append(kept, buf[:n]...)
				if len(kept) > 2*MaxOutput {
					kept = append([]byte(nil), kept[len(kept)-MaxOutput:]...)
				}
			case len(kept) <= MaxOutput:
				kept = append(kept, buf[:min(n, MaxOutput+1-len(kept))]...)
			}
			if err != nil {
				break
			}
		}
		r.Close()
		done <- kept
	}()
	return done
}

// stopReading ends the read of a pipe shortly after the command exited,
// whoever still holds its other end.
func stopReading(r *os.File) {
	if r.SetReadDeadline(time.Now().Add(drainAfterExit)) != nil {
		// A platform whose pipes take no deadline: closing the read end
		// ends the read there.
		go func() {
			time.Sleep(drainAfterExit)
			r.Close()
		}()
	}
}

// stderrLines is how much of a failed command's standard error is shown.
const stderrLines = 10

// stderrTail returns the last lines of a command's standard error, masked
// first: a cut made before masking could leave the end of a token that
// the mask would no longer recognise.
func stderrTail(s string, known ...string) string {
	s = MaskSecrets(s, known...)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > stderrLines {
		lines = lines[len(lines)-stderrLines:]
	}
	tail := strings.TrimSpace(strings.Join(lines, "\n"))
	if len(tail) > 2000 {
		tail = "…" + tail[len(tail)-2000:]
	}
	return tail
}
