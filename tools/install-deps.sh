#!/bin/sh
# install-deps.sh - install the Debian packages kafkatap needs to build,
# run and test (Debian 12 and 13).  Idempotent; skips apt when everything is
# already there.  Runs apt-get through sudo when not root.  chromium (and
# python3-pil, optional) are for tests/test_html.py, which opens the --html
# page in headless Chromium.
set -eu

PKGS="build-essential autoconf automake libtool pkg-config \
libpcap-dev libnids-dev libnet1-dev libglib2.0-dev zlib1g-dev \
libcmocka-dev libmicrohttpd-dev libjansson-dev tshark tcpdump prometheus python3 \
tcpreplay iproute2 chromium python3-pil"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
echo "install-deps: installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
