#!/usr/bin/env python3
"""bench_milter.py - accepted messages/s and latency through a real Postfix.

The same private Postfix (test/integration/postfix/harness.py, before-queue
deployment from conf/postfix) is run with: no milter (the ceiling),
clamav-milter + clamd (Debian packages, scan only) and mugai-milter, all with
the same small test virus database (test/data/clamav), side by side in one
run. Load: COUNT messages at CONCURRENCY, from clients that keep their SMTP
session open (as MTAs do); corpora: short Japanese text mails, and text mails
with a CSV attachment. Reported: accepted msgs/s (COUNT over the wall time of
the burst) and the p50/p99 of the time from MAIL FROM to the 250 after DATA.
Median of REPEAT bursts per cell. A benchmark, never a test: no assertion on
time.

Usage: bench_milter.py [--count 500] [--concurrency 8] [--repeat 3]
                       [--write doc/PERFORMANCE.md]
Needs root (Postfix), the build (MUGAI_BUILDDIR, default ./build) and, for the
clamav-milter column, the Debian packages clamav-milter and clamav-daemon.
"""

import argparse
import contextlib
import datetime
import os
import platform
import shutil
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

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
CLAMAV_MILTER = shutil.which("clamav-milter") or "/usr/sbin/clamav-milter"


class ClamavMilter:
    """clamd and clamav-milter in the foreground, scanning with the test database,
    on an inet socket (as mugai-milter in this benchmark) or a unix socket."""

    unix = False

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "clamav")
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        self.port = harness.free_port()
        self.clamd_socket = os.path.join(self.dir, "clamd.sock")
        self.procs = []
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
        self.write("clamav-milter.conf", "MilterSocket %s\nMilterSocketMode 666\n"
                   "ClamdSocket unix:%s\nForeground yes\nLogFile %s/milter.log\n"
                   "OnInfected Reject\nOnFail Defer\nAddHeader Replace\nMaxFileSize 25M\n"
                   "ReadTimeout 120\n" % (milter_socket, self.clamd_socket, self.dir))

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
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

    def stop(self):
        for proc in reversed(self.procs):
            harness.stop_process(proc, timeout=20)

    def read_log(self):
        out = []
        for name in ("stdout.log", "milter.log", "clamd.log"):
            try:
                with open(os.path.join(self.dir, name)) as f:
                    out.append(f.read())
            except FileNotFoundError:
                pass
        return "\n".join(out)


class ClamavMilterUnix(ClamavMilter):
    unix = True


CORPORA = {
    "text": lambda ident: mails.text_mail(ident),
    "attachment": lambda ident: mails.attachment_mail(ident),
}

SETUPS = [
    ("none", "Postfix alone (no milter)", False),
    ("clamav", "clamav-milter + clamd (scan only)", ClamavMilter),
    ("clamav-unix", "clamav-milter + clamd, unix socket", ClamavMilterUnix),
    ("mugai", "mugai-milter (sanitise)", True),
    ("mugai-unix", "mugai-milter, unix socket", "unix"),
]


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def one_burst(relay, corpus, run, count, concurrency):
    messages = [("%s-%s-%04d" % (corpus, run, n), CORPORA[corpus]("%s-%s-%04d" % (corpus, run, n)))
                for n in range(count)]
    burst = mails.Burst(relay.postfix.port, messages, concurrency=concurrency)
    before = cpu.snapshot(relay)
    start = time.monotonic()
    burst.start().join(900)
    wall = time.monotonic() - start
    if burst.rejected or len(burst.accepted) != count:
        raise RuntimeError("burst incomplete: %d accepted, rejected %s"
                           % (len(burst.accepted), list(burst.rejected.items())[:3]))
    latencies = list(burst.accepted.values())
    after = cpu.snapshot(relay)
    out = {"rate": count / wall, "p50": percentile(latencies, 50) * 1000,
           "p99": percentile(latencies, 99) * 1000, "tempfails": burst.tempfails,
           "front_mib": after["front_kib"] / 1024.0, "worker_mib": after["worker_kib"] / 1024.0}
    out.update({"cpu_" + k: v for k, v in cpu.per_message(before, after, count).items()})
    return out


def drain(relay, expected):
    """Let Postfix deliver everything before the next burst (not timed)."""
    harness.wait_for("the queue to drain", lambda: (len(os.listdir(relay.sink.dir)) >= expected
                                                     and not relay.postfix.queue()), 600, 0.5)


def start_relay(stack, milter):
    unix = milter == "unix"
    return stack.enter_context(harness.Relay(milter=True if unix else milter, unix=unix))


def bench_all(setups, args):
    """Every setup runs its own relay at the same time; the bursts alternate
    between them (repeat by repeat), so that load from elsewhere on the
    machine weighs on every column alike."""
    runs = {key: {corpus: [] for corpus in CORPORA} for key, _, _ in setups}
    delivered = {}
    with contextlib.ExitStack() as stack:
        relays = {key: start_relay(stack, milter) for key, _, milter in setups}
        for key, relay in relays.items():
            warm = [("warm-%d" % n, mails.text_mail("warm-%d" % n)) for n in range(20)]
            mails.Burst(relay.postfix.port, warm, concurrency=args.concurrency).start().join()
            delivered[key] = len(warm)
            drain(relay, delivered[key])
        for r in range(args.repeat):
            for corpus in CORPORA:
                for key, label, _ in setups:
                    print("  %s, %s, burst %d" % (label, corpus, r + 1), flush=True)
                    runs[key][corpus].append(one_burst(relays[key], corpus, r, args.count,
                                                       args.concurrency))
                    delivered[key] += args.count
                    drain(relays[key], delivered[key])
    return {key: {corpus: {m: statistics.median(run[m] for run in cells)
                           for m in cells[0]}
                  for corpus, cells in by_corpus.items()}
            for key, by_corpus in runs.items()}


def table(all_results, args):
    lines = ["| milter | corpus | accepted msgs/s | p50 ms | p99 ms | CPU ms/msg: Postfix, "
             "milter, workers or clamd | peak RSS MiB: milter, worker or clamd |",
             "|---|---|---|---|---|---|---|"]
    for key, label, _ in SETUPS:
        for corpus, r in all_results.get(key, {}).items():
            lines.append("| %s | %s | %.0f | %.1f | %.1f | %.2f, %.2f, %.2f | %.0f, %.0f |"
                         % (label, corpus, r["rate"], r["p50"], r["p99"], r["cpu_postfix"],
                            r["cpu_front"], r["cpu_workers"], r["front_mib"],
                            r["worker_mib"]))
    base = all_results.get("none", {}).get("text")
    ours = all_results.get("mugai", {}).get("text")
    if base and ours:
        lines.append("")
        lines.append("Added latency of mugai-milter for a text mail: p50 +%.1f ms, p99 +%.1f ms."
                     % (ours["p50"] - base["p50"], ours["p99"] - base["p99"]))
    return "\n".join(lines)


def section(results, args, command):
    cpus = os.cpu_count()
    return """## Milter

Command (as root, after `meson setup build && ninja -C build`; needs the Debian
packages `postfix`, `clamav-milter` and `clamav-daemon`):

    {command}

A private Postfix on loopback (test/integration/postfix/harness.py, the
before-queue snippet of conf/postfix) relaying to an LGWAN-side `smtp-sink`;
{count} messages per burst from {conc} concurrent SMTP clients that keep their
session open; all setups run at once, their bursts taking turns; median of
{repeat} bursts per cell. "text" is a short Japanese
UTF-8 mail; "attachment" the same with a 4 KiB CSV attachment (re-encoded by
mugai, scanned by both). Every milter uses the same test virus database
(test/data/clamav, two signatures). Latency is the client's time from MAIL
FROM to the 250 after the end of DATA, i.e. what a before-queue milter adds to
every SMTP transaction.

Measured {date} on {cpus} CPUs ({machine}), debugoptimized build (-O2); load
average from other work on the machine {load_start:.1f} at the start, {load_end:.1f}
at the end (the columns share it alike; absolute figures need an idle machine):

{table}

Milter sockets: "inet" is 127.0.0.1 TCP, "unix socket" a unix-domain socket.
clamav-milter on TCP pays about 40 ms twice per message: Postfix writes a
macro packet that needs no reply and then, its next write held back by Nagle's
algorithm, waits for the milter's delayed ACK. mugai-milter avoids this on TCP
(TCP_NODELAY on its connections, and it does not ask Postfix to skip the HELO
and DATA steps, whose macros would otherwise travel alone); a unix socket has
no such delay for either milter.
""".format(command=command, count=args.count, conc=args.concurrency, repeat=args.repeat,
           date=datetime.date.today().isoformat(), cpus=cpus, machine=platform.machine(),
           load_start=args.load_start, load_end=os.getloadavg()[0],
           table=table(results, args))


def write_section(path, text):
    """Replace the "## Milter" section of PATH (or append it), keeping the rest."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    else:
        old = "# mugai performance\n\n"
    start = old.find("## Milter\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 1)
        new = old[:start] + text + (old[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(new.rstrip("\n") + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=[k for k, _, _ in SETUPS], action="append")
    parser.add_argument("--write", metavar="PERFORMANCE.md")
    args = parser.parse_args()
    harness.skip_unless_runnable()
    args.load_start = os.getloadavg()[0]
    setups = []
    for key, label, milter in SETUPS:
        if args.only and key not in args.only:
            continue
        if milter in (ClamavMilter, ClamavMilterUnix) and not (os.access(CLAMD, os.X_OK)
                                                               and os.access(CLAMAV_MILTER,
                                                                             os.X_OK)):
            print("skipping %s: install clamav-milter and clamav-daemon" % label)
            continue
        setups.append((key, label, milter))
    results = bench_all(setups, args)
    command = "test/bench/milter/run.sh --count %d --concurrency %d --repeat %d" % (
        args.count, args.concurrency, args.repeat)
    text = section(results, args, command)
    print()
    print(text)
    if args.write:
        write_section(args.write, text)
        print("written to " + args.write)


if __name__ == "__main__":
    main()
