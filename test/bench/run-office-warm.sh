#!/bin/bash
# run-office-warm.sh - LibreOffice cold vs warm in `mugai files`: 20 legacy
# Office files (7 .doc, 7 .xls, 6 .ppt of Apache POI's test-data, Apache-2.0)
# sanitised in one run with [office] libreoffice_reuse = 1 (a LibreOffice
# started per file, as before) and = 20 (one LibreOffice kept running).
# GNU time counts mugai and every process it waited for (the supervisor, the
# service child, LibreOffice). Prints Markdown.
# Usage: bash test/bench/run-office-warm.sh [POI_CHECKOUT]
#   POI_CHECKOUT: a clone of https://github.com/apache/poi (bare or not);
#   without it the files are fetched with a shallow, sparse clone.
set -euo pipefail
cd "$(dirname "$0")/../.."
FILES="document/SampleDoc.doc document/Lists.doc document/HeaderFooterUnicode.doc
document/Bug47286.doc document/GaiaTest.doc document/53446.doc document/WithArtShapes.doc
spreadsheet/12561-1.xls spreadsheet/13796.xls spreadsheet/29942.xls spreadsheet/31979.xls
spreadsheet/34775.xls spreadsheet/36947.xls spreadsheet/39634.xls
slideshow/SampleShow.ppt slideshow/WithMaster.ppt slideshow/54111.ppt
slideshow/43781.ppt slideshow/bullets.ppt slideshow/41384.ppt"
[ -d build ] || meson setup build >/dev/null
ninja -C build src/cli/mugai >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
poi=${1:-}
if [ -z "$poi" ]; then
  poi="$work/poi"
  git clone -q --depth 1 --filter=blob:none --sparse https://github.com/apache/poi "$poi"
  git -C "$poi" sparse-checkout set test-data/document test-data/spreadsheet test-data/slideshow
fi
for f in $FILES; do
  git -C "$poi" show "HEAD:test-data/$f" > "$work/in/$(basename "$f")"
done

run() {   # $1 label, $2 libreoffice_reuse, $3 libreoffice
  printf '[clamav]\ndatabase = %s/test/data/clamav\n[quarantine]\ndirectory = %s/q\n[office]\nlibreoffice_reuse = %s\nlibreoffice = %s\n' \
    "$PWD" "$work" "$2" "${3:-soffice}" > "$work/$1.conf"
  rm -rf "$work/out-$1"
  /usr/bin/time -o "$work/$1.time" -f '%e %U %S' \
    build/src/cli/mugai files -c "$work/$1.conf" --report "$work/$1.jsonl" -o "$work/out-$1" \
    "$work/in" > /dev/null 2> "$work/$1.err" || true
  read -r wall user sys < <(tail -n 1 "$work/$1.time")
  conv=$(grep -c '"action":"converted"' "$work/$1.jsonl" || true)
  awk -v l="$1" -v w="$wall" -v u="$user" -v s="$sys" -v c="$conv" 'BEGIN {
    printf "| %s | %d/20 | %.1f | %.1f | %.2f | %.2f |\n", l, c, w, u + s, w / 20, (u + s) / 20 }'
}
echo "| LibreOffice | converted | wall s | CPU s | wall s/file | CPU s/file |"
echo "|---|---|---|---|---|---|"
run "none (no LibreOffice: mugai alone)" 1 /nonexistent/soffice
run cold 1
run warm 20
grep -v '"action":"converted"' "$work/warm.jsonl" | grep -o '"source":"[^"]*"\|"detail":"[^"]*"' | sed "s/^/    not converted: /" || true
grep -h "warm LibreOffice failed" "$work"/*.err | sed 's/^.*WARNING[^:]*: [0-9:.]*: /    log: /' || true
