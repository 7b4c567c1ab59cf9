#!/bin/bash
# run-archive.sh - the archive and `mugai files` benchmark: a release build,
# the test virus database, a generated mixed archive and a generated tree.
# Compares, in the same run, mugai with extraction alone (7z x, unzip) and a
# plain copy (cp -r). Prints Markdown. Usage: bash test/bench/run-archive.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
[ -d build-release ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release src/cli/mugai >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
MUGAI=$PWD/build-release/src/cli/mugai SRCDIR=$PWD WORK=$work ROUNDS=$ROUNDS python3 - <<'PY'
import os, resource, statistics, subprocess, sys, time
src, work, rounds, mugai = os.environ['SRCDIR'], os.environ['WORK'], int(os.environ['ROUNDS']), os.environ['MUGAI']
sys.path.insert(0, os.path.join(src, 'test', 'gen'))
import archives as A, mime

# A mixed corpus, as municipal mail carries it: Japanese text in UTF-8 and
# Shift_JIS, CSV, PNG, PDF, Word, executables (removed), a nested ZIP.
def corpus():
    line = '令和7年度 予算要求資料（総務課）①髙﨑～ 第%d項\n'
    for i in range(120):
        text = ''.join(line % k for k in range(40 + i * 3))
        yield 'テキスト/文書%03d.txt' % i, text.encode('cp932' if i % 2 else 'utf-8')
    for i in range(40):
        yield '集計/表%02d.csv' % i, ''.join('%d,りんご,%d\n' % (k, k * 3) for k in range(400)).encode()
    for i in range(20):
        yield '画像/図%02d.png' % i, mime.make_png('p%d' % i)
    for i in range(10):
        yield 'PDF/資料%02d.pdf' % i, mime.make_pdf('d%d' % i)
    for i in range(6):
        yield 'Word/報告%02d.docx' % i, mime.make_docm('w%d' % i)
    for i in range(4):
        yield 'bin/tool%d.exe' % i, mime.make_pe('e%d' % i)
    yield '入れ子/inner.zip', mime.make_zip([('a%d.txt' % k, b'inner %d\n' % k) for k in range(20)])

members = list(corpus())
unpacked = sum(len(d) for _, d in members)
archive = os.path.join(work, 'mixed.zip')
with open(archive, 'wb') as f:
    f.write(A.zip_raw_names([(n.encode(), d) for n, d in members]))
texts = [(n, d) for n, d in members if n.endswith(('.txt', '.csv'))]
text_archive = os.path.join(work, 'text.zip')
with open(text_archive, 'wb') as f:
    f.write(A.zip_raw_names([(n.encode(), d) for n, d in texts]))
tree = os.path.join(work, 'tree')
for n, d in members:
    p = os.path.join(tree, n)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'wb').write(d)
conf = os.path.join(work, 'mugai.conf')
open(conf, 'w').write('[clamav]\ndatabase = %s/test/data/clamav\n[quarantine]\ndirectory = %s/q\n'
                      % (src, work))

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argv, out):
    """Median wall and CPU seconds of ROUNDS runs of ARGV (OUT removed before each)."""
    wall, used = [], []
    for _ in range(rounds):
        subprocess.run(['rm', '-rf', out])
        t, c = time.perf_counter(), cpu()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append(time.perf_counter() - t)
        used.append(cpu() - c)
        if p.returncode not in (0, 3):
            sys.exit('%s: exit %d' % (argv[0], p.returncode))
    return statistics.median(wall), statistics.median(used)

os.makedirs(os.path.join(work, 'cp-target'), exist_ok=True)
one = os.path.join(work, 'one.txt')
open(one, 'w').write('start-up only\n')
n, mb = len(members), unpacked / 1e6
tmb = sum(len(d) for _, d in texts) / 1e6
files = [mugai, 'files', '-c', conf, '-o']
start = timed(files + [work + '/o0', one], work + '/o0')
rows = [
    ('mugai files mixed.zip (scan, classify, sanitise, repack)',
     timed(files + [work + '/o1', archive], work + '/o1'), n, mb),
    ('7z x mixed.zip (extraction only)',
     timed(['7z', 'x', '-y', '-bd', '-o' + work + '/o2', archive], work + '/o2'), n, mb),
    ('unzip mixed.zip (extraction only)',
     timed(['unzip', '-qo', archive, '-d', work + '/o3'], work + '/o3'), n, mb),
    ('mugai files text.zip (the %d text and CSV members)' % len(texts),
     timed(files + [work + '/o6', text_archive], work + '/o6'), len(texts), tmb),
    ('7z x text.zip (extraction only)',
     timed(['7z', 'x', '-y', '-bd', '-o' + work + '/o7', text_archive], work + '/o7'), len(texts),
     tmb),
    ('mugai files on the unpacked tree (%d files)' % n,
     timed(files + [work + '/o4', tree], work + '/o4'), n, mb),
    ('cp -r of the same tree', timed(['cp', '-r', tree, work + '/o5'], work + '/o5'), n, mb),
]
print('Load average at the end: %.1f %.1f %.1f (%d CPUs).' % (os.getloadavg() + (os.cpu_count(),)))
print('Corpus: %d members (120 text in UTF-8 and Shift_JIS, 40 CSV, 20 PNG, 10 PDF, 6 Word, '
      '4 exe, 1 nested ZIP of 20 texts), %.1f MB unpacked, mixed.zip %.2f MB; median of %d '
      'runs.\n' % (n, mb, os.path.getsize(archive) / 1e6, rounds))
print('`mugai files` start-up (engine, magic, filters; one small file): %.3f s wall, %.3f s CPU.'
      % start)
print('"per CPU s" divides by the CPU time of the run less that start-up (mugai rows).\n')
print('| what | wall s | CPU s | files/s (wall) | MB/s (wall) | files per CPU s |')
print('|---|---|---|---|---|---|')
for what, (secs, used), count, size in rows:
    work_cpu = used - start[1] if what.startswith('mugai') else used
    print('| %s | %.3f | %.3f | %.0f | %.2f | %.0f |' % (what, secs, used, count / secs,
                                                       size / secs, count / max(work_cpu, 1e-3)))
PY
