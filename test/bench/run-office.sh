#!/bin/bash
# run-office.sh - the Office filter benchmark: OOXML rebuilds per second in
# process (bench_office), side by side with a LibreOffice round trip of the
# same files (soffice --convert-to, one process for the whole batch, and one
# process per file as a converter service would start it). Prints Markdown.
# Usage: bash test/bench/run-office.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-200}
[ -d build-release ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release test/bench/bench_office >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in" "$work/out"
python3 - "$work/in" <<'PY'
import os, sys
sys.path.insert(0, 'test/gen')
import office as O
import mime
out = sys.argv[1]
para = ('令和7年度の予算編成にあたり、各課の要求額を取りまとめました。'
        '髙﨑市との共同事業①についても引き続き検討します。')
body = ''.join(O.para('%d. %s' % (i, para)) for i in range(400))
open(os.path.join(out, 'text-400p.docx'), 'wb').write(O.docx(body))
img = ''.join('<w:p><w:r><w:pict><v:shape id="i%d" style="width:10pt;height:10pt">'
              '<v:imagedata r:id="rIdI"/></v:shape></w:pict></w:r></w:p>' % i for i in range(3))
open(os.path.join(out, 'image.docx'), 'wb').write(O.docx(
    O.para(para) + img, doc_rels=[('rIdI', O.RT + 'image', 'media/image1.png')],
    defaults=[('png', 'image/png')], parts=[('word/media/image1.png', mime.make_png('bench'))]))
rows = ''.join('<row r="%d">%s</row>' % (r, ''.join(
    '<c r="%s%d"><v>%d</v></c>' % (c, r, r * 7 + i) for i, c in enumerate('ABCDE')) +
    O.cell_inline('F%d' % r, '項目%d' % r)) for r in range(1, 5001))
open(os.path.join(out, 'sheet-5000rows.xlsx'), 'wb').write(O.xlsx([('予算', rows)]))
open(os.path.join(out, 'macro.docm'), 'wb').write(O.docx(
    O.para(para), main=O.DOCM_MAIN, doc_rels=[('rId9', O.MSRT + 'vbaProject', 'vbaProject.bin')],
    defaults=[('bin', O.VBA_TYPE)], parts=[('word/vbaProject.bin', O.vba_project('bench') * 100)]))
open(os.path.join(out, 'slide.pptx'), 'wb').write(O.pptx(O.slide_shape(para)))
PY

echo "### mugai: OOXML rebuild in process ($ROUNDS rounds each, one core)"
./build-release/test/bench/bench_office "$ROUNDS" "$work"/in/* 2>/dev/null
echo

soffice_batch() {
  local start end
  start=$(date +%s.%N)
  soffice --headless --norestore "-env:UserInstallation=file://$work/profile" \
    --convert-to "$1" --outdir "$work/out" "${@:2}" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
soffice_batch docx "$work/in/text-400p.docx" >/dev/null   # profile made once, not timed
echo "### LibreOffice round trip (soffice --headless --convert-to, same files)"
echo "| files | how | seconds | per file |"
echo "|---|---|---|---|"
n=$(ls "$work"/in/*.docx | wc -l)
t=$(soffice_batch docx "$work"/in/*.docx)
printf '| %s docx | one soffice for the batch | %.2f | %.0f ms |\n' "$n" "$t" "$(echo "$t * 1000 / $n" | bc -l)"
t=$(soffice_batch xlsx "$work/in/sheet-5000rows.xlsx")
printf '| 1 xlsx (5000 rows) | one soffice | %.2f | %.0f ms |\n' "$t" "$(echo "$t * 1000" | bc -l)"
total=0
for f in "$work"/in/*.docx; do
  t=$(soffice_batch docx "$f")
  total=$(echo "$total + $t" | bc -l)
done
printf '| %s docx | one soffice per file | %.2f | %.0f ms |\n' "$n" "$total" "$(echo "$total * 1000 / $n" | bc -l)"
