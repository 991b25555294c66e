#!/usr/bin/env python3
"""test_count_write.py - tcpdump's -c COUNT and -w FILE, and --duration on a
file: `kafkatap -r CAPTURE -c N -w OUT` reads N packets, says so in its
report, and OUT holds exactly those N packets (same bytes, lengths and
timestamps).  The truth is the input capture read by tests/pcapio.py, a
reader independent of libpcap.  Reading OUT again gives the same report as
the -c run.  --duration S keeps the packets of the first S seconds of
capture time.  Needs python3 only.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcapio  # noqa: E402

SRC = os.environ.get("srcdir", os.path.join(HERE, ".."))
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
CAPTURE = os.path.join(SRC, "pcaps", "midstream.pcap")


def report(*args):
    out = subprocess.run([KAFKATAP, "--json"] + list(args), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def without_source(rep):
    rep = dict(rep)
    rep.pop("source", None)
    return rep


def main():
    failures = []
    packets = pcapio.read(CAPTURE)
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o777)     # run as root, kafkatap writes as nobody
        for n in (1, 50, len(packets) - 1, len(packets)):
            out = os.path.join(tmp, "out%d.pcap" % n)
            rep = report("-r", CAPTURE, "-c", str(n), "-w", out)
            if rep["capture"]["packets"] != n:
                failures.append("-c %d: report counts %d packets"
                                % (n, rep["capture"]["packets"]))
            saved = pcapio.read(out)
            if len(saved) != n:
                failures.append("-c %d -w: %d packets saved" % (n, len(saved)))
            for i, (a, b) in enumerate(zip(packets, saved)):
                if (a["ts_us"], a["data"], a["wirelen"]) != \
                        (b["ts_us"], b["data"], b["wirelen"]):
                    failures.append("-c %d -w: packet %d differs" % (n, i + 1))
                    break
            again = report("-r", out)
            if without_source(again) != without_source(rep):
                failures.append("-c %d: reading the -w file gives another report" % n)
        # --duration on a file: capture time since the first packet
        first = packets[0]["ts_us"]
        for seconds in (1, 2):
            want = sum(1 for p in packets if p["ts_us"] - first < seconds * 1e6)
            rep = report("-r", CAPTURE, "--duration", str(seconds))
            if rep["capture"]["packets"] != want:
                failures.append("--duration %d: %d packets, want %d"
                                % (seconds, rep["capture"]["packets"], want))
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: -c, -w and --duration on %s (%d packets)" % (CAPTURE, len(packets)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
