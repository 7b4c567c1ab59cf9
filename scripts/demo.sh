#!/bin/sh
# demo.sh - mail through a real Postfix, sanitised by mugai-milter, on loopback.
#
# Starts, in a temporary directory and on 127.0.0.1 only: a private Postfix
# instance (its own config, queue and log; /etc/postfix and the system
# instance are never touched) with mugai-milter as its milter, and an
# LGWAN-side sink (Postfix's smtp-sink). Sends every samples/*.eml through
# SMTP, prints side by side what was sent and what arrived on the LGWAN side,
# and stops everything it started, also on failure or Ctrl-C.
#
# Usage: scripts/demo.sh [--after-queue] [--en]
#   --after-queue  use the after-queue deployment (content_filter) instead
#   --en           notices in English (default: Japanese)
# Installs what it needs and builds into ./build first (scripts/setup.sh;
# MUGAI_BUILD overrides the folder); needs root (apt-get, Postfix).
set -eu

cd "$(dirname "$0")/.."
BUILD=${MUGAI_BUILD:-build}
if [ "$(id -u)" = 0 ]; then
    MUGAI_BUILD="$BUILD" bash scripts/setup.sh
fi
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo MUGAI_BUILD="$BUILD" "$0" "$@"
    fi
    echo "demo: a private Postfix instance must be started as root" >&2
    exit 1
fi

export MUGAI_SRCDIR="$PWD"
export MUGAI_BUILDDIR="$PWD/$BUILD"
export MUGAI_MILTER="$MUGAI_BUILDDIR/src/milter/mugai-milter"
export MUGAI="$MUGAI_BUILDDIR/src/cli/mugai"
exec python3 - "$@" <<'EOF'
import email
import email.header
import email.policy
import os
import re
import smtplib
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.environ["MUGAI_SRCDIR"], "test/integration/postfix"))
import harness  # noqa: E402
import mails  # noqa: E402

WIDTH = 60  # columns per side


def width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text, cols):
    """TEXT cut to COLS display columns (wide characters count two)."""
    out, used = "", 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > cols:
            return out[:-1] + "…" if out else ""
        out, used = out + c, used + w
    return out


def side_by_side(left, right):
    for i in range(max(len(left), len(right))):
        l = fit(left[i] if i < len(left) else "", WIDTH)
        r = fit(right[i] if i < len(right) else "", WIDTH)
        print(" %s%s │ %s" % (l, " " * (WIDTH - width(l)), r))


def parse(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def attachments(message):
    out = []
    for part in message.walk():
        if part.is_multipart() or part.get_filename() is None and part.get_content_maintype() == "text":
            continue
        payload = part.get_payload(decode=True) or b""
        out.append("%s (%s, %d bytes)" % (decoded(part.get_filename()) or "(no name)",
                                          part.get_content_type(), len(payload)))
    return out


def sent_column(data):
    m = email.message_from_bytes(data, policy=email.policy.compat32)
    lines = ["From: %s" % decoded(m.get("From")), "Subject: %s" % decoded(m.get("Subject"))]
    found = attachments(m)
    lines += ["attached: " + a for a in found] or ["attached: (nothing)"]
    return lines


def notice_lines(m):
    """The notice at the top of the body: what became of each attachment
    (detected types left out for room)."""
    body = m.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    keep = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("・", "- ", "理由", "Reason")):
            keep.append(re.sub(r"（[a-z]+/[^）]*）|\s\([a-z]+/[^)]*\)", "", line))
    return keep[:8]


def jis_to_cp932(data):
    """ISO-2022-JP as Microsoft's CP50220 writes it (NEC and IBM extensions,
    half-width katakana), re-coded to CP932 bytes, which Python can decode."""
    out, mode, i = bytearray(), "ascii", 0
    while i < len(data):
        if data[i] == 0x1B:
            seq = data[i + 1:i + 3]
            mode = {b"$B": "jis", b"$@": "jis", b"(I": "kana"}.get(seq, "ascii")
            i += 3
        elif mode == "jis" and i + 1 < len(data):
            j1, j2 = data[i], data[i + 1]
            s1 = ((j1 - 0x21) >> 1) + 0x81
            s1 += 0x40 if s1 > 0x9F else 0
            s2 = (j2 + 0x1F + (j2 >= 0x60)) if j1 & 1 else j2 + 0x7E
            out += bytes((s1, s2))
            i += 2
        else:
            out.append(data[i] + 0x80 if mode == "kana" else data[i])
            i += 1
    return bytes(out)


CHARSETS = {"shift_jis": ["cp932"], "euc-jp": ["euc_jis_2004"]}


def decoded(value):
    """A header as the sender's software meant it: Python's own decoders lack
    the CP932 extensions Japanese senders use, so try the wider codecs."""
    out = []
    for chunk, charset in email.header.decode_header(str(value or "")):
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        if (charset or "").lower() == "iso-2022-jp":
            chunk, charset = jis_to_cp932(chunk), "shift_jis"
        for codec in CHARSETS.get((charset or "").lower(), []) + [charset or "ascii"]:
            try:
                out.append(chunk.decode(codec))
                break
            except (LookupError, UnicodeDecodeError):
                continue
        else:
            out.append(chunk.decode("utf-8", "replace"))
    return "".join(out)


def arrived_column(data):
    if data is None:
        return ["(nothing arrived)"]
    m = parse(data)
    verdict = str(m.get("X-Mugai", "(no X-Mugai!)"))
    lines = ["X-Mugai: %s" % verdict.split(";")[0],
             "From: %s" % m.get("From", ""), "Subject: %s" % m.get("Subject", "")]
    lines += ["attached: " + a for a in attachments(m)] or ["attached: (nothing)"]
    return lines + notice_lines(m)


def main(args):
    mode = "after" if "--after-queue" in args else "before"
    extra = {"notice": {"language": "en" if "--en" in args else "ja"}}
    samples = mails.sample_files(harness.SRCDIR)
    with harness.Relay(mode=mode, milter_extra=extra) as relay:
        print("mugai demo: Postfix (%s-queue) on 127.0.0.1:%d → mugai-milter → LGWAN-side "
              "sink on 127.0.0.1:%d\n" % (mode, relay.postfix.port, relay.sink.port))
        refused = {}
        for i, path in enumerate(samples):
            with open(path, "rb") as f:
                try:
                    relay.send(f.read(), sender="sample-%d@internet.example" % i)
                except smtplib.SMTPException as exc:
                    refused[i] = str(exc)
        arrived = {}
        for envelope, message in relay.wait_delivered(len(samples) - len(refused), 180):
            n = re.search(r"sample-(\d+)@", envelope.get("X-Mail-Args", ""))
            arrived[int(n.group(1))] = message
        counts = {}
        for i, path in enumerate(samples):
            print("── %s %s" % (os.path.basename(path), "─" * (2 * WIDTH - len(path))))
            side_by_side(["SENT (internet side)"], ["ARRIVED (LGWAN side)"])
            with open(path, "rb") as f:
                left = sent_column(f.read())
            right = (["refused at SMTP: " + refused[i]] if i in refused
                     else arrived_column(arrived.get(i)))
            side_by_side(left, right)
            verdict = right[0].split()[1] if right[0].startswith("X-Mugai") else "refused"
            counts[verdict] = counts.get(verdict, 0) + 1
            print()
        print("%d samples sent; arrived on the LGWAN side: %s"
              % (len(samples), ", ".join("%d %s" % (n, v) for v, n in sorted(counts.items()))))
        print("Every message that arrived is mugai's sanitised form or its notice (X-Mugai).")


if __name__ == "__main__":
    main(sys.argv[1:])
EOF
