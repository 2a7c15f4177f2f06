terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}

data "notification_preferences" "current" {}
