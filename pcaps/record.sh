#!/bin/bash
# record.sh: re-records the sample captures in pcaps/ with their ground truth.
# Builds recorder/mockgen.c (real librdkafka clients against librdkafka's mock
# cluster), captures each scenario on the loopback interface with tcpdump,
# filtered to the mock brokers' ephemeral ports, and cuts the mid-stream
# captures out of produce-multi and load with recorder/midcut.py.
# Needs: root (or capture rights on lo), gcc, pkg-config, librdkafka-dev,
# tcpdump, python3. Usage: pcaps/record.sh [SCENARIO...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
tcpdump_pid=
mockgen_pid=
cleanup() {
	[ -n "$mockgen_pid" ] && kill "$mockgen_pid" 2>/dev/null || true
	[ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

cc=${CC:-cc}
# shellcheck disable=SC2046
$cc -O2 -Wall -Wextra -o "$work/mockgen" "$here/recorder/mockgen.c" \
	$(pkg-config --cflags --libs rdkafka)

record() {
	local name=$1
	local ports="$work/$name.ports" ready="$work/$name.ready"
	local pcap="$here/$name.pcap" truth="$here/$name.truth.json"
	rm -f "$ports" "$ready" "$pcap" "$truth"

	"$work/mockgen" "$name" "$ports" "$ready" "$truth.tmp" &
	mockgen_pid=$!
	for _ in $(seq 300); do
		[ -s "$ports" ] && break
		kill -0 "$mockgen_pid" 2>/dev/null || { echo "mockgen died" >&2; exit 1; }
		sleep 0.1
	done
	[ -s "$ports" ] || { echo "no ports from mockgen" >&2; exit 1; }

	local filter="" p
	for p in $(cat "$ports"); do
		filter="${filter:+$filter or }tcp port $p"
	done
	echo "== $name: brokers on ports $(cat "$ports")"

	# -U: write each packet at once; -s 0: full snaplen.
	tcpdump -i lo -U -s 0 -w "$pcap" "$filter" 2>"$work/$name.tcpdump" &
	tcpdump_pid=$!
	for _ in $(seq 100); do
		grep -q "listening on" "$work/$name.tcpdump" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "listening on" "$work/$name.tcpdump" ||
		{ cat "$work/$name.tcpdump" >&2; exit 1; }
	touch "$ready"

	wait "$mockgen_pid"
	mockgen_pid=
	sleep 1
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
	tcpdump_pid=
	tail -n 3 "$work/$name.tcpdump"
	mv "$truth.tmp" "$truth"
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] ||
	scenarios=(produce-multi slow-broker produce-errors consumer-group midstream
		load load-midstream)

for s in "${scenarios[@]}"; do
	case $s in
	midstream)
		python3 "$here/recorder/midcut.py" 0.4 \
			"$here/produce-multi.pcap" "$here/produce-multi.truth.json" \
			"$here/midstream.pcap" "$here/midstream.truth.json"
		;;
	load-midstream)
		python3 "$here/recorder/midcut.py" 0.5 \
			"$here/load.pcap" "$here/load.truth.json" \
			"$here/load-midstream.pcap" \
			"$here/load-midstream.truth.json"
		;;
	*) record "$s" ;;
	esac
done
ls -l "$here"/*.pcap
