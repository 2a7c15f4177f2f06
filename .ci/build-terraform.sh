#!/usr/bin/env bash
# build-terraform.sh VERSION OUT: builds a Terraform CLI that `go install`
# refuses, from its Go module source.
#
# Terraform 1.9 and later keep nine remote-state backends (and
# internal/legacy, which only they use) as nested modules, wired in with
# `replace` directives. A module zip leaves nested modules out, so
# `go install github.com/hashicorp/terraform@v1.16.4` fails. Cutting those
# backends out of a copy of the source makes the rest build. The local,
# http, inmem, remote and cloud backends stay; backends never touch the
# plugin protocol, so the result tests a provider exactly as a release
# does. The patch checks that it removed what it expects, so a version it no
# longer fits fails here, loudly, rather than building something else:
# the nested modules go.mod wires in must be exactly the ten it knows (a
# new one would be missing from the zip too; one gone means the list is
# stale), every line it cuts must name one of them, and no Go file left may
# import one. It fits 1.13.3 and 1.16.4 alike (20 lines of go.mod, 18 of
# init.go).
set -euo pipefail
version=$1 out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/.ci/retry.sh"

module="github.com/hashicorp/terraform@v$version"
dir=$(go_mod_dir "$module")
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$dir" "$work/terraform"
chmod -R u+w "$work/terraform"
cd "$work/terraform"

nested='azure|consul|cos|gcs|kubernetes|oss|pg|s3|oci'
fail() { echo "build-terraform.sh: Terraform $version: $*: the patch needs updating" >&2; exit 1; }
# The nested modules are the ones go.mod replaces with a directory of its own.
expected=$(printf '%s\n' internal/backend/remote-state/{azure,consul,cos,gcs,kubernetes,oss,pg,s3,oci} internal/legacy | sort)
found=$(sed -nE 's#^replace github.com/hashicorp/terraform/([^ ]+) => \./\1$#\1#p' go.mod | sort)
[ "$found" = "$expected" ] || fail "go.mod wires in these nested modules, not the ten expected: $(echo $found)"
# go.mod: their require and replace lines (two each, and two for legacy).
cp go.mod "$work/go.mod.orig"
sed -E -i "\#github.com/hashicorp/terraform/internal/(backend/remote-state/($nested)|legacy)[ \"]#d" go.mod
cut=$(diff "$work/go.mod.orig" go.mod | sed -n 's/^< //p' || true)
[ "$(grep -c . <<<"$cut")" -eq 20 ] || fail "expected to cut 20 nested-module lines from go.mod, cut $(grep -c . <<<"$cut")"
! grep -vE "^(replace )?[[:space:]]*github.com/hashicorp/terraform/internal/(backend/remote-state/($nested)|legacy) " <<<"$cut" \
  || fail "the lines above were cut from go.mod and name no nested module"
# internal/backend/init/init.go: their imports and their map entries.
init=internal/backend/init/init.go
before=$(wc -l < "$init")
sed -E -i -e "\#\"github.com/hashicorp/terraform/internal/backend/remote-state/($nested)\"#d" \
  -e '/backend(Azure|Consul|Cos|GCS|Kubernetes|OSS|Pg|S3|OCI)\.New\(\)/d' "$init"
removed=$((before - $(wc -l < "$init")))
[ "$removed" -eq 18 ] || fail "expected to cut 18 backend lines from $init, cut $removed"
# Nothing else may import what is gone (tests aside, which are not built).
left=$(grep -rlE --include='*.go' --exclude='*_test.go' "\"github.com/hashicorp/terraform/internal/(backend/remote-state/($nested)|legacy)[/\"]" . || true)
[ -z "$left" ] || fail "these files still import a nested module: $(echo $left)"

mkdir -p "$(dirname "$out")"
# The build downloads the remaining dependencies: bounded and retried too.
retry "build Terraform $version (and download its dependencies)" \
  go build -trimpath -ldflags "-X github.com/hashicorp/terraform/version.dev=no" -o "$out.tmp" .
# Read the whole output before matching it: a reader that stops early
# (grep -q) would kill the writer, and pipefail would fail by chance.
built=$("$out.tmp" version)
case "$built" in
  "Terraform v$version"$'\n'*) ;;
  *) echo "build-terraform.sh: the build reports ${built%%$'\n'*}, not Terraform v$version" >&2; exit 1 ;;
esac
mv "$out.tmp" "$out"
echo "built Terraform v$version at $out"
