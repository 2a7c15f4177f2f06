package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpPrintsUsage(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h = %v, want flag.ErrHelp (exit 0)", err)
	}
	for _, want := range []string{"Usage: notification-mock", "-state", "-fail-rate", "POST /_mock/reset"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}

// A mistake is an error that names it, before anything is served.
func TestMistakesAreErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(bad, []byte(`{"v1": {"keys": {"email.x": "yes"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-bogus"}, "flag provided but not defined: -bogus; see -h"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-fail-rate", "2"}, "-fail-rate must be between 0 and 1"},
		{[]string{"-state", bad}, "state file " + bad + ": line 1: v1.keys holds JSON string where bool belongs"},
		{[]string{"-state", filepath.Join(t.TempDir(), "missing.json")}, "no such file"},
		{[]string{"-addr", "256.0.0.1:0"}, "listen"},
	} {
		var out bytes.Buffer
		err := run(tt.args, &out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %q = %v, want an error containing %q", tt.args, err, tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("run %q printed %q before failing, want nothing served", tt.args, out.String())
		}
	}
}

// -session-lifetime is checked before anything is served, and -h tells
// where the short-lived tokens come from.
func TestSessionLifetimeFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-session-lifetime", "0s"}, &out); err == nil || !strings.Contains(err.Error(), "-session-lifetime must be a positive duration") {
		t.Fatalf("run -session-lifetime 0s = %v", err)
	}
	out.Reset()
	_ = run([]string{"-h"}, &out)
	for _, want := range []string{"-session-lifetime", "POST /_mock/session"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}
