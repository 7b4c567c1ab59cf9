#!/usr/bin/env python3
"""Rebuilt attachments through the real `mugai mail` (THREATS 37-44, 57-59):
a hostile PDF arrives rebuilt (pdftotext still reads its page text, Japanese
included; no JavaScript, action, annotation or embedded file in its bytes or
its inflated streams), a PDF that needs a password withholds the message, an
EICAR embedded in a PDF is found by the scan; a PNG with a text chunk and a
ZIP after IEND arrives without either, a GIF arrives as PNG, and an image
whose header declares 100000 x 100000 pixels is removed with a limit.
"""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import (EICAR, Suite, assert_absent, assert_text, check,  # noqa: E402
                       check_sanitised, check_withheld, run_mail)
from mime import attachment, make_png, marker, mixed, pdf_file, text_part  # noqa: E402
import images  # noqa: E402  (test/gen)

S = Suite('cdr')

FORBIDDEN = [b'/JavaScript', b'/JS', b'/OpenAction', b'/AA', b'/Launch', b'/URI',
             b'/EmbeddedFile', b'/EmbeddedFiles', b'/XFA', b'/AcroForm', b'/Annots',
             b'/SubmitForm', b'/GoToR', b'/RichMedia', b'/Filespec', b'/Names']


# --- PDF written by hand ----------------------------------------------------------

def stream(data, extra=b''):
    return b'<< /Length %d %s >>\nstream\n' % (len(data), extra) + data + b'\nendstream'


# 見積書の本文 in UCS-2, shown in a Japanese font that is not embedded.
JA_TEXT = '見積書の本文'
JA_HEX = JA_TEXT.encode('utf-16-be').hex().upper().encode()


def hostile_pdf(name, embedded=b'benign attachment'):
    """One A4 page with English and Japanese text; an /OpenAction script, a page
    /AA, a file:// link, a /Launch link and an embedded file carry the payload."""
    mk = marker(name).hex().encode()
    content = (b'BT /F1 20 Tf 50 750 Td (VISIBLE-CDR-' + name.encode() + b') Tj ET\n'
               b'BT /F2 24 Tf 50 700 Td <' + JA_HEX + b'> Tj ET')
    return pdf_file([
        b'<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\("'
        + mk + b'"\\)) >> /Names << /EmbeddedFiles << /Names [(payload.exe) 9 0 R] >> >> >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R '
        b'/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Annots [8 0 R 11 0 R] '
        b'/AA << /O << /S /JavaScript /JS (' + mk + b') >> >> >>',
        stream(content),
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        b'<< /Type /Font /Subtype /Type0 /BaseFont /Ryumin-Light /Encoding /UniJIS-UCS2-H '
        b'/DescendantFonts [7 0 R] >>',
        b'<< /Type /Font /Subtype /CIDFontType0 /BaseFont /Ryumin-Light /CIDSystemInfo '
        b'<< /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor '
        b'<< /Type /FontDescriptor /FontName /Ryumin-Light /Flags 6 /FontBBox [0 -141 1000 859] '
        b'/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 709 /StemV 69 >> >>',
        b'<< /Type /Annot /Subtype /Link /F 4 /Rect [50 740 400 780] /Border [0 0 0] '
        b'/A << /S /URI /URI (file://attacker.example/share/' + mk + b') >> >>',
        b'<< /Type /Filespec /F (payload.exe) /EF << /F 10 0 R >> >>',
        stream(embedded, b'/Type /EmbeddedFile'),
        b'<< /Type /Annot /Subtype /Link /F 4 /Rect [50 690 400 730] '
        b'/A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c ' + mk + b') >> >> >>',
    ])


PAD = bytes.fromhex('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A')


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xff
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for c in data:
        i = (i + 1) & 0xff
        j = (j + s[i]) & 0xff
        s[i], s[j] = s[j], s[i]
        out.append(c ^ s[(s[i] + s[j]) & 0xff])
    return bytes(out)


def encrypted_pdf(user, owner):
    """One page encrypted by the standard security handler, revision 2."""
    doc_id = b'mugai-cdr-test-1'
    pu = (user.encode() + PAD)[:32]
    po = (owner.encode() + PAD)[:32]
    o = rc4(hashlib.md5(po).digest()[:5], pu)
    key = hashlib.md5(pu + o + struct.pack('<i', -4) + doc_id).digest()[:5]
    u = rc4(key, PAD)
    content = rc4(hashlib.md5(key + b'\x04\x00\x00\x00\x00').digest()[:10],
                  b'BT /F1 20 Tf 50 750 Td (VISIBLE-LOCKED) Tj ET')
    return pdf_file([
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R '
        b'/Resources << /Font << /F1 5 0 R >> >> >>',
        stream(content),
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        b'<< /Filter /Standard /V 1 /R 2 /O <' + o.hex().encode() + b'> /U <'
        + u.hex().encode() + b'> /P -4 >>',
    ], b'/Encrypt 6 0 R /ID [<%s> <%s>]' % (doc_id.hex().encode(), doc_id.hex().encode()))


# --- looking at a PDF -------------------------------------------------------------

def inflated_streams(pdf):
    out = []
    for m in re.finditer(rb'stream\r?\n', pdf):
        end = pdf.find(b'endstream', m.end())
        if end < 0:
            break
        try:
            out.append(zlib.decompressobj().decompress(pdf[m.end():end]))
        except zlib.error:
            pass
    return out


def decoded_names(data):
    return re.sub(rb'#([0-9A-Fa-f]{2})', lambda x: bytes([int(x.group(1), 16)]), data)


def check_no_active_names(pdf):
    """No active name in PDF, its inflated streams, or its qpdf --qdf form."""
    hay = [decoded_names(pdf)] + [decoded_names(s) for s in inflated_streams(pdf)]
    if shutil.which('qpdf'):
        qdf = subprocess.run(['qpdf', '--qdf', '--object-streams=disable', '-', '-'],
                             input=pdf, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        hay.append(decoded_names(qdf.stdout))
    for h in hay:
        for name in FORBIDDEN:
            check(not re.search(re.escape(name) + rb'(?![A-Za-z0-9#_.+-])', h),
                  'the rebuilt PDF holds %s' % name.decode())


def pdftotext(pdf):
    with tempfile.NamedTemporaryFile(suffix='.pdf') as f:
        f.write(pdf)
        f.flush()
        p = subprocess.run(['pdftotext', '-enc', 'UTF-8', f.name, '-'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    check(p.returncode == 0, 'pdftotext failed on the rebuilt PDF: %r' % p.stderr[:200])
    return p.stdout.decode('utf-8')


def leaf(res, ctype):
    found = [p for p in res.leaves() if p.get_content_type() == ctype]
    check(len(found) == 1, 'expected one %s part, got %r' % (
        ctype, [(p.get_content_type(), p.get_filename()) for p in res.leaves()]))
    return found[0]


def mail(name, data, ctype, filename):
    return mixed(name, [text_part('本文です。%s\n' % name),
                        attachment(data, ctype, filename)])


# --- cases ----------------------------------------------------------------------

@S.case
def test_hostile_pdf_rebuilt(name='hostile_pdf_rebuilt'):
    res = check_sanitised(run_mail(mail(name, hostile_pdf(name), 'application/octet-stream',
                                        '見積書.pdf')))
    p = leaf(res, 'application/pdf')
    check(p.get_filename() == '見積書.pdf', 'output name %r' % p.get_filename())
    pdf = p.get_payload(decode=True)
    check(pdf.startswith(b'%PDF-'), 'the PDF part is not a PDF')
    check_no_active_names(pdf)
    text = pdftotext(pdf)
    check('VISIBLE-CDR-' + name in text, 'page text lost: %r' % text[:200])
    check(JA_TEXT in text, 'Japanese page text lost: %r' % text[:200])
    mk = marker(name)
    assert_absent(res, mk, [mk.hex()], name='JavaScript payload')
    assert_absent(res, b'benign attachment', name='embedded file')
    part = res.find_part(filename='見積書.pdf')
    check(part is not None and part.get('action') == 'converted',
          'report part %r' % part)
    check('rebuilt' in (part.get('reason') or ''), 'reason %r' % part.get('reason'))
    assert_text(res, '本文です。' + name, res.body())


@S.case
def test_raster_mode(name='raster_mode'):
    res = check_sanitised(run_mail(mail(name, hostile_pdf(name), 'application/pdf', 'a.pdf'),
                                   conf={'pdf': {'mode': 'raster', 'raster_dpi': '100'}}))
    pdf = leaf(res, 'application/pdf').get_payload(decode=True)
    check_no_active_names(pdf)
    check(b'/Font' not in pdf, 'a raster PDF carries a font')
    check('VISIBLE-CDR' not in pdftotext(pdf), 'a raster PDF carries text')
    check(b'/Subtype /Image' in pdf, 'no page image in the raster PDF')


@S.case
def test_user_password_withheld(name='user_password_withheld'):
    res = run_mail(mail(name, encrypted_pdf('secret', 'owner'), 'application/pdf', '秘密.pdf'))
    check_withheld(res, reason_re=r'encrypt|暗号')
    assert_absent(res, encrypted_pdf('secret', 'owner')[-400:-60], name='the encrypted PDF')


@S.case
def test_owner_password_rebuilt(name='owner_password_rebuilt'):
    res = check_sanitised(run_mail(mail(name, encrypted_pdf('', 'owner'), 'application/pdf',
                                        'locked.pdf')))
    pdf = leaf(res, 'application/pdf').get_payload(decode=True)
    check(b'/Encrypt' not in pdf, 'the rebuilt PDF is still encrypted')
    check('VISIBLE-LOCKED' in pdftotext(pdf), 'page text lost')


@S.case
def test_eicar_embedded_in_pdf(name='eicar_embedded_in_pdf'):
    res = run_mail(mail(name, hostile_pdf(name, EICAR), 'application/pdf', '請求書.pdf'))
    check_withheld(res, virus=True)
    assert_absent(res, EICAR, name='EICAR')


def png_with_zip(name):
    png = make_png(name)
    tail = b'PK\x03\x04' + b'\x14\x00' + b'\x00' * 20 + b'evil.exe' + marker(name + '-zip')
    return png + tail


@S.case
def test_png_trailing_zip(name='png_trailing_zip'):
    res = check_sanitised(run_mail(mail(name, png_with_zip(name), 'image/png', '写真.png')))
    png = leaf(res, 'image/png').get_payload(decode=True)
    check(png.endswith(b'IEND\xaeB`\x82'), 'the PNG does not end at IEND')
    check(b'PK\x03\x04' not in png, 'the ZIP tail survived')
    check(b'tEXt' not in png, 'the text chunk survived')
    assert_absent(res, marker(name), name='tEXt payload')
    assert_absent(res, marker(name + '-zip'), name='ZIP payload')
    w, h = struct.unpack('>II', png[16:24])
    check((w, h) == (4, 4), 'dimensions %dx%d, expected 4x4' % (w, h))


@S.case
def test_gif_becomes_png(name='gif_becomes_png'):
    gif = (b'GIF89a\x02\x00\x02\x00\x80\x00\x00\xff\x00\x00\x00\x00\xff'
           b'\x21\xfe\x07COMMENT\x00'
           b',\x00\x00\x00\x00\x02\x00\x02\x00\x00\x02\x03D\x02\x05\x00;')
    res = check_sanitised(run_mail(mail(name, gif, 'image/gif', 'anim.gif')))
    p = leaf(res, 'image/png')
    check(p.get_filename() == 'anim.png', 'output name %r' % p.get_filename())
    check(b'COMMENT' not in p.get_payload(decode=True), 'the GIF comment survived')


@S.case
def test_image_bomb_removed(name='image_bomb_removed'):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    bomb = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 100000, 100000, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(b'\x00' * 1000)) + chunk(b'IEND', b''))
    res = check_sanitised(run_mail(mail(name, bomb, 'image/png', 'bomb.png')))
    part = res.find_part(filename='bomb.png')
    check(part is not None and part.get('action') == 'removed', 'report part %r' % part)
    check(re.search(r'limit|上限', (part.get('reason') or '') + (part.get('detail') or '')),
          'reason %r' % part)
    check(not [p for p in res.leaves() if p.get_content_maintype() == 'image'],
          'an image part was delivered')


@S.case
def test_message_pixel_budget(name='message_pixel_budget'):
    """Many large images in one mail: [image] max_message_pixels lets the
    first ones through and removes (and holds) the rest before they are
    scanned or decoded, with the key's name; the text and the message pass.
    (The red team's 50 PNGs of 8192 x 8192 held a worker for the whole job
    timeout; here 12 of 2048 x 2048 and a budget of 4 of them.)"""
    pngs = [attachment(images.flat_png(2048, 2048, shade=i), 'image/png', 'scan%02d.png' % i)
            for i in range(12)]
    res = check_sanitised(run_mail(mixed(name, [text_part('本文です。%s\n' % name)] + pngs),
                                   conf={'image': {'max_message_pixels': str(4 * 2048 * 2048)}}))
    check('本文です。' in res.body(), 'the text did not arrive')
    parts = [p for p in res.parts() if (p.get('filename') or '').startswith('scan')]
    kept = [p for p in parts if p.get('action') == 'converted']
    removed = [p for p in parts if p.get('action') == 'removed']
    check(len(kept) == 4 and len(removed) == 8, 'converted %d, removed %d: %r' % (
        len(kept), len(removed), [(p.get('filename'), p.get('action'), p.get('detail')) for p in parts]))
    for p in removed:
        check('max_message_pixels' in (p.get('detail') or ''), 'detail %r' % p.get('detail'))
    delivered = [p for p in res.leaves() if p.get_content_type() == 'image/png']
    check(len(delivered) == 4, 'delivered %d PNGs' % len(delivered))


if __name__ == '__main__':
    S.main()
