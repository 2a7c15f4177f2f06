# Manage two v1 toggles; every other key keeps its value.
resource "notification_preferences" "me" {
  preferences = {
    "email.product_updates"     = false
    "email.weekly_usage_digest" = true
  }
}

# Vast.ai keys are group.event.channel. With on_destroy = "keep", destroy
# leaves the values as they are instead of restoring the earlier ones.
resource "notification_preferences" "vast" {
  provider = notification.vast

  preferences = {
    "client.low_credit.email"    = true
    "client.low_credit.webhooks" = true
  }
  on_destroy = "keep"
}
