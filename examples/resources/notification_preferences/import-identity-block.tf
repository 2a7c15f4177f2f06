# Terraform 1.12 and later, or OpenTofu 1.12: name the document by the
# resource's identity instead of an id.
import {
  to = notification_preferences.me
  identity = {
    id = "me" # or the Vast.ai user id
  }
}
