#!/usr/bin/env python3
"""`mugai files`: every file under each SRC sanitised into OUTDIR,
laid out as `cp -r SRC... OUTDIR` would; removed and withheld files absent,
each with a JSON report line; converted files may change extension; links
and escaping names never followed; exit 0/3/64/75/78; a progress line on a
terminal; a summary table in the notice language.
"""
import hashlib
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import tarfile
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import CLAMDB, MUGAI, TIMEOUT, Suite, TestFailure, _track, check, write_conf  # noqa: E402
import archives as A  # noqa: E402  (test/gen)
from mime import EICAR, make_pe, make_zip  # noqa: E402
import mime  # noqa: E402
import office as O  # noqa: E402

S = Suite('files')
PART_FIELDS = ('path', 'filename', 'declared_type', 'detected_type', 'action', 'output_filename',
               'reason', 'sha256', 'output_sha256', 'source', 'output')


class Run:
    def __init__(self, tmp, outdir, proc_rc, out, err, report):
        self.tmp, self.outdir, self.rc, self.out, self.err = tmp, outdir, proc_rc, out, err
        self.lines = report

    def brief(self):
        return 'rc=%s stderr=%r' % (self.rc, self.err.decode('utf-8', 'replace')[-300:])

    def line(self, source_end):
        found = [x for x in self.lines if x['source'].endswith(source_end)]
        check(len(found) == 1, 'expected one report line for %r, got %d' % (source_end, len(found)))
        return found[0]

    def files(self):
        """Every path under OUTDIR, relative, folders ending in '/'."""
        out = set()
        for root, dirs, files in os.walk(self.outdir):
            rel = os.path.relpath(root, self.outdir)
            for d in dirs:
                out.add(os.path.normpath(os.path.join(rel, d)) + '/')
            for f in files:
                out.add(os.path.normpath(os.path.join(rel, f)))
        return out


def workdir():
    tmp = tempfile.mkdtemp(prefix='mugai-files-')
    _track(tmp)
    return tmp


def run_files(tmp, sources, conf=None, db=None, args=None, tty=False, outdir=None):
    cpath = os.path.join(tmp, 'mugai.conf')
    write_conf(cpath, db or CLAMDB, os.path.join(tmp, 'q'), conf)
    outdir = outdir or os.path.join(tmp, 'out')
    rep = os.path.join(tmp, 'report.jsonl')
    cmd = [MUGAI, 'files', '-c', cpath, '--report', rep, '-o', outdir] + (args or []) + sources
    if tty:
        rc, out, err = _run_tty(cmd, tmp)
    else:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp,
                           timeout=TIMEOUT)
        rc, out, err = p.returncode, p.stdout, p.stderr
    lines = []
    if os.path.exists(rep):
        for raw in open(rep, 'rb').read().decode('utf-8').splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError as e:
                raise TestFailure('report line is not JSON: %s: %r' % (e, raw[:200]))
    return Run(tmp, outdir, rc, out, err, lines)


def _run_tty(cmd, cwd):
    """CMD with stderr on a pseudo-terminal (stdout a pipe)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, cwd=cwd)
    os.close(slave)
    err = b''
    while True:
        r, _, _ = select.select([master], [], [], TIMEOUT)
        if not r:
            p.kill()
            raise TestFailure('mugai files hung on a terminal')
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    out = p.stdout.read()
    p.wait()
    os.close(master)
    return p.returncode, out, err


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def check_lines(run, count):
    check(len(run.lines) == count, 'expected %d report lines, got %d: %r' % (
        count, len(run.lines), [x.get('source') for x in run.lines]))
    for x in run.lines:
        for f in PART_FIELDS:
            check(f in x, 'report line for %s lacks %r' % (x.get('source'), f))
        check(x['action'] in ('kept', 'converted', 'removed', 'withheld'), 'action %r' % x['action'])
        if x['action'] in ('kept', 'converted'):
            check(x['output'] and os.path.isfile(x['output']), '%s: output %r missing' % (
                x['source'], x['output']))
            check(sha(open(x['output'], 'rb').read()) == x['output_sha256'],
                  '%s: output_sha256 does not match the file written' % x['source'])
        else:
            check(x['output'] is None and x['reason'], '%s: %s without a reason or with an '
                  'output' % (x['source'], x['action']))


def check_no_temp_files(run):
    left = [f for f in run.files() if '.tmp.' in f]
    check(not left, 'temporary files left in OUTDIR: %r' % left)


# --- a mixed tree -----------------------------------------------------------------

def mixed_tree(tmp):
    t = os.path.join(tmp, '受信')
    write(os.path.join(t, '資料', '令和7年度', '予算①.txt'), '予算案①髙﨑\n'.encode())
    write(os.path.join(t, '資料', '案内_sjis.txt'), '令和7年度のご案内～①\r\n'.encode('cp932'))
    write(os.path.join(t, '資料', 'setup.exe'), make_pe('files'))
    write(os.path.join(t, 'ウイルス', 'eicar.txt'), EICAR)
    write(os.path.join(t, '書庫.zip'), A.zip_raw_names([(b'../../evil.txt', b'x\n'),
                                                         (b'ok.txt', b'ok\n')]))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tf:
        info = tarfile.TarInfo('メモ.txt')
        data = 'メモ\n'.encode()
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    write(os.path.join(t, '圧縮.tar.gz'), buf.getvalue())
    os.makedirs(os.path.join(t, '空のフォルダ'))
    os.symlink('/etc/passwd', os.path.join(t, 'passwd-link'))
    os.symlink('../../', os.path.join(t, 'dir-link'))
    for odd in ('...', '.. '):
        write(os.path.join(t, odd), b'dots\n')
    return t


def tree(name):
    tmp = workdir()
    src = mixed_tree(tmp)
    run = run_files(tmp, [src])
    check(run.rc == 3, 'expected exit 3 (files removed/withheld), got %s' % run.brief())
    expected = {'受信/', '受信/資料/', '受信/資料/令和7年度/', '受信/資料/令和7年度/予算①.txt',
                '受信/資料/案内_sjis.txt', '受信/ウイルス/', '受信/書庫.zip', '受信/圧縮.zip',
                '受信/空のフォルダ/', '受信/___.txt'}
    check(run.files() == expected, 'OUTDIR holds %r, expected %r' % (
        sorted(run.files() - expected), sorted(expected - run.files())))
    check_lines(run, 10)
    out = run.outdir
    check(open(os.path.join(out, '受信/資料/案内_sjis.txt'), 'rb').read() ==
          '令和7年度のご案内～①\n'.encode(), 'Shift_JIS text not delivered as UTF-8')
    check(run.line('案内_sjis.txt')['action'] == 'converted', 'sjis text not converted')
    check(run.line('予算①.txt')['action'] == 'kept', 'UTF-8 text not kept')
    exe = run.line('setup.exe')
    check(exe['action'] == 'removed' and 'not allowed' in exe['reason'], 'exe: %r' % exe)
    virus = run.line('eicar.txt')
    check(virus['action'] == 'withheld' and virus['virus'], 'virus: %r' % virus)
    for link in ('passwd-link', 'dir-link'):
        x = run.line(link)
        check(x['action'] == 'removed' and 'link' in x['reason'], '%s: %r' % (link, x))
    x = run.line('/.. ')
    check(x['action'] == 'removed' and 'outside' in x['reason'], '%r: %r' % ('.. ', x))
    dots = run.line('/...')   # a name on Unix: kept under a cleaned name (issue 13)
    check(dots['action'] == 'kept' and dots['output'].endswith('/受信/___.txt'), '...: %r' % dots)
    z = run.line('書庫.zip')
    check(z['action'] == 'converted', 'zip: %r' % z)
    members = {m['path'].rsplit('書庫.zip/', 1)[1]: m for m in z['members']}
    check(members['../../evil.txt']['action'] == 'removed', 'zip-slip member kept')
    check(zipfile.ZipFile(os.path.join(out, '受信/書庫.zip')).namelist() == ['ok.txt'],
          'zip-slip member repacked')
    tgz = run.line('圧縮.tar.gz')
    check(tgz['output'].endswith('/受信/圧縮.zip') and tgz['output_filename'] == '圧縮.zip',
          'tar.gz output %r' % tgz['output'])
    check(not os.path.exists('/tmp/evil.txt') and not os.path.exists(os.path.join(tmp, 'evil.txt')),
          'a zip-slip member was written')
    check_no_temp_files(run)
    summary = run.out.decode()
    for word in ('通過', '変換', '削除', '保留', 'setup.exe'):
        check(word in summary, 'summary lacks %r: %r' % (word, summary[:500]))


def cp_layout(name):
    """Several SRCs (a file, a folder, a folder named with a trailing "/",
    the contents of a folder via "."): the same layout and bytes as `cp -r` for a tree of clean UTF-8 text."""
    tmp = workdir()
    write(os.path.join(tmp, 'one.txt'), '一\n'.encode())
    write(os.path.join(tmp, 'フォルダ', 'a', 'b.txt'), 'ビー\n'.encode())
    write(os.path.join(tmp, 'フォルダ', 'c.csv'), '\ufeffx,y\n1,2\n'.encode())
    write(os.path.join(tmp, 'contents', 'top.txt'), 'top\n'.encode())
    write(os.path.join(tmp, '末尾', 's.txt'), 'スラッシュ\n'.encode())
    sources = ['one.txt', 'フォルダ', 'contents/.', '末尾/']
    run = run_files(tmp, sources)
    check(run.rc == 0, 'expected exit 0, got %s' % run.brief())
    cp_out = os.path.join(tmp, 'cp-out')
    os.makedirs(cp_out)
    subprocess.run(['cp', '-r'] + sources + [cp_out], cwd=tmp, check=True)
    mine = Run(tmp, cp_out, 0, b'', b'', []).files()
    check(run.files() == mine, 'layout %r differs from cp -r %r' % (sorted(run.files()),
                                                                     sorted(mine)))
    for f in mine:
        if not f.endswith('/'):
            a = open(os.path.join(run.outdir, f), 'rb').read()
            b = open(os.path.join(cp_out, f), 'rb').read()
            check(a == b, '%s differs from the copy' % f)
    check_lines(run, 5)


def dotdot_source(name):
    tmp = workdir()
    write(os.path.join(tmp, 'in', 'a.txt'), b'a\n')
    run = run_files(tmp, ['in/../in/a.txt', 'in/a.txt'])
    check(run.rc == 3, 'expected exit 3, got %s' % run.brief())
    x = run.line('in/../in/a.txt')
    check(x['action'] == 'removed' and 'outside' in x['reason'], '..: %r' % x)
    check(run.files() == {'a.txt'}, 'OUTDIR %r' % run.files())


def cp932_disk_name(name):
    """A file name in CP932 bytes (old Windows file servers) comes out UTF-8."""
    tmp = workdir()
    os.makedirs(os.path.join(tmp, 'in'))
    raw = os.path.join(tmp, 'in').encode() + b'/' + '議事録①.txt'.encode('cp932')
    with open(raw, 'wb') as f:
        f.write(b'minutes\n')
    run = run_files(tmp, ['in'])
    check(run.rc == 0, 'expected exit 0, got %s' % run.brief())
    check(run.files() == {'in/', 'in/議事録①.txt'}, 'OUTDIR %r' % run.files())


# --- exit codes, summary, progress --------------------------------------------------

def usage_errors(name):
    tmp = workdir()
    write(os.path.join(tmp, 'a.txt'), b'a\n')
    for argv in (['files', 'a.txt'], ['files', '-o', 'out'], ['files', '-o', 'out', 'missing'],
                 ['files', '--bogus', '-o', 'out', 'a.txt'], ['files', '-o', '.', '.']):
        p = subprocess.run([MUGAI] + argv, cwd=tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        check(p.returncode == 64, '%r: exit %d, expected 64' % (argv, p.returncode))
        check(not os.path.exists(os.path.join(tmp, 'out')), '%r created OUTDIR' % argv)


def config_errors(name):
    tmp = workdir()
    write(os.path.join(tmp, 'a.txt'), b'a\n')
    empty = os.path.join(tmp, 'emptydb')
    os.makedirs(empty)
    run = run_files(tmp, ['a.txt'], db=empty)
    check(run.rc == 78, 'no database: exit %s, expected 78' % run.brief())
    check(not os.path.exists(os.path.join(run.outdir, 'a.txt')), 'output without a database')
    run = run_files(tmp, ['a.txt'], conf={'archive': {'max_ratio': '1'}})
    check(run.rc == 78, 'bad [archive] value: exit %s, expected 78' % run.brief())


def tempfail(name):
    tmp = workdir()
    write(os.path.join(tmp, 'a.txt'), b'a\n')
    write(os.path.join(tmp, 'blocker'), b'a file where OUTDIR should be\n')
    run = run_files(tmp, ['a.txt'], outdir=os.path.join(tmp, 'blocker', 'out'))
    check(run.rc == 75, 'unwritable OUTDIR: exit %s, expected 75' % run.brief())


def english_summary(name):
    tmp = workdir()
    write(os.path.join(tmp, 'in', 'a.txt'), b'a\n')
    write(os.path.join(tmp, 'in', 'b.exe'), make_pe(name))
    run = run_files(tmp, ['in'], conf={'notice': {'language': 'en'}})
    check(run.rc == 3, 'exit %s' % run.brief())
    text = run.out.decode()
    for word in ('kept', 'converted', 'removed', 'withheld', 'in/b.exe: file type not allowed'):
        check(word in text, 'English summary lacks %r: %r' % (word, text))
    check(re.search(r'kept\s+1\b', text) and re.search(r'removed\s+1\b', text),
          'summary counts wrong: %r' % text)


def japanese_details(name):
    """In a Japanese summary the details of refused files are Japanese too
    (the report keeps them in English)."""
    tmp = workdir()
    write(os.path.join(tmp, 'in', 'a.txt'), b'a\n')
    write(os.path.join(tmp, 'in', 'big.txt'), b'x' * 3000)
    os.symlink('/etc/passwd', os.path.join(tmp, 'in', 'passwd-link'))
    os.mkfifo(os.path.join(tmp, 'in', 'fifo'))
    run = run_files(tmp, ['in'], conf={'notice': {'language': 'ja'},
                                       'limits': {'message_size': '2000'}})
    check(run.rc == 3, 'exit %s' % run.brief())
    text = run.out.decode()
    for expected in ('in/passwd-link: リンクや特殊ファイルのため、たどらずに除外しました'
                     ' — シンボリックリンクのため、たどりません',
                     'in/fifo: リンクや特殊ファイルのため、たどらずに除外しました'
                     ' — デバイス、パイプまたはソケットです',
                     'in/big.txt: 処理の上限を超えました'
                     ' — [limits] message_size（2000 バイト）を超える大きさです'):
        check(expected in text, 'Japanese summary lacks %r: %r' % (expected, text))
    for english in ('symbolic link', 'device, pipe', 'larger than'):
        check(english not in text, 'English %r in the Japanese summary: %r' % (english, text))
    check(run.line('passwd-link').get('detail') == 'symbolic link, not followed',
          'the report is not English: %r' % run.line('passwd-link'))


def progress_on_terminal(name):
    tmp = workdir()
    for i in range(3):
        write(os.path.join(tmp, 'in', 'f%d.txt' % i), b'x\n')
    run = run_files(tmp, ['in'], tty=True)
    check(run.rc == 0, 'exit %s' % run.brief())
    check(re.search(rb'\[\d/3\]', run.err), 'no progress line on the terminal: %r' % run.err[:300])
    plain = run_files(tmp, ['in'], outdir=os.path.join(tmp, 'out2'))
    check(b'\r' not in plain.err and b'[' not in plain.err,
          'progress written to a non-terminal: %r' % plain.err[:200])


def report_to_stdout(name):
    tmp = workdir()
    write(os.path.join(tmp, 'a.txt'), b'a\n')
    cpath = os.path.join(tmp, 'c.conf')
    write_conf(cpath, CLAMDB, os.path.join(tmp, 'q'))
    p = subprocess.run([MUGAI, 'files', '-c', cpath, '--report', '-', '-o', 'out', 'a.txt'],
                       cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    check(p.returncode == 0, 'exit %d' % p.returncode)
    line = json.loads(p.stdout.decode().strip())
    check(line['source'] == 'a.txt' and line['action'] == 'kept', 'line %r' % line)


def archive_in_tree(name):
    """An archive in a folder is sanitised like a mail attachment (members
    reported), and a bomb is removed without stopping the rest."""
    tmp = workdir()
    write(os.path.join(tmp, 'in', 'good.zip'), make_zip([('a.txt', b'a\n'), ('b.exe', make_pe(name))]))
    A.zip_zeros_file(os.path.join(tmp, 'in', 'bomb.zip'), 1 << 30)
    write(os.path.join(tmp, 'in', 'z.txt'), b'z\n')
    run = run_files(tmp, ['in'])
    check(run.rc == 3, 'exit %s' % run.brief())
    check(run.files() == {'in/', 'in/good.zip', 'in/z.txt'}, 'OUTDIR %r' % run.files())
    bomb = run.line('bomb.zip')
    check(bomb['action'] == 'removed' and 'limit' in bomb['reason'], 'bomb: %r' % bomb)
    good = run.line('good.zip')
    check([m['action'] for m in good['members']] == ['kept', 'removed'], 'members %r' % good['members'])


def red_team_files(name):
    """Issue 10's files carried across: Word's online video and UNC/file://
    schema locations leave the rebuilt .docx; a ZIP of 100,000 empty entries
    is removed for [archive] max_members before ClamAV's quadratic zip reader
    sees it."""
    tmp = workdir()
    png = mime.make_png(name, text_chunk=False)
    write(os.path.join(tmp, 'in', 'video.docx'), O.docx_web_video('動画の案内', png))
    write(os.path.join(tmp, 'in', 'schema.docx'), O.docx_schema_paths('スキーマの文書'))
    write(os.path.join(tmp, 'in', 'many.zip'), A.zip_many_empty(100000))
    run = run_files(tmp, ['in'])
    check(run.rc == 3, 'exit %s' % run.brief())
    check(run.files() == {'in/', 'in/video.docx', 'in/schema.docx'}, 'OUTDIR %r' % run.files())
    many = run.line('many.zip')
    check(many['action'] == 'removed' and 'max_members' in (many.get('detail') or ''),
          'many.zip: %r' % many)
    for doc in ('video.docx', 'schema.docx'):
        line = run.line(doc)
        check(line['action'] == 'converted' and 'external' in (line.get('detail') or ''),
              '%s: %r' % (doc, line))
        with zipfile.ZipFile(os.path.join(run.outdir, 'in', doc)) as z:
            blob = b''.join(z.read(n) for n in z.namelist())
        for needle in (b'script', b'iframe', b'evil.example', b'attacker-host', b'file:',
                       b'webVideoPr', b'schemaLocation'):
            check(needle not in blob, '%r still in %s' % (needle, doc))
        check(b'<w:t' in blob, 'no text left in %s' % doc)


for _fn in (tree, cp_layout, dotdot_source, cp932_disk_name, usage_errors, config_errors,
            tempfail, english_summary, japanese_details, progress_on_terminal, report_to_stdout,
            archive_in_tree, red_team_files):
    S.add(_fn.__name__, _fn, _fn.__name__)

if __name__ == '__main__':
    S.main()
