#!/usr/bin/env python3
"""Fidelity of the Office rebuild on real files (issue 13): what `mugai files`
converts, removes (and why) or crashes on, how much text and how many pictures
the output keeps, and its size.

Usage:
  office.py fetch GIT_DIR DEST        extract test-data/ of a clone of Apache POI
  office.py [--jobs N] [--timeout S] [--only ooxml|legacy|odf] [--json FILE]
            [--benign-from FILE] [--every N] CORPUS_DIR [MUGAI]
  office.py table FILE...             the tables again from --json files
  office.py recheck IN OUT [TIMEOUT]  the LibreOffice check again on IN's benign removed files

The corpus is Apache POI's test-data/ (https://github.com/apache/poi,
Apache-2.0); it is not in the tree:
    git clone --depth 1 https://github.com/apache/poi poi
    office.py poi/test-data build/src/cli/mugai
(`fetch` extracts test-data/ from a bare or partial clone blob by blob,
skipping and counting blobs the clone lacks, which `git archive` refuses.)

Every file under CORPUS_DIR named .docx .docm .dotx .xlsx .xlsm .xltx .pptx
.pptm .potx .ppsx, .doc .xls .ppt or .odt .ods .odp is run alone through
`nice -n 10 mugai files --report`, N at a time (default 2), each with a
timeout (default 180 s). Per format it prints:
  converted   the report says converted or passed and the output exists
  removed     removed or withheld (encrypted); split into benign (LibreOffice converts a
              copy of the input to PDF, run niced with a timeout, held to the
              import filter of the file's kind so that its plain-text fallback
              does not count: "opens in LibreOffice") and broken (it does not: the fuzz crashes,
              encrypted and bomb files POI keeps on purpose), and tallied by
              the report's reason
  crashed     no report, an exit status other than 0 or 3, or the timeout
  text        median overlap of the output's text with the input's, and how
              many files reach 0.99 (characters of the input's text, white
              space aside, as a multiset, found in the output's). OOXML text is
              w:t, a:t and the spreadsheet's t (shared and inline strings),
              outside mc:Fallback (the same text again for older readers), the
              glossary (building blocks) and revision logs; ODF text is
              content.xml's. A legacy file (.doc .xls .ppt) has no
              text reader here, so its reference is LibreOffice's own
              conversion of it to the format mugai writes (.docx .xlsx .pptx,
              20 files a start): the overlap says what mugai loses beyond
              LibreOffice, and a legacy file "opens" when that conversion
              succeeds.
  pictures    media entries (*/media/*, Pictures/*) of the output over the
              input's (legacy: over LibreOffice's conversion), summed
  size        median output/input size
Nothing is written outside a temporary folder, except --json (one line per
file). --every N takes every Nth file by path. --benign-from takes the LibreOffice verdicts of an earlier --json of
the same corpus instead of asking LibreOffice again (the slow part).
"""
import collections
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
import zipfile

from fidelity_common import overlap, write_conf

OOXML = ('docx', 'docm', 'dotx', 'xlsx', 'xlsm', 'xltx', 'pptx', 'pptm', 'potx', 'ppsx')
LEGACY = {'doc': 'docx', 'xls': 'xlsx', 'ppt': 'pptx'}
ODF = ('odt', 'ods', 'odp')
TEXT_NS = {
    'http://schemas.openxmlformats.org/wordprocessingml/2006/main',
    'http://schemas.openxmlformats.org/drawingml/2006/main',
    'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
    'http://purl.oclc.org/ooxml/wordprocessingml/main',
    'http://purl.oclc.org/ooxml/drawingml/main',
    'http://purl.oclc.org/ooxml/spreadsheetml/main',
}
# The import filter LibreOffice is held to, so that a file it cannot read as
# its kind does not "open" as plain text (its fallback for anything).
IMPORT = {'docx': 'MS Word 2007 XML', 'docm': 'MS Word 2007 XML', 'dotx': 'MS Word 2007 XML',
          'xlsx': 'Calc MS Excel 2007 XML', 'xlsm': 'Calc MS Excel 2007 XML',
          'xltx': 'Calc MS Excel 2007 XML', 'pptx': 'Impress MS PowerPoint 2007 XML',
          'pptm': 'Impress MS PowerPoint 2007 XML', 'potx': 'Impress MS PowerPoint 2007 XML',
          'ppsx': 'Impress MS PowerPoint 2007 XML', 'odt': 'writer8', 'ods': 'calc8',
          'odp': 'impress8'}
OLE = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
FALLBACK = '{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback'
MAX_PART = 64 << 20     # a part larger than this (uncompressed) is not read
MAX_TEXT = 32 << 20     # text kept per file


def fetch(gitdir, dest):
    tree = subprocess.run(['git', '-C', gitdir, 'ls-tree', '-r', 'HEAD', 'test-data'],
                          stdout=subprocess.PIPE, check=True).stdout.decode()
    head = subprocess.run(['git', '-C', gitdir, 'rev-parse', 'HEAD'],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    got = missing = 0
    for line in tree.splitlines():
        meta, path = line.split('\t', 1)
        _, kind, sha = meta.split()
        if kind != 'blob':
            continue
        blob = subprocess.run(['git', '-C', gitdir, 'cat-file', 'blob', sha],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if blob.returncode != 0:
            missing += 1
            continue
        out = os.path.join(dest, path)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, 'wb') as f:
            f.write(blob.stdout)
        got += 1
    print('commit %s: %d files extracted, %d blobs missing' % (head, got, missing))


def kind_of(name):
    ext = name.rsplit('.', 1)[-1].lower()
    if ext in OOXML or ext in LEGACY or ext in ODF:
        return ext
    return None


def package_text(path):
    """Text and media count of an OOXML/ODF package; (None, None) if unreadable.
    Text a reader shows: not a markup-compatibility fallback (the same text
    again for older readers), not the glossary's building blocks nor the
    revision log."""
    try:
        z = zipfile.ZipFile(path)
        infos = z.infolist()
    except Exception:
        return None, None
    media = sum(1 for i in infos
                if not i.is_dir() and ('/media/' in i.filename or
                                       i.filename.startswith('Pictures/')))
    out, size = [], 0
    for i in infos:
        n = i.filename
        if not n.endswith('.xml') or i.file_size > MAX_PART or size > MAX_TEXT:
            continue
        odf = n == 'content.xml'
        if not odf and (not n.startswith(('word/', 'ppt/', 'xl/')) or
                        n.startswith(('word/glossary/', 'xl/revisions/'))):
            continue
        fallback = 0
        try:
            for event, el in ET.iterparse(z.open(i), events=('start', 'end')):
                if el.tag == FALLBACK:
                    fallback += 1 if event == 'start' else -1
                if event == 'start' or fallback:
                    continue
                if el.text and (odf or (el.tag.endswith('}t') and
                                        el.tag[1:].split('}')[0] in TEXT_NS)):
                    out.append(el.text)
                    size += len(el.text)
                if odf and el.tail:
                    out.append(el.tail)
                el.clear()
        except Exception:
            pass
    return ''.join(''.join(out).split()), media


class Runner:
    def __init__(self, mugai, tmp, timeout):
        self.mugai, self.tmp, self.timeout = mugai, tmp, timeout
        self.conf = write_conf(tmp)
        self.local = threading.local()
        self.count = 0
        self.lock = threading.Lock()
        self.refs = {}
        self.known = {}     # file -> benign, from --benign-from

    def slot(self):
        """A folder of this thread's own (LibreOffice profile, outputs)."""
        if not hasattr(self.local, 'dir'):
            with self.lock:
                self.count += 1
                self.local.dir = os.path.join(self.tmp, 'w%d' % self.count)
            os.makedirs(self.local.dir)
        return self.local.dir

    def soffice(self, srcs, fmt, outdir, timeout=None, infilter=None):
        """LibreOffice's conversion of each of SRCS to FMT in OUTDIR, in one start:
        the outputs (None where there is none), or None after the timeout."""
        prof = os.path.join(self.slot(), 'profile')
        os.makedirs(outdir, exist_ok=True)
        cmd = ['nice', '-n', '10', 'soffice', '-env:UserInstallation=file://' + prof,
               '--headless', '--norestore', '--convert-to', fmt, '--outdir', outdir]
        if infilter:
            cmd.append('--infilter=' + infilter)
        cmd += srcs
        try:
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
            p.wait(timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            return None
        outs = []
        for src in srcs:
            out = os.path.join(outdir, os.path.splitext(os.path.basename(src))[0] + '.' + fmt)
            outs.append(out if os.path.exists(out) and os.path.getsize(out) > 0 else None)
        return outs

    def opens(self, src, outdir):
        """Whether LibreOffice converts SRC to PDF, read as its kind (OOXML,
        ODF) or, for a legacy file, as an OLE compound file."""
        ext = kind_of(src)
        if ext in LEGACY:
            with open(src, 'rb') as f:
                if f.read(8) != OLE:
                    return False
        outs = self.soffice([src], 'pdf', outdir, infilter=IMPORT.get(ext))
        return bool(outs and outs[0])

    def reference(self, batch):
        """LibreOffice's own conversion of the legacy files of BATCH (one
        format) to what mugai writes: {file: path or None}; a batch that passes
        the timeout gives no reference (its files are checked one by one)."""
        k, files = batch
        ext = kind_of(files[0])
        work = os.path.join(self.tmp, 'ref%d' % k)
        os.makedirs(work)
        copies = []
        for i, f in enumerate(files):
            copies.append(os.path.join(work, 'f%d.%s' % (i, ext)))
            shutil.copyfile(f, copies[-1])
        outs = self.soffice(copies, LEGACY[ext], os.path.join(work, 'out'),
                            self.timeout * 2)
        if outs is None:
            return {}
        return dict(zip(files, outs))

    def one(self, src):
        ext = kind_of(src)
        work = os.path.join(self.slot(), 'job')
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        # A plain name: the corpus has names LibreOffice or a shell would trip on.
        copy = os.path.join(work, 'input.' + ext)
        shutil.copyfile(src, copy)
        rec = {'file': src, 'format': ext, 'size': os.path.getsize(src)}
        outdir = os.path.join(work, 'out')
        cmd = ['nice', '-n', '10', self.mugai, 'files', '-c', self.conf, '-o', outdir,
               '--report=' + os.path.join(work, 'report.json'), copy]
        try:
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
            rc = p.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            rec.update(result='crashed', reason='timeout')
            return rec
        try:
            report = json.loads(open(os.path.join(work, 'report.json')).readline())
        except (OSError, ValueError):
            report = None
        if rc not in (0, 3) or report is None:
            rec.update(result='crashed', reason='exit status %d' % rc)
            return rec
        out = report.get('output')
        rec['action'] = report.get('action')
        rec['reason'] = report.get('reason')
        rec['detail'] = report.get('detail')
        if report.get('action') in ('converted', 'passed') and out and os.path.exists(out):
            rec['result'] = 'converted'
            rec['out_size'] = os.path.getsize(out)
            self.measure(rec, copy, out, work)
        else:
            rec['result'] = 'removed'
            if src in self.known:
                rec['benign'] = self.known[src]
            elif src in self.refs:
                with open(src, 'rb') as f:
                    rec['benign'] = self.refs[src] is not None and f.read(8) == OLE
            else:
                rec['benign'] = self.opens(copy, os.path.join(work, 'lo'))
        return rec

    def measure(self, rec, copy, out, work):
        if rec['format'] in LEGACY:
            ref = self.refs.get(rec['file'])
            want, media_in = package_text(ref) if ref else (None, None)
        else:
            want, media_in = package_text(copy)
        got, media_out = package_text(out)
        if want:
            rec['overlap'] = overlap(want, got or '')
        if media_in is not None:
            rec['media_in'], rec['media_out'] = media_in, media_out or 0


def family(ext):
    return 'OOXML' if ext in OOXML else 'ODF' if ext in ODF else 'legacy'


def table(recs):
    by = collections.defaultdict(list)
    for r in recs:
        by[r['format']].append(r)
    print('| format | files | converted | removed (benign) | crashed/timeout | '
          'text >= 0.99 | text (median) | pictures kept | size (median) |')
    print('|---|---|---|---|---|---|---|---|---|')
    order = sorted(by, key=lambda e: (family(e) != 'OOXML', family(e), e))
    rows = [(e, by[e]) for e in order]
    for fam in ('OOXML', 'legacy', 'ODF'):
        rs = [r for r in recs if family(r['format']) == fam]
        if rs:
            rows.append(('all ' + fam, rs))
    for name, rs in rows:
        conv = [r for r in rs if r['result'] == 'converted']
        rem = [r for r in rs if r['result'] == 'removed']
        ov = [r['overlap'] for r in conv if 'overlap' in r]
        pics = [r for r in conv if 'media_in' in r]
        sizes = [r['out_size'] / max(1, r['size']) for r in conv]
        print('| %s | %d | %d | %d (%d) | %d | %s | %s | %s | %s |' % (
            name, len(rs), len(conv), len(rem), sum(r['benign'] for r in rem),
            sum(r['result'] == 'crashed' for r in rs),
            '%d/%d' % (sum(o >= 0.99 for o in ov), len(ov)) if ov else '-',
            '%.3f' % statistics.median(ov) if ov else '-',
            '%d/%d' % (sum(r['media_out'] for r in pics), sum(r['media_in'] for r in pics))
            if pics else '-',
            '%.2f×' % statistics.median(sizes) if sizes else '-'))
    reasons = collections.Counter((family(r['format']), r['benign'], r['action'], r['reason'])
                                  for r in recs if r['result'] == 'removed')
    print('\nRemoved, by reason (benign = LibreOffice opens it):\n')
    print('| family | benign | action | files | reason |')
    print('|---|---|---|---|---|')
    for (fam, benign, action, reason), n in sorted(
            reasons.items(), key=lambda x: (x[0][0], not x[0][1], x[0][2], -x[1])):
        print('| %s | %s | %s | %d | %s |' % (fam, 'yes' if benign else 'no', action, n, reason))
    crashed = [r for r in recs if r['result'] == 'crashed']
    if crashed:
        print('\nCrashed or timed out:\n')
        for r in crashed:
            print('- %s: %s' % (os.path.basename(r['file']), r['reason']))
    benign = [r for r in recs if r['result'] == 'removed' and r['benign']]
    if benign:
        print('\nBenign files removed:\n')
        for r in benign:
            print('- %s: %s: %s (%s)' % (os.path.basename(r['file']), r['action'], r['reason'],
                                         r.get('detail')))


def recheck(src, dst, timeout):
    """The benign check again on the files of the --json file SRC that were
    removed and found benign (by an earlier, looser check)."""
    recs = [json.loads(line) for line in open(src)]
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner('mugai', tmp, int(timeout or 180))

        def check(rec):
            if rec['result'] == 'removed' and rec.get('benign'):
                work = os.path.join(runner.slot(), 'job')
                shutil.rmtree(work, ignore_errors=True)
                os.makedirs(work)
                copy = os.path.join(work, 'input.' + rec['format'])
                shutil.copyfile(rec['file'], copy)
                rec['benign'] = runner.opens(copy, os.path.join(work, 'lo'))
            return rec
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            recs = list(pool.map(check, recs))
    with open(dst, 'w') as f:
        for rec in recs:
            f.write(json.dumps(rec, ensure_ascii=False) + '\n')


def main():
    args = sys.argv[1:]
    if args[:1] == ['fetch']:
        fetch(args[1], args[2])
        return
    if args[:1] == ['recheck']:
        recheck(args[1], args[2], args[3] if len(args) > 3 else None)
        return
    if args[:1] == ['table']:
        table([json.loads(l) for f in args[1:] for l in open(f)])
        return
    jobs, timeout, only, dump, known, every = 2, 180, None, None, {}, 1
    while args and args[0].startswith('--'):
        opt, val = args.pop(0), args.pop(0)
        if opt == '--jobs':
            jobs = int(val)
        elif opt == '--timeout':
            timeout = int(val)
        elif opt == '--only':
            only = val
        elif opt == '--json':
            dump = val
        elif opt == '--every':
            every = int(val)
        elif opt == '--benign-from':
            known = {r['file']: r['benign'] for r in map(json.loads, open(val))
                     if 'benign' in r}
        else:
            sys.exit('unknown option ' + opt)
    corpus = args[0]
    mugai = os.path.abspath(args[1] if len(args) > 1 else
                            os.environ.get('MUGAI', 'build/src/cli/mugai'))
    files = []
    for root, _, names in os.walk(corpus):
        for n in names:
            ext = kind_of(n)
            if ext and only in (None, family(ext).lower()):
                files.append(os.path.join(root, n))
    files = sorted(files)[::every]
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(mugai, tmp, timeout)
        runner.known = known
        out = open(dump, 'w') if dump else None
        recs = []
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            batches = []
            for ext in LEGACY:
                same = [f for f in files if kind_of(f) == ext]
                batches += [same[i:i + 20] for i in range(0, len(same), 20)]
            for refs in pool.map(runner.reference, enumerate(batches)):
                runner.refs.update(refs)
            for rec in pool.map(runner.one, files):
                recs.append(rec)
                if out:
                    out.write(json.dumps(rec, ensure_ascii=False) + '\n')
                    out.flush()
    print('%d files under %s\n' % (len(recs), corpus))
    table(recs)


if __name__ == '__main__':
    main()
