package client

import (
	"errors"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// checkDecoded: a decoder returns a document or an *APIError, never both,
// never neither, and never panics, whatever the server sent.
func checkDecoded(t *testing.T, doc prefs.Document, err error, status int) {
	t.Helper()
	if (doc == nil) == (err == nil) {
		t.Fatalf("doc=%v err=%v: want exactly one", doc, err)
	}
	if err == nil {
		if status < 200 || status > 299 {
			t.Fatalf("HTTP %d decoded as a document %v", status, doc)
		}
		return
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != status {
		t.Fatalf("err = %#v, want an *APIError with status %d", err, status)
	}
	_ = apiErr.Error()
}

func FuzzDecodeV1(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		doc, err := decodeV1("GET", &response{status: status, body: body})
		checkDecoded(t, doc, err, status)
	})
}

func FuzzDecodeVast(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte, key string) {
		doc, err := decodeVast("PUT", &response{path: "/api/v0/users/1/notification-prefs/", status: status, body: body}, prefs.Document{key: true})
		checkDecoded(t, doc, err, status)
	})
}
