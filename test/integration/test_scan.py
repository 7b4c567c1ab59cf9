#!/usr/bin/env python3
"""mugai scan PATH...: `PATH: OK` or `PATH: NAME FOUND` per file; exit 0 clean,
1 found, 2 error (the convention of clamscan)."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import CLAMDB, TESTFILES, Suite, check, run_cmd, write_conf  # noqa: E402
from mime import EICAR, make_pe, make_zip  # noqa: E402

S = Suite('scan')
TMP = tempfile.mkdtemp(prefix='mugai-scan-')
CONF = os.path.join(TMP, 'mugai.conf')
write_conf(CONF, CLAMDB, os.path.join(TMP, 'q'))


def put(name, data):
    path = os.path.join(TMP, name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


CLEAN = put('clean.txt', '市役所からのお知らせ\n'.encode())
PE = put('tool.exe', make_pe('scan-clean-pe'))
EMPTY = put('empty', b'')
EIC = put('eicar.com', EICAR)
EIC_JA = put('請求書 (1).pdf', EICAR)
EIC_ZIP = put('archive.zip', make_zip([('a/eicar.txt', EICAR)]))
MISSING = os.path.join(TMP, 'no-such-file')


def scan(*paths, conf=CONF):
    p = run_cmd(['scan', '-c', conf] + list(paths))
    return p.returncode, p.stdout.decode('utf-8', 'replace').splitlines(), p.stderr


def found_line(line, path):
    m = re.fullmatch(re.escape(path) + r': (\S+) FOUND', line)
    return m.group(1) if m else None


def expect(paths, rc, states):
    """STATES: per path 'OK', 'FOUND' or None (error: no OK/FOUND line)."""
    def run():
        code, lines, err = scan(*paths)
        check(code == rc, 'exit %d, expected %d (stdout %r)' % (code, rc, lines[:5]))
        for path, st in zip(paths, states):
            mine = [ln for ln in lines if ln.startswith(path + ': ')]
            if st is None:
                check(not any(ln.endswith(': OK') or ln.endswith(' FOUND') for ln in mine),
                      'a verdict printed for the missing file: %r' % mine)
                continue
            check(len(mine) == 1, 'expected one line for %s, got %r' % (path, mine))
            if st == 'OK':
                check(mine[0] == path + ': OK', 'line %r, expected "%s: OK"' % (mine[0], path))
            else:
                v = found_line(mine[0], path)
                check(v and v.startswith('Mugai.Test.'), 'line %r, expected "%s: Mugai.Test.… FOUND"' % (
                    mine[0], path))
    return run


S.add('clean_text', expect([CLEAN], 0, ['OK']))
S.add('clean_pe', expect([PE], 0, ['OK']))
S.add('empty_file', expect([EMPTY], 0, ['OK']))
S.add('eicar', expect([EIC], 1, ['FOUND']))
S.add('eicar_japanese_name', expect([EIC_JA], 1, ['FOUND']))
S.add('eicar_in_zip', expect([EIC_ZIP], 1, ['FOUND']))
S.add('clean_and_found', expect([CLEAN, EIC, PE], 1, ['OK', 'FOUND', 'OK']))
S.add('missing_file', expect([MISSING], 2, [None]))
S.add('missing_and_clean', expect([CLEAN, MISSING], 2, ['OK', None]))
for fn in ('clam.exe', 'clam.zip', 'clam-upx.exe', 'clam.pdf', 'clam.mail', 'clam.tar.gz', 'clam.7z',
           'clam.ole.doc'):
    S.add('testfile_' + fn, expect([os.path.join(TESTFILES, fn)], 1, ['FOUND']))


def all_testfiles():
    files = sorted(os.path.join(TESTFILES, f) for f in os.listdir(TESTFILES))
    code, lines, _ = scan(*files)
    check(code == 1, 'exit %d, expected 1' % code)
    for f in files:
        mine = [ln for ln in lines if ln.startswith(f + ': ')]
        check(len(mine) == 1 and found_line(mine[0], f), 'not found: %s (%r)' % (f, mine))


S.add('all_testfiles', all_testfiles)


def no_database():
    empty = os.path.join(TMP, 'emptydb')
    os.makedirs(empty, exist_ok=True)
    conf = os.path.join(TMP, 'nodb.conf')
    write_conf(conf, empty, os.path.join(TMP, 'q'))
    code, lines, err = scan(CLEAN, conf=conf)
    check(code not in (0, 1), 'exit %d without a usable database (never a silent pass)' % code)
    check(not any(ln.endswith(': OK') for ln in lines), 'OK printed without a database: %r' % lines)
    check(err.strip(), 'no message on stderr')


S.add('no_database', no_database)


def no_paths():
    code, lines, err = scan()
    check(code not in (0, 1), 'exit %d with no PATH' % code)


S.add('no_paths', no_paths)

if __name__ == '__main__':
    import shutil
    try:
        S.main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
