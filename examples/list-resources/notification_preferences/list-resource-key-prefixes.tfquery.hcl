# Only the email toggles: the generated resource declares the keys that
# start with one of key_prefixes.
list "notification_preferences" "email" {
  provider         = notification
  include_resource = true

  config {
    key_prefixes = ["email."]
  }
}
