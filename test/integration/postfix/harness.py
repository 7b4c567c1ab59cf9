"""harness.py - a private Postfix relay on loopback with mugai-milter and a sink.

Builds, in a temporary directory, everything the relay tests, the demo and the
benchmark need: a Postfix instance of its own (config_directory, queue and data
directories, maillog_file; the system instance in /etc/postfix is never used),
an LGWAN-side sink (Postfix's smtp-sink writing one file per message) and
mugai-milter in the foreground. Two deployments: "before" (smtpd_milters on
the internet-facing smtpd) and "after" (content_filter to a second smtpd on
loopback that runs the milter). Everything it starts it stops, by pid, also
when a test fails. Python 3 standard library only.
"""

import json
import os
import pwd
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
SRCDIR = os.environ.get("MUGAI_SRCDIR",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
BUILDDIR = os.environ.get("MUGAI_BUILDDIR", os.path.join(SRCDIR, "build"))
MILTER = os.environ.get("MUGAI_MILTER", os.path.join(BUILDDIR, "src/milter/mugai-milter"))
MUGAI = os.environ.get("MUGAI", os.path.join(BUILDDIR, "src/cli/mugai"))
CLAMAV_DB = os.environ.get("MUGAI_TEST_CLAMAV", os.path.join(SRCDIR, "test/data/clamav"))
POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
POSTQUEUE = shutil.which("postqueue") or "/usr/sbin/postqueue"
RECIPIENT_DOMAIN = "lgwan.example.jp"
# The users mugai-milter becomes when started as root ([milter] user and
# worker_user; scripts/setup.sh creates them).
MUGAI_USER = "_mugai"
MUGAI_WORKER_USER = "_mugai-worker"


def give_to_mugai(path):
    """PATH (a folder the milter writes, e.g. the quarantine) owned by the
    user the milter becomes, as the package sets it up."""
    if os.geteuid() == 0:
        shutil.chown(path, MUGAI_USER, MUGAI_USER)


def skip_unless_runnable():
    """Exit 77 where a private Postfix cannot run at all."""
    reasons = []
    if os.geteuid() != 0:
        reasons.append("postfix start needs root")
    for prog in (POSTFIX, SMTP_SINK, POSTQUEUE):
        if not os.access(prog, os.X_OK):
            reasons.append(prog + " missing")
    for user in (MUGAI_USER, MUGAI_WORKER_USER):
        try:
            pwd.getpwnam(user)
        except KeyError:
            # not a skip: the milter must run as these users (scripts/setup.sh)
            raise AssertionError("no user %s: run scripts/setup.sh" % user)
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        reasons.append("no postfix user")
    if reasons:
        print("SKIP: " + "; ".join(reasons))
        sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(what, predicate, timeout=60.0, interval=0.1):
    """Poll PREDICATE until it is true; fail with WHAT after TIMEOUT seconds.
    A wait, never an assertion on how long something took."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + what)


def crlf(data):
    """Message bytes with CRLF line ends, as an SMTP client must send them."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def parse_sink_file(data):
    """smtp-sink's dump: X-Client-Addr/X-Client-Proto/X-Helo-Args/X-Mail-Args/
    X-Rcpt-Args lines, then the message. Returns (envelope dict, message)."""
    envelope = {}
    data = data.replace(b"\r\n", b"\n")
    if data.endswith(b"\n\n"):
        data = data[:-1]  # smtp-sink ends each dump with an empty line of its own
    while True:
        line, sep, rest = data.partition(b"\n")
        name, colon, value = line.partition(b":")
        if not sep or not colon or name not in (b"X-Client-Addr", b"X-Client-Proto",
                                                b"X-Helo-Args", b"X-Mail-Args",
                                                b"X-Rcpt-Args"):
            return envelope, data
        envelope[name.decode()] = value.strip().decode("latin-1")
        data = rest


def split_message(message):
    """(list of (name, value) header fields, body) of LF message bytes."""
    head, _, body = message.partition(b"\n\n")
    fields = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + b"\n" + line)
        elif line:
            name, _, value = line.partition(b":")
            fields.append((name.decode("latin-1"), value.strip()))
    return fields, body


def header(message, name):
    for field, value in split_message(message)[0]:
        if field.lower() == name.lower():
            return value.decode("latin-1")
    return None


class Sink:
    """The LGWAN-side MTA: smtp-sink writing one file per message."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "sink")
        os.makedirs(self.dir)
        shutil.chown(self.dir, "postfix")
        self.port = free_port()
        self.proc = None

    def start(self):
        template = os.path.join(self.dir, "%Y%m%d%H%M%S.")
        self.proc = subprocess.Popen([SMTP_SINK, "-u", "postfix", "-d", template,
                                      "127.0.0.1:%d" % self.port, "100"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("smtp-sink", lambda: port_open(self.port), 30)

    def messages(self):
        """[(envelope, message bytes with LF ends)] of every complete file."""
        result = []
        for name in sorted(os.listdir(self.dir)):
            with open(os.path.join(self.dir, name), "rb") as f:
                result.append(parse_sink_file(f.read()))
        return result

    def stop(self):
        stop_process(self.proc)


def stop_process(proc, sig=signal.SIGTERM, timeout=10):
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Milter:
    """mugai-milter in the foreground with a test config, on an inet socket, or
    (UNIX) on a unix socket, which the milter gives to group postfix itself
    ([milter] socket_group) as doc/admin-milter says."""

    def __init__(self, workdir, on_virus="withhold", database=CLAMAV_DB, extra=None,
                 unix=False):
        self.workdir = workdir
        self.port = free_port()
        self.socket = "inet:%d@127.0.0.1" % self.port
        self.unix_path = None
        if unix:
            self.unix_path = os.path.join(workdir, "mugai-milter.sock")
            self.socket = "unix:" + self.unix_path
            self.postfix_socket = self.socket
        self.config = os.path.join(workdir, "mugai.conf")
        self.log = os.path.join(workdir, "milter.log")
        self.proc = None
        quarantine = os.path.join(workdir, "quarantine")
        os.makedirs(quarantine, exist_ok=True)
        give_to_mugai(quarantine)
        settings = {
            "clamav": {"database": database},
            "quarantine": {"directory": quarantine},
            "milter": {"socket": self.socket, "pid_file": os.path.join(workdir, "milter.pid"),
                       "max_inflight": "16", "timeout": "60", "reload_interval": "1"},
            "policy": {"on_virus": on_virus},
        }
        for group, keys in (extra or {}).items():
            settings.setdefault(group, {}).update(keys)
        with open(self.config, "w") as f:
            for group, keys in settings.items():
                f.write("[%s]\n" % group)
                for key, value in keys.items():
                    f.write("%s = %s\n" % (key, value))

    def start(self, wait=True):
        log = open(self.log, "ab")
        self.proc = subprocess.Popen([MILTER, "-f", "-c", self.config], stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        if wait:
            wait_for("mugai-milter to listen",
                     lambda: self.proc.poll() is not None or self.listening(), 120)
            if self.proc.poll() is not None:
                raise AssertionError("mugai-milter exited %d:\n%s"
                                     % (self.proc.returncode, self.read_log()))
        return self.proc

    def listening(self):
        if self.unix_path:
            return os.path.exists(self.unix_path)
        return port_open(self.port)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=300):
        return self.proc.wait(timeout)

    def read_log(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
        stop_process(self.proc, timeout=30)


CONF_POSTFIX = os.path.join(SRCDIR, "conf/postfix")

# What only a private test instance needs; the shipped snippet comes after it.
BASE_MAIN = [
    ("compatibility_level", "3.6"),
    ("queue_directory", "{workdir}/queue"),
    ("data_directory", "{workdir}/data"),
    ("mail_owner", "postfix"),
    ("setgid_group", "postdrop"),
    ("maillog_file", "{workdir}/log/maillog"),
    ("maillog_file_prefixes", "{workdir}/log"),
    ("myhostname", "internet-mta.mugai.test"),
    ("mydomain", "mugai.test"),
    ("myorigin", "$myhostname"),
    ("mydestination", ""),
    ("inet_interfaces", "127.0.0.1"),
    ("inet_protocols", "ipv4"),
    ("local_recipient_maps", ""),
    ("alias_maps", ""),
    ("alias_database", ""),
    ("smtpd_peername_lookup", "no"),
    ("smtp_dns_support_level", "disabled"),
    ("smtputf8_enable", "no"),
    ("in_flow_delay", "0"),
    ("queue_run_delay", "1s"),
    ("biff", "no"),
]

# Where the test differs from the shipped snippet: loopback ports, the sink
# as the LGWAN side, the sending client (127.0.0.1) outside mynetworks so it
# is treated as the internet, short retries and milter timeouts.
TEST_OVERRIDES = [
    ("mynetworks", "127.0.0.2/32"),
    ("relay_domains", "{domain}"),
    ("transport_maps", "inline:{{ {domain}=smtp:[127.0.0.1]:{sink_port} }}"),
    ("minimal_backoff_time", "1s"),
    ("maximal_backoff_time", "2s"),
    ("milter_connect_timeout", "5s"),
    ("milter_command_timeout", "10s"),
    ("milter_content_timeout", "30s"),
]

BASE_MASTER = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def read_main_cf(path):
    """[(name, value)] of a main.cf snippet (comments and blank lines dropped)."""
    params = []
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, _, value = line.partition("=")
                params.append((name.strip(), value.strip()))
    return params


def merge_params(*lists):
    """One line per parameter, the last setting winning, first position kept."""
    merged = {}
    for params in lists:
        for name, value in params:
            merged[name] = value
    return "".join("%s = %s\n" % item for item in merged.items())


class Postfix:
    """A private Postfix instance built from conf/postfix's shipped snippets:
    "before" or "after" queue, or no milter at all (milter=False)."""

    def __init__(self, workdir, milter_socket, sink_port, mode="before", milter=True):
        self.workdir = workdir
        self.dir = os.path.join(workdir, "postfix")
        self.logdir = os.path.join(workdir, "log")
        self.port = free_port()
        self.filter_port = free_port()
        self.mode = mode
        for d in (self.dir, self.logdir):
            os.makedirs(d)
        values = {"workdir": workdir, "domain": RECIPIENT_DOMAIN, "sink_port": sink_port}
        snippet = read_main_cf(os.path.join(CONF_POSTFIX, "%s-queue.main.cf" % mode))
        if not milter:
            snippet = [(n, v) for n, v in snippet if "milter" not in n and n != "content_filter"]
        params = [(n, v.format(**values)) for n, v in BASE_MAIN + TEST_OVERRIDES]
        main_cf = merge_params(params[:len(BASE_MAIN)], snippet, params[len(BASE_MAIN):])
        with open(os.path.join(self.dir, "main.cf"), "w") as f:
            f.write("# A private test instance (never /etc/postfix), from conf/postfix.\n")
            f.write(self.localise(main_cf, milter_socket))
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write(self.master_cf(milter_socket) + BASE_MASTER)

    def localise(self, text, milter_socket):
        """The shipped snippet's addresses replaced by this instance's ports."""
        return (text.replace("unix:mugai/milter.sock", milter_socket)
                .replace("127.0.0.1:10025", "127.0.0.1:%d" % self.filter_port)
                .replace("[127.0.0.1]:10025", "[127.0.0.1]:%d" % self.filter_port)
                .replace("city.example.lg.jp", RECIPIENT_DOMAIN))

    def master_cf(self, milter_socket):
        with open(os.path.join(CONF_POSTFIX, "%s-queue.master.cf" % self.mode)) as f:
            lines = [l for l in f if not l.startswith("#") and l.strip()]
        out = []
        for line in lines:
            fields = line.split()
            if line.startswith("smtp ") and fields[1] == "inet":
                fields[0] = "127.0.0.1:%d" % self.port
                fields[4] = "n"  # no chroot in a private instance
                line = " ".join(fields) + "\n"
            out.append(line)
        return self.localise("".join(out), milter_socket)

    def run(self, *args, check=True):
        return subprocess.run([POSTFIX, "-c", self.dir] + list(args), check=check,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def start(self):
        os.makedirs(self.workdir + "/queue", exist_ok=True)
        os.makedirs(self.workdir + "/data", exist_ok=True)
        shutil.chown(self.workdir + "/data", "postfix")
        check = self.run("check", check=False)
        started = self.run("start", check=False)
        if started.returncode != 0:
            raise AssertionError("postfix start failed:\n%s\n%s"
                                 % (check.stdout.decode(), started.stdout.decode()))
        wait_for("postfix smtpd", lambda: port_open(self.port), 60)

    def queue(self):
        """The messages in the queue, as postqueue -j lists them."""
        out = subprocess.run([POSTQUEUE, "-c", self.dir, "-j"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def flush(self):
        subprocess.run([POSTQUEUE, "-c", self.dir, "-f"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def maillog(self):
        try:
            with open(os.path.join(self.logdir, "maillog"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stop(self):
        if self.run("status", check=False).returncode == 0:
            self.run("stop", check=False)
        pid_file = os.path.join(self.workdir, "queue/pid/master.pid")
        try:
            with open(pid_file) as f:
                pid = int(f.read().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


def _terminated(signum, frame):
    raise SystemExit("terminated by signal %d" % signum)


class Relay:
    """Sink + milter + Postfix, started together and always stopped together:

        with Relay(mode="before") as relay:
            relay.send(b"...")

    MILTER: True for mugai-milter, False for none, or a factory taking the
    work directory and returning another milter (an object with port, start,
    stop and read_log), as the benchmark does for clamav-milter."""

    def __init__(self, mode="before", on_virus="withhold", milter=True, milter_extra=None,
                 keep=False, unix=False):
        skip_unless_runnable()
        # meson's timeout (and Ctrl-C) must still stop Postfix and the milter.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _terminated)
        self.workdir = tempfile.mkdtemp(prefix="mugai-relay-")
        os.chmod(self.workdir, 0o755)
        self.keep = keep or bool(os.environ.get("MUGAI_KEEP"))
        self.sink = Sink(self.workdir)
        if milter is True:
            self.milter = Milter(self.workdir, on_virus=on_virus, extra=milter_extra, unix=unix)
        else:
            self.milter = milter(self.workdir) if milter else None
        socket = getattr(self.milter, "postfix_socket", None)
        if self.milter is not None and socket is None:
            socket = "inet:127.0.0.1:%d" % self.milter.port
        self.postfix = Postfix(self.workdir, socket or "", self.sink.port, mode=mode,
                               milter=bool(milter))

    def __enter__(self):
        try:
            self.sink.start()
            if self.milter:
                self.milter.start()
            self.postfix.start()
        except BaseException:
            self.close(failed=True)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(failed=exc_type is not None)
        return False

    def close(self, failed=False):
        for part in (self.postfix, self.milter, self.sink):
            try:
                if part is not None:
                    part.stop()
            except Exception as e:  # keep stopping the others
                print("stopping %s: %s" % (type(part).__name__, e), file=sys.stderr)
        if failed:
            self.dump_logs()
        if self.keep or failed:
            print("relay files kept in " + self.workdir, file=sys.stderr)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def dump_logs(self, tail=60):
        if self.milter:
            print("--- mugai-milter log (tail) ---", file=sys.stderr)
            print("\n".join(self.milter.read_log().splitlines()[-tail:]), file=sys.stderr)
        print("--- postfix maillog (tail) ---", file=sys.stderr)
        print("\n".join(self.postfix.maillog().splitlines()[-tail:]), file=sys.stderr)

    def connect(self):
        return smtplib.SMTP("127.0.0.1", self.postfix.port, local_hostname="client.internet.test",
                            timeout=120)

    def send(self, message, sender="sender@internet.example",
             recipients=("staff@" + RECIPIENT_DOMAIN,)):
        """Send one message in its own session; raises smtplib errors on 4xx/5xx."""
        with self.connect() as smtp:
            smtp.sendmail(sender, list(recipients), crlf(message))

    def wait_delivered(self, count, timeout=120):
        """Wait until COUNT messages are at the sink and the queue is empty;
        returns the sink's messages."""
        def done():
            if len(os.listdir(self.sink.dir)) < count:
                self.postfix.flush()
                return False
            return not self.postfix.queue()
        wait_for("%d messages at the sink" % count, done, timeout, 0.3)
        return self.sink.messages()


def mugai_mail(message, config):
    """What `mugai mail` makes of MESSAGE: (exit code, output bytes)."""
    proc = subprocess.run([MUGAI, "mail", "-c", config, "-"], input=message,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.returncode, proc.stdout
