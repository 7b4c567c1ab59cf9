#!/usr/bin/env python3
"""Fidelity of the PDF rebuild on real files: text, look and size, mugai beside
pdftocairo and Ghostscript (issue 13).

Usage: pdf_text.py [--every N] [--timeout S] [--jobs J] [--tools a,b]
                   [--results FILE] CORPUS_DIR [MUGAI]
       pdf_text.py --summary FILE...

CORPUS_DIR holds the PDFs, e.g. pdf.js's test files (Apache-2.0; the files
listed by .link are not in the repository and are not counted):
    git clone --depth 1 https://github.com/mozilla/pdf.js && CORPUS_DIR=pdf.js/test/pdfs
(--every N takes every Nth file by name). MUGAI defaults to $MUGAI or
build/src/cli/mugai. --tools picks among mugai, pdftocairo and gs (all by
default); --jobs runs that many files at once (default 2); --timeout bounds
every command (default 120 s).

For each PDF whose text pdftotext reads (the "text-bearing" ones), the text of
each output is compared with the input's: overlap = characters of the
input's text (white space aside, as a multiset) found in the output's. A
tool that gives no output has overlap 0. Printed per tool: PDFs converted,
removed (with the reasons, grouped), crashed (killed by a signal, or mugai's
renderer child crashed) and timed out; the share of text-bearing PDFs at
overlap >= 0.99 and the distribution of the overlap; the median output/input
size; and the median share of pixels differing by more than a quarter of
the gray scale on page 1 at 36 dpi. --results writes one JSON line per file
and tool, which --summary reads again (several files: later lines for the
same file and tool win, so that one tool can be run again alone).
Nothing else is written outside a temporary folder.
"""
import collections
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

from fidelity_common import overlap, write_conf

TOOLS = ('mugai', 'pdftocairo', 'gs')


def run(cmd, timeout):
    """(returncode or None on timeout, stdout, stderr)."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, b'', b''


def text(pdf, timeout):
    rc, out, _ = run(['pdftotext', '-q', pdf, '-'], timeout)
    return ''.join(out.decode('utf-8', 'replace').split()) if rc is not None else ''


def page1(pdf, tmp, tag, timeout):
    base = os.path.join(tmp, tag)
    rc, _, _ = run(['pdftoppm', '-q', '-r', '36', '-gray', '-f', '1', '-l', '1',
                    '-singlefile', pdf, base], timeout)
    if rc != 0 or not os.path.exists(base + '.pgm'):
        return None
    data = open(base + '.pgm', 'rb').read()
    os.unlink(base + '.pgm')
    _, w, h, _, px = data.split(maxsplit=4)
    return int(w), int(h), px[-int(w) * int(h):]


def differ(a, b):
    if a is None or b is None or a[:2] != b[:2]:
        return 1.0
    return sum(1 for x, y in zip(a[2], b[2]) if abs(x - y) > 64) / len(a[2])


def last_line(err):
    lines = [l for l in err.decode('utf-8', 'replace').splitlines() if l.strip()]
    return lines[-1][:160] if lines else ''


def convert(tool, src, dst, mugai, conf, timeout):
    """(status, reason, output path or None); status: converted, removed,
    crashed or timeout."""
    out = os.path.join(dst, os.path.basename(src))
    if tool == 'mugai':
        rc, so, se = run([mugai, 'files', '-c', conf, '--report', '-', '-o', dst, src], timeout)
        if rc is None:
            return 'timeout', '', None
        if rc < 0:
            return 'crashed', 'signal %d' % -rc, None
        try:
            rep = json.loads(so.decode('utf-8', 'replace').splitlines()[0])
        except (IndexError, ValueError):
            return 'removed', 'no report (exit %d): %s' % (rc, last_line(se)), None
        detail = rep.get('detail') or ''
        if rep.get('action') in ('converted', 'passed') and rep.get('output'):
            return 'converted', '', rep['output']
        if re.search(r'crashed|SIGSYS|without a result', detail):
            return 'crashed', detail[:200], None
        return 'removed', '%s: %s' % (rep.get('reason'), detail[:200]), None
    if tool == 'pdftocairo':
        cmd = ['pdftocairo', '-pdf', src, out]
    else:
        cmd = ['gs', '-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pdfwrite', '-o', out, src]
    rc, _, se = run(cmd, timeout)
    if rc is None:
        return 'timeout', '', None
    if rc < 0:
        return 'crashed', 'signal %d' % -rc, None
    if rc != 0 or not os.path.exists(out) or os.path.getsize(out) == 0:
        return 'removed', 'exit %d: %s' % (rc, last_line(se)), None
    return 'converted', '', out


def one(args):
    name, corpus, tools, mugai, conf, timeout = args
    src = os.path.join(corpus, name)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        want = text(src, timeout)
        ref = page1(src, tmp, 'in', timeout)
        for tool in tools:
            dst = os.path.join(tmp, tool)
            os.makedirs(dst)
            status, reason, out = convert(tool, src, dst, mugai, conf, timeout)
            row = {'file': name, 'tool': tool, 'status': status, 'reason': reason,
                   'in_chars': len(want), 'in_size': os.path.getsize(src)}
            if out is not None:
                row['size'] = os.path.getsize(out) / max(1, os.path.getsize(src))
                row['p1'] = differ(ref, page1(out, tmp, 'out', timeout))
                if want:
                    row['overlap'] = overlap(want, text(out, timeout))
            rows.append(row)
            shutil.rmtree(dst, ignore_errors=True)
    return rows


def bucket(x):
    for edge, label in ((1.0, '1.0'), (0.99, '>=0.99'), (0.9, '0.9-0.99'), (0.5, '0.5-0.9')):
        if x >= edge:
            return label
    return '<0.5'


def reason_group(reason):
    """The reason with numbers and page counts taken out, to group by."""
    r = re.sub(r'page \d+ of \d+', 'page N of M', reason)
    r = re.sub(r'\d+', 'N', r)
    return r[:110]


def summary(rows):
    files = sorted({r['file'] for r in rows})
    bearing = {r['file'] for r in rows if r['in_chars'] > 0}
    tools = [t for t in TOOLS if any(r['tool'] == t for r in rows)]
    print('%d PDFs, %d text-bearing\n' % (len(files), len(bearing)))
    print('| tool | converted | removed | crashed | timed out | text >= 0.99 | '
          'size (median) | p1 differs (median) |')
    print('|---|---|---|---|---|---|---|---|')
    per = {t: [r for r in rows if r['tool'] == t] for t in tools}
    for t in tools:
        c = collections.Counter(r['status'] for r in per[t])
        good = sum(1 for r in per[t] if r['file'] in bearing and r.get('overlap', 0) >= 0.99)
        sizes = [r['size'] for r in per[t] if 'size' in r]
        diffs = [r['p1'] for r in per[t] if 'p1' in r]
        print('| %s | %d | %d | %d | %d | %d/%d | %.2f× | %.2f %% |' % (
            t, c['converted'], c['removed'], c['crashed'], c['timeout'], good, len(bearing),
            statistics.median(sizes) if sizes else 0,
            100 * statistics.median(diffs) if diffs else 0))
    labels = ('1.0', '>=0.99', '0.9-0.99', '0.5-0.9', '<0.5', 'no output')
    print('\nText overlap of the text-bearing PDFs:\n')
    print('| tool | ' + ' | '.join(labels) + ' |')
    print('|---' * (len(labels) + 1) + '|')
    for t in tools:
        c = collections.Counter(bucket(r['overlap']) if 'overlap' in r else 'no output'
                                for r in per[t] if r['file'] in bearing)
        print('| %s | ' % t + ' | '.join(str(c[l]) for l in labels) + ' |')
    print('\nNot converted, by reason:\n')
    for t in tools:
        c = collections.Counter('%s: %s' % (r['status'], reason_group(r['reason']))
                                for r in per[t] if r['status'] != 'converted')
        for reason, n in c.most_common():
            print('- %s, %d: %s' % (t, n, reason))


def main():
    args = sys.argv[1:]
    if args and args[0] == '--summary':
        got = {}
        for path in args[1:]:
            for line in open(path):
                r = json.loads(line)
                got[(r['file'], r['tool'])] = r
        summary(list(got.values()))
        return
    every, timeout, jobs, tools, results = 1, 120, 2, TOOLS, None
    while args and args[0].startswith('--'):
        opt, val = args.pop(0), args.pop(0)
        if opt == '--every':
            every = int(val)
        elif opt == '--timeout':
            timeout = int(val)
        elif opt == '--jobs':
            jobs = int(val)
        elif opt == '--tools':
            tools = tuple(val.split(','))
        elif opt == '--results':
            results = val
        else:
            sys.exit('unknown option ' + opt)
    corpus = args[0]
    mugai = os.path.abspath(args[1] if len(args) > 1
                            else os.environ.get('MUGAI', 'build/src/cli/mugai'))
    files = sorted(f for f in os.listdir(corpus) if f.lower().endswith('.pdf'))[::every]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        conf = write_conf(tmp)
        out = open(results, 'w') if results else None
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
            work = [(n, corpus, tools, mugai, conf, timeout) for n in files]
            for got in pool.map(one, work):
                rows.extend(got)
                if out:
                    for r in got:
                        out.write(json.dumps(r) + '\n')
                    out.flush()
        if out:
            out.close()
    summary(rows)


if __name__ == '__main__':
    main()
