"""Byte-level builders of archives for the archive and `mugai files` tests.

Formats no installed tool writes (LZH, CAB, RAR) are written here by hand in
their simplest form (stored members); ZIPs with CP932 names and no UTF-8 flag,
zip-slip names and bombs are built with zipfile so that every byte is known.
Everything is deterministic: fixed timestamps, no randomness.
"""
import binascii
import io
import struct
import zipfile
import zlib

DOS_TIME = (2025, 11, 1, 9, 0, 0)


def _dos_datetime(t=DOS_TIME):
    y, mo, d, h, mi, s = t
    return ((y - 1980) << 9 | mo << 5 | d), (h << 11 | mi << 5 | s // 2)


# --- ZIP ----------------------------------------------------------------------

class _RawNameInfo(zipfile.ZipInfo):
    """A ZipInfo whose name is written as given bytes (cp932 or any escape
    attempt) without the UTF-8 flag (bit 11), as Japanese Windows writes it."""
    raw_name = None

    def _encodeFilenameFlags(self):
        return self.raw_name, self.flag_bits & ~0x800


def zip_raw_names(members, method=zipfile.ZIP_DEFLATED):
    """members: list of (name bytes, data). Names are stored verbatim."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', method) as z:
        for raw, data in members:
            info = _RawNameInfo(raw.decode('latin-1'), date_time=DOS_TIME)
            info.raw_name = raw
            info.compress_type = method
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def zip_cp932(members):
    """members: list of (str name, data); names stored as CP932, no UTF-8 flag."""
    return zip_raw_names([(n.encode('cp932'), d) for n, d in members])


def zip_symlink(name, target, extra=()):
    """A ZIP holding a Unix symbolic link NAME -> TARGET (and EXTRA members)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name, date_time=DOS_TIME)
        info.create_system = 3
        info.external_attr = (0o120777 << 16)
        z.writestr(info, target)
        for n, d in extra:
            z.writestr(zipfile.ZipInfo(n, date_time=DOS_TIME), d)
    return buf.getvalue()


def _deflate_zeros(size, chunk=1 << 20):
    """Raw deflate of SIZE zero bytes (a multiple of CHUNK) and its CRC-32,
    fast: after a full flush every chunk of zeros deflates to the same bytes."""
    assert size % chunk == 0
    zero = bytes(chunk)
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    block = co.compress(zero) + co.flush(zlib.Z_FULL_FLUSH)
    assert co.compress(zero) + co.flush(zlib.Z_FULL_FLUSH) == block
    crc = 0
    for _ in range(size // chunk):
        crc = zlib.crc32(zero, crc)
    return block, size // chunk, co.flush(zlib.Z_FINISH), crc


def zip_zeros_file(path, size, name='zeros.bin'):
    """Write to PATH a ZIP64 whose one member NAME is SIZE zero bytes (4 GiB of
    zeros deflate to about 4 MiB), streaming: never held in memory."""
    block, count, tail, crc = _deflate_zeros(size)
    csize = len(block) * count + len(tail)
    date, time = _dos_datetime()
    raw = name.encode()
    z64 = struct.pack('<HHQQ', 1, 16, size, csize)
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, time, date, crc,
                            0xffffffff, 0xffffffff, len(raw), len(z64)) + raw + z64)
        for _ in range(count):
            f.write(block)
        f.write(tail)
        cd_at = f.tell()
        cd = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 8, time, date, crc,
                         0xffffffff, 0xffffffff, len(raw), len(z64), 0, 0, 0, 0o644 << 16,
                         0) + raw + z64
        f.write(cd)
        eocd64_at = f.tell()
        f.write(struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, 1, 1, len(cd), cd_at))
        f.write(struct.pack('<IIQI', 0x07064b50, 0, eocd64_at, 1))
        f.write(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(cd),
                            min(cd_at, 0xffffffff), 0))


def gzip_zeros(size):
    """A gzip stream of SIZE zero bytes (no name, no size to read in advance:
    only unpacking tells how big it is). 4 GiB become about 4 MiB."""
    block, count, tail, crc = _deflate_zeros(size)
    head = b'\x1f\x8b\x08\x00' + struct.pack('<I', 0) + b'\x00\x03'
    return head + block * count + tail + struct.pack('<II', crc, size & 0xffffffff)


def zip_nested_bomb(levels=4, fanout=16, leaf_size=64 << 20):
    """A 42.zip-like bomb: LEVELS of deflated zips, each holding FANOUT copies
    of the level below; the leaves are LEAF_SIZE zero bytes (4 levels of 16:
    4 TiB unpacked from a few hundred KiB)."""
    data = zip_raw_names([(b'0.bin', bytes(leaf_size))])
    for level in range(levels):
        data = zip_raw_names([(b'%d-%d.zip' % (level, i), data) for i in range(fanout)])
    return data


def zip_nest(name, data, depth):
    """DATA as NAME inside DEPTH zips (each named level-N.zip inside the next)."""
    for level in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr(zipfile.ZipInfo(name, date_time=DOS_TIME), data)
        data = buf.getvalue()
        name = 'level-%d.zip' % (level + 1)
    return data


# --- LZH (LHa) --------------------------------------------------------------

def _crc16(data):
    """CRC-16/ARC, as LHa computes it."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _lzh_level0(name, data):
    date, time = _dos_datetime()
    body = (b'-lh0-' + struct.pack('<IIHHBB', len(data), len(data), time, date, 0x20, 0) +
            bytes([len(name)]) + name + struct.pack('<H', _crc16(data)))
    return bytes([len(body), sum(body) & 0xff]) + body + data


def _lzh_level2(name, data):
    ext_name = bytes([0x01]) + name
    ext_crc = bytes([0x00, 0, 0, 0])             # header CRC, filled in below
    exts = struct.pack('<H', len(ext_crc) + 2) + ext_crc
    exts += struct.pack('<H', len(ext_name) + 2) + ext_name
    head = bytearray(struct.pack('<H', 0) + b'-lh0-' +
                     struct.pack('<IIIBBHB', len(data), len(data), 1761987600, 0x20, 2,
                                 _crc16(data), ord('M')))
    head += exts + struct.pack('<H', 0)
    head_len = len(head)
    if head_len & 0xff == 0:                     # LHa pads such headers by one byte
        head += b'\x00'
        head_len += 1
    struct.pack_into('<H', head, 0, head_len)
    crc_at = 24 + 2 + 1
    struct.pack_into('<H', head, crc_at, _crc16(bytes(head)))
    return bytes(head) + data


def make_lzh(members, level=0, charset='cp932'):
    """members: list of (str name, data); stored (-lh0-), header LEVEL 0 or 2,
    names in CHARSET (LHa for Windows writes CP932; '\\' separates folders)."""
    put = _lzh_level0 if level == 0 else _lzh_level2
    out = b''.join(put(n.replace('/', '\\').encode(charset), d) for n, d in members)
    return out + b'\x00'


# --- CAB and RAR ------------------------------------------------------------

def make_cab(members):
    """A Microsoft cabinet, one folder, no compression (stored CFDATA blocks),
    UTF-8 names (attribute 0x80)."""
    date, time = _dos_datetime()
    blob = b''.join(d for _, d in members)
    files, offset = b'', 0
    for n, d in members:
        files += struct.pack('<IIHHHH', len(d), offset, 0, date, time, 0xa0) + n.encode() + b'\0'
        offset += len(d)
    blocks = [blob[i:i + 32768] for i in range(0, len(blob), 32768)] or [b'']
    data = b''.join(struct.pack('<IHH', 0, len(x), len(x)) + x for x in blocks)
    head_len, folder_len = 36, 8
    data_at = head_len + folder_len + len(files)
    total = data_at + len(data)
    head = b'MSCF' + struct.pack('<IIIIIBBHHHHH', 0, total, 0, head_len + folder_len, 0, 3, 1,
                                 1, len(members), 0, 0, 0)
    folder = struct.pack('<IHH', data_at, len(blocks), 0)
    return head + folder + files + data


def _rar_block(kind, flags, body):
    head = struct.pack('<BHH', kind, flags, 7 + len(body)) + body
    return struct.pack('<H', binascii.crc32(head) & 0xffff) + head


def make_rar(members, charset='cp932'):
    """A RAR 4 archive of stored members (method 0x30), names in the OEM
    CHARSET without the Unicode flag, as WinRAR on Japanese Windows writes them."""
    out = b'Rar!\x1a\x07\x00' + _rar_block(0x73, 0, b'\0' * 6)
    date, time = _dos_datetime()
    for n, d in members:
        name = n.encode(charset)
        body = struct.pack('<IIBIIBBHI', len(d), len(d), 2, binascii.crc32(d), time | date << 16,
                           20, 0x30, len(name), 0x20) + name
        out += _rar_block(0x74, 0x8000, body) + d
    return out + _rar_block(0x7b, 0x4000, b'')


def zip_many_empty(n, prefix='e'):
    """A ZIP of N empty stored members ("e000001"...): 100,000 make 9 MB whose
    central directory alone makes ClamAV's zip reader take quadratic time."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        for i in range(n):
            z.writestr(zipfile.ZipInfo('%s%06d' % (prefix, i), date_time=DOS_TIME), b'')
    return buf.getvalue()
