package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// cli runs Terraform with a CLI configuration that installs the providers
// from a local mirror, so nothing is fetched from a registry.
type cli struct {
	bin string
	env []string
}

// run runs terraform in dir and returns how long it took.
func (c cli) run(dir string, args ...string) (time.Duration, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = dir
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), dir, err, out.String())
	}
	return elapsed, nil
}

// with returns c with environment variables added.
func (c cli) with(env ...string) cli {
	return cli{bin: c.bin, env: append(slices.Clone(c.env), env...)}
}

func (c cli) must(dir string, args ...string) time.Duration {
	d, err := c.run(dir, args...)
	if err != nil {
		fail(err)
	}
	return d
}

// workdir writes config into a new directory under parent and inits it.
func (c cli) workdir(parent, name, config string) string {
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		fail(err)
	}
	c.must(dir, "init", "-input=false", "-no-color")
	return dir
}

func (c cli) version() string {
	out, err := exec.Command(c.bin, "version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.SplitN(string(out), "\n", 2)[0]
}

// mirrorVersion is what the harness builds both providers as.
const mirrorVersion = "0.1.0"

// newCLI builds the notification provider (from root) and the floor
// provider into a filesystem mirror under work, and returns a cli that
// installs them from there.
func newCLI(terraform, root, work string) cli {
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for name, pkg := range map[string]string{"notification": ".", "floor": "./internal/benchmark/floor"} {
		dir := filepath.Join(work, "mirror/registry.terraform.io/openprefs", name, mirrorVersion, platform)
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-"+name+"_v"+mirrorVersion), pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			fail(fmt.Errorf("building %s: %w\n%s", pkg, err, out))
		}
	}
	rc := filepath.Join(work, "terraformrc")
	config := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/openprefs/*"]
  }
  direct {
    exclude = ["registry.terraform.io/openprefs/*"]
  }
}
`, filepath.Join(work, "mirror"))
	if err := os.WriteFile(rc, []byte(config), 0o644); err != nil {
		fail(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return cli{bin: terraform, env: env}
}
