#!/usr/bin/env bash
# build-tofu.sh VERSION OUT: builds the OpenTofu CLI from its Go module.
# OpenTofu cannot be `go install`ed (its go.mod has replace directives), but
# the module's source comes from the Go module proxy and builds inside its
# own directory. It takes minutes on two cores, so callers cache OUT
# outside the clone.
# Download and build are bounded in time and retried (.ci/retry.sh).
set -euo pipefail
version=$1 out=$2
source "$(dirname "$0")/retry.sh"
dir=$(go_mod_dir "github.com/opentofu/opentofu@v$version")
mkdir -p "$(dirname "$out")"
(cd "$dir" && retry "build OpenTofu $version (and download its dependencies)" go build -o "$out.tmp" ./cmd/tofu)
mv "$out.tmp" "$out"
