"""Bounce mails as real MTAs and carriers write them (issue 13, item 9).

Each function returns (message bytes, a sentence of the report that must be
delivered). They imitate the forms of sisimai's public set of real bounces:
Active!Hunter's boundary with "!" and "+", originals attached with repeated
To/Subject/Message-ID/Received fields (message/rfc822 or
text/rfc822-headers), and an original cut short so that its multipart has no
closing delimiter before the report's own. No byte is copied from a real mail.
"""
import base64

from mime import b, multipart, part


def _headers(lines):
    return [b(x) for x in lines]


def _top(name, ctype, frm='MAILER-DAEMON@mx.example.jp', subject='Undelivered Mail Returned to Sender'):
    return _headers(['Return-Path: <>',
                     'Received: from mx.example.jp (mx.example.jp [192.0.2.25]) by mx.city.example.lg.jp',
                     'From: Mail Delivery System <%s>' % frm,
                     'To: sender@city.example.lg.jp',
                     'Subject: ' + subject,
                     'Date: Fri, 29 Apr 2011 23:34:45 +0900',
                     'Message-ID: <bounce-%s@mx.example.jp>' % name,
                     'MIME-Version: 1.0',
                     'Content-Type: ' + ctype])


def _status(rcpt='nobody@example.jp', status='5.1.1', code='550 5.1.1 <nobody@example.jp>: '
            'Recipient address rejected: User unknown'):
    return part(['Content-Type: message/delivery-status'],
                'Reporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: rfc822; %s\n'
                'Action: failed\nStatus: %s\nDiagnostic-Code: smtp; %s\n' % (rcpt, status, code))


def _original_headers(dup):
    """The original's header block with the fields in DUP repeated, as a
    relaying MTA or a broken client leaves them."""
    hs = ['Received: from pc01.city.example.lg.jp ([192.0.2.10]) by mx.city.example.lg.jp',
          'Received: from [192.0.2.10] by pc01.city.example.lg.jp',
          'From: sender@city.example.lg.jp',
          'To: nobody@example.jp',
          'Subject: =?ISO-2022-JP?B?GyRCJF4kOCRJGyhC?=',
          'Date: Fri, 29 Apr 2011 23:30:00 +0900',
          'Message-ID: <orig-0001@city.example.lg.jp>',
          'MIME-Version: 1.0']
    extra = {'To': 'To: nobody@example.jp',
             'Subject': 'Subject: =?ISO-2022-JP?B?GyRCJF4kOCRJGyhC?=',
             'Message-ID': 'Message-ID: <orig-0001@relay.example.jp>',
             'Received': 'Received: from relay.example.jp by mx.example.jp'}
    return hs + [extra[d] for d in dup]


def _original(dup, body_headers=('Content-Type: text/plain; charset=ISO-2022-JP',),
              body='original text\n'):
    return part(['Content-Type: message/rfc822'],
                part(_original_headers(dup) + list(body_headers), body))


def _report(name, boundary, text, original, frm='MAILER-DAEMON@mx.example.jp', close=True,
            quoted=True, report_ctype=None):
    bd = ('"%s"' % boundary) if quoted else boundary
    ctype = report_ctype or ('multipart/report; report-type=delivery-status;\n\tboundary=%s' % bd)
    body = multipart(boundary, [part(['Content-Type: text/plain; charset=us-ascii'], text + '\n'),
                                _status(), original], close=close)
    return part(_top(name, ctype, frm=frm), body)


def active_hunter(name):
    text = 'This message was created automatically by Active!Hunter: %s' % name
    jis = '宛先が見つかりませんでした。'.encode('iso-2022-jp')
    boundary = '----=_Active!Hunter_20110429T233445+0900-0000-0000'
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset=ISO-2022-JP',
              'Content-Transfer-Encoding: 7bit'], jis + b'\n' + b(text) + b'\n'),
        _status(), _original(['To'])])
    ctype = 'multipart/report; report-type=delivery-status; boundary="%s"' % boundary
    return part(_top(name, ctype, frm='MAILER-DAEMON@ah.example.jp'), body), text


def exim(name):
    text = ('This message was created automatically by mail delivery software (%s).\n'
            'A message that you sent could not be delivered to one or more of its recipients.'
            % name)
    return _report(name, '1304087685-eximdsn-1804289383', text,
                   _original(['To', 'Subject', 'Message-ID']), frm='Mailer-Daemon@exim.example.jp',
                   quoted=False), text.split('\n')[0]


def sendmail(name):
    text = ('The original message was received at Fri, 29 Apr 2011 (%s)\n'
            '   ----- The following addresses had permanent fatal errors -----' % name)
    headers = part(['Content-Type: text/rfc822-headers'],
                   '\n'.join(_original_headers(['Message-ID', 'To', 'Subject'])) + '\n')
    return _report(name, 'p3TEYjo9012345.1304087685/mx.example.jp', text, headers,
                   frm='MAILER-DAEMON@sendmail.example.jp'), text.split('\n')[0]


def office365(name):
    """Exchange Online: the original attached, its multipart/alternative cut
    off (no closing delimiter) before the report's own closing one."""
    text = 'Delivery has failed to these recipients or groups (%s)' % name
    alt = ('--_000_alt_\nContent-Type: text/plain; charset="iso-2022-jp"\n\nhello\n\n'
           '--_000_alt_\nContent-Type: text/html; charset="iso-2022-jp"\n\n<p>hello</p>\n')
    orig = part(['Content-Type: message/rfc822'],
                part(_original_headers(['Message-ID']) +
                     ['Content-Type: multipart/alternative; boundary="_000_alt_"'], alt))
    return _report(name, '_9f0a-1c2d_', text, orig,
                   frm='postmaster@example.onmicrosoft.com'), text


def gmail(name):
    text = ("This is an automatically generated Delivery Status Notification (%s)\n"
            "Delivery to the following recipient failed permanently:" % name)
    alt = ('--000000000000abcd\nContent-Type: text/plain; charset="UTF-8"\n\nhello\n\n'
           '--000000000000abcd\nContent-Type: text/html; charset="UTF-8"\n\n<div>hello</div>\n')
    orig = part(['Content-Type: message/rfc822'],
                part(_original_headers(['Received', 'Received']) +
                     ['Content-Type: multipart/alternative; boundary="000000000000abcd"'], alt))
    return _report(name, '000000000000ef01', text, orig,
                   frm='mailer-daemon@googlemail.com'), text.split('\n')[0]


def amazon_ses(name):
    text = ('An error occurred while trying to deliver the mail to the following recipients (%s)'
            % name)
    return _report(name, '----=_Part_1234567_89.1304087685', text,
                   _original(['To', 'Message-ID']),
                   frm='MAILER-DAEMON@amazonses.com'), text


def kddi(name):
    """au (KDDI): a multipart/mixed notice whose last part, the original, is
    not closed before the message ends."""
    text = 'Your mail sent on: Fri, 29 Apr 2011 (%s) could not be delivered.' % name
    body = multipart('KDDI_boundary_0001', [
        part(['Content-Type: text/plain; charset=ISO-2022-JP'], text + '\n'),
        _original(['To', 'Subject', 'Message-ID'], body_headers=[
            'Content-Type: multipart/mixed; boundary="orig_mixed"'],
            body='--orig_mixed\nContent-Type: text/plain\n\nhello\n')], close=False)
    return part(_top(name, 'multipart/mixed; boundary="KDDI_boundary_0001"',
                     frm='Postmaster@ezweb.ne.jp'), body), text


def powermta(name):
    """PowerMTA: '@' inside the quoted boundary (report4E747F78@host)."""
    text = 'Hello, this is the mail server on mta.example.jp (%s).' % name
    return _report(name, 'report4E747F78@mta22.example.jp', text,
                   _original(['To']), frm='postmaster@mta.example.jp'), text


def x6(name):
    """A boundary of 71 characters, one more than RFC 2046 allows."""
    text = 'SMTP Server <smtpd.example.jp> rejected recipient (%s).' % name
    boundary = '--=_MIMEBOUNDARY_d1e2471b4b95f44c_12823329331748206317161a01e__a96ea837'
    assert len(boundary) == 71
    return _report(name, boundary, text, _original(['To'])), text


def x3(name):
    """"text/rfc822-headers; Content-Transfer-Encoding: 8bit": a field
    written as a parameter, with no '='."""
    text = 'Delivery to the following recipients failed (%s).' % name
    headers = part(['Content-Type: text/rfc822-headers; Content-Transfer-Encoding: 8bit'],
                   '\n'.join(_original_headers([])) + '\n')
    return _report(name, '------------I305M09060309060P_556516025810460', text, headers), text


def x6_names(name):
    """The original's headers attached as a .txt whose name= and filename=
    differ in their digits only."""
    text = 'The attachment contains the original mail headers (%s).' % name
    att = part(['Content-Type: text/plain;', '\tname="mailheaders-000000002.txt"',
                'Content-Transfer-Encoding: 7bit', 'Content-Disposition: attachment;',
                '\tfilename="mailheaders-000000022.txt"'],
               '\n'.join(_original_headers([])) + '\n')
    body = multipart('X6_names_0001', [part(['Content-Type: text/plain'], text + '\n'), att])
    return part(_top(name, 'multipart/mixed; boundary="X6_names_0001"'), body), text


def exchange_unindented(name):
    """Exchange Online's notice as it arrives through some relays: the
    boundary of its multipart/alternative, and a folded Received field of the
    original, on lines of their own without indent."""
    text = 'Your message to nobody@example.jp could not be delivered (%s).' % name
    alt = multipart('alt-1eebb6f1', [
        part(['Content-Type: text/plain; charset="us-ascii"'], text + '\n'),
        part(['Content-Type: text/html; charset="us-ascii"'], '<p>%s</p>\n' % text)])
    notice = part(['Content-Type: multipart/alternative; differences=Content-Type;',
                   'boundary="alt-1eebb6f1"'], alt)
    hs = ['Received: from pc01.city.example.lg.jp (192.0.2.10)',
          '(10.152.250.59) by mx.city.example.lg.jp with Microsoft SMTP Server',
          'Received: from mbx01.city.example.lg.jp',
          '([fe80::fc54:69d1:3236:fd2a%7]) with mapi id 15.20.0863.016; Fri, 29 Apr 2011',
          'From: sender@city.example.lg.jp', 'To: nobody@example.jp', 'Subject: hello',
          'MIME-Version: 1.0', 'Content-Type: multipart/alternative;',
          'boundary="orig-9def4a68"']
    orig_body = multipart('orig-9def4a68', [
        part(['Content-Type: text/plain'], 'original text\n'),
        part(['Content-Type: text/html'], '<p>original text</p>\n')])
    orig = part(['Content-Type: message/rfc822'], part(hs, orig_body))
    body = multipart('rep-a0e06538', [notice, _status(), orig])
    ctype = 'multipart/report; report-type=delivery-status;\n\tboundary="rep-a0e06538"'
    return part(_top(name, ctype, frm='postmaster@example.onmicrosoft.com'), body), text


def empty_original(name):
    """Postfix's report cut off right after the original's Content-Type."""
    text = 'This is the mail system at host mx.example.jp (%s).' % name
    return _report(name, 'F180CB7A.1502575029/mx.example.jp', text,
                   b'Content-Type: message/rfc822\n\n', close=False), text


def relay_message_id(name):
    """The receiving relay adds its own Message-ID before the sender's (KDDI)."""
    data, text = kddi(name)
    return b'Message-ID:<relay-%s@mx.city.example.lg.jp>\n' % b(name) + data, text


def placeholder_original(name):
    """The original left out, a placeholder line where its headers should be."""
    text = 'The original message was received at Fri, 29 Apr 2011 (%s)' % name
    orig = part(['Content-Type: message/rfc822'], b'[original message goes here]\n\n')
    return _report(name, 'EEE00000.0000000011/MX.EXAMPLE.JP', text, orig), text


def unindented_received(name):
    """The original's folded Received field lost its indent on one line."""
    text = 'This is the mail system at host mx.example.jp (%s).' % name
    hs = ['Return-Path: <sender@city.example.lg.jp>',
          'Received: from [127.0.0.1] (localhost [127.0.0.1])',
          'by mx.example.jp (Postfix) with ESMTP id 44kWHZ2S3Qz1yxHC',
          'Subject: Nyaan', 'To: <nobody@example.jp>', 'From: <sender@city.example.lg.jp>',
          'Content-Type: text/plain', 'MIME-Version: 1.0']
    orig = part(['Content-Type: message/rfc822'], part(hs, 'original text\n'))
    return _report(name, '44kWHZ2S3Qz1yxHC.1555479540/mx.example.jp', text, orig), text


FORMS = [('active_hunter', active_hunter), ('exim', exim), ('sendmail', sendmail),
         ('office365', office365), ('gmail', gmail), ('amazon_ses', amazon_ses), ('kddi', kddi),
         ('powermta', powermta), ('x6_long_boundary', x6), ('x3_stray_param', x3), ('x6_names', x6_names), ('exchange_unindented', exchange_unindented),
         ('relay_message_id', relay_message_id), ('empty_original', empty_original), ('placeholder_original', placeholder_original),
         ('unindented_received', unindented_received)]
