#!/bin/sh
# test_streams_tshark.sh - capture -> reassembly on every third-party
# capture in tests/data/third-party and every recorded capture in pcaps/,
# compared with tshark: per direction,
# the bytes kafkatap delivers in order must equal the sum of tcp.len over
# the segments tshark does not flag as retransmissions.  Skipped (77) when
# tshark is not installed.
set -u
srcdir=${srcdir:-.}
dump=./tests/test_streams_dump
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
[ -x "$dump" ] || { echo "missing $dump"; exit 1; }

fail=0
n=0
tmp=${TMPDIR:-/tmp}/kt-streams.$$
trap 'rm -f "$tmp".*' EXIT
for f in "$srcdir"/tests/data/third-party/*.pcap "$srcdir"/tests/data/third-party/*.pcapng \
         "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*/*.pcap; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    "$dump" "$f" 2>/dev/null |
        awk '{ s[$1 " " $2] += $3 } END { for (k in s) if (s[k] > 0) print k, s[k] }' |
        sort >"$tmp.ours"
    tshark -r "$f" -2 -Y 'tcp.len > 0 && !tcp.analysis.retransmission && !tcp.analysis.spurious_retransmission' \
        -T fields -E separator=' ' -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.len 2>/dev/null |
        awk '{ if (NF != 5) next;
               src = ($1 ~ /:/) ? "[" $1 "]:" $2 : $1 ":" $2;
               dst = ($3 ~ /:/) ? "[" $3 "]:" $4 : $3 ":" $4;
               s[src " " dst] += $5 }
             END { for (k in s) print k, s[k] }' |
        sort >"$tmp.tshark"
    if ! [ -s "$tmp.tshark" ]; then
        echo "FAIL $f: tshark saw no TCP payload"; fail=1; continue
    fi
    if cmp -s "$tmp.ours" "$tmp.tshark"; then
        echo "ok   $f ($(wc -l <"$tmp.ours") directions)"
    else
        echo "FAIL $f: kafkatap (<) vs tshark (>)"
        diff "$tmp.ours" "$tmp.tshark"
        fail=1
    fi
done
# The same bytes through standard input, plain and gzip-compressed.
f="$srcdir/tests/data/third-party/ntop__nDPI__kafka.pcapng"
"$dump" "$f" 2>/dev/null | sort >"$tmp.file"
"$dump" - <"$f" 2>/dev/null | sort >"$tmp.stdin"
gzip -c "$f" | "$dump" - 2>/dev/null | sort >"$tmp.gzstdin"
gzip -c "$f" >"$tmp.pcapng.gz" && "$dump" "$tmp.pcapng.gz" 2>/dev/null | sort >"$tmp.gzfile"
for v in stdin gzstdin gzfile; do
    if [ -s "$tmp.file" ] && cmp -s "$tmp.file" "$tmp.$v"; then
        echo "ok   $v read gives the same streams"
    else
        echo "FAIL $v read differs from the plain file read"; fail=1
    fi
done
[ "$n" -gt 0 ] || { echo "no captures found under $srcdir/tests/data/third-party"; exit 1; }
exit $fail
