#!/bin/sh
# record.sh - records tls.pcap: real TLS handshakes and records on two
# "broker" ports, made by OpenSSL's s_server and s_client (not by kafkatap),
# on the loopback of a network namespace of its own.
#   sudo pcaps/tls/record.sh [OUT.pcap]
# Opens exactly 4 TLS connections (the truth in tls.truth.json):
#   - 3 to 127.0.0.1:9093, captured from their SYN: two TLS 1.3, one
#     TLS 1.2 (-tls1_2); each sends one line and closes;
#   - 1 to 127.0.0.1:9094, connected before tcpdump starts: picked up
#     mid-stream, its first captured bytes are a TLS application data record.
# Needs root, ip (iproute2), openssl, tcpdump.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/tls.pcap}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
ns=kt-tls-rec-$$
tmp=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 30 -subj /CN=broker.test 2>/dev/null
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" sh -s "$tmp" "$out" <<'INNER'
tmp=$1 out=$2
cd "$tmp"
# the servers' stdin stays open (an EOF there makes s_server hang up)
sleep 30 | openssl s_server -accept 127.0.0.1:9094 -cert cert.pem -key key.pem -quiet > srv9094.out 2>&1 &
S1=$!
sleep 30 | openssl s_server -accept 127.0.0.1:9093 -cert cert.pem -key key.pem -quiet > srv9093.out 2>&1 &
S2=$!
sleep 1
# the long-lived client, connected before the capture starts
(sleep 2; echo "midstream line 1"; sleep 4; echo "midstream line 2"; sleep 1) |
    timeout 20 openssl s_client -connect 127.0.0.1:9094 -quiet -no_ign_eof > cli0.out 2>&1 &
C0=$!
sleep 1
tcpdump -i lo -U -s 0 -w "$out" 'tcp port 9093 or tcp port 9094' 2> tcpdump.err &
TD=$!
sleep 1.5
for i in 1 2; do
    echo "hello $i" | timeout 5 openssl s_client -connect 127.0.0.1:9093 -quiet -no_ign_eof > cli$i.out 2>&1
    sleep 0.3
done
echo "hello 3" | timeout 5 openssl s_client -tls1_2 -connect 127.0.0.1:9093 -quiet -no_ign_eof > cli3.out 2>&1
wait $C0
sleep 0.5
kill $TD $S1 $S2
wait
echo "servers received:"
cat srv9093.out srv9094.out
INNER
echo "wrote $out"
