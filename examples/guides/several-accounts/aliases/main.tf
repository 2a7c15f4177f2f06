terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}

# One provider configuration per account: each has its own API key, finds
# its own Vast.ai user from it, and manages that user's document only. Both
# take the endpoint from NOTIFICATION_ENDPOINT, or default to Vast.ai's.
variable "personal_key" {
  type      = string
  sensitive = true
}

variable "team_key" {
  type      = string
  sensitive = true
}

provider "notification" {
  alias = "personal"
  api   = "vastai"
  token = var.personal_key
}

provider "notification" {
  alias = "team"
  api   = "vastai"
  token = var.team_key
}

resource "notification_preferences" "personal" {
  provider = notification.personal
  preferences = {
    "client.low_credit.email"    = true
    "client.low_credit.webhooks" = true
  }
}

# The same key in another account's document is another key: no conflict.
resource "notification_preferences" "team" {
  provider = notification.team
  preferences = {
    "client.low_credit.webhooks"       = true
    "client.instance_stopped.webhooks" = true
  }
}
