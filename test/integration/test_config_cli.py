#!/usr/bin/env python3
"""`mugai config check|dump`: every bad key named with exit 78, the virus
database, the directories as the service user sees them, the Postfix side
through postconf against a private Postfix configuration directory (the
snippets of conf/postfix, written as the relay tests write them), and dump /
dump -n as files mugai reads back."""
import json
import os
import pwd
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, 'postfix'))

from mugaitest import (CLAMDB, SRCDIR, Suite, check, run_cmd, _track)  # noqa: E402
import harness  # noqa: E402

SHIPPED = os.path.join(SRCDIR, 'conf', 'mugai.conf')
SOCKET = 'inet:8890@127.0.0.1'       # mugai's syntax
PF_SOCKET = 'inet:127.0.0.1:8890'    # Postfix's syntax of the same socket
suite = Suite('config')


def tmpdir():
    d = tempfile.mkdtemp(prefix='mugai-conf-')
    _track(d)
    return d


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def good_conf(d, extra=''):
    """A configuration that passes: the test database, a private quarantine."""
    return write(os.path.join(d, 'mugai.conf'),
                 '[clamav]\ndatabase = %s\n\n[quarantine]\ndirectory = %s\n\n'
                 '[release]\nallowed_recipient_domains = city.example.lg.jp\n\n'
                 '[milter]\nsocket = %s\n%s' % (CLAMDB, os.path.join(d, 'q'), SOCKET, extra))


def postfix_dir(d, mode='before', main=(), master=None, socket=PF_SOCKET):
    """A private Postfix configuration directory from conf/postfix's snippets
    (harness.Postfix writes it with SOCKET for the shipped milter address;
    nothing is started). MAIN: (name, value) pairs replacing or adding main.cf
    lines."""
    pf = harness.Postfix(d, socket, 2525, mode=mode)
    path = os.path.join(pf.dir, 'main.cf')
    text = open(path).read()
    # The harness shortens the milter timeouts for its relay tests: put the
    # shipped values back, which are what is checked here.
    shipped = harness.read_main_cf(os.path.join(harness.CONF_POSTFIX, '%s-queue.main.cf' % mode))
    main = [(n, v) for n, v in shipped if n.startswith('milter_')] + list(main)
    for name, value in main:
        text, n = re.subn(r'(?m)^%s = .*$' % re.escape(name), '%s = %s' % (name, value), text)
        if n == 0:
            text += '%s = %s\n' % (name, value)
    write(path, text)
    if master is not None:
        write(os.path.join(pf.dir, 'master.cf'), master)
    return pf.dir


def run(*args):
    """mugai config ARGS; check's access tests as this user unless -u is given
    (the service user _mugai may exist on this machine, and owns no test directory)."""
    args = list(args)
    if args[:1] == ['check'] and '-u' not in args:
        args[1:1] = ['-u', pwd.getpwuid(os.geteuid()).pw_name]
    p = run_cmd(['config'] + args)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def check_fails(args, pattern):
    rc, out, err = run(*args)
    check(rc == 78, 'expected exit 78, got %d: %s %s' % (rc, out, err))
    check(re.search(pattern, out, re.M), 'no finding matching /%s/ in:\n%s' % (pattern, out))
    check(re.search(r'\d+ problems?$', out, re.M), 'no problem count in:\n%s' % out)
    return out


@suite.case
def test_check_passes():
    d = tmpdir()
    rc, out, err = run('check', '-c', good_conf(d), '-P', postfix_dir(d))
    check(rc == 0, 'a good configuration and Postfix fail: %d %s %s' % (rc, out, err))
    check(re.search(r': OK$', out, re.M), 'no OK line: %s' % out)
    # The database's description: the test database has no official version.
    check(re.search(r'virus database .*: custom \d+ signatures \(sha256 [0-9a-f]{12}\)', out),
          'no database description: %s' % out)


@suite.case
def test_empty_release_domains_suggests_postfix_domains():
    """[release] allowed_recipient_domains stays empty by default (every release
    refused); check says so and suggests Postfix's relay_domains and mydestination."""
    d = tmpdir()
    conf = write(os.path.join(d, 'mugai.conf'), open(good_conf(d)).read().replace(
        'allowed_recipient_domains = city.example.lg.jp', 'allowed_recipient_domains ='))
    pf = postfix_dir(d, main=[('relay_domains', 'city.example.lg.jp, hash:/etc/postfix/relay'),
                              ('mydestination', 'mail.town.example.lg.jp, localhost')])
    out = check_fails(['check', '-c', conf, '-P', pf],
                      r'^\[release\] allowed_recipient_domains is empty: every release is refused')
    line = [ln for ln in out.splitlines() if 'allowed_recipient_domains is empty' in ln][0]
    check(line.endswith('allowed_recipient_domains = city.example.lg.jp, mail.town.example.lg.jp'),
          'suggestion: %r' % line)


@suite.case
def test_check_after_queue_passes():
    d = tmpdir()
    rc, out, err = run('check', '-c', good_conf(d), '-P', postfix_dir(d, mode='after'))
    check(rc == 0, 'the after-queue snippet fails: %d %s %s' % (rc, out, err))


@suite.case
def test_bad_values_named():
    d = tmpdir()
    conf = good_conf(d, 'timeout = 0\nfrobnicate = 1\n\n[pdf]\nmode = fancy\n\n[bogus]\nx = 1\n')
    out = check_fails(['check', '-c', conf, '-P', postfix_dir(d)], r'\[milter\] timeout: .*0')
    for pattern in (r'unknown key \[milter\] frobnicate', r'\[pdf\] mode: "fancy"',
                    r'unknown section \[bogus\]'):
        check(re.search(pattern, out), 'no finding /%s/ in:\n%s' % (pattern, out))
    check('4 problems' in out, 'expected exactly the 4 problems: %s' % out)
    # dump refuses what does not load, naming the key.
    rc, _, err = run('dump', '-c', conf)
    check(rc == 78 and '[milter] timeout' in err, 'dump of a bad file: %d %s' % (rc, err))


@suite.case
def test_deadlines():
    d = tmpdir()
    check_fails(['check', '-c', good_conf(d, '\n[sandbox]\njob_timeout = 300\n'),
                 '-P', postfix_dir(d)], r'job_timeout .* must be below \[milter\] timeout')


@suite.case
def test_accounts_and_socket_mode():
    d = tmpdir()
    sock = 'unix:%s/milter.sock' % d
    conf = good_conf(d, 'user = no-such-user\nworker_user = no-such-user\n'
                        'socket_group = no-such-group\nsocket_mode = 0640\n')
    write(conf, open(conf).read().replace('socket = %s' % SOCKET, 'socket = ' + sock))
    pf = postfix_dir(d, main=[('smtpd_milters', sock), ('non_smtpd_milters', sock)])
    out = check_fails(['check', '-c', conf, '-P', pf],
                      r'^\[milter\] user no-such-user does not exist')
    for pattern in (r'\[milter\] worker_user no-such-user does not exist',
                    r'worker_user must differ', r'socket_group no-such-group does not exist',
                    r'socket_mode 0640 gives group no-such-group no read and write'):
        check(re.search(pattern, out), 'no finding /%s/ in:\n%s' % (pattern, out))


@suite.case
def test_database_missing():
    d = tmpdir()
    conf = write(os.path.join(d, 'm.conf'), '[clamav]\ndatabase = %s/none\n[quarantine]\n'
                 'directory = %s/q\n[milter]\nsocket = %s\n' % (d, d, SOCKET))
    out = check_fails(['check', '-c', conf, '-P', postfix_dir(d)], r'virus database .*/none')
    check('freshclam' in out, 'no hint to run freshclam: %s' % out)


@suite.case
def test_database_without_signatures():
    d = tmpdir()
    os.makedirs(os.path.join(d, 'db'))
    conf = write(os.path.join(d, 'm.conf'), '[clamav]\ndatabase = %s/db\n[quarantine]\n'
                 'directory = %s/q\n[milter]\nsocket = %s\n' % (d, d, SOCKET))
    check_fails(['check', '-c', conf, '-P', postfix_dir(d)], r'virus database .*/db')


@suite.case
def test_quarantine_not_writable_by_service_user():
    if os.geteuid() != 0:
        print('# not root: access as another user not checked')
        return
    d = tmpdir()
    os.chmod(d, 0o700)  # root's: nobody may not even enter it
    pf = postfix_dir(tmpdir())
    check_fails(['check', '-u', 'nobody', '-c', good_conf(d), '-P', pf],
                r'quarantine directory .*/q does not exist and nobody cannot create it')
    os.makedirs(os.path.join(d, 'q'))
    os.chmod(d, 0o755)
    check_fails(['check', '-u', 'nobody', '-c', good_conf(d), '-P', pf],
                r'quarantine directory .*/q is not writable by nobody')


@suite.case
def test_socket_directory():
    d = tmpdir()
    write(os.path.join(d, 'file'), 'x')
    conf = good_conf(d)
    text = open(conf).read().replace('socket = %s' % SOCKET,
                                     'socket = unix:%s/file/milter.sock' % d)
    write(conf, text)
    sock = 'unix:%s/file/milter.sock' % d
    pf = postfix_dir(d, main=[('smtpd_milters', sock), ('non_smtpd_milters', sock)])
    check_fails(['check', '-c', conf, '-P', pf], r'socket directory .*/file is not a directory')
    write(conf, text.replace('socket = unix:%s/file/milter.sock' % d, 'socket = inet:8890'))
    check_fails(['check', '-c', conf, '-P', postfix_dir(tmpdir())],
                r'socket inet:8890 listens on every address')


POSTFIX_CASES = [
    ('default_action', [('milter_default_action', 'accept')],
     r'milter_default_action = accept \(main.cf\)'),
    ('not_named', [('smtpd_milters', 'inet:127.0.0.1:9999')],
     r'smtpd_milters does not name .*inet:127.0.0.1:8890'),
    ('non_smtpd', [('non_smtpd_milters', '')], r'non_smtpd_milters does not name'),
    ('protocol', [('milter_protocol', '4')], r'milter_protocol = 4 .*needs 6'),
    ('content_timeout', [('milter_content_timeout', '2m')],
     r'milter_content_timeout = 2m .*\[milter\] timeout \(240 s\)'),
    ('size_limit', [('message_size_limit', '10240000')],
     r'message_size_limit = 10240000 .*max_output_size'),
]


def postfix_case(main, pattern):
    d = tmpdir()
    check_fails(['check', '-c', good_conf(d), '-P', postfix_dir(d, main=main)], pattern)


for _name, _main, _pattern in POSTFIX_CASES:
    suite.add('postfix_' + _name, postfix_case, _main, _pattern)


@suite.case
def test_postfix_override_in_master_cf():
    """After-queue: a -o milter_default_action=accept on the sanitising smtpd."""
    d = tmpdir()
    pf = postfix_dir(d, mode='after')
    path = os.path.join(pf, 'master.cf')
    write(path, open(path).read().replace('  -o non_smtpd_milters=\n',
                                          '  -o non_smtpd_milters=\n'
                                          '  -o milter_default_action=accept\n'))
    check_fails(['check', '-c', good_conf(d), '-P', pf],
                r'milter_default_action = accept \(master.cf service 127.0.0.1:\d+/inet\)')


@suite.case
def test_postfix_chroot_unix_socket():
    d = tmpdir()
    os.chmod(d, 0o755)  # Postfix's user must reach the socket
    sock = 'unix:%s/milter.sock' % d
    conf = good_conf(d)
    write(conf, open(conf).read().replace('socket = %s' % SOCKET, 'socket = ' + sock))
    pf = postfix_dir(d, main=[('smtpd_milters', sock), ('non_smtpd_milters', sock)],
                     master='smtp inet n - y - - smtpd\n')
    check_fails(['check', '-c', conf, '-P', pf],
                r'service smtp/inet runs chrooted .* cannot reach ' + re.escape(sock))
    write(os.path.join(pf, 'master.cf'), 'smtp inet n - n - - smtpd\n')
    rc, out, _ = run('check', '-c', conf, '-P', pf)
    check(rc == 0, 'a unix socket without chroot fails: %s' % out)


@suite.case
def test_postfix_chroot_relative_socket():
    """The shipped Postfix lines (unix:mugai/milter.sock, relative to
    queue_directory) with the socket inside the queue directory pass with a
    chrooted smtpd; a socket under /run named absolutely is flagged."""
    d = tmpdir()
    os.chmod(d, 0o755)  # Postfix's user must reach the socket
    queue = os.path.join(d, 'queue')  # the private Postfix's queue_directory
    os.makedirs(os.path.join(queue, 'mugai'))
    os.chmod(queue, 0o755)
    os.chmod(os.path.join(queue, 'mugai'), 0o755)
    conf = good_conf(d)
    text = open(conf).read()
    write(conf, text.replace('socket = %s' % SOCKET, 'socket = unix:%s/mugai/milter.sock' % queue))
    chrooted = 'smtp inet n - y - - smtpd\n'
    pf = postfix_dir(d, master=chrooted, socket='unix:mugai/milter.sock')
    main_cf = open(os.path.join(pf, 'main.cf')).read()
    check('smtpd_milters = unix:mugai/milter.sock' in main_cf, 'shipped lines:\n' + main_cf)
    rc, out, _ = run('check', '-c', conf, '-P', pf)
    check(rc == 0, 'the relative socket in the queue directory, chrooted smtpd: %s' % out)
    run_sock = 'unix:/run/mugai/milter.sock'
    write(conf, text.replace('socket = %s' % SOCKET, 'socket = ' + run_sock))
    pf = postfix_dir(tmpdir(), master=chrooted, socket=run_sock)
    check_fails(['check', '-c', conf, '-P', pf],
                r'service smtp/inet runs chrooted .* cannot reach ' + re.escape(run_sock))


def keys_of(text):
    """[(section, key, value)] of a mugai.conf text."""
    out, section = [], None
    for line in text.splitlines():
        m = re.match(r'\[(.+)\]$', line)
        if m:
            section = m.group(1)
        elif line.strip() and not line.lstrip().startswith('#'):
            k, _, v = line.partition('=')
            out.append((section, k.strip(), v.strip()))
    return out


@suite.case
def test_dump_n_shipped():
    rc, out, err = run('dump', '-n', '-c', SHIPPED)
    check(rc == 0, 'dump -n of the shipped file: %d %s' % (rc, err))
    check(out == '', 'the shipped file holds the defaults, yet dump -n prints:\n%s' % out)
    rc, full, _ = run('dump', '-c', SHIPPED)
    shipped = keys_of(open(SHIPPED, encoding='utf-8').read())
    check(keys_of(full) == shipped, 'dump of the shipped file differs from it:\n%s' % full)


@suite.case
def test_dump_roundtrip():
    d = tmpdir()
    conf = write(os.path.join(d, 'in.conf'),
                 '# comment\n[pdf]\nmode = RASTER   ; inline comment\n[milter]\n'
                 'timeout = 100\n[release]\nsmtp =\n[notice]\nlanguage = en\n')
    rc, changed, err = run('dump', '-n', '-c', conf)
    check(rc == 0, 'dump -n: %s' % err)
    check(changed == '[milter]\ntimeout = 100\n\n[notice]\nlanguage = en\n\n[release]\nsmtp = '
          '\n\n[pdf]\nmode = raster\n', 'dump -n printed:\n%s' % changed)
    rc, full, _ = run('dump', '-c', conf)
    again = write(os.path.join(d, 'dumped.conf'), full)
    rc2, full2, _ = run('dump', '-c', again)
    check(rc == 0 and rc2 == 0 and full == full2, 'dump of the dump differs')
    rc, changed2, _ = run('dump', '-n', '-c', again)
    check(changed2 == changed, 'dump -n of the dump differs:\n%s' % changed2)


def milter_conf(d):
    os.chmod(d, 0o755)
    return write(os.path.join(d, 'milter.conf'),
                 '[clamav]\ndatabase = %s\n[quarantine]\ndirectory = %s/q\n[sandbox]\n'
                 'enabled = no\n' % (CLAMDB, d))


@suite.case
def test_milter_creates_socket_directory():
    """A missing socket directory (/run/mugai before systemd made it) is created."""
    d = tmpdir()
    sock = os.path.join(d, 'mugai', 'milter.sock')
    log = os.path.join(d, 'milter.log')
    with open(log, 'wb') as f:
        proc = subprocess.Popen([harness.MILTER, '-f', '-c', milter_conf(d), '-p',
                                 'unix:' + sock], stdout=f, stderr=subprocess.STDOUT)
    try:
        harness.wait_for('the socket', lambda: proc.poll() is not None or os.path.exists(sock),
                         120)
        if not os.path.exists(sock):
            check(False, 'mugai-milter exited %s without its socket: %s' % (
                proc.returncode, open(log).read()))
    finally:
        harness.stop_process(proc)


@suite.case
def test_milter_listen_error_names_errno():
    if os.geteuid() != 0:
        print('# not root: cannot run the milter as another user')
        return
    d = tmpdir()
    conf = milter_conf(d)
    os.makedirs(os.path.join(d, 'locked'), mode=0o755)
    for sock, reason in (('locked/milter.sock', 'cannot listen on unix:.*locked/milter.sock: '
                          'Permission denied'),
                         ('locked/sub/milter.sock', '.*locked/sub: Permission denied')):
        p = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                            harness.MILTER, '-f', '-c', conf, '-p',
                            'unix:' + os.path.join(d, sock)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        out = p.stdout.decode('utf-8', 'replace')
        check(p.returncode == 71 and re.search(reason, out),
              'expected exit 71 and /%s/, got %d: %s' % (reason, p.returncode, out))


@suite.case
def test_reports_name_the_database():
    """mugai mail's and mugai files' reports say which database scanned them;
    adding a signature file changes it."""
    import shutil
    d = tmpdir()
    db = os.path.join(d, 'db')
    os.makedirs(db)
    shutil.copy(os.path.join(CLAMDB, 'test.hdb'), db)
    conf = write(os.path.join(d, 'm.conf'), '[clamav]\ndatabase = %s\n[quarantine]\n'
                 'directory = %s/q\n' % (db, d))
    mail = write(os.path.join(d, 'in.eml'), 'From: a@example.jp\nTo: b@example.jp\n'
                 'Subject: x\n\nhello\n')
    seen = []
    for extra in (None, 'test.ndb'):
        if extra:
            shutil.copy(os.path.join(CLAMDB, extra), db)
        rep = os.path.join(d, 'r.json')
        p = run_cmd(['mail', '-c', conf, '--report', rep, '-o', os.path.join(d, 'o.eml'), mail])
        check(p.returncode == 0, 'mugai mail: %d %s' % (p.returncode, p.stderr))
        seen.append(json.load(open(rep)).get('signatures'))
    check(re.fullmatch(r'custom 1 signatures \(sha256 [0-9a-f]{12}\)', seen[0] or '')
          and re.fullmatch(r'custom 2 signatures \(sha256 [0-9a-f]{12}\)', seen[1] or ''),
          'report signatures %r' % seen)
    rep = os.path.join(d, 'f.json')
    text = write(os.path.join(d, 'note.txt'), 'hello\n')
    p = run_cmd(['files', '-c', conf, '--report', rep, '-o', os.path.join(d, 'out'), text])
    check(p.returncode == 0, 'mugai files: %d %s' % (p.returncode, p.stderr))
    line = json.loads(open(rep).readline())
    check(line.get('signatures') == seen[1], 'files report signatures %r' % line)


@suite.case
def test_usage():
    rc, _, err = run()
    check(rc == 64 and 'check' in err, 'no subcommand: %d %s' % (rc, err))
    rc, _, err = run('dump', '-P', '/tmp')
    check(rc == 64, '-P with dump: %d' % rc)


if __name__ == '__main__':
    harness_ok = os.access(harness.POSTFIX, os.X_OK)
    if not harness_ok:
        print('FAIL setup: postconf/postfix not installed (scripts/setup.sh installs them)')
        sys.exit(1)
    suite.main()
