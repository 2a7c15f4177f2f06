terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}

# NOTIFICATION_ENDPOINT and NOTIFICATION_TOKEN name the account.
provider "notification" {}
