"""Office packages zipped the ways real tools zip them (issue 13, item 1-2).

Office writes [Content_Types].xml first and no folder entries; other tools do
not: `zip -r` writes a folder entry before the files of each folder, some
writers put docProps/ first, streaming writers use data descriptors (sizes
after the data), and some put [Content_Types].xml last. Readers find the
parts through the central directory whatever the order. Each function takes
a package (bytes, as test/gen/office.py makes it) and returns it repacked.
"""
import io
import os
import shutil
import subprocess
import tempfile
import zipfile


def parts_of(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(n, z.read(n)) for n in z.namelist()]


def _write(parts, stream, dirs=False):
    with zipfile.ZipFile(stream, 'w', zipfile.ZIP_DEFLATED) as z:
        seen = set()
        for name, data in parts:
            folder = name.rsplit('/', 1)[0] + '/' if '/' in name else ''
            if dirs and folder and folder not in seen:
                seen.add(folder)
                z.writestr(zipfile.ZipInfo(folder, date_time=(2025, 11, 1, 9, 0, 0)), b'')
            info = zipfile.ZipInfo(name, date_time=(2025, 11, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


PROPS = [
    ('docProps/app.xml', b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="'
     b'http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
     b'<Application>Microsoft Office Word</Application></Properties>'),
    ('docProps/core.xml', b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
     b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
     b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>mugai</dc:creator>'
     b'</cp:coreProperties>'),
    ('docProps/custom.xml', b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="'
     b'http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'),
]


def with_props(data):
    """The package with docProps/ (app, core, custom), as Office writes it."""
    out = []
    for name, body in parts_of(data):
        if name == '[Content_Types].xml':
            body = body.replace(b'</Types>', b''.join(
                b'<Override PartName="/%s" ContentType="%s"/>' % (n.encode(), t) for n, t in [
                    ('docProps/app.xml', b'application/vnd.openxmlformats-officedocument.extended-properties+xml'),
                    ('docProps/core.xml', b'application/vnd.openxmlformats-package.core-properties+xml'),
                    ('docProps/custom.xml', b'application/vnd.openxmlformats-officedocument.custom-properties+xml')])
                + b'</Types>')
        if name == '_rels/.rels':
            body = body.replace(b'</Relationships>', (
                b'<Relationship Id="rIdP1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/extended-properties" Target="docProps/app.xml"/>'
                b'<Relationship Id="rIdP2" Type="http://schemas.openxmlformats.org/package/2006/'
                b'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                b'<Relationship Id="rIdP3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>'))
        out.append((name, body))
    return out + PROPS


def zip_r(data):
    """The package (with docProps/) unpacked to a folder and zipped again with
    `zip -r` over the folder's names as a shell lists them (C locale):
    [Content_Types].xml, _rels/, docProps/, then the document's folder, each
    folder entry before its files."""
    tmp = tempfile.mkdtemp(prefix='mugai-zipr-')
    try:
        src = os.path.join(tmp, 'src')
        for name, body in with_props(data):
            path = os.path.join(src, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(body)
        out = os.path.join(tmp, 'out.zip')
        names = sorted(os.listdir(src), key=lambda n: n.encode())
        subprocess.run(['zip', '-q', '-r', '-X', '-nw', out] + names, cwd=src, check=True)
        with open(out, 'rb') as f:
            return f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def docprops_first(data):
    """docProps/ (app, core, custom) the first entries, with folder entries."""
    parts = with_props(data)
    props = [p for p in parts if p[0].startswith('docProps/')]
    buf = io.BytesIO()
    _write(props + [p for p in parts if not p[0].startswith('docProps/')], buf, dirs=True)
    return buf.getvalue()


class _Unseekable(io.RawIOBase):
    """A write-only stream without seek: zipfile then writes data descriptors."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def streamed(data):
    """Every entry streamed: general purpose flag bit 3, sizes in a data
    descriptor after the data, zero in the local header; docProps/ right
    after [Content_Types].xml."""
    parts = with_props(data)
    order = ([p for p in parts if p[0] == '[Content_Types].xml']
             + [p for p in parts if p[0].startswith('docProps/')]
             + [p for p in parts if p[0] != '[Content_Types].xml' and not p[0].startswith('docProps/')])
    out = _Unseekable()
    _write(order, out)
    return bytes(out.buf)


def content_types_last(data, thumbnail=None):
    """[Content_Types].xml the last entry. With THUMBNAIL, as
    OverlappingRelations.pptx of Apache POI has it: the parts, then
    docProps/thumbnail.jpeg, then [Content_Types].xml (libmagic calls it a
    plain ZIP); without, after docProps/ and the parts."""
    parts = parts_of(data) if thumbnail is not None else with_props(data)
    first = [p for p in parts if p[0] != '[Content_Types].xml']
    last = [p for p in parts if p[0] == '[Content_Types].xml']
    if thumbnail is not None:
        first.append(('docProps/thumbnail.jpeg', thumbnail))
    buf = io.BytesIO()
    _write(first + last, buf)
    return buf.getvalue()


def padded(data, pad=b'\0' * 64):
    """PAD between the entries (as some writers align entries), the central
    directory recording where each entry really starts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, body in with_props(data):
            info = zipfile.ZipInfo(name, date_time=(2025, 11, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
            buf.write(pad)
            z.start_dir = buf.tell()
    return buf.getvalue()


def bad_crc(data, name):
    """The package with the checksum (CRC-32) of entry NAME wrong, in its local
    header and in the central directory, its data intact: as in Apache POI's
    fuzzed file whose theme part has a wrong CRC, which LibreOffice opens."""
    import struct
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    crc = struct.pack('<I', info.CRC ^ 0xFFFFFFFF)
    assert out[info.header_offset:info.header_offset + 4] == b'PK\x03\x04'
    out[info.header_offset + 14:info.header_offset + 18] = crc
    at = out.find(b'PK\x01\x02')
    while at >= 0:
        length = struct.unpack_from('<H', out, at + 28)[0]
        if out[at + 46:at + 46 + length] == name.encode():
            out[at + 16:at + 20] = crc
        at = out.find(b'PK\x01\x02', at + 4)
    return bytes(out)
