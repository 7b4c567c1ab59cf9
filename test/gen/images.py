"""Builders of images that cost work, not bytes: large flat PNGs (a few KB
that decode to millions of pixels, as a camera-free scan or screenshot of
the red team's "50 ordinary 8192x8192 PNGs" mail did). Deterministic; no
image library needed.
"""
import struct
import zlib


def _chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))


def flat_png(width, height, shade=0):
    """A WIDTH x HEIGHT greyscale PNG of one SHADE, deflated at level 9."""
    row = b'\x00' + bytes([shade]) * width
    comp = zlib.compressobj(9)
    idat = b''.join(comp.compress(row) for _ in range(height)) + comp.flush()
    return (b'\x89PNG\r\n\x1a\n' + _chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
            + _chunk(b'IDAT', idat) + _chunk(b'IEND', b''))
