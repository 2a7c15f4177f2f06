# retry.sh, sourced: run a tool install with a time limit, a few times.
#
# The go command has no timeout of its own: a module download whose
# connection stops sending waits forever, and CI would sit there until its
# own limit. Each attempt gets TOOL_INSTALL_TIMEOUT seconds (default 600)
# and there are TOOL_INSTALL_ATTEMPTS of them (default 3). Go's module cache
# only keeps a download once it is whole, and callers write their output to
# a temporary name and move it into place, so a killed attempt leaves
# nothing behind that could poison the next.

# retry WHAT COMMAND...: runs COMMAND until it succeeds, and otherwise fails
# saying WHAT could not be done.
retry() {
  local what=$1; shift
  local limit=${TOOL_INSTALL_TIMEOUT:-600} attempts=${TOOL_INSTALL_ATTEMPTS:-3} i rc
  for ((i = 1; i <= attempts; i++)); do
    rc=0
    timeout --kill-after=10 "$limit" "$@" || rc=$?
    [ "$rc" -eq 0 ] && return 0
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      echo "retry: attempt $i of $attempts to $what gave no result within ${limit}s" >&2
    else
      echo "retry: attempt $i of $attempts to $what failed (exit $rc)" >&2
    fi
    [ "$i" -lt "$attempts" ] && sleep $((i * 5))
  done
  echo "retry: could not $what after $attempts attempts: check that the Go module proxy ($(go env GOPROXY)) answers, then run make again" >&2
  return 1
}

# go_mod_dir MODULE@VERSION: downloads a module's source into the module
# cache, bounded and retried, and prints its directory.
go_mod_dir() {
  local tmp json dir
  tmp=$(mktemp -d)
  json="$tmp/download.json"
  retry "download $1" sh -c 'cd "$1" && go mod download -json "$2" > "$3"' sh "$tmp" "$1" "$json" || { rm -rf "$tmp"; return 1; }
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$json")
  rm -rf "$tmp"
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "go mod download $1 gave no directory" >&2; return 1; }
  echo "$dir"
}

# go_install_tool GOBIN PACKAGE@VERSION: go install, bounded and retried.
# It installs into a temporary GOBIN and moves the binary into place, so
# that a killed attempt never leaves a half-written tool that make would
# take as installed.
go_install_tool() {
  local bin=$1 pkg=$2 tmp name
  tmp=$(mktemp -d)
  retry "install $pkg" env GOBIN="$tmp" go install "$pkg" || { rm -rf "$tmp"; return 1; }
  mkdir -p "$bin"
  for name in "$tmp"/*; do mv -f "$name" "$bin/"; done
  rm -rf "$tmp"
}
