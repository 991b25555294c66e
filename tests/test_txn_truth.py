#!/usr/bin/env python3
"""test_txn_truth.py - kafkatap's --json "transactions" and the transaction
findings against the ground truth of the real Apache Kafka captures
(pcaps/kafka/NAME.truth.json): the counts the transactional producers
printed themselves (tools/kafka-harness/java/TxnProducer.java), the records
a read_committed consumer received, and the broker's end offsets; never
kafkatap's own output.

For pcaps/kafka/transactions.pcap:
  - per transactional id: transactions committed = the producer's; aborted
    by EndTxn plus aborted by the coordinator (a fenced producer's open
    transaction) = the producer's aborted; records in committed and in
    aborted transactions = the producer's;
  - the committed records = what the read_committed consumer received;
  - control records apart from data: records produced = committed +
    aborted records; per partition, records fetched (the consumer read
    every partition from the start) + control records fetched = the
    broker's end offset, which counts one marker per partition and
    transaction end;
  - transaction_aborts names exactly the ids with at least 10 transactions
    ended by EndTxn and an abort share of at least 20% (critical from 50%):
    payments-tx (10 of 20) and not ledger-tx (1 of 21, the near miss);
    transaction_fenced names exactly the ids whose producer was fenced.
For every other real Kafka capture (no transactional producer): no
transactional id, no control records, no transaction finding.
"""
import glob
import json
import os
import subprocess
import sys

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
MIN_ENDED, WARN_SHARE, CRIT_SHARE = 10, 0.20, 0.50


def report(pcap):
    r = subprocess.run([KAFKATAP, "-r", pcap, "--json"], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("kafkatap failed on %s: %s" % (pcap, r.stderr))
    return json.loads(r.stdout)


def txn_findings(rep, kind):
    out = {}
    for f in rep["findings"]:
        if f["kind"] == kind:
            out[f["subject"].replace("transactional id ", "", 1)] = f["severity"]
    return out


def check_transactions(rep, truth):
    problems = []
    got = {t["transactional_id"]: t for t in rep["transactions"]["transactional_ids"]}
    for t in truth["transactions"]:
        tid = t["transactional_id"]
        g = got.get(tid)
        if not g:
            problems.append("%s missing" % tid)
            continue
        pairs = [("committed", g["committed"], t["committed"]),
                 ("aborted", g["aborted"] + g["aborted_by_coordinator"], t["aborted"]),
                 ("records_committed", g["records_committed"], t["records_committed"]),
                 ("records_aborted", g["records_aborted"], t["records_aborted"]),
                 ("fenced", min(g["fenced"], 1), min(t["fenced"], 1))]
        for what, ours, theirs in pairs:
            if ours != theirs:
                problems.append("%s %s: kafkatap %s, producer %s" % (tid, what, ours, theirs))
    if set(got) != {t["transactional_id"] for t in truth["transactions"]}:
        problems.append("transactional ids %s, producers %s" %
                        (sorted(got), sorted(t["transactional_id"] for t in truth["transactions"])))
    committed = sum(g["records_committed"] for g in got.values())
    readers = [c for c in truth["clients"] if c["role"] == "consumer"]
    if not readers or readers[0]["reported_records"] != committed:
        problems.append("committed records %d, read_committed consumer got %s" %
                        (committed, readers[0]["reported_records"] if readers else None))
    produced = sum(p["produce"]["records"] for p in rep["partitions"])
    fetched = sum(p["fetch"]["records"] for p in rep["partitions"])
    control = rep["transactions"]["control_records_fetched"]
    want_produced = truth["transactional_records_committed"] + truth["transactional_records_aborted"]
    if produced != want_produced:
        problems.append("records produced %d, producers wrote %d" % (produced, want_produced))
    if fetched + control != truth["records_total"]:
        problems.append("records fetched %d + control records %d != broker end offsets %d" %
                        (fetched, control, truth["records_total"]))
    ends = {(p["topic"], p["partition"]): p["records"] for p in truth["partitions"]}
    for p in rep["partitions"]:
        k = (p["topic"], p["partition"])
        got_k = p["fetch"]["records"] + p["fetch"]["control_records"]
        if k in ends and got_k != ends[k]:
            problems.append("%s/%d: fetched %d records + %d control records, broker end offset %d" %
                            (k[0], k[1], p["fetch"]["records"], p["fetch"]["control_records"], ends[k]))
    if sum(p["fetch"]["control_records"] for p in rep["partitions"]) != control:
        problems.append("control records per partition do not add up to the total")
    if fetched != want_produced:
        problems.append("data records fetched %d, producers wrote %d" % (fetched, want_produced))
    want = {}
    for t in truth["transactions"]:
        ended = t["committed"] + t["aborted"] - t["fenced"]   # by EndTxn
        aborted = t["aborted"] - t["fenced"]
        if ended >= MIN_ENDED and aborted / ended >= WARN_SHARE:
            want[t["transactional_id"]] = "critical" if aborted / ended >= CRIT_SHARE else "warning"
    if txn_findings(rep, "transaction_aborts") != want:
        problems.append("transaction_aborts %s, truth calls for %s" %
                        (txn_findings(rep, "transaction_aborts"), want))
    fenced = {t["transactional_id"] for t in truth["transactions"] if t["fenced"]}
    if set(txn_findings(rep, "transaction_fenced")) != fenced:
        problems.append("transaction_fenced %s, fenced producers %s" %
                        (sorted(txn_findings(rep, "transaction_fenced")), sorted(fenced)))
    return problems


def check_plain(rep):
    problems = []
    if rep["transactions"]["transactional_ids"]:
        problems.append("transactional ids in a capture without transactions")
    if rep["transactions"]["control_records_fetched"]:
        problems.append("control records in a capture without transactions")
    kinds = {f["kind"] for f in rep["findings"]} & {"transaction_aborts", "transaction_fenced"}
    if kinds:
        problems.append("transaction findings %s" % sorted(kinds))
    return problems


def main():
    n = bad = 0
    seen_txn = False
    for truth_path in sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "kafka", "*.truth.json"))):
        truth = json.load(open(truth_path))
        pcap = truth_path[:-len(".truth.json")] + ".pcap"
        rep = report(pcap)
        if truth.get("transactions"):
            seen_txn = True
            problems = check_transactions(rep, truth)
        else:
            problems = check_plain(rep)
        n += 1
        bad += bool(problems)
        name = "kafka/" + os.path.basename(pcap)
        for p in problems:
            print("FAIL %s: %s" % (name, p))
        if not problems:
            print("ok   %s" % name)
    if not seen_txn:
        print("FAIL: no capture with transactions in its truth")
        return 1
    print("%d captures, %d with problems" % (n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
