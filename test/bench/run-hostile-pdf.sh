#!/bin/bash
# run-hostile-pdf.sh - peak memory and time of `mugai files` (sandboxed
# workers, default limits unless CONF is given) on each hostile PDF of
# test/gen/hostile_pdf.py, with what became of it. Prints Markdown. Peak RSS
# is GNU time's maximum resident set of the process tree (the largest of the
# front, supervisor, workers and their render children). Not a test.
# Usage: bash test/bench/run-hostile-pdf.sh [CONF]   (BUILD=dir to pick the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 test/gen/hostile_pdf.py "$work/in"
conf=${1:-$work/mugai.conf}
if [ -z "${1:-}" ]; then
  printf '[clamav]\ndatabase = %s\n[quarantine]\ndirectory = %s\n' \
    "$PWD/test/data/clamav" "$work/q" > "$conf"
fi
echo "| sample | input bytes | seconds | peak RSS (MB) | action | detail |"
echo "|---|---|---|---|---|---|"
for f in "$work"/in/*.pdf; do
  n=$(basename "$f" .pdf)
  /usr/bin/time -f '%e %M' -o "$work/time" "$BUILD/src/cli/mugai" files -c "$conf" \
    --report "$work/$n.json" -o "$work/out-$n" "$f" >/dev/null 2>&1 || true
  read -r secs kb < <(tail -1 "$work/time")
  report=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(r.get("action"), "|", (r.get("detail") or "")[:90])' "$work/$n.json" 2>/dev/null || echo "? | no report")
  echo "| $n | $(stat -c %s "$f") | $secs | $((kb / 1024)) | $report |"
done
