#!/usr/bin/env bash
# make release-snapshot-check: builds the release archives as goreleaser
# would publish them (make release-snapshot, for this machine's platform
# alone unless RELEASE_ALL_PLATFORMS=1: all 13 take some 8.5 minutes on two
# cores), then installs the provider's archive the way a user gets it, from
# a packed filesystem mirror (terraform init unpacks it and records its
# hash in the lock file), and applies a configuration against the mock
# served from the mock's own archive. SHA256SUMS must hold both archives'
# hashes, and the lock file the provider archive's.
set -euo pipefail
cd "$(dirname "$0")/.."
GORELEASER=${GORELEASER:-goreleaser} TERRAFORM=${TERRAFORM:-terraform}
work=$(mktemp -d)
mock_pid=
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "release check: $*" >&2; exit 1; }

host=$(go env GOOS)_$(go env GOARCH)
config=.goreleaser.yml
if [ "${RELEASE_ALL_PLATFORMS:-}" != 1 ]; then
  case $(go env GOARCH) in
    amd64) target=${host}_v1 ;;
    arm64) target=${host}_v8.0 ;;
    *) target=$host ;;
  esac
  # The same configuration, each build given this one target.
  config=$work/goreleaser.yml
  awk -v target="$target" '
    /^[a-z]/ { section = $1 }
    { print }
    section == "builds:" && /^  - id: / { print "    targets: [\"" target "\"]" }
  ' .goreleaser.yml > "$config"
fi
start=$(date +%s)
"$GORELEASER" release --snapshot --clean --skip=sign --config "$config"
echo "release check: the snapshot took $(( $(date +%s) - start )) s"

sums=$(ls dist/terraform-provider-notification_*_SHA256SUMS)
version=${sums#dist/terraform-provider-notification_}
version=${version%_SHA256SUMS}
provider=terraform-provider-notification_${version}_${host}.zip
mock=notification-mock_${version}_${host}.zip
for archive in "$provider" "$mock" "terraform-provider-notification_${version}_manifest.json"; do
  [ -f "dist/$archive" ] || fail "dist/$archive is missing"
  sum=$(sha256sum "dist/$archive" | cut -d' ' -f1)
  grep -qx "$sum  $archive" "$sums" || fail "$sums does not list $archive with its hash $sum"
done
[ "$(unzip -Z1 "dist/$provider")" = "terraform-provider-notification_v${version}" ] \
  || fail "$provider must hold the provider binary alone: $(unzip -Z1 "dist/$provider" | tr '\n' ' ')"

# The mock, from its archive.
unzip -q "dist/$mock" -d "$work/mock"
source .ci/mock.sh
start_mock "$work" "$work/mock/notification-mock" || fail "the mock from $mock did not start"
endpoint=$NOTIFICATION_ENDPOINT

# The provider, from a packed mirror: the archive as the registry serves it.
mkdir -p "$work/mirror/registry.terraform.io/openprefs/notification" "$work/config"
cp "dist/$provider" "$work/mirror/registry.terraform.io/openprefs/notification/"
cat > "$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/openprefs/notification"]
  }
}
RC
cat > "$work/config/main.tf" <<TF
terraform {
  required_providers {
    notification = {
      source  = "openprefs/notification"
      version = "$version"
    }
  }
}

provider "notification" {
  endpoint = "$endpoint"
  token    = "demo-session-token"
}

resource "notification_preferences" "me" {
  preferences = {
    "email.weekly_usage_digest" = true
  }
}
TF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
"$TERRAFORM" -chdir="$work/config" init -input=false -no-color > "$work/init.log" || { cat "$work/init.log"; fail "terraform init from the archive failed"; }
zh=$(sha256sum "dist/$provider" | cut -d' ' -f1)
grep -q "\"zh:$zh\"" "$work/config/.terraform.lock.hcl" || fail "the lock file does not record the archive's hash zh:$zh"
"$TERRAFORM" -chdir="$work/config" apply -auto-approve -input=false -no-color > "$work/apply.log" || { cat "$work/apply.log"; fail "terraform apply failed"; }
curl -fsS -H 'Authorization: Bearer demo-session-token' "$endpoint/v1/me/notifications" | grep -q '"weekly_usage_digest":true' \
  || fail "the apply did not reach the mock"
"$TERRAFORM" -chdir="$work/config" destroy -auto-approve -input=false -no-color > "$work/destroy.log" || { cat "$work/destroy.log"; fail "terraform destroy failed"; }
echo "release check: $provider ($version) installed from a packed mirror (lock file zh:$zh), applied and destroyed against $mock; SHA256SUMS holds both"
