#!/usr/bin/env python3
"""test_tshark_agreement.py - kafkatap against tshark, an independent decoder.

For every capture in pcaps/ (and pcaps/kafka/) and tests/data/third-party/:
  - per TCP connection, the set of requests (api_key, api_version,
    correlation_id) that kafkatap reports equals the set tshark decodes, for
    the API versions tshark knows;
  - for every request tshark pairs with a response, kafkatap's latency (from
    the packet completing the request to the packet carrying the response's
    first byte) agrees with tshark's frame times within 1 ms;
  - kafkatap's client_id agrees with tshark's.
Exits 77 (skipped) when tshark is not installed.

Known, justified differences (each counted and printed, never silently):
  - tshark 4.0 cannot decode Produce > v8, Fetch > v11 and other newer
    versions' bodies, but it does decode their headers, so requests are
    compared on headers for every version;
  - a request whose frame tshark never completed (the capture ends, or a
    connection picked up mid-stream) is left out of tshark's set.
"""
import json
import os
import subprocess
import sys

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
TOLERANCE_MS = 1.0


def captures():
    out = []
    for d in ("pcaps", "pcaps/kafka", "tests/data/third-party", "tests/data/regression"):
        p = os.path.join(SRCDIR, d)
        if not os.path.isdir(p):
            continue
        for f in sorted(os.listdir(p)):
            if f.endswith((".pcap", ".pcapng", ".pcap.gz")):
                out.append(os.path.join(p, f))
    return out


def run_kafkatap(path):
    r = subprocess.run([KAFKATAP, "-r", path, "--events=json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("kafkatap failed on %s: %s" % (path, r.stderr.strip()))
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def ep(addr, port):
    return ("[%s]:%s" % (addr, port)) if ":" in addr else ("%s:%s" % (addr, port))


def run_tshark(path, ports):
    """Requests and responses as tshark decodes them."""
    decode = []
    for p in sorted(ports):
        decode += ["-d", "tcp.port==%d,kafka" % p]
    # frame number -> time, for the first segment of reassembled PDUs
    r = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.number",
                        "-e", "frame.time_epoch"], capture_output=True, text=True)
    times = {}
    for line in r.stdout.splitlines():
        n, t = line.split("\t")
        times[int(n)] = float(t)
    fields = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport",
              "ip.dst", "ipv6.dst", "tcp.dstport", "kafka.request_key", "kafka.response_key",
              "kafka.api_version", "kafka.correlation_id", "kafka.request_frame",
              "kafka.client_id", "tcp.segment"]
    cmd = ["tshark", "-r", path] + decode + ["-Y", "kafka", "-T", "fields", "-E", "occurrence=a",
                                             "-E", "separator=|", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True)
    requests = {}    # (frame, idx) -> dict
    responses = []   # dicts
    for line in r.stdout.splitlines():
        v = line.split("|")
        if len(v) != len(fields):
            continue
        row = dict(zip(fields, v))
        frame = int(row["frame.number"])
        t = float(row["frame.time_epoch"])
        src = ep(row["ip.src"] or row["ipv6.src"], row["tcp.srcport"])
        dst = ep(row["ip.dst"] or row["ipv6.dst"], row["tcp.dstport"])
        corr = [int(x) for x in row["kafka.correlation_id"].split(",") if x]
        segs = [int(x) for x in row["tcp.segment"].split(",") if x]
        if row["kafka.request_key"]:
            keys = [int(x) for x in row["kafka.request_key"].split(",") if x]
            vers = [int(x) for x in row["kafka.api_version"].split(",") if x]
            cids = row["kafka.client_id"].split(",") if row["kafka.client_id"] else []
            for i, k in enumerate(keys):
                if i >= len(corr) or i >= len(vers):
                    continue
                requests[(frame, i)] = {"client": src, "broker": dst, "api_key": k,
                                        "api_version": vers[i], "correlation_id": corr[i],
                                        "t": t, "frame": frame,
                                        "client_id": cids[i] if i < len(cids) and len(cids) == len(keys) else None}
        elif row["kafka.response_key"]:
            reqf = [int(x) for x in row["kafka.request_frame"].split(",") if x]
            for i, c in enumerate(corr):
                # the first PDU of a frame may have started in an earlier segment
                first = t
                if i == 0 and segs:
                    first = times.get(min(segs), t)
                responses.append({"client": dst, "broker": src, "correlation_id": c,
                                  "first_t": first, "request_frame": reqf[i] if i < len(reqf) else None})
    return requests, responses


def check(path):
    problems = []
    events = run_kafkatap(path)
    ports = {int(e["broker"].rsplit(":", 1)[1]) for e in events} | {9092}
    treq, tresp = run_tshark(path, ports)
    # kafkatap's requests per connection
    ours = {}
    for e in events:
        ours[(e["client"], e["broker"], e["api_key"], e["api_version"], e["correlation_id"])] = e
    theirs = {}
    by_frame = {}
    for (frame, i), r in treq.items():
        key = (r["client"], r["broker"], r["api_key"], r["api_version"], r["correlation_id"])
        theirs[key] = r
        by_frame.setdefault(frame, []).append(r)
    missing = sorted(set(theirs) - set(ours))
    extra = sorted(set(ours) - set(theirs))
    for k in missing:
        problems.append("tshark decodes request %s that kafkatap does not report" % (k,))
    # tshark does not pick a connection up in the middle of a frame: a
    # request before the first one tshark decodes on that connection may be
    # kafkatap's alone (it resynchronises); anything later is a problem
    first_t = {}
    for r in theirs.values():
        c = (r["client"], r["broker"])
        first_t[c] = min(first_t.get(c, r["t"]), r["t"])
    resynced = 0
    for k in extra:
        e = ours[k]
        c = (e["client"], e["broker"])
        if c not in first_t or e["ts"] < first_t[c]:
            resynced += 1
            continue
        problems.append("kafkatap reports request %s that tshark does not decode" % (k,))
    if resynced:
        print("     note: %d request(s) found only by kafkatap, before tshark's first on a mid-stream connection" % resynced)
    # latencies
    compared = 0
    for resp in tresp:
        key_candidates = [r for r in by_frame.get(resp["request_frame"], [])
                          if r["correlation_id"] == resp["correlation_id"]]
        if not key_candidates:
            continue
        r = key_candidates[0]
        key = (r["client"], r["broker"], r["api_key"], r["api_version"], r["correlation_id"])
        e = ours.get(key)
        if e is None:
            continue
        tl = (resp["first_t"] - r["t"]) * 1000.0
        if e["latency_ms"] is None:
            problems.append("%s: tshark sees a response (%.3f ms), kafkatap says %s" % (key, tl, e["status"]))
            continue
        compared += 1
        if abs(e["latency_ms"] - tl) > TOLERANCE_MS:
            problems.append("%s: latency kafkatap %.3f ms, tshark %.3f ms" % (key, e["latency_ms"], tl))
        if r["client_id"] is not None and e["client_id"] is not None and r["client_id"] != e["client_id"]:
            problems.append("%s: client_id kafkatap %r, tshark %r" % (key, e["client_id"], r["client_id"]))
    return len(theirs), compared, problems


def main():
    try:
        subprocess.run(["tshark", "-v"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        print("tshark not installed: skipped")
        return 77
    passed = failed = 0
    for path in captures():
        try:
            n, compared, problems = check(path)
        except Exception as exc:  # a crash of kafkatap is a failure
            n, compared, problems = 0, 0, [str(exc)]
        if problems:
            failed += 1
            print("FAIL %s (%d requests, %d latencies compared)" % (path, n, compared))
            for p in problems[:20]:
                print("     " + p)
            if len(problems) > 20:
                print("     ... %d more" % (len(problems) - 20))
        else:
            passed += 1
            print("ok   %s (%d requests, %d latencies compared)" % (path, n, compared))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
