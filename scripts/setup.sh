#!/bin/bash
# setup.sh - install what mugai needs on Debian 12 and build it into ./build.
# Safe to run again. Must run as root (apt-get) on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential meson ninja-build pkg-config python3
  libglib2.0-dev libgmime-3.0-dev libclamav-dev libmagic-dev libjson-glib-dev
  libxml2-dev libmilter-dev libpoppler-glib-dev libcairo2-dev libfreetype-dev libfontconfig-dev libtiff-dev libgdk-pixbuf-2.0-dev libjpeg62-turbo-dev
  webp-pixbuf-loader
  libarchive-dev libsqlite3-dev libpq-dev postgresql libzstd-dev libmicrohttpd-dev libcrypt-dev libseccomp-dev zlib1g-dev nettle-dev
  fonts-ipafont-gothic fonts-ipafont-mincho fonts-dejavu-core poppler-data chromium chromium-driver
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
  clang libclang-rt-14-dev clang-format
  clamav-testfiles postfix miltertest zip unzip p7zip-full lhasa poppler-utils ghostscript zstd
  debhelper lintian
  clamav-milter clamav-daemon
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  # Postfix must not configure or start a system instance: mugai runs its own.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The users mugai runs as once started as root (the Debian package creates
# them the same way): _mugai for mugai-milter, its supervisor, mugai admin and
# purge (in group postfix for the milter socket), _mugai-worker for the
# sandboxed workers and LibreOffice. See [milter] user and worker_user.
for u in _mugai _mugai-worker; do
  getent group "$u" >/dev/null || groupadd --system "$u"
  getent passwd "$u" >/dev/null || useradd --system --gid "$u" --home-dir /nonexistent \
    --no-create-home --shell /usr/sbin/nologin "$u"
done
if getent group postfix >/dev/null; then
  usermod -a -G postfix _mugai
fi

BUILD=${MUGAI_BUILD:-build}
if [ ! -d "$BUILD" ]; then
  meson setup "$BUILD" >/dev/null
fi
ninja -C "$BUILD" >/dev/null
echo "setup: built $BUILD/src/cli/mugai"
