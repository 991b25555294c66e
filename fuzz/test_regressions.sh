#!/bin/sh
# test_regressions.sh - every input that ever crashed, hung or leaked, and
# every seed, replayed through the fuzz targets' code (fuzz/replay_*), and
# every regression capture (tests/data/regression/NAME.pcap) through
# kafkatap --json and --events=json, its report checked against the hand-written
# expectations in NAME.expect.json (a subset of the report: every key given
# there must have that value; lists compare whole).  Under
# --enable-sanitizers any ASan/UBSan report fails the test.
set -u
srcdir=${srcdir:-.}
KAFKATAP=${KAFKATAP:-./kafkatap}
reg="$srcdir/tests/data/regression"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
for t in frame records pipeline; do
    for dir in "$srcdir/fuzz/corpus/$t" "$reg/$t"; do
        [ -d "$dir" ] || continue
        if fuzz/replay_$t "$dir" >/dev/null 2>replay.err; then
            ok "replay_$t $dir ($(tail -n 1 replay.err))"
        else
            bad "replay_$t $dir"; tail -n 30 replay.err
        fi
    done
done
rm -f replay.err
for cap in "$reg"/*.pcap; do
    [ -f "$cap" ] || continue
    exp="${cap%.pcap}.expect.json"
    if ! "$KAFKATAP" -r "$cap" --events=json >/dev/null 2>regr.err; then
        bad "$cap --events=json: exit status"; cat regr.err; continue
    fi
    if ! "$KAFKATAP" -r "$cap" --json >regr.json 2>regr.err; then
        bad "$cap --json: exit status"; cat regr.err; continue
    fi
    if [ ! -f "$exp" ]; then
        bad "$cap: no $exp"; continue
    fi
    if python3 - "$exp" regr.json <<'PY'
import json, sys
exp = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
def check(e, g, path):
    if isinstance(e, dict):
        if not isinstance(g, dict):
            print(f"{path}: expected an object, got {g!r}"); return False
        return all(check(v, g.get(k), f"{path}.{k}") if k in g else
                   (print(f"{path}.{k}: missing") or False) for k, v in e.items())
    if e != g:
        print(f"{path}: expected {e!r}, got {g!r}"); return False
    return True
sys.exit(0 if check(exp, got, "") else 1)
PY
    then ok "$cap"; else bad "$cap"; fi
done
rm -f regr.json regr.err
echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] && [ "$fail" = 0 ]
