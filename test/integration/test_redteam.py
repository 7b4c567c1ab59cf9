#!/usr/bin/env python3
"""mugai mail and mugai files on what a red team got through (forged
senders, executables hidden in text, dormant formats delivered as text, the
notice of a failed worker, a virus inside a message withheld as ambiguous).
The hostile inputs come from test/gen/hostile.py (the red-team section).
"""
import email
import email.policy
import json
import os
import select
import signal
import stat
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import (CLAMDB, TESTFILES, Suite, TIMEOUT, _track, assert_absent,  # noqa: E402
                       check, check_sanitised, check_withheld, decode_header_value, run_cmd,
                       run_mail, write_conf)
from mime import EICAR, make_pe  # noqa: E402
import hostile as H  # noqa: E402  (test/gen)

S = Suite('redteam')


# --- forged senders: encoded words never create addresses -------------------

def check_addresses(res, header, raw_line):
    """HEADER in the output names the real address, and the internal one is
    neither an address nor readable as one, however the header is decoded."""
    msg = email.message_from_bytes(res.out, policy=email.policy.default)
    value = msg[header]
    check(value is not None, '%s dropped (input %r)' % (header, raw_line))
    addrs = [a.addr_spec for a in value.addresses]
    check(H.FORGED_REAL in addrs, '%s lost the real address: %r' % (header, addrs))
    check(H.FORGED_INTERNAL not in addrs, '%s names the internal address: %r' % (header, addrs))
    shown = [str(value), decode_header_value(res.raw_header(header) or b'')]
    for text in shown:
        for form in (H.FORGED_INTERNAL, 'soumu＠city', '<soumu'):
            check(form not in text, '%s reads as %r' % (header, text))
    if header == 'From':
        check(H.FORGED_INTERNAL not in (res.report.get('from') or ''),
              'report from %r' % res.report.get('from'))


def forged_case(header, index):
    def run(name):
        line = H.forged_address_lines(header)[index]
        g = H.gen_forged_address(name, header, line)
        res = check_sanitised(run_mail(g.data))
        check(g.text in res.body(), 'the body text is gone')
        check_addresses(res, header, line)
    return run


for _header in ('From', 'To', 'Cc', 'Reply-To'):
    for _i in range(len(H.forged_address_lines(_header))):
        _name = 'forged_%s_%d' % (_header.lower().replace('-', '_'), _i)
        S.add(_name, forged_case(_header, _i), _name)


# --- executables hidden as base64 in a text body ----------------------------

def clam_exe():
    with open(os.path.join(TESTFILES, 'clam.exe'), 'rb') as f:
        return f.read()


def b64_virus_case(pem, ctype):
    def run(name):
        g = H.gen_base64_in_text(name, clam_exe(), pem=pem, ctype=ctype)
        res = check_withheld(run_mail(g.data), virus=True, original_text=g.text)
        assert_absent(res, g.payload, name='clam.exe')
        body = res.body()
        check(any(v in body for v in res.report['virus']), 'the notice does not name the virus')
        check(any(p.get('path', '').endswith('#base641') for p in res.parts()),
              'no part for the base64 run: %r' % res.parts())
    return run


for _pem in (True, False):
    for _ctype in (None, 'multipart'):
        _name = 'b64_clam_exe_%s_%s' % ('pem' if _pem else 'lines', _ctype or 'plain')
        S.add(_name, b64_virus_case(_pem, _ctype), _name)


def b64_layout_case(layout):
    """A program as base64 lines laid out as readers still decode them
    (indented, quoted with '> ', in an HTML body): cut and removed like bare
    lines, the text around it kept."""
    def run(name):
        g = H.gen_base64_laid_out(name, make_pe(name), layout)
        res = check_sanitised(run_mail(g.data))
        assert_absent(res, g.payload, name='the program')
        check(g.text in res.body(), 'the text around it is gone')
        removed = [p for p in res.parts() if p.get('path', '').endswith('#base641')]
        check(len(removed) == 1 and removed[0]['action'] == 'removed', 'parts %r' % res.parts())
    return run


for _layout in ('indent', 'quoted', 'html_pre', 'html_br'):
    S.add('b64_program_' + _layout, b64_layout_case(_layout), 'b64_program_' + _layout)


@S.case
def test_b64_program_removed_text_kept(name='b64_program'):
    """A program (not a known virus) as base64 lines: cut from the text and
    removed, with a line in the notice; the rest of the text, Japanese and
    base64 that is ordinary text (signature, certificate, sums) untouched."""
    g = H.gen_base64_in_text(name, make_pe(name), pem=False, benign=True)
    res = check_sanitised(run_mail(g.data))
    assert_absent(res, g.payload, name='the program')
    body = res.body()
    for line in H.BENIGN_B64.splitlines():
        check(line in body, 'ordinary text damaged: %r missing' % line)
    check(g.text in body and 'よろしくお願いいたします。' in body, 'the text around it is gone')
    removed = [p for p in res.parts() if p.get('path', '').endswith('#base641')]
    check(len(removed) == 1 and removed[0]['action'] == 'removed', 'parts %r' % res.parts())
    check(removed[0]['detected_type'] in body and '削除' in body,
          'the notice has no line for the removed program: %r' % body[:600])


# --- dormant formats delivered as text -------------------------------------

def no_leaf_starts(res, prefix):
    for data in res.leaf_bytes():
        check(not data.lstrip(b'\xef\xbb\xbf').startswith(prefix),
              'a part delivered starts with %r' % prefix)


@S.case
def test_rt1_as_text(name='rt1_text'):
    """RTF that starts "{\\rt1" (Word opens it) attached as memo.txt: classified
    as RTF and converted or removed, never delivered as text."""
    g = H.gen_dormant(name, H.RT1_EQUATION, 'memo.txt')
    res = check_sanitised(run_mail(g.data))
    part = res.find_part(filename='memo.txt')
    check(part is not None and part.get('detected_type') == 'text/rtf', 'part %r' % part)
    check(part['action'] in ('converted', 'removed') and
          not (part.get('output_filename') or '').endswith('.txt'), 'part %r' % part)
    no_leaf_starts(res, b'{\\rt')
    check(b'objdata' not in b''.join(res.leaf_bytes()), 'the object data was delivered')


@S.case
def test_rt1_after_blanks_as_text(name='rt1_blanks'):
    """The same RTF after blank lines and spaces, attached as memo.txt: still
    RTF, never delivered as text."""
    g = H.gen_dormant(name, b'\r\n  \t' + H.RT1_EQUATION, 'memo.txt')
    res = check_sanitised(run_mail(g.data))
    part = res.find_part(filename='memo.txt')
    check(part is not None and part.get('detected_type') == 'text/rtf', 'part %r' % part)
    check(part['action'] in ('converted', 'removed') and
          not (part.get('output_filename') or '').endswith('.txt'), 'part %r' % part)
    check(b'objdata' not in b''.join(res.leaf_bytes()), 'the object data was delivered')


@S.case
def test_mhtml_as_text(name='mhtml_text'):
    """A web archive with a script attached as page.txt (and as page.mht):
    read as the message it is, its HTML turned into text, the script gone."""
    for fname, saver in (('page.txt', 'word'), ('page.mht', 'word'), ('page.txt', 'chrome')):
        g = H.gen_dormant(name, H.mhtml_page('mhtml-page-marker', saver), fname)
        res = check_sanitised(run_mail(g.data))
        part = res.find_part(filename=fname)
        check(part is not None and part.get('detected_type') == 'message/rfc822', 'part %r' % part)
        check('mhtml-page-marker' in res.body(), 'the page text is not in the body')
        everything = b''.join(res.leaf_bytes()) + res.body().encode()
        for bad in (b'<script', b'document.location', b'MultipartBoundary'):
            check(bad not in everything, '%r delivered' % bad)


@S.case
def test_files_rt1_doc(name='files_rt1'):
    """mugai files on a "{\\rt1" file named .doc: converted or removed, never
    copied as text."""
    tmp = tempfile.mkdtemp(prefix='mugai-rt1-')
    _track(tmp)
    src = os.path.join(tmp, 'memo.doc')
    with open(src, 'wb') as f:
        f.write(H.RT1_EQUATION)
    out = os.path.join(tmp, 'out')
    conf = os.path.join(tmp, 'mugai.conf')
    write_conf(conf, CLAMDB, os.path.join(tmp, 'q'))
    p = run_cmd(['files', '-c', conf, '--report', os.path.join(tmp, 'r.jsonl'), '-o', out, src])
    check(p.returncode in (0, 3), 'mugai files exit %d: %r' % (p.returncode, p.stderr[-300:]))
    line = json.loads(open(os.path.join(tmp, 'r.jsonl'), encoding='utf-8').readline())
    check(line.get('detected_type') == 'text/rtf', 'report %r' % line)
    check(line.get('action') in ('converted', 'removed'), 'report %r' % line)
    for root, _, files in os.walk(out):
        for fn in files:
            with open(os.path.join(root, fn), 'rb') as f:
                data = f.read()
            check(not fn.endswith('.txt') and not data.startswith(b'{\\rt') and
                  b'objdata' not in data, 'delivered %s as it came' % fn)


# --- a virus inside a message withheld for its structure ---------------------

@S.case
def test_ambiguous_with_virus(name='ambiguous_virus'):
    """message/partial, nesting past the limit, a bare CR: each withheld, and
    the virus inside named in the report and the notice."""
    for kind in ('partial', 'nesting', 'bare_cr'):
        g = H.gen_ambiguous_eicar('%s_%s' % (name, kind), kind)
        res = check_withheld(run_mail(g.data), virus=True, original_text=g.text)
        viruses = res.report['virus']
        check(viruses and viruses[0] in res.body(), '%s: the notice does not name %r' % (
            kind, viruses))
        check(res.report.get('reason') == 'virus found', '%s: reason %r' % (
            kind, res.report.get('reason')))
        assert_absent(res, EICAR, name='EICAR')


# --- a worker that dies in the middle of a message ---------------------------

FAKE_CONVERTER = '''#!/bin/sh
# Stands in for LibreOffice: says it is running, then never finishes.
echo $$ > "{mark}.tmp" && mv "{mark}.tmp" "{mark}"
exec sleep {hold}
'''


def _parent(pid):
    with open('/proc/%d/stat' % pid) as f:
        return int(f.read().rsplit(')', 1)[1].split()[1])


def _children(pid):
    out = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                if _parent(int(entry)) == pid:
                    out.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out


def _wait_for_file(path, done):
    """Until PATH exists or the run ended (the hang guard is the run's)."""
    while not os.path.exists(path) and not done.is_set():
        select.select([], [], [], 0.05)   # a poll step, not a timed assertion
    return os.path.exists(path)


def _kill_workers_under(converter_pid):
    """SIGKILL the sanitiser workers: the siblings of the supervisor's service
    child that runs the converter (which goes as well)."""
    service = _parent(converter_pid)
    supervisor = _parent(service)
    killed = 0
    for pid in _children(supervisor):
        if pid != service:
            os.kill(pid, signal.SIGKILL)
            killed += 1
    try:
        os.killpg(converter_pid, signal.SIGKILL)
    except ProcessLookupError:
        pass   # its worker's death already stopped it (the kept LibreOffice)
    return killed


def run_worker_death(g):
    """Run G's message with a converter that never finishes, kill the workers
    while it runs, and return the result (withheld)."""
    tmp = tempfile.mkdtemp(prefix='mugai-wd-')
    _track(tmp)
    mark = os.path.join(tmp, 'converter.pid')
    script = os.path.join(tmp, 'soffice')
    with open(script, 'w') as f:
        f.write(FAKE_CONVERTER.format(mark=mark, hold=TIMEOUT))
    os.chmod(script, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    os.chmod(tmp, 0o777)   # the converter runs as an unprivileged user
    box = {}
    done = threading.Event()

    def run():
        try:
            box['res'] = run_mail(g.data, conf={'office': {'libreoffice': script}})
        finally:
            done.set()
    t = threading.Thread(target=run)
    t.start()
    started = _wait_for_file(mark, done)
    killed = _kill_workers_under(int(open(mark).read())) if started else 0
    t.join()
    if 'res' in box:
        _track(box['res'].tmp)   # run in another thread: removed with this case's files
    check(started, 'the converter never started; reasons %r' % (box.get('res') and box['res'].reasons()))
    check(killed > 0, 'no worker to kill')
    return check_withheld(box['res'], original_text=g.text)


@S.case
def test_worker_death_names_parts(name='worker_death'):
    """The worker dies while an attachment is being converted: the notice and
    the report name every attachment (never 「添付ファイルはありません」)."""
    g = H.gen_worker_death(name)
    res = run_worker_death(g)
    body = res.body()
    check('添付ファイルはありません' not in body, 'the notice says there were no attachments')
    for fname in g.names:
        check(fname in body, 'the notice does not name %r: %r' % (fname, body[-600:]))
    parts = res.parts()
    check(sorted(p.get('filename') for p in parts) == sorted(g.names),
          'report parts %r' % [(p.get('filename'), p.get('declared_type')) for p in parts])
    check(all(p.get('action') == 'withheld' and p.get('declared_type') for p in parts),
          'report parts %r' % parts)
    check(res.report.get('parts_listed') is True, 'parts_listed %r' % res.report.get('parts_listed'))


@S.case
def test_worker_death_forged_from(name='worker_death_forged'):
    """The notice of a failed worker carries the headers the worker wrote
    before the risky work: the forged sender comes out as in a sanitised
    message, never as the internal address."""
    line = H.forged_address_lines('From')[0]
    res = run_worker_death(H.gen_worker_death(name, line))
    check_addresses(res, 'From', line)


if __name__ == '__main__':
    S.main()
