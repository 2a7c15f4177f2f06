# v1 API: a user session token, usually from the environment in CI
# (NOTIFICATION_ENDPOINT, NOTIFICATION_TOKEN).
provider "notification" {
  endpoint = "https://api.example.com"
  token    = var.notification_token
}

# v1 session tokens live about a minute: in CI, a command that prints a
# fresh one, run again before each expires ...
provider "notification" {
  alias         = "minted"
  endpoint      = "https://api.example.com"
  token_command = ["./mint-session-token.sh"]
}

# ... or a file that something else keeps fresh (NOTIFICATION_TOKEN_FILE).
provider "notification" {
  alias      = "from_file"
  endpoint   = "https://api.example.com"
  token_file = "/run/secrets/notification-session-token"
}

# Vast.ai's API, in the habits of the vast CLI: the API key comes from
# VAST_API_KEY, the endpoint is https://console.vast.ai, and the user is
# the key's own.
provider "notification" {
  alias = "vast"
  api   = "vastai"
}

# Or everything spelled out, with tuning for a flaky network.
provider "notification" {
  alias    = "vast_explicit"
  endpoint = "https://console.vast.ai"
  token    = var.vast_api_key
  api      = "vastai"
  user_id  = 4242

  request_timeout = "20s"
  max_retries     = 6
}

variable "notification_token" {
  type      = string
  sensitive = true
}

variable "vast_api_key" {
  type      = string
  sensitive = true
}
