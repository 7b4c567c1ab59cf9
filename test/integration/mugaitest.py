"""Shared helpers of mugai's integration tests (Python 3 stdlib only).

run_mail() runs the built `mugai mail` on a message with a test configuration
in a temporary directory and returns a Result: exit code, output bytes, the
parsed output message, the parsed JSON report, the quarantine directory.
check_sanitised()/check_withheld()/assert_absent() hold the assertions every
test makes; Suite runs named cases (in parallel) and prints "ok NAME" /
"FAIL NAME: why" and a final "N passed, M failed".
"""
import base64
import concurrent.futures
import email
import email.policy
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get('MUGAI_SRCDIR') or os.path.normpath(os.path.join(HERE, '..', '..'))
BUILDDIR = os.environ.get('MUGAI_BUILDDIR') or os.path.join(SRCDIR, 'build-tests')
MUGAI = os.environ.get('MUGAI') or os.path.join(BUILDDIR, 'src', 'cli', 'mugai')
CLAMDB = os.path.join(SRCDIR, 'test', 'data', 'clamav')
TESTFILES = '/usr/share/clamav-testfiles'
SAMPLES = os.path.join(SRCDIR, 'samples')
sys.path.insert(0, os.path.join(SRCDIR, 'test', 'gen'))

import mime  # noqa: E402  (test/gen)

EICAR = mime.EICAR
TIMEOUT = 300  # a hang guard, not a timed assertion

# Headers the LGWAN side may receive (doc/report.md), lower-case.
WHITELIST = {'from', 'to', 'cc', 'reply-to', 'subject', 'date', 'message-id',
             'in-reply-to', 'references', 'mime-version', 'content-type',
             'content-transfer-encoding', 'content-disposition', 'x-mugai'}
# Leaf types a sanitised message may carry (text now; rebuilt formats later).
OUTPUT_TYPES = {'text/plain', 'text/csv', 'application/pdf', 'image/png', 'image/jpeg', 'image/gif',
                'image/bmp', 'image/tiff', 'image/webp', 'application/zip',
                'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
                'application/vnd.openxmlformats-officedocument.presentationml.presentation'}


class TestFailure(AssertionError):
    pass


def check(cond, why):
    if not cond:
        raise TestFailure(why)


# --- CP50220 / RFC 2047 decoding (independent of mugai's own code) -----------

def decode_cp50220(data):
    """ISO-2022-JP as Microsoft writes it (CP50220/50221): JIS X 0208 runs are
    turned back into Shift_JIS byte pairs and decoded as CP932, so the NEC and
    IBM extension characters come back. Raises ValueError on anything else."""
    out = []
    mode = 'ascii'
    shifted = False
    i = 0
    n = len(data)
    while i < n:
        c = data[i]
        if c == 0x1b:
            seq = data[i:i + 3]
            if seq in (b'\x1b(B', b'\x1b(J'):
                mode = 'ascii'
            elif seq == b'\x1b(I':
                mode = 'kana'
            elif seq in (b'\x1b$B', b'\x1b$@'):
                mode = 'kanji'
            else:
                raise ValueError('unknown escape %r at %d' % (seq, i))
            i += 3
            continue
        if c == 0x0e:
            shifted = True
            i += 1
            continue
        if c == 0x0f:
            shifted = False
            i += 1
            continue
        if c in (0x0a, 0x0d):
            out.append(chr(c))
            i += 1
            continue
        if c >= 0x80:
            raise ValueError('8-bit byte 0x%02x in ISO-2022-JP at %d' % (c, i))
        if shifted or mode == 'kana':
            out.append(bytes([c + 0x80]).decode('cp932'))
            i += 1
        elif mode == 'kanji':
            if i + 1 >= n:
                raise ValueError('truncated JIS pair')
            s1, s2 = _jis_to_sjis(c, data[i + 1])
            out.append(bytes([s1, s2]).decode('cp932'))
            i += 2
        else:
            out.append(chr(c))
            i += 1
    return ''.join(out)


def _jis_to_sjis(j1, j2):
    s1 = ((j1 + 1) >> 1) + (0x70 if j1 <= 0x5e else 0xb0)
    s2 = j2 + ((0x1f if j2 <= 0x5f else 0x20) if j1 & 1 else 0x7e)
    return s1, s2


def decode_bytes(data, charset):
    cs = (charset or 'us-ascii').lower()
    if cs in ('iso-2022-jp', 'csiso2022jp', 'iso-2022-jp-ms', 'cp50220', 'cp50221'):
        return decode_cp50220(data)
    if cs in ('us-ascii', 'ascii'):
        return data.decode('ascii')
    if cs in ('shift_jis', 'shift-jis', 'sjis', 'x-sjis', 'windows-31j', 'ms_kanji', 'csshiftjis'):
        cs = 'cp932'
    return data.decode(cs)  # strict: a bad byte is a test failure


_EW = re.compile(rb'=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=')


def decode_header_value(raw):
    """Unfold and decode RFC 2047 words strictly (adjacent words of one charset
    joined before decoding). RAW: bytes or str."""
    if isinstance(raw, str):
        raw = raw.encode('utf-8', 'surrogateescape')
    raw = re.sub(rb'\r?\n[ \t]', b' ', raw).strip()
    out = []
    pos = 0
    pending = None  # (charset, bytes)
    for m in _EW.finditer(raw):
        gap = raw[pos:m.start()]
        if pending and gap.strip() == b'' and pending[0] == m.group(1).lower():
            pass
        else:
            if pending:
                out.append(decode_bytes(pending[1], pending[0].decode()))
                pending = None
            out.append(gap.decode('utf-8'))
        cs = m.group(1).lower().split(b'*')[0]
        text = m.group(3)
        if m.group(2) in b'Bb':
            data = base64.b64decode(text + b'=' * (-len(text) % 4))
        else:
            data = re.sub(rb'=([0-9A-Fa-f]{2})', lambda x: bytes([int(x.group(1), 16)]),
                          text.replace(b'_', b' '))
        pending = (cs, (pending[1] if pending else b'') + data)
        pos = m.end()
    if pending:
        out.append(decode_bytes(pending[1], pending[0].decode()))
    out.append(raw[pos:].decode('utf-8'))
    return ''.join(out)


# --- running mugai ------------------------------------------------------------

class Result:
    def __init__(self, rc, out, err, report, tmp, qdir, data, out_exists):
        self.rc = rc
        self.out = out
        self.err = err
        self.report = report
        self.tmp = tmp
        self.qdir = qdir
        self.input = data
        self.out_exists = out_exists
        self.msg = email.message_from_bytes(out, policy=email.policy.compat32) if out else None

    def brief(self):
        e = self.err.decode('utf-8', 'replace').strip().splitlines()
        return 'rc=%s stderr=%r' % (self.rc, e[-1][:200] if e else '')

    # headers
    def headers(self, name):
        return self.msg.get_all(name) or [] if self.msg else []

    def subject(self):
        h = self.raw_header('Subject')
        return decode_header_value(h) if h is not None else None

    def raw_header(self, name):
        """The raw (still encoded) value of the first header NAME of the output."""
        head = self.out.split(b'\n\n', 1)[0]
        m = re.search(rb'(?im)^' + re.escape(name.encode()) + rb':[ \t]*(.*(?:\n[ \t].*)*)', head)
        return m.group(1) if m else None

    def x_mugai(self):
        v = self.headers('X-Mugai')
        return v

    # parts
    def leaves(self):
        return [p for p in self.msg.walk() if not p.is_multipart()] if self.msg else []

    def leaf_bytes(self):
        out = []
        for p in self.leaves():
            try:
                out.append(p.get_payload(decode=True) or b'')
            except Exception:
                out.append(b'')
        return out

    def leaf_text(self, p):
        data = p.get_payload(decode=True) or b''
        cs = p.get_content_charset()
        if cs is None and any(c >= 0x80 for c in data):
            raise TestFailure('output %s part %r declares no charset but carries 8-bit text' % (
                p.get_content_type(), p.get_filename()))
        try:
            return decode_bytes(data, cs or 'us-ascii')
        except (UnicodeDecodeError, ValueError, LookupError) as e:
            raise TestFailure('output %s part does not decode as its charset %r: %s' % (
                p.get_content_type(), cs, e))

    def body_part(self):
        ls = self.leaves()
        check(ls, 'output has no MIME leaf')
        return ls[0]

    def body(self):
        """The decoded text of the first text/plain leaf (the body with the
        notice), strictly decoded by its declared charset."""
        p = self.body_part()
        check(p.get_content_type() == 'text/plain',
              'first leaf is %s, not text/plain' % p.get_content_type())
        return self.leaf_text(p)

    def all_text(self):
        """Every text/* leaf decoded, joined (body, kept text attachments)."""
        return '\n'.join(self.leaf_text(p) for p in self.leaves()
                         if p.get_content_maintype() == 'text')

    def output_filenames(self):
        return [p.get_filename() for p in self.leaves() if p.get_filename()]

    # report
    def parts(self):
        return (self.report or {}).get('parts') or []

    def reasons(self):
        """Every reason-like string of the report, lower-case, joined."""
        r = self.report or {}
        bits = []
        def walk(x, key=''):
            if isinstance(x, dict):
                for k, v in x.items():
                    walk(v, k)
            elif isinstance(x, list):
                for v in x:
                    walk(v, key)
            elif isinstance(x, str) and ('reason' in key or key in ('finding', 'findings', 'message')):
                bits.append(x)
        walk(r)
        return ' | '.join(bits).lower()

    def find_part(self, filename=None, sha256=None, pred=None):
        for p in self.parts():
            if filename is not None and p.get('filename') == filename:
                return p
            if sha256 is not None and p.get('sha256') == sha256:
                return p
            if pred is not None and pred(p):
                return p
        return None


def write_conf(path, db, qdir, extra=None):
    sections = {'clamav': {'database': db}, 'quarantine': {'directory': qdir}}
    for sec, kv in (extra or {}).items():
        sections.setdefault(sec, {}).update(kv)
    with open(path, 'w', encoding='utf-8') as f:
        for sec, kv in sections.items():
            f.write('[%s]\n' % sec)
            for k, v in kv.items():
                f.write('%s = %s\n' % (k, v))
            f.write('\n')


def run_mail(data, conf=None, db=None, args=None, stdin=False):
    """Run `mugai mail -c CONF --report R -o OUT IN` on DATA (bytes)."""
    tmp = tempfile.mkdtemp(prefix='mugai-it-')
    _track(tmp)
    qdir = os.path.join(tmp, 'q')
    cpath = os.path.join(tmp, 'mugai.conf')
    write_conf(cpath, db or CLAMDB, qdir, conf)
    inp = os.path.join(tmp, 'in.eml')
    outp = os.path.join(tmp, 'out.eml')
    rep = os.path.join(tmp, 'report.json')
    with open(inp, 'wb') as f:
        f.write(data)
    cmd = [MUGAI, 'mail', '-c', cpath, '--report', rep, '-o', outp]
    cmd += args or []
    cmd += ['-'] if stdin else [inp]
    try:
        p = subprocess.run(cmd, input=data if stdin else None, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise TestFailure('mugai mail did not finish within %ds (hang guard)' % TIMEOUT)
    out_exists = os.path.exists(outp)
    out = open(outp, 'rb').read() if out_exists else b''
    report = None
    if os.path.exists(rep) and os.path.getsize(rep):
        txt = open(rep, 'rb').read().decode('utf-8')
        try:
            report = json.loads(txt)
        except ValueError as e:
            raise TestFailure('report is not JSON: %s: %r' % (e, txt[:200]))
    return Result(p.returncode, out, p.stderr + p.stdout, report, tmp, qdir, data, out_exists)


def run_cmd(args, timeout=TIMEOUT):
    try:
        return subprocess.run([MUGAI] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TestFailure('mugai %s did not finish (hang guard)' % ' '.join(args[:1]))


# --- assertions ---------------------------------------------------------------

def _check_headers(res):
    head = res.out.split(b'\n\n', 1)[0]
    names = re.findall(rb'(?m)^([^ \t\n:]+):', head)
    for n in names:
        check(n.decode('ascii', 'replace').lower() in WHITELIST,
              'output carries header %r, not on the whitelist' % n)
    for line in res.out.split(b'\n'):
        check(len(line) <= 998, 'output line longer than 998 bytes (%d)' % len(line))
    check(all(c < 0x80 for c in head), 'raw 8-bit bytes in the output headers (RFC 2047 expected)')
    check(b'\r' not in head.replace(b'\r\n', b'\n'), 'bare CR in the output headers')
    check(b'\x00' not in head, 'NUL in the output headers')
    xm = res.x_mugai()
    check(len(xm) == 1, 'expected one X-Mugai header, got %r' % xm)
    check(b'X-Hostile' not in res.out and b'do-not-forward' not in res.out,
          'a non-whitelisted input header leaked into the output')
    return xm[0]


def check_sanitised(res):
    """Exit 0 and a well-formed sanitised message."""
    check(res.rc == 0, 'expected exit 0 (sanitised), got %s; reasons: %s' % (res.brief(), res.reasons()[:300]))
    check(res.out, 'exit 0 but empty output')
    check(res.report is not None, 'no report written')
    check(res.report.get('verdict') == 'sanitised', 'report verdict %r' % res.report.get('verdict'))
    xm = _check_headers(res)
    m = re.match(r'\s*sanitised;\s*id=(\S+)', xm)
    check(m, 'X-Mugai is %r' % xm)
    check(m.group(1) == res.report.get('id'), 'X-Mugai id %r != report id %r' % (m.group(1), res.report.get('id')))
    for p in res.leaves():
        ct = p.get_content_type()
        check(ct in OUTPUT_TYPES, 'output carries a %s part' % ct)
    check('\ufffd' not in res.body(), 'U+FFFD in the output body')
    subj = res.subject()
    check(subj is None or '\ufffd' not in subj, 'U+FFFD in the output subject')
    return res


def _stored_bytes(path):
    """A quarantine file's bytes, zstd objects decompressed."""
    data = open(path, 'rb').read()
    if path.endswith('.zst'):
        data = subprocess.run(['zstd', '-dcq'], input=data, stdout=subprocess.PIPE,
                              timeout=TIMEOUT).stdout
    return data


def check_withheld(res, virus=False, reason_re=None, original_text=None):
    """Exit 3, the recipient notice, the original in the quarantine."""
    check(res.rc == 3, 'expected exit 3 (withheld), got %s; verdict %r' % (
        res.brief(), (res.report or {}).get('verdict')))
    check(res.out, 'exit 3 but empty output')
    check(res.report is not None, 'no report written')
    check(res.report.get('verdict') == 'withheld', 'report verdict %r' % res.report.get('verdict'))
    xm = _check_headers(res)
    m = re.match(r'\s*withheld;\s*id=(\S+)', xm)
    check(m, 'X-Mugai is %r' % xm)
    qid = m.group(1)
    check(qid == res.report.get('id'), 'X-Mugai id %r != report id %r' % (qid, res.report.get('id')))
    leaves = res.leaves()
    check(len(leaves) == 1 and leaves[0].get_content_type() == 'text/plain',
          'notice must be one text/plain part, got %r' % [p.get_content_type() for p in leaves])
    body = res.body()
    check(qid in body, 'notice does not give the quarantine id %s' % qid)
    if original_text:
        check(original_text not in body, 'notice carries the original body text')
    virs = res.report.get('virus') or []
    if virus:
        check(virs, 'report virus list is empty')
        check(all(isinstance(v, str) and v.startswith('Mugai.Test') for v in virs) or
              all(isinstance(v, dict) for v in virs), 'virus list %r' % virs)
    else:
        check(not virs, 'unexpected virus %r' % virs)
    if reason_re:
        check(re.search(reason_re, res.reasons() + ' ' + body.lower()),
              'reason does not match /%s/: %r' % (reason_re, res.reasons()[:300]))
    stored = []
    for root, _, files in os.walk(res.qdir):
        stored += [os.path.join(root, f) for f in files]
    check(stored, 'quarantine directory is empty after a withheld message')
    mid = re.search(rb'(?im)^Message-ID:\s*(<[^>\n]*>)', res.input)
    if mid:
        found = any(mid.group(1) in _stored_bytes(f) for f in stored if os.path.getsize(f) < 64 << 20)
        check(found, 'the original message is not in the quarantine')
    return res


def distinctive_chunks(payload, size=24, count=3):
    """Up to COUNT windows of SIZE bytes of PAYLOAD with many distinct bytes."""
    if len(payload) <= size:
        return [payload]
    best = []
    step = max(1, (len(payload) - size) // 64)
    for s in range(0, len(payload) - size + 1, step):
        w = payload[s:s + size]
        best.append((len(set(w)), s))
    best.sort(key=lambda t: (-t[0], t[1]))
    picked = []
    for _, s in best:
        if all(abs(s - q) >= size for q in picked):
            picked.append(s)
        if len(picked) == count:
            break
    return [(payload[s:s + size], s) for s in picked]


def assert_absent(res, payload, forms=(), name='payload'):
    """No decoded byte sequence of PAYLOAD appears in the output: neither in the
    raw output, nor in any decoded MIME leaf (base64/QP undone), nor as base64
    (in any alignment, line breaks ignored); nor any of the encoded FORMS."""
    if not res.out:
        return
    raw = res.out
    flat = re.sub(rb'\s+', b'', raw)
    hay = [raw] + res.leaf_bytes()
    for p in res.leaves():
        if p.get_content_maintype() == 'text':
            try:
                hay.append(res.leaf_text(p).encode('utf-8'))
            except Exception:
                pass
    chunks = distinctive_chunks(payload)
    for item in chunks:
        chunk, start = item if isinstance(item, tuple) else (item, 0)
        for h in hay:
            check(chunk not in h, '%s bytes %r appear in the output' % (name, chunk[:24]))
        for k in range(3):
            a = start + ((k - start) % 3)
            seg = payload[a:a + 18]
            if len(seg) == 18:
                e = base64.b64encode(seg)
                check(e not in flat, '%s appears base64-encoded in the output' % name)
    for f in forms:
        f = mime.b(f)
        check(all(f not in h for h in hay) and re.sub(rb'\s+', b'', f) not in flat,
              '%s appears in encoded form %r in the output' % (name, f[:40]))


def assert_text(res, sentinel, where=None, count=None):
    """SENTINEL appears exactly in the decoded output text (WHERE: a str)."""
    text = where if where is not None else res.all_text()
    check(sentinel in text, 'sentinel %r missing from the output text; got %r' % (
        sentinel, _near(text, sentinel)))
    if count is not None:
        check(text.count(sentinel) == count, 'sentinel %r appears %d times, not %d' % (
            sentinel, text.count(sentinel), count))


def _near(text, sentinel):
    t = text.replace('\n', '⏎')
    return t[:400]


_tl = threading.local()


def _track(tmp):
    if not hasattr(_tl, 'tmps'):
        _tl.tmps = []
    _tl.tmps.append(tmp)


def _cleanup():
    for t in getattr(_tl, 'tmps', []):
        if os.environ.get('MUGAI_KEEP'):
            print('# kept %s' % t, file=sys.stderr)
        else:
            shutil.rmtree(t, ignore_errors=True)
    _tl.tmps = []


# --- the runner ---------------------------------------------------------------

class Suite:
    """Named test cases, run in parallel, reported in order."""

    def __init__(self, title):
        self.title = title
        self.cases = []

    def add(self, name, fn, *args):
        self.cases.append((name, fn, args))

    def case(self, fn):
        name = fn.__name__[5:] if fn.__name__.startswith('test_') else fn.__name__
        self.add(name, fn)
        return fn

    def _one(self, name, fn, args):
        try:
            fn(*args)
            return None
        except TestFailure as e:
            return str(e)
        except Exception as e:
            return 'error: %s: %s' % (type(e).__name__, ''.join(
                traceback.format_exception_only(type(e), e)).strip()[:300] + ' @ ' +
                _where(e))
        finally:
            _cleanup()

    def main(self):
        pats = [a for a in sys.argv[1:] if not a.startswith('-')]
        cases = [c for c in self.cases if not pats or any(fnmatch.fnmatch(c[0], p) or p in c[0] for p in pats)]
        if not cases:
            print('FAIL setup: no test case matches %r' % pats)
            sys.exit(1)
        if not os.access(MUGAI, os.X_OK):
            print('FAIL setup: mugai binary not found at %s' % MUGAI)
            print('0 passed, %d failed' % len(cases))
            sys.exit(1)
        jobs = int(os.environ.get('MUGAI_TEST_JOBS') or min(8, os.cpu_count() or 2))
        passed = failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            futs = [ex.submit(self._one, n, f, a) for n, f, a in cases]
            for (n, _, _), fu in zip(cases, futs):
                why = fu.result()
                if why is None:
                    passed += 1
                    print('ok %s' % n, flush=True)
                else:
                    failed += 1
                    print('FAIL %s: %s' % (n, why.replace('\n', ' ')), flush=True)
        print('%d passed, %d failed' % (passed, failed))
        sys.exit(1 if failed else 0)


def _where(e):
    tb = traceback.extract_tb(e.__traceback__)
    return ' < '.join('%s:%d' % (os.path.basename(f.filename), f.lineno) for f in tb[-3:])

