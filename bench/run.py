#!/usr/bin/env python3
"""run.py - the benchmarks: kafkatap over each generated capture, peak RSS
and packets per second against the targets in bench/README.md.

Usage: run.py [--kafkatap PATH] [--data DIR] [--srcdir DIR] [--only NAME...]
Inputs are generated into DIR by bench/gen-inputs.py when missing.  Each
run is `kafkatap -r INPUT --json` with its output kept in DIR/NAME.json; the
peak RSS is the child's ru_maxrss (wait4).  Prints one line per benchmark and
exits 1 when a target is missed.  Not part of make check.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (max peak RSS in MiB, min packets per second, what must be counted)
TARGETS = {
    "unanswered": (256, 40000, lambda d: d["totals"]["unanswered"] == 1000000),
    "connections": (384, 200000, lambda d: d["totals"]["connections"] == 100000
                    and d["anomalies"].get("flow_table_evictions", 0) > 0),
    "gzip-bomb": (64, 5000, lambda d: d["anomalies"].get("inflate_capped", 0) == 640),
    "huge-prefix": (64, 50000, lambda d: d["anomalies"].get("oversized_frames", 0) >= 1),
    "tls": (64, 50000, lambda d: d["totals"]["requests"] == 0
            and d["totals"]["tls_connections"] == 1000 and not d["anomalies"]),
    "ooo-flood": (320, 50000,
                  lambda d: d["anomalies"].get("tcp_ooo_total_exceeded", 0) > 0),
    "partial-frames": (320, 50000,
                       lambda d: d["anomalies"].get("frame_buffer_total_exceeded", 0) > 0),
    "replay": (256, 200000, lambda d: d["totals"]["requests"] == 945920),
    # the same traffic with 1% of the packets lost: holes closed, requests
    # whose response was lost reported as unknown
    "replay-loss": (256, 200000,
                    lambda d: d["totals"]["missed_bytes"] > 0
                    and d["totals"]["unknown_capture_loss"] > 0),
}


def run(kafkatap, pcap, out):
    """(seconds, peak RSS in MiB, exit status).  The RSS comes from GNU time
    (Debian package `time`) when installed: a child forked by Python
    inherits Python's own high-water mark in ru_maxrss, so wait4 alone
    overstates it by Python's size (about 16 MiB)."""
    cmd = [kafkatap, "-r", pcap, "--json"]
    gnu_time = os.path.exists("/usr/bin/time")
    rss_file = out + ".rss"
    if gnu_time:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd
    t = time.monotonic()
    with open(out, "wb") as f:
        p = subprocess.Popen(cmd, stdout=f)
        _, status, ru = os.wait4(p.pid, 0)
    secs = time.monotonic() - t
    rss = ru.ru_maxrss / 1024.0
    if gnu_time:
        with open(rss_file) as f:
            rss = int(f.read().split()[-1]) / 1024.0
        os.unlink(rss_file)
    return secs, rss, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kafkatap", default="./kafkatap")
    ap.add_argument("--data", default="bench/data")
    ap.add_argument("--srcdir", default=os.path.join(HERE, ".."))
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    names = [n for n in TARGETS if not a.only or n in a.only]
    missing = [n for n in names if not os.path.exists(os.path.join(a.data, n + ".pcap"))]
    if missing:
        subprocess.run([sys.executable, os.path.join(HERE, "gen-inputs.py"), a.data,
                        "--srcdir", a.srcdir, "--only"] + missing, check=True)
    print(f"{'benchmark':12} {'packets':>9} {'seconds':>8} {'pkts/s':>9} {'RSS MiB':>8}"
          f"  target (RSS <=, pkts/s >=)  verdict")
    bad = 0
    for n in names:
        pcap = os.path.join(a.data, n + ".pcap")
        out = os.path.join(a.data, n + ".json")
        secs, rss, rc = run(a.kafkatap, pcap, out)
        d = json.load(open(out)) if rc == 0 else None
        pk = d["capture"]["packets"] if d else 0
        rate = pk / secs if secs > 0 else 0
        max_rss, min_rate, counted = TARGETS[n]
        ok = rc == 0 and rss <= max_rss and rate >= min_rate and counted(d)
        bad += not ok
        print(f"{n:12} {pk:9d} {secs:8.2f} {rate:9.0f} {rss:8.1f}  {max_rss:6d} MiB {min_rate:8d}/s"
              f"        {'ok' if ok else 'MISSED'}{'' if rc == 0 else f' (exit {rc})'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
