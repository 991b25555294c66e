#!/usr/bin/env python3
"""test_mock_truth.py - kafkatap against the ground truth that the generator
of each librdkafka mock-cluster capture wrote beside it (pcaps/NAME.truth.json,
written by pcaps/recorder/mockgen.c from delivery reports, commit callbacks and
what it injected into the mock brokers; midstream.truth.json by
pcaps/recorder/midcut.py, a separate parser of the full capture).

Checks, per capture, whatever its truth file states:
  - the brokers kafkatap reports are the mock's brokers;
  - every client id the generator used appears;
  - Produce error codes per broker equal exactly the errors injected there;
  - a broker with an injected RTT answers Produce no faster than that RTT
    (median within 20 ms above it), the others well under it;
  - OffsetCommit partition errors per consumer equal what its commit callback
    saw;
  - for the mid-stream cut: requests, answered and unanswered per API equal
    the counts of the independent parser, and each connection is reported
    as picked up mid-stream exactly when its handshake is not in the
    capture (JSON, and the text report's connections table).
"""
import glob
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")


def run(path, *args):
    r = subprocess.run([KAFKATAP, "-r", path] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("kafkatap failed on %s: %s" % (path, r.stderr.strip()))
    return r.stdout


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


def check(pcap, truth):
    problems = []
    events = [json.loads(l) for l in run(pcap, "--events=json").splitlines() if l.strip()]
    report = json.loads(run(pcap, "--json"))
    brokers = {str(b["id"]): b["address"] for b in truth.get("brokers", [])}

    seen_brokers = {e["broker"] for e in events}
    if brokers and not seen_brokers <= set(brokers.values()):
        problems.append("brokers %s are not the mock's %s" % (sorted(seen_brokers), sorted(brokers.values())))

    seen_ids = {e["client_id"] for e in events}
    for cid in truth.get("client_ids", []):
        if cid not in seen_ids:
            problems.append("client id %r of the generator not reported" % cid)

    if "injected_errors" in truth:
        want = Counter()
        for inj in truth["injected_errors"]:
            if inj["api"] == "Produce":
                want[(brokers[str(inj["broker"])], inj["error"])] += inj["count"]
        got = Counter()
        for e in events:
            if e["api"] == "Produce":
                for name, n in e["errors"].items():
                    got[(e["broker"], name)] += n
        if got != want:
            problems.append("Produce errors per broker: kafkatap %s, injected %s" % (dict(got), dict(want)))

    for bid, rtt in truth.get("broker_rtt_ms", {}).items():
        lat = [e["latency_ms"] for e in events
               if e["api"] == "Produce" and e["broker"] == brokers[bid] and e["latency_ms"] is not None]
        if not lat:
            continue
        m = median(lat)
        if rtt > 0 and not (rtt <= m <= rtt + 20):
            problems.append("broker %s with %d ms injected RTT: Produce median %.3f ms" % (brokers[bid], rtt, m))
        if rtt == 0 and any(r > 0 for r in truth["broker_rtt_ms"].values()) and m >= 10:
            problems.append("broker %s without injected RTT: Produce median %.3f ms" % (brokers[bid], m))

    for cons in truth.get("consumers", []):
        want = Counter(cons.get("offset_commit_partition_errors", {}))
        got = Counter()
        for e in events:
            if e["api"] == "OffsetCommit" and e["client_id"] == cons["client_id"]:
                got.update(e["errors"])
        if got != want:
            problems.append("OffsetCommit errors of %s: kafkatap %s, commit callback %s"
                            % (cons["client_id"], dict(got), dict(want)))

    if "connections" in truth:   # the mid-stream cut: which had a handshake
        conns = {(c["client"], c["broker"]): c for c in report.get("connections", [])}
        text = run(pcap)
        rows = text.split("\nConnections with", 1)[1].split("\n\n", 1)[0].splitlines()[2:] \
            if "\nConnections with" in text else []
        listed = {(r.split()[0], r.split()[1]): r.split() for r in rows if not r.startswith("  ...")}
        with_requests = {(e["client"], e["broker"]) for e in events}
        for tc in truth["connections"]:
            key = (tc["client"], tc["broker"])
            c = conns.get(key)
            if c is None:
                # a connection without a single request in the cut cannot be
                # told from other TCP on these (ephemeral) ports
                if key in with_requests:
                    problems.append("connection %s -> %s not in the JSON report" % key)
                continue
            if c["midstream"] != (not tc["handshake_in_capture"]):
                problems.append("connection %s -> %s: midstream %s, truth handshake_in_capture %s"
                                % (key + (c["midstream"], tc["handshake_in_capture"])))
            if c["midstream"]:
                # the text table shows the ten worst: a row for each listed,
                # and every one when fewer than ten are shown
                r = listed.get(key)
                if r is None:
                    if len(listed) < 10:
                        problems.append("connection %s -> %s: no row in the text report" % key)
                elif (r[2] != (c["client_id"] or "(null)") or r[3] != "yes" or
                      r[4] != str(c["missed_bytes"]) or r[5] != str(c["requests"])):
                    problems.append("connection %s -> %s: text row %r" % (key + (r,)))

    if "apis" in truth:   # the mid-stream cut
        ours = {str(a["api_key"]): a for a in report["apis"]}
        for key, t in truth["apis"].items():
            if "requests" not in t:
                continue
            a = ours.get(key, {"requests": 0, "matched": 0, "unanswered": 0})
            for field in ("requests", "matched", "unanswered"):
                if a[field] != t.get(field, 0):
                    problems.append("api %s %s: kafkatap %d, truth %d" % (key, field, a[field], t.get(field, 0)))
        extra = set(ours) - set(k for k, t in truth["apis"].items() if "requests" in t)
        if extra:
            problems.append("kafkatap reports APIs the truth has no requests for: %s" % sorted(extra))
    return problems


def main():
    passed = failed = 0
    for tf in sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "*.truth.json"))):
        pcap = tf[: -len(".truth.json")] + ".pcap"
        truth = json.load(open(tf))
        try:
            problems = check(pcap, truth)
        except Exception as exc:
            problems = [str(exc)]
        if problems:
            failed += 1
            print("FAIL %s" % pcap)
            for p in problems:
                print("     " + p)
        else:
            passed += 1
            print("ok   %s" % pcap)
    # the checks can fail: one injected error more must be caught
    tf = os.path.join(SRCDIR, "pcaps", "produce-errors.truth.json")
    if os.path.exists(tf):
        truth = json.load(open(tf))
        truth["injected_errors"][0]["count"] += 1
        if check(tf[: -len(".truth.json")] + ".pcap", truth):
            passed += 1
            print("ok   self-test: a truth file with one injected error more is caught")
        else:
            failed += 1
            print("FAIL self-test: a wrong truth file passed")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
