#!/usr/bin/env python3
"""test_cluster.py - two relays sharing one quarantine in PostgreSQL.

Two private Postfix instances, each with its own mugai-milter, one LGWAN-side
sink, and one private PostgreSQL cluster (pgtest.py) as the shared store
([quarantine] backend = postgresql), as doc/cluster.md describes. In turn:

- a burst split across both relays: every message arrives once, sanitised,
  and every held one is in the one store;
- a release requested on relay A is approved on relay B and delivered once;
- two approvals racing on A and B deliver once;
- relay B's milter killed with SIGKILL mid-burst: nothing lost;
- PostgreSQL stopped mid-burst: held mail is tempfailed, nothing is lost,
  the flow resumes when it is back;
- the admin web UI (HTTP) on relay A lists relay B's items.

Every wait is for an event (files at the sink, a log line, a port); nothing
asserts on time. Exit 0 pass, 1 fail, 77 skip (only where Postfix cannot run).
"""

import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))
import harness  # noqa: E402
import mails  # noqa: E402
import pgtest  # noqa: E402
from harness import Milter, Postfix, Sink, wait_for  # noqa: E402

DOMAIN = harness.RECIPIENT_DOMAIN
# mugai users and the Unix users they act from (real uid only, via setpriv).
USERS = {"alice": ("operator", "alice-password-1", "daemon"),
         "bob": ("approver", "bob-password-12", "bin"),
         "carol": ("approver", "carol-password-3", "sys")}


def check(condition, what):
    if not condition:
        raise AssertionError(what)


class Node:
    """One relay: its own Postfix and mugai-milter, the shared sink and store."""

    def __init__(self, name, root, sink, dsn):
        self.name = name
        self.workdir = os.path.join(root, name)
        os.makedirs(self.workdir)
        os.chmod(self.workdir, 0o755)
        self.milter = Milter(self.workdir, extra={
            "quarantine": {"backend": "postgresql", "dsn": dsn},
            "admin": {"users_file": os.path.join(root, "users")},
            "release": {"smtp": "127.0.0.1:%d" % sink.port,
                        "sender": "mugai-release@" + DOMAIN,
                        "allowed_recipient_domains": DOMAIN}})
        self.postfix = Postfix(self.workdir, "inet:127.0.0.1:%d" % self.milter.port, sink.port)

    def start(self):
        self.milter.start()
        self.postfix.start()

    def stop(self):
        for part in (self.postfix, self.milter):
            try:
                part.stop()
            except Exception as e:  # keep stopping the others
                print("stopping %s %s: %s" % (self.name, type(part).__name__, e),
                      file=sys.stderr)

    def quarantine(self, *args, login=None):
        """`mugai quarantine ARGS` with this relay's configuration."""
        prefix = ["setpriv", "--ruid=" + login] if login else []
        proc = subprocess.run(prefix + [harness.MUGAI, "quarantine", args[0], "-c",
                                        self.milter.config] + list(args[1:]),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
                proc.stderr.decode("utf-8", "replace"))

    def request(self, item):
        return self.quarantine("release", item, "--as", "alice", "--as-password-file",
                               password_file(self.workdir, "alice"), login=USERS["alice"][2])

    def approve(self, item, user):
        return self.quarantine("approve", item, "--as", user, "--as-password-file",
                               password_file(self.workdir, user), login=USERS[user][2])


def password_file(workdir, user):
    path = os.path.join(workdir, "pw-" + user)
    with open(path, "w") as f:
        f.write(USERS[user][1] + "\n")
    return path


class Cluster:
    def __init__(self):
        harness.skip_unless_runnable()
        self.root = tempfile.mkdtemp(prefix="mugai-cluster-")
        os.chmod(self.root, 0o755)
        self.pg = pgtest.Cluster()
        self.dsn, self.db = self.pg.fresh_dsn()
        self.sink = Sink(self.root)
        self.a = Node("a", self.root, self.sink, self.dsn)
        self.b = Node("b", self.root, self.sink, self.dsn)

    def __enter__(self):
        try:
            rc, out, err = self.a.quarantine("migrate")
            check(rc == 0 and "migrated from version 0" in out, "migrate: %s %s" % (out, err))
            rc, out, _ = self.b.quarantine("migrate")
            check(rc == 0 and "nothing to do" in out, "a second migrate: %r" % out)
            for name, (role, password, login) in USERS.items():
                proc = subprocess.run([harness.MUGAI, "admin", "-c", self.a.milter.config,
                                       "user", "add", name, "--role", role, "--unix-user",
                                       login], input=(password + "\n").encode(),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      timeout=120)
                check(proc.returncode == 0, "user add %s: %r" % (name, proc.stderr))
            self.sink.start()
            self.a.start()
            self.b.start()
        except BaseException:
            self.close(failed=True)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(failed=exc_type is not None)
        return False

    def close(self, failed=False):
        for node in (self.a, self.b):
            node.stop()
        self.sink.stop()
        if failed:
            for node in (self.a, self.b):
                print("--- %s: mugai-milter log (tail) ---\n%s" % (
                    node.name, "\n".join(node.milter.read_log().splitlines()[-40:])),
                    file=sys.stderr)
                print("--- %s: postfix maillog (tail) ---\n%s" % (
                    node.name, "\n".join(node.postfix.maillog().splitlines()[-40:])),
                    file=sys.stderr)
        self.pg.close()
        if failed or os.environ.get("MUGAI_KEEP"):
            print("cluster files kept in " + self.root, file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    # What reached the sink: relayed messages by subject, releases apart.
    def arrived(self):
        relayed, released = {}, []
        for env, message in self.sink.messages():
            if "mugai-release" in env.get("X-Mail-Args", ""):
                released.append(message)
                continue
            subject = harness.header(message, "Subject") or ""
            relayed.setdefault(subject, []).append(message)
        return relayed, released

    def wait_relayed(self, subjects):
        """Wait until every subject in SUBJECTS arrived and both queues are empty."""
        def done():
            relayed, _ = self.arrived()
            if not set(subjects) <= set(relayed):
                for node in (self.a, self.b):
                    node.postfix.flush()
                return False
            return not self.a.postfix.queue() and not self.b.postfix.queue()
        wait_for("%d messages at the sink" % len(subjects), done, 300, 0.3)
        return self.arrived()

    def items(self, node=None):
        rc, out, err = (node or self.a).quarantine("list", "--json")
        check(rc == 0, "list: %s" % err)
        return json.loads(out)


# Every second message is held: an EICAR mail (withheld) or an executable
# (removed, the mail delivered with the rest); the others are plain text.
def burst(run, count):
    out = []
    for n in range(count):
        ident = "%s-%04d" % (run, n)
        if n % 4 == 0:
            data = mails.eicar_mail(ident)
        elif n % 4 == 2:
            data = mails.attachment_mail(ident, "tool.exe", b"MZ\x90\x00" + bytes(3000),
                                         "application/octet-stream")
        else:
            data = mails.text_mail(ident)
        out.append((ident, data))
    return out


def held_count(messages):
    return sum(1 for i, _ in enumerate(messages) if i % 2 == 0)


def subject_of(ident):
    return "test " + ident


def assert_burst(cl, bursts, messages, before_items, killed_inflight=0):
    """Zero lost, zero duplicated at the sink, every held one in the store.
    KILLED_INFLIGHT: how many messages a milter killed with 9 may have
    stored without answering; Postfix sends those again, so each may be
    held twice (the store is at least once, never lossy)."""
    for b in bursts:
        check(not b.rejected, "permanently rejected: %s" % b.rejected)
    subjects = [subject_of(i) for i, _ in messages]
    relayed, _ = cl.wait_relayed(subjects)
    dup = [s for s in subjects if len(relayed[s]) > 1]
    check(not dup, "%d duplicated, e.g. %s" % (len(dup), dup[:3]))
    for s in subjects:
        check(b"EICAR-STANDARD" not in relayed[s][0], "%s: the virus arrived" % s)
    items = {i["id"]: i for i in cl.items()}
    new = [i for i in items if i not in before_items]
    held = {subject_of(ident) for n, (ident, _) in enumerate(messages) if n % 2 == 0}
    missing = held - {items[i]["subject"] for i in new}
    check(not missing, "held mail missing from the shared store: %s" % sorted(missing)[:3])
    check(held_count(messages) <= len(new) <= held_count(messages) + killed_inflight,
          "%d new items in the shared store, expected %d (+ at most %d stored twice)"
          % (len(new), held_count(messages), killed_inflight))
    return new


def run_burst(cl, run, count, split=True):
    messages = burst(run, count)
    half = len(messages) // 2 if split else len(messages)
    bursts = [mails.Burst(cl.a.postfix.port, messages[:half], concurrency=4).start()]
    if split:
        bursts.append(mails.Burst(cl.b.postfix.port, messages[half:], concurrency=4).start())
    return messages, bursts


def wait_arrived(cl, messages, count):
    """Wait until COUNT of MESSAGES are at the sink (mail flows)."""
    subjects = {subject_of(i) for i, _ in messages}
    wait_for("%d of the burst through" % count,
             lambda: len(subjects & set(cl.arrived()[0])) >= count, 300)


def scenario_split_burst(cl):
    before = {i["id"] for i in cl.items()}
    messages, bursts = run_burst(cl, "split", 40)
    for b in bursts:
        b.join()
    new = assert_burst(cl, bursts, messages, before)
    listed_b = {i["id"] for i in cl.items(cl.b)}
    check(set(new) <= listed_b, "relay B does not list every item held by A")
    rc, out, _ = cl.b.quarantine("check")
    check(rc == 0 and "chain intact" in out and ", 0 damaged" in out, "check: %r" % out)
    print("split burst: 40 sent over two relays, each arrived once, %d held items in the"
          " one store, listed on both" % len(new))
    return new


def pick_item(cl, node_name):
    """A held item, a part removed (so releasable), whose mail came through
    NODE_NAME (its queue id is in that relay's maillog)."""
    node = cl.a if node_name == "a" else cl.b
    log = node.postfix.maillog()
    for item in cl.items():
        if item["state"] == "held" and item["verdict"] == "sanitised" and \
                item.get("queue_id") and \
                re.search(r"\b%s\b" % re.escape(item["queue_id"]), log):
            return item
    raise AssertionError("no held item from relay %s" % node_name)


def scenario_request_a_approve_b(cl):
    item = pick_item(cl, "b")
    rc, _, err = cl.a.request(item["id"])
    check(rc == 0, "request on A: %s" % err)
    rc, out, err = cl.b.approve(item["id"], "bob")
    check(rc == 0, "approve on B: exit %d %s" % (rc, err))
    _, released = cl.arrived()
    wait_for("the release at the sink", lambda: len(cl.arrived()[1]) >= 1, 120)
    rc, _, err = cl.a.approve(item["id"], "carol")
    check(rc != 0, "a second approval after delivery succeeded")
    released = cl.arrived()[1]
    check(len(released) == 1, "%d releases arrived, expected 1" % len(released))
    check(harness.header(released[0], "X-Mugai").startswith("sanitised"), "not sanitised")
    print("request on A, approval on B: delivered once")


def scenario_racing_approvals(cl):
    before = len(cl.arrived()[1])
    item = pick_item(cl, "a")
    rc, _, err = cl.a.request(item["id"])
    check(rc == 0, "request: %s" % err)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        fa = ex.submit(cl.a.approve, item["id"], "bob")
        fb = ex.submit(cl.b.approve, item["id"], "carol")
        results = [fa.result(), fb.result()]
    ok = [r for r in results if r[0] == 0]
    check(len(ok) == 1, "racing approvals: exits %r" % [(r[0], r[2][-200:]) for r in results])
    wait_for("the release at the sink", lambda: len(cl.arrived()[1]) >= before + 1, 120)
    rc, out, _ = cl.a.quarantine("list", "--json", "--all")
    states = {i["id"]: i["state"] for i in json.loads(out)}
    check(states[item["id"]] == "released", "state after the race: %s" % states[item["id"]])
    released = cl.arrived()[1]
    check(len(released) == before + 1, "%d releases after the race, expected %d"
          % (len(released), before + 1))
    print("two approvals racing on A and B: one succeeded, delivered once")


def scenario_kill9_b(cl):
    before = {i["id"] for i in cl.items()}
    messages, bursts = run_burst(cl, "k9b", 40)
    wait_arrived(cl, messages, 10)
    cl.b.milter.signal(signal.SIGKILL)
    cl.b.milter.wait()
    wait_for("B's clients tempfailed", lambda: bursts[1].tempfails > 0 or not bursts[1].pending,
             300)
    cl.b.milter.start()
    for b in bursts:
        b.join()
    assert_burst(cl, bursts, messages, before, killed_inflight=4)   # B's 4 clients
    print("relay B's milter killed with 9 mid-burst: nothing lost, every held mail stored")


def scenario_postgres_stopped(cl):
    before = {i["id"] for i in cl.items()}
    messages, bursts = run_burst(cl, "pgdown", 40)
    wait_arrived(cl, messages, 8)
    cl.pg.stop("fast")
    unreachable = "the PostgreSQL store is unreachable"
    wait_for("the milter's unreachable line", lambda: unreachable in
             cl.a.milter.read_log() + cl.b.milter.read_log(), 300)
    wait_for("tempfails while the store is down",
             lambda: sum(b.tempfails for b in bursts) > 0, 300)
    cl.pg.start()
    for b in bursts:
        b.join()
    assert_burst(cl, bursts, messages, before)
    lines = [ln for ln in (cl.a.milter.read_log() + cl.b.milter.read_log()).splitlines()
             if unreachable in ln]
    check(lines, "no unreachable line")
    rc, out, _ = cl.b.quarantine("check")
    check(rc == 0 and ", 0 damaged" in out and "chain intact" in out,
          "check after the outage: %r" % out)
    print("PostgreSQL stopped mid-burst: %d tempfails, nothing lost, flow resumed; %d"
          " unreachable log lines over both relays" % (sum(b.tempfails for b in bursts),
                                                       len(lines)))


def scenario_admin_ui(cl):
    import test_admin   # the web UI tests' server and client
    item = pick_item(cl, "b")
    store = type("Store", (), {"tmp": cl.a.workdir, "conf": cl.a.milter.config})()
    server = test_admin.Server(store)
    try:
        client = test_admin.Client(server)
        status, _, _ = client.login("bob", USERS["bob"][1])
        check(status == 303, "login: %d" % status)
        status, _, page = client.get("/items?q=" + urllib.parse.quote(item["id"][-8:]))
        check(status == 200 and item["id"] in page,
              "relay A's UI does not list B's item %s" % item["id"])
    finally:
        server.stop()
    print("the admin UI on A lists B's item %s" % item["id"])


def main():
    if not os.access(harness.MILTER, os.X_OK):
        print("FAIL: %s not built" % harness.MILTER)
        return 1
    with Cluster() as cl:
        scenario_split_burst(cl)
        scenario_request_a_approve_b(cl)
        scenario_racing_approvals(cl)
        scenario_admin_ui(cl)
        scenario_kill9_b(cl)
        scenario_postgres_stopped(cl)
    print("PASS cluster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
