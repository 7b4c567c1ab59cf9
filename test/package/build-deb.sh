#!/bin/bash
# build-deb.sh - build the Debian package from a copy of the tree, check what
# it holds (dpkg -c, dpkg -x), that it would install (dpkg --dry-run) and
# what lintian says. Prints the time the build took. Never installs anything.
# Usage: test/package/build-deb.sh [OUTDIR]   (default: a temporary directory)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$(mktemp -d /tmp/mugai-deb.XXXXXX)}
WORK=$(mktemp -d /tmp/mugai-debsrc.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)   # the build runs in another folder

# A clean copy: the files git knows (and new ones not ignored), no build dirs.
( cd "$SRC" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$WORK" 2>/dev/null ) \
  || { echo "FAIL: copying the tree"; exit 1; }
mkdir -p "$WORK/mugai" && ( cd "$WORK" && find . -mindepth 1 -maxdepth 1 ! -name mugai \
  -exec mv -t mugai {} + )

start=$(date +%s)
if ! ( cd "$WORK/mugai" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
       dpkg-buildpackage -us -uc -b >"$OUT/build.log" 2>&1 ); then
  tail -40 "$OUT/build.log"
  echo "FAIL: dpkg-buildpackage (log: $OUT/build.log)"
  exit 1
fi
echo "package built in $(( $(date +%s) - start )) s"
mv "$WORK"/*.deb "$OUT"/
DEB=$(ls "$OUT"/mugai_*.deb | grep -v dbgsym | head -1)
echo "built $DEB"

fail=0
listing=$(dpkg -c "$DEB")
for path in ./usr/bin/mugai ./usr/sbin/mugai-milter ./etc/mugai/mugai.conf \
            ./etc/logrotate.d/mugai ./lib/systemd/system/mugai-milter.service \
            ./lib/systemd/system/mugai-admin.service ./lib/systemd/system/mugai-purge.service \
            ./lib/systemd/system/mugai-purge.timer ./usr/lib/sysusers.d/mugai.conf \
            ./usr/lib/tmpfiles.d/mugai.conf ./usr/share/man/man1/mugai.1.gz \
            ./usr/share/man/man8/mugai-milter.8.gz ./usr/share/man/man5/mugai.conf.5.gz \
            ./usr/share/doc/mugai/examples/postfix/before-queue.main.cf \
            ./usr/share/doc/mugai/ja/admin-guide.md.gz; do
  grep -q " $path\$" <<<"$listing" || { echo "FAIL: $path not in the package"; fail=1; }
done

x=$(mktemp -d /tmp/mugai-debx.XXXXXX)
dpkg-deb -x "$DEB" "$x"
dpkg-deb -e "$DEB" "$x/DEBIAN"
grep -qx /etc/mugai/mugai.conf "$x/DEBIAN/conffiles" || { echo "FAIL: mugai.conf not a conffile"; fail=1; }
grep -q systemd-sysusers "$x/DEBIAN/postinst" || { echo "FAIL: postinst does not create the users"; fail=1; }
grep -q "mugai-milter.service" "$x/DEBIAN/postinst" || { echo "FAIL: postinst does not enable the milter"; fail=1; }
grep -q "ExecStart=/usr/sbin/mugai-milter -f -c /etc/mugai/mugai.conf" \
  "$x/lib/systemd/system/mugai-milter.service" || { echo "FAIL: unit paths"; fail=1; }
"$x/usr/bin/mugai" config dump -h | grep -q "default /etc/mugai/mugai.conf" \
  || { echo "FAIL: the packaged mugai does not read /etc/mugai/mugai.conf"; fail=1; }
[ -z "$("$x/usr/bin/mugai" config dump -n -c "$x/etc/mugai/mugai.conf")" ] \
  || { echo "FAIL: the packaged mugai.conf differs from the defaults"; fail=1; }
# The packaged programs on a private Postfix: every sample through the relay,
# as the relay tests run the built ones (started as root, the milter runs as
# _mugai with workers as _mugai-worker, as under its unit).
if MUGAI="$x/usr/bin/mugai" MUGAI_MILTER="$x/usr/sbin/mugai-milter" MUGAI_SRCDIR="$SRC" \
   python3 "$SRC/test/integration/postfix/test_relay.py" samples >"$OUT/relay.log" 2>&1; then
  echo "packaged mugai-milter: $(tail -1 "$OUT/relay.log")"
else
  tail -30 "$OUT/relay.log"; echo "FAIL: the packaged mugai-milter on a private Postfix"; fail=1
fi
rm -rf "$x"

dpkg --dry-run -i "$DEB" >"$OUT/dry-run.log" 2>&1 \
  || { cat "$OUT/dry-run.log"; echo "FAIL: dpkg --dry-run -i"; fail=1; }

if command -v lintian >/dev/null; then
  root_flag=$([ "$(id -u)" -eq 0 ] && echo --allow-root || true)
  lintian $root_flag --tag-display-limit 0 "$DEB" >"$OUT/lintian.log" 2>&1 || true
  grep -E '^E: ' "$OUT/lintian.log" && { echo "FAIL: lintian errors"; fail=1; }
  echo "lintian: $(grep -c '^E: ' "$OUT/lintian.log") errors, $(grep -c '^W: ' "$OUT/lintian.log") warnings ($OUT/lintian.log)"
  grep -E '^W: ' "$OUT/lintian.log" || true
else
  echo "FAIL: lintian not installed (scripts/setup.sh installs it)"; fail=1
fi
[ "$fail" -eq 0 ] && echo "package OK: $DEB"
exit "$fail"
