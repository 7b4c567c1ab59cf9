#!/usr/bin/env python3
"""mugai mail and viruses: EICAR in a body and as an attachment, and every file
of Debian's clamav-testfiles attached under a misleading name and type, inside
a zip, a gzip, a nested message/rfc822, and uuencoded in a text body. All are
withheld (exit 3, report virus non-empty, X-Mugai: withheld) and no byte of
the payload reaches the notice. A clean control passes; no database is exit 78.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import (CLAMDB, MUGAI, TESTFILES, Suite, assert_absent, assert_text,  # noqa: E402
                       check, check_sanitised, check_withheld, run_mail, write_conf)
from mime import (EICAR, attachment, b64, make_gzip, make_zip, message, mixed, multipart,  # noqa: E402
                  part, text_part, top_headers, uuencode)

S = Suite('virus')


def sentinel(name):
    return '本文【%s】ご確認ください' % name


def body(name):
    return text_part(sentinel(name) + '\n')


def withheld(name, data, payload, forms=()):
    res = run_mail(data)
    check_withheld(res, virus=True, original_text=sentinel(name))
    assert_absent(res, payload, forms)
    assert_absent(res, EICAR, name='EICAR')
    return res


# --- EICAR -------------------------------------------------------------------

def eicar_text_body(name):
    hs = top_headers(name) + [b'Content-Type: text/plain; charset=utf-8',
                              b'Content-Transfer-Encoding: 8bit']
    withheld(name, message(hs, (sentinel(name) + '\n').encode() + EICAR + b'\n'), EICAR)


def eicar_attachment(name):
    data = mixed(name, [body(name), attachment(EICAR, 'application/pdf', '請求書.pdf')])
    res = withheld(name, data, EICAR)
    check('請求書.pdf' in res.body(), 'the notice does not name the attachment 請求書.pdf')


def eicar_qp_attachment(name):
    att = part(['Content-Type: text/plain; name="memo.txt"',
                'Content-Disposition: attachment; filename="memo.txt"',
                'Content-Transfer-Encoding: quoted-printable'], EICAR.replace(b'=', b'=3D') + b'\n')
    withheld(name, mixed(name, [body(name), att]), EICAR)


def eicar_stdin_stdout(name):
    """`mugai mail -` reads stdin and, without -o, writes the notice to stdout."""
    data = mixed(name, [body(name), attachment(EICAR, 'application/pdf', '請求書.pdf')])
    with tempfile.TemporaryDirectory(prefix='mugai-it-') as tmp:
        conf = os.path.join(tmp, 'c.conf')
        write_conf(conf, CLAMDB, os.path.join(tmp, 'q'))
        p = subprocess.run([MUGAI, 'mail', '-c', conf, '-'], input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
        check(p.returncode == 3, 'exit %d, expected 3' % p.returncode)
        check(b'X-Mugai: withheld' in p.stdout, 'no withheld notice on stdout')
        check(EICAR not in p.stdout and sentinel(name).encode() not in p.stdout,
              'original content on stdout')


S.add('eicar_text_body', eicar_text_body, 'eicar_text_body')
S.add('eicar_attachment', eicar_attachment, 'eicar_attachment')
S.add('eicar_qp_attachment', eicar_qp_attachment, 'eicar_qp_attachment')
S.add('eicar_stdin_stdout', eicar_stdin_stdout, 'eicar_stdin_stdout')


# --- every clamav test file in five wrappings ----------------------------------

def _file(fn):
    with open(os.path.join(TESTFILES, fn), 'rb') as f:
        return f.read()


def gen_misnamed_attachment(name, data):
    return mixed(name, [body(name), attachment(data, 'application/pdf', '請求書.pdf')])


def gen_in_zip(name, data):
    z = make_zip([('見積書.pdf', data)])
    return mixed(name, [body(name), attachment(z, 'application/zip', '資料.zip')])


def gen_in_gzip(name, data):
    return mixed(name, [body(name), attachment(make_gzip(data), 'application/pdf', '報告書.pdf')])


def gen_in_nested_rfc822(name, data):
    inner = message(['From: a@example.jp', 'Subject: inner', 'MIME-Version: 1.0',
                     'Content-Type: multipart/mixed; boundary="IN"'],
                    multipart('IN', [text_part('内側\n'),
                                     attachment(data, 'application/pdf', '請求書.pdf')]))
    middle = message(['From: b@example.jp', 'Subject: Fwd: inner', 'MIME-Version: 1.0',
                      'Content-Type: multipart/mixed; boundary="MID"'],
                     multipart('MID', [text_part('転送します\n'),
                                       part(['Content-Type: message/rfc822'], inner)]))
    return mixed(name, [body(name), part(['Content-Type: message/rfc822'], middle)])


def gen_uuencoded_in_text(name, data):
    hs = top_headers(name) + [b'Content-Type: text/plain; charset=utf-8',
                              b'Content-Transfer-Encoding: 8bit']
    text = (sentinel(name) + '\n\n').encode() + uuencode(data, '請求書.pdf') + '\n以上\n'.encode()
    return message(hs, text)


WRAPPERS = [('attach', gen_misnamed_attachment), ('zip', gen_in_zip), ('gzip', gen_in_gzip),
            ('rfc822', gen_in_nested_rfc822), ('uu', gen_uuencoded_in_text)]


def testfile_case(name, fn, gen):
    data = _file(fn)
    forms = []
    if gen is gen_uuencoded_in_text:
        forms = [ln for ln in uuencode(data).split(b'\n') if len(ln) > 40][1:3]
    withheld(name, gen(name, data), data, forms)


FILES = sorted(os.listdir(TESTFILES)) if os.path.isdir(TESTFILES) else []
for fn in FILES:
    for tag, gen in WRAPPERS:
        n = '%s_%s' % (tag, fn)
        S.add(n, testfile_case, n, fn, gen)


def testfiles_present():
    check(len(FILES) >= 44, 'expected the 44 files of clamav-testfiles in %s, found %d' % (TESTFILES, len(FILES)))


S.add('testfiles_present', testfiles_present)


# --- control and configuration --------------------------------------------------

def clean_control(name):
    csv = '品名,数量\r\nりんご,3\r\n'.encode('cp932')
    data = mixed(name, [body(name), attachment(csv, 'text/csv; charset=Shift_JIS', '注文.csv')])
    res = run_mail(data)
    check_sanitised(res)
    check(not res.report.get('virus'), 'virus list %r on a clean mail' % res.report.get('virus'))
    assert_text(res, sentinel(name), res.body())
    assert_text(res, 'りんご,3')


S.add('clean_control', clean_control, 'clean_control')


def no_database(db):
    def run(name):
        data = mixed(name, [body(name)])
        res = run_mail(data, db=db)
        check(res.rc == 78, 'expected exit 78 without a usable database, got %s' % res.brief())
        check(not res.out, 'output written (%d bytes) on a configuration error' % len(res.out))
        check(res.err.strip(), 'no message on stderr')
    return run


_empty = tempfile.mkdtemp(prefix='mugai-emptydb-')
S.add('no_database_empty_dir', no_database(_empty), 'no_database_empty_dir')
S.add('no_database_missing_dir', no_database(os.path.join(_empty, 'missing')), 'no_database_missing_dir')

if __name__ == '__main__':
    try:
        S.main()
    finally:
        os.rmdir(_empty)
