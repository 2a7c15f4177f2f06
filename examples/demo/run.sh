#!/usr/bin/env bash
# make demo: build the provider, start the mock API on 127.0.0.1, and run
# Terraform against it, all inside a temporary directory removed afterwards.
#
# The provider is installed from a local filesystem mirror rather than with
# dev_overrides: with dev_overrides `terraform init` still asks the registry
# about the provider, which fails offline, while a mirror lets init, plan
# and apply all run as a user would run them.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
terraform=${TERRAFORM:-terraform}
work=$(mktemp -d)
mock_pid=""
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building the provider and the mock API, and starting the mock"
source "$root/.ci/provider-mirror.sh"
source "$root/.ci/mock.sh"
provider_mirror "$work"
start_mock "$work"
tail -n +2 "$work/mock.log"

cp -r "$root/examples/demo/." "$work/demo"
cd "$work/demo"

step "terraform init"
"$terraform" init -input=false -no-color 2>&1 | grep -v '^$'

step "terraform plan"
"$terraform" plan -input=false -no-color -out=tfplan

step "terraform apply"
"$terraform" apply -input=false -no-color tfplan

step "terraform plan again: nothing to change"
"$terraform" plan -input=false -no-color -detailed-exitcode

step "terraform plan with a misspelt key (expected to fail at plan, before any write)"
cd typo
"$terraform" init -input=false -no-color > init.out 2>&1 || { cat init.out; exit 1; }
if "$terraform" plan -input=false -no-color > plan.out 2>&1; then
  cat plan.out
  echo "expected the plan to fail on the misspelt key"; exit 1
fi
sed -n '/Error:/,$p' plan.out
grep -q 'Did you mean "email.weekly_usage_digest"?' plan.out

step "Demo finished; stopping the mock API"
