#!/bin/bash
# test.sh - set everything up, run every test suite, then the unit and mail
# suites again under AddressSanitizer and UndefinedBehaviorSanitizer.
# Ends with one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

passed=0
failed=0
count() {   # count TESTLOG: add meson's Ok / Fail+Timeout+Unexpected pass
  local log=$1
  local ok fail
  ok=$(python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for t in r if t["result"] in ("OK","EXPECTEDFAIL")))' "$log")
  fail=$(python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for t in r if t["result"] in ("FAIL","TIMEOUT","UNEXPECTEDPASS","ERROR")))' "$log")
  passed=$((passed + ok))
  failed=$((failed + fail))
}

meson test -C build --print-errorlogs --num-processes 2
count build/meson-logs/testlog.json

if [ ! -d build-asan ]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-asan >/dev/null || { echo "asan build failed"; failed=$((failed + 1)); }
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --suite unit --suite integration \
  --no-suite postfix
count build-asan/meson-logs/testlog.json

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
