terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}

# NOTIFICATION_ENDPOINT and NOTIFICATION_TOKEN name the account.
provider "notification" {}

# Any Terraform from 1.8, and OpenTofu: `terraform plan
# -generate-config-out=generated.tf` writes the resource this imports.
import {
  to = notification_preferences.mine
  id = "me" # the Vast.ai user id with api = "vastai"
}
