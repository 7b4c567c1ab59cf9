#!/usr/bin/env python3
"""Japanese without loss (THREATS 61-65, SPEC "Body"): bodies, subjects and
file names in ISO-2022-JP with CP932 extensions, half-width kana (ESC ( I and
SO/SI), Shift_JIS that is really CP932 (NEC and IBM extensions), EUC-JP with
half-width kana and JIS X 0212, UTF-8 beyond the BMP; encoded-words split mid-
character; RFC 2231 continuations, RFC 2047 in quotes, raw 8-bit names; HTML
whose charset is only in <meta>; mislabelled charsets. Each sentinel must
appear exactly in the output (decoded subject, body, report file name), with no
U+FFFD and no '?' where a Japanese character was. Also output_charset =
iso-2022-jp (CP50220, decoded here independently), notice language, samples/.
"""
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import (EICAR, SAMPLES, Suite, assert_absent, assert_text, check,  # noqa: E402
                       check_sanitised, check_withheld, decode_cp50220, run_mail)
import jp  # noqa: E402  (test/gen)
import samples as SMP  # noqa: E402
from mime import b64, make_pdf, message, multipart, part, qp, top_headers  # noqa: E402

S = Suite('japanese')

EXT = '株式会社髙﨑製作所 ①②③ ㈱㈲ ～－ Ⅲ期 №１２３ 纊褜'
IBM = 'ⅰⅱⅲ ∵ 髙﨑 纊 ℡ ㈱'
KANA = 'ﾊﾝｶｸｶﾀｶﾅ ﾃｽﾄﾃﾞｽ'
EUC = '住民票の写し ｶﾀｶﾅ 丂丄 漢字'
NONBMP = '𠮷野家の𠮷 と 𩸽（ほっけ）'
PLAIN = '市役所総務課のテストです'


def textmail(name, body_bytes, charset, cte='8bit', subject=None, ctype='text/plain'):
    ct = 'Content-Type: ' + ctype + ('; charset=' + charset if charset else '')
    hs = top_headers(name, subject) + [ct.encode(), b'Content-Transfer-Encoding: ' + cte.encode()]
    if cte == 'base64':
        body_bytes = b64(body_bytes)
    elif cte == 'quoted-printable':
        body_bytes = qp(body_bytes) + b'\n'
    return message(hs, body_bytes)


def sanitised(data, conf=None):
    res = run_mail(data, conf=conf)
    check_sanitised(res)
    return res


def no_question_marks(text, sentinel):
    """Where the sentinel should be, no '?' stands in for a character."""
    for line in sentinel.split('\n'):
        if line and line not in text:
            loose = ''.join('.' if ord(c) > 127 else re.escape(c) for c in line)
            m = re.search(loose, text)
            check(not m, 'sentinel %r came out as %r' % (line, m.group(0) if m else ''))


def body_has(sentinels, enc, charset, cte='8bit', ctype='text/plain'):
    def run(name):
        text = '\n'.join(['お世話になっております。'] + sentinels + ['以上']) + '\n'
        res = sanitised(textmail(name, enc(text), charset, cte, ctype=ctype))
        body = res.body()
        for s in sentinels:
            no_question_marks(body, s)
            assert_text(res, s, body)
    return run


def add(name, fn):
    S.add(name, fn, name)


# --- bodies ----------------------------------------------------------------------
add('iso2022jp_cp932_ext', body_has([EXT, PLAIN], jp.iso2022jp_lines, 'ISO-2022-JP', '7bit'))
add('iso2022jp_cp932_ext_base64', body_has([EXT], jp.iso2022jp_lines, 'iso-2022-jp', 'base64'))
add('iso2022jp_halfwidth_esc_i', body_has([KANA, PLAIN], jp.iso2022jp_lines, 'ISO-2022-JP', '7bit'))
add('iso2022jp_halfwidth_so_si', body_has([KANA, PLAIN], lambda t: jp.iso2022jp_lines(t, 'so_si'),
                                          'ISO-2022-JP', '7bit'))
add('shift_jis_nec_ibm', body_has([EXT, IBM], jp.cp932_ibm, 'Shift_JIS'))
add('shift_jis_nec_ibm_base64', body_has([EXT, IBM], jp.cp932_ibm, 'shift_jis', 'base64'))
add('shift_jis_quoted_printable', body_has([EXT, IBM], jp.cp932_ibm, 'Shift_JIS', 'quoted-printable'))
add('cp932_label', body_has([EXT, IBM], jp.cp932_ibm, 'CP932'))
add('windows_31j_label', body_has([EXT, IBM], jp.cp932_ibm, 'Windows-31J'))
add('euc_jp_halfwidth_0212', body_has([EUC, PLAIN], lambda t: t.encode('euc_jp'), 'EUC-JP'))
add('utf8_nonbmp', body_has([NONBMP, EXT, KANA], lambda t: t.encode(), 'UTF-8'))
add('utf8_nonbmp_base64', body_has([NONBMP, EXT], lambda t: t.encode(), 'utf-8', 'base64'))
# mislabelled and unlabelled (THREATS 64)
add('mislabelled_iso2022jp_is_sjis', body_has([EXT, PLAIN], jp.cp932_ibm, 'ISO-2022-JP'))
add('mislabelled_iso2022jp_is_utf8', body_has([EXT, PLAIN], lambda t: t.encode(), 'ISO-2022-JP'))
add('unlabelled_utf8', body_has([EXT, PLAIN], lambda t: t.encode(), None))
add('unlabelled_cp932', body_has([EXT, PLAIN], jp.cp932_ibm, None))


def wave_dash_cp932(name):
    """0x8160 from a CP932 sender is U+FF5E (～), 0x817C U+FF0D (－), 0x8161 U+2225 (∥)."""
    res = sanitised(textmail(name, b'A\x81\x60B\x81\x7cC\x81\x61D\x81\x91E\n', 'Shift_JIS'))
    assert_text(res, 'A\uff5eB\uff0dC\u2225D\uffe0E', res.body())


add('wave_dash_cp932', wave_dash_cp932)


# --- HTML whose charset is only in <meta> ---------------------------------------

def html_meta(meta):
    def run(name):
        html = ('<html><head>%s<title>t</title></head><body><p>%s</p><p>%s</p>'
                '<p><a href="https://www.city.example.lg.jp/">市のサイト</a></p></body></html>\n') % (
                    meta, EXT, IBM)
        res = sanitised(textmail(name, jp.cp932_ibm(html), None, '8bit', ctype='text/html'))
        body = res.all_text()
        for s in (EXT, IBM, '市のサイト', 'https://www.city.example.lg.jp/'):
            assert_text(res, s, body)
    return run


add('html_meta_charset_sjis', html_meta('<meta charset="Shift_JIS">'))
add('html_meta_http_equiv_sjis',
    html_meta('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'))


# --- subjects ---------------------------------------------------------------------

def subject_case(subject_raw, expected):
    def run(name):
        res = sanitised(textmail(name, (PLAIN + '\n').encode(), 'UTF-8', subject=subject_raw))
        subj = res.subject()
        check(subj == expected, 'output subject %r, expected %r' % (subj, expected))
        rs = res.report.get('subject')
        check(rs == expected, 'report subject %r, expected %r' % (rs, expected))
        assert_text(res, PLAIN, res.body())
    return run


SUBJ = '【至急】①髙﨑様 見積書～㈱'
_u = SUBJ.encode()
add('subject_iso2022jp', subject_case(jp.encoded_word(jp.iso2022jp(SUBJ), 'ISO-2022-JP'), SUBJ))
add('subject_utf8_b_split_mid_char', subject_case(jp.split_words(_u, 'UTF-8', 5), SUBJ))
add('subject_utf8_q_split_mid_char', subject_case(jp.split_words(_u, 'UTF-8', 8, 'Q'), SUBJ))
_s = SUBJ.encode('cp932')
add('subject_sjis_b_split_mid_char', subject_case(jp.split_words(_s, 'Shift_JIS', 3), SUBJ))
_j = jp.iso2022jp(SUBJ)
add('subject_iso2022jp_split_mid_char', subject_case(jp.split_words(_j, 'ISO-2022-JP', 6), SUBJ))
add('subject_nonbmp', subject_case(jp.encoded_word(NONBMP.encode(), 'UTF-8'), NONBMP))
add('subject_halfwidth_kana', subject_case(jp.encoded_word(jp.iso2022jp(KANA), 'ISO-2022-JP'), KANA))
add('subject_raw_utf8', subject_case(SUBJ.encode(), SUBJ))
add('subject_raw_sjis', subject_case(_s, SUBJ))
add('subject_long_folded', subject_case(
    b'\n '.join(jp.encoded_word((SUBJ * 6).encode()[i:i + 30], 'UTF-8') for i in range(0, len((SUBJ * 6).encode()), 30)),
    SUBJ * 6))


# --- file names --------------------------------------------------------------------

FN = '令和7年度予算①髙﨑（案）.txt'
CONTENT = '予算案\n髙﨑 ①②③ ～ №１\n'


def filename_case(disp_params, fn=FN, ct_params=b'', removed=False):
    """A text attachment (CP932 content) under a Japanese name: the report and
    the output give the name exactly; the notice lists it."""
    def run(name):
        if removed:
            data = make_pdf(name)
            ctype = b'application/pdf'
        else:
            data = jp.cp932_ibm(CONTENT)
            ctype = b'text/plain; charset=Shift_JIS'
        att = part([b'Content-Type: ' + ctype + ct_params,
                    b'Content-Disposition: attachment; ' + disp_params,
                    b'Content-Transfer-Encoding: base64'], b64(data))
        body = multipart('AAA', [part(['Content-Type: text/plain; charset=UTF-8'], (PLAIN + '\n').encode()), att])
        res = sanitised(message(top_headers(name) + [b'Content-Type: multipart/mixed; boundary="AAA"'], body))
        names = [p.get('filename') for p in res.parts()]
        check(fn in names, 'report file names %r, expected %r' % (names, fn))
        notice = res.body()
        check(fn in notice or fn.rsplit('.', 1)[0] in notice, 'the notice does not list %r' % fn)
        if not removed:
            check(fn in res.output_filenames(), 'output file names %r, expected %r' % (res.output_filenames(), fn))
            for line in CONTENT.strip().split('\n'):
                assert_text(res, line)
    return run


_ew = jp.encoded_word(jp.iso2022jp(FN), 'ISO-2022-JP')
add('filename_rfc2231_utf8', filename_case(jp.rfc2231('filename', FN)))
add('filename_rfc2231_continuations', filename_case(jp.rfc2231('filename', FN, 'UTF-8', 4)))
add('filename_rfc2231_shift_jis', filename_case(jp.rfc2231('filename', FN.encode('cp932'), 'Shift_JIS', 3)))
add('filename_rfc2231_iso2022jp', filename_case(jp.rfc2231('filename', jp.iso2022jp(FN), 'ISO-2022-JP', 2)))
add('filename_rfc2047_in_quotes', filename_case(b'filename="' + _ew + b'"', ct_params=b'; name="' + _ew + b'"'))
add('filename_rfc2047_in_quotes_split',
    filename_case(b'filename="' + jp.split_words(FN.encode(), 'UTF-8', 7) + b'"'))
add('filename_rfc2047_in_quotes_sjis',
    filename_case(b'filename="' + jp.encoded_word(FN.encode('cp932'), 'Shift_JIS') + b'"'))
add('filename_name_param_only', filename_case(b'x-junk=1', ct_params=b'; name="' + _ew + b'"'))
FN_NO5C = '令和7年度計画①髙﨑（案）.txt'  # no 0x5C trail byte
add('filename_raw_sjis', filename_case(b'filename="' + jp.cp932_ibm(FN_NO5C) + b'"', fn=FN_NO5C))
# 予 is 0x97 0x5C in CP932: the trail byte is a backslash, not a quoted-pair escape
add('filename_raw_sjis_trail_0x5c', filename_case(b'filename="' + jp.cp932_ibm(FN) + b'"'))
add('filename_raw_utf8', filename_case(b'filename="' + FN.encode() + b'"'))
add('filename_removed_pdf_listed', filename_case(b'filename="' + jp.encoded_word(
    jp.iso2022jp('見積書①髙﨑.pdf'), 'ISO-2022-JP') + b'"', fn='見積書①髙﨑.pdf', removed=True))


def csv_cp932_attachment(name):
    csv = '氏名,所属,内線\r\n髙橋,総務課①,１２３\r\n﨑山,～企画課～,４５６\r\n'
    att = part(['Content-Type: text/csv; charset=Shift_JIS; name="meibo.csv"',
                'Content-Disposition: attachment; filename="meibo.csv"',
                'Content-Transfer-Encoding: base64'], b64(jp.cp932_ibm(csv)))
    body = multipart('AAA', [part(['Content-Type: text/plain; charset=UTF-8'], (PLAIN + '\n').encode()), att])
    res = sanitised(message(top_headers(name) + [b'Content-Type: multipart/mixed; boundary="AAA"'], body))
    outs = [p for p in res.leaves()[1:] if p.get_filename()]
    check(outs, 'the CSV attachment is not in the output')
    check((outs[0].get_content_charset() or '').lower() == 'utf-8',
          'CSV re-encoded with charset %r, expected utf-8' % outs[0].get_content_charset())
    text = res.leaf_text(outs[0])
    for line in ('髙橋,総務課①,１２３', '﨑山,～企画課～,４５６'):
        assert_text(res, line, text)


add('csv_cp932_attachment', csv_cp932_attachment)


# --- output_charset = iso-2022-jp --------------------------------------------------

ISO = {'policy': {'output_charset': 'iso-2022-jp'}}


def iso_body(res):
    p = res.body_part()
    cs = (p.get_content_charset() or '').lower()
    raw = p.get_payload(decode=True) or b''
    return cs, raw


def iso_output(enc, charset, sentinels, expect_iso=True, expected=None):
    def run(name):
        text = '\n'.join(sentinels) + '\n'
        subj = jp.encoded_word(SUBJ.encode(), 'UTF-8')
        res = sanitised(textmail(name, enc(text), charset, 'base64', subject=subj), conf=ISO)
        cs, raw = iso_body(res)
        want = expected or sentinels
        if expect_iso:
            check(cs == 'iso-2022-jp', 'output body charset %r, expected iso-2022-jp' % cs)
            check(all(c < 0x80 for c in raw), 'ISO-2022-JP output body has 8-bit bytes')
            try:
                body = decode_cp50220(raw)
            except (ValueError, UnicodeDecodeError) as e:
                raise AssertionError('output body is not CP50220: %s' % e)
        else:
            check(cs == 'utf-8', 'output body charset %r, expected utf-8 (a character has no JIS code)' % cs)
            body = raw.decode('utf-8')
        for s in want:
            assert_text(res, s, body)
        check(res.subject() == SUBJ, 'subject %r, expected %r' % (res.subject(), SUBJ))
    return run


add('iso_output_from_utf8', iso_output(lambda t: t.encode(), 'UTF-8', [EXT, PLAIN]))
add('iso_output_from_sjis_ibm', iso_output(jp.cp932_ibm, 'Shift_JIS', [EXT, IBM]))
add('iso_output_from_iso2022jp', iso_output(jp.iso2022jp_lines, 'ISO-2022-JP', [EXT, KANA],
                                            expected=[EXT, unicodedata.normalize('NFKC', KANA)]))
add('iso_output_halfwidth_to_fullwidth',
    iso_output(lambda t: t.encode(), 'UTF-8', [KANA, PLAIN],
               expected=[unicodedata.normalize('NFKC', KANA), PLAIN]))
add('iso_output_nonbmp_stays_utf8', iso_output(lambda t: t.encode(), 'UTF-8', [NONBMP, EXT], expect_iso=False))


# --- notice language ---------------------------------------------------------------

# Japanese letters (kana, kanji); punctuation such as ・ or （） is not counted.
KANA_RE = re.compile('[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]')
SENDER_NAME = '差出人'  # data quoted by the notice (From), not notice text


def notice_case(lang):
    def run(name):
        att = part(['Content-Type: application/pdf; name="report.pdf"',
                    'Content-Disposition: attachment; filename="report.pdf"',
                    'Content-Transfer-Encoding: base64'], b64(make_pdf(name)))
        body = multipart('AAA', [part(['Content-Type: text/plain; charset=UTF-8'],
                                      b'ORIGINAL-TEXT-START ' + PLAIN.encode() + b'\n'), att])
        conf = {'notice': {'language': lang}} if lang else None
        res = sanitised(message(top_headers(name) + [b'Content-Type: multipart/mixed; boundary="AAA"'], body), conf)
        text = res.body()
        i = text.find('ORIGINAL-TEXT-START')
        check(i > 0, 'no notice before the original text')
        notice = text[:i]
        check('report.pdf' in notice, 'the notice does not list report.pdf: %r' % notice)
        if lang == 'en':
            check(not KANA_RE.search(notice), 'English notice carries Japanese: %r' % notice[:300])
            check(re.search(r'[A-Za-z]{4,}', notice), 'English notice has no English words')
        else:
            check(KANA_RE.search(notice), 'default notice is not Japanese: %r' % notice[:300])
    return run


add('notice_default_japanese', notice_case(None))
add('notice_ja', notice_case('ja'))
add('notice_en', notice_case('en'))


def withheld_notice(lang):
    def run(name):
        att = part(['Content-Type: application/pdf; name="seikyu.pdf"',
                    'Content-Disposition: attachment; filename="seikyu.pdf"',
                    'Content-Transfer-Encoding: base64'], b64(EICAR))
        body = multipart('AAA', [part(['Content-Type: text/plain; charset=UTF-8'], (PLAIN + '\n').encode()), att])
        conf = {'notice': {'language': lang}} if lang else None
        res = run_mail(message(top_headers(name) + [b'Content-Type: multipart/mixed; boundary="AAA"'], body), conf)
        check_withheld(res, virus=True, original_text=PLAIN)
        text = res.body()
        check('seikyu.pdf' in text, 'the notice does not name seikyu.pdf')
        text = text.replace(SENDER_NAME, '')
        if lang == 'en':
            check(not KANA_RE.search(text), 'English notice carries Japanese: %r' % text[:300])
        else:
            check(KANA_RE.search(text), 'Japanese notice has no kana: %r' % text[:300])
    return run


add('withheld_notice_ja', withheld_notice(None))
add('withheld_notice_en', withheld_notice('en'))


# --- samples/ ------------------------------------------------------------------------

def sample_case(fn):
    def run():
        spec = SMP.SAMPLES[fn]
        with open(os.path.join(SAMPLES, fn), 'rb') as f:
            data = f.read()
        check(data == spec['make'](), '%s differs from what test/gen/samples.py writes' % fn)
        res = run_mail(data)
        if spec['exit'] == 3:
            check_withheld(res, virus=True)
        else:
            check_sanitised(res)
            for s in spec['sentinels']:
                assert_text(res, s)  # the body or a kept text attachment
        check(res.subject() == spec['subject'], 'subject %r, expected %r' % (res.subject(), spec['subject']))
        for a in spec['absent']:
            assert_absent(res, a, name=repr(a[:20]))
    return run


for _fn in sorted(SMP.SAMPLES):
    S.add('sample_' + _fn, sample_case(_fn))

if __name__ == '__main__':
    S.main()
