"""A private PostgreSQL cluster for the tests: initdb and pg_ctl in a temporary
folder, listening on 127.0.0.1 only, on a free port, run as an unprivileged
user (initdb refuses root), stopped at exit. Each store gets a database of
its own (fresh_dsn).

MUGAI_TEST_BACKEND=postgresql makes qtest.Store use it (the quarantine suite
runs against both backends: two meson entries).
"""
import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

PG_BIN = os.environ.get('MUGAI_PG_BIN') or sorted(glob.glob('/usr/lib/postgresql/*/bin'))[-1]
PG_USER = 'mugai'
TIMEOUT = 120


def backend():
    return os.environ.get('MUGAI_TEST_BACKEND', 'sqlite')


def _run_as(user):
    """preexec: become USER (a system user without a shell) for initdb/pg_ctl."""
    pw = pwd.getpwnam(user)

    def become():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return become


def _os_user():
    for name in ('_mugai', 'nobody'):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError('no unprivileged user to run PostgreSQL as')


def _free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Cluster:
    """One private cluster; start() waits until it accepts connections."""

    def __init__(self, durable=False):
        self.tmp = tempfile.mkdtemp(prefix='mugai-pg-')
        self.data = os.path.join(self.tmp, 'data')
        self.log = os.path.join(self.tmp, 'postgres.log')
        self.port = _free_port()
        self.user = _os_user() if os.geteuid() == 0 else None
        self.counter = 0
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
        self._pg([os.path.join(PG_BIN, 'initdb'), '-D', self.data, '-U', PG_USER,
                  '--auth=trust', '-E', 'UTF8', '--locale=C', '-N'])
        with open(os.path.join(self.data, 'postgresql.conf'), 'a') as f:
            f.write("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"
                    "max_connections = 200\n" % (self.port, self.tmp))
            if not durable:   # the tests' data is thrown away: no fsync (a shared CI box)
                f.write("fsync = off\nfull_page_writes = off\n")
        self.start()

    def _pg(self, argv):
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT,
                           preexec_fn=_run_as(self.user) if self.user else None, cwd=self.tmp)
        if p.returncode != 0:
            raise RuntimeError('%s: %s' % (' '.join(argv[:2]), p.stdout.decode(errors='replace')))
        return p

    def start(self):
        """pg_ctl -w: returns once the server accepts connections."""
        self._pg([os.path.join(PG_BIN, 'pg_ctl'), '-D', self.data, '-l', self.log, '-w',
                  '-t', str(TIMEOUT), 'start'])

    def stop(self, mode='fast'):
        self._pg([os.path.join(PG_BIN, 'pg_ctl'), '-D', self.data, '-m', mode, '-w', 'stop'])

    def running(self):
        return os.path.exists(os.path.join(self.data, 'postmaster.pid'))

    def dsn(self, db='postgres'):
        return 'host=127.0.0.1 port=%d user=%s dbname=%s' % (self.port, PG_USER, db)

    def psql(self, sql, db='postgres'):
        """Rows of SQL (psql -At), as lists of text."""
        p = subprocess.run([os.path.join(PG_BIN, 'psql'), '-X', '-At', '-F', '\t', '-v',
                            'ON_ERROR_STOP=1', '-d', self.dsn(db), '-c', sql],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        if p.returncode != 0:
            raise RuntimeError('psql: %s' % p.stderr.decode(errors='replace'))
        text = p.stdout.decode('utf-8')
        return [line.split('\t') for line in text.split('\n') if line != '']

    def fresh_dsn(self):
        """A new empty database; its connection string."""
        self.counter += 1
        name = 'mugai_%d_%d' % (os.getpid(), self.counter)
        self.psql('CREATE DATABASE %s' % name)
        return self.dsn(name), name

    def close(self):
        if self.running():
            try:
                self.stop('immediate')
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        if os.environ.get('MUGAI_KEEP'):
            print('# kept %s' % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


_cluster = None


def cluster():
    """The process's cluster, started on first use and stopped at exit."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster()
        atexit.register(_cluster.close)
    return _cluster
