#!/usr/bin/env python3
"""Checks the captures recorded against a real Apache Kafka (pcaps/kafka/).

For each NAME.pcap with its NAME.truth.json it decodes every request and
response with an independent schema walker (tests/kafkawire.py, official
message definitions in dissectors/schema/), cross-checks the request headers
with tshark's own Kafka dissector, and compares the wire with the truth file:
API versions (Produce >= 12, Fetch >= 17 with topic ids, ConsumerGroupHeartbeat
in the KIP-848 scenario), records acknowledged on the wire vs the broker's end
offsets, client-reported counts, throttling, rebalances, deletion errors,
and in replication-lag the followers' fetches against the recorder's freezes.
Needs python3 and tshark; no Java. Exits non-zero on any failure and ends with
'N passed, N failed'.
Usage: test_kafka_captures.py [--pcaps DIR] [--schema DIR] [--versions]
"""
import argparse
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkawire as kw  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, REBALANCE_IN_PROGRESS = 3, 100, 27


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok - {name}")
        else:
            self.failed += 1
            print(f"FAIL - {name}{': ' + str(detail) if detail else ''}")
        return ok


def port_of(addr):
    return int(addr.rsplit(":", 1)[1])


def ports_of(truth):
    return {port_of(b) for b in truth["brokers"]}


def truth_format_problems(t):
    p = []
    if not (isinstance(t.get("brokers"), list) and t["brokers"]
            and all(re.fullmatch(r"[0-9.]+:\d+", b) for b in t["brokers"])):
        p.append("brokers")
    if not re.fullmatch(r"4\.\d+\.\d+", str(t.get("kafka_version"))):
        p.append("kafka_version")
    parts = t.get("partitions")
    if not isinstance(parts, list) or not all(
            isinstance(x.get("topic"), str) and isinstance(x.get("partition"), int)
            and isinstance(x.get("records"), int) and x["records"] >= 0 for x in parts):
        p.append("partitions")
    if not (isinstance(t.get("throttled_client_ids"), list)
            and all(isinstance(c, str) for c in t["throttled_client_ids"])):
        p.append("throttled_client_ids")
    if not isinstance(t.get("notes"), str) or not t["notes"]:
        p.append("notes")
    return p


def topic_names(exchanges):
    """topic id (printable) -> name, from the Metadata responses on the wire."""
    names = {}
    for e in exchanges:
        if e["api"] == "Metadata" and e["response"]:
            for t in e["response"]["Topics"]:
                if t.get("Name") and not kw.is_zero_uuid(t.get("TopicId", bytes(16))):
                    names[kw.uuid_str(t["TopicId"])] = t["Name"]
    return names


def acked_records(exchanges, names):
    """Records the broker acknowledged (error 0) per (topic, partition), and the
    codecs seen per topic, from Produce requests and their responses."""
    acked, codecs, bad_crc = collections.Counter(), collections.defaultdict(set), 0
    seen = set()  # an idempotent producer's retried batch counts once
    for e in exchanges:
        if e["api"] != "Produce" or not e["response"]:
            continue
        errs = {}
        for t in e["response"]["Responses"]:
            tname = t.get("Name") or names.get(kw.uuid_str(t.get("TopicId", b"")), "?")
            for p in t["PartitionResponses"]:
                errs[(tname, p["Index"])] = p["ErrorCode"]
        for t in e["request"]["TopicData"]:
            tname = t.get("Name") or names.get(kw.uuid_str(t.get("TopicId", b"")), "?")
            for p in t["PartitionData"]:
                for b in kw.record_batches(p["Records"]):
                    bad_crc += not b["crc_ok"]
                    codecs[tname].add(b["codec"])
                    # (a transactional producer's epoch goes up with every
                    # transaction and its sequence numbers start again)
                    ident = (tname, p["Index"], b["producer_id"], b["producer_epoch"], b["base_sequence"])
                    if errs.get((tname, p["Index"])) == 0 and (b["producer_id"] < 0 or ident not in seen):
                        seen.add(ident)
                        acked[(tname, p["Index"])] += b["count"]
    return acked, codecs, bad_crc


def compare_counts(acked, truth):
    """Differences between wire-acknowledged records and the broker's counts."""
    deleted = set(truth.get("deleted_topics", []))
    want = {(p["topic"], p["partition"]): p["records"] for p in truth["partitions"]}
    diffs = []
    for k in sorted(set(want) | {k for k in acked if k[0] not in deleted}):
        if acked.get(k, 0) != want.get(k, 0):
            diffs.append(f"{k[0]}/{k[1]}: wire {acked.get(k, 0)} broker {want.get(k, 0)}")
    return diffs


def versions_seen(exchanges):
    v = collections.defaultdict(set)
    for e in exchanges:
        v[e["api"]].add(e["version"])
    return v


def clients(truth, role):
    return [c for c in truth.get("clients", []) if c["role"] == role]


# ------------------------------------------------------------ per scenario

def check_codecs(res, name, ex, truth, names):
    acked, codecs, _ = acked_records(ex, names)
    for c, code in CODECS.items():
        res.check(f"{name}: Produce batches to codec-{c} use codec {code}",
                  codecs.get(f"codec-{c}") == {code}, codecs.get(f"codec-{c}"))
    fetched = collections.defaultdict(set)
    for e in ex:
        if e["api"] == "Fetch" and e["response"]:
            for t in e["response"]["Responses"]:
                tname = names.get(kw.uuid_str(t["TopicId"]), "?")
                for p in t["Partitions"]:
                    for b in kw.record_batches(p["Records"]):
                        fetched[(tname, p["PartitionIndex"])].add((b["base_offset"], b["count"]))
    total_fetched = sum(c for s in fetched.values() for _, c in s)
    consumed = sum(c["reported_records"] for c in clients(truth, "consumer"))
    res.check(f"{name}: records in Fetch responses = broker total = consumer's count",
              total_fetched == truth["records_total"] == consumed,
              f"fetched {total_fetched}, broker {truth['records_total']}, consumer {consumed}")


def group_events(ex, group):
    return [e for e in ex if (e["request"].get("GroupId") == group)]


def check_classic_group(res, name, ex, truth):
    g = truth["consumer_groups"][0]["group"]
    ev = group_events(ex, g)
    joiners = {e["client_id"] for e in ev if e["api"] == "JoinGroup"}
    members = {c["client_id"] for c in clients(truth, "consumer")}
    res.check(f"{name}: JoinGroup from every consumer of {g}", members and members <= joiners,
              f"joined {sorted(joiners)}, consumers {sorted(members)}")
    gens = {e["response"]["GenerationId"] for e in ev
            if e["api"] == "JoinGroup" and e["response"] and e["response"]["ErrorCode"] == 0}
    res.check(f"{name}: the group rebalanced (>= 3 generations in JoinGroup responses)",
              len(gens) >= 3, sorted(gens))
    rebal = [e for e in ev if e["response"] and e["response"].get("ErrorCode") == REBALANCE_IN_PROGRESS]
    res.check(f"{name}: a member was told REBALANCE_IN_PROGRESS", bool(rebal))
    res.check(f"{name}: LeaveGroup from the stopped consumer",
              any(e["api"] == "LeaveGroup" for e in ev))
    res.check(f"{name}: no ConsumerGroupHeartbeat in a classic group",
              not any(e["api"] == "ConsumerGroupHeartbeat" for e in ex))
    check_group_totals(res, name, truth)


def check_kip848_group(res, name, ex, truth):
    g = truth["consumer_groups"][0]["group"]
    ev = group_events(ex, g)
    hb = [e for e in ev if e["api"] == "ConsumerGroupHeartbeat"]
    members = {c["client_id"] for c in clients(truth, "consumer")}
    res.check(f"{name}: ConsumerGroupHeartbeat from every consumer of {g}",
              members and members <= {e["client_id"] for e in hb})
    res.check(f"{name}: no JoinGroup/SyncGroup in a KIP-848 group",
              not any(e["api"] in ("JoinGroup", "SyncGroup") for e in ev))
    epochs = {e["response"]["MemberEpoch"] for e in hb if e["response"] and e["response"]["ErrorCode"] == 0}
    res.check(f"{name}: the group rebalanced (>= 3 member epochs)", len(epochs) >= 3, sorted(epochs))
    res.check(f"{name}: a member left (heartbeat with epoch -1)",
              any(e["request"]["MemberEpoch"] == -1 for e in hb))
    assigned = set()
    for e in hb:
        r = e["response"]
        if r and r.get("Assignment"):
            for tp in r["Assignment"]["TopicPartitions"]:
                assigned.add((e["client_id"], len(tp["Partitions"])))
    res.check(f"{name}: both consumers were assigned partitions",
              len({c for c, _ in assigned}) >= 2, sorted(assigned))
    check_group_totals(res, name, truth)


def check_group_totals(res, name, truth):
    g = truth["consumer_groups"][0]
    res.check(f"{name}: group {g['group']} committed up to the end of the topic",
              g["committed_offset_total"] == truth["records_total"],
              f"{g['committed_offset_total']} vs {truth['records_total']}")
    per = {c["client_id"]: c["reported_records"] for c in clients(truth, "consumer")}
    res.check(f"{name}: every consumer reported records", per and all(n > 0 for n in per.values()), per)


def check_quota(res, name, ex, truth):
    throttled = set(truth["throttled_client_ids"])
    res.check(f"{name}: truth names a throttled client", bool(throttled))
    res.check(f"{name}: AlterClientQuotas on the wire",
              any(e["api"] == "AlterClientQuotas" and e["response"] for e in ex))
    by_client = collections.defaultdict(list)
    for e in ex:
        if e["api"] == "Produce" and e["response"]:
            by_client[e["client_id"]].append(e["response"]["ThrottleTimeMs"])
    for cid in sorted(by_client):
        mx = max(by_client[cid])
        if cid in throttled:
            res.check(f"{name}: Produce responses throttle {cid}", mx > 0, by_client[cid])
        else:
            res.check(f"{name}: Produce responses never throttle {cid}", mx == 0, mx)
    for c in clients(truth, "producer"):
        metric = c.get("produce_throttle_time_max_ms", 0)
        res.check(f"{name}: client metric produce-throttle-time-max of {c['client_id']} "
                  f"{'> 0' if c['client_id'] in throttled else '= 0'}",
                  (metric > 0) == (c["client_id"] in throttled), metric)


def check_deleted(res, name, ex, truth, names):
    deleted = set(truth["deleted_topics"])
    res.check(f"{name}: truth names a deleted topic, absent from partitions",
              bool(deleted) and not deleted & {p["topic"] for p in truth["partitions"]})
    dels = [e for e in ex if e["api"] == "DeleteTopics"]
    res.check(f"{name}: DeleteTopics on the wire succeeded",
              any(r["ErrorCode"] == 0 for e in dels if e["response"] for r in e["response"]["Responses"]))
    # The deletion is done when its response is sent: requests after that.
    after = dels[0].get("response_time", 1e30) if dels else 1e30
    deleted_ids = {i for i, n in names.items() if n in deleted}
    errors = collections.Counter()
    for e in ex:
        if not e["response"] or e["time"] < after:
            continue
        if e["api"] == "Metadata":
            for t in e["response"]["Topics"]:
                if t.get("Name") in deleted and t["ErrorCode"]:
                    errors[("Metadata", t["ErrorCode"])] += 1
        if e["api"] == "Produce":
            for t in e["response"]["Responses"]:
                if kw.uuid_str(t["TopicId"]) in deleted_ids:
                    for p in t["PartitionResponses"]:
                        if p["ErrorCode"]:
                            errors[("Produce", p["ErrorCode"])] += 1
    res.check(f"{name}: Produce responses say UNKNOWN_TOPIC_ID for the deleted topic after DeleteTopics",
              errors[("Produce", UNKNOWN_TOPIC_ID)] > 0, dict(errors))
    res.check(f"{name}: Metadata responses say UNKNOWN_TOPIC_OR_PARTITION for it after DeleteTopics",
              errors[("Metadata", UNKNOWN_TOPIC_OR_PARTITION)] > 0, dict(errors))
    late = [e for e in ex if e["api"] == "Produce" and e["time"] > after and e["response"]
            and any(kw.uuid_str(t["TopicId"]) in deleted_ids and p["ErrorCode"] == 0
                    for t in e["response"]["Responses"] for p in t["PartitionResponses"])]
    res.check(f"{name}: nothing is acknowledged for the deleted topic after DeleteTopics", not late,
              [e["correlation_id"] for e in late])
    acked, _, _ = acked_records(ex, names)
    for topic in deleted:
        wire = sum(n for (t, _), n in acked.items() if t == topic)
        client = sum(c["reported_records"] for c in clients(truth, "producer") if c["topic"] == topic)
        res.check(f"{name}: records acknowledged on the wire for {topic} = producer's count",
                  wire == client, f"wire {wire}, producer {client}")


def check_broker_failure(res, name, pcap, ex, truth, failed):
    res.check(f"{name}: truth lists 3 brokers and the killed one among them",
              len(truth["brokers"]) == 3 and len(failed) == 1 and failed <= ports_of(truth))
    fport = next(iter(failed), None)
    mds = [e for e in ex if e["api"] == "Metadata" and e["response"]]
    node_of = {b["Port"]: b["NodeId"] for e in mds for b in e["response"]["Brokers"]}
    fnode = node_of.get(fport)
    to_failed = [e for e in ex if e["port"] == fport]
    last_answer = max((e["response_time"] for e in to_failed if e["response"]), default=None)
    resets = kw.tcp_resets_from(pcap, fport) if fport else []
    res.check(f"{name}: the killed broker answered before and its port resets connections after",
              last_answer is not None and any(t > last_answer for t in resets),
              f"last answer {last_answer}, resets {resets[:5]}")
    before = [e for e in mds if last_answer is not None and e["time"] < last_answer]
    after = [e for e in mds if last_answer is not None and e["time"] > last_answer]
    res.check(f"{name}: Metadata lists all 3 brokers before the crash",
              before and all(len(e["response"]["Brokers"]) == 3 for e in before))
    res.check(f"{name}: Metadata drops the killed broker (node {fnode}) afterwards",
              any(fnode not in {b["NodeId"] for b in e["response"]["Brokers"]} for e in after))
    led = {}
    for e in mds:
        for t in e["response"]["Topics"]:
            for p in t["Partitions"] or []:
                led.setdefault((t["Name"], p["PartitionIndex"]), []).append(p["LeaderId"])
    moved = [k for k, ls in led.items() if fnode in ls and ls[-1] not in (fnode, -1)]
    res.check(f"{name}: leadership moved off the killed broker", bool(moved), led)
    late_ok = [e for e in ex if e["api"] == "Produce" and last_answer and e["time"] > last_answer
               and e["port"] != fport and e["response"]
               and all(p["ErrorCode"] == 0 for t in e["response"]["Responses"] for p in t["PartitionResponses"])]
    res.check(f"{name}: Produce succeeds on the other brokers after the crash", bool(late_ok))
    repl = [e for e in ex if e["api"] == "Fetch" and e["request"].get("ReplicaState", {}).get("ReplicaId", -1) >= 0]
    res.check(f"{name}: inter-broker replication Fetch (ReplicaState) in the capture", bool(repl))


def markers_written(ex):
    """Transaction markers per (topic, partition) that WriteTxnMarkers
    requests wrote (partition error 0 in the response): one record each."""
    out = collections.Counter()
    for e in ex:
        if e["api"] != "WriteTxnMarkers" or not e["response"]:
            continue
        for m in e["response"]["Markers"]:
            for t in m["Topics"]:
                for p in t["Partitions"]:
                    if p["ErrorCode"] == 0:
                        out[(t["Name"], p["PartitionIndex"])] += 1
    return out


def check_transactions(res, name, ex, truth):
    """EndTxn requests answered without error, per transactional id and
    result, = what the producers say they committed and aborted (the
    coordinator's own aborts of a fenced producer excluded); the fenced
    producer's EndTxn was refused; the read_committed consumer got exactly
    the committed records."""
    ended = collections.Counter()
    refused = collections.Counter()
    for e in ex:
        if e["api"] != "EndTxn" or not e["response"]:
            continue
        tid = e["request"]["TransactionalId"]
        if e["response"]["ErrorCode"] == 0:
            ended[(tid, bool(e["request"]["Committed"]))] += 1
        else:
            refused[tid] += 1
    for t in truth["transactions"]:
        tid = t["transactional_id"]
        res.check(f"{name}: {tid}: EndTxn commits/aborts on the wire = the producer's",
                  ended[(tid, True)] == t["committed"]
                  and ended[(tid, False)] == t["aborted"] - t["fenced"]
                  and refused[tid] == t["fenced"],
                  f"wire {ended[(tid, True)]}/{ended[(tid, False)]} refused {refused[tid]}, producer {t}")
    readers = clients(truth, "consumer")
    res.check(f"{name}: read_committed consumer got the committed records",
              readers and readers[0]["reported_records"] == truth["transactional_records_committed"])


def follower_gaps(ex, node):
    """(start, end) of the longest time between two Fetch requests of the
    follower with replica id node, and its first request after that gap."""
    times = sorted(e["time"] for e in ex if e["api"] == "Fetch" and kw.replica_id(e) == node)
    gaps = [(b - a, a, b) for a, b in zip(times, times[1:])]
    return max(gaps) if gaps else (0, None, None)


def capture_start(pcap):
    """Epoch time of the capture's first packet (kafkawire's times count
    from it)."""
    out = subprocess.run(["tshark", "-r", pcap, "-c", "1", "-T", "fields", "-e", "frame.time_epoch"],
                         check=True, capture_output=True, text=True).stdout
    return float(out.split()[0])


def check_slow_follower_acks(res, name, pcap, ex, truth):
    """Every Produce is acks=all; the slowed node's follower fetches stop
    for a freeze (stop_ms) at a time while it is slowed."""
    slowed = truth["slowed"][0]
    t0 = capture_start(pcap)
    produce = [e for e in ex if e["api"] == "Produce"]
    res.check(f"{name}: every Produce request is acks=all ({len(produce)})",
              produce and all(e["request"]["Acks"] == -1 for e in produce))
    times = sorted(e["time"] for e in ex if e["api"] == "Fetch" and
                   kw.replica_id(e) == slowed["node"] and
                   slowed["start"] - t0 <= e["time"] <= slowed["end"] - t0)
    gap = max((b - a for a, b in zip(times, times[1:])), default=0)
    res.check(f"{name}: node {slowed['node']}'s fetches while slowed pause up to {gap * 1000:.0f} ms "
              f"(stopped {slowed['stop_ms']} ms at a time)", gap >= 0.8 * slowed["stop_ms"] / 1000)


def check_replication_lag(res, name, pcap, ex, truth):
    """Followers 2 and 3 were frozen (SIGSTOP) for the times in truth's
    paused list: on the wire neither sends a Fetch while frozen, the long
    freeze makes a gap of about its length and leaves the follower at least
    100 records behind the high watermark when it comes back (it fell out
    of the ISR), the short one does not; every record the broker holds was
    replicated to both followers."""
    t0 = capture_start(pcap)
    paused = {p["node"]: dict(p, start=p["start"] - t0, end=p["end"] - t0) for p in truth.get("paused", [])}
    res.check(f"{name}: truth has node 3 frozen >= 5 s and node 2 under 5 s",
              paused.get(3, {}).get("seconds", 0) >= 5 and 0 < paused.get(2, {}).get("seconds", 9) < 5,
              paused)
    leader_port = port_of(truth["brokers"][0])
    fetches = [e for e in ex if e["api"] == "Fetch"]
    res.check(f"{name}: follower Fetch requests from nodes 2 and 3 only, all to node 1",
              {kw.replica_id(e) for e in fetches if kw.replica_id(e) >= 0} == {2, 3}
              and all(e["port"] == leader_port for e in fetches if kw.replica_id(e) >= 0))
    for node, p in sorted(paused.items()):
        during = [e for e in fetches if kw.replica_id(e) == node and p["start"] + 0.05 < e["time"] < p["end"] - 0.05]
        res.check(f"{name}: node {node} sends no Fetch while frozen", not during, len(during))
        gap, a, b = follower_gaps(ex, node)
        res.check(f"{name}: node {node}'s longest Fetch gap covers its freeze ({gap:.2f} s vs {p['seconds']} s)",
                  a is not None and a <= p["start"] + 0.05 and b >= p["end"] - 0.05 and gap < p["seconds"] + 1.0)
        after = [e for e in fetches if kw.replica_id(e) == node and e["time"] >= p["end"] - 0.05 and e["response"]]
        lag = 0
        for e in after[:3]:
            for t, rt in zip(e["request"]["Topics"], e["response"]["Responses"]):
                offs = {q["Partition"]: q["FetchOffset"] for q in t["Partitions"]}
                for q in rt["Partitions"]:
                    if q["PartitionIndex"] in offs:
                        lag = max(lag, q["HighWatermark"] - offs[q["PartitionIndex"]])
        want = p["seconds"] >= 5
        res.check(f"{name}: node {node} comes back {'>= 100' if want else '< 100'} records behind the high watermark ({lag})",
                  (lag >= 100) == want)
    ends = {(q["topic"], q["partition"]): q["end_offset"] for q in truth["partitions"]}
    for node in (2, 3):
        hw = collections.Counter()
        for e in fetches:
            if kw.replica_id(e) != node or not e["response"]:
                continue
            for rt in e["response"]["Responses"]:
                for q in rt["Partitions"]:
                    hw[q["PartitionIndex"]] = max(hw[q["PartitionIndex"]], q["HighWatermark"])
        res.check(f"{name}: node {node} saw the high watermark reach every end offset",
                  all(hw[pi] == off for (_, pi), off in ends.items()), (dict(hw), ends))


# ------------------------------------------------------------ main

def check_skew(res, name, truth):
    """orders: one partition with 1200 of the 1440 records (the load-skew
    finding's case); the group read all of events."""
    orders = [p for p in truth["partitions"] if p["topic"] == "orders"]
    events = sum(p["records"] for p in truth["partitions"] if p["topic"] == "events")
    res.check(f"{name}: orders has one partition with 1200 of 1440 records",
              len(orders) == 1 and orders[0]["records"] == 1200 and truth["records_total"] == 1440,
              orders)
    g = truth["consumer_groups"][0]
    res.check(f"{name}: group {g['group']} committed up to the end of events",
              g["committed_offset_total"] == events, f"{g['committed_offset_total']} vs {events}")


def produce_outcomes(exchanges, names):
    """Per client id: records acknowledged and refused per partition, and the
    refusing error codes, from Produce requests and their responses."""
    acked = collections.defaultdict(collections.Counter)
    failed = collections.defaultdict(collections.Counter)
    codes = collections.defaultdict(collections.Counter)
    for e in exchanges:
        if e["api"] != "Produce" or not e["response"]:
            continue
        errs = {}
        for t in e["response"]["Responses"]:
            tname = t.get("Name") or names.get(kw.uuid_str(t.get("TopicId", b"")), "?")
            for p in t["PartitionResponses"]:
                errs[(tname, p["Index"])] = p["ErrorCode"]
        for t in e["request"]["TopicData"]:
            tname = t.get("Name") or names.get(kw.uuid_str(t.get("TopicId", b"")), "?")
            for p in t["PartitionData"]:
                n = sum(b["count"] for b in kw.record_batches(p["Records"]))
                err = errs.get((tname, p["Index"]))
                if err == 0:
                    acked[e["client_id"]][str(p["Index"])] += n
                elif err is not None:
                    failed[e["client_id"]][str(p["Index"])] += n
                    codes[e["client_id"]][err] += n
    return acked, failed, codes


MESSAGE_TOO_LARGE = 10
SASL_AUTHENTICATION_FAILED = 58


def check_client_failures(res, name, ex, truth, names):
    """Each producer's own delivery callbacks (acked and failed per partition)
    = the Produce responses on the wire; every refusal is MESSAGE_TOO_LARGE."""
    acked, failed, codes = produce_outcomes(ex, names)
    for c in clients(truth, "producer"):
        cid = c["client_id"]
        res.check(f"{name}: {cid}: records acknowledged per partition on the wire = its callbacks",
                  dict(acked[cid]) == c["acked_by_partition"], f"{dict(acked[cid])} vs {c['acked_by_partition']}")
        res.check(f"{name}: {cid}: records refused per partition on the wire = its failed callbacks",
                  dict(failed[cid]) == c["failed_by_partition"], f"{dict(failed[cid])} vs {c['failed_by_partition']}")
        res.check(f"{name}: {cid}: every refusal is MESSAGE_TOO_LARGE (RecordTooLargeException)",
                  set(codes[cid]) <= {MESSAGE_TOO_LARGE}
                  and sum(codes[cid].values()) == c["failed_by_error"].get("RecordTooLargeException", 0),
                  dict(codes[cid]))


def check_sasl(res, name, ex, truth):
    """Each client's failed-/successful-authentication-total = its
    SaslAuthenticate responses with SASL_AUTHENTICATION_FAILED / error 0."""
    for c in clients(truth, "producer"):
        cid = c["client_id"]
        au = [e for e in ex if e["api"] == "SaslAuthenticate" and e["client_id"] == cid and e["response"]]
        bad = sum(e["response"]["ErrorCode"] == SASL_AUTHENTICATION_FAILED for e in au)
        good = sum(e["response"]["ErrorCode"] == 0 for e in au)
        res.check(f"{name}: {cid}: SaslAuthenticate failed {bad}, succeeded {good} = its metrics",
                  (bad, good) == (c["auth_failed"], c["auth_succeeded"]) and bad + good == len(au),
                  f"metrics {c['auth_failed']}, {c['auth_succeeded']}")

def check_batching(res, name, ex, truth):
    """Each producer's batches as its configuration says (independent
    decoder): the configured codec; one record a batch with batch.size=0; a
    request count that matches the producer's records-per-request-avg."""
    for c in clients(truth, "producer"):
        batches, requests = [], 0
        for e in ex:
            if e["api"] == "Produce" and e["client_id"] == c["client_id"]:
                requests += 1
                batches += [b for t in e["request"]["TopicData"] for p in t["PartitionData"]
                            for b in kw.record_batches(p["Records"])]
        want = {v: k for k, v in CODECS.items()}
        codecs = {want.get(b["codec"], b["codec"]) for b in batches}
        res.check(f"{name}: {c['client_id']}: batches use compression.type "
                  f"{c['config']['compression.type']}", codecs == {c["config"]["compression.type"]}, codecs)
        if c["config"].get("batch.size") == "0":
            res.check(f"{name}: {c['client_id']}: batch.size=0: one record a batch",
                      {b["count"] for b in batches} == {1}, {b["count"] for b in batches})
        records = sum(b["count"] for b in batches)
        rpr = round(records / requests, 3) if requests else 0
        res.check(f"{name}: {c['client_id']}: records per Produce request = the producer's "
                  f"records-per-request-avg", rpr == c["metrics"]["records-per-request-avg"],
                  f"{rpr} vs {c['metrics']['records-per-request-avg']}")


def check_capture(res, pcap, truth_path, schema, show_versions):
    name = os.path.basename(pcap)[:-len(".pcap")]
    with open(truth_path) as f:
        truth = json.load(f)
    res.check(f"{name}: truth file has the issue's format", not truth_format_problems(truth),
              truth_format_problems(truth))
    res.check(f"{name}: capture under 2 MiB", os.path.getsize(pcap) <= 2 * 1024 * 1024)
    port = ports_of(truth)
    failed = {port_of(b) for b in truth.get("failed_brokers", [])}
    ex, problems, truncated = kw.decode_capture(pcap, port, schema)
    res.check(f"{name}: every request and response decodes exactly ({len(ex)} requests)",
              ex and not problems, problems[:5])
    # Only a killed broker cuts a message short; elsewhere every stream is whole.
    res.check(f"{name}: no stream ends inside a message" + (" (except at the crash)" if failed else ""),
              not truncated if not failed else len(truncated) <= 2, truncated)
    unanswered = [e for e in ex if e["response"] is None and e["port"] not in failed
                  and e["api"] not in ("Fetch", "ConsumerGroupHeartbeat")]
    res.check(f"{name}: every request except long polls (and to a killed broker) is answered", not unanswered,
              [(e["api"], e["correlation_id"]) for e in unanswered[:5]])
    ours = {(e["stream"], e["correlation_id"], e["key"], e["version"], e["client_id"] or "") for e in ex}
    theirs = kw.tshark_headers(pcap, port)
    res.check(f"{name}: tshark reads the same request headers ({len(theirs)} of {len(ours)})",
              theirs and theirs <= ours, sorted(theirs - ours)[:5])
    vs = versions_seen(ex)
    if show_versions:
        print(f"# {name}: " + ", ".join(f"{a} v{'/'.join(map(str, sorted(v)))}" for a, v in sorted(vs.items())))
    res.check(f"{name}: Produce >= 12 only", vs.get("Produce") and min(vs["Produce"]) >= 12,
              sorted(vs.get("Produce", [])))
    if "Fetch" in vs or "consumer" in {c["role"] for c in truth.get("clients", [])}:
        res.check(f"{name}: Fetch >= 17 only", vs.get("Fetch") and min(vs["Fetch"]) >= 17,
                  sorted(vs.get("Fetch", [])))
        named = [t for e in ex if e["api"] == "Fetch" for t in e["request"]["Topics"]
                 if kw.is_zero_uuid(t["TopicId"])]
        res.check(f"{name}: Fetch requests name topics by id", not named)
    names = topic_names(ex)
    tids = truth.get("topic_ids", {})
    res.check(f"{name}: topic ids on the wire match the broker's",
              all(names.get(i) == t for t, i in tids.items()) and tids, tids)
    acked, _, bad_crc = acked_records(ex, names)
    res.check(f"{name}: record batch CRC-32C valid in every Produce request", bad_crc == 0, bad_crc)
    # end offsets count the transaction markers (control records) too
    for k, n in markers_written(ex).items():
        acked[k] += n
    diffs = compare_counts(acked, truth)
    res.check(f"{name}: records acknowledged on the wire = broker end offsets per partition",
              not diffs, diffs[:5])
    deleted = set(truth.get("deleted_topics", []))
    for topic in sorted({c["topic"] for c in clients(truth, "producer")} - deleted):
        rep = sum(c["reported_records"] for c in clients(truth, "producer") if c["topic"] == topic)
        stored = sum(p["records"] for p in truth["partitions"] if p["topic"] == topic)
        res.check(f"{name}: {topic}: producer-reported count = broker count", rep == stored,
                  f"{rep} vs {stored}")
    res.check(f"{name}: records_total = sum of partitions",
              truth.get("records_total") == sum(p["records"] for p in truth["partitions"]))

    scenario = truth.get("scenario", name)
    if scenario == "codecs":
        check_codecs(res, name, ex, truth, names)
    elif scenario == "group-classic-rebalance":
        check_classic_group(res, name, ex, truth)
    elif scenario == "group-consumer-protocol":
        check_kip848_group(res, name, ex, truth)
    elif scenario == "quota-throttle":
        check_quota(res, name, ex, truth)
    elif scenario == "topic-deleted":
        check_deleted(res, name, ex, truth, names)
    elif scenario == "broker-failure":
        check_broker_failure(res, name, pcap, ex, truth, failed)
    elif scenario == "skew":
        check_skew(res, name, truth)
    elif scenario == "client-failures":
        check_client_failures(res, name, ex, truth, names)
    elif scenario == "sasl":
        check_sasl(res, name, ex, truth)
    elif scenario == "batching":
        check_batching(res, name, ex, truth)
    elif scenario == "transactions":
        check_transactions(res, name, ex, truth)
    elif scenario == "replication-lag":
        check_replication_lag(res, name, pcap, ex, truth)
    elif scenario == "slow-follower-acks":
        check_slow_follower_acks(res, name, pcap, ex, truth)
    else:
        res.check(f"{name}: known scenario", False, scenario)
    return ex, names, truth


def self_test(res, ex, names, truth):
    """The count comparison must notice a truth file that is off by one record."""
    bad = json.loads(json.dumps(truth))
    bad["partitions"][0]["records"] += 1
    acked, _, _ = acked_records(ex, names)
    res.check("self-test: a truth file off by one record is caught", bool(compare_counts(acked, bad)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcaps", default=os.path.join(ROOT, "pcaps", "kafka"))
    ap.add_argument("--schema", default=os.path.join(ROOT, "dissectors", "schema"))
    ap.add_argument("--versions", action="store_true", help="print the API versions seen")
    a = ap.parse_args()
    res = Results()
    if not shutil.which("tshark"):
        res.check("tshark is installed (apt-get install tshark)", False)
        print(f"{res.passed} passed, {res.failed} failed")
        return 1
    schema = kw.Schema(a.schema)
    pcaps = sorted(glob.glob(os.path.join(a.pcaps, "*.pcap")))
    res.check(f"captures found in {os.path.relpath(a.pcaps, ROOT)}", len(pcaps) >= 5, len(pcaps))
    first = None
    for pcap in pcaps:
        truth = pcap[:-len(".pcap")] + ".truth.json"
        if not res.check(f"{os.path.basename(pcap)} has a truth file", os.path.exists(truth)):
            continue
        out = check_capture(res, pcap, truth, schema, a.versions)
        first = first or out
    if first:
        self_test(res, *first)
    print(f"{res.passed} passed, {res.failed} failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
