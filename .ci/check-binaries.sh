#!/usr/bin/env bash
# Fails when git tracks a compiled binary (ELF, Mach-O, PE or a Go test
# binary): build outputs belong in .gitignore, never in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
found=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  # Read the magic number into a variable rather than piping into a reader
  # that may exit early: under pipefail that would fail by chance.
  magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case "$magic" in
    7f454c46|cffaedfe|cefaedfe|feedface|feedfacf|4d5a*)
      echo "tracked compiled binary: $f (remove it with git rm --cached and ignore it)"
      found=1 ;;
  esac
done < <(git ls-files -z)
exit "$found"
