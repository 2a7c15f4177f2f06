# Sourced, not run. provider_mirror DIR builds the provider into a local
# filesystem mirror under DIR and points TF_CLI_CONFIG_FILE at a CLI
# configuration that installs it from there, so `terraform init` works with
# no registry (dev_overrides would still make init ask the registry).
provider_mirror() {
  local dir=$1 root version=0.1.0 platform plugin_dir
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  platform=$(go env GOOS)_$(go env GOARCH)
  plugin_dir="$dir/mirror/registry.terraform.io/openprefs/notification/$version/$platform"
  mkdir -p "$plugin_dir"
  go build -ldflags "-X main.version=$version" -o "$plugin_dir/terraform-provider-notification_v$version" "$root"
  cat > "$dir/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$dir/mirror"
    include = ["registry.terraform.io/openprefs/notification"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$dir/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
}
