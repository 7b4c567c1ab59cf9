"""Byte-level builders for test messages.

Hostile messages must be written byte for byte (Python's email package would
"fix" exactly the constructs we want to test), so everything here works on
bytes and joins lines with LF unless told otherwise.
"""
import base64
import binascii
import gzip
import hashlib
import io
import struct
import zipfile
import zlib

EICAR = (b'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*')
assert len(EICAR) == 68

FROM = 'sender@example.co.jp'
TO = 'somu@city.example.lg.jp'


def b(s):
    return s if isinstance(s, bytes) else s.encode('utf-8')


def marker(name, n=48):
    """A distinctive, deterministic byte string for case NAME: an ASCII tag
    followed by high-entropy bytes (so base64 and raw forms are unmistakable)."""
    h = hashlib.sha256(b(name)).digest()
    rnd = b''
    while len(rnd) < n:
        h = hashlib.sha256(h).digest()
        rnd += h
    return b'MUGAI-PAYLOAD-' + hashlib.sha1(b(name)).hexdigest()[:16].encode() + b'-' + rnd[:n]


def make_pe(name):
    """A small but well-formed PE32 executable (libmagic: 'PE32 executable')
    carrying marker(name) in its .text section. Not a virus."""
    mk = marker(name)
    dos = bytearray(64)
    dos[0:2] = b'MZ'
    struct.pack_into('<I', dos, 0x3c, 0x80)
    stub = b'\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$'
    stub = stub.ljust(0x80 - 64, b'\x00')
    coff = b'PE\x00\x00' + struct.pack('<HHIIIHH', 0x14c, 1, 0x5f000000, 0, 0, 224, 0x0102)
    opt = bytearray(224)
    struct.pack_into('<HBBIIIIII', opt, 0, 0x10b, 14, 0, 0x200, 0, 0, 0x1000, 0x1000, 0x2000)
    struct.pack_into('<IIIHHHHHHIIIIHHIIIIII', opt, 28, 0x400000, 0x1000, 0x200, 6, 0, 0, 0,
                     6, 0, 0, 0x3000, 0x200, 0, 3, 0, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    sect = struct.pack('<8sIIIIIIHHI', b'.text', 0x1000, 0x1000, 0x200, 0x200, 0, 0, 0, 0,
                       0x60000020)
    head = bytes(dos) + stub + coff + bytes(opt) + sect
    head = head.ljust(0x200, b'\x00')
    text = (b'\xc3' + mk).ljust(0x200, b'\x90')
    return head + text


def make_png(name, text_chunk=True):
    """A 4x4 RGB PNG; with a tEXt chunk holding marker(name) (metadata that
    re-encoding must drop)."""
    def chunk(typ, data):
        return struct.pack('>I', len(data)) + typ + data + struct.pack('>I', zlib.crc32(typ + data))
    raw = b''.join(b'\x00' + b''.join(bytes([x * 60, y * 60, 128]) for x in range(4)) for y in range(4))
    out = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 4, 4, 8, 2, 0, 0, 0))
    if text_chunk:
        out += chunk(b'tEXt', b'Comment\x00' + marker(name))
    out += chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
    return out


def pdf_file(objects, trailer=b'', header=b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'):
    """A PDF of OBJECTS (bodies of objects 1..n) with a classic xref table;
    TRAILER is added to the trailer dictionary."""
    out = header
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    out += b''.join(b'%010d 00000 n \n' % o for o in offsets)
    out += b'trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n' % (
        len(objects) + 1, trailer + b' ' if trailer else b'', xref)
    return out


def make_pdf(name):
    """A one-page PDF with an /OpenAction JavaScript holding marker(name)."""
    js = marker(name).hex().encode()
    objs = [b'<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
            b'<< /S /JavaScript /JS (app.alert\\("' + js + b'"\\)) >>']
    return pdf_file(objs, header=b'%PDF-1.4\n')


def make_docm(name):
    """A minimal macro-enabled Word package whose vbaProject.bin holds marker(name)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr = _fixed_time(z)
        z.writestr('[Content_Types].xml',
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
                   '</Types>')
        z.writestr('_rels/.rels',
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   '</Relationships>')
        z.writestr('word/document.xml',
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   '<w:body><w:p><w:r><w:t>見積書</w:t></w:r></w:p></w:body></w:document>')
        z.writestr('word/_rels/document.xml.rels',
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                   '</Relationships>')
        z.writestr('word/vbaProject.bin', b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + marker(name))
    return buf.getvalue()


def _fixed_time(z):
    """z.writestr with a fixed timestamp, so generated files are reproducible."""
    def writestr(name, data):
        info = zipfile.ZipInfo(name, date_time=(2025, 11, 1, 9, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zipfile.ZipFile.writestr(z, info, data)
    return writestr


def make_zip(members):
    """members: list of (name, bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        put = _fixed_time(z)
        for n, data in members:
            put(n, data)
    return buf.getvalue()


def make_gzip(data):
    return gzip.compress(data, mtime=0)


# --- transfer encodings -------------------------------------------------------

def b64(data, width=76):
    s = base64.b64encode(data)
    return b'\n'.join(s[i:i + width] for i in range(0, len(s), width)) + b'\n'


def qp(data):
    return binascii.b2a_qp(data)


def uuencode(data, name='file.bin', mode='644'):
    out = b'begin %s %s\n' % (b(mode), b(name))
    for i in range(0, len(data), 45):
        out += binascii.b2a_uu(data[i:i + 45], backtick=True)
    return out + b'`\nend\n'


def yencode(data, name='file.bin', line=128):
    out = b'=ybegin line=%d size=%d name=%s\n' % (line, len(data), b(name))
    cur = bytearray()
    for byte in data:
        c = (byte + 42) % 256
        if c in (0, 10, 13, 61) or (not cur and c in (9, 32, 46)):
            cur += b'=' + bytes([(c + 64) % 256])
        else:
            cur.append(c)
        if len(cur) >= line:
            out += bytes(cur) + b'\n'
            cur = bytearray()
    if cur:
        out += bytes(cur) + b'\n'
    return out + b'=yend size=%d crc32=%08x\n' % (len(data), zlib.crc32(data))


_HQX = b'!"#$%&\'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr'


def binhex(data, name='file.bin'):
    """BinHex 4.0 (no run-length compression; 0x90 escaped as 0x90 0x00)."""
    nm = b(name)[:63]
    hdr = bytes([len(nm)]) + nm + b'\x00' + b'APPL' + b'????' + b'\x00\x00' + struct.pack('>II', len(data), 0)
    def crc(x):
        return struct.pack('>H', binascii.crc_hqx(x, 0))  # BinHex: CRC-CCITT of the bytes themselves (as clam.exe.binhex)
    stream = hdr + crc(hdr) + data + crc(data) + b'' + crc(b'')
    stream = stream.replace(b'\x90', b'\x90\x00')
    bits = ''.join(f'{c:08b}' for c in stream)
    bits += '0' * (-len(bits) % 6)
    enc = bytes(_HQX[int(bits[i:i + 6], 2)] for i in range(0, len(bits), 6))
    body = b':' + enc + b':'
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return b'(This file must be converted with BinHex 4.0)\n' + b'\n'.join(lines) + b'\n'


# --- messages -----------------------------------------------------------------

def top_headers(name, subject=None, mime=True, extra=()):
    """The usual top-level headers for case NAME, plus a hostile X- header that
    must never reach the output."""
    subject = subject if subject is not None else 'test ' + name
    hs = [b'From: =?UTF-8?B?' + base64.b64encode('差出人'.encode()) + b'?= <' + b(FROM) + b'>',
          b'To: ' + b(TO),
          b'Subject: ' + b(subject),
          b'Date: Sat, 22 Nov 2025 10:00:00 +0900',
          b'Message-ID: <' + b(name).replace(b' ', b'-') + b'@gen.mugai.test>',
          b'X-Hostile: ' + b'do-not-forward-' + b(name).replace(b' ', b'-'),
          b'Received: from evil.example (evil.example [192.0.2.1]) by mx.example.jp']
    if mime:
        hs.append(b'MIME-Version: 1.0')
    return hs + [b(x) for x in extra]


def part(headers, body):
    """A MIME entity: header lines, blank line, body (bytes)."""
    return b'\n'.join(b(h) for h in headers) + b'\n\n' + b(body)


def multipart(boundary, parts, preamble=b'', epilogue=b'', close=True):
    bd = b(boundary)
    out = b(preamble)
    for p in parts:
        if not out.endswith(b'\n') and out:
            out += b'\n'
        out += b'--' + bd + b'\n' + p
    if close:
        if not out.endswith(b'\n'):
            out += b'\n'
        out += b'--' + bd + b'--\n' + b(epilogue)
    return out


def message(headers, body):
    return part(headers, body)


def text_part(text, charset='utf-8', cte='base64', extra=()):
    data = text.encode(charset) if isinstance(text, str) else text
    body = b64(data) if cte == 'base64' else (qp(data) + b'\n' if cte == 'quoted-printable' else data)
    return part([b'Content-Type: text/plain; charset=' + b(charset),
                 b'Content-Transfer-Encoding: ' + b(cte)] + [b(x) for x in extra], body)


def attachment(data, ctype='application/octet-stream', filename=None, cte='base64',
               disposition='attachment', extra=()):
    hs = []
    ct = b'Content-Type: ' + b(ctype)
    if filename is not None:
        ct += b'; name="' + b(filename) + b'"'
    hs.append(ct)
    if disposition:
        d = b'Content-Disposition: ' + b(disposition)
        if filename is not None:
            d += b'; filename="' + b(filename) + b'"'
        hs.append(d)
    hs.append(b'Content-Transfer-Encoding: ' + b(cte))
    hs += [b(x) for x in extra]
    body = b64(data) if cte == 'base64' else data
    return part(hs, body)


def mixed(name, parts, boundary=None, subject=None, extra=()):
    """A whole multipart/mixed message."""
    bd = boundary or ('=_mugai_' + hashlib.sha1(b(name)).hexdigest()[:12])
    hs = top_headers(name, subject) + [b'Content-Type: multipart/mixed; boundary="' + b(bd) + b'"']
    return message(hs + [b(x) for x in extra], multipart(bd, parts))


def crlf(data):
    return data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
