#!/usr/bin/env bash
# make testacc-live against the mock run as a process of its own, as the
# stand-in for the live API it is built for: each dialect, on a fresh mock,
# then the mock's journal says how many writes the run made (the run
# itself checks the account is left as it found it).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/mock.sh
work=$(mktemp -d)
trap 'kill "${mock_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
for api in v1 vastai; do
  start_mock "$work"
  if [ "$api" = vastai ]; then
    export NOTIFICATION_API=vastai VAST_API_KEY=demo-vast-key
    unset NOTIFICATION_TOKEN
  else
    export NOTIFICATION_API=v1
    unset VAST_API_KEY
  fi
  make --no-print-directory testacc-live LIVE_SNAPSHOT="$work/snapshot-$api.json" | tee "$work/live-$api.log" \
    | grep -E '^(--- |ok|FAIL|PASS)|testacc-live:' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "make testacc-live failed for $api"; exit 1; }
  journal=$(curl -fsS "$NOTIFICATION_ENDPOINT/_mock/journal")
  writes=$(grep -oE '"Method":"(PATCH|PUT)"' <<<"$journal" | wc -l)
  passed=$(grep -c '^--- PASS' "$work/live-$api.log" || true)
  echo "testacc-live against the mock ($api): $passed tests passed, $writes writes"
  if [ "$passed" -lt 5 ] || [ "$writes" -lt 1 ]; then
    echo "want at least 5 tests passed and 1 write"; exit 1
  fi
  kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true
  rm -f "$work/mock.log"
done
