# A misspelt key: `make demo` shows that plan fails on it, at the key.
terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}

provider "notification" {}

resource "notification_preferences" "me" {
  preferences = {
    "email.product_updates"    = false
    "email.weekly_usage_digst" = true
  }
}
