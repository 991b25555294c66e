#!/usr/bin/env python3
"""test_segmentation.py - segmentation invariance: kafkatap's report and
event log do not depend on how the TCP streams were cut into segments.

Every real capture (pcaps/*.pcap, pcaps/kafka/*.pcap,
tests/data/third-party/*) is rewritten by tests/segment_rewrite.py so that
each stream arrives one byte per segment, reordered within each segment, and
with overlapping retransmissions of other boundaries (same bytes, same
timestamps), and `kafkatap --json` and `--events=json` on the rewritten
capture must equal those on the original, except for what counts packets
(capture.packets, bytes, tcp_segments), the source name, and the anomaly
that counts bytes seen twice (tcp_retransmitted_bytes, overlap mode).
The ground truth is the original capture's own report; the test fails on
any difference.  Needs python3 only.  KT_SEGMENTATION_MODES (default
"bytes reorder overlap") selects the modes.
Usage: test_segmentation.py [CAPTURE...]
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("srcdir", os.path.join(HERE, ".."))
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
REWRITE = os.path.join(HERE, "segment_rewrite.py")
VOLATILE_CAPTURE = ("packets", "bytes", "tcp_segments")
VOLATILE_ANOMALIES = {"overlap": ("tcp_retransmitted_bytes",)}


def run(cap, *args):
    r = subprocess.run([KAFKATAP, "-r", cap] + list(args), capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"kafkatap {' '.join(args)} {cap}: exit {r.returncode}: "
                           f"{r.stderr.decode(errors='replace')[:500]}")
    return r.stdout.decode()


def report(cap, mode):
    d = json.loads(run(cap, "--json"))
    d.pop("source", None)
    # how many bytes had to wait (out of order, in partial frames) depends on
    # where the segments end, so only the use at the end must not change
    for acct in d.get("memory", {}).values():
        acct.pop("peak_bytes", None)
    for k in VOLATILE_CAPTURE:
        d.get("capture", {}).pop(k, None)
    an = d.get("anomalies", {})
    for k in VOLATILE_ANOMALIES.get(mode, ()):
        an.pop(k, None)
    return d


def diff(a, b, path=""):
    """First few differences between two JSON values, as strings."""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: {a.get(k, '(absent)')!r} vs {b.get(k, '(absent)')!r}")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
    elif a != b:
        out.append(f"{path}: {json.dumps(a)[:200]} vs {json.dumps(b)[:200]}")
    return out[:8]


def main():
    caps = sys.argv[1:] or sorted(
        glob.glob(os.path.join(SRC, "pcaps", "*.pcap"))
        + glob.glob(os.path.join(SRC, "pcaps", "kafka", "*.pcap"))
        + glob.glob(os.path.join(SRC, "tests", "data", "third-party", "*.pcap*")))
    modes = os.environ.get("KT_SEGMENTATION_MODES", "bytes reorder overlap").split()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for cap in caps:
            base_events = run(cap, "--events=json")
            base = {m: report(cap, m) for m in modes}
            for seed, mode in enumerate(modes, 1):
                out = os.path.join(tmp, "rewritten.pcap")
                subprocess.run([sys.executable, REWRITE, mode, cap, out, "--seed", str(seed)],
                               check=True)
                name = f"{os.path.relpath(cap, SRC)} {mode}"
                problems = diff(base[mode], report(out, mode))
                ev = run(out, "--events=json")
                if ev != base_events:
                    a, b = base_events.splitlines(), ev.splitlines()
                    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y),
                                 min(len(a), len(b)))
                    problems.append(f"events differ ({len(a)} vs {len(b)} lines) at line "
                                    f"{first + 1}: {a[first] if first < len(a) else '(end)'}"
                                    f" vs {b[first] if first < len(b) else '(end)'}")
                if problems:
                    failed += 1
                    print(f"FAIL - {name}")
                    for p in problems:
                        print(f"    {p}")
                else:
                    passed += 1
                    print(f"ok - {name}")
                os.unlink(out)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
