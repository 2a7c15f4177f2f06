# Adopt preferences exported from the API as JSON: a Vast.ai GET answer
# saved to vast-preferences.json, or a v1 answer's "data" object.
resource "notification_preferences" "me" {
  preferences = provider::notification::flatten(
    jsondecode(file("${path.module}/vast-preferences.json")).notification_preferences
  )
}

# Or write the nested shape inline:
output "flat" {
  value = provider::notification::flatten({
    email = {
      weekly_usage_digest = true
      product_updates     = false
    }
  })
  # { "email.product_updates" = false, "email.weekly_usage_digest" = true }
}
