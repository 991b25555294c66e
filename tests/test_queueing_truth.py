#!/usr/bin/env python3
"""test_queueing_truth.py - queue wait, service time and the queueing finding
against independent truth: the max.in.flight and broker RTT the recorder set
(pcaps/NAME.truth.json, written by pcaps/recorder/mockgen.c) and tshark's
own decode of the captures (frame times, TCP streams, correlation ids).

For every mock capture whose truth names a producer's max_in_flight
(inflight-5.pcap: 5, inflight-1.pcap: 1; the same offered load, a broker
answering 100 ms late):
  - every answered request's queue wait is the one computed here from
    tshark's fields alone: per TCP stream, from the request's frame to the
    frame of the response before its own (0 when that came first), to the
    microsecond; service time = latency - queue wait;
  - max.in.flight 1: no request found another in flight, every queue wait
    is 0 and every service time equals the latency; no queueing finding;
  - max.in.flight above 1: Produce requests found others in flight, never
    more than max.in.flight Produce requests at once; a queueing finding
    names the broker that leads the producer's partitions, and no other.
Exits 77 (skipped) when tshark is not installed.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")


def kafkatap(pcap, *args):
    r = subprocess.run([KAFKATAP, "-r", pcap] + list(args), capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("kafkatap failed on %s: %s" % (pcap, r.stderr))
    return r.stdout


def tshark_queue_waits(pcap, ports):
    """{(client port, correlation id): queue wait in us}, from tshark alone."""
    cmd = ["tshark", "-r", pcap, "-Y", "kafka", "-T", "fields", "-e", "frame.time_epoch",
           "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "kafka.correlation_id",
           "-e", "kafka.request_key", "-e", "kafka.response_key"]
    for p in ports:
        cmd[3:3] = ["-d", "tcp.port==%d,kafka" % p]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    requests = defaultdict(dict)      # stream -> corr -> (us, client port)
    last_response = {}                # stream -> us
    waits = {}
    for line in out.splitlines():
        f = line.split("\t")
        us = round(float(f[0]) * 1e6)
        stream, port = int(f[1]), int(f[2])
        corrs = [int(c) for c in f[3].split(",") if c]
        is_request = f[4] != ""
        for corr in corrs:
            if is_request:
                requests[stream][corr] = (us, port)
            else:
                req = requests[stream].pop(corr, None)
                if req is not None:
                    prev = last_response.get(stream, 0)
                    waits[(req[1], corr)] = max(0, prev - req[0])
                last_response[stream] = us
    return waits


def check(pcap, truth):
    problems = []
    name = os.path.basename(pcap)
    producer = [p for p in truth["producers"] if "max_in_flight" in p][0]
    inflight = producer["max_in_flight"]
    ports = [int(b["address"].rsplit(":", 1)[1]) for b in truth["brokers"]]
    topic = truth["topics"][producer["topic"]]
    leaders = {b["id"]: b["address"] for b in truth["brokers"]}
    leader_addrs = {leaders[topic["leaders"][p]]
                    for p in range(producer["partitions"][0], producer["partitions"][1] + 1)}
    events = [json.loads(l) for l in kafkatap(pcap, "--events=json").splitlines()]
    waits = tshark_queue_waits(pcap, ports)
    answered = [e for e in events if e["latency_ms"] is not None]
    compared = 0
    for e in answered:
        key = (int(e["client"].rsplit(":", 1)[1]), e["correlation_id"])
        if e["queue_wait_ms"] is None:
            problems.append("%s corr %d: split unknown" % (name, key[1]))
            continue
        if abs(e["queue_wait_ms"] + e["service_ms"] - e["latency_ms"]) > 0.0015:
            problems.append("%s corr %d: queue + service != latency" % (name, key[1]))
        if key in waits:
            compared += 1
            if abs(e["queue_wait_ms"] * 1000 - waits[key]) > 1.5:
                problems.append("%s corr %d: queue wait %.3f ms, tshark's frames say %.3f ms"
                                % (name, key[1], e["queue_wait_ms"], waits[key] / 1000))
    if compared < len(answered):
        problems.append("%s: only %d of %d answered requests found in tshark's decode"
                        % (name, compared, len(answered)))
    produce = [e for e in answered if e["api"] == "Produce"]
    most = max(e["inflight"] for e in produce)
    doc = json.loads(kafkatap(pcap, "--json"))
    named = sorted(f["subject"] for f in doc["findings"] if f["kind"] == "queueing")
    if inflight == 1:
        if any(e["queue_wait_ms"] != 0 or e["service_ms"] != e["latency_ms"] for e in answered):
            problems.append("%s: max.in.flight 1 but a request waited" % name)
        if most != 1:
            problems.append("%s: max.in.flight 1 but %d Produce in flight" % (name, most))
        if named:
            problems.append("%s: queueing finding with max.in.flight 1: %s" % (name, named))
    else:
        if not 1 < most <= inflight:
            problems.append("%s: %d Produce in flight at most, max.in.flight %d"
                            % (name, most, inflight))
        want = sorted("broker " + a for a in leader_addrs)
        if named != want:
            problems.append("%s: queueing names %s, the truth %s" % (name, named, want))
    qs = sorted(e["queue_wait_ms"] for e in produce if e["queue_wait_ms"] is not None)
    print("%s: max.in.flight %d, rtt %s ms: %d requests (%d checked against tshark), "
          "Produce queue wait p50 %.3f ms, at most %d in flight, queueing: %s"
          % (name, inflight, truth["broker_rtt_ms"], len(answered), compared,
             qs[len(qs) // 2], most, named or "none"))
    return problems


def main():
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        return 77
    problems, seen = [], 0
    for truth_path in sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "*.truth.json"))):
        with open(truth_path) as f:
            truth = json.load(f)
        if not any("max_in_flight" in p for p in truth.get("producers", [])):
            continue
        seen += 1
        problems += check(truth_path.replace(".truth.json", ".pcap"), truth)
    if seen < 2:
        problems.append("expected the inflight-5 and inflight-1 captures, found %d" % seen)
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
