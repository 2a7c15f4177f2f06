#!/usr/bin/env bash
# test-on.sh CLI DEFAULT: runs the provider's tests on CLI, unless CLI is
# the same version as DEFAULT, the one make test ran on.
set -euo pipefail
cli=$1 default=$2
# Whole outputs, not a pipe into head: see .ci/check-examples.sh.
version=$("$cli" version 2>/dev/null)
version=${version%%$'\n'*}
ran=$("$default" version 2>/dev/null) || ran=""
ran=${ran%%$'\n'*}
if [ "${ran%-dev}" = "${version%-dev}" ]; then
  echo "make test ran on ${version} already"
  exit 0
fi
echo "--- the provider's tests on ${version}"
TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli" go test -cover -timeout 20m ./internal/provider/
