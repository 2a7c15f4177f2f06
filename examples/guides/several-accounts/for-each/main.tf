terraform {
  required_providers {
    notification = {
      source = "openprefs/notification"
    }
  }
}

# OpenTofu 1.9 and later: one provider configuration per account, from a
# map of account names to Vast.ai API keys. OpenTofu does not take
# sensitive values in for_each, so keep the keys in a .tfvars file outside
# version control.
variable "accounts" {
  type    = map(string)
  default = {}
}

# To stop managing an account, list it here and apply: its resource is
# destroyed with its own provider configuration, which writes back its
# earlier values. Then remove it from accounts. (A provider configuration
# must outlive the resources it manages.)
variable "retired_accounts" {
  type    = set(string)
  default = []
}

variable "preferences" {
  type = map(bool)
  default = {
    "client.low_credit.webhooks"       = true
    "client.instance_stopped.webhooks" = true
  }
}

provider "notification" {
  alias    = "account"
  for_each = var.accounts
  api      = "vastai"
  token    = each.value
}

resource "notification_preferences" "account" {
  for_each    = { for name, key in var.accounts : name => key if !contains(var.retired_accounts, name) }
  provider    = notification.account[each.key]
  preferences = var.preferences
}
