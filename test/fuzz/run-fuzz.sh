#!/bin/bash
# run-fuzz.sh - build the fuzz targets with clang and libFuzzer, run each for
# SECONDS (default 60), and keep any crash input under test/fuzz/crashes/
# (commit it into the target's corpus as a regression sample once fixed).
# Usage: bash test/fuzz/run-fuzz.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-60}
shift || true
TARGETS=${*:-mail charset mimeword html ipc config ooxml cfb image archive pdf embedded result job convert}
command -v clang >/dev/null || { echo "run-fuzz: clang not installed, skipped"; exit 0; }
if [ ! -d build-fuzz ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dwerror=false >/dev/null || exit 1
fi
ninja -C build-fuzz >/dev/null || exit 1
mkdir -p test/fuzz/crashes
export MUGAI_SRCDIR=$PWD ASAN_OPTIONS=detect_leaks=0
status=0
for t in $TARGETS; do
  work=$(mktemp -d)
  cp -r "test/fuzz/corpus/$t/." "$work/"
  echo "== fuzz_$t for ${SECONDS_PER}s"
  ./build-fuzz/test/fuzz/fuzz_$t -max_total_time="$SECONDS_PER" -max_len=65536 \
    -timeout=20 -rss_limit_mb=4096 -artifact_prefix="test/fuzz/crashes/${t}-" \
    -print_final_stats=1 "$work" 2>&1 | grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY" || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  rm -rf "$work"
done
exit $status
