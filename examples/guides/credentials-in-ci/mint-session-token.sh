#!/bin/sh
# Prints a fresh session token for the CI user's Clerk session, through
# Clerk's Backend API: POST /v1/sessions/{session_id}/tokens, authorized
# with the instance's secret key. The answer is {"object": "token", "jwt":
# "…"}; the provider reads the JWT's exp to know when to run this again.
#
#   CLERK_SECRET_KEY  the instance's secret key (sk_live_…), from the Clerk
#                     Dashboard's API keys page
#   CLERK_SESSION_ID  an active session (sess_…) of the user whose
#                     preferences Terraform manages
#
# curl prints nothing of the request on failure but its status; the
# provider shows the end of this script's standard error, masked.
set -eu
curl --fail --silent --show-error --max-time 20 -X POST \
  -H "Authorization: Bearer ${CLERK_SECRET_KEY}" \
  "https://api.clerk.com/v1/sessions/${CLERK_SESSION_ID}/tokens" |
  jq -er .jwt
