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

# More toggles, such as the ones your account has and the mock's state file
# mirrors.
variable "extra_preferences" {
  type    = map(bool)
  default = {}
}

resource "notification_preferences" "me" {
  preferences = merge(var.extra_preferences, {
    "email.weekly_usage_digest" = var.weekly_digest
    "email.product_updates"     = false
  })
}
