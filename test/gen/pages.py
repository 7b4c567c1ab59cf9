"""Images of several pages (issue 13, item 8): a TIFF fax of N pages, each an
uncompressed 8-bit grey image file directory of its own, written by hand."""
import struct


def multipage_tiff(pages=3, width=32, height=16):
    """A little-endian TIFF of PAGES pages; page i is filled with grey 60*i."""
    out = bytearray(b'II*\x00' + struct.pack('<I', 0))
    first = True
    for i in range(pages):
        strip = bytes([(60 * (i + 1)) % 256]) * (width * height)
        strip_at = len(out)
        out += strip
        if len(out) % 2:
            out += b'\x00'
        ifd_at = len(out)
        tags = [(256, 3, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                (273, 4, strip_at), (277, 3, 1), (278, 3, height), (279, 4, len(strip))]
        out += struct.pack('<H', len(tags))
        for tag, kind, value in tags:
            out += struct.pack('<HHI', tag, kind, 1)
            out += struct.pack('<HH', value, 0) if kind == 3 else struct.pack('<I', value)
        next_at = len(out)
        out += struct.pack('<I', 0)
        if first:
            struct.pack_into('<I', out, 4, ifd_at)
            first = False
        else:
            struct.pack_into('<I', out, prev_next, ifd_at)
        prev_next = next_at
    return bytes(out)


def emf(width=100, height=50):
    """A minimal Enhanced Metafile: its header record and EMR_EOF (a drawing
    of nothing, as a formula or diagram picture's container)."""
    eof = struct.pack('<IIIII', 14, 20, 0, 16, 20)
    total = 88 + len(eof)
    head = struct.pack('<II4i4iIIIIHHIIIii ii'.replace(' ', ''), 1, 88, 0, 0, width, height,
                       0, 0, width * 26, height * 26, 0x464D4520, 0x10000, total, 2, 1, 0,
                       0, 0, 0, 1024, 768, 320, 240)
    return head + eof


def emf_drawing(width=200, height=100):
    """An Enhanced Metafile that draws a red rectangle over its whole frame
    (WIDTH x HEIGHT logical units, 0.01 mm each in the frame): a header,
    a solid brush selected, the rectangle, EMR_EOF."""
    def rec(kind, data):
        return struct.pack('<II', kind, 8 + len(data)) + data
    brush = rec(39, struct.pack('<IIII', 1, 0, 0x000000FF, 0))       # CREATEBRUSHINDIRECT
    select = rec(37, struct.pack('<I', 1))                            # SELECTOBJECT
    rect = rec(43, struct.pack('<4i', 0, 0, width, height))           # RECTANGLE
    eof = rec(14, struct.pack('<III', 0, 16, 20))
    body = brush + select + rect + eof
    total = 88 + len(body)
    head = struct.pack('<II4i4iIIIIHHIIIii ii'.replace(' ', ''), 1, 88, 0, 0, width, height,
                       0, 0, width * 26, height * 26, 0x464D4520, 0x10000, total, 5, 2, 0,
                       0, 0, 0, 1024, 768, 320, 240)
    return head + body
