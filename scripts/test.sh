#!/bin/bash
# test.sh - set everything up, run every test suite, then the unit, integration
# (relay included) and fuzz-replay suites again under ASan and UBSan.
# Ends with one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

# The Debian package is built from a copy of the tree alongside the suites
# (test/package/build-deb.sh: dpkg-buildpackage, dpkg -c/-x, dry-run, lintian),
# then installed, run as its units run it, and purged (test/package/install-deb.py).
mkdir -p build/package
rm -f build/package/out/mugai_*.deb
( bash test/package/build-deb.sh build/package/out &&
  python3 test/package/install-deb.py build/package/out ) >build/package/log 2>&1 &
package_pid=$!

# Each suite's timeout only catches a hang; a loaded machine (the package build
# runs beside the suites) may take several times the usual time, hence the
# multiplier.
meson test -C build --print-errorlogs --num-processes 2 --timeout-multiplier 3

if [ ! -d build-asan ]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-asan >/dev/null || { echo "asan build failed"; echo "0 passed, 1 failed"; exit 1; }
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 --suite unit --suite integration \
  --suite fuzz
read -r passed failed < <(python3 scripts/count-tests.py build/meson-logs/testlog.json \
  build-asan/meson-logs/testlog.json)

if wait "$package_pid"; then
  passed=$((passed + 1))
  grep -E "^(package|lintian|install)" build/package/log
else
  cat build/package/log
  echo "the Debian package failed: see build/package/log"
  failed=$((failed + 1))
fi

# A short real fuzzing run of every target when clang is installed (the long
# sessions are in doc/FUZZING.md); a crash fails the run and keeps its input.
if command -v clang >/dev/null; then
  if bash test/fuzz/run-fuzz.sh "${MUGAI_FUZZ_SECONDS:-20}"; then
    passed=$((passed + 1))
  else
    echo "fuzzing found a crash: see test/fuzz/crashes/"
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
