#!/usr/bin/env python3
"""`mugai files` on several legacy Office files in one run: one LibreOffice
is kept running ([office] libreoffice_reuse) and converts them one after
another, each from a fresh folder.

The LibreOffice program is a logging wrapper around the real soffice, so the
cases can see how many LibreOffice instances were started and whether a
document went to the running one or to one of its own. They assert what a
user sees: every file converted with its own text and none of another's, a
document that hangs removed for the time limit while the next one still
converts, a LibreOffice that cannot start replaced by one per document (the
log says so), and nothing of LibreOffice left running or on disk afterwards.
"""
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import CLAMDB, MUGAI, SRCDIR, TIMEOUT, Suite, _track, check, write_conf  # noqa: E402

DATA = os.path.join(SRCDIR, 'test', 'data', 'office')
SOFFICE = shutil.which('soffice') or '/usr/bin/soffice'
HANG = 'sleep 4247'   # what the wrapper runs for a document that hangs

S = Suite('office_warm')

WRAPPER = r'''#!/bin/sh
# LibreOffice for the test: logs what it is asked to do, then runs soffice.
log=@LOG@
case " $* " in
*" --convert-to "*)
  for last; do :; done
  case "$*" in *mugai-office-warm-*) echo client >> "$log" ;; *) echo cold >> "$log" ;; esac
  if [ @HANG@ = 1 ] && grep -q HANG-ME "$last"; then @SLEEP@; fi ;;
*)
  echo instance >> "$log"
  if [ @FAILSTART@ = 1 ]; then exit 1; fi ;;
esac
exec @SOFFICE@ "$@"
'''


def rtf(text):
    return ('{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\\f0 %s\\par }' % text).encode('ascii')


class Setup:
    """A folder of inputs, a wrapper LibreOffice, a private [sandbox]
    tmp_directory and a log the wrapper (run as the worker user) can write."""

    def __init__(self, hang=False, failstart=False):
        self.tmp = tempfile.mkdtemp(prefix='mugai-warm-')
        _track(self.tmp)
        os.chmod(self.tmp, 0o755)
        self.inp = os.path.join(self.tmp, 'in')
        os.mkdir(self.inp)
        self.sbx = os.path.join(self.tmp, 'sandbox-tmp')
        os.mkdir(self.sbx)
        os.chmod(self.sbx, 0o1777)
        logdir = os.path.join(self.tmp, 'log')
        os.mkdir(logdir)
        os.chmod(logdir, 0o777)
        self.log = os.path.join(logdir, 'soffice.log')
        self.wrapper = os.path.join(self.tmp, 'soffice')
        with open(self.wrapper, 'w') as f:
            f.write(WRAPPER.replace('@LOG@', self.log).replace('@HANG@', '1' if hang else '0')
                    .replace('@FAILSTART@', '1' if failstart else '0')
                    .replace('@SLEEP@', HANG).replace('@SOFFICE@', SOFFICE))
        os.chmod(self.wrapper, 0o755)

    def add(self, name, data):
        with open(os.path.join(self.inp, name), 'wb') as f:
            f.write(data)

    def run(self, timeout=60):
        cpath = os.path.join(self.tmp, 'mugai.conf')
        write_conf(cpath, CLAMDB, os.path.join(self.tmp, 'q'), {
            'office': {'libreoffice': self.wrapper, 'libreoffice_timeout': str(timeout),
                       'libreoffice_reuse': '20'},
            'sandbox': {'tmp_directory': self.sbx}})
        self.out = os.path.join(self.tmp, 'out')
        p = subprocess.run([MUGAI, 'files', '-c', cpath, '--report', os.path.join(self.tmp, 'r.jsonl'),
                            '-o', self.out, self.inp], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.rc, self.err = p.returncode, p.stderr.decode('utf-8', 'replace')
        return self

    def calls(self):
        if not os.path.exists(self.log):
            return []
        return open(self.log).read().split()

    def package_text(self, name):
        """All XML of the converted package NAME (under OUTDIR/in)."""
        path = os.path.join(self.out, 'in', name)
        check(os.path.exists(path), '%s was not written; rc=%s stderr=%s; out: %r' % (
            name, self.rc, self.err[-400:], sorted(os.listdir(os.path.join(self.out, 'in')))
            if os.path.isdir(os.path.join(self.out, 'in')) else None))
        z = zipfile.ZipFile(io.BytesIO(open(path, 'rb').read()))
        return b''.join(z.read(n) for n in z.namelist() if n.endswith('.xml')).decode('utf-8', 'replace')

    def check_nothing_left(self):
        left = [n for n in os.listdir(self.sbx) if n.startswith('mugai-office')]
        check(not left, 'LibreOffice folders left in the tmp_directory: %r' % left)
        ps = subprocess.run(['pgrep', '-f', self.sbx], stdout=subprocess.PIPE).stdout.strip()
        check(not ps, 'processes of the warm LibreOffice still run: %r' % ps)


def check_own_text(st, outputs):
    """OUTPUTS: output name -> its sentinel. Each output has its own and no other's."""
    for name, own in outputs.items():
        text = st.package_text(name)
        check(own in text, '%s lacks its own text %r' % (name, own))
        for other_name, other in outputs.items():
            if other_name != name:
                check(other not in text, "%s carries %s's text %r" % (name, other_name, other))


@S.case
def test_warm_several_documents(name='warm_several'):
    """Six legacy files (four RTF, a .doc, an .xls) in one run: all converted
    by one LibreOffice started once, each output with its own text only."""
    st = Setup()
    outputs = {}
    for letter in 'ABCD':
        st.add('r%s.rtf' % letter, rtf('warm-%s-sentinel' % letter))
        outputs['r%s.docx' % letter] = 'warm-%s-sentinel' % letter
    shutil.copy(os.path.join(DATA, 'legacy.doc'), os.path.join(st.inp, 'minutes.doc'))
    shutil.copy(os.path.join(DATA, 'legacy.xls'), os.path.join(st.inp, 'members.xls'))
    outputs['minutes.docx'] = 'legacy-doc-sentinel'
    outputs['members.xlsx'] = 'legacy-xls-sentinel'
    st.run()
    check(st.rc == 0, 'rc=%s stderr=%s' % (st.rc, st.err[-600:]))
    check_own_text(st, outputs)
    calls = st.calls()
    check(calls.count('instance') == 1 and calls.count('client') == 6 and 'cold' not in calls,
          'expected one LibreOffice started and six documents handed to it: %r' % calls)
    check('LibreOffice of its own' not in st.err, 'a fallback happened: %s' % st.err[-600:])
    st.check_nothing_left()


@S.case
def test_warm_hang_is_recycled(name='warm_hang'):
    """The second of three documents hangs: it is removed at
    libreoffice_timeout, its LibreOffice is replaced (and killed with what it
    started), and the third document still converts with its own text."""
    st = Setup(hang=True)
    st.add('a.rtf', rtf('warm-first-sentinel'))
    st.add('b.rtf', rtf('HANG-ME warm-hang-sentinel'))
    st.add('c.rtf', rtf('warm-third-sentinel'))
    st.run(timeout=30)
    check(st.rc == 3, 'rc=%s (expected 3: one file removed) stderr=%s' % (st.rc, st.err[-600:]))
    check_own_text(st, {'a.docx': 'warm-first-sentinel', 'c.docx': 'warm-third-sentinel'})
    check(not os.path.exists(os.path.join(st.out, 'in', 'b.docx')), 'the hanging document was written')
    report = open(os.path.join(st.tmp, 'r.jsonl'), encoding='utf-8').read()
    check('libreoffice_timeout' in report, 'no time-limit reason in the report: %s' % report[-800:])
    calls = st.calls()
    check(calls.count('instance') >= 2, 'the LibreOffice was not replaced after the hang: %r' % calls)
    left = subprocess.run(['pgrep', '-f', HANG], stdout=subprocess.PIPE).stdout.strip()
    check(not left, 'the hanging converter was not killed: %r' % left)
    st.check_nothing_left()


@S.case
def test_warm_fallback(name='warm_fallback'):
    """A LibreOffice that cannot be kept running: each document is converted
    by a LibreOffice of its own, and the log says so."""
    st = Setup(failstart=True)
    st.add('a.rtf', rtf('warm-fallback-a'))
    st.add('b.rtf', rtf('warm-fallback-b'))
    st.run()
    check(st.rc == 0, 'rc=%s stderr=%s' % (st.rc, st.err[-600:]))
    check_own_text(st, {'a.docx': 'warm-fallback-a', 'b.docx': 'warm-fallback-b'})
    check(st.calls().count('cold') == 2, 'expected two one-document runs: %r' % st.calls())
    check('converted by a LibreOffice of its own' in st.err,
          'the fallback is not in the log: %s' % st.err[-600:])
    st.check_nothing_left()


if __name__ == '__main__':
    S.main()
