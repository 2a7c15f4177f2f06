package provider

import (
	"slices"
	"testing"
)

// Any one log reader keeps every logger on; with none, all go off.
func TestUnreadLoggers(t *testing.T) {
	t.Parallel()
	none := func(string) string { return "" }
	if got := unreadLoggers(none); !slices.Equal(got, loggerLevels) {
		t.Errorf("with no log reader set, switched off %v, want %v", got, loggerLevels)
	}
	off := func(v string) string {
		if v == "TF_LOG" {
			return "off"
		}
		return ""
	}
	if got := unreadLoggers(off); !slices.Equal(got, loggerLevels) {
		t.Errorf("with TF_LOG=off, switched off %v, want %v", got, loggerLevels)
	}
	for _, reader := range logReaders {
		set := func(v string) string {
			if v == reader {
				return "TRACE"
			}
			return ""
		}
		if got := unreadLoggers(set); got != nil {
			t.Errorf("with %s set, switched off %v", reader, got)
		}
	}
}
