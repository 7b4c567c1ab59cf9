"""Japanese encoders as real senders write them.

Python's iso2022_jp codec refuses the CP932 extensions that Outlook sends, so
ISO-2022-JP is produced here the Microsoft way (CP50220/CP50221): encode to
CP932, then turn each two-byte Shift_JIS code into its JIS row/cell.
"""
import base64
import urllib.parse

ESC_ASCII = b'\x1b(B'
ESC_KANJI = b'\x1b$B'
ESC_KANA = b'\x1b(I'


def sjis_to_jis(s1, s2):
    j1 = ((s1 - 0x71) if s1 <= 0x9f else (s1 - 0xb1)) * 2 + 1
    if s2 > 0x7f:
        s2 -= 1
    if s2 >= 0x9e:
        j1 += 1
        j2 = s2 - 0x7d
    else:
        j2 = s2 - 0x1f
    return j1, j2


def jis_to_sjis(j1, j2):
    s1 = ((j1 + 1) >> 1) + (0x70 if j1 <= 0x5e else 0xb0)
    if j1 & 1:
        s2 = j2 + (0x1f if j2 <= 0x5f else 0x20)
    else:
        s2 = j2 + 0x7e
    return s1, s2


def _nec_selected():
    """char -> CP932 code in the NEC rows (0x81-0xEF), for IBM-extension chars."""
    m = {}
    for s1 in list(range(0x81, 0xa0)) + list(range(0xe0, 0xf0)):
        for s2 in list(range(0x40, 0x7f)) + list(range(0x80, 0xfd)):
            try:
                c = bytes([s1, s2]).decode('cp932')
            except UnicodeDecodeError:
                continue
            m.setdefault(c, bytes([s1, s2]))
    return m


_NEC = None


def _cp932_jisable(ch):
    global _NEC
    code = ch.encode('cp932')
    if len(code) == 2 and code[0] >= 0xf0:
        if _NEC is None:
            _NEC = _nec_selected()
        code = _NEC[ch]
    return code


def iso2022jp(text, kana='esc_i'):
    """Encode TEXT as ISO-2022-JP with CP932 extensions (CP50220/50221).
    Half-width kana: 'esc_i' (ESC ( I, CP50221), 'so_si' (SO/SI inside ESC ( B),
    or 'fullwidth' (CP50220 converts them)."""
    import unicodedata
    out = bytearray()
    mode = 'ascii'
    shifted = False
    for ch in text:
        if kana == 'fullwidth' and 0xff61 <= ord(ch) <= 0xff9f:
            ch = unicodedata.normalize('NFKC', ch)
            if len(ch) != 1:
                raise ValueError('kana composition')
        code = _cp932_jisable(ch)
        if len(code) == 1 and code[0] < 0x80:
            if shifted:
                out += b'\x0f'
                shifted = False
            if mode != 'ascii':
                out += ESC_ASCII
                mode = 'ascii'
            out += code
        elif len(code) == 1:  # half-width kana 0xA1-0xDF
            if kana == 'so_si':
                if mode != 'ascii':
                    out += ESC_ASCII
                    mode = 'ascii'
                if not shifted:
                    out += b'\x0e'
                    shifted = True
                out.append(code[0] - 0x80)
            else:
                if mode != 'kana':
                    out += ESC_KANA
                    mode = 'kana'
                out.append(code[0] - 0x80)
        else:
            if shifted:
                out += b'\x0f'
                shifted = False
            if mode != 'kanji':
                out += ESC_KANJI
                mode = 'kanji'
            out += bytes(sjis_to_jis(code[0], code[1]))
    if shifted:
        out += b'\x0f'
    if mode != 'ascii':
        out += ESC_ASCII
    return bytes(out)


def iso2022jp_lines(text, kana='esc_i'):
    """Encode line by line (each line returns to ASCII before its newline, as
    RFC 1468 requires)."""
    return b'\n'.join(iso2022jp(line, kana) for line in text.split('\n'))


def _ibm_codes():
    m = {}
    for s1 in (0xfa, 0xfb, 0xfc):
        for s2 in list(range(0x40, 0x7f)) + list(range(0x80, 0xfd)):
            try:
                c = bytes([s1, s2]).decode('cp932')
            except UnicodeDecodeError:
                continue
            m.setdefault(c, bytes([s1, s2]))
    return m


def cp932_ibm(text):
    """Encode TEXT in CP932, writing IBM extension codes (0xFA40-0xFC4B) where
    the character has one (as IBM-derived software does) instead of the
    NEC-selected ones Python prefers."""
    ibm = _ibm_codes()
    return b''.join(ibm.get(ch) or ch.encode('cp932') for ch in text)


def encoded_word(data, charset, enc='B'):
    if enc == 'B':
        return b'=?' + charset.encode() + b'?B?' + base64.b64encode(data) + b'?='
    q = ''.join(chr(c) if (0x21 <= c < 0x7f and c not in b'=?_ ') else '=%02X' % c for c in data)
    return b'=?' + charset.encode() + b'?Q?' + q.encode() + b'?='


def split_words(data, charset, cut, enc='B'):
    """Two encoded-words of one charset, the bytes cut at CUT (which may fall in
    the middle of a character)."""
    return encoded_word(data[:cut], charset, enc) + b' ' + encoded_word(data[cut:], charset, enc)


def rfc2231(name, text, charset='UTF-8', pieces=1):
    """NAME*=charset''%XX... or, with PIECES > 1, continuations NAME*0*=...;
    NAME*1*=... cut at byte boundaries (possibly mid-character)."""
    data = text.encode(charset.lower().replace('iso-2022-jp', 'cp932')) if isinstance(text, str) else text
    if charset.lower() == 'iso-2022-jp' and isinstance(text, str):
        data = iso2022jp(text)
    pct = urllib.parse.quote_from_bytes(data, safe='')
    if pieces == 1:
        return f"{name}*={charset}''{pct}".encode()
    n = len(data)
    cuts = [n * i // pieces for i in range(pieces + 1)]
    segs = []
    for i in range(pieces):
        seg = urllib.parse.quote_from_bytes(data[cuts[i]:cuts[i + 1]], safe='')
        segs.append(f"{name}*{i}*={charset}''{seg}" if i == 0 else f'{name}*{i}*={seg}')
    return '; '.join(segs).encode()
