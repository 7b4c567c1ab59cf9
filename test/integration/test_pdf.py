#!/usr/bin/env python3
"""mugai mail (real binary, sandboxed workers) on mails that carry one hostile
PDF of test/gen/hostile_pdf.py beside an ordinary PDF and a text attachment:
an image declared 30000 x 30000 (Flate, CCITT G4), a Type 3 glyph drawing
itself, a self-painting pattern, form XObjects drawn 4^13 times.

Each: exit 0, the hostile PDF removed (the report's detail names the limit,
the notice says "limit exceeded") and held
in the quarantine, the body,
the text attachment and the ordinary PDF (rebuilt) delivered.
A PDF whose embedded TrueType font has a marker in fpgm, prep, cvt and an
unknown table: the rebuilt PDF has the text (pdftotext) but no marker in any
inflated stream, and its fonts only outline tables, no glyph instructions.
The budgets are small ([pdf] max_seconds = 2, max_memory = 256) so the test
ends quickly; nothing is timed.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import Suite, assert_text, check, check_sanitised, run_mail  # noqa: E402
import hostile_pdf as HP  # noqa: E402  (test/gen)
from mime import attachment, make_pdf, mixed, text_part  # noqa: E402

CONF = {'pdf': {'max_seconds': 2, 'max_memory': 256}}
S = Suite('pdf')


def mail(name, hostile):
    parts = [text_part('本文はそのまま届きます【%s】\n' % name),
             attachment(hostile, 'application/pdf', 'hostile.pdf'),
             attachment(('添付テキスト【%s】\n' % name).encode('utf-8'),
                        'text/plain; charset=utf-8', 'memo.txt'),
             attachment(make_pdf(name), 'application/pdf', 'ordinary.pdf')]
    return mixed(name, parts)


def held(res):
    stored = []
    for root, _, files in os.walk(res.qdir):
        stored += [os.path.join(root, f) for f in files]
    return stored


def case(sample, *reasons):
    """The part is removed naming one of REASONS (a pattern or form loop
    grows in time and memory at once: which budget it meets first depends on
    the build; under ASan, memory)."""
    def run(name):
        res = run_mail(mail(name, HP.SAMPLES[sample]()), conf=CONF)
        check_sanitised(res)
        p = res.find_part(filename='hostile.pdf')
        check(p is not None, 'no report part for hostile.pdf: %r' % [
            (q.get('filename'), q.get('action')) for q in res.parts()])
        check(p.get('action') == 'removed', 'hostile.pdf %r (%r), expected removed' % (
            p.get('action'), p.get('detail')))
        check(any(r in (p.get('detail') or '') for r in reasons),
              'hostile.pdf detail %r does not name %s' % (p.get('detail'), ' or '.join(reasons)))
        check('hostile.pdf' not in res.output_filenames(), 'hostile.pdf delivered')
        body = res.body()
        check('hostile.pdf' in body, 'the notice does not name hostile.pdf')
        said = '処理の上限を超えました'
        check('hostile.pdf（application/pdf）: 削除 — ' + said in body,
              'the notice does not say %r for hostile.pdf: %r' % (said, body[:600]))
        assert_text(res, '本文はそのまま届きます【%s】' % name, body)
        assert_text(res, '添付テキスト【%s】' % name)
        ordinary = res.find_part(filename='ordinary.pdf')
        check(ordinary is not None and ordinary.get('action') == 'converted',
              'ordinary.pdf %r' % (ordinary and ordinary.get('action')))
        check('ordinary.pdf' in res.output_filenames(), 'ordinary.pdf not delivered')
        check(held(res), 'nothing held in the quarantine')
    return run


MARKER = b'MUGAI-HINTING-MARKER-7f3a'
OUTLINE_TABLES = {b'cmap', b'glyf', b'head', b'hhea', b'hmtx', b'loca', b'maxp'}


def streams(pdf):
    """Every stream of PDF inflated (qpdf is not needed: cairo writes Flate)."""
    out = []
    for m in re.finditer(rb'stream\r?\n', pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[m.end():]))
        except zlib.error:
            pass
    return out


def sfnt_tables(font):
    n = struct.unpack('>H', font[4:6])[0]
    return {font[12 + 16 * i:16 + 16 * i]: struct.unpack('>II', font[20 + 16 * i:28 + 16 * i])
            for i in range(n)}


def glyph_instructions(font, t):
    """Total bytes of instructions in the simple glyphs of FONT (long loca)."""
    glyf, loca = t[b'glyf'], t[b'loca']
    count = loca[1] // 4 - 1
    offs = struct.unpack('>%dI' % (count + 1), font[loca[0]:loca[0] + loca[1]])
    total = 0
    for i in range(count):
        g = font[glyf[0] + offs[i]:glyf[0] + offs[i + 1]]
        if len(g) >= 10 and struct.unpack('>h', g[:2])[0] >= 0:
            at = 10 + 2 * struct.unpack('>h', g[:2])[0]
            total += struct.unpack('>H', g[at:at + 2])[0]
    return total


def pdftotext(pdf):
    with tempfile.NamedTemporaryFile(suffix='.pdf') as f:
        f.write(pdf)
        f.flush()
        p = subprocess.run(['pdftotext', f.name, '-'], stdout=subprocess.PIPE, timeout=60)
    return p.stdout.decode('utf-8', 'replace')


@S.case
def test_font_hinting_stripped(name='font_hinting_stripped'):
    hostile = HP.font_hinting(MARKER)
    check(any(MARKER in s for s in streams(hostile)), 'the sample carries no marker')
    res = run_mail(mail(name, hostile), conf=CONF)
    check_sanitised(res)
    p = res.find_part(filename='hostile.pdf')
    check(p is not None and p.get('action') == 'converted', 'hostile.pdf %r' % (
        p and (p.get('action'), p.get('detail')),))
    out = [q.get_payload(decode=True) for q in res.leaves() if q.get_filename() == 'hostile.pdf']
    check(len(out) == 1, 'hostile.pdf not delivered once: %r' % res.output_filenames())
    check(MARKER not in out[0] and all(MARKER not in s for s in streams(out[0])),
          'the hinting marker crossed the rebuild')
    fonts = [s for s in streams(out[0]) if s[:4] == b'\0\1\0\0']
    check(fonts, 'no TrueType font in the rebuilt PDF')
    for f in fonts:
        t = sfnt_tables(f)
        check(set(t) <= OUTLINE_TABLES, 'font tables %r' % sorted(set(t) - OUTLINE_TABLES))
        check(glyph_instructions(f, t) == 0, 'glyph instructions left in the font')
    check('Hinting tables stripped' in pdftotext(out[0]), 'text not extractable: %r' %
          pdftotext(out[0])[:200])


S.add('giant_flate_image', case('giant_flate', 'max_memory'), 'giant_flate_image')
S.add('giant_ccitt_image', case('giant_ccitt', 'max_memory'), 'giant_ccitt_image')
S.add('type3_recursion', case('type3_loop', 'nests deeper'), 'type3_recursion')
S.add('pattern_loop', case('pattern_loop', 'max_seconds', 'max_memory'), 'pattern_loop')
S.add('form_bomb', case('form_bomb', 'max_seconds', 'max_memory'), 'form_bomb')

if __name__ == '__main__':
    S.main()
