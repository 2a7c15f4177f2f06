#!/usr/bin/env bash
# Fails when an example is not `terraform fmt` clean or does not
# `terraform validate`. Each resource and data source example is validated
# beside examples/provider/provider.tf, which declares the providers they use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
terraform=${TERRAFORM:-terraform}
work=$(mktemp -d)
mock_pid=""
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$terraform" fmt -check -recursive -diff "$root/examples"
# Read once, whole: piping it into a reader that stops at its first match
# (grep -q) kills Terraform mid-write, and under pipefail that fails by
# chance on a loaded machine.
version=$("$terraform" version -json)

source "$root/.ci/provider-mirror.sh"
provider_mirror "$work"
# validate DIR LABEL: init and validate one example directory.
validate() {
  local case_dir=$1 label=$2
  [ -f "$case_dir/provider.tf" ] || [ -f "$case_dir/main.tf" ] || cp "$root/examples/provider/provider.tf" "$case_dir/"
  # The registry examples name no required_providers, as users' own files
  # would; give them the provider's source so init finds the mirror.
  grep -qs required_providers "$case_dir"/*.tf || cat > "$case_dir/versions.tf" <<'TF'
terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}
TF
  "$terraform" -chdir="$case_dir" init -input=false -backend=false -no-color > "$case_dir/init.log" 2>&1 || { cat "$case_dir/init.log"; exit 1; }
  "$terraform" -chdir="$case_dir" validate -no-color > "$case_dir/validate.log" 2>&1 || { echo "$label:"; cat "$case_dir/validate.log"; exit 1; }
  echo "ok   $label"
}

# Import blocks naming an identity need Terraform 1.12 (or OpenTofu 1.12).
identity=yes
if [[ $version =~ \"terraform_version\":\ *\"1\.([0-9]|1[01])\. ]]; then identity=no; fi

for dir in "$root"/examples/provider "$root"/examples/resources/* "$root"/examples/data-sources/* "$root"/examples/functions/* "$root"/examples/guides/* "$root"/examples/demo "$root"/examples/demo/typo; do
  label="examples/${dir#"$root"/examples/}"
  case_dir="$work/validate/${dir#"$root"/examples/}"
  mkdir -p "$case_dir"
  cp "$dir"/*.tf "$case_dir"/
  cp "$dir"/*.json "$case_dir"/ 2>/dev/null || true
  # An import block naming the identity is an alternative to the one naming
  # the id, not a companion (one import block per resource): it is
  # validated on its own, beside the resource it imports.
  if compgen -G "$case_dir/*identity*.tf" > /dev/null; then
    if [ "$identity" = yes ]; then
      mkdir -p "$case_dir-identity"
      for f in "$case_dir"/*.tf; do
        case "$f" in *import*) ;; *) cp "$f" "$case_dir-identity/" ;; esac
      done
      mv "$case_dir"/*identity*.tf "$case_dir-identity/"
      validate "$case_dir-identity" "$label (import by identity)"
    else
      rm -f "$case_dir"/*identity*.tf
    fi
  fi
  validate "$case_dir" "$label"
done

# The testing guide's example is run, not only validated: terraform test,
# its mocked-provider tests and its tests against the bundled mock API.
source "$root/.ci/mock.sh"
start_mock "$work"
test_dir="$work/test/guides/testing"
mkdir -p "$test_dir"
cp -r "$root/examples/guides/testing/." "$test_dir"
"$terraform" -chdir="$test_dir" init -input=false -no-color > "$test_dir/init.log" 2>&1 || { cat "$test_dir/init.log"; exit 1; }
"$terraform" -chdir="$test_dir" test -no-color
echo "ok   examples/guides/testing: terraform test against the bundled mock"

