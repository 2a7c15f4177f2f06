# The provider block stays empty: CI sets NOTIFICATION_ENDPOINT and
# NOTIFICATION_TOKEN (from a secret), so no token is ever written in a file.
provider "notification" {
  # A flaky network between CI and the API: wait longer for each attempt,
  # and retry transient failures (connection errors, timeouts, 429,
  # 502/503/504) more often. Writes are idempotent, so retries are safe.
  request_timeout = "20s"
  max_retries     = 6
}

resource "notification_preferences" "me" {
  preferences = {
    "email.product_updates"     = false
    "email.weekly_usage_digest" = true
  }
}
