package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultTokenCommandTimeout bounds a token command: long enough for a
// secret store's CLI to sign in, short enough that a command waiting on
// something that never comes fails the run rather than holding CI.
const DefaultTokenCommandTimeout = 30 * time.Second

// TokenFile reads the token from path, again each time it is due or after
// a 401, as client-go's token file source does: whatever keeps the file
// fresh (a CI step, a sidecar) may rewrite it at any time.
func TokenFile(path string) *TokenSource {
	s := &TokenSource{Attr: "token_file", now: time.Now}
	s.fetch = func(ctx context.Context) (string, time.Time, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", time.Time{}, &TokenFetchError{Attr: s.Attr, Problem: FileUnreadable, Program: path, Err: err}
		}
		value, expiresAt, err := parseTokenOutput(data)
		return fetched(ctx, s.Attr, path, value, expiresAt, err)
	}
	return s
}

// TokenCommand runs argv (a program and its arguments, no shell) for each
// token, with standard input closed so that no prompt can hang a run, in
// the provider's environment and working directory, which are
// Terraform's. Its standard output is the token and is never logged.
func TokenCommand(argv []string, timeout time.Duration) *TokenSource {
	if timeout <= 0 {
		timeout = DefaultTokenCommandTimeout
	}
	s := &TokenSource{Attr: "token_command", now: time.Now}
	s.fetch = func(ctx context.Context) (string, time.Time, error) {
		out, stderr, err := runTokenCommand(ctx, argv, timeout, s.Current().Value)
		if err != nil {
			tflog.Warn(ctx, "token_command failed", map[string]any{"error": err.Error()})
			return "", time.Time{}, err
		}
		value, expiresAt, err := parseTokenOutput(out)
		var fe *TokenFetchError
		if errors.As(err, &fe) {
			fe.Stderr = stderr // why it printed no token may be there
		}
		return fetched(ctx, s.Attr, argv[0], value, expiresAt, err)
	}
	return s
}

// fetched finishes a fetch: it names the source in a parse error, and logs
// when the token expires (never the token).
func fetched(ctx context.Context, attr, program, value string, expiresAt time.Time, err error) (string, time.Time, error) {
	var fe *TokenFetchError
	if errors.As(err, &fe) {
		fe.Attr, fe.Program = attr, program
		return "", time.Time{}, fe
	}
	fields := map[string]any{"source": attr}
	if exp := newToken(value, expiresAt, time.Now()).Expiry; !exp.IsZero() {
		fields["expires_at"] = exp.UTC().Format(time.RFC3339)
	}
	tflog.Debug(ctx, "fetched a notification API token", fields)
	return value, expiresAt, nil
}

// maxTokenOutput bounds what is read of a command's standard output (or
// a file) and kept of its standard error.
const maxTokenOutput = 1 << 20

// runTokenCommand returns the command's standard output and the end of
// its standard error, masked.
func runTokenCommand(ctx context.Context, argv []string, timeout time.Duration, known ...string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = nil // reads see end of file at once
	var stdout, stderr limitedBuffer
	stdout.limit, stderr.limit = maxTokenOutput, maxTokenOutput
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A child the command left running may hold the pipes open after the
	// command is stopped; do not wait for it past this.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	fail := &TokenFetchError{Attr: "token_command", Program: argv[0], ExitStatus: -1, Stderr: stderrTail(stderr.String(), known...)}
	var exit *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fail.Problem, fail.Timeout = CommandTimedOut, timeout
		return nil, "", fail
	case errors.As(err, &exit):
		fail.Problem, fail.ExitStatus = CommandFailed, exit.ExitCode()
		return nil, "", fail
	case err != nil:
		fail.Problem, fail.Err = CommandFailed, err
		return nil, "", fail
	}
	return stdout.Bytes(), fail.Stderr, nil
}

// parseTokenOutput reads a command's standard output or a file: the token
// alone, surrounding whitespace trimmed, or {"token": "…", "expires_at":
// "<RFC 3339>"}. Its errors never quote the output.
func parseTokenOutput(out []byte) (string, time.Time, error) {
	s := strings.TrimSpace(string(out))
	if s == "" {
		return "", time.Time{}, &TokenFetchError{Problem: NoToken}
	}
	var expiresAt time.Time
	if strings.HasPrefix(s, "{") {
		var v struct {
			Token     string `json:"token"`
			ExpiresAt string `json:"expires_at"`
		}
		if json.Unmarshal([]byte(s), &v) != nil {
			return "", time.Time{}, &TokenFetchError{Problem: OutputUnreadable, Detail: `it starts with "{" but is not a JSON object of the shape {"token": "…", "expires_at": "<RFC 3339>"}`}
		}
		if v.ExpiresAt != "" {
			t, err := time.Parse(time.RFC3339, v.ExpiresAt)
			if err != nil {
				return "", time.Time{}, &TokenFetchError{Problem: OutputUnreadable, Detail: fmt.Sprintf("expires_at %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", v.ExpiresAt)}
			}
			expiresAt = t
		}
		if s = strings.TrimSpace(v.Token); s == "" {
			return "", time.Time{}, &TokenFetchError{Problem: NoToken, Detail: `its JSON has no "token"`}
		}
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "", time.Time{}, &TokenFetchError{Problem: OutputUnreadable, Detail: "it holds more than one word, and a token is one"}
	}
	return s, expiresAt, nil
}

// FetchProblem is what went wrong fetching a token.
type FetchProblem int

const (
	CommandFailed    FetchProblem = iota // the command could not start, or exited with a non-zero status
	CommandTimedOut                      // the command ran past its time limit and was stopped
	NoToken                              // empty output, an empty file, or JSON without a token
	OutputUnreadable                     // output that is neither a token nor the JSON object
	FileUnreadable                       // the token file could not be read
)

// TokenFetchError is a token file or command that gave no token. It never
// holds the command's standard output; Stderr is the end of its standard
// error, with anything token-shaped masked.
type TokenFetchError struct {
	Attr       string // token_file or token_command
	Problem    FetchProblem
	Program    string // the command's program, or the file's path
	ExitStatus int    // the command's exit status; -1 when it did not exit by itself
	Timeout    time.Duration
	Stderr     string
	Detail     string // what is wrong with the output
	Err        error
}

func (e *TokenFetchError) Error() string {
	var msg string
	switch e.Problem {
	case CommandFailed:
		if e.Err != nil {
			msg = fmt.Sprintf("%s %q could not be run: %v", e.Attr, e.Program, e.Err)
		} else {
			msg = fmt.Sprintf("%s %q exited with status %d", e.Attr, e.Program, e.ExitStatus)
		}
	case CommandTimedOut:
		msg = fmt.Sprintf("%s %q did not finish within its time limit of %s and was stopped", e.Attr, e.Program, e.Timeout)
	case FileUnreadable:
		cause := e.Err
		var pathErr *fs.PathError
		if errors.As(cause, &pathErr) {
			cause = pathErr.Err // the path is named already
		}
		msg = fmt.Sprintf("%s %q cannot be read: %v", e.Attr, e.Program, cause)
	case NoToken:
		what := "printed no token on its standard output"
		if e.Attr == "token_file" {
			what = "is empty"
		}
		msg = fmt.Sprintf("%s %q %s", e.Attr, e.Program, what)
		if e.Detail != "" {
			msg += ": " + e.Detail
		}
	case OutputUnreadable:
		what := "printed something that is not a token"
		if e.Attr == "token_file" {
			what = "holds something that is not a token"
		}
		msg = fmt.Sprintf("%s %q %s: %s", e.Attr, e.Program, what, e.Detail)
	}
	if e.Stderr != "" {
		msg += "; its standard error ends:\n" + e.Stderr
	}
	return msg
}

func (e *TokenFetchError) Unwrap() error { return e.Err }

// stderrLines is how much of a failed command's standard error is shown.
const stderrLines = 10

// stderrTail returns the last lines of a command's standard error with
// anything token-shaped masked: a failing command may well print the
// token it got, or the secret it signs with.
func stderrTail(s string, known ...string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > stderrLines {
		lines = lines[len(lines)-stderrLines:]
	}
	tail := strings.TrimSpace(strings.Join(lines, "\n"))
	if len(tail) > 2000 {
		tail = "…" + tail[len(tail)-2000:]
	}
	return MaskSecrets(tail, known...)
}

var (
	jwtShaped   = regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
	bearerValue = regexp.MustCompile(`(?i)(bearer\s+)\S+`)
	namedSecret = regexp.MustCompile(`(?i)((?:token|secret|key|password|passwd|authorization)["']?\s*[:=]\s*["']?)[^\s"',;]+`)
	longOpaque  = regexp.MustCompile(`[A-Za-z0-9_+/=-]{24,}`)
)

// MaskSecrets replaces with *** the known tokens and whatever looks like a
// credential: a JWT, a bearer value, the value of a key=… or "secret": …,
// and long runs of letters and digits such as API keys.
func MaskSecrets(s string, known ...string) string {
	for _, k := range known {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, "***")
		}
	}
	s = jwtShaped.ReplaceAllString(s, "***")
	s = bearerValue.ReplaceAllString(s, "${1}***")
	s = namedSecret.ReplaceAllString(s, "${1}***")
	return longOpaque.ReplaceAllStringFunc(s, func(w string) string {
		if strings.ContainsAny(w, "0123456789") && strings.IndexFunc(w, unicode.IsLetter) >= 0 {
			return "***"
		}
		return w
	})
}

// limitedBuffer keeps the first limit bytes written and drops the rest,
// so a command that floods its output cannot exhaust memory.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
