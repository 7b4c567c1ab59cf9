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


def skip_unless_runnable():
    """Exit 77 where a private Postfix cannot run at all."""
    reasons = []
    if os.geteuid() != 0:
        reasons.append("postfix start needs root")
    for prog in (POSTFIX, SMTP_SINK, POSTQUEUE):
        if not os.access(prog, os.X_OK):
            reasons.append(prog + " missing")
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
    """mugai-milter in the foreground on an inet socket, with a test config."""

    def __init__(self, workdir, on_virus="withhold", database=CLAMAV_DB, extra=None):
        self.workdir = workdir
        self.port = free_port()
        self.socket = "inet:%d@127.0.0.1" % self.port
        self.config = os.path.join(workdir, "mugai.conf")
        self.log = os.path.join(workdir, "milter.log")
        self.proc = None
        quarantine = os.path.join(workdir, "quarantine")
        os.makedirs(quarantine, exist_ok=True)
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
                     lambda: self.proc.poll() is not None or port_open(self.port), 120)
            if self.proc.poll() is not None:
                raise AssertionError("mugai-milter exited %d:\n%s"
                                     % (self.proc.returncode, self.read_log()))
        return self.proc

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


MAIN_CF = """\
# A private test instance: never /etc/postfix.
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
maillog_file = {logdir}/maillog
maillog_file_prefixes = {logdir}
myhostname = internet-mta.mugai.test
mydomain = mugai.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# The sending client (127.0.0.1) is "the internet": not in mynetworks.
mynetworks = 127.0.0.2/32
relay_domains = {domain}
transport_maps = inline:{{ {domain}=smtp:[127.0.0.1]:{sink_port} }}
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
local_header_rewrite_clients =
local_recipient_maps =
alias_maps =
alias_database =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtputf8_enable = no
smtpd_forbid_bare_newline = yes
message_size_limit = 52428800
in_flow_delay = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
biff = no
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 30s
{milters}
"""

MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command + args
{front_port} inet  n       -       n       -       -       smtpd
{filter_service}
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

AFTER_QUEUE_FILTER = """\
# after-queue: the sanitising smtpd; relays to the LGWAN side when the milter accepts
127.0.0.1:{filter_port} inet n  -       n       -       -       smtpd
  -o content_filter=
  -o smtpd_milters=inet:127.0.0.1:{milter_port}
  -o mynetworks=127.0.0.0/8
  -o smtpd_relay_restrictions=permit_mynetworks,reject
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_address_mappings
  -o smtpd_forbid_bare_newline=yes"""


class Postfix:
    """A private Postfix instance, "before" or "after" queue with the milter."""

    def __init__(self, workdir, milter_port, sink_port, mode="before", milter=True):
        self.dir = os.path.join(workdir, "postfix")
        self.logdir = os.path.join(workdir, "log")
        self.port = free_port()
        self.filter_port = free_port()
        self.mode = mode
        for d in (self.dir, self.logdir):
            os.makedirs(d)
        milters = ""
        filter_service = ""
        milter_socket = "inet:127.0.0.1:%d" % milter_port
        if milter and mode == "before":
            milters = "smtpd_milters = " + milter_socket + "\nnon_smtpd_milters = " + milter_socket
        elif milter:
            milters = "content_filter = smtp:[127.0.0.1]:%d" % self.filter_port
            filter_service = AFTER_QUEUE_FILTER.format(filter_port=self.filter_port,
                                                       milter_port=milter_port)
        with open(os.path.join(self.dir, "main.cf"), "w") as f:
            f.write(MAIN_CF.format(queue=os.path.join(workdir, "queue"),
                                   data=os.path.join(workdir, "data"), logdir=self.logdir,
                                   domain=RECIPIENT_DOMAIN, sink_port=sink_port,
                                   milters=milters))
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(front_port="127.0.0.1:%d" % self.port,
                                     filter_service=filter_service))

    def run(self, *args, check=True):
        return subprocess.run([POSTFIX, "-c", self.dir] + list(args), check=check,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def start(self):
        workdir = os.path.dirname(self.dir)
        os.makedirs(workdir + "/queue", exist_ok=True)
        os.makedirs(workdir + "/data", exist_ok=True)
        shutil.chown(workdir + "/data", "postfix")
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
        pid_file = os.path.join(os.path.dirname(self.dir), "queue/pid/master.pid")
        try:
            with open(pid_file) as f:
                pid = int(f.read().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


class Relay:
    """Sink + milter + Postfix, started together and always stopped together:

        with Relay(mode="before") as relay:
            relay.send(b"...")
    """

    def __init__(self, mode="before", on_virus="withhold", milter=True, milter_extra=None,
                 keep=False):
        skip_unless_runnable()
        self.workdir = tempfile.mkdtemp(prefix="mugai-relay-")
        os.chmod(self.workdir, 0o755)
        self.keep = keep or bool(os.environ.get("MUGAI_KEEP"))
        self.sink = Sink(self.workdir)
        self.milter = Milter(self.workdir, on_virus=on_virus, extra=milter_extra) if milter else None
        self.postfix = Postfix(self.workdir, self.milter.port if milter else 0, self.sink.port,
                               mode=mode, milter=milter)

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
