# v1 API: a user session token, usually from the environment in CI
# (NOTIFICATION_ENDPOINT, NOTIFICATION_TOKEN).
provider "notification" {
  endpoint = "https://api.example.com"
  token    = var.notification_token
}

# Vast.ai's API: an API key and the user whose preferences these are.
provider "notification" {
  alias    = "vast"
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
