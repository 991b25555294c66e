#!/bin/sh
# build.sh - configure (once) and build kafkatap in the source tree.
# Extra arguments go to ./configure (e.g. --enable-sanitizers).
set -eu
cd "$(dirname "$0")/.."
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
if [ ! -f Makefile ] || [ "$#" -gt 0 ] || [ configure -nt Makefile ]; then
    ./configure --quiet "$@"
fi
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
