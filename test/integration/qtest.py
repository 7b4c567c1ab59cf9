"""Helpers of the quarantine and admin tests (Python 3 stdlib only).

Store: a temporary directory with a test configuration (ClamAV test
database, quarantine directory, users file, [release] smtp pointing at an
SMTP sink), users alice (operator), bob and carol (approvers), and functions to
run `mugai mail`, `mugai quarantine` and `mugai admin` against it.
SmtpSink: a tiny SMTP server on 127.0.0.1 that keeps what it receives.
Messages: a virus mail, a mail whose executable attachment is removed, a clean
mail, and one whose subject is hostile HTML.
"""
import base64
import email
import email.policy
import io
import json
import os
import shutil
import socket
import socketserver
import struct
import subprocess
import tempfile
import threading
import zipfile
import zlib

from mugaitest import CLAMDB, MUGAI, TIMEOUT, TestFailure, check, write_conf
from mime import EICAR, attachment, make_pe, mixed, text_part
import pgtest

PASSWORDS = {'alice': 'alice-password-1', 'bob': 'bob-password-12', 'carol': 'carol-password-3'}
ROLES = {'alice': 'operator', 'bob': 'approver', 'carol': 'approver'}
# Each user acts from a Unix user of its own (existing system accounts; the
# tests run as root and only change the real uid, with setpriv --ruid).
LOGINS = {'alice': 'daemon', 'bob': 'bin', 'carol': 'sys'}
# [milter] user, whom the web UI and the purge become when started as root.
SERVICE_USER = '_mugai'
BODY = '本文センチネル・ご確認ください'
RELEASE_SENDER = 'mugai-release@city.example.lg.jp'
# The envelope `mugai mail` records by default (as the milter would).
ENVELOPE = ('sender@example.co.jp', ['somu@city.example.lg.jp'])


# --- messages ------------------------------------------------------------------

def virus_mail(name):
    return mixed(name, [text_part(BODY + '\n'), attachment(EICAR, 'application/pdf', '請求書.pdf')])


def removed_mail(name):
    return mixed(name, [text_part(BODY + '\n'),
                        attachment(make_pe(name), 'application/pdf', '見積書.pdf')])


def clean_mail(name):
    return mixed(name, [text_part(BODY + '\n')])


def hostile_subject_mail(name, subject):
    """A mail whose attachment is removed, with SUBJECT as the raw Subject
    value and a hostile display name in From."""
    data = removed_mail(name)
    head, body = data.split(b'\n\n', 1)
    lines = [ln for ln in head.split(b'\n') if not ln.startswith((b'Subject:', b'From:'))]
    lines.insert(0, b'Subject: ' + subject)
    lines.insert(0, b'From: "<b>evil</b> <script>x()</script>" <evil@example.com>')
    return b'\n'.join(lines) + b'\n\n' + body


def _zipcrypto(data, password, check_byte):
    """Traditional PKWARE encryption (what PPAP mails use): header + data."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc(c, b):
        return zlib.crc32(bytes([b]), c ^ 0xffffffff) ^ 0xffffffff

    def update(b):
        keys[0] = crc(keys[0], b)
        keys[1] = ((keys[1] + (keys[0] & 0xff)) * 134775813 + 1) & 0xffffffff
        keys[2] = crc(keys[2], keys[1] >> 24)

    for b in password:
        update(b)
    out = bytearray()
    for b in bytes(range(11)) + bytes([check_byte]) + data:
        t = (keys[2] | 2) & 0xffff
        out.append(b ^ (((t * (t ^ 1)) >> 8) & 0xff))
        update(b)
    return bytes(out)


def encrypted_zip(members, password):
    """A ZIP of MEMBERS ((name, bytes) pairs), stored and ZipCrypto-encrypted."""
    local, central = b'', b''
    for name, data in members:
        crc = zlib.crc32(data)
        enc = _zipcrypto(data, password.encode(), crc >> 24)
        fields = struct.pack('<HHHHHIII', 20, 0x801, 0, 0, 0x21, crc, len(enc), len(data))
        nm = name.encode()
        central += (b'PK\x01\x02' + struct.pack('<H', 20) + fields +
                    struct.pack('<HHHHHII', len(nm), 0, 0, 0, 0, 0, len(local)) + nm)
        local += b'PK\x03\x04' + fields + struct.pack('<HH', len(nm), 0) + nm + enc
    end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(members), len(members), len(central),
                      len(local), 0)
    return local + central + end


def ppap_mail(name, password, members):
    return mixed(name, [text_part('パスワードは別途お送りします\n'),
                        attachment(encrypted_zip(members, password), 'application/zip',
                                   '見積書.zip')])


def encoded_word(text):
    return b'=?UTF-8?B?' + base64.b64encode(text.encode()) + b'?='


def decoded(data):
    """DATA and every decoded leaf of it, joined (to look for payload bytes)."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    leaves = [p.get_payload(decode=True) or b'' for p in msg.walk() if not p.is_multipart()]
    return data + b''.join(leaves)


def zips_of(data):
    """{member name: bytes} of every ZIP attached to the message DATA."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    out = {}
    for part in msg.walk():
        if part.get_content_type() == 'application/zip':
            z = zipfile.ZipFile(io.BytesIO(part.get_payload(decode=True)))
            check(not any(i.flag_bits & 1 for i in z.infolist()), 'released ZIP is encrypted')
            out.update({i.filename: z.read(i) for i in z.infolist()})
    return out


# --- the SMTP sink --------------------------------------------------------------

class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b'\r\n')

    def handle(self):
        self.reply('220 sink ESMTP')
        env = {'from': None, 'rcpt': []}
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            cmd = line.decode('ascii', 'replace').strip()
            up = cmd.upper()
            if up.startswith(('EHLO', 'HELO')):
                self.reply('250 sink')
            elif up.startswith('MAIL FROM:'):
                env = {'from': cmd[10:].strip(), 'rcpt': []}
                self.reply('250 2.1.0 Ok')
            elif up.startswith('RCPT TO:'):
                env['rcpt'].append(cmd[8:].strip())
                self.reply('250 2.1.5 Ok')
            elif up == 'DATA':
                self.reply('354 End data with <CR><LF>.<CR><LF>')
                self.server.sink.add(env, self._data())
                self.reply('250 2.0.0 Ok: queued as SINK%d' % len(self.server.sink.messages))
            elif up == 'QUIT':
                self.reply('221 2.0.0 Bye')
                return
            else:
                self.reply('502 5.5.2 Error')

    def _data(self):
        lines = []
        while True:
            line = self.rfile.readline(1 << 20)
            if not line or line == b'.\r\n':
                break
            if line.startswith(b'..'):
                line = line[1:]
            lines.append(line)
        return b''.join(lines).replace(b'\r\n', b'\n')


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class SmtpSink:
    """On 127.0.0.1 (self.target "127.0.0.1:PORT"), or on the unix socket PATH."""

    def __init__(self, path=None):
        self.messages = []  # (envelope dict, data bytes)
        self.lock = threading.Lock()
        if path:
            self.server = _UnixServer(path, _SmtpHandler)
            self.target = 'unix:' + path
        else:
            self.server = _Server(('127.0.0.1', 0), _SmtpHandler)
            self.target = '127.0.0.1:%d' % self.server.server_address[1]
        self.server.sink = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, env, data):
        with self.lock:
            self.messages.append((env, data))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --- a store to test against --------------------------------------------------

class Store:
    """A temporary configuration with its quarantine, users and SMTP sink."""

    def __init__(self, extra=None, users=True, sink=True, unix_sink=False, map_unix=False):
        self.tmp = tempfile.mkdtemp(prefix='mugai-q-')
        self.qdir = os.path.join(self.tmp, 'q')
        if os.geteuid() == 0:
            # Started as root, `mugai admin serve` and the purge become
            # [milter] user: the quarantine is theirs, as the package sets it.
            os.chmod(self.tmp, 0o755)
            os.mkdir(self.qdir, 0o700)
            shutil.chown(self.qdir, SERVICE_USER, SERVICE_USER)
        self.conf = os.path.join(self.tmp, 'mugai.conf')
        self.users = os.path.join(self.tmp, 'users')
        self.sink = None
        if sink:
            self.sink = SmtpSink(os.path.join(self.tmp, 'smtp.sock') if unix_sink else None)
        sections = {'admin': {'users_file': self.users},
                    'release': {'smtp': self.sink.target if sink else '127.0.0.1:9',
                                'sender': RELEASE_SENDER,
                                'allowed_recipient_domains': 'city.example.lg.jp'}}
        self.pg = None
        if pgtest.backend() == 'postgresql':
            self.pg = pgtest.cluster()
            self.dsn, self.db = self.pg.fresh_dsn()
            sections['quarantine'] = {'backend': 'postgresql', 'dsn': self.dsn}
        for sec, kv in (extra or {}).items():
            sections.setdefault(sec, {}).update(kv)
        write_conf(self.conf, CLAMDB, self.qdir, sections)
        if self.pg:
            p = self.run(['quarantine', 'migrate', '-c', self.conf])
            check(p.returncode == 0, 'quarantine migrate: %r' % p.stderr)
        if users:
            for name, role in ROLES.items():
                self.add_user(name, role, LOGINS[name] if map_unix else None)

    def close(self):
        if self.sink:
            self.sink.close()
        if os.environ.get('MUGAI_KEEP'):
            print('# kept %s' % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def password_file(self, name):
        path = os.path.join(self.tmp, 'pw-' + name)
        with open(path, 'w') as f:
            f.write(PASSWORDS.get(name, 'not-a-password-0') + '\n')
        return path

    def run(self, args, stdin=None, timeout=TIMEOUT, login=None, env=None):
        """Run mugai ARGS (as the Unix user LOGIN: real uid only, via setpriv),
        in a session of its own, so without a terminal to ask a password on."""
        prefix = ['setpriv', '--ruid=' + login] if login else []
        try:
            p = subprocess.run(prefix + [MUGAI] + args, input=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout, env=env,
                               start_new_session=True)
        except subprocess.TimeoutExpired:
            raise TestFailure('mugai %s did not finish (hang guard)' % ' '.join(args[:2]))
        err = p.stderr.decode('utf-8', 'replace')
        check('Sanitizer' not in err and 'runtime error:' not in err,
              'mugai %s: %s' % (' '.join(args[:2]), err[err.find('Sanitizer') - 100:][:500]))
        return p

    def add_user(self, name, role, login=None):
        unix = ['--unix-user', login] if login else []
        p = self.run(['admin', '-c', self.conf, 'user', 'add', name, '--role', role] + unix,
                     stdin=(PASSWORDS[name] + '\n').encode())
        check(p.returncode == 0, 'user add %s: %r' % (name, p.stderr))

    def mail(self, data, expect=None, envelope=ENVELOPE):
        """Run mugai mail with ENVELOPE ((sender, [recipients]) or None: none
        recorded); return the report (dict)."""
        fd, inp = tempfile.mkstemp(prefix='in-', suffix='.eml', dir=self.tmp)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        rep = inp + '.json'
        flags = []
        if envelope is not None:
            flags = ['--sender', envelope[0]]
            for rcpt in envelope[1]:
                flags += ['--recipient', rcpt]
        p = self.run(['mail', '-c', self.conf, '--report', rep, '-o', inp + '.out'] + flags +
                     [inp])
        if expect is not None:
            check(p.returncode == expect, 'mugai mail exit %d, expected %d: %r' % (
                p.returncode, expect, p.stderr[-300:]))
        with open(rep, encoding='utf-8') as f:
            return json.load(f)

    def q(self, *args, stdin=None, login=None, env=None):
        """Run `mugai quarantine ARGS -c CONF`: (exit code, stdout text, stderr text).
        `--as NAME` is authenticated with NAME's password, from NAME's own Unix
        user (LOGINS) unless LOGIN is given."""
        args = list(args)
        if '--as' in args:
            name = args[args.index('--as') + 1]
            if '--as-password-file' not in args:
                args[1:1] = ['--as-password-file', self.password_file(name)]
            login = login or LOGINS.get(name)
        p = self.run(['quarantine', args[0], '-c', self.conf] + args[1:], stdin=stdin,
                     login=login, env=env)
        return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')

    def q_ok(self, *args):
        rc, out, err = self.q(*args)
        check(rc == 0, 'quarantine %s: exit %d: %s' % (' '.join(args), rc, err.strip()))
        return out

    def list_json(self, *args):
        return json.loads(self.q_ok('list', '--json', *args))

    def audit_lines(self):
        """The audit log's lines as written, oldest first (audit.log, or the
        shared store's audit_log table)."""
        if self.pg:
            return [r[0] for r in self.pg.psql('SELECT line FROM audit_log ORDER BY seq',
                                               self.db)]
        path = os.path.join(self.qdir, 'audit.log')
        if not os.path.exists(path):
            return []
        with open(path, encoding='utf-8') as f:
            return [line.rstrip('\n') for line in f]

    def sql(self, query):
        """Rows of QUERY on the index (SQLite's file or the PostgreSQL database),
        values as text."""
        if self.pg:
            return self.pg.psql(query, self.db)
        import sqlite3
        db = sqlite3.connect(os.path.join(self.qdir, 'index.sqlite'))
        try:
            rows = [[None if v is None else str(v) for v in r] for r in db.execute(query)]
            db.commit()
        finally:
            db.close()
        return rows

    def audit_bytes(self):
        """The audit log as stored (audit.log, or the audit_log table's lines)."""
        if self.pg:
            return ''.join(line + '\n' for line in self.audit_lines()).encode('utf-8')
        with open(os.path.join(self.qdir, 'audit.log'), 'rb') as f:
            return f.read()

    def store_bytes(self):
        """Every byte the index keeps: index.sqlite and its WAL, or a dump of the
        PostgreSQL database."""
        if self.pg:
            p = subprocess.run([os.path.join(pgtest.PG_BIN, 'pg_dump'), '-d', self.dsn],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
            check(p.returncode == 0, 'pg_dump: %r' % p.stderr)
            return p.stdout
        data = b''
        for suffix in ('', '-wal'):
            path = os.path.join(self.qdir, 'index.sqlite' + suffix)
            if os.path.exists(path):
                with open(path, 'rb') as f:
                    data += f.read()
        return data

    def object_exists(self, sha256):
        if self.pg:
            return self.sql("SELECT count(*) FROM objects WHERE sha256 = '%s'" % sha256) == [['1']]
        return os.path.exists(os.path.join(self.qdir, 'objects', sha256[:2], sha256 + '.zst'))

    def add_orphan_object(self):
        """An object no item refers to (left by a crash); its name."""
        name = 'ab' + '0' * 62
        if self.pg:
            self.sql("INSERT INTO objects (sha256, data) VALUES ('%s', '')" % name)
        else:
            path = os.path.join(self.qdir, 'objects', 'ab', name + '.zst')
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, 'wb').close()
        return name

    def audit(self):
        if self.pg:
            return [json.loads(line) for line in self.audit_lines()]
        path = os.path.join(self.qdir, 'audit.log')
        if not os.path.exists(path):
            return []
        with open(path, encoding='utf-8') as f:
            return [json.loads(line) for line in f]

    def actions(self, action=None, item=None):
        return [a for a in self.audit() if a['event'] == 'action' and
                (action is None or a['action'] == action) and (item is None or a['id'] == item)]


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port
