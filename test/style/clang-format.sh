#!/bin/bash
# clang-format.sh - every C file of the tree is formatted as .clang-format
# says (clang-format --dry-run -Werror). Prints each file that differs and
# exits 1 if any does. Run from anywhere: test/style/clang-format.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "clang-format is not installed (scripts/setup.sh)"; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find src test -name '*.[ch]')
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done
echo "clang-format: $bad of ${#files[@]} files differ"
[ "$bad" -eq 0 ]
