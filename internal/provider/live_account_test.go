package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// make testacc-live runs the TestLive tests against the account the
// provider's own environment names (NOTIFICATION_ENDPOINT,
// NOTIFICATION_TOKEN, NOTIFICATION_API, NOTIFICATION_USER_ID, VAST_API_KEY):
// a real API, or the mock run as a process of its own. Before any test the
// account's document is saved to a snapshot file; after the run, on
// failure and on interrupt, every key is put back as it was, and the run
// fails if the document then differs in any way. make sweep-live restores
// the snapshot a killed run left behind.
const (
	liveEnv     = "NOTIFICATION_LIVE"          // set: run the live tests
	snapshotEnv = "NOTIFICATION_LIVE_SNAPSHOT" // the snapshot file
	sweepEnv    = "NOTIFICATION_LIVE_SWEEP"    // set: only restore the snapshot file
)

// live is the account of a live run, nil in every other run.
var live *liveAccount

type liveAccount struct {
	client.Client
	snapshotFile string
	before       prefs.Document
}

// liveSnapshot is the snapshot file's shape.
type liveSnapshot struct {
	API      prefs.Dialect  `json:"api"`
	ID       string         `json:"id"`
	Document prefs.Document `json:"document"`
}

// runLive runs the live tests between taking the account's snapshot and
// putting it back, and returns the exit code.
func runLive(m *testing.M) int {
	a, err := openLiveAccount()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testacc-live:", err)
		return 1
	}
	if os.Getenv(sweepEnv) != "" {
		return a.sweep()
	}
	if err := a.save(); err != nil {
		fmt.Fprintln(os.Stderr, "testacc-live:", err)
		return 1
	}
	live = a
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-interrupted
		fmt.Fprintln(os.Stderr, "testacc-live: interrupted; putting the account back as it was")
		if a.restore() != nil {
			os.Exit(1)
		}
		os.Exit(130)
	}()
	code := m.Run()
	if a.restore() != nil {
		return 1
	}
	return code
}

// openLiveAccount configures a client from the provider's environment, as
// the provider itself would.
func openLiveAccount() (*liveAccount, error) {
	cfg, diags := providerModel{}.clientConfig("live-test", "")
	if diags.HasError() {
		return nil, fmt.Errorf("set the account to test: %s: %s (see make testacc-live in the README)", diags.Errors()[0].Summary(), diags.Errors()[0].Detail())
	}
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := client.ResolveUser(context.Background(), c); err != nil {
		return nil, err
	}
	file := os.Getenv(snapshotEnv)
	if file == "" {
		file = ".live-snapshot.json"
	}
	return &liveAccount{Client: c, snapshotFile: file}, nil
}

// save reads the document and writes the snapshot file. A snapshot left
// by a killed run is restored first: it, not the document now, is how the
// account was.
func (a *liveAccount) save() error {
	if _, err := os.Stat(a.snapshotFile); err == nil {
		fmt.Fprintf(os.Stderr, "testacc-live: %s is left from a run that did not finish; restoring it first\n", a.snapshotFile)
		if a.sweep() != 0 {
			return fmt.Errorf("could not restore %s: run make sweep-live, or remove the file if the account is as it should be", a.snapshotFile)
		}
	}
	doc, err := a.Read(context.Background())
	if err != nil {
		return err
	}
	raw, _ := json.MarshalIndent(liveSnapshot{API: a.Dialect(), ID: a.ID(), Document: doc}, "", "  ")
	if err := os.WriteFile(a.snapshotFile, raw, 0o600); err != nil {
		return err
	}
	a.before = doc
	fmt.Fprintf(os.Stderr, "testacc-live: %s account %s, %d keys saved to %s\n", a.Dialect(), a.ID(), len(doc), a.snapshotFile)
	return nil
}

// sweep restores the snapshot file and removes it.
func (a *liveAccount) sweep() int {
	raw, err := os.ReadFile(a.snapshotFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testacc-live: nothing to sweep:", err)
		return 0
	}
	var snap liveSnapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		fmt.Fprintf(os.Stderr, "testacc-live: %s: %v\n", a.snapshotFile, err)
		return 1
	}
	if snap.API != a.Dialect() || snap.ID != a.ID() {
		fmt.Fprintf(os.Stderr, "testacc-live: %s is of %s account %s; the environment names %s account %s\n", a.snapshotFile, snap.API, snap.ID, a.Dialect(), a.ID())
		return 1
	}
	a.before = snap.Document
	if a.restore() != nil {
		return 1
	}
	return 0
}

// restore puts every key back as the snapshot has it, checks that the
// document is then the snapshot, and removes the snapshot file.
func (a *liveAccount) restore() error {
	ctx := context.Background()
	now, err := a.Read(ctx)
	if err == nil {
		back := prefs.Changes(now, a.Dialect().Mutable(a.before))
		if len(back) > 0 {
			now, err = a.Apply(ctx, back, back, now)
		}
	}
	if err == nil && !maps.Equal(now, a.before) {
		err = fmt.Errorf("after restoring, the document is %v; before the run it was %v", now, a.before)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "testacc-live: could not put the account back as it was (%v); the snapshot stays in %s for make sweep-live\n", err, a.snapshotFile)
		return err
	}
	fmt.Fprintf(os.Stderr, "testacc-live: the account's document is as it was before the run (%d keys)\n", len(now))
	return os.Remove(a.snapshotFile)
}
