#!/bin/sh
# run.sh - the milter benchmark (see bench_milter.py): Postfix alone,
# a milter that does nothing, clamav-milter + clamd, MIMEDefang and
# mugai-milter side by side in one run.
#   test/bench/milter/run.sh [--count N] [--concurrency C] [--repeat R] [--only SETUP] [--corpus MAIL] [--disk-tmp] [--write doc/PERFORMANCE.md]
# Uses the build in ./build (MUGAI_BUILD overrides); a release build measures
# what ships: meson setup build --buildtype=release.
set -eu
cd "$(dirname "$0")/../../.."
BUILD=${MUGAI_BUILD:-build}
export MUGAI_SRCDIR="$PWD"
export MUGAI_BUILDDIR="$PWD/$BUILD"
export MUGAI_MILTER="$MUGAI_BUILDDIR/src/milter/mugai-milter"
export MUGAI="$MUGAI_BUILDDIR/src/cli/mugai"
if [ ! -x "$MUGAI_MILTER" ]; then
    echo "bench: build first: meson setup $BUILD && ninja -C $BUILD" >&2
    exit 1
fi
exec python3 test/bench/milter/bench_milter.py "$@"
