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


FORMS = [('active_hunter', active_hunter), ('exim', exim), ('sendmail', sendmail),
         ('office365', office365), ('gmail', gmail), ('amazon_ses', amazon_ses), ('kddi', kddi)]
