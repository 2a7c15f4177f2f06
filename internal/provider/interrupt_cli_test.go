package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-sdk/v2/plugin"

	"github.com/openprefs/terraform-provider-notification/internal/mockapi"
)

// Ctrl-C in the middle of `terraform apply` of 150 resources, against an
// API that applies each write 150 ms before it answers, then `apply`
// again and `destroy`: every key ends where it was before Terraform, and
// after the interrupt state held every write that landed. Terraform gets
// the SIGINT as a user's Ctrl-C, and stops the provider (StopProvider,
// which cancels every request in progress) before it saves state; the
// provider runs in this process, served to the CLI over the plugin
// protocol as terraform-plugin-testing serves it.
func TestAccPreferencesResource_InterruptedApply(t *testing.T) {
	eachDialect(t, func(t *testing.T, dc dialectCase) {
		mock := mockapi.New()
		keys := shipBulk(mock, dc, 150)
		mock.Inject(mockapi.Fault{Method: dc.write, AnswerLatency: 150 * time.Millisecond, Rate: 1})
		srv := httptest.NewServer(mock)
		t.Cleanup(srv.Close)
		before := mock.Document(dc.dialect)

		tf := newReattachedCLI(t)
		quoted, _ := json.Marshal(keys)
		tf.write(fmt.Sprintf(`
terraform {
  required_providers {
    notification = { source = "openprefs/notification" }
  }
}
%s
resource "notification_preferences" "k" {
  for_each    = toset(%s)
  preferences = { (each.key) = true }
}
`, dc.providerBlock(srv.URL), quoted))
		tf.run("init")

		apply := tf.start("apply", "-auto-approve")
		ended := make(chan error, 1)
		go func() { ended <- apply.Wait() }()
		for mock.Count(dc.write) < 3 {
			select {
			case err := <-ended:
				t.Fatalf("apply ended (%v) before it was interrupted:\n%s", err, tf.output(apply))
			case <-time.After(5 * time.Millisecond):
			}
		}
		if err := apply.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if err := <-ended; err == nil {
			t.Fatalf("the interrupted apply succeeded:\n%s", tf.output(apply))
		}

		inState := tf.stateKeys()
		server := mock.Document(dc.dialect)
		for _, k := range keys {
			if server[k] != before[k] && !inState[k] {
				t.Fatalf("%s = %v landed on the server, but its resource is not in state:\n%s", k, server[k], tf.output(apply))
			}
		}
		if len(inState) == 0 || len(inState) == len(keys) {
			t.Fatalf("%d of %d resources in state after the interrupt: it came too early or too late to test anything", len(inState), len(keys))
		}

		tf.run("apply", "-auto-approve")
		tf.run("destroy", "-auto-approve")
		if after := mock.Document(dc.dialect); !maps.Equal(after, before) {
			t.Fatalf("after apply, interrupt, apply and destroy the server has %v, want %v", after, before)
		}
	})
}

// reattachedCLI runs the Terraform CLI the tests use in a directory of its
// own, against this package's provider served in this process.
type reattachedCLI struct {
	t    *testing.T
	bin  string
	dir  string
	env  []string
	outs map[*exec.Cmd]*bytes.Buffer
}

func newReattachedCLI(t *testing.T) *reattachedCLI {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	address := host + "/openprefs/notification"
	config, closed, err := plugin.DebugServe(ctx, &plugin.ServeOpts{
		GRPCProviderV6Func:  providerserver.NewProtocol6(New("test")()),
		Logger:              hclog.New(&hclog.LoggerOptions{Output: io.Discard}),
		NoLogOutputOverride: true,
		ProviderAddr:        address,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(); <-closed })
	reattach, err := json.Marshal(map[string]tfexec.ReattachConfig{address: {
		Protocol: config.Protocol, ProtocolVersion: config.ProtocolVersion, Pid: config.Pid, Test: config.Test,
		Addr: tfexec.ReattachConfigAddr{Network: config.Addr.Network, String: config.Addr.String},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &reattachedCLI{t: t, bin: bin, dir: t.TempDir(), outs: map[*exec.Cmd]*bytes.Buffer{},
		env: append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattach), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")}
}

func (c *reattachedCLI) write(config string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(config), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// start starts a command, its output kept for output.
func (c *reattachedCLI) start(args ...string) *exec.Cmd {
	c.t.Helper()
	cmd := exec.Command(c.bin, append(args, "-input=false", "-no-color")...)
	cmd.Dir, cmd.Env = c.dir, c.env
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	c.outs[cmd] = out
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	return cmd
}

func (c *reattachedCLI) output(cmd *exec.Cmd) string { return c.outs[cmd].String() }

// run runs a command to its end, which must succeed.
func (c *reattachedCLI) run(args ...string) {
	c.t.Helper()
	cmd := c.start(args...)
	if err := cmd.Wait(); err != nil {
		c.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, c.output(cmd))
	}
}

// stateKeys returns the keys the resources in state declare.
func (c *reattachedCLI) stateKeys() map[string]bool {
	c.t.Helper()
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Values struct {
						Preferences map[string]bool `json:"preferences"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	cmd := exec.Command(c.bin, "show", "-json")
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.Output()
	if err != nil || json.Unmarshal(out, &state) != nil {
		c.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	keys := map[string]bool{}
	for _, r := range state.Values.RootModule.Resources {
		for k := range r.Values.Preferences {
			keys[k] = true
		}
	}
	return keys
}
