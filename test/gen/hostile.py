"""Generators of hostile messages, one per construct of THREATS.md.

Each gen_* returns a Gen: the message bytes, the payload whose decoded bytes
must never reach the output, the Japanese sentinel text of the legitimate body
(present in the output when the message is sanitised, absent when withheld),
and extra encoded forms of the payload to look for.
"""
import base64
import hashlib

import jp
from mime import (EICAR, attachment, b, b64, binhex, make_gzip, make_pe, make_png, marker,
                  message, multipart, part, text_part, top_headers, uuencode, yencode)


class Gen:
    def __init__(self, name, data, payload=None, text=None, forms=(), filename=None):
        self.name = name
        self.data = data
        self.payload = payload
        self.text = text
        self.forms = list(forms)
        self.filename = filename
        self.sha256 = hashlib.sha256(payload).hexdigest() if payload is not None else None


def sentinel(name):
    return '市役所総務課への連絡【%s】①髙﨑' % name


def body_part(name):
    return text_part(sentinel(name) + '\nよろしくお願いいたします。\n')


def pe_part(name, filename='請求書.pdf', ctype='application/pdf'):
    return attachment(make_pe(name), ctype, filename)


def _msg(name, ctype_lines, body, mime=True, subject=None):
    return message(top_headers(name, subject, mime) + [b(x) for x in ctype_lines], body)


def _two_readings(name, first, second):
    """A body readable with boundary FIRST (one text part) or SECOND (a text
    part and a payload part)."""
    pe = make_pe(name)
    body = (b'--' + b(first) + b'\n' + body_part(name) +
            b'--' + b(second) + b'\n' +
            attachment(pe, 'application/octet-stream', 'x.exe') +
            b'--' + b(second) + b'--\n--' + b(first) + b'--\n')
    return body, pe


# --- 1-6: boundaries and Content-Type ---------------------------------------

def gen_duplicate_content_type(name):
    body, pe = _two_readings(name, 'AAA', 'BBB')
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"',
                                 'Content-Type: multipart/mixed; boundary="BBB"'], body),
               pe, sentinel(name))


def gen_boundary_twice(name):
    body, pe = _two_readings(name, 'AAA', 'BBB')
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"; boundary="BBB"'],
                          body), pe, sentinel(name))


def gen_boundary_empty(name):
    pe = make_pe(name)
    body = multipart('', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary=""'], body),
               pe, sentinel(name))


def gen_boundary_rfc2231(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ["Content-Type: multipart/mixed; boundary*=us-ascii''AAA"], body),
               pe, sentinel(name))


def gen_boundary_rfc2231_continuation(name):
    pe = make_pe(name)
    body = multipart('AAAB', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary*0="AA"; boundary*1="AB"'],
                          body), pe, sentinel(name))


def gen_boundary_rfc2047(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="=?us-ascii?Q?AAA?="'],
                          body), pe, sentinel(name))


def gen_comment_in_header_name(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type(x): multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_comment_in_boundary(name):
    body, pe = _two_readings(name, '(x)AAA', 'AAA')
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary=(x)AAA'], body),
               pe, sentinel(name))


def _junk_delimiter(name, declared, written):
    """Declared boundary DECLARED; the payload part is introduced by a line
    --WRITTEN that only a lenient (prefix-matching) parser takes as a delimiter."""
    pe = make_pe(name)
    body = (b'--' + b(declared) + b'\n' + body_part(name) +
            b'--' + b(written) + b'\n' + attachment(pe, 'application/octet-stream', 'x.exe') +
            b'--' + b(declared) + b'--\n')
    return body, pe


def gen_delimiter_trailing_junk(name):
    body, pe = _junk_delimiter(name, 'AAA', 'AAAjunk')
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_delimiter_quoted(name):
    pe = make_pe(name)
    body = multipart('"AAA"', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_delimiter_semicolon(name):
    body, pe = _junk_delimiter(name, 'AAA', 'AAA;x')
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary=AAA;x'], body),
               pe, sentinel(name))


def gen_boundary_in_disposition(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"',
                                 'Content-Disposition: inline; boundary="BBB"'], body),
               pe, sentinel(name))


def _nested_boundary(name, outer, inner):
    pe = make_pe(name)
    inner_body = multipart(inner, [text_part('代替テキスト'),
                                   attachment(pe, 'application/octet-stream', 'x.exe')])
    inner_part = part(['Content-Type: multipart/mixed; boundary="' + inner + '"'], inner_body)
    body = multipart(outer, [body_part(name), inner_part])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="' + outer + '"'], body),
               pe, sentinel(name))


def gen_inner_boundary_equal(name):
    return _nested_boundary(name, 'OUTER', 'OUTER')


def gen_inner_boundary_prefix(name):
    return _nested_boundary(name, 'OUTER', 'OUT')


def gen_inner_boundary_extension(name):
    return _nested_boundary(name, 'OUTER', 'OUTER-2')


# --- 7-9: truncation, preamble, headers --------------------------------------

def gen_missing_final_boundary(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)], close=False)
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_truncated_part(name):
    pe = make_pe(name)
    enc = b64(pe).split(b'\n')
    cut = b'\n'.join(enc[:12]) + b'\n'  # 12 lines of 57 bytes: past the marker
    att = part(['Content-Type: application/octet-stream; name="x.exe"',
                'Content-Disposition: attachment; filename="x.exe"',
                'Content-Transfer-Encoding: base64'], cut)
    body = b'--AAA\n' + body_part(name) + b'--AAA\n' + att
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe[:684], sentinel(name))


def gen_preamble_part(name):
    pe = make_pe(name)
    pre = (b'This is a multi-part message in MIME format.\n--FAKE\n' +
           attachment(pe, 'application/octet-stream', 'x.exe') + b'--FAKE--\n')
    body = multipart('AAA', [body_part(name)], preamble=pre)
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_epilogue_blob(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name)], epilogue=b64(pe))
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_preamble_eicar(name):
    body = multipart('AAA', [body_part(name)], preamble=EICAR + b'\n')
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               EICAR, sentinel(name))


def gen_epilogue_eicar_base64(name):
    body = multipart('AAA', [body_part(name)], epilogue=b64(EICAR))
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               EICAR, sentinel(name))


def gen_multipart_without_boundary(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed'], body), pe, sentinel(name))


def gen_part_without_headers(name):
    pe = make_pe(name)
    body = (b'--AAA\n' + body_part(name) + b'--AAA\n' + b64(pe) + b'--AAA--\n')
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_blank_looking_separator(name):
    """A whitespace-only line between headers and body: a folded header to
    RFC 5322, the end of the headers to lenient parsers."""
    pe = make_pe(name)
    sneaky = (b'Content-Type: text/plain; charset=us-ascii\n \t\n'
              b'Content-Type: application/octet-stream; name="x.exe"\n'
              b'Content-Transfer-Encoding: base64\n\n' + b64(pe))
    body = b'--AAA\n' + body_part(name) + b'--AAA\n' + sneaky + b'--AAA--\n'
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


# --- 10: limits -------------------------------------------------------------

def gen_nesting_200(name):
    depth = 200
    inner = body_part(name)
    for i in range(depth, 0, -1):
        bd = 'n%03d' % i
        inner = part(['Content-Type: multipart/mixed; boundary="%s"' % bd], multipart(bd, [inner]))
    hdrs, body = inner.split(b'\n\n', 1)
    return Gen(name, _msg(name, [hdrs], body), None, sentinel(name))


def gen_parts_1000(name):
    parts = [body_part(name)] + [text_part('添付 %d\n' % i, cte='8bit',
                                           extra=['Content-Disposition: attachment; filename="p%04d.txt"' % i])
                                 for i in range(999)]
    body = multipart('AAA', parts)
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               None, sentinel(name))


def gen_header_100k(name):
    subject = 'S' + 'x' * 100 * 1024
    hs = top_headers(name, subject) + [b'Content-Type: text/plain; charset=utf-8',
                                       b'Content-Transfer-Encoding: 8bit']
    return Gen(name, message(hs, (sentinel(name) + '\n').encode()), None, sentinel(name))


def gen_params_5000(name):
    params = '; '.join('p%d="v%d"' % (i, i) for i in range(5000))
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"; ' + params], body),
               pe, sentinel(name))


def gen_rfc2231_continuations_5000(name):
    pieces = '; '.join('filename*%d="a"' % i for i in range(5000))
    pe = make_pe(name)
    att = part(['Content-Type: application/octet-stream',
                'Content-Disposition: attachment; ' + pieces,
                'Content-Transfer-Encoding: base64'], b64(pe))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_unclosed_comment(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA" (unclosed ((comment'],
                          body), pe, sentinel(name))


# --- 11-13: bytes in headers, MIME-Version, smuggling ------------------------

def gen_bare_cr_header(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    hs = top_headers(name, 'invoice\rContent-Type: text/plain') + [
        b'Content-Type: multipart/mixed; boundary="AAA"']
    return Gen(name, message(hs, body), pe, sentinel(name))


def gen_nul_in_header(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    hs = top_headers(name, 'invoice\x00Content-Type: text/plain') + [
        b'Content-Type: multipart/mixed; boundary="AAA"']
    return Gen(name, message(hs, body), pe, sentinel(name))


def gen_nul_in_text(name):
    text = ('市役所\x00総務課【%s】\x00\n' % name).encode()
    hs = top_headers(name) + [b'Content-Type: text/plain; charset=utf-8',
                              b'Content-Transfer-Encoding: 8bit']
    return Gen(name, message(hs, text), None, '市役所総務課【%s】' % name)


def gen_no_mime_version(name):
    pe = make_pe(name)
    body = multipart('AAA', [body_part(name), pe_part(name)])
    hs = top_headers(name, mime=False) + [b'Content-Type: multipart/mixed; boundary="AAA"']
    return Gen(name, message(hs, body), pe, sentinel(name))


def gen_smtp_smuggling(name):
    text = (sentinel(name) + '\n.\nMAIL FROM:<ceo@city.example.lg.jp>\nRCPT TO:<all@city.example.lg.jp>\n'
            'DATA\nFrom: ceo@city.example.lg.jp\nSubject: smuggled\n\nsmuggled body\n.\n').encode()
    hs = top_headers(name) + [b'Content-Type: text/plain; charset=utf-8',
                              b'Content-Transfer-Encoding: 8bit']
    data = message(hs, text).replace(b'\n', b'\r\n').replace(b'\r\n.\r\n', b'\n.\n')
    return Gen(name, data, None, sentinel(name))


# --- 14-19: transfer encodings -----------------------------------------------

def _secret_text(name):
    return ('秘密の本文 ' + name + ' ').encode() + marker(name).hex().encode() + b'\n'


def gen_cte_duplicate(name):
    pe = make_pe(name)
    att = part(['Content-Type: application/octet-stream; name="x.exe"',
                'Content-Transfer-Encoding: base64',
                'Content-Transfer-Encoding: quoted-printable'], b64(pe))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_cte_list(name):
    pe = make_pe(name)
    att = part(['Content-Type: application/octet-stream; name="x.exe"',
                'Content-Transfer-Encoding: base64, quoted-printable'], b64(pe))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def _opaque_text(name, cte):
    """An inline text/plain part whose transfer encoding is not one of the five
    legal tokens: its content must be treated as opaque binary, never as text."""
    secret = _secret_text(name)
    p = part(['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: ' + cte],
             b64(secret))
    body = multipart('AAA', [body_part(name), p])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               secret, sentinel(name), forms=[base64.b64encode(secret)[:40]])


def gen_cte_comment(name):
    return _opaque_text(name, 'bas()e64')


def gen_cte_encoded_word(name):
    return _opaque_text(name, '=?us-ascii?Q?base64?=')


def gen_cte_x_base64(name):
    return _opaque_text(name, 'x-base64')


def _bad_b64_attachment(name, encoded):
    secret = _secret_text(name)
    att = part(['Content-Type: text/plain; charset=utf-8; name="note.txt"',
                'Content-Disposition: attachment; filename="note.txt"',
                'Content-Transfer-Encoding: base64'], encoded(secret))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               secret, sentinel(name), filename='note.txt')


def gen_base64_padding_midstream(name):
    return _bad_b64_attachment(name, lambda s: b64(s[:31]).strip() + b64(s[31:]))


def gen_base64_junk_chars(name):
    def junk(s):
        e = base64.b64encode(s)
        return b'\n'.join(e[i:i + 10] + b'!*.' for i in range(0, len(e), 10)) + b'\n'
    return _bad_b64_attachment(name, junk)


def gen_base64_odd_lines(name):
    """Valid base64 in lines of odd lengths: decodes, C."""
    data = (sentinel(name) + '\n').encode()
    e = base64.b64encode(data)
    lines, i, widths = [], 0, [13, 75, 1, 40, 7]
    while i < len(e):
        w = widths[len(lines) % len(widths)]
        lines.append(e[i:i + w])
        i += w
    hs = top_headers(name) + [b'Content-Type: text/plain; charset=utf-8',
                              b'Content-Transfer-Encoding: base64']
    return Gen(name, message(hs, b'\n'.join(lines) + b'\n'), None, sentinel(name))


def gen_qp_invalid(name):
    """Invalid escapes and soft breaks followed by spaces: decoded per RFC 2045."""
    s = sentinel(name).encode()
    enc = ''.join('=%02X' % c for c in s)
    cut = enc.index('=', len(enc) // 2)
    body = ('=E3=81=82 100=ZZ 50=4\n' + enc[:cut] + '=  \t\n' + enc[cut:] + '\nend\n').encode()
    hs = top_headers(name) + [b'Content-Type: text/plain; charset=utf-8',
                              b'Content-Transfer-Encoding: quoted-printable']
    return Gen(name, message(hs, body), None, sentinel(name))


def _encoded_attachment(name, cte, encode, payload, filename='x.dat'):
    enc = encode(payload, filename)
    att = part(['Content-Type: application/octet-stream; name="%s"' % filename,
                'Content-Disposition: attachment; filename="%s"' % filename,
                'Content-Transfer-Encoding: ' + cte], enc)
    body = multipart('AAA', [body_part(name), att])
    lines = [ln for ln in enc.split(b'\n') if len(ln) > 30]
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               payload, sentinel(name), forms=lines[1:3])


def _x_gzip64(data, _name):
    return b64(make_gzip(data))


ENCODERS = {
    'x-uuencode': lambda d, n: uuencode(d, n),
    'uue': lambda d, n: uuencode(d, n),
    'x-yencode': lambda d, n: yencode(d, n),
    'mac-binhex40': lambda d, n: binhex(d, n),
    'x-gzip64': _x_gzip64,
}


def gen_cte_encoded_pe(name, cte):
    return _encoded_attachment(name, cte, ENCODERS[cte], make_pe(name))


def gen_cte_encoded_eicar(name, cte):
    return _encoded_attachment(name, cte, ENCODERS[cte], EICAR)


BLOCKS = {
    'uuencode': lambda d, n: uuencode(d, n),
    'yenc': lambda d, n: yencode(d, n),
    'binhex': lambda d, n: binhex(d, n),
}


def gen_text_block(name, kind, payload):
    """A block of KIND inside a text/plain body, between two lines of text."""
    enc = BLOCKS[kind](payload, 'invoice.exe')
    before = sentinel(name) + '\n添付を送ります。\n\n'
    after = '\n以上、よろしくお願いいたします。\n'
    body = before.encode() + enc + after.encode()
    hs = top_headers(name) + [b'Content-Type: text/plain; charset=utf-8',
                              b'Content-Transfer-Encoding: 8bit']
    lines = [ln for ln in enc.split(b'\n') if len(ln) > 30]
    return Gen(name, message(hs, body), payload, sentinel(name), forms=lines[1:3])


# --- 20-24: names and types ---------------------------------------------------

def _named_att(name, disp_params, ct_params='', data=None):
    data = data if data is not None else make_pe(name)
    att = part(['Content-Type: application/octet-stream' + ct_params,
                'Content-Disposition: attachment; ' + disp_params,
                'Content-Transfer-Encoding: base64'], b64(data))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               data, sentinel(name))


def gen_name_filename_disagree(name):
    return _named_att(name, 'filename="report.exe"', '; name="report.pdf"')


def gen_duplicate_filename(name):
    return _named_att(name, 'filename="report.pdf"; filename="report.exe"')


def gen_plain_and_rfc2231_names(name):
    return _named_att(name, "filename=\"report.pdf\"; filename*=UTF-8''report.exe")


def gen_names_agree(name):
    """Outlook and Thunderbird write the name twice, in two forms: not a conflict."""
    fn = '見積書①.pdf'
    ew = jp.encoded_word(jp.iso2022jp(fn), 'ISO-2022-JP').decode()
    g = _named_att(name, jp.rfc2231('filename', fn).decode(), '; name="%s"' % ew)
    g.filename = fn
    return g


def _text_att(name, disp_params, ct_params='', content=None, ctype='text/plain; charset=utf-8'):
    content = content if content is not None else ('添付テキスト【%s】\n' % name).encode()
    att = part([b'Content-Type: ' + b(ctype) + b(ct_params),
                b'Content-Disposition: attachment; ' + b(disp_params),
                b'Content-Transfer-Encoding: base64'], b64(content))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               content, sentinel(name))


def gen_filename_rfc2047_quoted(name, fn):
    ew = jp.encoded_word(jp.iso2022jp(fn), 'ISO-2022-JP')
    g = _text_att(name, b'filename="' + ew + b'"', b'; name="' + ew + b'"')
    g.filename = fn
    return g


def gen_filename_rfc2047_unquoted(name, fn):
    ew = jp.encoded_word(fn.encode(), 'UTF-8')
    g = _text_att(name, b'filename=' + ew, b'; name=' + ew)
    g.filename = fn
    return g


def gen_filename_raw_sjis(name, fn):
    raw = fn.encode('cp932')
    g = _text_att(name, b'filename="' + raw + b'"', b'; name="' + raw + b'"')
    g.filename = fn
    return g


def gen_filename_raw_utf8(name, fn):
    raw = fn.encode()
    g = _text_att(name, b'filename="' + raw + b'"', b'; name="' + raw + b'"')
    g.filename = fn
    return g


def gen_filename_rfc2231(name, fn, pieces=3, charset='UTF-8'):
    g = _text_att(name, jp.rfc2231('filename', fn, charset, pieces))
    g.filename = fn
    return g


def gen_text_named(name, fn, content=None):
    """Text content under file name FN (RFC 2231 UTF-8)."""
    g = _text_att(name, jp.rfc2231('filename', fn), content=content)
    g.filename = fn
    return g


def gen_pe_declared(name, ctype, fn=None):
    pe = make_pe(name)
    if fn is None:
        att = part(['Content-Type: ' + ctype, 'Content-Transfer-Encoding: base64'], b64(pe))
    else:
        att = part(['Content-Type: ' + ctype, 'Content-Disposition: attachment; ' +
                    jp.rfc2231('filename', fn).decode(), 'Content-Transfer-Encoding: base64'], b64(pe))
    body = multipart('AAA', [body_part(name), att])
    g = Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body), pe, sentinel(name))
    g.filename = fn
    return g


def gen_inline_attachment(name):
    pe = make_pe(name)
    att = part(['Content-Type: application/octet-stream; name="x.bin"',
                'Content-Disposition: inline; filename="x.bin"',
                'Content-Transfer-Encoding: base64'], b64(pe))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_attachment_without_name(name):
    pe = make_pe(name)
    att = part(['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64'], b64(pe))
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               pe, sentinel(name))


def gen_alternative_nontext_leaf(name):
    pe = make_pe(name)
    html = part(['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
                ('<p>%s</p>\n' % sentinel(name)).encode())
    att = part(['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64'], b64(pe))
    body = multipart('ALT', [body_part(name), html, att])
    return Gen(name, _msg(name, ['Content-Type: multipart/alternative; boundary="ALT"'], body),
               pe, sentinel(name))


def gen_related_image(name):
    png = make_png(name)
    html = part(['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
                ('<p>%s</p><img src="cid:img1@x">\n' % sentinel(name)).encode())
    img = part(['Content-Type: image/png', 'Content-ID: <img1@x>', 'Content-Transfer-Encoding: base64'],
               b64(png))
    body = multipart('REL', [html, img])
    return Gen(name, _msg(name, ['Content-Type: multipart/related; boundary="REL"; type="text/html"'],
                          body), png, sentinel(name))


# --- 25-26: attached messages --------------------------------------------------

def _inner_message(name, level):
    pe = make_pe(name)
    inner_body = multipart('IN%d' % level, [text_part('内側の本文%d【%s】\n' % (level, name)),
                                           attachment(pe, 'application/pdf', 'inner.pdf')])
    hs = ['From: inner%d@example.jp' % level, 'Subject: inner %d' % level,
          'Date: Fri, 21 Nov 2025 09:00:00 +0900', 'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="IN%d"' % level]
    return message(hs, inner_body), pe


def gen_rfc822_nested(name, levels=3):
    inner, pe = _inner_message(name, levels)
    for lv in range(levels - 1, 0, -1):
        wrap = multipart('W%d' % lv, [text_part('転送%d\n' % lv),
                                      part(['Content-Type: message/rfc822'], inner)])
        inner = message(['From: fwd%d@example.jp' % lv, 'Subject: Fwd %d' % lv,
                         'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="W%d"' % lv], wrap)
    body = multipart('AAA', [body_part(name), part(['Content-Type: message/rfc822'], inner)])
    g = Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body), pe, sentinel(name))
    g.inner_text = '内側の本文%d【%s】' % (levels, name)
    return g


def gen_rfc822_base64(name):
    inner, pe = _inner_message(name, 1)
    att = part(['Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64'], b64(inner))
    body = multipart('AAA', [body_part(name), att])
    g = Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body), pe, sentinel(name))
    g.inner_text = '内側の本文1【%s】' % name
    return g


def gen_digest_default(name):
    inner, pe = _inner_message(name, 1)
    digest = multipart('DIG', [b'\n' + inner])  # no headers: message/rfc822 by default
    body = multipart('AAA', [body_part(name),
                             part(['Content-Type: multipart/digest; boundary="DIG"'], digest)])
    g = Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body), pe, sentinel(name))
    g.inner_text = '内側の本文1【%s】' % name
    return g


def gen_message_partial(name):
    inner, pe = _inner_message(name, 1)
    hs = top_headers(name) + [b'Content-Type: message/partial; id="abc@x"; number=1; total=1']
    return Gen(name, message(hs, inner), pe, '内側の本文1【%s】' % name)


def gen_message_external_body(name):
    ext = part(['Content-Type: message/external-body; access-type=URL; URL="http://evil.example/x.exe"'],
               b'Content-Type: application/octet-stream\nContent-ID: <x@y>\n\n')
    body = multipart('AAA', [body_part(name), ext])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               b'http://evil.example/x.exe', sentinel(name))


# --- 31: padding -------------------------------------------------------------

def gen_padding(name, tail, size=15 * 1024 * 1024):
    data = (b'PADDING ' * (size // 8)) + tail
    att = attachment(data, 'application/octet-stream', 'backup.bin')
    body = multipart('AAA', [body_part(name), att])
    return Gen(name, _msg(name, ['Content-Type: multipart/mixed; boundary="AAA"'], body),
               tail, sentinel(name))


# --- red team (what got through once) ---------------------------------------

def gen_worker_death(name, from_line=None):
    """A text body and two attachments; the first is RTF, which goes to the
    converter (where the test makes the worker die). FROM_LINE replaces From."""
    names = ['議事録.rtf', '名簿.csv']
    hs = top_headers(name)
    if from_line is not None:
        hs = [from_line] + [x for x in hs if not x.startswith(b'From:')]
    g = Gen(name, message(hs + [b'Content-Type: multipart/mixed; boundary="WD"'],
                          multipart('WD', [body_part(name),
                                           attachment(b'{\\rtf1\\ansi minutes}', 'application/rtf',
                                                      names[0]),
                                           attachment('氏名,所属\n山田,総務課\n'.encode(),
                                                      'text/csv', names[1])])),
            text=sentinel(name))
    g.names = names
    return g


# The red team's forged sender: an encoded word whose decoded text is a
# display name, an internal address and an opening comment, before the real
# (external) address.
FORGED_WORD = b'=?UTF-8?B?57eP5YuZ6KqyIDxzb3VtdUBjaXR5LmV4YW1wbGUubGcuanA+ICg=?='
FORGED_INTERNAL = 'soumu@city.example.lg.jp'
FORGED_REAL = 'attacker@evil.example'


def forged_address_lines(header):
    """Ways to make HEADER show the internal address: the exact red-team
    From, the same in quotes, one among others, an encoded word that is only
    the address, a full-width at sign, an ISO-2022-JP variant, and an encoded word whose
    decoded text is the red-team encoded word (a reader decodes it again)."""
    at = base64.b64encode('総務課 soumu＠city.example.lg.jp'.encode()).decode()
    lt = base64.b64encode(b'<soumu@city.example.lg.jp>').decode()
    jis = base64.b64encode('総務課 <'.encode('iso-2022-jp') + b'soumu@city.example.lg.jp>').decode()
    nested = base64.b64encode(FORGED_WORD).decode()
    h = header.encode()
    return [
        h + b': ' + FORGED_WORD + b' <' + FORGED_REAL.encode() + b'>)',
        h + b': "' + FORGED_WORD + b'" <' + FORGED_REAL.encode() + b'>',
        h + b': sato@example.co.jp, =?UTF-8?B?' + lt.encode() + b'?= <' + FORGED_REAL.encode() + b'>',
        h + b': =?UTF-8?B?' + base64.b64encode(FORGED_INTERNAL.encode()) + b'?=, ' +
        FORGED_REAL.encode(),
        h + b': =?UTF-8?B?' + at.encode() + b'?= <' + FORGED_REAL.encode() + b'>',
        h + b': =?ISO-2022-JP?B?' + jis.encode() + b'?=\n <' + FORGED_REAL.encode() + b'>',
        h + b': =?UTF-8?B?' + nested.encode() + b'?= <' + FORGED_REAL.encode() + b'>',
    ]


def gen_forged_address(name, header, line):
    """A plain message whose HEADER is LINE (one of forged_address_lines)."""
    hs = [x for x in top_headers(name) if not x.lower().startswith(header.lower().encode() + b':')]
    return Gen(name, message(hs + [line, b'Content-Type: text/plain; charset=utf-8'],
                             (sentinel(name) + '\n').encode()), text=sentinel(name))


# Base64 that is ordinary text and must arrive untouched: a PGP signature, an
# X.509 certificate, SHA-256 sums (hex is base64 alphabet) and a short token.
BENIGN_B64 = """-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

hello
-----BEGIN PGP SIGNATURE-----

iHUEABYIAB0WIQSvhZAPZc11h8IrFIrMVk2Ew/58DAUCaxUeUwAKCRDMVk2Ew/58
DMkfAQD0OEiYXtINzV9/ijQxG2kU95V+JHuzLDaEyw1pdfmcxAEA0S1IZOBpmSGO
hnP8rKbYRBjilif4x0dH+My9tXYidgg=
=Tzom
-----END PGP SIGNATURE-----

証明書を添付します。
-----BEGIN CERTIFICATE-----
MIIBXTCCAQ+gAwIBAgIUGlzCQyIjibO/DRRR6qJWHSUt4IQwBQYDK2VwMCQxEzAR
BgNVBAMMCm11Z2FpIHRlc3QxDTALBgNVBAoMBENpdHkwHhcNMjYxMjA2MDgzNzA1
WhcNMzYxMjAzMDgzNzA1WjAkMRMwEQYDVQQDDAptdWdhaSB0ZXN0MQ0wCwYDVQQK
DARDaXR5MCowBQYDK2VwAyEAHSpxvXr+U2pDjU/jPFngt+ZRKforl+oWT3hAhvGT
Ik6jUzBRMB0GA1UdDgQWBBQkiUbGd+XKuGt2P+0Xn/YlpG86YjAfBgNVHSMEGDAW
gBQkiUbGd+XKuGt2P+0Xn/YlpG86YjAPBgNVHRMBAf8EBTADAQH/MAUGAytlcANB
AO4qJhvqkokAxUc9lQXM2rG0lYZgQzLlrxGUPcW4GkvP9Sz/bYFS8FIEz2cTdOub
tGv8dKIAn8HeCnr1PnJqxgc=
-----END CERTIFICATE-----

SHA256 チェックサム:
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35
トークン: dGVzdA==
"""


def b64_lines(data, width=76):
    enc = base64.b64encode(data)
    return b'\n'.join(enc[i:i + width] for i in range(0, len(enc), width)) + b'\n'


def gen_base64_in_text(name, payload, pem=True, benign=False, ctype=None):
    """PAYLOAD as a base64 run inside a text/plain body (8bit), PEM-style
    (-----BEGIN ...-----) or as bare 76-column lines; with BENIGN, the body
    also holds BENIGN_B64. CTYPE: a multipart/mixed part instead."""
    run = b64_lines(payload)
    if pem:
        run = b'-----BEGIN CERTIFICATE-----\n' + run + b'-----END CERTIFICATE-----\n'
    text = (sentinel(name) + '\n資料を以下に貼ります。\n\n').encode() + run + \
        ('\n' + (BENIGN_B64 if benign else '') + 'よろしくお願いいたします。\n').encode()
    body_headers = [b'Content-Type: text/plain; charset=utf-8', b'Content-Transfer-Encoding: 8bit']
    if ctype == 'multipart':
        body = multipart('B64', [part(body_headers, text)])
        data = message(top_headers(name) + [b'Content-Type: multipart/mixed; boundary="B64"'], body)
    else:
        data = message(top_headers(name) + body_headers, text)
    return Gen(name, data, payload, sentinel(name))


def gen_base64_laid_out(name, payload, layout):
    """PAYLOAD as 76-column base64 lines as a reader still decodes them:
    LAYOUT 'indent' (four spaces before each line), 'quoted' ('> ' of a
    reply), 'html_pre' (an HTML body's <pre>) or 'html_br' (lines joined by
    <br> in an HTML body)."""
    lines = b64_lines(payload).decode().splitlines()
    intro = sentinel(name) + '\n資料を以下に貼ります。\n'
    ctype = b'Content-Type: text/plain; charset=utf-8'
    if layout == 'indent':
        text = intro + '\n'.join('    ' + x for x in lines)
    elif layout == 'quoted':
        text = intro + '\n'.join('> ' + x for x in lines)
    else:
        ctype = b'Content-Type: text/html; charset=utf-8'
        sep = '\n' if layout == 'html_pre' else '<br>'
        inner = sep.join(lines)
        inner = '<pre>' + inner + '</pre>' if layout == 'html_pre' else inner
        text = '<html><body><p>%s</p>%s</body></html>' % (intro.replace('\n', '<br>'), inner)
    data = message(top_headers(name) + [ctype, b'Content-Transfer-Encoding: 8bit'],
                   (text + '\nよろしくお願いいたします。\n').encode())
    return Gen(name, data, payload, sentinel(name))


# Dormant formats that readers open although they do not look like it.
# RTF as Word reads it ("{\\rt1", no "f"), with an Equation Editor object.
RT1_EQUATION = (b'{\\rt1{\\fonttbl{\\f0 MS Mincho;}}{\\object\\objemb\\objupdate'
                b'{\\*\\objclass Equation.3}{\\*\\objdata 01050000020000000b0000004571756174696f6e2e33'
                b'0000000000000000000c0000d0cf11e0a1b11ae1000000000000000000000000}}'
                b'\\par rt1-marker-dormant\\par}')


def mhtml_page(marker_text, saver='word'):
    """A web archive (.mht) with a script, as Word or Internet Explorer save
    it (SAVER 'word': MIME-Version first, which libmagic calls text/plain) or
    as Chrome does ('chrome')."""
    head = (b'From: <Saved by Blink>\nSnapshot-Content-Location: http://evil.example/\n'
            b'Subject: page\n' if saver == 'chrome' else b'')
    return (head +
            b'MIME-Version: 1.0\n'
            b'Content-Type: multipart/related;\n'
            b'\ttype="text/html";\n'
            b'\tboundary="----MultipartBoundary--mht"\n\n'
            b'------MultipartBoundary--mht\n'
            b'Content-Type: text/html\n'
            b'Content-Transfer-Encoding: quoted-printable\n'
            b'Content-Location: http://evil.example/\n\n'
            b'<html><body><p>' + marker_text.encode() + b'</p>'
            b'<script>document.location=3D"http://evil.example/x"</script></body></html>\n'
            b'------MultipartBoundary--mht--\n')


def gen_dormant(name, data, filename, ctype='text/plain'):
    """DATA attached as FILENAME, declared CTYPE, after a text body."""
    return Gen(name, message(top_headers(name) + [b'Content-Type: multipart/mixed; boundary="DF"'],
                             multipart('DF', [body_part(name), attachment(data, ctype, filename)])),
               data, sentinel(name), filename=filename)



def gen_ambiguous_eicar(name, kind):
    """A message withheld for its structure that also holds EICAR (base64,
    named eicar.com): KIND 'partial' (message/partial, which libclamav will
    not scan), 'nesting' (200 levels, past every limit) or 'bare_cr' (a bare
    CR in the Subject)."""
    eicar = attachment(EICAR, 'application/octet-stream', 'eicar.com')
    if kind == 'partial':
        inner = message([b'From: a@example.co.jp', b'Subject: inner', b'MIME-Version: 1.0',
                         b'Content-Type: multipart/mixed; boundary="IN"'],
                        multipart('IN', [body_part(name), eicar]))
        hs = top_headers(name) + [b'Content-Type: message/partial; id="p@x"; number=1; total=2']
        return Gen(name, message(hs, inner), EICAR, sentinel(name))
    if kind == 'nesting':
        inner = part(['Content-Type: multipart/mixed; boundary="n000"'],
                     multipart('n000', [body_part(name), eicar]))
        for i in range(1, 200):
            bd = 'n%03d' % i
            inner = part(['Content-Type: multipart/mixed; boundary="%s"' % bd], multipart(bd, [inner]))
        hdrs, body = inner.split(b'\n\n', 1)
        return Gen(name, _msg(name, [hdrs], body), EICAR, sentinel(name))
    hs = top_headers(name, 'invoice\rContent-Type: text/plain') + [
        b'Content-Type: multipart/mixed; boundary="AAA"']
    return Gen(name, message(hs, multipart('AAA', [body_part(name), eicar])), EICAR, sentinel(name))
