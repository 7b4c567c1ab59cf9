#!/usr/bin/env python3
"""Hostile PDFs for the PDF filter's limits (issue: crashes and unbounded work
in the renderer), each a few kilobytes:

  giant_flate    a 30000 x 30000 RGB image, Flate (declares 2.7 GB of pixels)
  giant_ccitt    the same size as a CCITT G4 bilevel image
  type3_loop     a Type 3 glyph that draws itself
  pattern_loop   a tiling pattern, 0.01 point steps, whose cell paints with itself
  form_bomb      form XObjects drawing each other 4 times, 13 deep (4^13 draws)

and font_hinting(marker): a page of text in an embedded TrueType font whose
fpgm, prep and cvt tables hold MARKER (the rebuilt PDF must not carry them).

Usage: hostile_pdf.py DIR  -- writes every sample as DIR/NAME.pdf
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mime import pdf_file  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def stream(data, extra=b''):
    return b'<< /Length %d %s>>\nstream\n%s\nendstream' % (len(data), extra, data)


def page_doc(content, resources, extra_objs=(), size=b'200 200'):
    """Objects 1-4: catalog, pages, page, content; EXTRA_OBJS from 5 on."""
    objs = [b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ' + size + b'] /Contents 4 0 R '
            b'/Resources ' + resources + b' >>',
            stream(content)]
    return pdf_file(objs + list(extra_objs), header=b'%PDF-1.4\n')


def giant_flate():
    data = zlib.compress(b'\x00' * 65536, 9)
    img = stream(data, b'/Type /XObject /Subtype /Image /Width 30000 /Height 30000 '
                 b'/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode ')
    return page_doc(b'q 200 0 0 200 0 0 cm /Im1 Do Q', b'<< /XObject << /Im1 5 0 R >> >>',
                    [img])


def giant_ccitt():
    data = b'\x00' * 64   # G4: runs of white, whatever the decoder makes of them
    img = stream(data, b'/Type /XObject /Subtype /Image /Width 30000 /Height 30000 '
                 b'/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode '
                 b'/DecodeParms << /K -1 /Columns 30000 /Rows 30000 >> ')
    return page_doc(b'q 200 0 0 200 0 0 cm /Im1 Do Q', b'<< /XObject << /Im1 5 0 R >> >>',
                    [img])


def type3_loop():
    glyph = stream(b'1000 0 d0 BT /T3 1000 Tf 0 0 Td (a) Tj ET 0 0 500 500 re f')
    font = (b'<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] '
            b'/FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /a 6 0 R >> '
            b'/Encoding << /Type /Encoding /Differences [97 /a] >> /FirstChar 97 /LastChar 97 '
            b'/Widths [1000] /Resources << /Font << /T3 5 0 R >> >> >>')
    return page_doc(b'BT /T3 50 Tf 20 100 Td (a) Tj ET', b'<< /Font << /T3 5 0 R >> >>',
                    [font, glyph])


def pattern_loop():
    cell = (b'<< /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 100 100] /XStep 0.01 '
            b'/YStep 0.01 /Resources << /Pattern << /P1 5 0 R >> >> /Length %d >>\nstream\n')
    body = b'/Pattern cs /P1 scn 0 0 100 100 re f'
    pat = cell % len(body) + body + b'\nendstream'
    return page_doc(b'/Pattern cs /P1 scn 0 0 200 200 re f', b'<< /Pattern << /P1 5 0 R >> >>',
                    [pat])


def form_bomb(depth=13, fanout=4):
    """Object 5 + i is form X<i>; X<i> draws X<i+1> FANOUT times, the last a square."""
    forms = []
    for i in range(depth + 1):
        if i < depth:
            body = b' '.join(b'/X Do' for _ in range(fanout))
            res = b'/Resources << /XObject << /X %d 0 R >> >> ' % (6 + i)
        else:
            body, res = b'0 0 1 1 re f', b''
        forms.append(stream(body, b'/Type /XObject /Subtype /Form /BBox [0 0 200 200] ' + res))
    return page_doc(b'/X Do', b'<< /XObject << /X 5 0 R >> >>', forms)


# --- a TrueType font with marked hinting tables ------------------------------

def _sfnt_tables(data):
    num = struct.unpack('>H', data[4:6])[0]
    tables = {}
    for i in range(num):
        tag, _, off, length = struct.unpack('>4sIII', data[12 + 16 * i:28 + 16 * i])
        tables[tag] = data[off:off + length]
    return tables


def _checksum(data):
    data += b'\0' * (-len(data) % 4)
    return sum(struct.unpack('>%dI' % (len(data) // 4), data)) & 0xffffffff


def sfnt_build(tables):
    """An sfnt (TrueType) file of TABLES (tag -> bytes), directory sorted."""
    tags = sorted(tables)
    out = struct.pack('>IHHHH', 0x00010000, len(tags), 0, 0, 0)
    off = 12 + 16 * len(tags)
    body = b''
    for tag in tags:
        data = tables[tag]
        out += struct.pack('>4sIII', tag, _checksum(data), off + len(body), len(data))
        body += data + b'\0' * (-len(data) % 4)
    return out + body


def system_truetype():
    """A monospaced TrueType (glyf) font of the system and the width of its
    Latin letters in PDF glyph units: DejaVu Sans Mono, or IPA Gothic."""
    for path, width in (('/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf', 602),
                        ('/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf', 500),
                        ('/usr/share/fonts/truetype/fonts-japanese-gothic.ttf', 500)):
        if os.path.exists(path):
            return open(path, 'rb').read(), width
    raise SystemExit('hostile_pdf: no TrueType font found (fonts-dejavu-core)')


def marked_font(marker):
    """The system font with MARKER planted in fpgm, prep and cvt (fpgm and prep
    start with a harmless program: PUSHB[0] 0, POP), and in an unknown table."""
    tables = _sfnt_tables(system_truetype()[0])
    program = b'\xb0\x00\x21'   # PUSHB[0] 0; POP
    tables[b'fpgm'] = program + marker
    tables[b'prep'] = program + marker
    tables[b'cvt '] = tables.get(b'cvt ', b'') + marker + b'\0' * (len(marker) % 2)
    tables[b'zzzz'] = marker
    return sfnt_build(tables)


def font_hinting(marker, text=b'Hinting tables stripped'):
    """A page of TEXT in marked_font(MARKER), embedded as FontFile2."""
    font = marked_font(marker)
    ff = stream(zlib.compress(font), b'/Length1 %d /Filter /FlateDecode ' % len(font))
    widths = b' '.join(b'%d' % system_truetype()[1] for _ in range(32, 127))
    objs = [b'<< /Type /Font /Subtype /TrueType /BaseFont /Marked /FirstChar 32 /LastChar 126 '
            b'/Widths [' + widths + b'] /Encoding /WinAnsiEncoding /FontDescriptor 6 0 R >>',
            b'<< /Type /FontDescriptor /FontName /Marked /Flags 32 /FontBBox [0 -250 1000 900] '
            b'/ItalicAngle 0 /Ascent 900 /Descent -250 /CapHeight 700 /StemV 80 '
            b'/FontFile2 7 0 R >>',
            ff]
    return page_doc(b'BT /F1 12 Tf 10 100 Td (' + text + b') Tj ET',
                    b'<< /Font << /F1 5 0 R >> >>', objs, size=b'300 200')


SAMPLES = {
    'giant_flate': giant_flate,
    'giant_ccitt': giant_ccitt,
    'type3_loop': type3_loop,
    'pattern_loop': pattern_loop,
    'form_bomb': form_bomb,
    'font_hinting': lambda: font_hinting(b'MUGAI-HINTING-MARKER'),
}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, gen in SAMPLES.items():
        with open(os.path.join(sys.argv[1], name + '.pdf'), 'wb') as f:
            f.write(gen())


if __name__ == '__main__':
    main()
