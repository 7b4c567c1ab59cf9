#!/usr/bin/env python3
"""test_relay.py - mugai-milter on a real, private Postfix: what reaches the LGWAN side.

Usage: test_relay.py TEST   (one of the functions named test_* below, without
the prefix). Every test asserts on what arrives at the LGWAN-side sink or on
what the SMTP client is told; none asserts on how long anything took.
Exit 0 pass, 1 fail, 77 skip (only where Postfix cannot run at all).
"""

import email
import json
import email.policy
import grp
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import mails  # noqa: E402
from harness import Relay, wait_for  # noqa: E402


def check(condition, what):
    if not condition:
        raise AssertionError(what)


# ---------------------------------------------------------------- helpers

def normalise(message):
    """What a reader of MESSAGE sees, with what legitimately differs between
    two runs of the same pipeline replaced: Received fields (added by
    Postfix), the report id (in X-Mugai and in the notice), MIME boundaries
    and transfer-encoding line breaks (compared decoded)."""
    message = message.replace(b"\r\n", b"\n")
    ident = re.search(rb"X-Mugai:[^\n]*id=([^;\s]+)", message)
    ident = ident.group(1).decode() if ident else "\0"
    parsed = email.message_from_bytes(message, policy=email.policy.compat32)
    out = []
    for name, value in parsed.items():
        if name.lower() != "received":
            value = re.sub(r'boundary="?[^";\s]+"?', "boundary=<B>", str(value))
            out.append("%s: %s" % (name, value.replace(ident, "<ID>")))
    for part in parsed.walk():
        out.append("-- part %s %s %s" % (part.get_content_type(), part.get_filename(),
                                         part.get("Content-Transfer-Encoding")))
        if not part.is_multipart():
            payload = part.get_payload(decode=True) or b""
            out.append(payload.replace(ident.encode(), b"<ID>").decode("utf-8", "replace"))
    return ("\n".join(out).rstrip("\n") + "\n").encode()


def assert_sanitised(message, ident=None):
    """X-Mugai present, the marker header gone, the sentinel (if any) kept."""
    x_mugai = harness.header(message, "X-Mugai")
    check(x_mugai is not None and x_mugai.startswith("sanitised"),
          "not sanitised (X-Mugai: %s):\n%s" % (x_mugai, message[:2000].decode("utf-8", "replace")))
    check(harness.header(message, mails.MARKER) is None, "original header passed through")
    if ident is not None:
        check("SENTINEL-" + ident in mails.body_text(message), "sentinel of %s lost" % ident)


def arrived_by_subject(relay, count, timeout=180):
    """{subject: [message, ...]} once COUNT messages arrived and the queue is empty."""
    found = {}
    for _, message in relay.wait_delivered(count, timeout):
        found.setdefault(mails.subject(message), []).append(message)
    return found


def assert_burst_delivered(relay, burst, idents):
    """Zero lost, zero duplicated, zero unsanitised."""
    check(not burst.rejected, "permanently rejected: %s" % burst.rejected)
    check(set(burst.accepted) == set(idents), "not every message was accepted")
    found = arrived_by_subject(relay, len(idents), 300)
    expected = {"test " + i for i in idents}
    lost = expected - set(found)
    extra = set(found) - expected
    dup = [s for s, ms in found.items() if len(ms) > 1]
    check(not lost, "%d lost, e.g. %s" % (len(lost), sorted(lost)[:5]))
    check(not extra, "unexpected messages: %s" % sorted(extra)[:5])
    check(not dup, "%d duplicated, e.g. %s" % (len(dup), dup[:5]))
    for subj, (message,) in found.items():
        assert_sanitised(message, subj[len("test "):])
    print("%d sent, %d tempfails retried, %d arrived once each, all sanitised"
          % (len(idents), burst.tempfails, len(found)))


def burst_messages(run, count, attachments_every=4):
    out = []
    for n in range(count):
        ident = "%s-%04d" % (run, n)
        make = mails.attachment_mail if n % attachments_every == 0 else mails.text_mail
        out.append((ident, make(ident)))
    return out


def send_samples(relay):
    """Send every sample (envelope sender names it); returns {path: refusal or None}."""
    outcome = {}
    for i, path in enumerate(mails.sample_files(harness.SRCDIR)):
        with open(path, "rb") as f:
            data = f.read()
        try:
            relay.send(data, sender="sample-%d@internet.example" % i)
            outcome[path] = None
        except smtplib.SMTPException as exc:
            outcome[path] = str(exc)
    return outcome


def compare_samples(relay):
    outcome = send_samples(relay)
    check(outcome, "no samples in samples/")
    sent = [p for p, refusal in outcome.items() if refusal is None]
    refused = ["%s: %s" % (os.path.basename(p), r) for p, r in outcome.items() if r is not None]
    check(not refused, "samples refused at SMTP: %s" % refused)
    arrived = {}
    for envelope, message in relay.wait_delivered(len(sent), 240):
        m = re.search(r"sample-(\d+)@", envelope.get("X-Mail-Args", ""))
        check(m, "unexpected envelope %s" % envelope)
        arrived[int(m.group(1))] = message
    paths = mails.sample_files(harness.SRCDIR)
    failures = []
    for i, path in enumerate(paths):
        if outcome[path] is not None:
            continue
        with open(path, "rb") as f:
            code, expected = harness.mugai_mail(f.read(), relay.milter.config)
        check(code in (0, 3), "mugai mail %s exited %d" % (path, code))
        got = arrived.get(i)
        check(got is not None, "%s never arrived" % path)
        check(harness.header(got, "X-Mugai") is not None, "%s arrived without X-Mugai" % path)
        if normalise(got) != normalise(expected):
            failures.append(path)
            show_difference(path, normalise(expected), normalise(got))
    check(not failures, "%d samples differ from `mugai mail`" % len(failures))
    print("%d samples arrived exactly as `mugai mail` produced them" % len(sent))


def show_difference(path, expected, got):
    import difflib
    diff = difflib.unified_diff(expected.decode("utf-8", "replace").splitlines(),
                                got.decode("utf-8", "replace").splitlines(),
                                "mugai mail", "arrived", lineterm="", n=2)
    print("--- %s differs:" % os.path.basename(path))
    print("\n".join(list(diff)[:60]))


# ---------------------------------------------------------------- tests

def test_samples():
    """Every sample arrives as `mugai mail` would produce it (before-queue)."""
    with Relay(mode="before") as relay:
        assert_least_privilege(relay)
        compare_samples(relay)


def test_samples_after_queue():
    """The same through the after-queue deployment (content_filter)."""
    with Relay(mode="after") as relay:
        compare_samples(relay)


def test_virus_withheld():
    """A virus never arrives: the notice does, marked withheld. (Through a unix
    socket, group postfix, as doc/admin-milter describes.)"""
    with Relay(unix=True) as relay:
        assert_least_privilege(relay)
        relay.send(mails.eicar_mail("eicar"))
        with open(mails.CLAM_EXE, "rb") as f:
            relay.send(mails.attachment_mail("clamexe", "setup.exe", f.read(),
                                             "application/octet-stream"))
        arrived = relay.wait_delivered(2)
        for _, message in arrived:
            check(harness.header(message, "X-Mugai").startswith("withheld"),
                  "virus mail not withheld")
            check(b"EICAR-STANDARD" not in message, "EICAR string arrived")
            check(harness.header(message, mails.MARKER) is None, "original header arrived")
        print("2 virus mails: the notices arrived, withheld")


def summary_lines(relay, verdict):
    return [line for line in relay.milter.read_log().splitlines()
            if re.search(r": %s id=" % verdict, line)]


def test_mail_log():
    """One summary line per message an admin can grep: verdict, quarantine id,
    envelope sender and every recipient, virus name, Message-ID, sizes, time,
    database; a Message-ID with spaces and '=' cannot forge a field."""
    with Relay() as relay:
        domain = harness.RECIPIENT_DOMAIN
        rcpts = ("somu@" + domain, "kaikei@" + domain)
        virus = mails.eicar_mail("maillog").replace(
            b"Message-ID: <", b"Message-ID: <forged virus=Fake.Name reason=none ", 1)
        relay.send(virus, sender="attacker@internet.example", recipients=rcpts)
        relay.send(mails.text_mail("maillog-clean"), sender="",
                   recipients=("staff@" + domain,))
        relay.wait_delivered(2)
        wait_for("the summary lines", lambda: summary_lines(relay, "withheld")
                 and summary_lines(relay, "sanitised"), 60)
        line = summary_lines(relay, "withheld")[0]
        m = re.match(r"^.*?(\S+): withheld id=(\S+) from=<attacker@internet\.example> "
                     r"to=<somu@%s>,<kaikei@%s> virus=(\S+) message_id=<(\S+)> "
                     r"in=\d+ out=\d+ ms=\d+ signatures=\"[^\"]+\" reason=virus found"
                     % (re.escape(domain), re.escape(domain)), line)
        check(m is not None, "withheld summary line: %r" % line)
        check("Eicar" in m.group(3) or "EICAR" in m.group(3), "virus name %r" % m.group(3))
        check(" virus=Fake" not in line and " reason=none" not in line,
              "the Message-ID forged a field: %r" % line)
        check("virus\\x3dFake.Name" in m.group(4), "Message-ID not escaped: %r" % m.group(4))
        check(": report " not in relay.milter.read_log(),
              "the JSON report is in the mail log (only at debug level)")
        reports = audit_messages(relay)
        check(m.group(2) in [r["id"] for r in reports], "no audit line for %s" % m.group(2))
        check(re.search(r"%s: to=<(somu|kaikei)@" % m.group(1), relay.postfix.maillog()),
              "queue id %s is not Postfix's" % m.group(1))
        clean = summary_lines(relay, "sanitised")[0]
        check(re.search(r": sanitised id=\S+ from=<> to=<staff@%s> message_id=<" %
                        re.escape(domain), clean) and " virus=" not in clean
              and " reason=" not in clean, "sanitised summary line: %r" % clean)
        check(len(reports) == 2, "audit message lines: %r" % [r["id"] for r in reports])
        print("summary: " + line.split("mugai-milter: ", 1)[-1])


def audit_messages(relay):
    """The message lines of the audit log (the report's members), in order."""
    with open(os.path.join(relay.workdir, "quarantine", "audit.log")) as f:
        return [a for a in map(json.loads, f) if a["event"] == "message"]


def test_alert_outbreak():
    """[alert] address: an outbreak of 30 virus mails through the relay makes
    one Japanese alert mail at once (the first virus, its envelope and id),
    the other 29 kept for the next mail of the interval; no original in it."""
    relay = Relay()
    csirt = "csirt@" + harness.RECIPIENT_DOMAIN
    with open(relay.milter.config, "a") as f:   # before anything starts
        f.write("[alert]\naddress = %s\ninterval = 3600\n" % csirt)
        f.write("[release]\nsmtp = 127.0.0.1:%d\nsender = mugai-alert@%s\n"
                % (relay.sink.port, harness.RECIPIENT_DOMAIN))
    state = os.path.join(relay.workdir, "quarantine", "alert.state")

    def alerts():
        return [(env, m) for env, m in relay.sink.messages()
                if env.get("X-Rcpt-Args", "").startswith("<" + csirt)]

    def kept():
        with open(state) as f:
            return len(f.read().splitlines()) - 1
    with relay:
        relay.send(mails.eicar_mail("outbreak-0"), sender="attacker@internet.example")
        wait_for("the alert mail", lambda: alerts(), 60)
        for i in range(1, 30):
            relay.send(mails.eicar_mail("outbreak-%d" % i), sender="attacker@internet.example")
        relay.wait_delivered(31)
        wait_for("29 kept events", lambda: kept() == 29, 60)
        got = alerts()
        check(len(got) == 1, "%d alert mails for an outbreak" % len(got))
        env, data = got[0]
        msg = email.message_from_bytes(data, policy=email.policy.default)
        text = msg["Subject"] + "\n" + msg.get_content()
        check("ウイルスを検出しました（1 件）" in text, "alert subject %r" % msg["Subject"])
        check("<attacker@internet.example>" in text and "Mugai.Test.EICAR" in text
              and "staff@" + harness.RECIPIENT_DOMAIN in text, "alert facts:\n" + text)
        check(b"EICAR-STANDARD" not in data and "EICAR-STANDARD" not in text,
              "the alert carries the original")
        first = summary_lines(relay, "withheld")[0]
        check(re.search(r" id=(\S+)", first).group(1) in text, "the quarantine id is missing")
        print("1 alert mail for 30 viruses, 29 kept for the next one")


HOOK = """#!/usr/bin/python3
import json, os, sys
out = sys.argv[1]
with open(os.path.join(out, 'tmp'), 'w') as f:
    json.dump({'uid': os.getuid(), 'stdin': sys.stdin.read(),
               'env': {k: v for k, v in os.environ.items() if k.startswith('MUGAI_ALERT_')}}, f)
calls = [f for f in os.listdir(out) if f.endswith('.json')]
os.rename(os.path.join(out, 'tmp'), os.path.join(out, 'call-%d.json' % len(calls)))
"""


def test_alert_reload():
    """A signature file that does not load: the milter keeps the old engine,
    alerts the CSIRT at once (one Japanese mail, not one per check) and runs
    [alert] exec as its service user; mail still flows and is still scanned."""
    with tempfile.TemporaryDirectory() as db:
        os.chmod(db, 0o755)  # read by the milter's user
        for name in ("test.hdb", "test.ndb"):
            shutil.copy(os.path.join(harness.CLAMAV_DB, name), db)
        relay = Relay(milter_extra={"clamav": {"database": db}})
        csirt = "csirt@" + harness.RECIPIENT_DOMAIN
        hook_dir = os.path.join(relay.workdir, "hook")
        out = os.path.join(hook_dir, "out")
        os.makedirs(out)
        os.chmod(hook_dir, 0o755)
        harness.give_to_mugai(out)
        with open(os.path.join(hook_dir, "hook.py"), "w") as f:
            f.write(HOOK)
        os.chmod(os.path.join(hook_dir, "hook.py"), 0o755)
        with open(relay.milter.config, "a") as f:   # before anything starts
            f.write("[alert]\naddress = %s\nexec = %s %s\n"
                    % (csirt, os.path.join(hook_dir, "hook.py"), out))
            f.write("[release]\nsmtp = 127.0.0.1:%d\nsender = mugai-alert@%s\n"
                    % (relay.sink.port, harness.RECIPIENT_DOMAIN))
            f.write("[admin]\npublic_url = https://mugai.%s\n" % harness.RECIPIENT_DOMAIN)

        def alerts():
            return [m for env, m in relay.sink.messages()
                    if env.get("X-Rcpt-Args", "").startswith("<" + csirt)]
        with relay:
            with open(os.path.join(db, "broken.ndb"), "w") as f:
                f.write("this is not a signature\n")
            wait_for("the alert mail", alerts, 60)
            wait_for("the exec hook", lambda: os.listdir(out) == ["call-0.json"], 60)
            relay.send(mails.eicar_mail("after-failed-reload"))
            (arrived,) = [m for env, m in relay.wait_delivered(2)
                          if not env.get("X-Rcpt-Args", "").startswith("<" + csirt)]
            check(harness.header(arrived, "X-Mugai").startswith("withheld"),
                  "the old engine stopped scanning after a failed reload")
            log = relay.milter.read_log()
            check(log.count("reload failed, keeping the previous engine") == 1,
                  "a broken database was loaded more than once:\n" + log[-2000:])
            check(len(alerts()) == 1, "%d alert mails for one failed reload" % len(alerts()))
            msg = email.message_from_bytes(alerts()[0], policy=email.policy.default)
            text = msg["Subject"] + "\n" + msg.get_content()
            check("ウイルス定義の読み込みに失敗しました" in msg["Subject"] and
                  "それまでの定義で検査を続けています" in text and "Malformed database" in text,
                  "reload alert:\n" + text)
            with open(os.path.join(out, "call-0.json")) as f:
                call = json.load(f)
            check(call["env"].get("MUGAI_ALERT_KIND") == "reload" and
                  "Malformed database" in call["env"].get("MUGAI_ALERT_DETAIL", "") and
                  json.loads(call["stdin"])["kind"] == "reload", "hook call %r" % call)
            check(call["uid"] == pwd.getpwnam(harness.MUGAI_USER).pw_uid,
                  "the hook ran as uid %d, not the service user" % call["uid"])
        print("failed reload: 1 alert mail, the hook as %s, the old engine kept"
              % harness.MUGAI_USER)


def test_virus_reject():
    """on_virus = reject: the client gets 5xx, nothing arrives; a clean mail
    in the same session still passes."""
    with Relay(on_virus="reject") as relay:
        with relay.connect() as smtp:
            try:
                smtp.sendmail("sender@internet.example", ["staff@lgwan.example.jp"],
                              harness.crlf(mails.eicar_mail("eicar")))
                raise AssertionError("virus mail accepted")
            except smtplib.SMTPDataError as exc:
                check(exc.smtp_code == 550, "expected 550, got %d" % exc.smtp_code)
                check(b"5.7.1" in exc.smtp_error, "expected 5.7.1: %r" % exc.smtp_error)
            smtp.sendmail("sender@internet.example", ["staff@lgwan.example.jp"],
                          harness.crlf(mails.text_mail("clean")))
        arrived = relay.wait_delivered(1)
        check(len(arrived) == 1, "expected only the clean mail")
        assert_sanitised(arrived[0][1], "clean")
        print("virus refused with 550 5.7.1; the clean mail after it arrived")


def big_csv(rows):
    return ("id,name,amount\n" + "".join("%d,品目 %d,%d\n" % (i, i, i * 7)
                                          for i in range(rows))).encode()


def test_session():
    """Several messages per SMTP session, RSET, and clients that drop mid-DATA;
    every message spooled to a file (spool_threshold at its minimum)."""
    with Relay(milter_extra={"milter": {"spool_threshold": "4096"}}) as relay:
        with relay.connect() as smtp:
            for n in range(3):
                smtp.sendmail("sender@internet.example", ["staff@lgwan.example.jp"],
                              harness.crlf(mails.text_mail("multi-%d" % n)))
            smtp.mail("sender@internet.example")
            code, _ = smtp.rcpt("someone@elsewhere.example")
            check(code == 554, "relaying to another domain: %d (open relay?)" % code)
            smtp.rcpt("staff@lgwan.example.jp")
            smtp.rset()
            smtp.sendmail("sender@internet.example", ["staff@lgwan.example.jp"],
                          harness.crlf(mails.attachment_mail("after-rset")))
        for n in range(3):
            drop_mid_data(relay, mails.attachment_mail("dropped-%d" % n), n)
        relay.send(mails.text_mail("last"))
        big = mails.attachment_mail("big", "big.csv", big_csv(120000))
        relay.send(big)
        found = arrived_by_subject(relay, 6)
        expected = {"test multi-0", "test multi-1", "test multi-2", "test after-rset",
                    "test last", "test big"}
        check(set(found) == expected, "arrived: %s" % sorted(found))
        for subj, (message,) in found.items():
            assert_sanitised(message, subj[len("test "):])
        code, expected_big = harness.mugai_mail(big, relay.milter.config)
        check(normalise(found["test big"][0]) == normalise(expected_big),
              "the %d-byte message differs from `mugai mail`" % len(big))
        check(relay.milter.proc.poll() is None, "milter died")
        print("3 messages in one session, one after RSET, 3 dropped mid-DATA, one of %d "
              "bytes: exactly the 6 complete ones arrived" % len(big))


def test_output_limit():
    """A sanitised form above [milter] max_output_size is never delivered (Postfix
    would refuse it for good): the recipient gets the withheld notice with the
    limit as its reason; smaller mail still passes."""
    with Relay(milter_extra={"milter": {"max_output_size": "65536"}}) as relay:
        relay.send(mails.attachment_mail("too-big", "big.csv", big_csv(20000)))
        relay.send(mails.text_mail("small"))
        found = arrived_by_subject(relay, 2)
        big = found.get("test too-big", [])
        check(len(big) == 1, "oversized mail: expected its notice, got %r" % list(found))
        check(harness.header(big[0], "X-Mugai").startswith("withheld"), "oversized mail not withheld")
        check("処理の上限を超えました" in mails.body_text(big[0]), "notice does not give the limit")
        assert_sanitised(found["test small"][0], "small")
        print("oversized sanitised output withheld with the limit as reason; small mail passed")


def drop_mid_data(relay, message, how):
    """Start DATA, send part of MESSAGE, then vanish (close, shutdown, or
    after the whole header block)."""
    sock = socket.create_connection(("127.0.0.1", relay.postfix.port), timeout=30)
    f = sock.makefile("rwb")

    def command(line, expect):
        if line is not None:
            f.write(line + b"\r\n")
            f.flush()
        reply = f.readline()
        while reply[3:4] == b"-":
            reply = f.readline()
        check(reply.startswith(expect), "%r -> %r" % (line, reply))

    command(None, b"220")
    command(b"EHLO client.internet.test", b"250")
    command(b"MAIL FROM:<sender@internet.example>", b"250")
    command(b"RCPT TO:<staff@lgwan.example.jp>", b"250")
    command(b"DATA", b"354")
    data = harness.crlf(message)
    cut = data.index(b"\r\n\r\n") + 4 if how == 2 else len(data) // (2 + how)
    f.write(data[:cut])
    f.flush()
    if how == 1:
        sock.shutdown(socket.SHUT_RDWR)
    f.close()
    sock.close()


def test_kill9():
    """kill -9 of the milter in a burst, restarted seconds later: zero lost,
    zero duplicated, zero unsanitised."""
    run_kill9("before", 300)


def test_kill9_after_queue():
    """The same in the after-queue deployment."""
    run_kill9("after", 150)


def run_kill9(mode, count):
    with Relay(mode=mode) as relay:
        messages = burst_messages("k9" + mode[0], count)
        burst = mails.Burst(relay.postfix.port, messages).start()
        # Kill while mail flows through the milter: after a third went through it.
        wait_for("a third sanitised", lambda: len(os.listdir(relay.sink.dir)) >= count // 3,
                 300)
        relay.milter.signal(signal.SIGKILL)
        relay.milter.wait()
        time.sleep(3)  # the milter stays down a few seconds, as after a crash
        relay.milter.start()
        burst.join()
        assert_burst_delivered(relay, burst, [i for i, _ in messages])
        # The fault was exercised: the client or the queue saw tempfails.
        deferred = relay.postfix.maillog().count("status=deferred")
        check(burst.tempfails + deferred > 0, "the kill caused no tempfail at all")
        print("killed with 9: %d SMTP tempfails, %d queue deferrals, all retried"
              % (burst.tempfails, deferred))


def children(pid):
    """Pids whose parent is PID (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def proc_status(pid):
    """{field: [values]} of /proc/PID/status, or None once PID has gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return {name: value.split() for name, _, value in
                    (line.partition(":") for line in f)}
    except OSError:
        return None


def mugai_processes(milter_pid):
    """[(role, pid)]: the milter, its supervisor(s), their workers (and any
    LibreOffice service child, which runs as the worker user too)."""
    found = [("front", milter_pid)]
    for supervisor in children(milter_pid):
        found.append(("supervisor", supervisor))
        found.extend(("worker", worker) for worker in children(supervisor))
    return found


def assert_least_privilege(relay):
    """Every long-running mugai process: a non-root user (the front and the
    supervisor [milter] user, the workers [milter] worker_user alone), no
    capability, no_new_privs, a seccomp filter. Prints the /proc lines."""
    user = pwd.getpwnam(harness.MUGAI_USER).pw_uid
    worker = pwd.getpwnam(harness.MUGAI_WORKER_USER).pw_uid
    roles = set()
    for role, pid in mugai_processes(relay.milter.proc.pid):
        status = proc_status(pid)
        if status is None:
            continue  # a worker retired while we looked
        roles.add(role)
        uids = [int(u) for u in status["Uid"]]
        line = "%s %d: Uid %s CapEff %s NoNewPrivs %s Seccomp %s" % (
            role, pid, " ".join(status["Uid"]), status["CapEff"][0],
            status["NoNewPrivs"][0], status["Seccomp"][0])
        print(line)
        check(0 not in uids, "root in " + line)
        check(int(status["CapEff"][0], 16) == 0, "capabilities in " + line)
        check(status["NoNewPrivs"][0] == "1", "no no_new_privs in " + line)
        check(status["Seccomp"][0] == "2", "no seccomp filter in " + line)
        if role == "worker":
            check(uids == [worker] * 4, "worker not %s alone: %s" % (harness.MUGAI_WORKER_USER, line))
        else:  # the supervisor's effective id is the worker user's: it signals them
            check(uids[0] == user and uids[1 if role == "front" else 2] == user,
                  "%s not %s: %s" % (role, harness.MUGAI_USER, line))
    check(roles == {"front", "supervisor", "worker"}, "processes found: %s" % roles)
    if relay.milter.unix_path:
        st = os.stat(relay.milter.unix_path)
        check(st.st_uid == user and grp.getgrgid(st.st_gid).gr_name == "postfix"
              and st.st_mode & 0o777 == 0o660,
              "socket %o %d:%d, not _mugai:postfix 0660" % (st.st_mode, st.st_uid, st.st_gid))


def kill_workers(milter_pid):
    """SIGKILL every sandboxed worker (children of the milter's supervisor)."""
    killed = 0
    for supervisor in children(milter_pid):
        for worker in children(supervisor):
            try:
                os.kill(worker, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    return killed


def test_worker_kill():
    """Sandboxed workers killed again and again during a burst (as a parser
    exploit or the deadline would end them): the milter keeps serving, no
    message is lost or duplicated, and each arrives either sanitised or as the
    withheld notice, never as it was sent."""
    count = 120
    with Relay() as relay:
        messages = burst_messages("wk", count)
        burst = mails.Burst(relay.postfix.port, messages).start()
        killed = 0
        for third in (1, 2):
            wait_for("%d/3 delivered" % third,
                     lambda: len(os.listdir(relay.sink.dir)) >= count * third // 3, 300)
            for _ in range(5):
                killed += kill_workers(relay.milter.proc.pid)
                time.sleep(0.05)
        burst.join()
        check(killed > 0, "no worker was found to kill")
        wait_for("replacement workers", lambda: any(
            role == "worker" for role, _ in mugai_processes(relay.milter.proc.pid)), 60)
        assert_least_privilege(relay)
        check(not burst.rejected and set(burst.accepted) == {i for i, _ in messages},
              "not every message was accepted")
        found = arrived_by_subject(relay, count, 300)
        withheld = 0
        for ident, _ in messages:
            arrived = found.get("test " + ident, [])
            check(len(arrived) == 1, "%s arrived %d times" % (ident, len(arrived)))
            message = arrived[0]
            check(harness.header(message, mails.MARKER) is None, "%s passed unsanitised" % ident)
            x_mugai = harness.header(message, "X-Mugai") or ""
            if x_mugai.startswith("withheld"):
                withheld += 1
                check("変換に失敗しました" in mails.body_text(message),
                      "%s withheld without the failure reason" % ident)
            else:
                assert_sanitised(message, ident)
        check(relay.milter.proc.poll() is None, "the milter died")
        print("%d workers killed; %d messages, %d withheld because their worker died, "
              "the rest sanitised" % (killed, count, withheld))


def test_sigstop():
    """A milter that stops answering: Postfix tempfails after its timeout and
    nothing unsanitised passes; after SIGCONT the retried mail arrives."""
    with Relay() as relay:
        relay.milter.signal(signal.SIGSTOP)
        try:
            relay.send(mails.text_mail("stopped"))
            raise AssertionError("accepted while the milter was stopped")
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            code = getattr(exc, "smtp_code", 450)
            check(400 <= code < 500, "expected 4xx, got %s" % exc)
        relay.milter.signal(signal.SIGCONT)
        burst = mails.Burst(relay.postfix.port, [("stopped", mails.text_mail("stopped"))],
                            concurrency=1, retry_delay=1).start().join()
        assert_burst_delivered(relay, burst, ["stopped"])
        check(b"X-Mugai" in relay.sink.messages()[0][1], "unsanitised")


def test_worker_stuck():
    """A worker that stops answering (SIGSTOP: a parser stuck where no limit
    reaches): after [sandbox] job_timeout the message is withheld, and the
    stuck worker, which runs as another user than the milter, is killed
    through the supervisor and replaced."""
    extra = {"sandbox": {"workers": "1", "job_timeout": "3"},
             "milter": {"reload_interval": "0"}}  # one supervisor: its workers alone
    with Relay(milter_extra=extra) as relay:
        pid = relay.milter.proc.pid
        stuck = wait_for("a worker", lambda: [w for r, w in mugai_processes(pid)
                                              if r == "worker"], 60)
        for worker in stuck:
            os.kill(worker, signal.SIGSTOP)
        relay.send(mails.text_mail("stuck"))
        ((_, message),) = relay.wait_delivered(1)
        check(harness.header(message, "X-Mugai").startswith("withheld"),
              "not withheld after the worker timed out")
        check(b"SENTINEL-stuck" not in message, "the original passed")
        wait_for("the stuck worker killed", lambda: all(
            proc_status(w) is None or proc_status(w)["State"][0] == "Z" for w in stuck), 60)
        wait_for("a replacement", lambda: [w for r, w in mugai_processes(pid)
                                           if r == "worker" and w not in stuck], 60)
        assert_least_privilege(relay)
        check("cannot have worker" not in relay.milter.read_log(), relay.milter.read_log())
    print("stuck worker: message withheld, worker killed by its supervisor and replaced")


def test_sigterm():
    """SIGTERM during a burst: the milter finishes what is in flight and exits
    0; once restarted, nothing is lost."""
    with Relay() as relay:
        messages = burst_messages("term", 200)
        burst = mails.Burst(relay.postfix.port, messages).start()
        wait_for("a quarter accepted", lambda: burst.count_accepted() >= 50, 300)
        relay.milter.signal(signal.SIGTERM)
        status = relay.milter.wait(120)
        check(status == 0, "mugai-milter exited %d after SIGTERM" % status)
        log = relay.milter.read_log()
        check("NOQUEUE: stopped" in log, "no clean stop in the log")
        check("still open at exit" not in log, "messages in flight were cut")
        relay.milter.start()
        burst.join()
        assert_burst_delivered(relay, burst, [i for i, _ in messages])


def read_until(proc, marker, timeout=120):
    """The output of PROC up to and including the first line holding MARKER
    (bytes); None when PROC ends first."""
    deadline = time.monotonic() + timeout
    out = b""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            return None
        out += line
        if marker in line:
            return out
    raise AssertionError("timed out waiting for %r" % marker)


def test_sigterm_at_start():
    """A SIGTERM sent the moment the milter says it is listening (or, every
    fourth run, the moment its socket accepts, before the engine is loaded) is
    the milter's own clean stop, exit 0, never libmilter's (exit 71), 20 times
    over."""
    workdir = tempfile.mkdtemp(prefix="mugai-term-")
    os.chmod(workdir, 0o755)  # the quarantine inside is the milter user's
    try:
        milter = harness.Milter(workdir)
        for run in range(20):
            proc = subprocess.Popen([harness.MILTER, "-f", "-c", milter.config],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            try:
                if run % 4 == 3:
                    wait_for("the socket", lambda: proc.poll() is not None
                             or milter.listening(), 120)
                    said = b""
                else:
                    said = read_until(proc, b"NOQUEUE: listening on")
                    if said is None:
                        check(False, "run %d: exited %s before listening:\n%s" % (
                            run, proc.wait(), proc.stdout.read().decode("utf-8", "replace")))
                proc.send_signal(signal.SIGTERM)
                rest, _ = proc.communicate(timeout=120)
            finally:
                harness.stop_process(proc, sig=signal.SIGKILL)
            log = (said + rest).decode("utf-8", "replace")
            check(proc.returncode == 0, "run %d: exit %d after SIGTERM at start:\n%s" % (
                run, proc.returncode, log[-1500:]))
            check("SIGTERM received" in log and "libmilter stopped on its own" not in log,
                  "run %d: not the milter's own stop:\n%s" % (run, log[-1500:]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("SIGTERM at start: exit 0 in 20 runs")


def test_reload():
    """New signatures in the database directory are picked up without a
    restart: EICAR passes as text before test.ndb exists, is withheld after."""
    with tempfile.TemporaryDirectory() as db:
        os.chmod(db, 0o755)  # read by the milter's user
        shutil.copy(os.path.join(harness.CLAMAV_DB, "test.hdb"), db)
        with Relay(milter_extra={"clamav": {"database": db}}) as relay:
            relay.send(mails.eicar_mail("before-reload"))
            (first,) = [m for _, m in relay.wait_delivered(1)]
            check(harness.header(first, "X-Mugai").startswith("sanitised"),
                  "EICAR withheld before its signature was loaded")
            check(re.search(r"loaded virus database .*: custom 1 signatures \(sha256 [0-9a-f]{12}\)",
                            relay.milter.read_log()), "no database version in the start log")
            shutil.copy(os.path.join(harness.CLAMAV_DB, "test.ndb"), db)
            wait_for("the reload", lambda: "generation 2" in relay.milter.read_log(), 60)
            check(re.search(r"reloaded virus database .*: custom 2 signatures",
                            relay.milter.read_log()), "no database version in the reload log")
            relay.send(mails.eicar_mail("after-reload"))
            arrived = relay.wait_delivered(2)
            second = [m for _, m in arrived if m != first][0]
            check(harness.header(second, "X-Mugai").startswith("withheld"),
                  "EICAR not withheld after the reload")
            reports = audit_messages(relay)
            check([r.get("signatures", "")[:19] for r in reports] ==
                  ["custom 1 signatures", "custom 2 signatures"],
                  "reports do not name the database they were scanned with: %r"
                  % [r.get("signatures") for r in reports])
            check(relay.milter.proc.poll() is None, "milter died during reload")
            assert_least_privilege(relay)  # the new supervisor too
        print("signatures reloaded while running; the next mail used them")


def test_startup():
    """No usable database: exit 78, in the foreground and as a daemon. As a
    daemon with a database: pid file, listening, SIGTERM removes the pid file."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        for database in (empty, os.path.join(tmp, "missing")):
            conf = write_conf(tmp, database)
            for args in (["-f"], []):
                proc = subprocess.run([harness.MILTER, "-c", conf] + args,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
                check(proc.returncode == 78, "database %s, args %s: exit %d, stderr %s"
                      % (database, args, proc.returncode, proc.stderr))
                check(len(proc.stderr.strip().splitlines()) >= 1, "no message on stderr")
                check(not os.path.exists(os.path.join(tmp, "run", "milter.pid")),
                      "pid file written")
        bad = os.path.join(tmp, "bad.conf")
        with open(bad, "w") as f:
            f.write("[milter]\nno_such_key = 1\n")
        proc = subprocess.run([harness.MILTER, "-f", "-c", bad], stderr=subprocess.PIPE)
        check(proc.returncode == 78, "unknown key: exit %d" % proc.returncode)
        with open(bad, "w") as f:
            f.write("[milter]\nuser = no-such-user-mugai\n")
        proc = subprocess.run([harness.MILTER, "-f", "-c", bad], stderr=subprocess.PIPE)
        check(proc.returncode == 78 and b"no-such-user-mugai does not exist" in proc.stderr,
              "missing user: exit %d, %s" % (proc.returncode, proc.stderr))
        usage = subprocess.run([harness.MILTER, "--no-such-flag"], stderr=subprocess.PIPE)
        check(usage.returncode == 64, "bad flag: exit %d" % usage.returncode)
        run_daemon(tmp)
    print("no database: exit 78 (foreground and daemon); daemon pid file and SIGTERM ok")


def write_conf(tmp, database, port=None):
    """A daemon config in TMP; the quarantine and the pid file's folder (made
    by the milter itself) are the milter user's."""
    port = port or harness.free_port()
    conf = os.path.join(tmp, "mugai.conf")
    os.chmod(tmp, 0o755)
    os.makedirs(os.path.join(tmp, "q"), exist_ok=True)
    harness.give_to_mugai(os.path.join(tmp, "q"))
    with open(conf, "w") as f:
        f.write("[clamav]\ndatabase = %s\n[quarantine]\ndirectory = %s/q\n"
                "[milter]\nsocket = inet:%d@127.0.0.1\npid_file = %s/run/milter.pid\n"
                % (database, tmp, port, tmp))
    return conf


def run_daemon(tmp):
    port = harness.free_port()
    conf = write_conf(tmp, harness.CLAMAV_DB, port)
    pid_file = os.path.join(tmp, "run", "milter.pid")
    proc = subprocess.run([harness.MILTER, "-c", conf], timeout=120)
    check(proc.returncode == 0, "daemon start exited %d" % proc.returncode)
    wait_for("pid file", lambda: os.path.exists(pid_file), 30)
    with open(pid_file) as f:
        pid = int(f.read())
    try:
        check(harness.port_open(port), "daemon not listening")
        os.kill(pid, signal.SIGTERM)
        wait_for("daemon exit", lambda: not os.path.exists("/proc/%d" % pid), 60)
        check(not os.path.exists(pid_file), "pid file left behind")
    finally:
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, signal.SIGKILL)


def test_miltertest():
    """The callbacks at the protocol level, with miltertest as a fake MTA
    (no Postfix needed): see test_milter.lua."""
    miltertest = shutil.which("miltertest")
    if miltertest is None:
        print("SKIP: miltertest not installed (Debian package miltertest)")
        sys.exit(harness.SKIP)
    with tempfile.TemporaryDirectory() as tmp:
        port = harness.free_port()
        conf = write_conf(tmp, harness.CLAMAV_DB, port)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_milter.lua")
        proc = subprocess.run([miltertest, "-D", "MILTER=" + harness.MILTER, "-D", "CONF=" + conf,
                               "-D", "SOCKET=inet:%d@127.0.0.1" % port, "-s", script],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        output = proc.stdout.decode("utf-8", "replace")
        print(output)
        check(proc.returncode == 0 and "*** PASS" in output,
              "miltertest exited %d" % proc.returncode)


def quarantine_cli(relay, *args, stdin=None, login=None):
    """`mugai quarantine ARGS` against the relay's store, as the Unix user LOGIN
    (the real uid only, with setpriv): (exit, stdout, stderr)."""
    prefix = ["setpriv", "--ruid=" + login] if login else []
    proc = subprocess.run(prefix + [harness.MUGAI, "quarantine", args[0], "-c",
                                    relay.milter.config] +
                          list(args[1:]), input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=300)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


# Each mugai user is the Unix user of an existing system account.
RELEASE_USERS = {"alice": ("operator", "alice-password-1", "daemon"),
                 "bob": ("approver", "bob-password-12", "bin")}


def add_release_users(relay):
    for name, (role, password, login) in RELEASE_USERS.items():
        proc = subprocess.run([harness.MUGAI, "admin", "-c", relay.milter.config, "user", "add",
                               name, "--role", role, "--unix-user", login],
                              input=(password + "\n").encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        check(proc.returncode == 0, "user add %s: %r" % (name, proc.stderr))


def release_settings(workdir, sink_port):
    return {"admin": {"users_file": os.path.join(workdir, "users")},
            "release": {"smtp": "127.0.0.1:%d" % sink_port,
                        "sender": "mugai-release@" + harness.RECIPIENT_DOMAIN,
                        "allowed_recipient_domains": harness.RECIPIENT_DOMAIN}}


def test_release_envelope():
    """A held mail whose header names an attacker's address (To) while its real
    recipient was Bcc'd (RCPT TO only): the milter records the envelope, and the
    release goes to the Bcc'd envelope recipient alone, from [release] sender,
    with the original From kept only as a header."""
    relay = Relay()
    with open(relay.milter.config, "a") as f:   # before anything starts
        for group, keys in release_settings(relay.workdir, relay.sink.port).items():
            f.write("[%s]\n" % group + "".join("%s = %s\n" % kv for kv in keys.items()))
    with relay:
        add_release_users(relay)
        domain = harness.RECIPIENT_DOMAIN
        message = mails.attachment_mail("envelope", "tool.exe", b"MZ\x90\x00" + bytes(4000),
                                        "application/octet-stream")
        message = message.replace(b"To: Staff <staff@%s>" % domain.encode(),
                                  b"To: somu@%s, attacker-copy@evil.example" % domain.encode())
        relay.send(message, sender="sender@internet.example",
                   recipients=("kacho@" + domain,))
        relay.wait_delivered(1)
        rc, out, err = quarantine_cli(relay, "list", "--json")
        check(rc == 0, "list: %s" % err)
        items = json.loads(out)
        check(len(items) == 1, "one held item expected: %r" % items)
        item = items[0]
        check(item["envelope"] == {"from": "sender@internet.example", "to": ["kacho@" + domain]},
              "the envelope recorded: %r" % item.get("envelope"))
        rc, _, err = quarantine_cli(relay, "release", item["id"], login="daemon")
        check(rc == 0, "release request: %s" % err)
        rc, out, err = quarantine_cli(relay, "approve", item["id"], login="bin")
        check(rc == 0, "approve: exit %d %s" % (rc, err))
        arrived = relay.wait_delivered(2)
        released = [(env, m) for env, m in arrived
                    if "mugai-release" in env.get("X-Mail-Args", "")]
        check(len(released) == 1, "one release expected: %r" % [e for e, _ in arrived])
        env, data = released[0]
        rcpts = []
        for name in os.listdir(relay.sink.dir):   # every RCPT of every session
            with open(os.path.join(relay.sink.dir, name), "rb") as f:
                rcpts += re.findall(rb"^X-Rcpt-Args: *(<[^>]*>)", f.read(), re.M)
        check(sorted(rcpts) == [b"<kacho@" + domain.encode() + b">"] * 2,
              "RCPT TO seen by the LGWAN side: %r (the relay, then the release)" % rcpts)
        check(env["X-Mail-Args"].startswith("<mugai-release@"), "MAIL FROM %r" % env)
        check(harness.header(data, "From") == "Internet Sender <sender@internet.example>",
              "the original From header is lost: %r" % harness.header(data, "From"))
        check(harness.header(data, "X-Mugai").startswith("sanitised"), "not sanitised")
        print("released only to kacho@%s (RCPT), from %s" % (domain, env["X-Mail-Args"]))


def main():
    if len(sys.argv) != 2 or "test_" + sys.argv[1] not in globals():
        names = sorted(n[5:] for n in globals() if n.startswith("test_"))
        print("usage: test_relay.py {%s}" % "|".join(names), file=sys.stderr)
        return 64
    if sys.argv[1] not in ("startup", "miltertest", "sigterm_at_start"):
        harness.skip_unless_runnable()
    if not os.access(harness.MILTER, os.X_OK):
        print("FAIL: %s not built" % harness.MILTER)
        return 1
    globals()["test_" + sys.argv[1]]()
    print("PASS " + sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
