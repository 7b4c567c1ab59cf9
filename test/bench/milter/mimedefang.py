"""mimedefang.py - MIMEDefang (Debian's `mimedefang` package) as a benchmark
peer: mimedefang-multiplexor and the mimedefang milter in the foreground, as
the unprivileged user `defang` the package creates, with the filter next to
this file (text/plain and text/html parts kept, every other part removed),
a spool of their own in the relay's work directory, and the milter on TCP
127.0.0.1 or on a unix socket. Everything started here is stopped by pid.
"""

import os
import shutil
import subprocess

import harness
import peer

USER = "defang"
MULTIPLEXOR = shutil.which("mimedefang-multiplexor") or "/usr/bin/mimedefang-multiplexor"
MIMEDEFANG = shutil.which("mimedefang") or "/usr/bin/mimedefang"
FILTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mimedefang-filter")
INSTALL = "apt-get install mimedefang libnet-dns-perl"


def missing():
    """Why MIMEDefang cannot run here, or None."""
    for prog in (MULTIPLEXOR, MIMEDEFANG):
        if not os.access(prog, os.X_OK):
            return "%s missing (%s)" % (prog, INSTALL)
    check = subprocess.run(["mimedefang.pl", "-f", FILTER, "-test"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    if check.returncode != 0:
        return "mimedefang.pl cannot load the filter (%s):\n%s" % (INSTALL, check.stdout.decode())
    return None


class MimeDefang(peer.Peer):
    """The multiplexor (Debian's defaults: embedded Perl, 2 to 10 workers)
    and the milter; procs lists the multiplexor first, the milter last, as
    cpu.py expects (front = the milter, workers = the multiplexor's tree)."""

    unix = False

    def __init__(self, workdir):
        super().__init__(workdir, "mimedefang")
        self.spool = os.path.join(self.dir, "spool")
        os.makedirs(self.spool)
        shutil.chown(self.spool, USER, USER)
        os.chmod(self.spool, 0o750)
        self.mx_socket = os.path.join(self.spool, "mimedefang-multiplexor.sock")
        self.port = harness.free_port()
        if self.unix:
            # In its own folder (the spool is private to defang); made
            # writable for Postfix's smtpd once it exists (start()).
            sockdir = os.path.join(self.dir, "sock")
            os.makedirs(sockdir)
            shutil.chown(sockdir, USER, USER)
            self.sock_path = os.path.join(sockdir, "mimedefang.sock")
            self.milter_socket = "unix:" + self.sock_path
            self.postfix_socket = self.milter_socket
            self.ready = lambda: os.path.exists(self.sock_path)
        else:
            self.sock_path = None
            self.milter_socket = "inet:%d@127.0.0.1" % self.port
            self.ready = lambda: harness.port_open(self.port)

    def start(self):
        log = open(os.path.join(self.dir, "stdout.log"), "ab")
        env = dict(os.environ, MD_SPOOL=self.spool)
        self.procs.append(subprocess.Popen(
            [MULTIPLEXOR, "-D", "-E", "-U", USER, "-m", "2", "-x", "10", "-z", self.spool,
             "-F", FILTER, "-s", self.mx_socket], stdout=log, stderr=subprocess.STDOUT,
            env=env))
        harness.wait_for("mimedefang-multiplexor", self._alive(lambda: os.path.exists(
            self.mx_socket)), 60)
        self.procs.append(subprocess.Popen(
            [MIMEDEFANG, "-D", "-U", USER, "-m", self.mx_socket, "-z", self.spool, "-X",
             "-p", self.milter_socket], stdout=log, stderr=subprocess.STDOUT, env=env))
        log.close()
        harness.wait_for("mimedefang", self._alive(self.ready), 60)
        if self.sock_path:
            os.chmod(self.sock_path, 0o666)  # as clamav-milter's MilterSocketMode 666

    def _alive(self, predicate):
        def check():
            for proc in self.procs:
                if proc.poll() is not None:
                    raise AssertionError("%s exited %d:\n%s" % (proc.args[0], proc.returncode,
                                                                self.read_log()))
            return predicate()
        return check


class MimeDefangUnix(MimeDefang):
    unix = True
