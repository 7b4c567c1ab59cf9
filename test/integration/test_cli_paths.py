#!/usr/bin/env python3
"""The command line: each subcommand's --help names it. Output and input
paths of `mugai mail` and `mugai files`: a device or FIFO
is written in place (never replaced by a file), a path that can never work is
a usage error (exit 64, one line saying why), never a temporary failure (75)
that would tell a caller to retry."""
import os
import pwd
import re
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import CLAMDB, MUGAI, TIMEOUT, Suite, _track, check, write_conf  # noqa: E402

S = Suite('cli_paths')
MAIL = ('From: a@example.jp\r\nTo: b@city.example.lg.jp\r\nSubject: paths\r\n'
        'Message-ID: <paths@example.jp>\r\nDate: Sun, 6 Dec 2026 09:00:00 +0900\r\n\r\n'
        '本文です。\r\n').encode()


def setup():
    tmp = tempfile.mkdtemp(prefix='mugai-paths-')
    _track(tmp)
    conf = os.path.join(tmp, 'mugai.conf')
    write_conf(conf, CLAMDB, os.path.join(tmp, 'q'))
    inp = os.path.join(tmp, 'in.eml')
    with open(inp, 'wb') as f:
        f.write(MAIL)
    return tmp, conf, inp


def mugai(*args, lang=None):
    """mugai ARGS; with LANG=LANG (and no LC_ALL, LC_MESSAGES) when given."""
    env = None
    if lang is not None:
        env = {k: v for k, v in os.environ.items() if k not in ('LC_ALL', 'LC_MESSAGES')}
        env['LANG'] = lang
    return subprocess.run([MUGAI] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT, env=env)


def private_null(tmp):
    """A character device like /dev/null of the test's own (the real one
    is never put at risk)."""
    path = os.path.join(tmp, 'null')
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


@S.case
def test_device_output_written_in_place():
    tmp, conf, inp = setup()
    null = private_null(tmp)
    p = mugai('mail', '-c', conf, '-o', null, '--report', null, inp)
    check(p.returncode == 0, 'exit %d: %r' % (p.returncode, p.stderr))
    check(stat.S_ISCHR(os.lstat(null).st_mode), 'the device was replaced by a file')
    check(not [n for n in os.listdir(tmp) if '.tmp.' in n], 'temporary file left beside it')


@S.case
def test_fifo_output_written_in_place():
    tmp, conf, inp = setup()
    fifo = os.path.join(tmp, 'pipe')
    os.mkfifo(fifo)
    # The read end is open before mugai runs, so its open for writing does not
    # wait; the message (a few KiB) fits in the pipe's buffer.
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    p = mugai('mail', '-c', conf, '-o', fifo, inp)
    try:
        got = [os.read(rfd, 1 << 20)]
    except BlockingIOError:
        got = []
    os.close(rfd)
    check(p.returncode == 0, 'exit %d: %r' % (p.returncode, p.stderr))
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), 'the FIFO was replaced by a file')
    check(got and b'X-Mugai: sanitised' in got[0], 'the sanitised message did not come '
          'through the FIFO: %r' % (got[:1],))


def usage(args, words):
    p = mugai(*args)
    err = p.stderr.decode('utf-8', 'replace')
    check(p.returncode == 64, '%r: exit %d, expected 64 (%r)' % (args, p.returncode, err))
    check(len(err.strip().splitlines()) == 1 and words in err,
          '%r: expected one line naming %r, got %r' % (args, words, err))


@S.case
def test_mail_paths_that_cannot_work():
    tmp, conf, inp = setup()
    usage(['mail', '-c', conf, os.path.join(tmp, 'missing.eml')], 'missing.eml')
    usage(['mail', '-c', conf, tmp], 'folder')
    usage(['mail', '-c', conf, '-o', tmp, inp], tmp)
    usage(['mail', '-c', conf, '-o', os.path.join(tmp, 'no', 'out.eml'), inp], 'no folder')
    usage(['mail', '-c', conf, '--report', tmp, inp], tmp)


@S.case
def test_files_paths_that_cannot_work():
    tmp, conf, inp = setup()
    usage(['files', '-c', conf, '-o', inp, inp], 'not a folder')
    usage(['files', '-c', conf, '--report', tmp, '-o', os.path.join(tmp, 'out'), inp], tmp)
    check(open(inp, 'rb').read() == MAIL, 'the input named as OUTDIR was changed')


@S.case
def test_help_names_the_command():
    for cmd in ('mail', 'files', 'scan', 'quarantine', 'config', 'report', 'admin'):
        p = mugai(cmd, '--help')
        out = p.stdout.decode('utf-8', 'replace')
        check(p.returncode == 0 and ('mugai %s [OPTION' % cmd) in out,
              '%s --help: exit %d, usage line %r' % (cmd, p.returncode, out[:120]))
    top = mugai('--help').stdout.decode()
    for sub in ('check', 'export'):
        check(sub in top.split('quarantine', 1)[1].split('\n')[0],
              'top-level help lacks quarantine %s: %r' % (sub, top))


def said(args, lang, status, stream='stderr'):
    p = mugai(*args, lang=lang)
    text = getattr(p, stream).decode('utf-8', 'replace')
    check(p.returncode == status, '%s %r: exit %d, expected %d (%r)' % (
        lang, args, p.returncode, status, text))
    return text


@S.case
def test_errors_follow_the_locale():
    """Issue 15: errors and config check findings in Japanese under
    LANG=ja_JP.UTF-8 (decided from the variable: this machine may not have
    the locale compiled), English under LANG=C; word for word."""
    tmp, conf, inp = setup()
    missing, out_file = os.path.join(tmp, 'missing.eml'), inp
    bad = os.path.join(tmp, 'bad.conf')
    with open(bad, 'w') as f:
        f.write(open(conf).read() + '[milter]\nbogus = 1\n[nosuch]\nx = 1\n')
    cases = [
        (['mail', '-c', conf, missing], 64,
         'mugai mail: %s: ファイルまたはフォルダがありません\n' % missing,
         'mugai mail: %s: No such file or directory\n' % missing),
        (['mail', '-c', conf, tmp], 64,
         'mugai mail: %s: フォルダです（ファイルを指定してください）\n' % tmp,
         'mugai mail: %s: is a folder\n' % tmp),
        (['mail', '-c', conf, '-o', tmp, inp], 64,
         'mugai mail: %s: 通常のファイル、デバイス、パイプのいずれでもありません\n' % tmp,
         'mugai mail: %s: not a regular file, device or pipe\n' % tmp),
        (['files', '-c', conf, '-o', out_file, inp], 64,
         'mugai files: %s: フォルダではありません\n' % out_file,
         'mugai files: %s: not a folder\n' % out_file),
        (['mail', '-c', missing, inp], 78,
         'mugai: 設定エラー: %s: ファイルまたはフォルダがありません\n' % missing,
         'mugai: configuration error: %s: No such file or directory\n' % missing),
    ]
    for args, status, ja, en in cases:
        for lang, want in (('ja_JP.UTF-8', ja), ('C', en)):
            got = said(args, lang, status)
            check(got == want, '%s %r: %r, expected %r' % (lang, args, got, want))
    for lang, want in (('ja_JP.UTF-8', 'mugai: 「frob」というコマンドはありません\n'),
                       ('C', 'mugai: unknown command "frob"\n')):
        got = said(['frob'], lang, 64)
        check(got.startswith(want), '%s: %r' % (lang, got))
    for lang, want in (('ja_JP.UTF-8', 'mugai mail: 不明なオプションです: --bogus\n'),
                       ('C', 'mugai mail: Unknown option --bogus\n')):
        got = said(['mail', '--bogus'], lang, 64)
        check(got == want, '%s: %r' % (lang, got))
    # config check: one line per finding, then the count
    user = pwd.getpwuid(os.geteuid()).pw_name
    pf = os.path.join(tmp, 'postfix')
    os.mkdir(pf)
    with open(os.path.join(pf, 'main.cf'), 'w') as f:
        f.write('milter_protocol = 2\n')
    open(os.path.join(pf, 'master.cf'), 'w').close()
    for lang, lines, last in (
            ('ja_JP.UTF-8', ['%s: 不明なキー [milter] bogus' % bad,
                             '%s: 不明なセクション [nosuch]' % bad,
                             'Postfix: milter_protocol = 2（main.cf）: mugai-milter には 6 が'
                             '必要です'], r'問題が \d+ 件あります'),
            ('C', ['%s: unknown key [milter] bogus' % bad, '%s: unknown section [nosuch]' % bad,
                   'Postfix: milter_protocol = 2 (main.cf): mugai-milter needs 6'],
             r'\d+ problems')):
        out = said(['config', 'check', '-c', bad, '-u', user, '-P', pf], lang, 78, 'stdout')
        got = out.splitlines()
        check(all(line in got for line in lines), '%s: %r lacks %r' % (lang, got, lines))
        check(re.fullmatch(re.escape(bad) + ': ' + last, got[-1]), '%s: %r' % (lang, got[-1]))
    # LC_ALL wins over LANG, LC_MESSAGES over LANG
    env = dict(os.environ, LANG='ja_JP.UTF-8', LC_ALL='C')
    p = subprocess.run([MUGAI, 'frob'], stderr=subprocess.PIPE, env=env, timeout=TIMEOUT)
    check(p.stderr.startswith(b'mugai: unknown command'), 'LC_ALL=C: %r' % p.stderr)
    env = {k: v for k, v in os.environ.items() if k != 'LC_ALL'}
    env.update(LANG='C', LC_MESSAGES='ja_JP.UTF-8')
    p = subprocess.run([MUGAI, 'frob'], stderr=subprocess.PIPE, env=env, timeout=TIMEOUT)
    check('というコマンドはありません' in p.stderr.decode(), 'LC_MESSAGES=ja: %r' % p.stderr)


if __name__ == '__main__':
    S.main()
