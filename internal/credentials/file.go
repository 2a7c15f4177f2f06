package credentials

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultFileTimeout bounds a token file's read: a local file is read in
// microseconds, so a read that takes seconds is a FIFO nothing writes to
// or a network mount that stopped answering, and waiting on would hold
// every request.
const DefaultFileTimeout = 5 * time.Second

// File reads the token from path, again each time it is due or after a
// 401, as client-go's token file source does: whatever keeps the file
// fresh (a CI step, a sidecar) may rewrite it at any time.
func File(path string, o Options) *Source {
	s := &Source{attr: "token_file", now: o.clock(), limit: o.Timeout}
	if s.limit <= 0 {
		s.limit = DefaultFileTimeout
	}
	s.fetch = func(ctx context.Context) (string, time.Time, error) {
		data, err := readBounded(ctx, path, s.limit)
		if err != nil {
			return "", time.Time{}, &FetchError{Attr: s.attr, Problem: FileUnreadable, Program: path, Err: err}
		}
		value, expiresAt, err := parseOutput(data)
		return fetched(ctx, s.attr, path, value, expiresAt, err)
	}
	return s
}

// readBounded reads at most MaxOutput+1 bytes of path within limit. A read
// that hangs (open(2) on a FIFO blocks until a writer comes, a read on a
// dead mount forever) is left behind: no system call can be cancelled,
// but the fetch, and every request waiting for it, goes on.
func readBounded(ctx context.Context, path string, limit time.Duration) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, MaxOutput+1))
		done <- result{data, err}
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.data, r.err
	case <-timer.C:
		return nil, errFileTimedOut{limit}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetched finishes a fetch: it names the source in a parse error, and logs
// when the token expires (never the token).
func fetched(ctx context.Context, attr, program, value string, expiresAt time.Time, err error) (string, time.Time, error) {
	var fe *FetchError
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
