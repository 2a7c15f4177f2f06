terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}

# The provider reads NOTIFICATION_ENDPOINT and NOTIFICATION_TOKEN.
provider "notification" {}

variable "weekly_digest" {
  type    = bool
  default = true
}

resource "notification_preferences" "me" {
  preferences = {
    "email.weekly_usage_digest" = var.weekly_digest
    "email.product_updates"     = false
  }
}
