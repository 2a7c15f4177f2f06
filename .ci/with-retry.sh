#!/usr/bin/env bash
# with-retry.sh WHAT COMMAND...: runs COMMAND bounded in time and retried
# (.ci/retry.sh), failing with a message that names WHAT.
set -euo pipefail
source "$(dirname "$0")/retry.sh"
retry "$@"
