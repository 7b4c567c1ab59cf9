#!/usr/bin/env python3
"""`meson install`: every file a production install needs lands where the
units and the docs say; the systemd units pass `systemd-analyze verify`
(their program paths pointed into the install); each unit's ExecStart runs
as the unit's user with a test configuration (no systemd as PID 1 here)."""
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, 'postfix'))

from mugaitest import BUILDDIR, CLAMDB, SRCDIR, Suite, check, _track  # noqa: E402
import harness  # noqa: E402

suite = Suite('install')
UNITS = ['mugai-milter.service', 'mugai-admin.service', 'mugai-purge.service',
         'mugai-purge.timer']


def tmpdir():
    d = tempfile.mkdtemp(prefix='mugai-inst-')
    _track(d)
    os.chmod(d, 0o755)
    return d


def install():
    """meson install into a new DESTDIR; returns (destdir, prefix)."""
    dest = tmpdir()
    p = subprocess.run(['meson', 'install', '-C', BUILDDIR, '--no-rebuild', '--destdir', dest],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    check(p.returncode == 0, 'meson install failed: %s' % p.stdout.decode()[-1500:])
    intro = subprocess.run(['meson', 'introspect', '--buildoptions', BUILDDIR],
                           stdout=subprocess.PIPE, check=True).stdout.decode()
    prefix = re.search(r'"name": "prefix", "value": "([^"]+)"', intro).group(1)
    return dest, prefix


def sysconfdir():
    intro = subprocess.run(['meson', 'introspect', '--buildoptions', BUILDDIR],
                           stdout=subprocess.PIPE, check=True).stdout.decode()
    prefix = re.search(r'"name": "prefix", "value": "([^"]+)"', intro).group(1)
    etc = re.search(r'"name": "sysconfdir", "value": "([^"]+)"', intro).group(1)
    return os.path.join(prefix, etc)


def unit_dir(dest):
    for d in ('lib/systemd/system', 'usr/lib/systemd/system'):
        if os.path.exists(os.path.join(dest, d, 'mugai-milter.service')):
            return os.path.join(dest, d)
    check(False, 'no mugai-milter.service installed under %s' % dest)


def service_lines(path):
    values = {}
    for line in open(path):
        if '=' in line and not line.startswith('#'):
            k, _, v = line.strip().partition('=')
            values.setdefault(k, []).append(v)
    return values


@suite.case
def test_installed_files():
    dest, prefix = install()
    p = lambda *a: os.path.join(dest, prefix.lstrip('/'), *a)  # noqa: E731
    etc = os.path.join(dest, sysconfdir().lstrip('/'))
    expected = [p('bin', 'mugai'), p('sbin', 'mugai-milter'), os.path.join(etc, 'mugai', 'mugai.conf'),
                os.path.join(etc, 'logrotate.d', 'mugai'), p('share', 'man', 'man1', 'mugai.1'),
                p('share', 'man', 'man8', 'mugai-milter.8'),
                p('share', 'man', 'man5', 'mugai.conf.5'),
                os.path.join(dest, 'usr/lib/sysusers.d/mugai.conf'),
                os.path.join(dest, 'usr/lib/tmpfiles.d/mugai.conf'),
                p('share', 'doc', 'mugai', 'examples', 'postfix', 'before-queue.main.cf'),
                p('share', 'doc', 'mugai', 'ja', 'admin-guide.md')]
    expected += [os.path.join(unit_dir(dest), u) for u in UNITS]
    missing = [e[len(dest):] for e in expected if not os.path.exists(e)]
    check(not missing, 'not installed: %s' % missing)
    check(open(os.path.join(etc, 'mugai', 'mugai.conf'), 'rb').read() ==
          open(os.path.join(SRCDIR, 'conf', 'mugai.conf'), 'rb').read(), 'mugai.conf differs')
    # The installed program reads the installed configuration by default.
    out = subprocess.run([p('bin', 'mugai'), 'config', 'dump', '-h'], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT).stdout.decode()
    conf_default = os.path.join(sysconfdir(), 'mugai', 'mugai.conf')
    check(conf_default in out, 'default config %s not in %s' % (
        conf_default, out))
    sysusers = open(os.path.join(dest, 'usr/lib/sysusers.d/mugai.conf')).read()
    for line in (r'u _mugai ', r'u _mugai-worker ', r'm _mugai +postfix'):
        check(re.search('(?m)^' + line, sysusers), 'sysusers lacks /%s/' % line)
    tmpfiles = open(os.path.join(dest, 'usr/lib/tmpfiles.d/mugai.conf')).read()
    check(re.search(r'(?m)^d /var/spool/mugai 0700 _mugai _mugai', tmpfiles), tmpfiles)
    logrotate = open(os.path.join(etc, 'logrotate.d', 'mugai')).read()
    check('copytruncate' not in logrotate and 'nocompress' in logrotate
          and '/var/spool/mugai/audit.log' in logrotate, 'logrotate: %s' % logrotate)


def localised_units(dest, prefix):
    """The installed units with their programs pointed into DEST."""
    out = tmpdir()
    for u in UNITS:
        text = open(os.path.join(unit_dir(dest), u)).read()
        for d in ('bin', 'sbin'):
            text = text.replace('%s/%s/' % (prefix.rstrip('/'), d),
                                '%s%s/%s/' % (dest, prefix.rstrip('/'), d))
        with open(os.path.join(out, u), 'w') as f:
            f.write(text)
    return out


@suite.case
def test_units_verify():
    if not shutil.which('systemd-analyze'):
        check(False, 'systemd-analyze missing (package systemd)')
    dest, prefix = install()
    units = localised_units(dest, prefix)
    p = subprocess.run(['systemd-analyze', 'verify', '--man=no'] +
                       [os.path.join(units, u) for u in UNITS],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    out = p.stdout.decode()
    # Without systemd as PID 1 the default dependencies are not loaded; every
    # other complaint (syntax, a missing program) is a failure.
    problems = [line for line in out.splitlines()
                if line.strip() and 'sysinit.target not found' not in line]
    check(not problems, 'systemd-analyze verify: %s' % problems)
    for u in ('mugai-milter.service', 'mugai-admin.service', 'mugai-purge.service'):
        p = subprocess.run(['systemd-analyze', 'security', '--offline=true', '--no-pager',
                            os.path.join(units, u)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        m = re.search(r'Overall exposure level for \S+: ([\d.]+) (\w+)', p.stdout.decode())
        check(m and m.group(2) == 'OK', '%s security: %s' % (u, m.group(0) if m else p.stdout))
    # The milter also writes its socket's folder inside Postfix's queue directory.
    for u, rw in (('mugai-milter.service', '/var/spool/mugai -/var/spool/postfix/mugai'),
                  ('mugai-admin.service', '/var/spool/mugai')):
        v = service_lines(os.path.join(units, u))
        check(v.get('ProtectSystem') == ['strict'] and v.get('NoNewPrivileges') == ['yes']
              and v.get('ReadWritePaths') == [rw], '%s hardening: %r' % (u, v))
    milter = service_lines(os.path.join(units, 'mugai-milter.service'))
    check(milter.get('ExecReload') == ['/bin/kill -HUP $MAINPID']
          and milter.get('RuntimeDirectory') == ['mugai'] and milter.get('KillMode') == ['mixed'],
          'milter unit: %r' % milter)


def exec_start(units, unit, conf):
    """The unit's ExecStart argv with -c pointed at CONF, and its User=."""
    v = service_lines(os.path.join(units, unit))
    argv = shlex.split(v['ExecStart'][0])
    argv[argv.index('-c') + 1] = conf
    return argv, (v.get('User') or ['root'])[0]


def as_user(user, argv):
    if user == 'root':
        return argv
    return ['setpriv', '--reuid=' + user, '--regid=' + user, '--init-groups'] + argv


def test_config(d, socket_spec, admin_port):
    q = os.path.join(d, 'q')
    os.makedirs(q)
    pw = pwd.getpwnam('_mugai')
    os.chown(q, pw.pw_uid, pw.pw_gid)
    path = os.path.join(d, 'mugai.conf')
    with open(path, 'w') as f:
        f.write('[clamav]\ndatabase = %s\n[quarantine]\ndirectory = %s\n[milter]\nsocket = %s\n'
                '[admin]\nlisten = 127.0.0.1:%d\nusers_file = %s/users\n' % (
                    CLAMDB, q, socket_spec, admin_port, d))
    os.chmod(path, 0o644)
    return path


@suite.case
def test_exec_start_as_unit_user():
    if os.geteuid() != 0:
        check(False, 'must run as root to take the units\' users')
    try:
        pwd.getpwnam('_mugai')
    except KeyError:
        check(False, 'no user _mugai: run scripts/setup.sh')
    dest, prefix = install()
    units = localised_units(dest, prefix)
    d = tmpdir()
    port, admin_port = harness.free_port(), harness.free_port()
    conf = test_config(d, 'inet:%d@127.0.0.1' % port, admin_port)
    # purge: a oneshot as _mugai
    argv, user = exec_start(units, 'mugai-purge.service', conf)
    check(user == '_mugai', 'purge runs as %s' % user)
    p = subprocess.run(as_user(user, argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    check(p.returncode == 0 and b'purged' in p.stdout, 'purge as _mugai: %d %s' % (
        p.returncode, p.stdout))
    # the milter and the admin UI: both come up and serve
    for unit, wanted_port in (('mugai-milter.service', port),
                              ('mugai-admin.service', admin_port)):
        argv, user = exec_start(units, unit, conf)
        log = open(os.path.join(d, unit + '.log'), 'wb')
        proc = subprocess.Popen(as_user(user, argv), stdout=log, stderr=subprocess.STDOUT)
        try:
            harness.wait_for(unit + ' to listen', lambda: proc.poll() is not None
                             or harness.port_open(wanted_port), 120)
            check(proc.poll() is None, '%s (as %s) exited %s: %s' % (
                unit, user, proc.returncode, open(log.name).read()[-800:]))
        finally:
            harness.stop_process(proc, timeout=60)
            log.close()
        text = open(log.name).read()
        if unit == 'mugai-milter.service':
            # Started as root like the unit, it runs as _mugai once listening.
            uid = pwd.getpwnam('_mugai').pw_uid
            check('running as uid %d' % uid in text, 'milter not running as _mugai: %s' % text)
        # SIGTERM the moment it listens: a clean stop, exit 0.
        check(proc.returncode == 0, '%s exited %s on SIGTERM: %s' % (
            unit, proc.returncode, text[-800:]))

@suite.case
def test_man_page_names_every_command():
    """Every command `mugai --help` lists has its synopsis in mugai(1)."""
    from mugaitest import MUGAI
    out = subprocess.run([MUGAI, '--help'], stdout=subprocess.PIPE).stdout.decode()
    commands = re.findall(r'(?m)^  (\w+) ', out)
    check(len(commands) >= 6, 'commands in --help: %r' % commands)
    man = open(os.path.join(SRCDIR, 'doc', 'man', 'mugai.1')).read()
    synopsis = man[man.index('.SH SYNOPSIS'):man.index('.SH DESCRIPTION')]
    missing = [c for c in commands if not re.search(r'(?m)^\.B mugai %s\b' % c, synopsis)]
    check(not missing, 'mugai(1) has no synopsis for %s' % missing)


if __name__ == '__main__':
    suite.main()
