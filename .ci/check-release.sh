#!/usr/bin/env bash
# make release-snapshot-check: builds the release archives as goreleaser
# would publish them (.ci/release-snapshot.sh, for this machine's platform
# alone unless RELEASE_ALL_PLATFORMS=1: all 13 take some 8.5 minutes on two
# cores), then installs the provider's archive the way a user gets it, from
# a packed filesystem mirror (terraform init unpacks it and records its
# hash in the lock file), and applies a configuration against the mock
# served from the mock's own archive. SHA256SUMS must hold both archives'
# hashes and the manifest's, and the lock file the hash of the provider
# archive's contents.
set -euo pipefail
cd "$(dirname "$0")/.."
GORELEASER=${GORELEASER:-goreleaser} TERRAFORM=${TERRAFORM:-terraform}
work=$(mktemp -d)
mock_pid=
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "release check: $*" >&2; exit 1; }

host=$(go env GOOS)_$(go env GOARCH)
if [ "${RELEASE_ALL_PLATFORMS:-}" = 1 ]; then
  bash .ci/release-snapshot.sh
else
  bash .ci/release-snapshot.sh "$host"
fi

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
unzip -Z1 "dist/$provider" | grep -qx "terraform-provider-notification_v${version}" \
  || fail "$provider lacks the provider binary terraform-provider-notification_v${version}: $(unzip -Z1 "dist/$provider" | tr '\n' ' ')"

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
# From a mirror, init records the h1 hash of what it unpacked (a registry
# adds the zh: hash of the zip, which SHA256SUMS holds): the h1 of the
# archive's files, as golang.org/x/mod/sumdb/dirhash computes it.
unzip -q "dist/$provider" -d "$work/unpacked"
h1=$(cd "$work/unpacked" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
  printf '%s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"
done | sha256sum | cut -d' ' -f1 | perl -ne 'chomp; print pack("H*", $_)' | base64)
grep -q "\"h1:$h1\"" "$work/config/.terraform.lock.hcl" \
  || fail "the lock file does not record the archive's hash h1:$h1: $(cat "$work/config/.terraform.lock.hcl")"
"$TERRAFORM" -chdir="$work/config" apply -auto-approve -input=false -no-color > "$work/apply.log" || { cat "$work/apply.log"; fail "terraform apply failed"; }
curl -fsS -H 'Authorization: Bearer demo-session-token' "$endpoint/v1/me/notifications" | grep -q '"weekly_usage_digest":true' \
  || fail "the apply did not reach the mock"
"$TERRAFORM" -chdir="$work/config" destroy -auto-approve -input=false -no-color > "$work/destroy.log" || { cat "$work/destroy.log"; fail "terraform destroy failed"; }
echo "release check: $provider ($version) installed from a packed mirror (lock file h1:$h1), applied and destroyed against $mock; SHA256SUMS holds both"
