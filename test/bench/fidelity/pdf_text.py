#!/usr/bin/env python3
"""Fidelity of the PDF rebuild on real files: text, look and size, mugai beside
pdftocairo and Ghostscript (issue 13).

Usage: pdf_text.py [--every N] [--timeout S] CORPUS_DIR [MUGAI]

CORPUS_DIR holds the PDFs, e.g. pdf.js's test files (Apache-2.0):
    git clone --depth 1 https://github.com/mozilla/pdf.js && CORPUS_DIR=pdf.js/test/pdfs
(--every N takes every Nth file by name). MUGAI defaults to $MUGAI or
build/src/cli/mugai. For each PDF whose text pdftotext reads (the
"text-bearing" ones), the text of each output is compared with the input's:
overlap = characters of the input's text (white space aside, as a multiset)
found in the output's. Printed: per tool, PDFs converted / failed, the share
of text-bearing PDFs at overlap >= 0.99, the median output/input size, and
the median share of pixels differing by more than a quarter of the gray scale
on page 1 at 36 dpi. Nothing is written outside a temporary folder.
"""
import collections
import os
import statistics
import subprocess
import sys
import tempfile


def run(cmd, timeout):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              timeout=timeout).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def text(pdf, timeout):
    try:
        p = subprocess.run(['pdftotext', '-q', pdf, '-'], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ''
    return ''.join(p.stdout.decode('utf-8', 'replace').split())


def overlap(a, b):
    ca, cb = collections.Counter(a), collections.Counter(b)
    return sum(min(n, cb[c]) for c, n in ca.items()) / max(1, sum(ca.values()))


def page1(pdf, tmp, tag, timeout):
    base = os.path.join(tmp, tag)
    if not run(['pdftoppm', '-q', '-r', '36', '-gray', '-f', '1', '-l', '1', '-singlefile',
                pdf, base], timeout):
        return None
    data = open(base + '.pgm', 'rb').read()
    _, w, h, _, px = data.split(maxsplit=4)
    return int(w), int(h), px[-int(w) * int(h):]


def differ(a, b):
    if a is None or b is None or a[:2] != b[:2]:
        return 1.0
    return sum(1 for x, y in zip(a[2], b[2]) if abs(x - y) > 64) / len(a[2])


def tools(mugai, conf):
    return {
        'mugai': lambda src, dst, t: run([mugai, 'files', '-c', conf, '-o', dst, src], t),
        'pdftocairo': lambda src, dst, t: run(['pdftocairo', '-pdf', src,
                                               os.path.join(dst, os.path.basename(src))], t),
        'gs': lambda src, dst, t: run(['gs', '-q', '-dSAFER', '-dBATCH', '-dNOPAUSE',
                                       '-sDEVICE=pdfwrite', '-o',
                                       os.path.join(dst, os.path.basename(src)), src], t),
    }


def main():
    args = sys.argv[1:]
    every, timeout = 1, 120
    while args and args[0].startswith('--'):
        opt, val = args.pop(0), args.pop(0)
        every, timeout = (int(val), timeout) if opt == '--every' else (every, int(val))
    corpus = args[0]
    mugai = args[1] if len(args) > 1 else os.environ.get('MUGAI', 'build/src/cli/mugai')
    files = sorted(f for f in os.listdir(corpus) if f.lower().endswith('.pdf'))[::every]
    stats = {t: {'ok': 0, 'failed': 0, 'good': 0, 'sizes': [], 'diffs': []} for t in
             ('mugai', 'pdftocairo', 'gs')}
    bearing = 0
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, 'mugai.conf')
        with open(conf, 'w') as f:
            f.write('[quarantine]\ndirectory = %s\n' % os.path.join(tmp, 'q'))
            db = os.environ.get('MUGAI_CLAMDB')
            if db:
                f.write('[clamav]\ndatabase = %s\n' % db)
        for name in files:
            src = os.path.join(corpus, name)
            want = text(src, timeout)
            bearing += bool(want)
            ref = page1(src, tmp, 'in', timeout)
            for tool, convert in tools(mugai, conf).items():
                dst = os.path.join(tmp, tool)
                os.makedirs(dst, exist_ok=True)
                out = os.path.join(dst, name)
                if os.path.exists(out):
                    os.unlink(out)
                s = stats[tool]
                if not convert(src, dst, timeout) or not os.path.exists(out):
                    s['failed'] += 1
                    continue
                s['ok'] += 1
                s['sizes'].append(os.path.getsize(out) / max(1, os.path.getsize(src)))
                s['diffs'].append(differ(ref, page1(out, tmp, 'out', timeout)))
                if want and overlap(want, text(out, timeout)) >= 0.99:
                    s['good'] += 1
    print('%d PDFs, %d text-bearing' % (len(files), bearing))
    print('%-11s %9s %7s %18s %12s %14s' % ('tool', 'converted', 'failed', 'text >= 0.99',
                                           'size (med)', 'p1 differs'))
    for tool, s in stats.items():
        print('%-11s %9d %7d %12d/%-5d %11.2fx %13.2f%%' % (
            tool, s['ok'], s['failed'], s['good'], bearing,
            statistics.median(s['sizes']) if s['sizes'] else 0,
            100 * statistics.median(s['diffs']) if s['diffs'] else 0))


if __name__ == '__main__':
    main()
