#!/usr/bin/env bash
# Stops make testacc-live and sweep-live at once, saying what to set, when
# the environment names no account: they would otherwise fail deep inside
# go test.
set -euo pipefail
api=${NOTIFICATION_API:-v1}
token=${NOTIFICATION_TOKEN:-}
[ "$api" = vastai ] && token=${token:-${VAST_API_KEY:-}}
missing=()
[ -n "$token" ] || missing+=("NOTIFICATION_TOKEN (or VAST_API_KEY with NOTIFICATION_API=vastai)")
[ "$api" = vastai ] || [ -n "${NOTIFICATION_ENDPOINT:-}" ] || missing+=("NOTIFICATION_ENDPOINT")
if [ ${#missing[@]} -gt 0 ]; then
  echo "No account to test: set ${missing[*]}." >&2
  echo "make testacc-live runs against the account these name, and puts it back as it was." >&2
  echo "For v1: NOTIFICATION_ENDPOINT and NOTIFICATION_TOKEN (a user session token)." >&2
  echo "For Vast.ai: NOTIFICATION_API=vastai and VAST_API_KEY (NOTIFICATION_USER_ID and NOTIFICATION_ENDPOINT optional)." >&2
  exit 2
fi
echo "testacc-live: ${api} account at ${NOTIFICATION_ENDPOINT:-the default endpoint}"
