#!/usr/bin/env bash
# go-install.sh GOBIN PACKAGE@VERSION: go install, bounded in time and
# retried (.ci/retry.sh), into a temporary directory first so that a killed
# attempt never leaves a half-written tool behind for make to take as
# installed.
set -euo pipefail
source "$(dirname "$0")/retry.sh"
go_install_tool "$1" "$2"
