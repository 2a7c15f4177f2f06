#!/usr/bin/env bash
# build-tofu.sh VERSION OUT: builds the OpenTofu CLI from its Go module.
# OpenTofu cannot be `go install`ed (its go.mod has replace directives), but
# the module's source comes from the Go module proxy and builds inside its
# own directory. It takes minutes on two cores, so callers cache OUT
# outside the clone.
set -euo pipefail
version=$1 out=$2
dir=$(cd "$(mktemp -d)" && go mod download -json "github.com/opentofu/opentofu@v$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "could not download github.com/opentofu/opentofu@v$version"; exit 1; }
mkdir -p "$(dirname "$out")"
(cd "$dir" && go build -o "$out.tmp" ./cmd/tofu)
mv "$out.tmp" "$out"
