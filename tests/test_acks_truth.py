#!/usr/bin/env python3
"""test_acks_truth.py - which follower acks=all Produce waited for, and the
slow_follower_acks finding, against truth that is not kafkatap's: the node
the recorder slowed and when (pcaps/kafka/slow-follower-acks.truth.json,
the harness's broker_slow), the producers' configuration and counts, the
broker's end offsets, and the independent schema decoder
(tests/kafkawire.py) reading every Produce request and response and every
follower Fetch request.

  - the finding names the slowed node (3, by its listener) and topic
    payments, and no finding names node 2 or topic steady (produced before
    the slowing: the near miss);
  - reading only the slowed window (--since/--until at the recorder's
    start and end) the finding is there; before it, it is not;
  - every acks=all write the broker acknowledged was matched: the writes
    kafkatap counts per partition are the decoder's acks=all Produce
    partition results without error, their records the broker's end
    offsets;
  - the decoder's own matching (each follower's first Fetch request with a
    fetch offset past the write's last offset, no later than the Produce
    response; the last of those) agrees with kafkatap's waited-for counts
    per partition and follower, within 2% of the writes;
  - Produce queue wait at p50 is higher in the slowed window than before it
    (the queueing max.in.flight 5 builds behind a slow follower).
Exits 77 (skipped) when the capture is absent.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
sys.path.insert(0, os.path.join(SRCDIR, "tests"))
import kafkawire as kw  # noqa: E402

NAME = "slow-follower-acks"
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok - " if ok else "FAIL - ") + what + ("" if ok else "  (%s)" % (detail,)))
    if not ok:
        failures += 1
    return ok


def report(pcap, *args):
    out = subprocess.run([KAFKATAP, "-r", pcap, "--json"] + list(args), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def acks_findings(rep):
    return [f for f in rep["findings"] if f["kind"] == "slow_follower_acks"]


def decoder_matching(ex, names):
    """{(topic, partition): writes}, {(topic, partition, follower): waited} from
    the decoded exchanges alone."""
    fetches = defaultdict(list)          # (topic, partition, follower) -> [(time, offset)]
    followers = defaultdict(set)
    for e in ex:
        if e["api"] != "Fetch" or kw.replica_id(e) < 0:
            continue
        node = kw.replica_id(e)
        for t in e["request"]["Topics"]:
            topic = names.get(kw.uuid_str(t["TopicId"]) if "TopicId" in t else t["Topic"])
            for q in t["Partitions"]:
                fetches[(topic, q["Partition"], node)].append((e["time"], q["FetchOffset"]))
                followers[(topic, q["Partition"])].add(node)
    writes, waited = defaultdict(int), defaultdict(int)
    for e in ex:
        if e["api"] != "Produce" or e["request"]["Acks"] != -1 or not e["response"]:
            continue
        counts = {}
        for t in e["request"]["TopicData"]:
            topic = names.get(kw.uuid_str(t["TopicId"]) if "TopicId" in t else t["Name"])
            for q in t["PartitionData"]:
                counts[(topic, q["Index"])] = sum(b["count"] for b in kw.record_batches(q["Records"]))
        for t in e["response"]["Responses"]:
            topic = names.get(kw.uuid_str(t["TopicId"]) if "TopicId" in t else t["Name"])
            for q in t["PartitionResponses"]:
                key = (topic, q["Index"])
                if q["ErrorCode"] or key not in counts:
                    continue
                last = q["BaseOffset"] + counts[key] - 1
                writes[key] += 1
                confirm = {}
                for node in followers[key]:
                    for when, off in fetches[(topic, q["Index"], node)]:
                        if off > last:
                            if when <= e["response_time"]:
                                confirm[node] = when
                            break
                if confirm:
                    waited[(topic, q["Index"], max(confirm, key=confirm.get))] += 1
    return writes, waited


def main():
    pcap = os.path.join(SRCDIR, "pcaps", "kafka", NAME + ".pcap")
    if not os.path.exists(pcap):
        print("skip: no " + pcap)
        return 77
    with open(os.path.join(SRCDIR, "pcaps", "kafka", NAME + ".truth.json")) as f:
        truth = json.load(f)
    slowed = truth["slowed"]
    check("the recorder slowed one node", len(slowed) == 1, slowed)
    node, addr = slowed[0]["node"], slowed[0]["broker"]
    others = {i + 1 for i in range(len(truth["brokers"]))} - {1, node}
    producers = {c["topic"]: c for c in truth["clients"] if c["role"] == "producer"}
    check("both producers: acks=all, max.in.flight 5",
          all(c["config"]["acks"] == "all" and
              c["config"]["max.in.flight.requests.per.connection"] == "5"
              for c in producers.values()), producers)

    rep = report(pcap)
    fs = acks_findings(rep)
    check(f"one slow_follower_acks finding", len(fs) == 1, [f["summary"] for f in fs])
    if fs:
        f = fs[0]
        check(f"it names follower {node} by its listener {addr}, topic payments",
              f["metrics"]["follower_id"] == node and
              f"follower broker {node} ({addr}) of topic payments" == f["subject"], f["subject"])
        check("and partitions 0-2 of payments", "payments/0-2 " in f["summary"], f["summary"])
    check(f"no finding names node(s) {sorted(others)} or topic steady",
          not any(f["metrics"]["follower_id"] in others or "steady" in f["subject"] for f in fs))

    during = report(pcap, "--since", "%.3f" % slowed[0]["start"], "--until", "%.3f" % slowed[0]["end"])
    before = report(pcap, "--until", "%.3f" % slowed[0]["start"])
    check("in the slowed window alone the finding names node %d" % node,
          [f["metrics"]["follower_id"] for f in acks_findings(during)] == [node],
          [f["summary"] for f in acks_findings(during)])
    check("before the slowing there is none", not acks_findings(before),
          [f["summary"] for f in acks_findings(before)])

    def produce_queue(r):
        return [a for a in r["apis"] if a["api"] == "Produce"][0]["queue_wait_ms"]["p50"]
    qb, qd = produce_queue(before), produce_queue(during)
    check(f"Produce queue wait p50 rose from {qb} ms before the slowing to {qd} ms during it",
          qd > qb)

    ends = {(p["topic"], p["partition"]): p["end_offset"] for p in truth["partitions"]}
    parts = {(p["topic"], p["partition"]): p for p in rep["partitions"]}
    check("the partitions' produced records are the broker's end offsets",
          all(parts[k]["produce"]["records"] == v for k, v in ends.items()),
          {k: parts[k]["produce"]["records"] for k in ends})

    schema = kw.Schema(os.path.join(SRCDIR, "dissectors", "schema"))
    ports = [int(b.rsplit(":", 1)[1]) for b in truth["brokers"]]
    ex, problems, _ = kw.decode_capture(pcap, ports, schema)
    check("the decoder reads the capture", not problems, problems[:3])
    names = {v: k for k, v in truth["topic_ids"].items()}
    names.update({k: k for k in truth["topic_ids"]})
    writes, waited = decoder_matching(ex, names)
    rows = {(r["topic"], r["partition"], r["follower_id"]): r for r in rep["acks_waits"]}
    for (topic, p), n in sorted(writes.items()):
        r = [x for k, x in rows.items() if k[:2] == (topic, p)]
        check(f"{topic}/{p}: {n} acks=all writes acknowledged (decoder), kafkatap matched "
              f"{r[0]['matched'] if r else None} of {r[0]['produced'] if r else None}",
              r and r[0]["produced"] == n and r[0]["matched"] == n)
        for x in r:
            want = waited[(topic, p, x["follower_id"])]
            check(f"{topic}/{p}: waited on follower {x['follower_id']} {x['waited_for']} times, "
                  f"the decoder's matching {want} (within 2% of {n})",
                  abs(x["waited_for"] - want) <= 0.02 * n)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
