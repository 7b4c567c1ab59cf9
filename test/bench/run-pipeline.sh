#!/bin/bash
# run-pipeline.sh - the pipeline benchmark: a release build, the test virus
# database, text-only and mixed corpora from samples/. Prints Markdown.
# Usage: bash test/bench/run-pipeline.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-50}
bash scripts/setup.sh >/dev/null
[ -d build-release ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release test/bench/bench_pipeline >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/text" "$work/q"
cp samples/0[1-4]-*.eml samples/12-*.eml "$work/text/"
cat > "$work/mugai.conf" <<CONF
[clamav]
database = $PWD/test/data/clamav
[quarantine]
directory = $work/q
CONF
echo "### Text mails (ISO-2022-JP, Shift_JIS, EUC-JP, UTF-8)"
./build-release/test/bench/bench_pipeline "$work/mugai.conf" "$ROUNDS" "$work/text" 2>/dev/null
echo
echo "### Mixed corpus (every sample: text, HTML, attachments, forwarded, virus)"
./build-release/test/bench/bench_pipeline "$work/mugai.conf" "$ROUNDS" samples 2>/dev/null
