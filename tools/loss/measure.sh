#!/bin/sh
# measure.sh: the packet-loss baseline. Makes lossy copies of pcaps/load.pcap
# with tools/pcap-loss.py (0.1% and 1% of the packets at random, three seeds
# each, and bursts) and measures each with tests/loss_truth.py, then the
# mid-stream slice pcaps/load-midstream.pcap with and without -p.
# Usage: tools/loss/measure.sh [KAFKATAP] [--json]   (from the source tree)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
kafkatap=${1:-$top/kafkatap}
fmt=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sidecars=
for fraction in 0.001 0.01; do
	for seed in 1 2 3; do
		out=$work/load-$fraction-$seed.pcap
		python3 "$top/tools/pcap-loss.py" "$top/pcaps/load.pcap" "$out" \
			--fraction "$fraction" --seed "$seed" 2>/dev/null
		sidecars="$sidecars $out.loss.json"
	done
done
out=$work/load-bursts.pcap
python3 "$top/tools/pcap-loss.py" "$top/pcaps/load.pcap" "$out" \
	--bursts 3 --burst-len 20 --seed 1 2>/dev/null
sidecars="$sidecars $out.loss.json"

# shellcheck disable=SC2086
python3 "$top/tests/loss_truth.py" "$top/pcaps/load.pcap" $sidecars \
	--kafkatap "$kafkatap" $fmt
python3 "$top/tests/loss_truth.py" "$top/pcaps/load-midstream.pcap" \
	--kafkatap "$kafkatap" --autodetect $fmt
python3 "$top/tests/loss_truth.py" "$top/pcaps/load-midstream.pcap" \
	--kafkatap "$kafkatap" $fmt
