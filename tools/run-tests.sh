#!/bin/sh
# run-tests.sh - install what is needed, build, and run the whole test suite
# (unit tests, generated-table check, capture tests against tshark and the
# recorded ground truth, golden outputs, valgrind over every capture,
# segmentation invariance, fuzz regressions).  The second of the README's
# two commands; CI runs exactly this.
#
# Then, unless KT_SANITIZERS=0, the same suite again under ASan + UBSan
# (configure --enable-sanitizers) in build/asan/, a copy of the source tree
# cleaned of this build (so it works whether or not the tree was configured
# in place); unless KT_DISTCHECK=0, make distcheck (the release tarball
# builds and passes make check on its own); and, when clang and libFuzzer
# are installed and unless KT_FUZZ_SECONDS=0, each fuzz target for
# KT_FUZZ_SECONDS (default 20) s, built in build/fuzz/ (configure CC=clang
# --enable-fuzz).
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
# optional tools: valgrind (leak test), clang + compiler-rt (libFuzzer)
extra=""
for p in valgrind clang libclang-rt-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        extra="$extra $p"
done
if [ -n "$extra" ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $extra >/dev/null 2>&1 ||
        echo "run-tests: could not install$extra; those checks will be skipped" >&2
fi
jobs=$(nproc 2>/dev/null || echo 2)

# run_suite DIR: make check in DIR, print each result and the failed logs
run_suite() {
    status=0
    (cd "$1" && make -j"$jobs" check >/dev/null 2>&1) || status=$?
    if [ -f "$1/test-suite.log" ]; then
        find "$1" -path "$1/build" -prune -o -name '*.trs' -print | sort | while read -r t; do
            sed -n 's/^:test-result: \(.*\)/\1/p' "$t" | head -1 | tr '\n' ' '
            echo "${t%.trs}"
        done
        if [ "$status" != 0 ]; then
            cat "$1/test-suite.log"
        fi
    fi
    trs=$(find "$1" -path "$1/build" -prune -o -name '*.trs' -print)
    pass=$(cat $trs /dev/null | grep -c '^:test-result: PASS' || true)
    fail=$(cat $trs /dev/null | grep -c -E '^:test-result: (FAIL|ERROR|XPASS)' || true)
    skip=$(cat $trs /dev/null | grep -c '^:test-result: SKIP' || true)
    echo "$2: $pass passed, $fail failed, $skip skipped"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    total_skip=$((total_skip + skip))
    [ "$status" = 0 ] && [ "$fail" = 0 ] && [ "$pass" != 0 ]
}

# copy_tree DIR: a copy of the source tree in DIR without this build: an
# in-tree configure would block a VPATH build, so each extra build gets its
# own tree.
copy_tree() {
    rm -rf "$1"
    mkdir -p "$1"
    tar cf - --exclude=./build --exclude=./.git --exclude=./fuzz/run \
        --exclude=./fuzz/artifacts --exclude=./bench/data . | (cd "$1" && tar xf -)
    if [ -f "$1/Makefile" ]; then (cd "$1" && make distclean >/dev/null 2>&1) || true; fi
}

overall=0
total_pass=0
total_fail=0
total_skip=0
tools/build.sh "$@"
run_suite . "tests" || overall=1

if [ "${KT_SANITIZERS:-1}" != 0 ]; then
    copy_tree build/asan
    (
        cd build/asan
        ./configure --quiet --enable-sanitizers
        make -j"$jobs" >/dev/null
    ) || { echo "sanitizer build failed"; exit 1; }
    # any report aborts the program (-fno-sanitize-recover), failing its test
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:exitcode=86 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_suite build/asan "tests under ASan+UBSan" || overall=1
fi

if [ "${KT_DISTCHECK:-1}" != 0 ]; then
    # the release tarball builds and passes make check on its own (a
    # read-only source tree, a separate build tree): about 3 minutes
    mkdir -p build
    start=$(date +%s)
    if make -j"$jobs" distcheck >build/distcheck.log 2>&1; then
        echo "distcheck: passed in $(($(date +%s) - start)) s"
        total_pass=$((total_pass + 1))
    else
        echo "distcheck: FAILED (build/distcheck.log):"
        grep -E '^(FAIL|ERROR)|Error|error:' build/distcheck.log | head -n 40
        overall=1
        total_fail=$((total_fail + 1))
    fi
fi

fuzz_seconds=${KT_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" != 0 ] && command -v clang >/dev/null 2>&1 &&
   echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' |
       clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
    # the fuzz targets in a build of their own (clang, --enable-fuzz)
    copy_tree build/fuzz
    if (cd build/fuzz && ./configure --quiet CC=clang --enable-fuzz &&
        make -j"$jobs" >/dev/null) &&
       (cd build/fuzz && make fuzz FUZZ_SECONDS="$fuzz_seconds"); then
        total_pass=$((total_pass + 1))
    else
        echo "fuzz: failed (build/fuzz/fuzz/run/, build/fuzz/fuzz/artifacts/)"
        overall=1
        total_fail=$((total_fail + 1))
    fi
elif [ "$fuzz_seconds" = 0 ]; then
    echo "fuzz: off (KT_FUZZ_SECONDS=0)"
else
    echo "fuzz: clang with libFuzzer not available: skipped"
fi
# one closing line for everything: the suites, distcheck and the fuzzing run
[ "$overall" = 0 ] || [ "$total_fail" != 0 ] || total_fail=1
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
exit $overall
