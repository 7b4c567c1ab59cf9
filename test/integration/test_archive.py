#!/usr/bin/env python3
"""mugai mail and archives (THREATS.md 29-33, 67): every member sanitised by
the policy, the members that pass repacked as one ZIP with UTF-8 names (the
UTF-8 flag set); executables, links and escaping names dropped; CP932 names
decoded; encrypted archives withheld; bombs stopped at the [archive] limits
with the rest of the message delivered. Every archive is generated here
(test/gen/archives.py, zip, 7z); nothing is fetched.
"""
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import (CLAMDB, MUGAI, TIMEOUT, Suite, TestFailure, assert_absent,  # noqa: E402
                       assert_text, check, check_sanitised, check_withheld, run_mail,
                       write_conf)
import archives as A  # noqa: E402  (test/gen)
from mime import (EICAR, attachment, make_docm, make_gzip, make_pe, make_pdf,  # noqa: E402
                  make_zip, marker, mixed, text_part)

S = Suite('archive')


def add(name, fn):
    S.add(name, fn, name)

ZIP = 'application/zip'
UTF8_FLAG = 0x800


def sentinel(name):
    return '本文【%s】総務課へのご連絡①髙﨑' % name


def body(name):
    return text_part(sentinel(name) + '\n')


def mail(name, attachments, text=None):
    return mixed(name, [text_part(text) if text else body(name)] +
                 [attachment(data, ctype, fn) for fn, data, ctype in attachments])


def sanitised(name, attachments, text=None):
    res = run_mail(mail(name, attachments, text))
    check_sanitised(res)
    assert_text(res, sentinel(name) if text is None else text.strip(), res.body())
    return res


def zip_bytes(res, filename=None):
    """The repacked ZIP attached to the output (by FILENAME, else the only one)."""
    zips = [p for p in res.leaves() if p.get_content_type() == ZIP and
            (filename is None or p.get_filename() == filename)]
    check(len(zips) == 1, 'expected one ZIP %s in the output, got %r' % (
        filename or '', res.output_filenames()))
    return zips[0].get_payload(decode=True)


def out_zip(res, filename=None):
    """The repacked ZIP, opened, checked whole and for the UTF-8 flag."""
    z = zipfile.ZipFile(io.BytesIO(zip_bytes(res, filename)))
    check(z.testzip() is None, 'the repacked ZIP is damaged')
    for info in z.infolist():
        if any(ord(c) > 127 for c in info.filename):
            check(info.flag_bits & UTF8_FLAG, 'non-ASCII name %r without the UTF-8 flag'
                  % info.filename)
    return z


def member(res, suffix):
    """The report part of the archive member whose path ends in /SUFFIX."""
    for p in res.parts():
        if (p.get('path') or '').endswith('/' + suffix):
            return p
    raise TestFailure('no report part for member %r; parts: %r' % (
        suffix, [p.get('path') for p in res.parts()]))


def part_named(res, filename):
    p = res.find_part(filename=filename)
    check(p is not None, 'no report part %r' % filename)
    return p


def check_action(p, actions, reason=None):
    check(p.get('action') in actions, '%s: action %r, expected %r (%s)' % (
        p.get('path'), p.get('action'), actions, p.get('detail')))
    if reason is not None:
        check(reason in (p.get('reason') or ''), '%s: reason %r, expected %r' % (
            p.get('path'), p.get('reason'), reason))


# --- members sanitised and repacked -------------------------------------------

def text_and_exe(name):
    """ZIP with a clean text, a PDF and an exe: text kept, PDF rebuilt or removed
    (never as it came), exe removed; the archive delivered as a ZIP."""
    pe, pdf = make_pe(name), make_pdf(name)
    z = make_zip([('お知らせ.txt', 'ご確認ください①\n'.encode()), ('setup.exe', pe),
                  ('見積書.pdf', pdf)])
    res = sanitised(name, [('資料.zip', z, ZIP)])
    out = out_zip(res, '資料.zip')
    names = out.namelist()
    check('お知らせ.txt' in names, 'text member missing from %r' % names)
    check(out.read('お知らせ.txt').decode() == 'ご確認ください①\n', 'text member changed')
    check(not any(n.endswith('.exe') for n in names), 'exe repacked: %r' % names)
    check(all(out.read(n) != pdf for n in names), 'the PDF repacked as it came')
    check_action(part_named(res, '資料.zip'), ['converted'])
    check_action(member(res, 'setup.exe'), ['removed'], 'not allowed')
    check_action(member(res, 'お知らせ.txt'), ['kept'])
    assert_absent(res, pe, name='exe')
    assert_absent(res, marker(name), name='PDF JavaScript')


def nested_three_deep(name):
    z = A.zip_nest('奥の文書.txt', '三重の中身\n'.encode(), 3)
    res = sanitised(name, [('nest.zip', z, ZIP)])
    data = out_zip(res, 'nest.zip').read('level-2.zip')
    data = zipfile.ZipFile(io.BytesIO(data)).read('level-1.zip')
    text = zipfile.ZipFile(io.BytesIO(data)).read('奥の文書.txt')
    check(text.decode() == '三重の中身\n', 'innermost text %r' % text)
    check_action(member(res, 'level-2.zip/level-1.zip/奥の文書.txt'), ['kept'])


def zip_slip(name):
    z = A.zip_raw_names([(b'../../etc/x', b'x\n'), (b'/abs', b'y\n'), (b'C:\\x.txt', b'z\n'),
                         (b'..\\..\\win.txt', b'w\n'), (b'dir/../../up.txt', b'u\n'),
                         (b'ok.txt', b'ok\n')])
    res = sanitised(name, [('slip.zip', z, ZIP)])
    names = out_zip(res, 'slip.zip').namelist()
    check(names == ['ok.txt'], 'repacked names %r, expected only ok.txt' % names)
    for n in ('../../etc/x', '/abs', 'C:/x.txt', '../../win.txt', 'dir/../../up.txt'):
        p = [q for q in res.parts() if (q.get('path') or '').endswith(n)]
        check(p, 'no report line for %r' % n)
        check_action(p[0], ['removed'], 'outside')


def links_inside(name):
    z = A.zip_symlink('passwd', '/etc/passwd', [('ok.txt', b'ok\n')])
    res = sanitised(name, [('links.zip', z, ZIP)])
    check(out_zip(res).namelist() == ['ok.txt'], 'link repacked')
    check_action(member(res, 'passwd'), ['removed'], 'link')


def cp932_names(name):
    """Japanese Windows: CP932 names, no UTF-8 flag (0x5C trail bytes in ソ 表 能)."""
    names = ['令和7年度予算①髙﨑.txt', 'フォルダ/資料～.txt', 'ソフト表/能力.txt']
    z = A.zip_cp932([(n, ('%s\n' % n).encode()) for n in names])
    check(all(not (i.flag_bits & UTF8_FLAG) for i in zipfile.ZipFile(io.BytesIO(z)).infolist()),
          'generator set the UTF-8 flag')
    res = sanitised(name, [('予算.zip', z, ZIP)])
    out = out_zip(res, '予算.zip')
    check(sorted(out.namelist()) == sorted(names), 'names %r, expected %r' % (out.namelist(), names))
    for n in names:
        check_action(member(res, n), ['kept'])
        check(out.read(n).decode() == '%s\n' % n, 'content of %s' % n)


def utf8_names_no_flag(name):
    """macOS and some Linux tools write UTF-8 names without the flag: kept as UTF-8."""
    names = ['資料/報告書①.txt', 'メモ～.txt']
    z = A.zip_raw_names([(n.encode(), ('%s\n' % n).encode()) for n in names])
    res = sanitised(name, [('mac.zip', z, ZIP)])
    check(sorted(out_zip(res, 'mac.zip').namelist()) == sorted(names), 'names %r' % (
        out_zip(res, 'mac.zip').namelist()))


def sevenzip(name):
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, 'src', '報告'))
        with open(os.path.join(tmp, 'src', '報告', '議事録.txt'), 'wb') as f:
            f.write('議事録①\n'.encode('cp932'))
        with open(os.path.join(tmp, 'src', 'run.exe'), 'wb') as f:
            f.write(make_pe(name))
        subprocess.run(['7z', 'a', '-bd', '-y', os.path.join(tmp, 'a.7z'), '報告', 'run.exe'],
                       cwd=os.path.join(tmp, 'src'), check=True, stdout=subprocess.DEVNULL)
        data = open(os.path.join(tmp, 'a.7z'), 'rb').read()
    res = sanitised(name, [('会議.7z', data, 'application/x-7z-compressed')])
    out = out_zip(res, '会議.zip')
    check(out.namelist() == ['報告/議事録.txt'], 'names %r' % out.namelist())
    check(out.read('報告/議事録.txt').decode() == '議事録①\n', 'Shift_JIS text not re-encoded')
    check_action(member(res, '報告/議事録.txt'), ['converted'])
    check_action(member(res, 'run.exe'), ['removed'])


def tar_archive(mode, ext):
    def run(name):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode=mode, format=tarfile.PAX_FORMAT) as t:
            for n, data in (('資料/メモ.txt', 'メモ\n'.encode()), ('bin/tool.exe', make_pe(name))):
                info = tarfile.TarInfo(n)
                info.size, info.mtime = len(data), 1761987600
                t.addfile(info, io.BytesIO(data))
            link = tarfile.TarInfo('資料/link')
            link.type, link.linkname = tarfile.SYMTYPE, '/etc/shadow'
            t.addfile(link)
        res = sanitised(name, [('書類' + ext, buf.getvalue(), 'application/octet-stream')])
        out = out_zip(res, '書類.zip')
        check(out.namelist() == ['資料/メモ.txt'], 'names %r' % out.namelist())
        check_action(member(res, 'bin/tool.exe'), ['removed'])
        check_action(member(res, '資料/link'), ['removed'], 'link')
    return run


def gzip_single(name):
    res = sanitised(name, [('報告.txt.gz', make_gzip('報告です\n'.encode()), 'application/gzip')])
    out = out_zip(res, '報告.txt.zip')
    check(out.namelist() == ['報告.txt'], 'names %r' % out.namelist())


def lzh(level):
    def run(name):
        names = ['令和7年度①.txt', 'ソフト表/能力.txt']
        data = A.make_lzh([(n, ('%s\n' % n).encode('cp932')) for n in names] +
                          [('setup.exe', make_pe(name))], level)
        res = sanitised(name, [('書類.lzh', data, 'application/octet-stream')])
        out = out_zip(res, '書類.zip')
        check(sorted(out.namelist()) == sorted(names), 'names %r' % out.namelist())
        check(out.read('令和7年度①.txt').decode() == '令和7年度①.txt\n', 'content')
        check_action(member(res, 'setup.exe'), ['removed'])
    return run


def cab_and_rar(maker, ext):
    def run(name):
        data = maker([('資料.txt', '資料\n'.encode()), ('a.exe', make_pe(name))])
        res = sanitised(name, [('書類' + ext, data, 'application/octet-stream')])
        out = out_zip(res, '書類.zip')
        check(out.namelist() == ['資料.txt'], 'names %r' % out.namelist())
    return run


def docx_inside(name):
    docx = make_docm(name)
    res = sanitised(name, [('報告.zip', make_zip([('報告書.docx', docx)]), ZIP)])
    p = member(res, '報告書.docx')
    check(p.get('action') in ('converted', 'removed', 'kept'), 'docx member %r' % p.get('action'))
    if p.get('action') != 'removed':
        out = out_zip(res, '報告.zip')
        check(all(out.read(n) != docx for n in out.namelist()), 'docx repacked as it came')
    assert_absent(res, marker(name), name='vbaProject')


def disk_image(name):
    iso = bytearray(40960)
    iso[0x8001:0x8006] = b'CD001'
    z = make_zip([('disk.iso', bytes(iso)), ('ok.txt', b'ok\n')])
    res = sanitised(name, [('img.zip', z, ZIP), ('disk.iso', bytes(iso), 'application/octet-stream')])
    check(out_zip(res, 'img.zip').namelist() == ['ok.txt'], 'disk image repacked')
    check_action(member(res, 'disk.iso'), ['removed'])
    check_action(part_named(res, 'disk.iso'), ['removed'])


def only_exe(name):
    res = sanitised(name, [('tools.zip', make_zip([('a.exe', make_pe(name))]), ZIP)])
    check(not [p for p in res.leaves() if p.get_content_type() == ZIP], 'an empty ZIP delivered')
    check_action(part_named(res, 'tools.zip'), ['removed'], 'no file in the archive')


def resanitise_same(name):
    """THREATS 67: the repacked ZIP sanitised again comes out byte for byte the same."""
    z = A.zip_cp932([('令和.txt', 'ok\n'.encode()), ('dir/b.txt', b'b\n')])
    data = zip_bytes(sanitised(name, [('x.zip', z, ZIP)]))
    second = zip_bytes(sanitised(name, [('x.zip', data, ZIP)]))
    check(second == data, 'sanitising the repacked ZIP again changed it (%d -> %d bytes)'
          % (len(data), len(second)))


# --- withheld -------------------------------------------------------------------

def encrypted(make):
    def run(name):
        text = '%s\nパスワードは secret です。\n' % sentinel(name)
        res = run_mail(mail(name, [('見積.zip', make(name), ZIP)], text))
        check_withheld(res, reason_re='encrypted', original_text=sentinel(name))
        body = res.body()
        check('パスワード付き ZIP' in body and '解除' in body,
              'the notice does not tell how to ask for release: %r' % body[:600])
        check('secret' not in body, 'the password reached the notice')
    return run


def _tool_archive(argv, ext):
    def make(name):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, 'a.txt'), 'wb') as f:
                f.write(('%s\n' % name).encode())
            subprocess.run(argv + [os.path.join(tmp, 'out' + ext), 'a.txt'], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
            return open(os.path.join(tmp, 'out' + ext), 'rb').read()
    return make


def eicar_zip_in_zip(name):
    z = make_zip([('inner.zip', make_zip([('eicar.com', EICAR)]))])
    res = run_mail(mail(name, [('a.zip', z, ZIP)]))
    check_withheld(res, virus=True, original_text=sentinel(name))
    assert_absent(res, EICAR, name='EICAR')


# --- bombs ------------------------------------------------------------------------

def bomb(make, what):
    """The bomb is removed and held with reason limit; the body and the other
    attachment survive. Time and RSS are printed, never asserted."""
    def run(name):
        with tempfile.TemporaryDirectory() as tmp:
            data = make(tmp)
        csv = '品名,数量\nりんご,3\n'.encode()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.monotonic()
        res = sanitised(name, [('bomb.zip', data, ZIP), ('注文.csv', csv, 'text/csv')])
        secs = time.monotonic() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print('# info %s: %d bytes in, %.2f s, children max RSS %d MiB (before %d MiB)'
              % (what, len(data), secs, rss // 1024, before // 1024), flush=True)
        check_action(part_named(res, 'bomb.zip'), ['removed'], 'limit')
        check(not [p for p in res.leaves() if p.get_content_type() == ZIP], 'the bomb was delivered')
        assert_text(res, 'りんご,3')
        check('注文.csv' in ' '.join(res.output_filenames()), 'the other attachment is missing')
    return run


def zeros_bomb(tmp):
    path = os.path.join(tmp, 'zeros.zip')
    A.zip_zeros_file(path, 4 << 30)
    return open(path, 'rb').read()


def limit(conf, make, detail):
    """A named [archive] (or [limits] depth) limit removes the whole archive
    with reason limit and a detail naming the key; the rest is delivered."""
    def run(name):
        res = run_mail(mail(name, [('lim.zip', make(), ZIP), ('memo.txt', b'memo\n', 'text/plain')]),
                       conf=conf)
        check_sanitised(res)
        assert_text(res, sentinel(name), res.body())
        assert_text(res, 'memo')
        p = part_named(res, 'lim.zip')
        check_action(p, ['removed'], 'limit')
        check(detail in (p.get('detail') or ''), 'detail %r lacks %r' % (p.get('detail'), detail))
    return run


def _texts(count, size):
    return make_zip([('t%d.txt' % i, (b'%d' % i) * size) for i in range(count)])


add('limit_members', limit({'archive': {'max_members': '3'}}, lambda: _texts(5, 10),
                             'max_members'))
add('limit_member_size', limit({'archive': {'max_member_size': '1024'}},
                                 lambda: _texts(1, 4096), 'max_member_size'))
add('limit_total_size', limit({'archive': {'max_total_size': '1048576'}},
                                lambda: _texts(3, 512 * 1024), 'max_total_size'))
add('limit_depth', limit({'limits': {'depth': '4'}},
                           lambda: A.zip_nest('a.txt', b'deep\n', 8), 'nested too deep'))
add('limit_seconds', limit({'archive': {'max_seconds': '1', 'max_ratio': '1000000',
                                          'max_total_size': str(16 << 30),
                                          'max_member_size': str(4 << 30)}},
                             A.zip_nested_bomb, 'max_seconds'))
# 100,000 empty entries (9 MB): ClamAV's zip reader takes time quadratic in
# the entries (20,000: a minute), so without [clamav] max_scan_seconds the
# whole-message scan alone outlasts the job timeout (the message withheld),
# and without the archive's precheck the part is removed for an unfinished
# scan instead of max_members, after a second long scan.
add('limit_members_before_scan', limit({'clamav': {'max_scan_seconds': '5'},
                                        'sandbox': {'job_timeout': '60'}},
                                       lambda: A.zip_many_empty(100000), 'max_members'))
for _fn in (text_and_exe, nested_three_deep, zip_slip, links_inside, cp932_names,
            utf8_names_no_flag, sevenzip, gzip_single, docx_inside, disk_image, only_exe,
            resanitise_same, eicar_zip_in_zip):
    add(_fn.__name__, _fn)
for _mode, _ext in (('gz', '.tar.gz'), ('bz2', '.tar.bz2'), ('xz', '.tar.xz')):
    add('tar_' + _mode, tar_archive('w:' + _mode, _ext))
for _level in (0, 2):
    add('lzh_level%d' % _level, lzh(_level))
add('cab', cab_and_rar(A.make_cab, '.cab'))
add('rar', cab_and_rar(A.make_rar, '.rar'))
add('encrypted_zipcrypto', encrypted(_tool_archive(['zip', '-q', '-P', 'secret'], '.zip')))
add('encrypted_aes', encrypted(_tool_archive(['7z', 'a', '-bd', '-psecret', '-mem=AES256'],
                                               '.zip')))
add('encrypted_7z_headers', encrypted(_tool_archive(['7z', 'a', '-bd', '-psecret', '-mhe=on'],
                                                      '.7z')))
add('bomb_4gib_zeros', bomb(zeros_bomb, '4 GiB of zeros'))
add('bomb_gzip_stream', bomb(lambda tmp: A.gzip_zeros(4 << 30), '4 GiB gzip stream, size unknown'))
add('bomb_nested', bomb(lambda tmp: A.zip_nested_bomb(), '42.zip-like nesting'))


# --- where ClamAV unpacks: [sandbox] tmp_directory ----------------------------------

def _wait_for(what, cond):
    """Wait for an event (a folder appearing), with a generous overall limit."""
    end = time.monotonic() + TIMEOUT
    while not cond():
        if time.monotonic() > end:
            raise TestFailure('%s did not happen within %ds' % (what, TIMEOUT))
        time.sleep(0.05)


def tmp_directory_used(name):
    """The worker makes its private folder in [sandbox] tmp_directory (seen
    there while mugai mail waits for its input), ClamAV's scans work from it
    (EICAR two zips down is found) and the folder is gone afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = os.path.join(tmp, 'scratch')
        os.mkdir(scratch)
        os.chmod(tmp, 0o755)
        os.chmod(scratch, 0o1777)
        conf = os.path.join(tmp, 'mugai.conf')
        write_conf(conf, CLAMDB, os.path.join(tmp, 'q'), {'sandbox': {'tmp_directory': scratch}})
        rep = os.path.join(tmp, 'report.json')
        data = mail(name, [('a.zip', make_zip([('inner.zip', make_zip([('eicar.com', EICAR)]))]),
                            ZIP)])
        p = subprocess.Popen([MUGAI, 'mail', '-c', conf, '--report', rep, '-o',
                              os.path.join(tmp, 'out.eml'), '-'], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            _wait_for('a worker folder in tmp_directory',
                      lambda: p.poll() is not None or any(
                          n.startswith('mugai-worker-') for n in os.listdir(scratch)))
            out, err = p.communicate(data, timeout=TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        check(p.returncode == 3, 'exit %r (want 3, withheld): %s' % (p.returncode, err[-400:]))
        with open(rep, encoding='utf-8') as f:
            check('Mugai.Test.EICAR.UNOFFICIAL' in json.load(f).get('virus', []),
                  'EICAR two zips down not found')
        check(os.listdir(scratch) == [], 'left in tmp_directory: %r' % os.listdir(scratch))


def tmp_directory_missing(name):
    """A tmp_directory that is not a folder stops mugai mail with a line that
    names the key, before any input is read."""
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, 'mugai.conf')
        write_conf(conf, CLAMDB, os.path.join(tmp, 'q'),
                   {'sandbox': {'tmp_directory': os.path.join(tmp, 'no-such-folder')}})
        p = subprocess.run([MUGAI, 'mail', '-c', conf, '-o', os.path.join(tmp, 'out.eml'), '-'],
                           input=mail(name, []), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        err = p.stderr.decode('utf-8', 'replace')
        check(p.returncode == 78, 'exit %r (want 78): %s' % (p.returncode, err[-400:]))
        check('[sandbox] tmp_directory' in err and 'no-such-folder' in err,
              'the error does not name the key and folder: %r' % err[-400:])


add('tmp_directory_used', tmp_directory_used)
add('tmp_directory_missing', tmp_directory_missing)

if __name__ == '__main__':
    S.main()
