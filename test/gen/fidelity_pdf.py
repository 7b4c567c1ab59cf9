#!/usr/bin/env python3
"""PDFs as scanners, form designers and Japanese office software write them,
for what the PDF rebuild must keep (issue 13, items 4-7):

  ocr_scan      a scanned page (a JPEG) under an invisible text layer
                (render mode 3), as a searchable scan stores its OCR
  cid_no_unicode  Japanese text in a CID font (Adobe-Japan1, Identity-H and
                Identity-V) with no ToUnicode map
  hairlines     ruled lines of width 0 (the thinnest the device can draw),
                0.1, 0.25, 0.5 and 0.75 points
  jpeg_heavy    three pages, each a photo-like JPEG
  ccitt_page    a 1-bit image stored CCITT G4 (Ghostscript's pdfwrite)
  ligatures     English text set with the fi and fl ligature glyphs (as TeX
                writes it), no ToUnicode
  hidden_hard   invisible text (render mode 3) the text layer finds hard to
                carry: mirrored, a character of no width, a character
                the Japanese layer font has no glyph for

The JPEGs are drawn by Ghostscript (installed with the test tools).

Usage: fidelity_pdf.py DIR  -- writes every sample as DIR/NAME.pdf
"""
import os
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mime import pdf_file  # noqa: E402

OCR_WORDS = 'Searchable scan OCRLAYER municipal'
JP_TEXT = '住民票の写し交付申請書'


def stream(data, extra=b''):
    return b'<< /Length %d %s>>\nstream\n%s\nendstream' % (len(data), extra, data)


def jpeg(width, height, seed=1, quality=75):
    """A photo-like JPEG (gradients and overlapping circles) of WIDTH x HEIGHT pixels."""
    ps = ['%!PS']
    ps.append('0 1 %d { dup %d div 0.3 0.6 setrgbcolor 0 exch %d 1 rectfill } for'
              % (height, height, width))
    x = seed * 7919
    for _ in range(40):
        x = (x * 1103515245 + 12345) % 2 ** 31
        cx, cy, r = x % width, (x >> 8) % height, 5 + (x >> 16) % (width // 4)
        ps.append('%f %f %f setrgbcolor %d %d %d 0 360 arc fill' % (
            (x % 97) / 97, (x % 89) / 89, (x % 83) / 83, cx, cy, r))
    ps.append('showpage')
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, 'in.ps'), os.path.join(tmp, 'out.jpg')
        with open(src, 'w') as f:
            f.write('\n'.join(ps) + '\n')
        subprocess.run(['gs', '-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=jpeg',
                        '-dJPEGQ=%d' % quality, '-r72', '-g%dx%d' % (width, height),
                        '-o', out, src], check=True,
                       stdout=subprocess.DEVNULL, timeout=120)
        with open(out, 'rb') as f:
            return f.read()


def jpeg_xobject(data, width, height):
    return stream(data, b'/Type /XObject /Subtype /Image /Width %d /Height %d '
                  b'/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode '
                  % (width, height))


def pages_doc(contents, resources, extra_objs=(), size=b'595 842'):
    """One page per content stream, all with RESOURCES; objects after the
    pages are EXTRA_OBJS, numbered from 3 + 2 * len(contents)."""
    n = len(contents)
    kids = b' '.join(b'%d 0 R' % (3 + 2 * i) for i in range(n))
    objs = [b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [' + kids + b'] /Count %d >>' % n]
    for i, c in enumerate(contents):
        objs.append(b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ' + size + b'] /Contents '
                    b'%d 0 R /Resources ' % (4 + 2 * i) + resources + b' >>')
        objs.append(stream(c))
    return pdf_file(objs + list(extra_objs), header=b'%PDF-1.4\n')


def ocr_scan():
    """A JPEG page (object 5) with the OCR words in render mode 3 on top."""
    img = jpeg(400, 560)
    content = (b'q 595 0 0 842 0 0 cm /Im1 Do Q\n'
               b'BT 3 Tr /F1 24 Tf 60 700 Td (' + OCR_WORDS.encode() + b') Tj ET\n')
    return pages_doc([content], b'<< /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >>',
                     [jpeg_xobject(img, 400, 560),
                      b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'])


def _cid_font(encoding):
    return (b'<< /Type /Font /Subtype /Type0 /BaseFont /Ryumin-Light /Encoding /' + encoding +
            b' /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /Ryumin-Light '
            b'/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> '
            b'/FontDescriptor << /Type /FontDescriptor /FontName /Ryumin-Light /Flags 6 '
            b'/FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 '
            b'/CapHeight 709 /StemV 69 >> >>] >>')


def cid_no_unicode():
    """JP_TEXT horizontal (Identity-H) and vertical (Identity-V), CIDs of
    Adobe-Japan1 found through the UniJIS-UCS2-H CMap of poppler-data."""
    cids = b''.join(b'%04X' % c for c in japan1_cids(JP_TEXT))
    content = (b'BT /F1 20 Tf 40 760 Td <' + cids + b'> Tj ET\n'
               b'BT /F2 20 Tf 500 700 Td <' + cids + b'> Tj ET\n')
    return pages_doc([content], b'<< /Font << /F1 5 0 R /F2 6 0 R >> >>',
                     [_cid_font(b'Identity-H'), _cid_font(b'Identity-V')])


def japan1_cids(text):
    """Adobe-Japan1 CIDs of TEXT from poppler-data's UniJIS-UCS2-H CMap."""
    path = '/usr/share/poppler/cMap/Adobe-Japan1/UniJIS-UCS2-H'
    table = {}
    with open(path, 'rb') as f:
        mode = None
        for line in f:
            line = line.strip()
            if line.endswith(b'begincidrange'):
                mode = 'range'
            elif line.endswith(b'begincidchar'):
                mode = 'char'
            elif line.startswith(b'end'):
                mode = None
            elif mode == 'range':
                a, b, c = line.split()
                lo, hi = int(a[1:-1], 16), int(b[1:-1], 16)
                for u in range(lo, hi + 1):
                    table[u] = int(c) + u - lo
            elif mode == 'char':
                a, c = line.split()
                table[int(a[1:-1], 16)] = int(c)
    return [table[ord(ch)] for ch in text]


HAIRLINE_WIDTHS = (0, 0.1, 0.25, 0.5, 0.75)


def hairlines():
    """Horizontal ruled lines, ten of each width in HAIRLINE_WIDTHS."""
    ops = []
    y = 800
    for w in HAIRLINE_WIDTHS:
        ops.append('%g w' % w)
        for _ in range(10):
            ops.append('50 %d m 545 %d l S' % (y, y))
            y -= 14
        y -= 10
    return pages_doc([' '.join(ops).encode()], b'<< >>')


def jpeg_heavy(pages=3):
    imgs = [jpeg_xobject(jpeg(800, 1100, seed=i + 1), 800, 1100) for i in range(pages)]
    first = 3 + 2 * pages
    xobjs = b' '.join(b'/Im%d %d 0 R' % (i, first + i) for i in range(pages))
    contents = [b'q 595 0 0 842 0 0 cm /Im%d Do Q' % i for i in range(pages)]
    return pages_doc(contents, b'<< /XObject << ' + xobjs + b' >> >>', imgs)





def ccitt_page():
    """A page whose only image is 1-bit, stored CCITT G4 (as Ghostscript's
    pdfwrite stores monochrome images, and as fax software does)."""
    ps = ('%!PS\n<< /PageSize [300 300] >> setpagedevice\n'
          '50 50 translate 200 200 scale\n'
          '512 512 1 [512 0 0 512 0 0] {<' + 'FF00F0F00F0F0F0F' * 8 + '>} image\nshowpage\n')
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, 'in.ps'), os.path.join(tmp, 'out.pdf')
        with open(src, 'w') as f:
            f.write(ps)
        subprocess.run(['gs', '-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pdfwrite',
                        '-dCompressPages=false', '-o', out, src], check=True,
                       stdout=subprocess.DEVNULL, timeout=120)
        with open(out, 'rb') as f:
            return f.read()





def cid_embedded_no_unicode():
    """JP_TEXT in an embedded CIDFontType2 (Identity-H, Adobe-Japan1, no
    ToUnicode), as Japanese word processors write subset fonts: poppler's
    text extraction reads the text through the Adobe-Japan1 collection.
    The glyphs are those of the system's monospaced TrueType font (the CIDs
    map to its glyphs 36 onwards): what is tested is the text, not its look."""
    import hostile_pdf
    font = hostile_pdf.system_truetype()[0]
    cids = japan1_cids(JP_TEXT)
    gids = bytearray(2 * (max(cids) + 1))
    for i, c in enumerate(cids):
        gids[2 * c:2 * c + 2] = (36 + i).to_bytes(2, 'big')
    hexcids = b''.join(b'%04X' % c for c in cids)
    content = b'BT /F1 24 Tf 40 760 Td <' + hexcids + b'> Tj ET\n'
    z = zlib.compress(font)
    objs = [b'<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+JPMincho /Encoding /Identity-H '
            b'/DescendantFonts [6 0 R] >>',
            b'<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+JPMincho '
            b'/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 6 >> '
            b'/FontDescriptor 7 0 R /DW 1000 /CIDToGIDMap 9 0 R >>',
            b'<< /Type /FontDescriptor /FontName /ABCDEF+JPMincho /Flags 4 '
            b'/FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 '
            b'/CapHeight 709 /StemV 69 /FontFile2 8 0 R >>',
            stream(z, b'/Length1 %d /Filter /FlateDecode ' % len(font)),
            stream(zlib.compress(bytes(gids)), b'/Filter /FlateDecode ')]
    return pages_doc([content], b'<< /Font << /F1 5 0 R >> >>', objs)


LIGATURE_TEXT = 'find the flow'


def ligatures():
    """LIGATURE_TEXT in Times-Roman with codes 1 and 2 named /fi and /fl
    (Differences), no ToUnicode: poppler reads "fi" and "fl" from the input,
    while cairo's ToUnicode map gives the glyphs as U+FB01 and U+FB02."""
    content = b'BT /F1 24 Tf 60 700 Td (\x01nd the \x02ow) Tj ET\n'
    return pages_doc([content], b'<< /Font << /F1 5 0 R >> >>',
                     [b'<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding '
                      b'<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /fi /fl] '
                      b'>> >>'])


HIDDEN_HARD = 'INVISIBLE\u0915\u200bX'
HIDDEN_MIRRORED = 'MIRROR'


def hidden_hard():
    """HIDDEN_HARD and, mirrored (a text matrix of -1 0 0 1), HIDDEN_MIRRORED
    in render mode 3, in Helvetica whose ToUnicode maps code 1 to U+0915
    (Devanagari KA, which IPAGothic lacks) and code 2, of width 0, to U+200B
    (zero width space)."""
    cmap = (b'/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n'
            b'/CMapName /Hard def /CMapType 2 def\n'
            b'1 begincodespacerange <00> <FF> endcodespacerange\n'
            b'2 beginbfchar <01> <0915> <02> <200B> endbfchar\n'
            b'1 beginbfrange <41> <5A> <0041> endbfrange\n'
            b'endcmap CMapName currentdict /CMap defineresource pop end end\n')
    widths = b' '.join(b'0' if c == 2 else b'600' for c in range(1, 91))
    content = (b'BT 3 Tr /F1 24 Tf 60 700 Td (INVISIBLE\x01\x02X) Tj ET\n'
               b'BT 3 Tr /F1 24 Tf -1 0 0 1 400 600 Tm (' + HIDDEN_MIRRORED.encode() + b') Tj ET\n')
    return pages_doc([content], b'<< /Font << /F1 5 0 R >> >>',
                     [b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 1 '
                      b'/LastChar 90 /Widths [' + widths + b'] /ToUnicode 6 0 R >>',
                      stream(cmap)])


SAMPLES = {'ocr_scan': ocr_scan, 'cid_no_unicode': cid_no_unicode, 'hairlines': hairlines,
           'jpeg_heavy': jpeg_heavy, 'ccitt_page': ccitt_page,
           'cid_embedded_no_unicode': cid_embedded_no_unicode, 'hidden_hard': hidden_hard,
           'ligatures': ligatures}

if __name__ == '__main__':
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, make in SAMPLES.items():
        with open(os.path.join(sys.argv[1], name + '.pdf'), 'wb') as f:
            f.write(make())
