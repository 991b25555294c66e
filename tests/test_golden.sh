#!/bin/sh
# test_golden.sh - tcpdump-style output tests.  Each case in
# tests/golden/cases.list (NAME CAPTURE EXPECTED [OPTIONS...]) runs
# `kafkatap -r CAPTURE OPTIONS` and must print exactly tests/golden/EXPECTED:
# the default text report, --top 3, --json and --events of every capture.
# JSON goldens hold a summary of the timeline (golden/timeline-summary.py)
# except in the cases named *-timeline, which pin all of it.
#
# The expected files were reviewed when written (README.md there says how).
# To regenerate them after an intended change of output, from the top of the
# source tree:
#     KAFKATAP=./kafkatap tests/test_golden.sh --update
# then review `git diff tests/golden` before committing.  A new case is one
# line in cases.list; --update writes its expected file.
set -u
# sparklines in Unicode, whatever the locale of the run
LC_ALL=C.UTF-8
export LC_ALL
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
while read -r name cap exp opts; do
    case "$name" in ''|'#'*) continue ;; esac
    # OPTIONS are split into words on purpose
    # shellcheck disable=SC2086
    "$KAFKATAP" -r "$cap" $opts >"$tmp.raw" 2>"$tmp.err"
    rc=$?
    # the timeline's arrays in full only in the cases named *-timeline
    case "$name:$opts" in
    *-timeline:*|*:*--events*) cp "$tmp.raw" "$tmp.out" ;;
    *:*--json*) python3 "$golden/timeline-summary.py" <"$tmp.raw" >"$tmp.out" ;;
    *) cp "$tmp.raw" "$tmp.out" ;;
    esac
    if [ $rc -ne 0 ]; then
        echo "FAIL $name ($cap $opts): exit $rc: $(cat "$tmp.err")"
        fail=$((fail + 1))
        continue
    fi
    if [ $update = 1 ]; then
        cp "$tmp.out" "$golden/$exp"
        continue
    fi
    if [ ! -f "$golden/$exp" ]; then
        echo "FAIL $name: no $golden/$exp (run tests/test_golden.sh --update)"
        fail=$((fail + 1))
    elif cmp -s "$tmp.out" "$golden/$exp"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name ($cap $opts) differs from $golden/$exp:"
        diff -u "$golden/$exp" "$tmp.out" | head -40
        fail=$((fail + 1))
    fi
done <"$golden/cases.list"
[ $update = 1 ] && { echo "updated $golden"; exit 0; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
