data "notification_preferences" "current" {}

output "billing_receipts_on" {
  value = data.notification_preferences.current.preferences["email.billing_receipts"]
}
