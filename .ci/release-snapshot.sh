#!/usr/bin/env bash
# release-snapshot.sh [PLATFORM]: the release as goreleaser would publish
# it, unsigned and unpublished, into dist/: the provider's and the mock's
# archives, SHA256SUMS, and the registry manifest beside them (goreleaser
# only copies it at publish). With PLATFORM (linux_amd64, say), the same
# configuration builds that platform alone.
set -euo pipefail
cd "$(dirname "$0")/.."
GORELEASER=${GORELEASER:-goreleaser}
config=.goreleaser.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${1:-}" ]; then
  case $1 in
    *_amd64) target=$1_v1 ;;
    *_arm64) target=$1_v8.0 ;;
    *) target=$1 ;;
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
sums=$(ls dist/terraform-provider-notification_*_SHA256SUMS)
cp terraform-registry-manifest.json "${sums%_SHA256SUMS}_manifest.json"
echo "release snapshot: $(ls dist/*.zip | wc -l) archives in dist/ in $(( $(date +%s) - start )) s"
