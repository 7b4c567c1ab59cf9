#!/usr/bin/env python3
"""Count test cases from meson testlog.json files: a TAP program counts its
'ok'/'not ok' lines, a script its closing 'N passed, M failed' line, anything
else one case by its result. Prints 'PASSED FAILED'."""
import json
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    for line in open(path, encoding='utf-8'):
        if not line.strip():
            continue
        t = json.loads(line)
        out = t.get('stdout') or ''
        bad = t['result'] in ('FAIL', 'TIMEOUT', 'UNEXPECTEDPASS', 'ERROR')
        summary = re.findall(r'^(\d+) passed, (\d+) failed', out, re.M)
        tap_ok = len(re.findall(r'^ok \d+', out, re.M))
        tap_bad = len(re.findall(r'^not ok \d+', out, re.M))
        if summary:
            p, f = map(int, summary[-1])
        elif tap_ok or tap_bad:
            p, f = tap_ok, tap_bad
        else:
            p, f = (0, 1) if bad else (1, 0)
        if bad and f == 0:
            f = 1   # a crash after its last line still fails
        passed += p
        failed += f
print(passed, failed)
