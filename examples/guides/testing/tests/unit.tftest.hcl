# No API at all: the provider is mocked, so this runs anywhere, offline,
# and checks the configuration's own logic.
mock_provider "notification" {}

run "digest_is_on_by_default" {
  command = plan

  assert {
    condition     = notification_preferences.me.preferences["email.weekly_usage_digest"]
    error_message = "The weekly digest should be on unless turned off."
  }
}

run "digest_can_be_turned_off" {
  command = plan

  variables {
    weekly_digest = false
  }

  assert {
    condition     = !notification_preferences.me.preferences["email.weekly_usage_digest"]
    error_message = "weekly_digest = false should turn the digest off."
  }
}
