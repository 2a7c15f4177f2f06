# VAST_API_KEY holds the key, as for the vast CLI; the endpoint is
# https://console.vast.ai and the user is the key's own.
provider "notification" {
  api = "vastai"
}

resource "notification_preferences" "vast" {
  preferences = {
    # group.event.channel
    "client.low_credit.email"    = true
    "client.low_credit.webhooks" = true
    # Mandatory emails may be declared on, never off: off is a plan error.
    "client.billing_failed.email" = true
  }
}
