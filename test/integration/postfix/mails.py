"""mails.py - test messages for the relay tests, the demo and the benchmark.

Each generated message carries a unique id in its Subject, a sentinel in its
body and a header the sanitiser must drop (X-Unsanitised-Marker), so that what
arrives can be matched to what was sent and checked for sanitising.
"""

import base64
import email
import email.policy
import os
import smtplib
import socket
import threading
import time

MARKER = "X-Unsanitised-Marker"
CLAM_EXE = "/usr/share/clamav-testfiles/clam.exe"


def eicar():
    """The 68-byte EICAR test string, assembled here so that this file is not
    itself a test virus."""
    return (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-" +
            b"TEST-FILE!$H+H*")


def _head(ident, subject, extra=""):
    return ("From: Internet Sender <sender@internet.example>\n"
            "To: Staff <staff@lgwan.example.jp>\n"
            "Subject: %s\n"
            "Date: Sun, 22 Nov 2026 10:00:00 +0900\n"
            "Message-ID: <%s@internet.example>\n"
            "%s: %s\n"
            "MIME-Version: 1.0\n%s" % (subject, ident, MARKER, ident, extra))


def text_mail(ident):
    """A short Japanese text mail."""
    return (_head(ident, "test " + ident) +
            "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n\n"
            "SENTINEL-%s\nお世話になっております。会議資料をお送りします。\n" % ident).encode()


def attachment_mail(ident, name="data.csv", payload=None, ctype="text/csv"):
    """A text mail with one base64 attachment (a CSV unless told otherwise)."""
    if payload is None:
        payload = ("id,name,amount\n" + "".join("%d,item %d,%d\n" % (i, i, i * 100)
                                                for i in range(200))).encode()
    encoded = base64.encodebytes(payload).decode()
    return (_head(ident, "test " + ident,
                  'Content-Type: multipart/mixed; boundary="b-%s"\n\n' % ident) +
            "--b-%s\nContent-Type: text/plain; charset=utf-8\n\n"
            "SENTINEL-%s\n添付ファイルをご確認ください。\n"
            "--b-%s\nContent-Type: %s; name=\"%s\"\n"
            "Content-Disposition: attachment; filename=\"%s\"\n"
            "Content-Transfer-Encoding: base64\n\n%s"
            "--b-%s--\n" % (ident, ident, ident, ctype, name, name, encoded, ident)).encode()


def eicar_mail(ident):
    return attachment_mail(ident, "readme.txt", eicar(), "text/plain")


def body_text(message):
    """The decoded text of every text/plain part of MESSAGE (LF bytes)."""
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    texts = []
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            try:
                texts.append(part.get_content())
            except (LookupError, ValueError):
                texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(texts)


def subject(message):
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    return str(parsed.get("Subject", ""))


TEMPORARY = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError,
             socket.timeout, OSError)


def _is_temporary(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, TEMPORARY)


class Burst:
    """Send messages from CONCURRENCY threads, each keeping an SMTP session
    open for several messages, like a retrying MTA: on a 4xx or a broken
    connection it reconnects and sends the same message again, until 250.
    Records per message the time from first try to acceptance, and the tempfails."""

    def __init__(self, port, messages, concurrency=8, retry_delay=0.3, recipient=None):
        self.port = port
        self.pending = list(messages)  # [(ident, bytes)]
        self.lock = threading.Lock()
        self.accepted = {}   # ident -> latency of the accepted try (seconds)
        self.rejected = {}   # ident -> "code text"
        self.tempfails = 0
        self.concurrency = concurrency
        self.retry_delay = retry_delay
        self.recipient = recipient or "staff@lgwan.example.jp"
        self.threads = []

    def _next(self):
        with self.lock:
            return self.pending.pop(0) if self.pending else None

    def _send(self, smtp, data):
        start = time.monotonic()
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        smtp.sendmail("sender@internet.example", [self.recipient], data)
        return time.monotonic() - start

    def _worker(self):
        smtp = None
        item = self._next()
        while item is not None:
            ident, data = item
            try:
                if smtp is None:
                    smtp = smtplib.SMTP("127.0.0.1", self.port, timeout=120,
                                        local_hostname="client.internet.test")
                latency = self._send(smtp, data)
                with self.lock:
                    self.accepted[ident] = latency
                item = self._next()
            except Exception as exc:  # noqa: BLE001 - sorted below
                smtp = _close(smtp)
                if not _is_temporary(exc):
                    with self.lock:
                        self.rejected[ident] = "%s" % exc
                    item = self._next()
                    continue
                with self.lock:
                    self.tempfails += 1
                time.sleep(self.retry_delay)
        _close(smtp)

    def start(self):
        for _ in range(self.concurrency):
            t = threading.Thread(target=self._worker, daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def join(self, timeout=600):
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in self.threads):
            raise AssertionError("burst did not finish")
        return self

    def count_accepted(self):
        with self.lock:
            return len(self.accepted)


def _close(smtp):
    if smtp is not None:
        try:
            smtp.quit()
        except Exception:  # noqa: BLE001 - the session may already be gone
            try:
                smtp.close()
            except Exception:  # noqa: BLE001
                pass
    return None


def sample_files(srcdir):
    """Every samples/*.eml, sorted."""
    d = os.path.join(srcdir, "samples")
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".eml"))
