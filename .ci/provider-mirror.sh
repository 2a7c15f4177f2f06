# Sourced, not run. provider_mirror DIR builds the provider into a local
# filesystem mirror under DIR and points TF_CLI_CONFIG_FILE at a CLI
# configuration that installs it from there, so `terraform init` works with
# no registry (dev_overrides would still make init ask the registry).
provider_mirror() {
  local dir=$1 root version=0.1.0 platform binary host
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  platform=$(go env GOOS)_$(go env GOARCH)
  binary="$dir/terraform-provider-notification_v$version"
  go build -ldflags "-X main.version=$version" -o "$binary" "$root"
  # Terraform resolves openprefs/notification on its registry's host,
  # OpenTofu on its own; the mirror answers for both.
  for host in registry.terraform.io registry.opentofu.org; do
    mkdir -p "$dir/mirror/$host/openprefs/notification/$version/$platform"
    ln -sf "$binary" "$dir/mirror/$host/openprefs/notification/$version/$platform/"
  done
  cat > "$dir/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$dir/mirror"
    include = ["registry.terraform.io/openprefs/notification", "registry.opentofu.org/openprefs/notification"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$dir/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
}
