package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The file is read again on each fetch, trimmed; empty or missing is an
// error naming the path.
func TestTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("  tok-a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := File(path, Options{})
	first, err := src.Token(context.Background())
	if err != nil || first.Value != "tok-a" {
		t.Fatalf("got %q, %v", first.Value, err)
	}
	_ = os.WriteFile(path, []byte(`{"token":"tok-b","expires_at":"2030-01-01T00:00:00Z"}`), 0o600)
	if tok, err := src.Refetch(context.Background(), first); err != nil || tok.Value != "tok-b" || tok.Expiry.Year() != 2030 {
		t.Fatalf("after a rewrite: %+v, %v", tok, err)
	}
	_ = os.WriteFile(path, []byte("\n\n"), 0o600)
	if _, _, err := src.fetch(context.Background()); err == nil || err.Error() != `token_file "`+path+`" is empty` {
		t.Fatalf("empty file: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if _, _, err := File(missing, Options{}).fetch(context.Background()); err == nil || err.Error() != `token_file "`+missing+`" cannot be read: no such file or directory` {
		t.Fatalf("missing file: %v", err)
	}
}

// Files as editors and shells write them: a UTF-8 BOM, UTF-16 from
// PowerShell's >.
func TestTokenFileEncodings(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"bom":      "\ufefftok-enc\n",
		"utf16-le": utf16le("tok-enc\r\n"),
		"utf16-be": utf16be("tok-enc"),
	} {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, []byte(content), 0o600)
		if value, _, err := File(path, Options{}).fetch(context.Background()); err != nil || value != "tok-enc" {
			t.Errorf("%s: %q, %v; want tok-enc", name, value, err)
		}
	}
}

// A huge file (/dev/zero) is read only so far, and refused naming the limit.
func TestTokenFileHuge(t *testing.T) {
	_, _, err := File("/dev/zero", Options{}).fetch(context.Background())
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Problem != OutputUnreadable || !strings.Contains(err.Error(), "longer than 64 KiB") {
		t.Fatalf("err = %v, want the 64 KiB limit named", err)
	}
}

// A FIFO nothing writes to fails the fetch within its time limit.
func TestTokenFileFIFOIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	// The read left behind is released once the test is over.
	t.Cleanup(func() {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	start := time.Now()
	_, _, err := File(path, Options{Timeout: 200 * time.Millisecond}).fetch(context.Background())
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Problem != FileUnreadable || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Fatalf("err = %v, want the read's time limit", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}
