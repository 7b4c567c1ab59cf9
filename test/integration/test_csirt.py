#!/usr/bin/env python3
"""What the CSIRT and the monthly report need: `mugai quarantine export` (the
original in a ZIP encrypted with the password "infected", AES-256 for 7z or
traditional encryption for unzip, with the report, the item's audit lines and
SHA256SUMS; approvers only; audited); the alert mail to [alert] address
(Japanese, the facts, never the original; one mail per interval, the rest
counted in the next); the trail of `mugai files` (an audit line per file
with the Unix user, a withheld or removed file's original kept under its id).
"""
import email
import email.policy
import hashlib
import json
import os
import pwd
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import Suite, check  # noqa: E402
from qtest import (ENVELOPE, PASSWORDS, ROLES, Store, clean_mail, decoded, ppap_mail,  # noqa: E402
                   removed_mail, virus_mail)
from mime import EICAR, make_pe  # noqa: E402

S = Suite('csirt')


def original_sha(st, item):
    return [i for i in st.list_json() if i['id'] == item][0]['sha256']


def extract(tool, zip_path, password):
    """Extract ZIP_PATH with TOOL (7z or unzip) into a new directory:
    (exit code, directory)."""
    out = tempfile.mkdtemp(prefix='x-', dir=os.path.dirname(zip_path))
    if tool == '7z':
        args = ['7z', 'x', '-y', '-o' + out] + (['-p' + password] if password is not None
                                                   else ['-p']) + [zip_path]
    else:
        args = ['unzip', '-o', '-d', out] + (['-P', password] if password is not None
                                             else []) + [zip_path]
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, out


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def check_members(out, item, stored_sha, sent):
    orig = read(os.path.join(out, item + '.eml'))
    check(hashlib.sha256(orig).hexdigest() == stored_sha,
          'the exported original is not the stored one')
    check(orig == sent, 'the exported original is not the mail as it came in')
    check(b'"id"' in read(os.path.join(out, item + '.report.json')), 'report missing')
    audit = read(os.path.join(out, item + '.audit.jsonl')).decode()
    check('"event":"message"' in audit and item in audit, 'audit lines missing: %r' % audit)
    sums = read(os.path.join(out, 'SHA256SUMS')).decode()
    p = subprocess.run(['sha256sum', '-c', 'SHA256SUMS'], cwd=out, stdout=subprocess.PIPE)
    check(p.returncode == 0 and sums.count('\n') == 3, 'SHA256SUMS: %r' % sums)


@S.case
def test_export_sample_for_the_csirt():
    with Store() as st:
        sent = virus_mail('export')
        check(EICAR in decoded(sent), 'the test mail carries no EICAR')
        v = st.mail(sent, expect=3)
        item = v['id']
        stored = original_sha(st, item)
        zpath = os.path.join(st.tmp, 'sample.zip')
        rc, _, err = st.q('export', '--as', 'alice', '-o', zpath, item)
        check(rc == 1 and 'approver' in err and not os.path.exists(zpath),
              'an operator exported: exit %d %r' % (rc, err))
        rc, out, err = st.q('export', '--as', 'bob', '-o', zpath, item)
        check(rc == 0 and 'infected' in out, 'export: exit %d %r' % (rc, err))
        check(sent[-300:] not in read(zpath), 'the ZIP carries the sample in clear')
        rc, out = extract('7z', zpath, 'infected')
        check(rc == 0, '7z x -pinfected failed')
        check_members(out, item, stored, sent)
        check(extract('7z', zpath, 'wrong')[0] != 0, '7z opened it with a wrong password')
        rc, _, _ = st.q('export', '--as', 'bob', '-o', zpath, item)
        check(rc != 0, 'export overwrote an existing file')
        zc = os.path.join(st.tmp, 'zipcrypt.zip')
        rc, _, err = st.q('export', '--as', 'carol', '--cipher', 'zipcrypt', '-o', zc, item)
        check(rc == 0, 'export --cipher zipcrypt: %r' % err)
        check(extract('unzip', zc, None)[0] != 0, 'unzip without the password succeeded')
        rc, out = extract('unzip', zc, 'infected')
        check(rc == 0, 'unzip -P infected failed')
        check_members(out, item, stored, sent)
        acts = st.actions('sample_export', item)
        check([(a['user'], a['result']) for a in acts] ==
              [('alice', 'refused'), ('bob', 'ok'), ('carol', 'ok')],
              'audit of the exports: %r' % [(a['user'], a['result']) for a in acts])
        check(acts[1]['detail'] == 'cipher=aes256 sha256=%s size=%d' % (stored, len(sent)),
              'export detail %r' % acts[1]['detail'])
        check(acts[1]['unix_user'] == 'bin', 'export unix user %r' % acts[1]['unix_user'])


CSIRT = 'csirt@city.example.lg.jp'


def alerts(st):
    return [(env, email.message_from_bytes(data, policy=email.policy.default))
            for env, data in st.sink.messages if env['rcpt'] == ['<%s>' % CSIRT]]


def alert_text(msg):
    return msg['Subject'] + '\n' + msg.get_content()


HOOK = """#!/usr/bin/python3
import json, os, sys
out = sys.argv[1]
if len(sys.argv) > 3:
    print('the hook complains', file=sys.stderr)
    if sys.argv[3] == 'hang':
        os.close(0)
        import time
        time.sleep(600)
    sys.exit(int(sys.argv[3]))
data = sys.stdin.read()
n = len([f for f in os.listdir(out) if f.endswith('.json')])
with open(os.path.join(out, 'tmp'), 'w') as f:
    json.dump({'uid': os.getuid(), 'argv': sys.argv, 'stdin': data, 'path': os.environ['PATH'],
               'env': {k: v for k, v in os.environ.items() if k.startswith('MUGAI_ALERT_')},
               'others': sorted(k for k in os.environ if not k.startswith('MUGAI_ALERT_'))}, f)
os.rename(os.path.join(out, 'tmp'), os.path.join(out, 'alert-%d.json' % n))
"""


def hook(st, *args):
    """An [alert] exec command line: a script that records each call in a
    folder (or fails as ARGS say), and that folder."""
    path = os.path.join(st.tmp, 'hook.py')
    out = os.path.join(st.tmp, 'hook-out')
    os.makedirs(out, exist_ok=True)
    with open(path, 'w') as f:
        f.write(HOOK)
    os.chmod(path, 0o755)
    return '%s %s \'$HOME; touch /tmp/x\' %s' % (path, out, ' '.join(args)), out


def hook_calls(out):
    calls = sorted(f for f in os.listdir(out) if f.endswith('.json'))
    result = []
    for name in sorted(calls, key=lambda n: int(n[6:-5])):
        with open(os.path.join(out, name)) as f:
            result.append(json.load(f))
    return result


URL = 'https://mugai.city.example.lg.jp/'


@S.case
def test_alert_mail_to_the_csirt():
    with Store(extra={'alert': {'address': CSIRT, 'interval': '3600'},
                      'admin': {'public_url': URL}}) as st:
        command, out = hook(st)
        with open(st.conf) as f:
            conf = f.read()
        with open(st.conf, 'w') as f:
            f.write(conf.replace('interval = 3600', 'interval = 3600\nexec = ' + command))
        st.mail(clean_mail('alert-clean'), expect=0)
        check(alerts(st) == [] and hook_calls(out) == [], 'an alert for a clean mail')
        sent = virus_mail('alert-1')
        first = st.mail(sent, expect=3)
        got = alerts(st)
        check(len(got) == 1, 'one alert mail expected after the first virus: %d' % len(got))
        env, msg = got[0]
        text = alert_text(msg)
        check(env['from'] == '<mugai-release@city.example.lg.jp>', 'alert MAIL FROM %r' % env)
        check('ウイルスを検出しました（1 件）' in msg['Subject'], 'subject %r' % msg['Subject'])
        for fact in (first['id'], first['virus'][0], '<%s>' % ENVELOPE[0], ENVELOPE[1][0],
                     '判定: withheld', 'JST', 'mugai quarantine show ' + first['id'],
                     '管理画面: %sitems/%s' % (URL, first['id']), '隔離一覧（管理画面）: %sitems' % URL):
            check(fact in text, 'the alert does not say %r:\n%s' % (fact, text))
        raw = st.sink.messages[-1][1]
        check(sent[-300:] not in raw and EICAR not in decoded(raw),
              'the alert carries the original')
        calls = hook_calls(out)
        check(len(calls) == 1, 'the hook ran %d times for one alert' % len(calls))
        call = calls[0]
        check(call['argv'][1:] == [out, '$HOME; touch /tmp/x'],
              'the hook argv went through a shell: %r' % call['argv'])
        check(call['uid'] == os.getuid() and call['path'] == '/usr/local/bin:/usr/bin:/bin' and
              call['others'] == ['LANG', 'PATH'], 'the hook environment: %r' % call)
        e = call['env']
        check(e.get('MUGAI_ALERT_COUNT') == '1' and e.get('MUGAI_ALERT_VIRUSES') == '1' and
              e.get('MUGAI_ALERT_KIND') == 'virus' and e.get('MUGAI_ALERT_ID') == first['id'] and
              e.get('MUGAI_ALERT_IDS') == first['id'] and
              e.get('MUGAI_ALERT_VIRUS') == first['virus'][0] and
              e.get('MUGAI_ALERT_FROM') == ENVELOPE[0] and
              e.get('MUGAI_ALERT_TO') == ENVELOPE[1][0] and
              e.get('MUGAI_ALERT_VERDICT') == 'withheld' and
              e.get('MUGAI_ALERT_ITEM_URL') == '%sitems/%s' % (URL, first['id']) and
              e.get('MUGAI_ALERT_URL') == URL + 'items' and
              'ウイルスを検出しました' in e.get('MUGAI_ALERT_SUBJECT', ''),
              'the hook environment: %r' % e)
        lines = [json.loads(ln) for ln in call['stdin'].splitlines()]
        check([ln['id'] for ln in lines] == [first['id']] and lines[0]['kind'] == 'virus',
              'the hook stdin: %r' % call['stdin'])
        more = [st.mail(virus_mail('alert-%d' % i), expect=3)['id'] for i in range(2, 7)]
        check(len(alerts(st)) == 1 and len(hook_calls(out)) == 1,
              'an outbreak inside the interval sent more alerts')
        with open(st.conf) as f:
            conf = f.read()
        with open(st.conf, 'w') as f:
            f.write(conf.replace('interval = 3600', 'interval = 0'))
        st.mail(clean_mail('alert-flush'), expect=0)
        got = alerts(st)
        check(len(got) == 2, 'the kept events were not sent after the interval: %d' % len(got))
        text = alert_text(got[1][1])
        check('（5 件）' in got[1][1]['Subject'], 'summary subject %r' % got[1][1]['Subject'])
        check(all(i in text for i in more), 'the summary does not list every kept virus')
        calls = hook_calls(out)
        check(len(calls) == 2 and calls[1]['env']['MUGAI_ALERT_COUNT'] == '5' and
              calls[1]['env']['MUGAI_ALERT_IDS'].split() == more and
              len(calls[1]['stdin'].splitlines()) == 5, 'the hook of the summary: %r' % calls[1:])
        st.mail(clean_mail('alert-quiet'), expect=0)
        check(len(alerts(st)) == 2 and len(hook_calls(out)) == 2, 'an alert with nothing to tell')


@S.case
def test_alert_exec_alone_and_failing():
    """[alert] exec without an address: no mail, the command runs. A command
    that fails, hangs past exec_timeout, or is not an absolute path is logged
    and the mail is still handled."""
    with Store(extra={'alert': {'interval': '0'}}) as st:
        command, out = hook(st)
        conf = open(st.conf).read()

        def with_exec(cmd, timeout=30):
            with open(st.conf, 'w') as f:
                f.write(conf.replace('interval = 0', 'interval = 0\nexec = %s\nexec_timeout = %d'
                                     % (cmd, timeout)))

        def mail(name):
            inp = os.path.join(st.tmp, name + '.eml')
            with open(inp, 'wb') as f:
                f.write(virus_mail(name))
            p = st.run(['mail', '-c', st.conf, '--sender', ENVELOPE[0], '--recipient',
                        ENVELOPE[1][0], '-o', inp + '.out', inp])
            check(p.returncode == 3 and os.path.getsize(inp + '.out') > 0,
                  'mugai mail with a bad hook: exit %d %r' % (p.returncode, p.stderr))
            return p.stderr.decode('utf-8', 'replace')

        with_exec(command)
        mail('exec-alone')
        check(len(hook_calls(out)) == 1 and st.sink.messages == [],
              'exec alone: %d calls, %d mails' % (len(hook_calls(out)), len(st.sink.messages)))
        with_exec(command + ' 7')
        err = mail('exec-fails')
        check('[alert] exec failed: exit status 7 (the hook complains)' in err,
              'a failing hook is not logged: %r' % err)
        with_exec(command + ' hang', timeout=1)
        err = mail('exec-hangs')
        check('[alert] exec failed: killed after 1 s' in err,
              'a hanging hook is not logged: %r' % err)
        with_exec('hook.py')
        err = mail('exec-relative')
        check('the program must be an absolute path' in err, 'a relative hook: %r' % err)
        p = st.run(['config', 'check', '-c', st.conf])
        check(p.returncode != 0 and b'[alert] exec: hook.py: the program must be an absolute path'
              in p.stdout + p.stderr, 'config check of a relative hook: %r' % p.stdout[-500:])
        with_exec('/nonexistent/hook')
        p = st.run(['config', 'check', '-c', st.conf])
        check(b'[alert] exec: /nonexistent/hook is not an executable file' in p.stdout + p.stderr,
              'config check of a missing hook: %r' % p.stdout[-500:])
        check(len(hook_calls(out)) == 1, 'the failing hooks recorded calls')


def run_files(st, files):
    """`mugai files` over FILES ({name: bytes}), with $SUDO_USER and $USER
    naming someone else: (exit code, {source name: report line})."""
    src = tempfile.mkdtemp(prefix='src-', dir=st.tmp)
    out = tempfile.mkdtemp(prefix='out-', dir=st.tmp)
    os.chmod(st.tmp, 0o755)
    for name, data in files.items():
        with open(os.path.join(src, name), 'wb') as f:
            f.write(data)
    rep = os.path.join(st.tmp, 'files-report.jsonl')
    env = dict(os.environ, SUDO_USER='mallory', USER='mallory', LOGNAME='mallory')
    p = st.run(['files', '-c', st.conf, '--report', rep, '-o', out, src], env=env)
    with open(rep, encoding='utf-8') as f:
        lines = [json.loads(ln) for ln in f]
    return p.returncode, {os.path.basename(ln['source']): ln for ln in lines}


@S.case
def test_files_trail():
    with Store() as st:
        rc, lines = run_files(st, {'eicar.txt': EICAR, 'memo.txt': '議事録\n'.encode(),
                                   'setup.exe': make_pe('trail')})
        me = pwd.getpwuid(os.getuid()).pw_name
        check(rc == 3, 'mugai files exit %d' % rc)
        trail = [a for a in st.audit() if a['event'] == 'file']
        check(sorted(a['id'] for a in trail) == sorted(ln['id'] for ln in lines.values()),
              'one audit line per file expected: %r' % [a.get('source') for a in trail])
        for a in trail:
            check(a['actor'] == me and a['unix_user'] == me,
                  'operator of %s: %r' % (a['source'], a['actor']))
            line = lines[os.path.basename(a['source'])]
            check(a['action'] == line['action'] and a['sha256'] == line['sha256'],
                  'audit line of %s: %r' % (a['source'], a))
        virus = lines['eicar.txt']
        check(virus['action'] == 'withheld', 'eicar: %r' % virus)
        rc, out, err = st.q('show', virus['id'])
        check(rc == 0 and 'eicar.txt' in out and '%s (mugai files)' % me in out and
              hashlib.sha256(EICAR).hexdigest() in out, 'show of a file item: %r %r' % (out, err))
        kept = lines['memo.txt']
        check(st.q('show', kept['id'])[0] == 1, 'a kept file is stored')
        zpath = os.path.join(st.tmp, 'file.zip')
        rc, _, err = st.q('export', '--as', 'bob', '-o', zpath, virus['id'])
        check(rc == 0, 'export of a file item: %r' % err)
        rc, out = extract('7z', zpath, 'infected')
        check(rc == 0 and read(os.path.join(out, virus['id'] + '.eml')) == EICAR,
              'the exported file is not the original')
        check(st.q('show', lines['setup.exe']['id'])[0] == 0, 'a removed file is not kept')
        check(st.q_ok('check').startswith('2 items, 0 damaged'), 'check after files')



def report(st, *args):
    p = st.run(['report', '-c', st.conf] + list(args))
    check(p.returncode == 0, 'mugai report %r: exit %d %r' % (args, p.returncode, p.stderr))
    return p.stdout.decode('utf-8')


@S.case
def test_report_counts_mail_and_files():
    with Store() as st:
        reports = [st.mail(virus_mail('rep-v%d' % i), expect=3) for i in range(2)]
        reports += [st.mail(removed_mail('rep-r%d' % i), expect=0) for i in range(2)]
        reports += [st.mail(clean_mail('rep-c%d' % i), expect=0) for i in range(3)]
        rc, lines = run_files(st, {'eicar.txt': EICAR, 'memo.txt': b'memo\n',
                                   'setup.exe': make_pe('report')})
        check(rc == 3, 'mugai files exit %d' % rc)
        r1, r2 = reports[2]['id'], reports[3]['id']
        check(st.q('release', '--as', 'alice', r1)[0] == 0, 'request 1')
        check(st.q('approve', '--as', 'bob', r1)[0] == 0, 'approve')
        check(st.q('release', '--as', 'alice', r2)[0] == 0, 'request 2')
        check(st.q('reject', '--as', 'carol', r2)[0] == 0, 'reject')
        got = json.loads(report(st, '--format', 'json'))
        check(got['messages'] == {'total': 7, 'sanitised': 5, 'withheld': 2},
              'messages %r' % got['messages'])
        check(got['files'] == {'total': 3, 'kept': 1, 'converted': 0, 'removed': 1,
                               'withheld': 1}, 'files %r' % got['files'])
        name = reports[0]['virus'][0]
        check(got['viruses'] == {name: 3}, 'viruses %r' % got['viruses'])
        check(got['releases'] == {'requested': 2, 'approved': 1, 'rejected': 1},
              'releases %r' % got['releases'])
        check(got['recipients'] == {ENVELOPE[1][0]: 7}, 'recipients %r' % got['recipients'])
        check(got['withheld_sender_domains'] == {ENVELOPE[0].split('@')[1]: 2},
              'sender domains %r' % got['withheld_sender_domains'])
        removals, types = {}, {}
        for item in [p for r in reports for p in r['parts']] + list(lines.values()):
            key = item.get('detected_type') or '?'
            types.setdefault(key, {}).setdefault(item['action'], 0)
            types[key][item['action']] += 1
            if item['action'] in ('removed', 'withheld'):
                removals[item['reason']] = removals.get(item['reason'], 0) + 1
        check(got['removals'] == removals, 'removals %r != %r' % (got['removals'], removals))
        check(got['attachments'] == types, 'attachments %r != %r' % (got['attachments'], types))
        ms = sorted(r['elapsed_ms'] for r in reports)
        check(got['elapsed_ms']['messages'] == {'count': 7, 'p50': ms[3], 'p95': ms[6],
                                                'mean': sum(ms) // 7},
              'message times %r (of %r)' % (got['elapsed_ms']['messages'], ms))
        check(sum(d.get('files', 0) for d in got['days'].values()) == 3 and
              sum(d.get('withheld', 0) for d in got['days'].values()) == 2, 'days %r' % got['days'])
        empty = json.loads(report(st, '--format', 'json', '--to', '2000-01-01'))
        check(empty['messages']['total'] == 0 and empty['files']['total'] == 0,
              'a period before everything counted %r' % empty['messages'])
        text = report(st)
        check('メール' in text and '保留' in text and name in text, 'text report:\n' + text)
        csv_text = report(st, '--format', 'csv')
        check(csv_text.startswith('\ufeff"区分","小区分","項目","件数"\r\n') and
              '"ウイルス名","","%s","3"' % name in csv_text, 'csv report:\n' + csv_text[:400])
        check(st.run(['report', '-c', st.conf, '--format', 'xml']).returncode == 64,
              'a bad format accepted')



def jst_today():
    import datetime
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9))).date()


def secret_file(st, name, text):
    path = os.path.join(st.tmp, name)
    with open(path, 'w') as f:
        f.write(text + '\n')
    os.chmod(path, 0o644)
    return path


@S.case
def test_report_ppap_months_and_languages():
    with Store() as st:
        opened = st.mail(ppap_mail('rep-p1', 'pw-one', [('memo.txt', b'memo\n')]), expect=3)
        wrong = st.mail(ppap_mail('rep-p2', 'pw-two', [('memo.txt', b'memo\n')]), expect=3)
        st.mail(virus_mail('rep-pv'), expect=3)
        st.mail(clean_mail('rep-pc'), expect=0)
        rc, _, err = st.q('release', '--as', 'alice', '--password-file',
                          secret_file(st, 'pw1', 'pw-one'), opened['id'])
        check(rc == 0, 'PPAP request with the right password: %r' % err)
        check(st.q('approve', '--as', 'bob', opened['id'])[0] == 0, 'PPAP approve')
        rc, _, _ = st.q('release', '--as', 'alice', '--password-file',
                        secret_file(st, 'pw2', 'not-it'), wrong['id'])
        check(rc != 0, 'a wrong archive password was accepted')
        got = json.loads(report(st, '--format', 'json'))
        check(got['ppap'] == {'received': 2, 'password_given': 1, 'password_wrong': 1,
                              'approved': 1, 'rejected': 0}, 'ppap %r' % got['ppap'])
        month = jst_today().strftime('%Y-%m')
        check(got['months'] == {month: {'withheld': 3, 'sanitised': 1, 'detections': 1}},
              'months %r' % got['months'])
        check(json.loads(report(st, '--format', 'json', '--month', month)) == got,
              '--month %s differs from the whole log' % month)
        first = jst_today().replace(day=1)
        import datetime
        prev = (first - datetime.timedelta(days=1)).strftime('%Y-%m')
        before = json.loads(report(st, '--format', 'json', '--month', prev))
        check(before['messages']['total'] == 0 and before['months'] == {},
              'last month counted this month: %r' % before['months'])
        for bad in (['--month', '2026-13'], ['--month', month, '--from', '2026-01-01'],
                    ['--lang', 'fr']):
            check(st.run(['report', '-c', st.conf] + bad).returncode == 64, 'accepted %r' % bad)
        ja = report(st, '--lang', 'ja')
        en = report(st, '--lang', 'en')
        check('パスワード付き ZIP（PPAP）' in ja and '月別（JST）' in ja and
              'パスワードを添えた解放申請' in ja, 'Japanese text report:\n' + ja)
        check('Password-protected ZIP (PPAP)' in en and 'Per month (JST)' in en and
              'パスワード' not in en, 'English text report:\n' + en)
        csv_en = report(st, '--format', 'csv', '--lang', 'en')
        check(csv_en.startswith('\ufeff"group","subgroup","item","count"\r\n') and
              '"Password-protected ZIP (PPAP)","","received and withheld","2"' in csv_en,
              'English CSV:\n' + csv_en[:400])



@S.case
def test_approvers_told_of_a_pending_release():
    with Store(users=False, extra={'admin': {'public_url': URL}}) as st:
        for name, role in ROLES.items():
            p = st.run(['admin', '-c', st.conf, 'user', 'add', name, '--role', role,
                        '--email', '%s@city.example.lg.jp' % name],
                       stdin=(PASSWORDS[name] + '\n').encode())
            check(p.returncode == 0, 'user add --email: %r' % p.stderr)
        with open(st.users) as f:
            check('email=bob@city.example.lg.jp' in f.read(), 'email not in the users file')
        bad = st.run(['admin', '-c', st.conf, 'user', 'add', 'eve', '--role', 'operator',
                      '--email', 'eve@x:approver'], stdin=b'eve-password-12\n')
        check(bad.returncode != 0, 'an email with a colon accepted')
        sent = removed_mail('notify')
        item = st.mail(sent, expect=0)['id']
        rc, _, err = st.q('release', '--as', 'bob', item)
        check(rc == 0, 'release request: %r' % err)
        told = [(env, data) for env, data in st.sink.messages
                if env['rcpt'] and 'request@mugai' in data.decode('latin-1')]
        check(len(told) == 1, 'one mail to the approvers expected: %d' % len(told))
        env, data = told[0]
        check(sorted(env['rcpt']) == ['<carol@city.example.lg.jp>'],
              'told: %r (the requester and operators are not)' % env['rcpt'])
        msg = email.message_from_bytes(data, policy=email.policy.default)
        text = msg['Subject'] + '\n' + msg.get_content()
        check('解放の承認をお願いします' in text and item in text and 'bob' in text and
              'mugai quarantine approve ' + item in text and
              '%sitems/%s' % (URL, item) in text, 'approvers mail:\n' + text)
        check(sent[-200:] not in data, 'the approvers mail carries the original')



def days_back(n):
    """(first, last) YYYY-MM-DD (JST) of the last N days, today included."""
    import datetime
    today = jst_today()
    return (str(today - datetime.timedelta(days=n - 1)), str(today))


def report_of(st, first, last, *args):
    return report(st, '--from', first, '--to', last, *args)


def page_bars(page):
    import re
    return {m[0]: tuple(int(x) for x in m[1:]) for m in re.findall(
        r'<g class="day" data-day="([0-9-]+)" data-sanitised="(\d+)" '
        r'data-withheld="(\d+)" data-files="(\d+)">', page)}


def check_bars(bars, want, n, what):
    first, last = days_back(n)
    check(len(bars) == n and min(bars) == first and max(bars) == last,
          '%s: %d bars from %s, expected %d from %s' % (what, len(bars), min(bars), n, first))
    for day, counts in want['days'].items():
        check(bars.get(day) == (counts.get('sanitised', 0), counts.get('withheld', 0),
                                counts.get('files', 0)),
              '%s: bar of %s %r, report %r' % (what, day, bars.get(day), counts))
    check(sum(b[0] + b[1] for b in bars.values()) == want['messages']['total'] and
          sum(b[2] for b in bars.values()) == want['files']['total'],
          '%s: chart totals %r, report %r' % (what, bars, want['messages']))


def week_sums(want):
    """Virus detections of the report per week (its Monday)."""
    import datetime
    weeks = {}
    for day, counts in want['days'].items():
        d = datetime.date.fromisoformat(day)
        monday = str(d - datetime.timedelta(days=d.weekday()))
        weeks[monday] = weeks.get(monday, 0) + counts.get('detections', 0)
    return weeks


@S.case
def test_dashboard_matches_the_report():
    import re
    from test_admin import Server, logged_in  # noqa: E402
    with Store() as st:
        for i in range(2):
            st.mail(virus_mail('dash-v%d' % i), expect=3)
        for i in range(3):
            st.mail(clean_mail('dash-c%d' % i), expect=0)
        waiting = st.mail(removed_mail('dash-r'), expect=0)['id']
        check(st.q('release', '--as', 'alice', '--note', '至急', waiting)[0] == 0, 'request')
        run_files(st, {'eicar.txt': EICAR, 'memo.txt': b'memo\n'})
        month = days_back(31)
        want = json.loads(report_of(st, *month, '--format', 'json'))
        week = json.loads(report_of(st, *days_back(7), '--format', 'json'))
        server = Server(st)
        try:
            alice = logged_in(server, 'alice')
            status, _, page = alice.get('/stats')
            _, _, week_page = alice.get('/stats?period=week')
            _, _, day_page = alice.get('/stats?period=day')
            _, _, bad_page = alice.get('/stats?period=%3Cscript%3E')
            csv_status, csv_resp, csv_text = alice.get('/stats.csv?period=week')
        finally:
            server.stop()
        check(status == 200 and '<svg class="chart"' in page and '<script' not in page,
              '/stats has no chart (%d)' % status)
        check_bars(page_bars(page), want, 31, 'month')
        check_bars(page_bars(week_page), week, 7, 'week')
        check_bars(page_bars(day_page), json.loads(report_of(st, *days_back(1), '--format',
                                                             'json')), 1, 'day')
        check(len(page_bars(bad_page)) == 31 and '<script' not in bad_page,
              'an unknown period is not the default')
        check('<strong aria-current="page">直近 7 日</strong>' in week_page and
              '<a href="/stats?period=lastmonth">先月</a>' in week_page, 'period selector')
        name = list(want['viruses'])[0]
        check(want['viruses'][name] == 3 and
              re.search(r'<td>%s</td><td class="n">3</td>' % re.escape(name), page),
              'the virus table does not say %s: 3' % name)
        weeks = {m[0]: int(m[1]) for m in re.findall(
            r'<g class="week" data-week="([0-9-]+)" data-detections="(\d+)">', page)}
        check(weeks and all(v == weeks.get(k) for k, v in week_sums(want).items()) and
              sum(weeks.values()) == 3, 'weeks %r, report %r' % (weeks, week_sums(want)))
        removals = {m[0]: int(m[1]) for m in re.findall(
            r'<g class="removal" data-reason="([^"]+)" data-count="(\d+)">', page)}
        check(removals == want['removals'], 'removals %r, report %r' % (removals,
                                                                      want['removals']))
        check(re.search(r'<tr class="pending-item" data-id="%s">.*alice' % waiting, page) and
              '承認を待っている解放申請（1 件）' in page, 'the pending release is not listed')
        check(csv_status == 200 and csv_resp.getheader('Content-Type').startswith('text/csv') and
              csv_resp.getheader('Content-Disposition').startswith('attachment;'),
              'CSV download %d %r' % (csv_status, csv_resp.getheaders()))
        check(csv_text == report_of(st, *days_back(7), '--format', 'csv', '--lang', 'ja'),
              'the CSV download differs from mugai report --format csv:\n' + csv_text[:300])
        in_chromium(st, want)


def in_chromium(st, want):
    """The charts as headless Chromium renders them (the page's CSP on): each
    bar's numbers and drawn heights read back from the DOM. A screenshot goes
    to MUGAI_BUILDDIR/screenshots/dashboard.png (and MUGAI_SCREENSHOTS)."""
    from test_admin import Browser, Server, browser_login, shoot  # noqa: E402
    server = Server(st)
    b = Browser(st.tmp)
    try:
        browser_login(b, 'http://127.0.0.1:%d' % server.port, 'alice')
        b.go('http://127.0.0.1:%d/stats' % server.port)
        b.wait('the chart', lambda: b.exists('svg.chart g.day'))
        bars = b.script(
            "return Array.from(document.querySelectorAll('svg.chart g.day')).map(g => ["
            "g.dataset.day, +g.dataset.sanitised, +g.dataset.withheld, +g.dataset.files,"
            "Array.from(g.querySelectorAll('rect')).map(r => r.getBBox().height)]);")
        weeks = b.script(
            "return Array.from(document.querySelectorAll('svg.weeks g.week')).map(g => ["
            "g.dataset.week, +g.dataset.detections, g.querySelector('rect').getBBox().height]);")
        shown_removals = b.script(
            "return Array.from(document.querySelectorAll('svg.removals g.removal')).map(g => ["
            "g.dataset.reason, +g.dataset.count, g.querySelector('rect').getBBox().width]);")
        height = b.script('return document.documentElement.scrollHeight')
        b.cmd('POST', '/window/rect', {'width': 1280, 'height': min(height + 140, 4000)})
        shoot(b, 'dashboard')
        where = os.path.join(os.environ.get('MUGAI_BUILDDIR') or st.tmp, 'screenshots')
        os.makedirs(where, exist_ok=True)
        b.screenshot(os.path.join(where, 'dashboard.png'))
    finally:
        b.close()
        server.stop()
    shown = {d[0]: d[1:4] for d in bars}
    for day, counts in want['days'].items():
        check(shown.get(day) == [counts.get('sanitised', 0), counts.get('withheld', 0),
                                 counts.get('files', 0)], 'chromium bar of %s: %r' % (day, shown))
    drawn = [d for d in bars if d[1] + d[2] + d[3] > 0]
    check(drawn and all(h > 0 for d in drawn for h, n in zip(d[4], d[1:4]) if n > 0),
          'a bar with a count is not drawn: %r' % drawn)
    wsum = week_sums(want)
    check(all(wsum.get(w, 0) == n and (h > 0) == (n > 0) for w, n, h in weeks) and
          sum(n for _, n, _ in weeks) == 3, 'chromium weeks %r, report %r' % (weeks, wsum))
    check({r: n for r, n, _ in shown_removals} == want['removals'] and
          all(w > 0 for _, _, w in shown_removals), 'chromium removals %r' % shown_removals)


if __name__ == '__main__':
    S.main()
