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
  [ -n "$mock_pid" ] && kill $mock_pid 2>/dev/null || true
  pkill -f "^$work/notification-mock " 2>/dev/null || true
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
  local query_flag=()
  [ "$query" = no ] || query_flag=(-query)
  "$terraform" -chdir="$case_dir" validate -no-color "${query_flag[@]}" > "$case_dir/validate.log" 2>&1 || { echo "$label:"; cat "$case_dir/validate.log"; exit 1; }
  echo "ok   $label"
}

# Import blocks naming an identity need Terraform 1.12 (or OpenTofu 1.12);
# provider for_each needs OpenTofu; list blocks and terraform query need
# Terraform 1.14, and OpenTofu has none.
identity=yes
if [[ $version =~ \"terraform_version\":\ *\"1\.([0-9]|1[01])\. ]]; then identity=no; fi
name=$("$terraform" version)
opentofu=no
case "$name" in OpenTofu*) opentofu=yes ;; esac
query=yes
if [ "$opentofu" = yes ] || [[ $version =~ \"terraform_version\":\ *\"1\.([0-9]|1[0-3])\. ]]; then query=no; fi

# Every example directory: one holding .tf files, or each of its
# subdirectories (a guide with several examples).
dirs=()
for dir in "$root"/examples/provider "$root"/examples/resources/* "$root"/examples/data-sources/* "$root"/examples/functions/* "$root"/examples/guides/* "$root"/examples/demo "$root"/examples/demo/typo; do
  if compgen -G "$dir/*.tf" > /dev/null; then
    dirs+=("$dir")
  else
    dirs+=("$dir"/*/)
  fi
done

for dir in "${dirs[@]}"; do
  dir=${dir%/}
  if [ "${dir##*/}" = for-each ] && [ "$opentofu" = no ]; then
    echo "skip examples/${dir#"$root"/examples/}: provider for_each is OpenTofu's"
    continue
  fi
  label="examples/${dir#"$root"/examples/}"
  case_dir="$work/validate/${dir#"$root"/examples/}"
  mkdir -p "$case_dir"
  cp "$dir"/*.tf "$case_dir"/
  cp "$dir"/*.json "$case_dir"/ 2>/dev/null || true
  # Query files, where the CLI reads them (older CLIs ignore them anyway).
  [ "$query" = no ] || cp "$dir"/*.tfquery.hcl "$case_dir"/ 2>/dev/null || true
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

# The list resource's examples: query files beside the provider's example
# configuration, validated where the CLI has terraform query.
for example in "$root"/examples/list-resources/*/list-resource*.tfquery.hcl; do
  label="examples/${example#"$root"/examples/}"
  if [ "$query" = no ]; then
    echo "skip $label: terraform query needs Terraform 1.14 (OpenTofu has none)"
    continue
  fi
  case_dir="$work/validate/list-resources/$(basename "$example" .tfquery.hcl)"
  mkdir -p "$case_dir"
  cp "$example" "$case_dir/"
  validate "$case_dir" "$label"
done

# The testing guide's CI job is run as the guide shows it: the steps of
# examples/guides/testing/github-workflow.yml, taken from that file, with
# the mock built from this checkout instead of the release the guide names,
# on a free port, and the terraform under test. So the guide cannot rot.
workflow="$root/examples/guides/testing/github-workflow.yml"
# step_script NAME: the run: | block of the workflow step named NAME.
step_script() {
  awk -v name="$1" '
    function lead(s) { match(s, /^ */); return RLENGTH }
    index($0, "- name: " name) && substr($0, length($0) - length(name) + 1) == name { found = 1; next }
    found && !inrun && $0 ~ /^ *run: \|$/ { inrun = 1; indent = lead($0) + 2; next }
    inrun { if ($0 == "" || lead($0) >= indent) { print substr($0, indent + 1); next } exit }
  ' "$workflow"
}
test_dir="$work/test/guides/testing"
mkdir -p "$test_dir" "$work/bin"
cp -r "$root/examples/guides/testing/." "$test_dir"
(cd "$root" && go build -o "$work/notification-mock" ./internal/mockapi/cmd/notification-mock)
ln -sf "$terraform" "$work/bin/terraform"
port=$((20000 + RANDOM % 20000))
start=$(step_script "Start the mock notification API" |
  sed -E "s#go run github.com/openprefs/terraform-provider-notification/internal/mockapi/cmd/notification-mock@v[0-9.]+#$work/notification-mock#; s#127\.0\.0\.1:8080#127.0.0.1:$port#g")
run_tests=$(step_script "terraform test")
for want in "$work/notification-mock " "-addr 127.0.0.1:$port -state mock-state.json" "http://127.0.0.1:$port/_mock/journal"; do
  case "$start" in
    *"$want"*) ;;
    *) echo "$workflow: the mock's start step is not in the shape this check runs (no \"$want\"):"; echo "$start"; exit 1 ;;
  esac
done
[ -n "$run_tests" ] || { echo "$workflow: no terraform test step"; exit 1; }
grep -q "NOTIFICATION_TOKEN: demo-session-token" "$workflow" || { echo "$workflow: the test step's token changed"; exit 1; }
(cd "$test_dir" && bash -e -c "$start")
mock_pid=$(pgrep -f "^$work/notification-mock " || true)
(cd "$test_dir" && PATH="$work/bin:$PATH" NOTIFICATION_ENDPOINT="http://127.0.0.1:$port" NOTIFICATION_TOKEN=demo-session-token \
  TF_CLI_ARGS=-no-color bash -e -c "$run_tests")
echo "ok   examples/guides/testing: the guide's CI job, against the mock started from mock-state.json"

# The several-accounts guide's examples, applied against the same mock: two
# Vast.ai users, each managed through its own provider configuration. The
# provider's tests check them step by step (several_accounts_test.go); here
# the examples as written apply, plan nothing more, and destroy.
accounts_example() {
  local dir=$1 label=$2
  (cd "$dir" && "$terraform" apply -auto-approve -input=false -no-color > apply.log 2>&1) || { echo "$label: apply"; cat "$dir/apply.log"; exit 1; }
  (cd "$dir" && "$terraform" plan -detailed-exitcode -input=false -no-color > plan.log 2>&1) || { echo "$label: the plan after apply is not empty"; cat "$dir/plan.log"; exit 1; }
  (cd "$dir" && "$terraform" destroy -auto-approve -input=false -no-color > destroy.log 2>&1) || { echo "$label: destroy"; cat "$dir/destroy.log"; exit 1; }
  echo "ok   $label: applied against the mock, nothing more to plan, destroyed"
}
export NOTIFICATION_ENDPOINT="http://127.0.0.1:$port"
unset NOTIFICATION_TOKEN
TF_VAR_personal_key=demo-vast-key TF_VAR_team_key=other-vast-key \
  accounts_example "$work/validate/guides/several-accounts/aliases" "examples/guides/several-accounts/aliases"
if [ "$opentofu" = yes ]; then
  TF_VAR_accounts='{"personal": "demo-vast-key", "team": "other-vast-key"}' \
    accounts_example "$work/validate/guides/several-accounts/for-each" "examples/guides/several-accounts/for-each"
fi

# The existing-account guide's two ways in, against the same mock as the
# guide runs them: what they generate must plan as one import and no
# change, apply, and leave nothing more to plan. terraform query where the
# CLI has it (Terraform 1.14), an import block with -generate-config-out on
# every CLI.
adopt() {
  local dir=$1 label=$2; shift 2
  (cd "$dir" && "$@" > generate.log 2>&1) || { echo "$label: $*"; cat "$dir/generate.log"; exit 1; }
  grep -q '^resource "notification_preferences"' "$dir/generated.tf" || { echo "$label: $* wrote no resource"; cat "$dir/generated.tf"; exit 1; }
  (cd "$dir" && "$terraform" plan -input=false -no-color -out=adopt.tfplan > plan.log 2>&1) || { echo "$label: plan"; cat "$dir/plan.log"; exit 1; }
  grep -q "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy." "$dir/plan.log" || { echo "$label: the generated configuration does not plan as one import and no change"; cat "$dir/generated.tf" "$dir/plan.log"; exit 1; }
  (cd "$dir" && "$terraform" apply -input=false -no-color adopt.tfplan > apply.log 2>&1) || { echo "$label: apply"; cat "$dir/apply.log"; exit 1; }
  (cd "$dir" && "$terraform" plan -detailed-exitcode -input=false -no-color > plan-after.log 2>&1) || { echo "$label: the plan after the import is not empty"; cat "$dir/plan-after.log"; exit 1; }
  echo "ok   $label: generated, planned as one import and no change, applied, nothing more to plan"
}
export NOTIFICATION_TOKEN=demo-session-token
if [ "$query" = yes ]; then
  adopt "$work/validate/guides/existing-account/query" "examples/guides/existing-account/query (terraform query)" \
    "$terraform" query -no-color -generate-config-out=generated.tf
else
  echo "skip examples/guides/existing-account/query: terraform query needs Terraform 1.14 (OpenTofu has none)"
fi
adopt "$work/validate/guides/existing-account/import" "examples/guides/existing-account/import (import block)" \
  "$terraform" plan -input=false -no-color -generate-config-out=generated.tf
