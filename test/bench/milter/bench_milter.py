#!/usr/bin/env python3
"""bench_milter.py - accepted messages/s and latency through a real Postfix.

The same private Postfix (test/integration/postfix/harness.py, before-queue
deployment from conf/postfix) is run with: no milter (the ceiling),
clamav-milter + clamd (Debian packages, scan only), MIMEDefang (Debian's
package, test/bench/milter/mimedefang-filter: text parts kept, all others
removed) and mugai-milter, each on TCP and on a unix socket, all with the
same small test virus database (test/data/clamav), side by side in one run.
Load: bursts of mails (corpus.py: text, two small attachments, a 2 MB PDF
and a 1 MB .docx, 1 MB and 10 MB scanned PDFs) from CONCURRENCY clients that
keep their SMTP session open (as MTAs do). Reported per cell: accepted msgs/s
(mails over the wall time of the burst), the p50/p99 of the time from MAIL
FROM to the 250 after DATA, CPU ms per mail and peak RSS of each process
group (cpu.py) and the load average around the bursts. Median of REPEAT
bursts per cell. A benchmark, never a test: no assertion on time.

Usage: bench_milter.py [--count 200] [--concurrency 8] [--repeat 3]
                       [--only SETUP]... [--corpus MAIL]... [--write doc/PERFORMANCE.md]
Needs root (Postfix), the build (MUGAI_BUILDDIR, default ./build) and the
Debian packages clamav-milter, clamav-daemon, mimedefang and libnet-dns-perl
(it says which is missing and stops; --only leaves setups out).
"""

import argparse
import contextlib
import datetime
import email
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../integration/postfix"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import mails  # noqa: E402
import cpu  # noqa: E402
import mimedefang  # noqa: E402
import peer  # noqa: E402
import corpus as corpus_mod  # noqa: E402

CORPORA = corpus_mod.CORPORA

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
# Both scanners keep their temporary files on a tmpfs, as mugai's packaged
# unit does (its /tmp is a TemporaryFileSystem); --disk-tmp leaves them in
# /tmp. libclamav makes a folder and files per scan: on ext4 that costs
# clamd and mugai's workers inode allocation and discards.
TMPFS = True
TMPFS_ROOT = "/dev/shm/mugai-bench-%d" % os.getpid()


def tmpfs_dir(name):
    path = os.path.join(TMPFS_ROOT, name)
    os.makedirs(path, exist_ok=True)
    os.chmod(TMPFS_ROOT, 0o755)
    os.chmod(path, 0o1777)
    return path


CLAMAV_MILTER = shutil.which("clamav-milter") or "/usr/sbin/clamav-milter"


class ClamavMilter(peer.Peer):
    """clamd and clamav-milter in the foreground, scanning with the test database,
    on an inet socket (as mugai-milter in this benchmark) or a unix socket."""

    unix = False
    LOGS = ("stdout.log", "milter.log", "clamd.log")

    def __init__(self, workdir):
        super().__init__(workdir, "clamav")
        self.port = harness.free_port()
        self.clamd_socket = os.path.join(self.dir, "clamd.sock")
        if self.unix:
            milter_socket = os.path.join(self.dir, "milter.sock")
            self.postfix_socket = "unix:" + milter_socket
            self.ready = lambda: os.path.exists(milter_socket)
        else:
            milter_socket = "inet:%d@127.0.0.1" % self.port
            self.ready = lambda: harness.port_open(self.port)
        self.write("clamd.conf", "LocalSocket %s\nDatabaseDirectory %s\nForeground yes\n"
                   "LogFile %s/clamd.log\nMaxThreads 16\n"
                   % (self.clamd_socket, harness.CLAMAV_DB, self.dir))
        if TMPFS:
            self.write("clamd.conf", "TemporaryDirectory %s\n" % tmpfs_dir("clamd"), "a")
        self.write("clamav-milter.conf", "MilterSocket %s\nMilterSocketMode 666\n"
                   "ClamdSocket unix:%s\nForeground yes\nLogFile %s/milter.log\n"
                   "OnInfected Reject\nOnFail Defer\nAddHeader Replace\nMaxFileSize 25M\n"
                   "ReadTimeout 120\n" % (milter_socket, self.clamd_socket, self.dir))

    def write(self, name, text, mode="w"):
        with open(os.path.join(self.dir, name), mode) as f:
            f.write(text)

    def start(self):
        log = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.procs.append(subprocess.Popen([CLAMD, "-c", os.path.join(self.dir, "clamd.conf")],
                                           stdout=log, stderr=subprocess.STDOUT))
        harness.wait_for("clamd", lambda: os.path.exists(self.clamd_socket), 120)
        self.procs.append(subprocess.Popen([CLAMAV_MILTER, "-c",
                                            os.path.join(self.dir, "clamav-milter.conf")],
                                           stdout=log, stderr=subprocess.STDOUT))
        log.close()
        harness.wait_for("clamav-milter", self.ready, 60)


class ClamavMilterUnix(ClamavMilter):
    unix = True


class NullMilter(peer.Peer):
    """test/bench/null_milter: every step answered "continue", the message
    accepted. The floor: what the milter protocol costs Postfix."""

    def __init__(self, workdir):
        super().__init__(workdir, "null")
        sock = os.path.join(self.dir, "milter.sock")
        self.listen = "unix:" + sock
        self.postfix_socket = self.listen
        self.ready = lambda: os.path.exists(sock)

    def start(self):
        exe = os.path.join(harness.BUILDDIR, "test/bench/null_milter")
        log = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.procs.append(subprocess.Popen([exe, self.listen], stdout=log,
                                           stderr=subprocess.STDOUT))
        log.close()
        harness.wait_for("null_milter", self.ready, 60)
        os.chmod(self.listen[len("unix:"):], 0o666)


SETUPS = [
    # key, label, socket, milter (for harness.Relay)
    ("none", "Postfix alone", "-", False),
    ("null-unix", "a milter that does nothing (libmilter)", "unix", NullMilter),
    ("clamav", "clamav-milter + clamd (scan only)", "TCP", ClamavMilter),
    ("clamav-unix", "clamav-milter + clamd (scan only)", "unix", ClamavMilterUnix),
    ("mimedefang", "MIMEDefang (keeps text parts)", "TCP", mimedefang.MimeDefang),
    ("mimedefang-unix", "MIMEDefang (keeps text parts)", "unix", mimedefang.MimeDefangUnix),
    ("mugai", "mugai-milter (sanitise)", "TCP", True),
    ("mugai-unix", "mugai-milter (sanitise)", "unix", "unix"),
]


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def burst_size(corpus, args):
    return max(3, int(round(args.count * CORPORA[corpus][2])))


def one_burst(relay, corpus, run, count, concurrency):
    build = CORPORA[corpus][1]
    messages = [("%s-%s-%04d" % (corpus, run, n), build("%s-%s-%04d" % (corpus, run, n)))
                for n in range(count)]
    burst = mails.Burst(relay.postfix.port, messages, concurrency=min(concurrency, count))
    cpu.reset_peaks(relay)
    load_before = loadavg()
    before = cpu.snapshot(relay)
    start = time.monotonic()
    burst.start().join(1800)
    wall = time.monotonic() - start
    after = cpu.snapshot(relay)
    if burst.rejected or len(burst.accepted) != count:
        raise RuntimeError("burst incomplete: %d accepted, rejected %s"
                           % (len(burst.accepted), list(burst.rejected.items())[:3]))
    latencies = list(burst.accepted.values())
    out = {"rate": count / wall, "p50": percentile(latencies, 50) * 1000,
           "p99": percentile(latencies, 99) * 1000, "tempfails": burst.tempfails,
           "postfix_mib": after["postfix_kib"] / 1024.0,
           "front_mib": after["front_kib"] / 1024.0, "worker_mib": after["worker_kib"] / 1024.0,
           "load_before": load_before, "load_after": loadavg()}
    out.update({"cpu_" + k: v for k, v in cpu.per_message(before, after, count).items()})
    return out


def drain(relay, expected):
    """Let Postfix deliver everything before the next burst (not timed)."""
    def done():
        if len(os.listdir(relay.sink.dir)) < expected:
            relay.postfix.flush()
            return False
        return not relay.postfix.queue()
    harness.wait_for("the queue to drain", done, 900, 0.5)


def start_relay(stack, milter):
    unix = milter == "unix"
    mugai = milter is True or unix
    # mugai-milter with its shipped timeout (the relay tests use 60 s).
    extra = {"milter": {"timeout": "240"}}
    if TMPFS:
        extra["sandbox"] = {"tmp_directory": tmpfs_dir("mugai")}
    relay = harness.Relay(milter=True if unix else milter, unix=unix,
                          milter_extra=extra if mugai else None)
    # Sanitising a 10 MB scan on a busy machine may take longer than the
    # test harness's 30 s (the shipped snippet says 300 s).
    subprocess.run(["postconf", "-c", relay.postfix.dir, "-e", "milter_content_timeout=300s",
                    "milter_command_timeout=60s"], check=True)
    return stack.enter_context(relay)


def check_sink(key, relay, delivered):
    """One mail with two small attachments through the relay, read at the
    sink: its text arrives; MIMEDefang's filter removed both attachments."""
    ident = "check-" + key
    relay.send(corpus_mod.small_mail(ident))
    message = [m for _, m in relay.wait_delivered(delivered + 1, timeout=300)
               if mails.subject(m) == "test " + ident]
    if len(message) != 1 or "SENTINEL-" + ident not in mails.body_text(message[0]):
        raise RuntimeError("%s: the check mail did not reach the sink with its text" % key)
    parsed = email.message_from_bytes(message[0])
    kept = [p.get_content_type() for p in parsed.walk() if not p.is_multipart()]
    if key.startswith("mimedefang") and kept != ["text/plain"]:
        raise RuntimeError("%s did not strip the attachments: %s" % (key, kept))
    print("  %s: check mail at the sink, parts %s" % (key, ", ".join(kept)), flush=True)


def bench_all(setups, args):
    """Every setup runs its own relay at the same time; the bursts alternate
    between them (repeat by repeat), so that load from elsewhere on the
    machine weighs on every column alike."""
    runs = {key: {c: [] for c in args.corpora} for key, _, _, _ in setups}
    delivered = {}
    with contextlib.ExitStack() as stack:
        relays = {key: start_relay(stack, milter) for key, _, _, milter in setups}
        for key, relay in relays.items():
            warm = [("warm-%d" % n, mails.text_mail("warm-%d" % n)) for n in range(20)]
            mails.Burst(relay.postfix.port, warm, concurrency=args.concurrency).start().join()
            delivered[key] = len(warm)
            drain(relay, delivered[key])
            check_sink(key, relay, delivered[key])
            delivered[key] += 1
        for r in range(args.repeat):
            for c in args.corpora:
                if CORPORA[c][3] and r >= args.repeat_large:
                    continue
                count = burst_size(c, args)
                for key, label, sock, _ in setups:
                    print("  %s (%s), %s, burst %d: %d mails" % (label, sock, c, r + 1, count),
                          flush=True)
                    cell = one_burst(relays[key], c, r, count, args.concurrency)
                    runs[key][c].append(cell)
                    print("    %.2f msgs/s, p50 %.0f ms, p99 %.0f ms, CPU %.1f/%.1f/%.1f ms, "
                          "load %.1f-%.1f" % (cell["rate"], cell["p50"], cell["p99"],
                                              cell["cpu_postfix"], cell["cpu_front"],
                                              cell["cpu_workers"], cell["load_before"],
                                              cell["load_after"]), flush=True)
                    delivered[key] += count
                    drain(relays[key], delivered[key])
    return {key: {c: median_cell(cells) for c, cells in by_corpus.items()}
            for key, by_corpus in runs.items()}


def median_cell(cells):
    out = {m: statistics.median(run[m] for run in cells) for m in cells[0]}
    out["load_min"] = min(min(run["load_before"], run["load_after"]) for run in cells)
    out["load_max"] = max(max(run["load_before"], run["load_after"]) for run in cells)
    out["runs"] = len(cells)
    return out


def rate(value):
    return "%.1f" % value if value >= 10 else "%.2f" % value


def table(results, args):
    lines = ["| milter | socket | mail | msgs/s | p50 ms | p99 ms | CPU ms/msg: Postfix, "
             "milter front, workers/peer | peak RSS MiB: Postfix, front, worker | "
             "load (1 min) during the bursts |",
             "|---|---|---|---|---|---|---|---|---|"]
    for c in args.corpora:
        for key, label, sock, _ in SETUPS:
            r = results.get(key, {}).get(c)
            if not r:
                continue
            front = "-" if key == "none" else "%.1f" % r["cpu_front"]
            workers = "-" if key == "none" else "%.1f" % r["cpu_workers"]
            mem = ("%.0f, -, -" % r["postfix_mib"] if key == "none" else
                   "%.0f, %.0f, %.0f" % (r["postfix_mib"], r["front_mib"], r["worker_mib"]))
            lines.append("| %s | %s | %s | %s | %.0f | %.0f | %.1f, %s, %s | %s | %.1f-%.1f |"
                         % (label, sock, CORPORA[c][0], rate(r["rate"]), r["p50"], r["p99"],
                            r["cpu_postfix"], front, workers, mem, r["load_min"],
                            r["load_max"]))
    return "\n".join(lines)


def ratios(results, args):
    """The issue's goals, read off RESULTS."""
    out = []
    get = lambda key, c, m: results.get(key, {}).get(c, {}).get(m)
    for c in ("text", "small"):
        ours = get("mugai-unix", c, "rate")
        for key, name in (("clamav-unix", "clamav-milter"), ("none", "Postfix alone"),
                          ("mimedefang-unix", "MIMEDefang")):
            theirs = get(key, c, "rate")
            if ours and theirs:
                out.append("- %s, unix socket: mugai %.2f× %s" % (CORPORA[c][0], ours / theirs,
                                                                  name))
    for c in ("text", "small"):
        null, alone = get("null-unix", c, "rate"), get("none", c, "rate")
        if null and alone:
            out.append("- %s: a milter that does nothing reaches %.2f× Postfix alone (the "
                       "ceiling of any milter on this machine)" % (CORPORA[c][0], null / alone))
    base, ours = get("none", "text", "p50"), get("mugai-unix", "text", "p50")
    if base and ours:
        out.append("- added p50 for a text mail (unix socket): %+.1f ms; mugai's p99/p50: %.1f"
                   % (ours - base, get("mugai-unix", "text", "p99") / ours))
    one, ten = results.get("mugai-unix", {}).get("pdf1"), results.get("mugai-unix", {}).get("pdf10")
    if one and ten:
        cost = lambda r: r["cpu_front"] + r["cpu_workers"]
        out.append("- 10 MB PDF / 1 MB PDF, mugai CPU (front + workers): %.1f×; peak RSS "
                   "front %.0f→%.0f MiB, worker %.0f→%.0f MiB"
                   % (cost(ten) / cost(one), one["front_mib"], ten["front_mib"],
                      one["worker_mib"], ten["worker_mib"]))
    return "\n".join(out)


HEADING = "## Side by side: the full matrix"


def section(results, args, command):
    return """{heading}

Command (as root, after `meson setup build && ninja -C build`; needs the Debian
packages `postfix`, `clamav-milter`, `clamav-daemon`, `mimedefang` and
`libnet-dns-perl`, which `mimedefang` 3.3 needs but does not pull in):

    {command}

One private Postfix per setup on loopback (test/integration/postfix/harness.py,
the before-queue snippet of conf/postfix) relaying to `smtp-sink`, all started
at once; their bursts take turns, so load from elsewhere weighs on every row
alike. {count} mails per burst of text mail ({conc} SMTP clients that keep
their session open), fewer of the large ones (see the table's mail column and
test/bench/milter/corpus.py); median of {repeat} bursts per cell for the text
and small-attachment mails, {repeat_large} for the large ones (each burst's own
p50 and p99 are over its mails). clamav-milter
and mugai use the same test virus database (test/data/clamav); MIMEDefang runs
test/bench/milter/mimedefang-filter (text/plain and text/html kept, every
other part removed) with Debian's defaults (embedded Perl, 2-10 workers), as
user `defang`. Before the bursts one mail with two small attachments goes
through each relay and is read at the sink (MIMEDefang's copy must hold only
its text part). Latency: the client's time from MAIL FROM to the 250 after
DATA. CPU: user + system time per mail of Postfix (master and children), the
milter process ("front") and what is under it or beside it ("workers/peer":
mugai's supervisor and workers; clamd; MIMEDefang's multiplexor and its Perl
workers). Peak RSS: VmHWM of the largest process of each group, reset before
every burst. Load: the 1-minute load average (/proc/loadavg) before and after
each burst of the cell, lowest-highest. Temporary files: {tmp}.

Measured {date} on {cpus} CPUs ({machine}), {build}; load average {load_start:.1f}
at the start, {load_end:.1f} at the end; the whole run took {minutes:.0f} minutes.

{table}

Read against issue 14's goals:
{ratios}
""".format(heading=HEADING, command=command, count=args.count, conc=args.concurrency,
           repeat=args.repeat, repeat_large=args.repeat_large, date=datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
           cpus=os.cpu_count(), machine=platform.machine(), build=args.build_note,
           load_start=args.load_start, load_end=loadavg(),
           minutes=(time.monotonic() - args.started) / 60, table=table(results, args),
           ratios=ratios(results, args),
           tmp="clamd's `TemporaryDirectory` and mugai's `[sandbox] tmp_directory` on a "
               "tmpfs (/dev/shm), as mugai's packaged unit runs (its /tmp is a tmpfs); "
               "Debian's clamd would use /tmp" if TMPFS else "in /tmp (--disk-tmp)")


def write_section(path, text):
    """Replace the generated part of HEADING's section of PATH (up to its
    first ### subsection or the next ## section), keeping the rest."""
    with open(path) as f:
        old = f.read()
    start = old.find(HEADING + "\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        ends = [e for e in (old.find("\n### ", start + 1), old.find("\n## ", start + 1))
                if e >= 0]
        end = min(ends) if ends else -1
        new = old[:start] + text + ("\n" + old[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(new.rstrip("\n") + "\n")


def build_note():
    path = os.path.join(harness.BUILDDIR, "meson-info/intro-buildoptions.json")
    try:
        import json
        with open(path) as f:
            opts = {o["name"]: o["value"] for o in json.load(f)}
        rev = subprocess.run(["git", "-C", harness.SRCDIR, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, text=True).stdout.strip()
        return "mugai %s, %s build" % (rev, opts.get("buildtype", "?"))
    except (OSError, ValueError, KeyError):
        return "build of unknown type"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200,
                        help="text mails per burst (large mails: a share of it)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-large", type=int, default=1,
                        help="rounds that also send the large mails (they take minutes)")
    parser.add_argument("--only", choices=[k for k, _, _, _ in SETUPS], action="append")
    parser.add_argument("--corpus", choices=list(CORPORA), action="append", dest="corpora")
    parser.add_argument("--write", metavar="PERFORMANCE.md")
    parser.add_argument("--disk-tmp", action="store_true",
                        help="temporary files in /tmp, not on a tmpfs")
    args = parser.parse_args()
    global TMPFS
    TMPFS = not args.disk_tmp
    # killed (timeout, ^C): still stop the relays and remove the tmpfs folders
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))
    harness.skip_unless_runnable()
    args.corpora = args.corpora or list(CORPORA)
    args.load_start = loadavg()
    args.started = time.monotonic()
    args.build_note = build_note()
    setups = []
    for key, label, sock, milter in SETUPS:
        if args.only and key not in args.only:
            continue
        if milter in (ClamavMilter, ClamavMilterUnix) and not (os.access(CLAMD, os.X_OK)
                                                               and os.access(CLAMAV_MILTER,
                                                                             os.X_OK)):
            sys.exit("bench: %s needs the Debian packages clamav-milter and clamav-daemon "
                     "(or leave it out with --only)" % label)
        if key.startswith("mimedefang"):
            why = mimedefang.missing()
            if why:
                sys.exit("bench: %s: %s (or leave it out with --only)" % (label, why))
        setups.append((key, label, sock, milter))
    try:
        results = bench_all(setups, args)
    finally:
        shutil.rmtree(TMPFS_ROOT, ignore_errors=True)
    command = ("test/bench/milter/run.sh --count %d --concurrency %d --repeat %d "
               "--repeat-large %d%s" % (args.count, args.concurrency, args.repeat,
                                        args.repeat_large, " --disk-tmp" if args.disk_tmp else ""))
    text = section(results, args, command)
    print()
    print(text)
    if args.write:
        write_section(args.write, text)
        print("written to " + args.write)


if __name__ == "__main__":
    main()
