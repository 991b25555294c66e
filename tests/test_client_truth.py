#!/usr/bin/env python3
"""test_client_truth.py - per-client delivery and the client findings
(failing_client, sasl_auth_failure) against what the clients themselves
reported, never against kafkatap's own output.

Real Apache Kafka captures (pcaps/kafka/, tools/kafka-harness): a client
run by java/DeliveryCounter.java lists its own delivery callbacks per
partition (acked, failed) and by exception, and its failed-/successful-
authentication-total metrics.  Every record is its own batch, never retried,
so the wire carries exactly what the callbacks saw:
  - per client and partition, --json clients[].delivery records_acked and
    records_failed equal the callbacks, and the refused records by code equal
    the client's RecordTooLargeException count (MESSAGE_TOO_LARGE);
  - failing_client names exactly the clients whose callbacks say at least 10
    records were refused by the broker (RecordTooLargeException; not the
    sends that failed in the client, at login or waiting for metadata) and
    at least 5% of the answered ones (critical at 50%):
    client-failures.pcap: bad-svc 60 of 100 (critical); near-miss-svc 6 of
    200 does not;
  - sasl_auth_failure names exactly the clients whose metrics say at least 3
    logins failed and at least 50% of them (critical when none succeeded):
    sasl.pcap: wrong-password 6 of 6; typo-svc 2 of 2 does not.

librdkafka mock captures (pcaps/NAME.truth.json, mockgen.c's delivery
reports and the errors it injected): per client id, records_acked equals the
records its delivery reports acknowledged; a client has refused records
exactly when errors were injected on the broker leading its partitions, and
the codes are the injected ones (the producer retries them, so each attempt
is refused again: the counts are attempts, compared as sets).
"""
import glob
import json
import os
import subprocess
import sys

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
FAIL_MIN, FAIL_SHARE, FAIL_CRIT = 10, 0.05, 0.50
SASL_MIN, SASL_SHARE = 3, 0.50
JAVA_EXCEPTION_CODE = {"RecordTooLargeException": "MESSAGE_TOO_LARGE"}


def report(pcap):
    r = subprocess.run([KAFKATAP, "-r", pcap, "--json"], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("kafkatap failed on %s: %s" % (pcap, r.stderr))
    return json.loads(r.stdout)


def deliveries(doc):
    return {c["client_id"]: c["delivery"] for c in doc["clients"] if "delivery" in c}


def findings(doc, kind):
    return {f["subject"]: f for f in doc["findings"] if f["kind"] == kind}


def check_kafka(pcap, truth):
    problems = []
    doc = report(pcap)
    got = deliveries(doc)
    want_fail, want_sasl = {}, {}
    for c in truth["clients"]:
        if "acked_by_partition" not in c:
            continue
        cid = c["client_id"]
        d = got.get(cid)
        if c["sent"] and c["acked"] + c["failed"] and c.get("auth_failed", 0) == 0:
            if d is None:
                problems.append("%s: no delivery in --json" % cid)
                continue
            acked = {str(p["partition"]): p["records_acked"] for p in d["partitions"] if p["records_acked"]}
            failed = {str(p["partition"]): p["records_failed"] for p in d["partitions"] if p["records_failed"]}
            if acked != c["acked_by_partition"]:
                problems.append("%s: acked per partition %s, callbacks %s" % (cid, acked, c["acked_by_partition"]))
            if failed != c["failed_by_partition"]:
                problems.append("%s: failed per partition %s, callbacks %s" % (cid, failed, c["failed_by_partition"]))
            codes = {JAVA_EXCEPTION_CODE.get(k, k): v for k, v in c["failed_by_error"].items()}
            if d["failed_by_error"] != codes:
                problems.append("%s: failed by code %s, callbacks %s" % (cid, d["failed_by_error"], codes))
        # refused by a broker; a login or metadata timeout never reached one
        refused = sum(v for k, v in c["failed_by_error"].items() if k in JAVA_EXCEPTION_CODE)
        answered = c["acked"] + refused
        if refused >= FAIL_MIN and refused / answered >= FAIL_SHARE:
            want_fail["client id " + cid] = "critical" if refused / answered >= FAIL_CRIT else "warning"
        logins = c.get("auth_failed", 0) + c.get("auth_succeeded", 0)
        if c.get("auth_failed", 0) >= SASL_MIN and c["auth_failed"] / logins >= SASL_SHARE:
            want_sasl["client id " + cid] = "critical" if c["auth_failed"] == logins else "warning"
    for kind, want in (("failing_client", want_fail), ("sasl_auth_failure", want_sasl)):
        have = {s: f["severity"] for s, f in findings(doc, kind).items()}
        if have != want:
            problems.append("%s findings %s, the clients' own counts call for %s" % (kind, have, want))
    sasl = findings(doc, "sasl_auth_failure")
    for c in truth["clients"]:
        f = sasl.get("client id " + c["client_id"])
        if f and f["metrics"]["failed_logins"] != c["auth_failed"]:
            problems.append("%s: %s failed logins, its metric %s"
                            % (c["client_id"], f["metrics"]["failed_logins"], c["auth_failed"]))
    return problems


def check_mock(pcap, truth):
    problems = []
    doc = report(pcap)
    got = deliveries(doc)
    leaders = {t: v["leaders"] for t, v in truth["topics"].items()}
    injected = {}
    for e in truth.get("injected_errors", []):
        if e["api"] == "Produce":
            injected.setdefault(e["broker"], set()).add(e["error"])
    for prod in truth["producers"]:
        cid = prod["client_id"]
        d = got.get(cid)
        if d is None:
            problems.append("%s: no delivery in --json" % cid)
            continue
        acked = sum(p["acked_records"] for p in truth["partitions"] if p["producer"] == cid)
        if d["records_acked"] != acked:
            problems.append("%s: records_acked %d, delivery reports %d" % (cid, d["records_acked"], acked))
        codes = set()
        for b in set(leaders[prod["topic"]]):
            codes |= injected.get(b, set())
        if set(d["failed_by_error"]) != codes:
            problems.append("%s: refused with %s, injected on its leaders %s"
                            % (cid, sorted(d["failed_by_error"]), sorted(codes)))
    return problems


def main():
    n = bad = 0
    runs = [(glob.glob(os.path.join(SRCDIR, "pcaps", "kafka", "*.truth.json")), "kafka/", check_kafka,
             lambda t: any("acked_by_partition" in c for c in t.get("clients", []))),
            (glob.glob(os.path.join(SRCDIR, "pcaps", "*.truth.json")), "", check_mock,
             lambda t: t.get("scenario") == "produce-errors")]
    for paths, prefix, fn, usable in runs:
        for truth_path in sorted(paths):
            truth = json.load(open(truth_path))
            pcap = truth_path[:-len(".truth.json")] + ".pcap"
            if not usable(truth) or not os.path.exists(pcap):
                continue
            n += 1
            problems = fn(pcap, truth)
            bad += bool(problems)
            for p in problems:
                print("FAIL %s%s: %s" % (prefix, os.path.basename(pcap), p))
            if not problems:
                print("ok   %s%s" % (prefix, os.path.basename(pcap)))
    if n < 3:
        print("FAIL: only %d captures with per-client truth" % n)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
