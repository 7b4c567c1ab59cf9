#!/usr/bin/env python3
"""install-deb.py - install the built Debian package on this machine, run it as
its units would, send one mail through it, and purge it again.

Run as root by scripts/test.sh once test/package/build-deb.sh has built the
package (usage: install-deb.py DEBDIR). Checks, in order:
  - `apt-get install ./mugai_*.deb`: the users (sysusers), /etc/mugai/mugai.conf,
    /var/spool/mugai (tmpfiles) as the units expect them;
  - `systemd-analyze verify` of the installed units;
  - the milter unit's ExecStart as the unit runs it (as root, which it leaves
    for _mugai; RuntimeDirectory and UMask done here, systemd not being PID 1)
    on its default socket unix:/var/spool/postfix/mugai/milter.sock (folder
    made by tmpfiles.d, _mugai:postfix 0750), a private Postfix on loopback
    set up with the packaged Postfix lines unmodified (smtpd_milters =
    unix:mugai/milter.sock, relative to queue_directory), and one mail that
    reaches the sink sanitised (its executable attachment removed). The
    private Postfix has its own queue_directory (WORK/queue, not
    /var/spool/postfix, which the machine's Postfix owns): its mugai/ entry is
    a symlink to /var/spool/postfix/mugai, so that the shipped relative name
    reaches the installed milter's socket;
  - `mugai config check` on the installed configuration and that Postfix;
  - the admin and purge units' ExecStart as their User= (_mugai), and the
    purge started as root (cron): no file in the quarantine left to root;
  - `apt-get purge mugai`: no file of the package left, nor /etc/mugai; the
    quarantine /var/spool/mugai is kept.
The installed configuration is used as it is. What an earlier run left in
/var/spool/mugai and /var/spool/postfix/mugai is moved aside and put back at
the end; the virus database directory (/var/lib/clamav) is lent the test
signatures when it holds none (removed again at the end). Nothing else on the machine is touched: the other suites
run the build's programs on their own ports, sockets and folders.
"""
import base64
import email
import email.policy
import glob
import grp
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, 'test', 'integration', 'postfix'))
os.environ.setdefault('MUGAI_SRCDIR', SRC)

import harness  # noqa: E402
import mails  # noqa: E402

UNITS = '/lib/systemd/system'
CONF = '/etc/mugai/mugai.conf'
CLAMDB = '/var/lib/clamav'
SOCKET = '/var/spool/postfix/mugai/milter.sock'
SOCKDIR = os.path.dirname(SOCKET)
PF_SOCKET = 'unix:mugai/milter.sock'   # as the packaged Postfix lines name it
SPOOL = '/var/spool/mugai'
ENV = dict(os.environ, DEBIAN_FRONTEND='noninteractive', LANG='C')
failures = []


def check(ok, what):
    print('%s: %s' % ('ok' if ok else 'FAIL', what))
    if not ok:
        failures.append(what)
    return ok


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV,
                          timeout=kw.pop('timeout', 300), **kw)


def installed():
    return run(['dpkg-query', '-W', '-f=${Status}', 'mugai']).stdout.decode().endswith(
        ' installed')


def unit(name):
    """KEY -> [values] of an installed unit."""
    values = {}
    with open(os.path.join(UNITS, name)) as f:
        for line in f:
            if '=' in line and not line.startswith('#'):
                k, _, v = line.strip().partition('=')
                values.setdefault(k, []).append(v)
    return values


def as_unit(name):
    """The unit's ExecStart argv, run as its User=/Group=/SupplementaryGroups=,
    and its UMask (None: systemd's default 0022)."""
    u = unit(name)
    argv = shlex.split(u['ExecStart'][0])
    user = (u.get('User') or ['root'])[0]
    if user != 'root':
        groups = ','.join((u.get('SupplementaryGroups') or [''])[0].split())
        argv = ['setpriv', '--reuid=' + user, '--regid=' + (u.get('Group') or [user])[0],
                '--groups=' + groups if groups else '--clear-groups'] + argv
    umask = int((u.get('UMask') or ['0022'])[0], 8)
    return argv, user, umask


def mode_owner(path):
    st = os.lstat(path)
    return '%o %s:%s' % (st.st_mode & 0o7777, pwd.getpwuid(st.st_uid).pw_name,
                         grp.getgrgid(st.st_gid).gr_name)


def install(deb):
    if installed():   # left by an interrupted run
        run(['apt-get', 'purge', '-y', 'mugai'])
    p = run(['apt-get', 'install', '-y', '--no-install-recommends', os.path.abspath(deb)])
    if not check(p.returncode == 0 and installed(), 'apt-get install ./%s' % os.path.basename(deb)):
        print(p.stdout.decode()[-3000:])
        return False
    for user in ('_mugai', '_mugai-worker'):
        try:
            pw = pwd.getpwnam(user)
            check(pw.pw_uid != 0 and pw.pw_shell == '/usr/sbin/nologin',
                  'user %s (uid %d, %s)' % (user, pw.pw_uid, pw.pw_shell))
        except KeyError:
            check(False, 'user %s exists' % user)
    check('_mugai' in grp.getgrnam('postfix').gr_mem, '_mugai in group postfix')
    check(os.path.isfile(CONF) and mode_owner(CONF) == '644 root:root',
          '%s %s' % (CONF, mode_owner(CONF) if os.path.exists(CONF) else 'missing'))
    spool = SPOOL
    check(os.path.isdir(spool) and mode_owner(spool) == '700 _mugai:_mugai',
          '%s %s' % (spool, mode_owner(spool) if os.path.exists(spool) else 'missing'))
    check(os.path.isdir(SOCKDIR) and mode_owner(SOCKDIR) == '750 _mugai:postfix',
          '%s %s' % (SOCKDIR, mode_owner(SOCKDIR) if os.path.exists(SOCKDIR) else 'missing'))
    return True


def verify_units():
    names = sorted(os.path.basename(p) for p in glob.glob(UNITS + '/mugai-*'))
    p = run(['systemd-analyze', 'verify', '--man=no'] + [os.path.join(UNITS, n) for n in names])
    # Without systemd as PID 1 the default dependencies are not loaded.
    problems = [ln for ln in p.stdout.decode().splitlines()
                if ln.strip() and 'sysinit.target not found' not in ln]
    check(len(names) == 4 and not problems,
          'systemd-analyze verify %s: %s' % (' '.join(names), problems or 'clean'))


class InstalledMilter:
    """mugai-milter as mugai-milter.service starts it, on its default socket."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.log = os.path.join(workdir, 'milter.log')
        self.postfix_socket = PF_SOCKET  # harness.Postfix keeps the shipped line as it is
        self.proc = None

    def start(self):
        argv, user, umask = as_unit('mugai-milter.service')
        check(user == 'root' and argv[0] == '/usr/sbin/mugai-milter',
              'milter unit: %s as %s' % (' '.join(argv), user))
        # RuntimeDirectory=mugai, RuntimeDirectoryMode=0755 (owner: the unit's user)
        os.makedirs('/run/mugai', mode=0o755, exist_ok=True)
        os.chmod('/run/mugai', 0o755)
        # The private Postfix's queue_directory stands in for /var/spool/postfix.
        queue = os.path.join(self.workdir, 'queue')
        os.makedirs(queue, exist_ok=True)
        os.symlink(SOCKDIR, os.path.join(queue, 'mugai'))
        with open(self.log, 'ab') as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=lambda: os.umask(umask))
        harness.wait_for('mugai-milter to listen on ' + SOCKET,
                         lambda: self.proc.poll() is not None or os.path.exists(SOCKET), 120)
        if self.proc.poll() is not None:
            raise AssertionError('mugai-milter exited %d:\n%s' % (self.proc.returncode,
                                                                  self.read_log()))

    def read_log(self):
        with open(self.log, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def stop(self):
        harness.stop_process(self.proc, timeout=30)


def proc_status(pid):
    with open('/proc/%d/status' % pid) as f:
        return dict(line.rstrip('\n').split(':\t', 1) for line in f if ':\t' in line)


def mail_through(relay):
    main_cf = open(os.path.join(relay.postfix.dir, 'main.cf')).read()
    check(re.search(r'(?m)^smtpd_milters = unix:mugai/milter.sock$', main_cf)
          and re.search(r'(?m)^non_smtpd_milters = unix:mugai/milter.sock$', main_cf),
          'the private Postfix names the milter as the packaged lines do')
    status = proc_status(relay.milter.proc.pid)
    uid = pwd.getpwnam('_mugai').pw_uid
    check(status['Uid'].split()[:2] == [str(uid)] * 2 and status['CapEff'] == '0' * 16,
          'the milter runs as _mugai without capabilities (Uid %s, CapEff %s)' % (
              status['Uid'], status['CapEff']))
    sock = mode_owner(SOCKET)
    check(sock == '660 _mugai:postfix', '%s %s' % (SOCKET, sock))
    exe = b'MZ\x90\x00' + bytes(4000)
    relay.send(mails.attachment_mail('installed', name='setup.exe', payload=exe,
                                     ctype='application/octet-stream'))
    (envelope, message), = relay.wait_delivered(1)
    x_mugai = harness.header(message, 'X-Mugai') or ''
    text = mails.body_text(message)
    parts = [p.get_content_type() for p in
             email.message_from_bytes(message, policy=email.policy.default).walk()]
    if not check(x_mugai.startswith('sanitised') and 'SENTINEL-installed' in text
                 and 'setup.exe' in text and 'application/octet-stream' not in parts
                 and base64.b64encode(exe[:57]) not in message,
                 'one mail through Postfix and the installed milter reached the sink '
                 'sanitised (X-Mugai: %s; parts %s; the executable removed and named in the '
                 'text)' % (x_mugai, parts)):
        print(text[:2000])


def shipped_postfix(relay):
    """The private Postfix with the milter timeouts of the packaged snippet
    (the relay tests shorten them)."""
    snippet = dict(harness.read_main_cf(
        '/usr/share/doc/mugai/examples/postfix/before-queue.main.cf'))
    path = os.path.join(relay.postfix.dir, 'main.cf')
    text = open(path).read()
    for name in ('milter_connect_timeout', 'milter_command_timeout', 'milter_content_timeout'):
        text = re.sub(r'(?m)^%s = .*$' % name, '%s = %s' % (name, snippet[name]), text)
    with open(path, 'w') as f:
        f.write(text)


def config_check(relay):
    """On the installed default, the one finding is the setting every site
    must make ([release] allowed_recipient_domains, empty by default); with it
    set, as the guide says, none."""
    p = run(['mugai', 'config', 'check', '-c', CONF, '-P', relay.postfix.dir])
    lines = p.stdout.decode().strip().splitlines()
    check(p.returncode == 78 and len(lines) == 3 and lines[1].startswith(
        '[release] allowed_recipient_domains is empty') and lines[2] == CONF + ': 1 problem',
          'mugai config check on the installed default: exit %d, the release domains only\n%s'
          % (p.returncode, '\n'.join(lines)))
    text = open(CONF).read()
    with open(CONF, 'w') as f:
        f.write(re.sub(r'(?m)^allowed_recipient_domains =.*$',
                       'allowed_recipient_domains = ' + harness.RECIPIENT_DOMAIN, text))
    p = run(['mugai', 'config', 'check', '-c', CONF, '-P', relay.postfix.dir])
    out = p.stdout.decode()
    check(p.returncode == 0 and out.endswith(CONF + ': OK\n'),
          'mugai config check with allowed_recipient_domains set: exit %d\n%s' % (
              p.returncode, out.strip()))


def other_units(workdir):
    argv, user, umask = as_unit('mugai-purge.service')
    p = run(argv, preexec_fn=lambda: os.umask(umask))
    check(user == '_mugai' and p.returncode == 0 and b'purged 0 items' in p.stdout,
          'purge unit as %s: exit %d %s' % (user, p.returncode, p.stdout.decode().strip()))
    # cron may start the purge as root: it becomes _mugai, and root owns nothing after it
    p = run(['/usr/bin/mugai', 'quarantine', 'purge', '-c', CONF])
    owned = [os.path.join(d, n) for d, ds, fs in os.walk(SPOOL) for n in ds + fs
             if os.lstat(os.path.join(d, n)).st_uid == 0]
    check(p.returncode == 0 and not owned and os.listdir(SPOOL),
          'purge started as root: exit %d, root owns %s' % (p.returncode, owned or 'nothing'))
    argv, user, umask = as_unit('mugai-admin.service')
    port = harness.free_port()
    log = os.path.join(workdir, 'admin.log')
    with open(log, 'wb') as f:
        proc = subprocess.Popen(argv + ['--listen', '127.0.0.1:%d' % port], stdout=f,
                                stderr=subprocess.STDOUT, preexec_fn=lambda: os.umask(umask))
    try:
        harness.wait_for('mugai admin serve', lambda: proc.poll() is not None
                         or harness.port_open(port), 60)
        check(user == '_mugai' and proc.poll() is None,
              'admin unit as %s serves on 127.0.0.1:%d' % (user, port))
    finally:
        harness.stop_process(proc, timeout=30)
    check(proc.returncode == 0, 'admin unit stops on SIGTERM: exit %s %s' % (
        proc.returncode, open(log).read()[-500:]))


def purge():
    files = [f for f in run(['dpkg', '-L', 'mugai']).stdout.decode().splitlines()
             if f.startswith('/') and not os.path.isdir(f)]
    p = run(['apt-get', 'purge', '-y', 'mugai'])
    left = [f for f in files if os.path.lexists(f)]
    check(p.returncode == 0 and not installed() and not left and not os.path.exists('/etc/mugai'),
          'apt-get purge mugai: %d files of the package and /etc/mugai, none left%s' % (
              len(files), (': ' + ', '.join(left[:10])) if left else ''))
    # The quarantine and its audit log are kept, and so are the users (documented).
    check(os.path.isdir(SPOOL) and pwd.getpwnam('_mugai'), '%s and the users kept' % SPOOL)


def set_aside(path):
    """What an earlier run or another install left at PATH is moved aside
    for the test (which wants the package's fresh folders) and put back at
    the end. Returns the place it went, or None."""
    if not os.path.lexists(path):
        return None
    saved = '%s.before-install-test.%d' % (path, os.getpid())
    os.rename(path, saved)
    return saved


def lend_signatures():
    """The packaged configuration reads /var/lib/clamav. When it holds no
    signature database (no network here: freshclam never ran, or the
    clamav packages made it empty), the shipped test signatures are copied
    in and the copies removed at the end. Returns what to remove, in order."""
    if not os.path.isdir(CLAMDB):
        os.makedirs(CLAMDB, mode=0o755)
        lent = [CLAMDB]
    else:
        lent = []
    have = [n for n in os.listdir(CLAMDB)
            if n.rsplit('.', 1)[-1] in ('cvd', 'cld', 'cud', 'hdb', 'ndb', 'ldb', 'hsb')]
    if have:
        return lent
    src = os.path.join(SRC, 'test', 'data', 'clamav')
    for name in os.listdir(src):
        lent.insert(0, os.path.join(CLAMDB, name))
        shutil.copyfile(os.path.join(src, name), lent[0])
        os.chmod(lent[0], 0o644)
    return lent


def main():
    debs = [d for d in glob.glob(os.path.join(sys.argv[1], 'mugai_*.deb'))
            if 'dbgsym' not in d]
    if os.geteuid() != 0 or len(debs) != 1:
        print('FAIL: install-deb.py must run as root with one mugai_*.deb in %s' % sys.argv[1])
        return 1
    start = time.time()
    aside = [set_aside(p) for p in (SPOOL, SOCKDIR)]
    lent = lend_signatures()
    try:
        if install(debs[0]):
            verify_units()
            relay = harness.Relay(milter=InstalledMilter)
            shipped_postfix(relay)
            with relay:
                mail_through(relay)
                config_check(relay)
            work = tempfile.mkdtemp(prefix='mugai-inst-')
            os.chmod(work, 0o755)
            other_units(work)
            shutil.rmtree(work, ignore_errors=True)
    except Exception as e:  # noqa: BLE001 - reported, then the machine is cleaned
        check(False, 'install test: %s: %s' % (type(e).__name__, e))
    finally:
        for path in lent:   # the files first, then the folder if it was made here
            (os.rmdir if os.path.isdir(path) else os.unlink)(path)
        if installed():
            purge()
        shutil.rmtree('/run/mugai', ignore_errors=True)
        for path, saved in zip((SPOOL, SOCKDIR), aside):
            shutil.rmtree(path, ignore_errors=True)
            if saved:
                os.rename(saved, path)
    print('install: %s in %d s' % ('FAIL (%d)' % len(failures) if failures else 'OK',
                                   time.time() - start))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
