#!/usr/bin/env python3
"""run-store.py [ITEMS...] - the quarantine store on SQLite and on PostgreSQL.

Runs bench_store (held-mail stores per second, list queries of 50 rows with
filters) at each index size (default 10^4 and 10^5) on both backends: SQLite
in a temporary directory, PostgreSQL in a private cluster on 127.0.0.1 with
fsync on (pgtest.py). Prints Markdown; figures go to doc/PERFORMANCE.md.
Not a test. Run as root (the cluster runs as _mugai or nobody):

    MUGAI_BUILDDIR=build test/bench/run-store.py 10000 100000
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import pgtest  # noqa: E402

BUILD = os.environ.get('MUGAI_BUILDDIR', os.path.join(HERE, '..', '..', 'build'))
BENCH = os.path.join(BUILD, 'test', 'bench', 'bench_store')
STORES = int(os.environ.get('MUGAI_BENCH_STORES', '200'))


def run(conf, items):
    p = subprocess.run([BENCH, conf, str(items), str(STORES)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=7200)
    if p.returncode != 0:
        sys.exit('bench_store: %s' % p.stderr.decode(errors='replace'))
    return p.stdout.decode()


def sizing(pg, db, items):
    """Bytes per row of each table (with its indexes and TOAST), and per held mail."""
    print('\n| table | rows | bytes | bytes per row |\n|---|---|---|---|')
    per_mail = 0
    for table in ('items', 'item_reasons', 'objects', 'audit_log'):
        rows, size = pg.psql("SELECT count(*), pg_total_relation_size('%s') FROM %s"
                             % (table, table), db)[0]
        rows, size = int(rows), int(size)
        print('| %s | %d | %d | %.0f |' % (table, rows, size, size / max(rows, 1)))
        per_mail += size / max(rows, 1) * (2 if table == 'objects' else 1)
    print('\nabout %.0f bytes per held mail of ~20 KB (2 objects, 1 item, 1 reason,'
          ' 1 audit row)' % per_mail)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [10000, 100000]
    tmp = tempfile.mkdtemp(prefix='mugai-bench-store-')
    pg = pgtest.Cluster(durable=True)
    try:
        for items in sizes:
            for backend in ('sqlite', 'postgresql'):
                conf = os.path.join(tmp, '%s-%d.conf' % (backend, items))
                lines = ['[quarantine]', 'directory = %s' % os.path.join(tmp, 'q-%s-%d' % (
                    backend, items))]
                if backend == 'postgresql':
                    dsn, db = pg.fresh_dsn()
                    lines += ['backend = postgresql', 'dsn = %s' % dsn]
                with open(conf, 'w') as f:
                    f.write('\n'.join(lines) + '\n')
                if backend == 'postgresql':
                    subprocess.run([os.path.join(BUILD, 'src', 'cli', 'mugai'), 'quarantine',
                                    'migrate', '-c', conf], check=True,
                                   stdout=subprocess.DEVNULL)
                print('\n### %s, %d items\n\n| what | n | result | |\n|---|---|---|---|'
                      % (backend, items))
                sys.stdout.write(run(conf, items))
                if backend == 'postgresql':
                    sizing(pg, db, items)
                sys.stdout.flush()
    finally:
        pg.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
