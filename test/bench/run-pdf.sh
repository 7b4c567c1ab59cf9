#!/bin/bash
# run-pdf.sh - the PDF filter side by side with pdftocairo -pdf (poppler-utils)
# and ghostscript's pdfwrite on the same files, in one run. Prints Markdown:
# pages per second of CPU (one core) and input MB per second of CPU, and the
# output size relative to the input. mugai is timed in process (bench_pdf,
# no process start); the two tools are timed as processes, one per file and
# round (their start, a few ms, is included).
# Usage: bash test/bench/run-pdf.sh [ROUNDS]   (BUILD=dir to pick the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
BUILD=${BUILD:-build-release}
[ -d "$BUILD" ] || meson setup "$BUILD" --buildtype=release >/dev/null
ninja -C "$BUILD" test/bench/bench_pdf >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BUILD/test/bench/bench_pdf" gen "$work/in"
files=("$work"/in/ja-text-20.pdf "$work"/in/en-text-20.pdf "$work"/in/ja-300.pdf
       "$work"/in/scan-10.pdf)

# cpu_of CMD...: user+system seconds of CMD, run ROUNDS times.
cpu_of () {
  local total=0 t
  for ((i = 0; i < ROUNDS; i++)); do
    /usr/bin/time -o "$work/time" -f '%U %S' "$@" >/dev/null 2>&1
    t=$(tail -1 "$work/time")
    total=$(echo "$total + ${t% *} + ${t#* }" | bc -l)
  done
  echo "$total"
}

row () {  # row FILE TOOL CPU OUTPUT
  local pages size
  pages=$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')
  size=$(stat -c %s "$1")
  echo "| $(basename "$1") | $pages | $((size / 1024)) | $2 | $(echo "scale=1; $pages * $ROUNDS / $3" | bc -l) \
| $(echo "scale=2; $size * $ROUNDS / $3 / 1000000" | bc -l) | $(echo "scale=2; $(stat -c %s "$4") / $size" | bc -l) |"
}

echo "| file | pages | input KB | rebuilt by | pages/s (CPU) | input MB/s (CPU) | output / input |"
echo "|---|---|---|---|---|---|---|"
for f in "${files[@]}"; do
  "$BUILD/test/bench/bench_pdf" run "$ROUNDS" "$f" 2>/dev/null
  out="$work/out.pdf"
  row "$f" "pdftocairo -pdf" "$(cpu_of pdftocairo -pdf "$f" "$out")" "$out"
  row "$f" "gs pdfwrite" "$(cpu_of gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite \
    -o "$out" "$f")" "$out"
done
