#!/bin/sh
# test_golden.sh - tcpdump-style output tests: for every capture listed in
# tests/golden/captures.list, `kafkatap --json` and `kafkatap --events` must
# print exactly the checked-in tests/golden/FILE.json and FILE.events
# (FILE: the capture's file name).
# The expected files were reviewed when written (README.md there says how);
# after an intended change of output, run with --update and review the diff.
set -u
srcdir=${srcdir:-.}
KAFKATAP=${KAFKATAP:-./kafkatap}
case "$KAFKATAP" in /*) ;; *) KAFKATAP=$(pwd)/$KAFKATAP ;; esac
update=0
[ "${1:-}" = "--update" ] && update=1
golden=tests/golden
tmp=${TMPDIR:-/tmp}/kt-golden.$$
trap 'rm -f "$tmp".*' EXIT
cd "$srcdir" || exit 1
pass=0
fail=0
while read -r cap; do
    case "$cap" in ''|'#'*) continue ;; esac
    name=$(basename "$cap")
    for kind in json events; do
        exp="$golden/$name.$kind"
        if [ "$kind" = json ]; then
            "$KAFKATAP" -r "$cap" --json >"$tmp.out" 2>"$tmp.err"
        else
            "$KAFKATAP" -r "$cap" --events >"$tmp.out" 2>"$tmp.err"
        fi
        rc=$?
        if [ $rc -ne 0 ]; then
            echo "FAIL $cap --$kind: exit $rc: $(cat "$tmp.err")"
            fail=$((fail + 1))
            continue
        fi
        if [ $update = 1 ]; then
            cp "$tmp.out" "$exp"
            continue
        fi
        if [ ! -f "$exp" ]; then
            echo "FAIL $cap --$kind: no $exp (run tests/test_golden.sh --update)"
            fail=$((fail + 1))
        elif cmp -s "$tmp.out" "$exp"; then
            pass=$((pass + 1))
        else
            echo "FAIL $cap --$kind differs from $exp:"
            diff -u "$exp" "$tmp.out" | head -40
            fail=$((fail + 1))
        fi
    done
done <"$golden/captures.list"
[ $update = 1 ] && { echo "updated $golden"; exit 0; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
