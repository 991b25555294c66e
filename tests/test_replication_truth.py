#!/usr/bin/env python3
"""test_replication_truth.py - kafkatap's replication rows and findings, and
the split of follower from consumer Fetch, against truth that is not
kafkatap's: the recorder's own freeze times and node ids, the broker's end
offsets and the clients' counts (pcaps/kafka/NAME.truth.json), tshark's
request headers and the independent schema decoder (tests/kafkawire.py)
reading each Fetch request's replica id (ReplicaState from v15, which
tshark 4.0 does not decode).

For the real Apache Kafka captures with inter-broker replication:
  - the "Fetch" API row counts exactly the Fetch requests without a replica
    id, "Fetch (follower)" exactly those with one, and together they are
    every Fetch request header tshark reads; the per-partition fetch
    counts are the consumers' alone;
  - replication-lag: node 3 was frozen 8 s (past the 5 s threshold), node 2
    2 s (a near miss): one replication_lag finding, naming follower 3, its
    behind time within a second of the freeze, its lag the decoder's
    largest high watermark minus fetch offset of node 3's fetches, and no
    finding names node 2; every follower row replicated the broker's end
    offset of its partition; partition 0's fetched records are the
    consumer's own count;
  - broker-failure: the replication findings name only the node the
    recorder killed.
Exits 77 (skipped) without tshark.
"""
import json
import os
import shutil
import subprocess
import sys

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
sys.path.insert(0, os.path.join(SRCDIR, "tests"))
import kafkawire as kw  # noqa: E402

REPL_MIN_S = 5.0
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok - " if ok else "FAIL - ") + what + ("" if ok else "  (%s)" % (detail,)))
    if not ok:
        failures += 1
    return ok


def port_of(addr):
    return int(addr.rsplit(":", 1)[1])



def report(pcap):
    out = subprocess.run([KAFKATAP, "-r", pcap, "--json"], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def repl_findings(rep):
    return [f for f in rep["findings"] if f["kind"] in ("replication_lag", "slow_follower")]


def metric(f, key):
    return f["metrics"][key]


def split_counts(name, rep, ex, pcap, ports):
    fetches = [e for e in ex if e["api"] == "Fetch"]
    consumer = sum(1 for e in fetches if kw.replica_id(e) < 0)
    follower = sum(1 for e in fetches if kw.replica_id(e) >= 0)
    rows = {a["api"]: a["requests"] for a in rep["apis"] if a["api_key"] == 1}
    tshark = sum(1 for h in kw.tshark_headers(pcap, ports) if h[2] == 1)
    check(f"{name}: Fetch row = {consumer} consumer Fetch requests", rows.get("Fetch", 0) == consumer,
          rows)
    check(f"{name}: Fetch (follower) row = {follower} Fetch requests with a replica id",
          rows.get("Fetch (follower)", 0) == follower, rows)
    check(f"{name}: together every Fetch request header tshark reads ({tshark})",
          consumer + follower == tshark, (consumer, follower, tshark))
    per_part = sum(p["fetch"]["requests"] for p in rep["partitions"])
    named = 0   # partitions each consumer Fetch names, in its request or (a fetch
    for e in fetches:  # session's partition with new data) only in its response
        if kw.replica_id(e) >= 0:
            continue
        parts = {(t["TopicId"], q["Partition"]) for t in e["request"]["Topics"] for q in t["Partitions"]}
        for rt in (e["response"] or {}).get("Responses", []):
            parts |= {(rt["TopicId"], q["PartitionIndex"]) for q in rt["Partitions"]}
        named += len(parts)
    check(f"{name}: per-partition fetch requests are the consumers' ({named} partition entries)",
          per_part == named, (per_part, named))
    roles = {c["client_id"]: c["role"] for c in rep["clients"]}
    fetchers = {e["client_id"] for e in fetches if kw.replica_id(e) >= 0}
    check(f"{name}: the followers' client ids have role follower",
          fetchers and all(roles.get(c) == "follower" for c in fetchers), roles)


def replication_lag(pcap, truth, ex, rep):
    name = "replication-lag"
    paused = {p["node"]: p for p in truth["paused"]}
    want = {n for n, p in paused.items() if p["seconds"] >= REPL_MIN_S}
    near = {n for n, p in paused.items() if p["seconds"] < REPL_MIN_S}
    check(f"{name}: the recorder froze one node past 5 s and one short of it",
          len(want) == 1 and len(near) == 1, paused)
    fs = repl_findings(rep)
    named = {int(metric(f, "follower_id")) for f in fs}
    check(f"{name}: the replication findings name followers {sorted(want)}, not {sorted(near)}",
          named == want, [f["summary"] for f in fs])
    lagf = [f for f in fs if f["kind"] == "replication_lag"]
    if check(f"{name}: one replication_lag finding", len(lagf) == 1, fs):
        f = lagf[0]
        node = int(metric(f, "follower_id"))
        secs = paused[node]["seconds"]
        check(f"{name}: behind {metric(f, 'behind_s'):.2f} s, the freeze {secs} s (+ at most 1 s)",
              secs - 0.1 <= metric(f, "behind_s") <= secs + 1.0)
        lag = 0
        for e in ex:
            if e["api"] != "Fetch" or kw.replica_id(e) != node or not e["response"]:
                continue
            offs = {(t["TopicId"], q["Partition"]): q["FetchOffset"]
                    for t in e["request"]["Topics"] for q in t["Partitions"]}
            for rt in e["response"]["Responses"]:
                for q in rt["Partitions"]:
                    k = (rt["TopicId"], q["PartitionIndex"])
                    if k in offs:
                        lag = max(lag, q["HighWatermark"] - offs[k])
        check(f"{name}: largest lag {metric(f, 'lag_max_records'):.0f} = the decoder's {lag}",
              metric(f, "lag_max_records") == lag)
        check(f"{name}: the finding names the leader {truth['brokers'][0]}",
              truth["brokers"][0] in f["subject"], f["subject"])
        check(f"{name}: and the follower by its listener {paused[node]['broker']} (Metadata)",
              f"follower broker {node} ({paused[node]['broker']})" in f["subject"], f["subject"])
    ends = {(p["topic"], p["partition"]): p["end_offset"] for p in truth["partitions"]}
    rows = {(r["follower_id"], r["topic"], r["partition"]): r["records"] for r in rep["replication"]}
    check(f"{name}: followers 2 and 3 replicated the broker's end offsets {ends}",
          all(rows.get((n, t, p)) == off for n in (2, 3) for (t, p), off in ends.items()), rows)
    reader = [c for c in truth["clients"] if c["role"] == "consumer"][0]
    p0 = [p for p in rep["partitions"] if p["partition"] == 0][0]
    check(f"{name}: partition 0 fetched {reader['reported_records']} records, the consumer's count",
          p0["fetch"]["records"] == reader["reported_records"], p0["fetch"]["records"])


def broker_failure(ex, truth, rep):
    name = "broker-failure"
    fport = port_of(truth["failed_brokers"][0])
    nodes = {b["Port"]: b["NodeId"] for e in ex if e["api"] == "Metadata" and e["response"]
             for b in e["response"]["Brokers"]}
    named = {int(metric(f, "follower_id")) for f in repl_findings(rep)}
    check(f"{name}: the replication findings name only the killed node {nodes.get(fport)}",
          named == {nodes.get(fport)}, [f["summary"] for f in repl_findings(rep)])


def main():
    if not shutil.which("tshark"):
        print("tshark not found: skipped")
        return 77
    schema = kw.Schema(os.path.join(SRCDIR, "dissectors", "schema"))
    for name in ("replication-lag", "broker-failure"):
        pcap = os.path.join(SRCDIR, "pcaps", "kafka", name + ".pcap")
        with open(pcap[:-len(".pcap")] + ".truth.json") as f:
            truth = json.load(f)
        ports = {port_of(b) for b in truth["brokers"]}
        ex, problems, _ = kw.decode_capture(pcap, ports, schema)
        check(f"{name}: the decoder reads every message", ex and not problems, problems[:3])
        rep = report(pcap)
        split_counts(name, rep, ex, pcap, ports)
        if name == "replication-lag":
            replication_lag(pcap, truth, ex, rep)
        else:
            broker_failure(ex, truth, rep)
    print("%s" % ("all passed" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
