#!/bin/sh
# quickstart.sh - install what kafkatap needs, build it, and run it on a
# bundled capture.  The first of the README's two commands.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
echo "+ ./kafkatap -r pcaps/slow-broker.pcap"
./kafkatap -r pcaps/slow-broker.pcap
