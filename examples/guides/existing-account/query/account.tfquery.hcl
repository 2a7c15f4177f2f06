# Terraform 1.14 and later, in a file ending in .tfquery.hcl beside the
# provider's configuration. `terraform query` lists the preferences
# document of the provider configuration; `terraform query
# -generate-config-out=generated.tf` writes a resource block and an import
# block for it.
list "notification_preferences" "mine" {
  provider         = notification
  include_resource = true
}
