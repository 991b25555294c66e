#!/usr/bin/env python3
"""test_multifile.py - several capture files read as one stream, and the
--since/--until window, against independent truth.

  - a capture split by editcap -c into pieces gives, read as one stream
    (the pieces named in shuffled order, and as a quoted glob), the --json
    report of the whole file exactly, apart from "source", "inputs" and
    "gaps";
  - the last piece shifted an hour later by editcap -t: one gap reported
    (JSON, text, stderr, anomaly counter) of an hour plus the pieces' own
    spacing, and the same requests per API;
  - files of different link types (Linux cooked and Ethernet) read
    together: the requests of both;
  - a missing file, a glob matching nothing, a file that is no capture:
    a clear error and exit status 1;
  - --since/--until: the requests reported equal the requests tshark
    decodes with their frame time in the window, for absolute times and
    for offsets from the first packet.
Exits 77 (skipped) when editcap or tshark is missing.
"""
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
IGNORED = ("source", "inputs", "gaps")

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def kafkatap(args, ok=True):
    r = subprocess.run([KAFKATAP] + args, capture_output=True, text=True)
    if ok and r.returncode != 0:
        raise RuntimeError("kafkatap %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def report(args):
    return json.loads(kafkatap(args + ["--json"]).stdout)


def without_inputs(rep):
    return {k: v for k, v in rep.items() if k not in IGNORED}


def split(capture, n, tmp, prefix):
    out = os.path.join(tmp, prefix + ".pcap")
    subprocess.run(["editcap", "-c", str(n), capture, out], check=True)
    pieces = sorted(glob.glob(os.path.join(tmp, prefix + "_*.pcap")))
    if len(pieces) < 3:
        raise RuntimeError("editcap gave %d pieces of %s" % (len(pieces), capture))
    return pieces


def first_diff(a, b):
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            return "%s: %s != %s" % (k, str(a.get(k))[:200], str(b.get(k))[:200])
    return ""


def test_split(tmp, capture, n):
    whole = report(["-r", capture])
    pieces = split(capture, n, tmp, os.path.basename(capture) + "-split")
    shuffled = pieces[:]
    random.Random(7).shuffle(shuffled)
    if shuffled == pieces:
        shuffled.reverse()
    # several paths after -r (as a shell expands a glob), and repeated -r
    args = ["-r", shuffled[0]] + shuffled[1:]
    rep = report(args)
    check(without_inputs(rep) == without_inputs(whole),
          "%s in %d pieces, given shuffled: the whole file's report %s"
          % (capture, len(pieces), first_diff(without_inputs(rep), without_inputs(whole))))
    check([i["file"] for i in rep["inputs"]] == pieces,
          "pieces read in time order")
    check(sum(i["packets"] for i in rep["inputs"]) == whole["capture"]["packets"],
          "packets of the pieces add up to the whole's")
    check(rep["gaps"] == [], "no gap between pieces of one capture")
    rep2 = report(["-r", os.path.join(tmp, os.path.basename(capture) + "-split_*.pcap")])
    check(without_inputs(rep2) == without_inputs(whole), "the same through a quoted glob")
    rep3 = report(sum((["-r", p] for p in shuffled), []))
    check(without_inputs(rep3) == without_inputs(whole), "the same through repeated -r")
    return whole, pieces


def per_api(rep):
    return {a["api"]: a["requests"] for a in rep["apis"]}


def test_gap(tmp, capture, whole, pieces):
    shifted = os.path.join(tmp, "shifted.pcap")
    subprocess.run(["editcap", "-t", "3600", pieces[-1], shifted], check=True)
    files = pieces[:-1] + [shifted]
    r = kafkatap(["-r", files[0]] + files[1:] + ["--json"])
    rep = json.loads(r.stdout)
    last_before = rep["inputs"][-2]["last_ts"]
    first_after = rep["inputs"][-1]["first_ts"]
    check(len(rep["gaps"]) == 1 and rep["gaps"][0]["kind"] == "gap"
          and rep["gaps"][0]["before"] == shifted,
          "a piece shifted by an hour: one gap, before it")
    check(abs(rep["gaps"][0]["seconds"] - (first_after - last_before)) < 1e-5
          and 3600 <= rep["gaps"][0]["seconds"] < 3660,
          "the gap is an hour plus the spacing of the pieces (%.6f s)" % rep["gaps"][0]["seconds"])
    check(rep["anomalies"].get("capture_file_gaps") == 1, "counted as an anomaly")
    check("notice:" in r.stderr and shifted in r.stderr, "noticed on standard error")
    check(per_api(rep) == per_api(whole) and
          rep["totals"]["requests"] == whole["totals"]["requests"],
          "requests per API as in the whole file")
    text = kafkatap(["-q", "-r", files[0]] + files[1:]).stdout
    check("gap:" in text and "TIME MISSING" in text, "the text report shows the gap")
    q = kafkatap(["-q", "-r", files[0]] + files[1:])
    check(q.stderr == "", "-q: nothing on standard error")


def test_linktypes():
    sll = os.path.join(SRCDIR, "tests/data/third-party/40t__go-sniffer__kafka.pcap")
    eth = os.path.join(SRCDIR, "tests/data/third-party/arkime__arkime__kafka.pcap")
    a, b = report(["-r", sll]), report(["-r", eth])
    both = report(["-q", "-r", eth, "-r", sll])
    check(sorted(i["linktype"] for i in both["inputs"]) == [1, 113],
          "Linux cooked and Ethernet files read together")
    check(both["totals"]["requests"] == a["totals"]["requests"] + b["totals"]["requests"]
          and both["capture"]["packets"] == a["capture"]["packets"] + b["capture"]["packets"],
          "their requests (%d + %d) and packets add up"
          % (a["totals"]["requests"], b["totals"]["requests"]))


def test_errors(tmp, piece):
    # (an operand after -r that names no file is the start of the filter:
    # a missing file is named with -r)
    r = kafkatap(["-r", piece, "-r", os.path.join(tmp, "missing.pcap")], ok=False)
    check(r.returncode == 1 and "cannot open" in r.stderr and "missing.pcap" in r.stderr,
          "a missing file: " + r.stderr.strip())
    r = kafkatap(["-r", piece, "-r", os.path.join(tmp, "nothing-*.pcap")], ok=False)
    check(r.returncode == 1 and "no file matches" in r.stderr, "a glob matching nothing: "
          + r.stderr.strip())
    junk = os.path.join(tmp, "notes.txt")
    with open(junk, "w") as f:
        f.write("these are not packets\n" * 10)
    r = kafkatap(["-r", piece, "-r", junk], ok=False)
    check(r.returncode == 1 and junk in r.stderr, "a file that is no capture: " + r.stderr.strip())
    r = kafkatap(["-r", "-", "-r", piece], ok=False)
    check(r.returncode == 1 and "standard input" in r.stderr, "stdin only alone: " + r.stderr.strip())


def tshark_requests(capture, ports):
    """Frame times of the requests tshark decodes (one per PDU)."""
    cmd = ["tshark", "-r", capture]
    for p in sorted(ports):
        cmd += ["-d", "tcp.port==%d,kafka" % p]
    cmd += ["-Y", "kafka.request_key", "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=,", "-e", "frame.time_epoch", "-e", "kafka.request_key"]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    times = []
    for line in r.stdout.splitlines():
        t, keys = line.split("\t")
        times += [float(t)] * len([k for k in keys.split(",") if k])
    return times


def test_window(capture):
    whole = report(["-r", capture])
    ports = {int(b["broker"].rsplit(":", 1)[1]) for b in whole["brokers"]}
    times = tshark_requests(capture, ports)
    check(len(times) == whole["totals"]["requests"],
          "%s: tshark and kafkatap agree on the whole (%d requests)" % (capture, len(times)))
    first = whole["capture"]["first_ts"]
    span = whole["capture"]["last_ts"] - first
    # bounds between two requests, so a microsecond of rounding cannot matter
    ts = sorted(set(times))
    lo = ts[len(ts) // 4]
    hi = ts[(3 * len(ts)) // 4]
    since = lo - 1e-6
    until = hi + 1e-6
    want = sum(1 for t in times if since <= t < until)
    rep = report(["-r", capture, "--since", "%.6f" % since, "--until", "%.6f" % until])
    got = rep["totals"]["requests"]
    check(got == want and sum(per_api(rep).values()) == want,
          "--since/--until epoch seconds: %d requests, tshark %d" % (got, want))
    check(abs(rep["window"]["since"] - since) < 1e-6 and abs(rep["window"]["until"] - until) < 1e-6,
          "the window in --json")
    check(rep["capture"]["first_ts"] >= since and rep["capture"]["last_ts"] < until,
          "only the window's packets counted")
    # offsets from the first packet
    off_s = round((lo - first) - 1e-3, 3)
    off_u = round((hi - first) + 1e-3, 3)
    s_abs, u_abs = first + off_s, first + off_u
    want = sum(1 for t in times if s_abs <= t < u_abs)
    rep = report(["-r", capture, "--since", "+%gs" % off_s, "--until", "+%g" % off_u])
    check(rep["totals"]["requests"] == want,
          "--since +%gs --until +%g: %d requests, tshark %d"
          % (off_s, off_u, rep["totals"]["requests"], want))
    # an ISO 8601 --since alone: from there to the end
    import datetime
    iso = datetime.datetime.fromtimestamp(int(lo), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    want = sum(1 for t in times if t >= int(lo))
    rep = report(["-r", capture, "--since", iso])
    check(rep["totals"]["requests"] == want,
          "--since %s: %d requests, tshark %d" % (iso, rep["totals"]["requests"], want))
    check(span > 0, "the capture has a span")


def main():
    for tool in ("editcap", "tshark"):
        if not shutil.which(tool):
            print("SKIP: %s not installed (apt-get install tshark)" % tool)
            return 77
    tmp = tempfile.mkdtemp(prefix="kt-multifile-")
    try:
        capture = os.path.join(SRCDIR, "pcaps/produce-multi.pcap")
        whole, pieces = test_split(tmp, capture, 150)
        test_split(tmp, os.path.join(SRCDIR, "pcaps/kafka/codecs.pcap"), 100)
        test_gap(tmp, capture, whole, pieces)
        test_linktypes()
        test_errors(tmp, pieces[0])
        test_window(os.path.join(SRCDIR, "pcaps/produce-multi.pcap"))
        test_window(os.path.join(SRCDIR, "pcaps/kafka/codecs.pcap"))
    finally:
        shutil.rmtree(tmp)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
