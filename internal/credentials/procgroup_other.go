//go:build !unix

package credentials

import "os/exec"

// ownProcessGroup does nothing where there are no Unix process groups.
func ownProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the command: its children are left to the
// platform's own cleanup.
func killProcessGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
