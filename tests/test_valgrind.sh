#!/bin/sh
# test_valgrind.sh - the whole pipeline under valgrind memcheck, on every
# capture in pcaps/, pcaps/kafka/, tests/data/third-party/ and
# tests/data/regression/, in each output mode: no invalid read or write, no
# use of uninitialised memory, and nothing definitely or indirectly leaked.
# Skipped (exit 77) when valgrind is not installed or kafkatap was built
# with the sanitizers (ASan and valgrind cannot share a process).
set -u
srcdir=${srcdir:-.}
KAFKATAP=${KAFKATAP:-./kafkatap}
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skipped"; exit 77; }
if ldd "$KAFKATAP" 2>/dev/null | grep -q -E 'libasan|libubsan'; then
    echo "kafkatap built with sanitizers: skipped"; exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
for cap in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/kafka/*.pcap \
           "$srcdir"/tests/data/third-party/*.pcap* \
           "$srcdir"/tests/data/regression/*.pcap; do
    [ -f "$cap" ] || continue
    for mode in --json --events; do
        # --vgdb=no: run as root, kafkatap becomes nobody once the capture
        # is open, and could not remove valgrind's gdb pipes from /tmp
        if valgrind -q --vgdb=no --leak-check=full --errors-for-leak-kinds=definite,indirect \
                --show-leak-kinds=definite,indirect --error-exitcode=99 \
                --log-file="$tmp/vg" "$KAFKATAP" -r "$cap" $mode >/dev/null 2>"$tmp/err"; then
            rc=0
        else
            rc=$?
        fi
        # kafkatap itself may exit 1 on a capture it cannot read (a
        # regression input can be such a file); only valgrind's verdict counts
        if [ "$rc" = 99 ] || [ -s "$tmp/vg" ]; then
            fail=$((fail + 1))
            echo "FAIL - valgrind: $cap $mode (exit $rc)"
            cat "$tmp/vg"
        else
            pass=$((pass + 1))
            echo "ok - valgrind: $cap $mode"
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] && [ "$fail" = 0 ]
