# The token comes from a command the provider runs when it is configured,
# again before each token expires, and after a 401: a v1 session token
# lives about a minute, longer than no CI job. The command runs without a
# shell, in Terraform's working directory and environment, so it reads
# CLERK_SECRET_KEY and CLERK_SESSION_ID from the job's secrets.
provider "notification" {
  endpoint      = "https://api.example.com"
  token_command = ["./mint-session-token.sh"]
}

# Or a file that something else keeps fresh (a sidecar, a step that
# rewrites it every 30 seconds): read again as often as the token needs.
provider "notification" {
  alias      = "from_file"
  endpoint   = "https://api.example.com"
  token_file = "/run/secrets/notification-session-token"
}

resource "notification_preferences" "me" {
  preferences = {
    "email.product_updates"     = false
    "email.weekly_usage_digest" = true
  }
}
