resource "notification_preferences" "me" {
  preferences = {
    "email.product_updates"     = false
    "email.weekly_usage_digest" = true
  }
}

# The API's nested shape of what the resource manages, for example to save
# it next to an export and compare.
output "nested_json" {
  value = jsonencode(provider::notification::nest(notification_preferences.me.preferences))
  # {"email":{"product_updates":false,"weekly_usage_digest":true}}
}
