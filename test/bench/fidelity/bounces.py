#!/usr/bin/env python3
"""Real bounce mail through `mugai mail`: how much is delivered, delivered with
parts removed, or withheld, and why (issue 13, item 9).

Usage: bounces.py [--jobs N] [--timeout S] [--list] [CORPUS_DIR] [MUGAI]

The corpus is sisimai's set-of-emails (BSD-2-Clause): 629 bounce reports,
feedback reports and auto-replies from real MTAs and carriers in maildir/bsd/
(Active!Hunter, Exim, Sendmail, Office 365, Gmail, Amazon SES, KDDI, PowerMTA,
Domino ...). Source: https://github.com/sisimai/set-of-emails, measured at
commit 18e585c22288b83c1f6943949cb86b2623b362ce (2025-12-10). Fetch it with

    git clone https://github.com/sisimai/set-of-emails
    (cd set-of-emails && git checkout 18e585c22288b83c1f6943949cb86b2623b362ce)

and pass set-of-emails/maildir/bsd as CORPUS_DIR. Without CORPUS_DIR the
script clones that commit into a temporary folder itself (needs git and the
network). MUGAI defaults to $MUGAI or build/src/cli/mugai; MUGAI_CLAMDB names
a virus database folder (e.g. test/data/clamav) when /var/lib/clamav has none.

Every mail is run through `mugai mail --report` (niced, --jobs at a time) and
sorted by its report: withheld (verdict withheld; grouped by the report's
reason), delivered with parts removed (a part's action is removed or withheld;
grouped by the part's reason and declared type), delivered (everything kept or
converted), or failed (any other exit status: a crash, a temporary failure or
a time-out). The withheld files are listed by name; --list also lists the
files behind each removed-part group. Nothing is written outside a temporary
folder.
"""
import collections
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile

from fidelity_common import write_conf

SOURCE = 'https://github.com/sisimai/set-of-emails'
COMMIT = '18e585c22288b83c1f6943949cb86b2623b362ce'


def fetch(tmp):
    repo = os.path.join(tmp, 'set-of-emails')
    subprocess.run(['git', 'clone', '-q', SOURCE, repo], check=True)
    subprocess.run(['git', '-C', repo, 'checkout', '-q', COMMIT], check=True)
    return os.path.join(repo, 'maildir', 'bsd')


def init():
    os.nice(10)


def one(job):
    mugai, conf, tmp, path, timeout = job
    name = os.path.basename(path)
    report = os.path.join(tmp, name + '.json')
    out = os.path.join(tmp, name + '.out')
    try:
        rc = subprocess.run([mugai, 'mail', '-c', conf, '--report', report, '-o', out, path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return name, 'failed', ['time-out'], []
    try:
        with open(report, encoding='utf-8') as f:
            rep = json.load(f)
    except (OSError, ValueError):
        rep = None
    for p in (report, out):
        if os.path.exists(p):
            os.unlink(p)
    if rc not in (0, 3) or rep is None:
        return name, 'failed', ['exit %d' % rc], []
    if rep['verdict'] == 'withheld':
        return name, 'withheld', ['%s: %s' % (rep.get('reason'), rep.get('detail'))], []
    removed = ['%s (%s)' % (p.get('reason'), p.get('declared_type'))
               for p in rep.get('parts', []) if p.get('action') in ('removed', 'withheld')]
    return name, ('removed' if removed else 'delivered'), removed, []


def table(results):
    kinds = collections.Counter(r[1] for r in results)
    total = len(results)
    print('| verdict | mails |')
    print('|---|---|')
    for kind, label in (('delivered', 'delivered'),
                        ('removed', 'delivered with parts removed'),
                        ('withheld', 'withheld'), ('failed', 'failed (crash, tempfail, time-out)')):
        print('| %s | %d |' % (label, kinds[kind]))
    print('| total | %d |' % total)


def groups(results, kind, title, show):
    by = collections.defaultdict(list)
    for name, k, reasons, _ in results:
        if k == kind:
            for reason in sorted(set(reasons)):
                by[reason].append(name)
    if not by:
        return
    print('\n%s:' % title)
    for reason, names in sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print('  %4d  %s' % (len(names), reason))
        if show:
            for n in sorted(names):
                print('          %s' % n)


def main():
    args = sys.argv[1:]
    jobs, timeout, show = max(1, (os.cpu_count() or 2) - 1), 300, False
    while args and args[0].startswith('--'):
        opt = args.pop(0)
        if opt == '--list':
            show = True
        elif opt == '--jobs':
            jobs = int(args.pop(0))
        elif opt == '--timeout':
            timeout = int(args.pop(0))
        else:
            sys.exit(__doc__)
    mugai = args[1] if len(args) > 1 else os.environ.get('MUGAI', 'build/src/cli/mugai')
    mugai = os.path.abspath(mugai)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args[0] if args else fetch(tmp)
        conf = write_conf(tmp)
        files = sorted(os.path.join(corpus, n) for n in os.listdir(corpus)
                       if os.path.isfile(os.path.join(corpus, n)))
        work = [(mugai, conf, tmp, p, timeout) for p in files]
        with multiprocessing.Pool(jobs, initializer=init) as pool:
            results = sorted(pool.map(one, work, chunksize=4))
    table(results)
    groups(results, 'withheld', 'withheld, by reason', True)
    groups(results, 'failed', 'failed', True)
    groups(results, 'removed', 'parts removed, by reason (declared type)', show)


if __name__ == '__main__':
    main()
