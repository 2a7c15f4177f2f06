# The demo configuration `make demo` applies against the bundled mock API.
# The endpoint and token come from NOTIFICATION_ENDPOINT and
# NOTIFICATION_TOKEN, as they would in CI.
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
    "email.product_updates"     = false
    "email.weekly_usage_digest" = true
  }
}

data "notification_preferences" "current" {
  depends_on = [notification_preferences.me]
}

output "server_now_has" {
  value = data.notification_preferences.current.preferences
}
