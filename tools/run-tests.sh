#!/bin/sh
# run-tests.sh - install what is needed, build, and run the whole test suite
# (unit tests, generated-table check, capture tests against tshark and the
# recorded ground truth, golden outputs).  The second of the README's two
# commands; CI runs exactly this.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh "$@"
status=0
make -j"$(nproc 2>/dev/null || echo 2)" check >/dev/null 2>&1 || status=$?
# show each test's result, and the logs of those that failed
if [ -f test-suite.log ]; then
    find . -name '*.trs' | sort | while read -r t; do
        sed -n 's/^:test-result: \(.*\)/\1/p' "$t" | head -1 | tr '\n' ' '
        echo "${t%.trs}"
    done
    if [ "$status" != 0 ]; then
        cat test-suite.log
    fi
fi
pass=$(cat $(find . -name '*.trs') 2>/dev/null | grep -c '^:test-result: PASS' || true)
fail=$(cat $(find . -name '*.trs') 2>/dev/null | grep -c -E '^:test-result: (FAIL|ERROR|XPASS)' || true)
skip=$(cat $(find . -name '*.trs') 2>/dev/null | grep -c '^:test-result: SKIP' || true)
echo "$pass passed, $fail failed, $skip skipped"
if [ "$status" != 0 ] || [ "$fail" != 0 ] || [ "$pass" = 0 ]; then
    exit 1
fi
