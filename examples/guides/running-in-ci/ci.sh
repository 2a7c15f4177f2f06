#!/usr/bin/env bash
# What a CI job runs: plan, let a person (or a policy) review the saved
# plan, then apply exactly that plan.
set -euo pipefail
export TF_IN_AUTOMATION=1 # Terraform's output without "run terraform apply" hints
# NOTIFICATION_ENDPOINT and NOTIFICATION_TOKEN come from the CI's secrets.

terraform init -input=false

# -detailed-exitcode: 0 no changes, 2 changes to apply, 1 an error (a
# misspelt or locked key fails here, pointed at its line).
set +e
terraform plan -input=false -out=tfplan -detailed-exitcode
status=$?
set -e
case $status in
  0) echo "Preferences are as configured."; exit 0 ;;
  2) echo "Changes to review:"; terraform show -no-color tfplan ;;
  *) exit "$status" ;;
esac

# Later, after review (minutes or hours):
terraform apply -input=false tfplan
