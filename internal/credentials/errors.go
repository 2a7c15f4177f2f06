package credentials

import (
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// FetchProblem is what went wrong fetching a token.
type FetchProblem int

const (
	CommandFailed    FetchProblem = iota // the command could not start, or exited with a non-zero status
	CommandTimedOut                      // the command ran past its time limit and was stopped, with its process group
	NoToken                              // empty output, an empty file, or JSON without a token
	OutputUnreadable                     // output that is neither a token nor the JSON object, or too long
	FileUnreadable                       // the token file could not be read, or not within its time limit
)

// FetchError is a token file or command that gave no token. It never holds
// the command's standard output; Stderr is the end of its standard error,
// masked.
type FetchError struct {
	Attr       string // token_file or token_command
	Problem    FetchProblem
	Program    string // the command's program, or the file's path
	ExitStatus int    // the command's exit status; -1 when it did not exit by itself
	Timeout    time.Duration
	Stderr     string
	Detail     string // what is wrong with the output
	Err        error
}

func (e *FetchError) Error() string {
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

func (e *FetchError) Unwrap() error { return e.Err }

// errFileTimedOut is a token file whose read did not finish in time.
type errFileTimedOut struct{ limit time.Duration }

func (e errFileTimedOut) Error() string {
	return fmt.Sprintf("reading it did not finish within %s (a FIFO nothing writes to, or a mount that does not answer?)", e.limit)
}
