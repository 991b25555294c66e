#!/usr/bin/env python3
"""test_partition_truth.py - kafkatap's per topic-partition report (--json
`partitions`, `throttle`, `apis`) and --events=json `partitions` against
independent ground truth only:

1. librdkafka mock captures (pcaps/NAME.pcap + NAME.truth.json, written by
   pcaps/recorder/mockgen.c from delivery reports and from what it injected;
   midstream.truth.json by pcaps/recorder/midcut.py, a separate parser):
   - produce.acked_records per topic-partition = the delivery reports'
     acked_records exactly; produce.records >= that (retries resend);
   - Produce error codes per partition = the errors injected into the broker
     that leads it (each injected error is one partition-level error: the
     scenario puts one produced partition on each erroring broker, which the
     test checks in the truth first), and no error anywhere else;
   - produce.acks = {truth acks: requests} (acks=0 producers: {"0": n});
   - no Produce request left unanswered (the mock answers every one, acks=0
     too: pcaps/README.md), no partition the generator did not produce to;
   - consumer group: fetch.records per partition >= the records the
     consumers' callbacks consumed there (duplicates included: a record
     consumed twice was fetched twice);
   - mid-stream cut: per partition, requests/records/acked_records of the
     Produce requests that start in the cut = midcut.py's counts exactly;
   - the broker with an injected RTT is named by a slow_broker finding, the
     others are not (when it has peers: two brokers or more lead partitions).
2. Real Apache Kafka 4.4 captures (pcaps/kafka/NAME.pcap + NAME.truth.json
   written by tools/kafka-harness from the broker's Admin API; a follower's
   Fetch, replica id >= 0, is replication and left out of the wire's
   per-partition counts as kafkatap leaves it out of its own):
   - produce.acked_records per topic-partition = the broker's end offsets
     (topics created fresh).  No exception is needed for idempotent retries:
     tests/test_kafka_captures.py (an independent wire decoder) counts a
     retried batch once and still equals the broker's counts, and in every
     capture committed here no batch is acknowledged twice, so the plain sum
     of acknowledged records is exact; in broker-failure the records sent to
     the killed broker were never answered, hence not acknowledged nor in the
     end offsets.  A deleted topic: the acknowledged sum = the producer's
     reported count.  With transactions the end offsets count the markers
     too: the data records are the end offset minus the markers the wire's
     WriteTxnMarkers wrote there, and the wire's records are counted
     without control batches (kafkatap's records are data records);
   - topic ids: every entry with a topic_id is resolved, its id is the
     broker's id for that name (truth topic_ids), Fetch v13+ entries too;
     every --events partition names one of the broker's topics (not an id);
   - throttling: the throttled client (truth throttled_client_ids) has
     throttled > 0 and no other client does; with the independent decoder
     (tests/kafkawire.py over tshark's TCP streams), per throttled
     (client_id, broker) the responses carrying throttle_time_ms, the
     throttled ones, their total and max equal the wire;
   - the throttling finding names the throttled client and no other;
   - consumer groups: the group protocol's APIs are in `apis` (JoinGroup and
     SyncGroup for Classic; ConsumerGroupHeartbeat for Consumer), and
     JoinGroup, SyncGroup, Heartbeat and ConsumerGroupHeartbeat are reported
     exactly when the wire has them, with exactly the error codes of their
     responses on the wire; REBALANCE_IN_PROGRESS in the classic rebalance;
   - Produce partition errors per topic-partition = the wire's exactly
     (UNKNOWN_TOPIC_ID for the deleted topic); per topic-partition the
     Produce requests, records and bytes sent, acks, largest timeout,
     unanswered requests, and the
     Fetch requests (naming the partition in the request or the response),
     records and bytes returned, answers with and without data, unanswered
     ones and the last high watermark = the independent decoder's (Produce
     v13 and Fetch v18 are beyond tshark 4.0's Kafka dissector); and per
     Produce/Fetch exchange (connection and correlation id) the event's
     partitions, error codes, records and throttle_ms = the decoder's.
3. Third-party captures (tests/data/third-party/: the flexible versions
   Produce v9, Fetch v12/v13, Metadata v12, JoinGroup v7, SyncGroup v5,
   LeaveGroup v4, ApiVersions v3, OffsetCommit v8, Heartbeat v4,
   InitProducerId v4, and legacy message sets): per event, the topics,
   partitions, error codes, record counts, errors and throttle written into
   tests/data/third-party/expected-partitions.json, decoded by hand from the
   bytes against the official schema (see the comment of each entry).

The checks that need the independent decoder need tshark (for the TCP
streams); without it they are reported as skipped.
Ends with 'N passed, N failed'; exits non-zero on a failure.
Environment: KAFKATAP (the program), srcdir (the source tree).
"""
import collections
import glob
import json
import os
import shutil
import subprocess
import sys

SRCDIR = os.environ.get("srcdir", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PROD_KEYS = ("requests", "records", "bytes", "acked_records", "unanswered", "acks",
             "timeout_ms_max", "broker_time_ms", "latency_ms", "errors")
FETCH_KEYS = ("requests", "records", "bytes", "with_data", "empty", "unanswered",
              "broker_time_ms", "latency_ms", "empty_latency_ms", "high_watermark",
              "fetch_offset", "lag", "lag_max", "errors")
THROTTLE_KEYS = ("client_id", "broker", "responses", "throttled", "throttle_ms_total",
                 "throttle_ms_max")
# Joining a group needs these; Heartbeat only comes once a member outlives
# heartbeat.interval.ms (in codecs the consumer is done before that: tshark
# shows no Heartbeat there), so Heartbeat is checked against the wire below.
GROUP_APIS = {"Classic": ("JoinGroup", "SyncGroup"),
              "Consumer": ("ConsumerGroupHeartbeat",)}
# APIs whose responses carry one top-level error code and nothing per member
# or partition: their error counts are per response.
TOP_LEVEL_ERROR_APIS = ("JoinGroup", "SyncGroup", "Heartbeat", "ConsumerGroupHeartbeat")


class Results:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print("FAIL %s" % name)
            for p in problems[:25]:
                print("     " + str(p))
            if len(problems) > 25:
                print("     ... %d more" % (len(problems) - 25))
        else:
            self.passed += 1
            print("ok   %s" % name)

    def skip(self, name, why):
        self.skipped += 1
        print("skip %s: %s" % (name, why))


_cache = {}


def run(path, *args):
    key = (path,) + args
    if key not in _cache:
        r = subprocess.run([KAFKATAP, "-r", path] + list(args), capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("kafkatap %s failed on %s: %s" % (" ".join(args), path, r.stderr.strip()))
        _cache[key] = r.stdout
    return _cache[key]


def report_of(path):
    return json.loads(run(path, "--json"))


def events_of(path):
    return [json.loads(line) for line in run(path, "--events=json").splitlines() if line.strip()]


def error_names():
    names = {}
    with open(os.path.join(SRCDIR, "dissectors", "schema", "errors.tsv")) as f:
        for line in f:
            code, _, name = line.rstrip("\n").partition("\t")
            if code.lstrip("-").isdigit():
                names[int(code)] = name
    return names


ERRORS = error_names()


def nonzero(d):
    return {k: v for k, v in (d or {}).items() if v}


# ---------------------------------------------------------------- shape

def shape_problems(report):
    """The keys the issue promises, with the types it promises."""
    p = []
    for key in ("partitions", "throttle", "findings"):
        if not isinstance(report.get(key), list):
            p.append("--json has no %r list (keys: %s)" % (key, sorted(report)))
    for e in report.get("partitions") or []:
        where = "partition %s/%s" % (e.get("topic"), e.get("partition"))
        for k in ("topic", "topic_id", "topic_resolved", "partition", "produce", "fetch"):
            if k not in e:
                p.append("%s: no %r" % (where, k))
        if not isinstance(e.get("topic_resolved"), bool):
            p.append("%s: topic_resolved is not a boolean" % where)
        if e.get("topic_id") is not None and not (isinstance(e["topic_id"], str) and len(e["topic_id"]) == 22):
            p.append("%s: topic_id %r is not Kafka's 22-character text" % (where, e.get("topic_id")))
        for sect, keys in (("produce", PROD_KEYS), ("fetch", FETCH_KEYS)):
            s = e.get(sect)
            if not isinstance(s, dict):
                continue
            for k in keys:
                if k not in s:
                    p.append("%s: %s has no %r" % (where, sect, k))
            for k in ("p50", "p90", "p99", "max"):
                if isinstance(s.get("latency_ms"), dict) and k not in s["latency_ms"]:
                    p.append("%s: %s.latency_ms has no %r" % (where, sect, k))
    for t in report.get("throttle") or []:
        for k in THROTTLE_KEYS:
            if k not in t:
                p.append("throttle entry %s: no %r" % (t.get("client_id"), k))
    for fnd in report.get("findings") or []:
        for k in ("kind", "severity", "subject", "summary", "metrics"):
            if k not in fnd:
                p.append("finding %s: no %r" % (fnd.get("kind"), k))
        if fnd.get("severity") not in ("info", "warning", "critical"):
            p.append("finding %s: severity %r" % (fnd.get("kind"), fnd.get("severity")))
        m = fnd.get("metrics")
        if not isinstance(m, dict) or not m or not all(isinstance(v, (int, float)) for v in m.values()):
            p.append("finding %s: metrics %r are not numbers by name" % (fnd.get("kind"), m))
    return p


def by_partition(report):
    """(topic, partition) -> entry; several entries for one key are a problem
    (the issue merges a topic's name and id)."""
    out, dup = {}, []
    for e in report.get("partitions") or []:
        k = (e.get("topic"), e.get("partition"))
        if k in out:
            dup.append("topic-partition %s/%s reported twice" % k)
        out[k] = e
    return out, dup


def sect(entry, name):
    return (entry or {}).get(name) or {}


# ---------------------------------------------------------------- 1. mock captures

def mock_problems(report, events, truth):
    p = shape_problems(report)
    parts, dup = by_partition(report)
    p += dup
    brokers = {b["id"]: b["address"] for b in truth.get("brokers", [])}

    if truth.get("generator", "").endswith("mockgen.c"):
        want_part = {(t["topic"], t["partition"]): t for t in truth["partitions"]}
        # injected Produce errors -> the one produced partition its broker leads
        want_err = collections.defaultdict(collections.Counter)
        for inj in truth.get("injected_errors", []):
            if inj["api"] != "Produce":
                continue
            led = [k for k, t in want_part.items() if t["leader"] == inj["broker"]]
            if len(led) != 1:
                p.append("truth: broker %s with injected errors leads %d produced partitions, "
                         "cannot attribute them" % (inj["broker"], len(led)))
                continue
            want_err[led[0]][inj["error"]] += inj["count"]
        for k, t in sorted(want_part.items()):
            e = parts.get(k)
            where = "%s/%d" % k
            if e is None:
                p.append("%s: not in partitions (delivery reports: %d acked)" % (where, t["acked_records"]))
                continue
            pr = sect(e, "produce")
            if pr.get("acked_records") != t["acked_records"]:
                p.append("%s: acked_records %s, delivery reports %d" % (where, pr.get("acked_records"), t["acked_records"]))
            sent = t["produced_records"] - t["failed_records"]
            if not isinstance(pr.get("records"), int) or pr["records"] < max(sent, t["acked_records"]):
                p.append("%s: records %s < %d produced and delivered" % (where, pr.get("records"), sent))
            acks = nonzero(pr.get("acks"))
            if acks != {str(t["acks"]): pr.get("requests")} or not pr.get("requests"):
                p.append("%s: acks %s over %s requests, the producer used acks=%d for all"
                         % (where, pr.get("acks"), pr.get("requests"), t["acks"]))
            if pr.get("unanswered") != 0:
                p.append("%s: %s Produce requests unanswered, the mock answered all" % (where, pr.get("unanswered")))
            got = nonzero(pr.get("errors"))
            if got != dict(want_err.get(k, {})):
                p.append("%s: Produce errors %s, injected %s" % (where, got, dict(want_err.get(k, {}))))
            if e.get("topic_resolved") is not True:
                p.append("%s: topic named on the wire but topic_resolved is %r" % (where, e.get("topic_resolved")))
        for k, e in parts.items():
            if k not in want_part and sect(e, "produce").get("requests"):
                p.append("%s/%s: Produce requests reported to a partition the generator never produced to" % k)
        # consumers: every consumed record was in a Fetch response
        consumed = collections.Counter()
        for c in truth.get("consumers", []):
            for tp, n in c["consumed_records"].items():
                consumed[tp] += n
        for tp, n in sorted(consumed.items()):
            topic, _, part = tp.rpartition("/")
            f = sect(parts.get((topic, int(part))), "fetch")
            if not isinstance(f.get("records"), int) or f["records"] < n or f["records"] < truth["consumed_records"].get(tp, 0):
                p.append("%s: fetch records %s < %d consumed by the group's members (duplicates included)"
                         % (tp, f.get("records"), n))

    # a broker with an injected RTT is the one "whose latency stands apart
    # from its peers"; the others are not
    rtt = {brokers[int(b)]: ms for b, ms in truth.get("broker_rtt_ms", {}).items() if int(b) in brokers}
    # (a peer rule: only where two brokers or more lead partitions; a broker
    # alone is judged by the absolute slow_produce, test_findings_truth.py)
    leaders = {l for t in truth.get("topics", {}).values() for l in t.get("leaders", [])}
    if any(rtt.values()) and len(leaders) >= 2:
        slow = [f for f in report.get("findings") or [] if f.get("kind") == "slow_broker"]
        for addr, ms in sorted(rtt.items()):
            named = [f for f in slow if addr in (f.get("subject") or "")]
            if ms and not named:
                p.append("broker %s answers %d ms late (injected RTT), no slow_broker finding names it: %s"
                         % (addr, ms, [f.get("subject") for f in slow]))
            if not ms and named:
                p.append("slow_broker finding names %s, which had no injected RTT" % addr)

    if "produce_partitions" in truth:   # the mid-stream cut
        want = {(t["topic"], t["partition"]): t for t in truth["produce_partitions"]}
        for k, t in sorted(want.items()):
            pr = sect(parts.get(k), "produce")
            where = "%s/%d" % k
            for field in ("requests", "records", "acked_records"):
                if pr.get(field) != t[field]:
                    p.append("%s: %s %s, midcut.py %d" % (where, field, pr.get(field), t[field]))
            if "records_acks0" in t and nonzero(pr.get("acks")) != {"0": t["requests"]}:
                p.append("%s: acks %s, midcut.py: %d requests all acks=0" % (where, pr.get("acks"), t["requests"]))
        for k, e in parts.items():
            if k not in want and sect(e, "produce").get("requests"):
                p.append("%s/%s: %d Produce requests, none starts in the cut"
                         % (k[0], k[1], sect(e, "produce")["requests"]))

    # events: every Produce/Fetch event lists its partitions, and the records
    # of answered partitions without error add up to acked_records (the
    # issue says `error` is a name or null; null or NONE both mean 0 here
    # when the response came)
    ev_acked = collections.Counter()
    for ev in events:
        if ev.get("api") not in ("Produce", "Fetch"):
            continue
        if "replica_id" in ev:
            continue        # a follower's Fetch: replication, not the partition counts
        if not isinstance(ev.get("partitions"), list):
            p.append("event %s %s corr %s has no partitions list"
                     % (ev.get("api"), ev.get("client"), ev.get("correlation_id")))
            break
        if ev["api"] == "Produce" and ev.get("latency_ms") is not None:
            for x in ev["partitions"]:
                if x.get("error") in (None, "NONE"):
                    ev_acked[(x.get("topic"), x.get("partition"))] += x.get("records") or 0
        for x in ev["partitions"]:
            ev_acked[(ev["api"], x.get("topic"), x.get("partition"))] += x.get("records") or 0
    for (topic, part), e in sorted(parts.items(), key=str):
        for api, sec in (("Produce", "produce"), ("Fetch", "fetch")):
            if sect(e, sec).get("records", 0) != ev_acked.get((api, topic, part), 0):
                p.append("%s/%s: --json %s.records %s, the --events add up to %d"
                         % (topic, part, sec, sect(e, sec).get("records"), ev_acked.get((api, topic, part), 0)))
    for k, e in parts.items():
        a = sect(e, "produce").get("acked_records")
        if a and ev_acked.get(k, 0) != a:
            p.append("%s/%s: --json acked_records %s, the --events records with error NONE add up to %d"
                     % (k[0], k[1], a, ev_acked.get(k, 0)))
    return p


# ---------------------------------------------------------------- 2. real Kafka

def data_records(kw, records):
    """Records of a records field without the control batches (transaction
    markers): what a consumer gets as records."""
    return sum(b["count"] for b in kw.record_batches(records) if not b["control"])


def wire_markers(ex, topic_of):
    """Transaction markers written per (topic, partition): WriteTxnMarkers
    partitions answered without an error, one control record each."""
    out = collections.Counter()
    for e in ex:
        if e["api"] == "WriteTxnMarkers" and e["response"]:
            for m in e["response"]["Markers"]:
                for t in m["Topics"]:
                    for pr in t["Partitions"]:
                        if pr["ErrorCode"] == 0:
                            out[(topic_of(t), pr["PartitionIndex"])] += 1
    return out


def wire_facts(pcap, truth):
    """What the independent decoder (tests/kafkawire.py, driven by the
    official schema) reads on the wire; None without tshark."""
    if not shutil.which("tshark"):
        return None
    import kafkawire as kw
    schema = kw.Schema(os.path.join(SRCDIR, "dissectors", "schema"))
    ports = {int(b.rsplit(":", 1)[1]) for b in truth["brokers"]}
    addr = {int(b.rsplit(":", 1)[1]): b for b in truth["brokers"]}
    ex, _, _ = kw.decode_capture(pcap, ports, schema)
    names = {}
    for e in ex:
        if e["api"] == "Metadata" and e["response"]:
            for t in e["response"]["Topics"]:
                if t.get("Name") and not kw.is_zero_uuid(t.get("TopicId", bytes(16))):
                    names[kw.uuid_str(t["TopicId"])] = t["Name"]
    group_errors = collections.defaultdict(collections.Counter)
    group_apis = set()
    throttle = collections.defaultdict(lambda: [0, 0, 0, 0])   # responses, throttled, total, max
    produce_errors = collections.defaultdict(collections.Counter)
    counts = collections.defaultdict(collections.Counter)
    high_watermark, hw_time = {}, {}
    acks, timeout = collections.defaultdict(collections.Counter), {}

    def topic_of(t):
        tid = kw.uuid_str(t.get("TopicId", b""))
        return t.get("Name") or t.get("Topic") or names.get(tid, tid)
    for e in ex:
        r = e["response"]
        if e["api"] == "Produce":
            for t in e["request"]["TopicData"]:
                for pr in t["PartitionData"]:
                    c = counts[(topic_of(t), pr["Index"])]
                    c["produce.requests"] += 1
                    c["produce.records"] += sum(b["count"] for b in kw.record_batches(pr["Records"]))
                    c["produce.bytes"] += len(pr["Records"] or b"")
                    c["produce.unanswered"] += r is None and e["request"]["Acks"] != 0
                    acks[(topic_of(t), pr["Index"])][str(e["request"]["Acks"])] += 1
                    k = (topic_of(t), pr["Index"])
                    timeout[k] = max(timeout.get(k, -1), e["request"]["TimeoutMs"])
        if e["api"] == "Fetch" and kw.replica_id(e) < 0:
            # (a follower's Fetch replicates: never in the partition counts)
            # a Fetch concerns the partitions its request names and those its
            # response returns (sessions leave unchanged ones out of both)
            asked = {(topic_of(t), pr["Partition"]) for t in e["request"]["Topics"] for pr in t["Partitions"]}
            returned = {}
            for t in (r["Responses"] if r else []):
                for pr in t["Partitions"]:
                    returned[(topic_of(t), pr["PartitionIndex"])] = pr
            for k in asked | set(returned):
                c = counts[k]
                c["fetch.requests"] += 1
                if r is None:
                    c["fetch.unanswered"] += 1
                    continue
                pr = returned.get(k)
                n = data_records(kw, pr["Records"]) if pr else 0
                c["fetch.records"] += n
                c["fetch.bytes"] += len(pr["Records"] or b"") if pr else 0
                c["fetch.with_data" if n else "fetch.empty"] += 1
                if pr is not None and e.get("response_time", 0) >= hw_time.get(k, -1):
                    hw_time[k] = e["response_time"]
                    high_watermark[k] = pr["HighWatermark"]
        if e["api"] in TOP_LEVEL_ERROR_APIS:
            group_apis.add(e["api"])
            if r and r.get("ErrorCode"):
                group_errors[e["api"]][ERRORS.get(r["ErrorCode"], str(r["ErrorCode"]))] += 1
        if r and "ThrottleTimeMs" in r:
            k = (e["client_id"], addr[e["port"]])
            t = throttle[k]
            t[0] += 1
            if r["ThrottleTimeMs"] > 0:
                t[1] += 1
                t[2] += r["ThrottleTimeMs"]
                t[3] = max(t[3], r["ThrottleTimeMs"])
        if e["api"] == "Produce" and r:
            for t in r["Responses"]:
                tname = t.get("Name") or names.get(kw.uuid_str(t.get("TopicId", b"")), kw.uuid_str(t.get("TopicId", b"")))
                for pr in t["PartitionResponses"]:
                    if pr["ErrorCode"]:
                        produce_errors[(tname, pr["Index"])][ERRORS.get(pr["ErrorCode"], str(pr["ErrorCode"]))] += 1
    return {"group_errors": group_errors, "group_apis": group_apis, "throttle": throttle,
            "produce_errors": produce_errors, "counts": counts, "high_watermark": high_watermark,
            "acks": acks, "timeout": timeout, "markers": wire_markers(ex, topic_of),
            "events": wire_events(pcap, ex, topic_of)}


def wire_events(pcap, ex, topic_of):
    """Per Produce/Fetch exchange of the independent decoder, keyed like
    kafkatap's events (client, broker, correlation id): {(topic, partition):
    [error code or None, records or None]} and the throttle time."""
    import kafkawire as kw
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields",
                          "-e", "tcp.stream", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport"],
                         capture_output=True, text=True).stdout
    ends = {}
    for line in out.splitlines():
        st, a, ap, b, bp = line.split("\t")
        ends[int(st)] = ("%s:%s" % (a, ap), "%s:%s" % (b, bp))
    evs = {}
    for e in ex:
        if e["api"] not in ("Produce", "Fetch") or e["stream"] not in ends:
            continue
        parts = {}
        r = e["response"]
        if e["api"] == "Produce":
            for t in e["request"]["TopicData"]:
                for pr in t["PartitionData"]:
                    parts[(topic_of(t), pr["Index"])] = [None, sum(b["count"] for b in kw.record_batches(pr["Records"]))]
            for t in (r["Responses"] if r else []):
                for pr in t["PartitionResponses"]:
                    parts.setdefault((topic_of(t), pr["Index"]), [None, None])[0] = pr["ErrorCode"] or None
        else:
            for t in e["request"]["Topics"]:
                for pr in t["Partitions"]:
                    parts[(topic_of(t), pr["Partition"])] = [None, 0 if r else None]
            for t in (r["Responses"] if r else []):
                for pr in t["Partitions"]:
                    parts[(topic_of(t), pr["PartitionIndex"])] = [
                        pr["ErrorCode"] or None, data_records(kw, pr["Records"])]
        evs[ends[e["stream"]] + (e["correlation_id"],)] = {
            "api": e["api"], "parts": parts, "throttle": r.get("ThrottleTimeMs") if r else None}
    return evs


def kafka_problems(report, truth, wire, events=()):
    p = shape_problems(report)
    # events name topics by the broker's names (Produce v13 and Fetch v18
    # carry only topic ids), and add up to the report's records
    known = {t["topic"] for t in truth["partitions"]} | set(truth.get("deleted_topics", []))
    ev_records = collections.Counter()
    for ev in events:
        if ev.get("api") not in ("Produce", "Fetch"):
            continue
        for x in ev.get("partitions") or []:
            if x.get("topic") not in known or x.get("topic_resolved") is False:
                p.append("event %s corr %s: topic %r is not one of the broker's topics %s"
                         % (ev["api"], ev.get("correlation_id"), x.get("topic"), sorted(known)))
                break
            if "replica_id" not in ev:    # a follower's Fetch is replication
                ev_records[(ev["api"], x.get("topic"), x.get("partition"))] += x.get("records") or 0
    parts, dup = by_partition(report)
    p += dup
    if events:
        for (topic, part), e in sorted(parts.items(), key=str):
            for api, sec in (("Produce", "produce"), ("Fetch", "fetch")):
                if sect(e, sec).get("records", 0) != ev_records.get((api, topic, part), 0):
                    p.append("%s/%s: --json %s.records %s, the --events add up to %d"
                             % (topic, part, sec, sect(e, sec).get("records"), ev_records.get((api, topic, part), 0)))
    deleted = set(truth.get("deleted_topics", []))
    want = {(t["topic"], t["partition"]): t["records"] for t in truth["partitions"]}
    if truth.get("transactions"):
        # end offsets count the transaction markers: data records are the
        # rest (the markers as the wire's WriteTxnMarkers wrote them)
        if wire is None:
            return p
        for k in want:
            want[k] -= wire["markers"].get(k, 0)
    for k, n in sorted(want.items()):
        e = parts.get(k)
        pr = sect(e, "produce")
        if e is None:
            p.append("%s/%d: not in partitions (broker end offset %d)" % (k[0], k[1], n))
            continue
        if pr.get("acked_records") != n:
            p.append("%s/%d: acked_records %s, broker end offsets %d" % (k[0], k[1], pr.get("acked_records"), n))
        if not isinstance(pr.get("records"), int) or pr["records"] < n:
            p.append("%s/%d: records sent %s < %d stored by the broker" % (k[0], k[1], pr.get("records"), n))
    for k, e in sorted(parts.items(), key=str):
        if k not in want and k[0] not in deleted and sect(e, "produce").get("acked_records"):
            p.append("%s/%s: %s records acknowledged, the broker has none in that partition"
                     % (k[0], k[1], sect(e, "produce")["acked_records"]))
    for topic in sorted(deleted):
        got = sum(sect(e, "produce").get("acked_records") or 0 for k, e in parts.items() if k[0] == topic)
        rep = sum(c["reported_records"] for c in truth.get("clients", [])
                  if c["role"] == "producer" and c["topic"] == topic)
        if got != rep:
            p.append("deleted topic %s: acked_records %d, its producer reported %d" % (topic, got, rep))
    # the killed broker's requests were left unanswered
    if truth.get("failed_brokers"):
        if not sum(sect(e, "produce").get("unanswered") or 0 for e in parts.values()):
            p.append("a broker was killed under an acks=all producer, yet no Produce request is unanswered")
    # every consumed record was returned by a Fetch (the group committed to the end)
    for g in truth.get("consumer_groups", []):
        if g.get("committed_offset_total") == truth.get("records_total"):
            for k, n in sorted(want.items()):
                f = sect(parts.get(k), "fetch")
                if not isinstance(f.get("records"), int) or f["records"] < n:
                    p.append("%s/%d: fetch records %s < %d, group %s consumed them all"
                             % (k[0], k[1], f.get("records"), n, g["group"]))
    # topic ids
    ids = truth.get("topic_ids", {})
    by_id = {v: k for k, v in ids.items()}
    for (topic, part), e in sorted(parts.items(), key=str):
        tid = e.get("topic_id")
        where = "%s/%s" % (topic, part)
        if tid is not None and e.get("topic_resolved") is not True:
            p.append("%s: topic id %s unresolved" % (where, tid))
        if tid in by_id and topic != by_id[tid]:
            p.append("%s: topic id %s is %s's" % (where, tid, by_id[tid]))
        if topic in ids and tid != ids[topic]:
            p.append("%s: topic_id %r, the broker's id is %s" % (where, tid, ids[topic]))
        if sect(e, "fetch").get("requests") and e.get("topic_resolved") is not True:
            p.append("%s: Fetch (v13+: by topic id) entry not resolved to a name" % where)
    # throttling
    throttled = set(truth.get("throttled_client_ids", []))
    seen = collections.defaultdict(int)
    for t in report.get("throttle") or []:
        if t.get("throttled"):
            seen[t.get("client_id")] += t["throttled"]
        if t.get("broker") not in truth["brokers"]:
            p.append("throttle entry for %s names broker %s, not one of %s" % (t.get("client_id"), t.get("broker"), truth["brokers"]))
    for cid in sorted(throttled):
        if not seen.get(cid):
            p.append("client %s was throttled by the broker's quota, throttle list: %s" % (cid, report.get("throttle")))
    for cid in sorted(set(seen) - throttled):
        p.append("client %s reported throttled (%d responses), the quota applied to %s only"
                 % (cid, seen[cid], sorted(throttled)))
    # the throttling finding names the throttled client and no other
    thr_f = [f for f in report.get("findings") or [] if f.get("kind") == "throttling"]
    for cid in sorted(throttled):
        if not any(cid in (f.get("subject") or "") for f in thr_f):
            p.append("no throttling finding names %s: %s" % (cid, [f.get("subject") for f in thr_f]))
    for f in thr_f:
        if not any(cid in (f.get("subject") or "") for cid in throttled):
            p.append("throttling finding about %r, the quota applied to %s only" % (f.get("subject"), sorted(throttled)))
    # consumer groups
    apis = {a.get("api"): a for a in report.get("apis", [])}
    for g in truth.get("consumer_groups", []):
        for api in GROUP_APIS.get(g["type"], ()):
            if api not in apis:
                p.append("group %s (%s protocol): no %s in apis" % (g["group"], g["type"], api))
    if truth.get("scenario") == "group-classic-rebalance":
        if not any(apis.get(a, {}).get("errors", {}).get("REBALANCE_IN_PROGRESS")
                   for a in ("JoinGroup", "SyncGroup", "Heartbeat", "OffsetCommit")):
            p.append("classic rebalance: no REBALANCE_IN_PROGRESS in JoinGroup/SyncGroup/Heartbeat/OffsetCommit errors")
    if wire is not None:
        for api in TOP_LEVEL_ERROR_APIS:
            if api in wire["group_apis"] and api not in apis:
                p.append("%s on the wire, not in apis" % api)
            if api not in wire["group_apis"] and api in apis:
                p.append("%s in apis, the wire has none" % api)
            got = nonzero(apis.get(api, {}).get("errors"))
            if got != dict(wire["group_errors"].get(api, {})):
                p.append("%s errors %s, wire %s" % (api, got, dict(wire["group_errors"].get(api, {}))))
        ours = {(t.get("client_id"), t.get("broker")): t for t in report.get("throttle") or []}
        for k, (resp, thr, tot, mx) in sorted(wire["throttle"].items(), key=str):
            if not thr:
                continue
            t = ours.get(k, {})
            got = (t.get("responses"), t.get("throttled"), t.get("throttle_ms_total"), t.get("throttle_ms_max"))
            if got != (resp, thr, tot, mx):
                p.append("throttle %s @ %s: responses/throttled/total/max %s, wire %s"
                         % (k[0], k[1], got, (resp, thr, tot, mx)))
        for k, e in sorted(parts.items(), key=str):
            got = nonzero(sect(e, "produce").get("errors"))
            if got != dict(wire["produce_errors"].get(k, {})):
                p.append("%s/%s: Produce errors %s, wire %s" % (k[0], k[1], got, dict(wire["produce_errors"].get(k, {}))))
        # Produce v13 and Fetch v18 (topic ids) are beyond tshark 4.0: the
        # independent decoder's per-partition counts stand in for it
        for k in sorted(set(wire["counts"]) | set(parts), key=str):
            e = parts.get(k)
            for field in ("produce.requests", "produce.records", "produce.bytes", "produce.unanswered",
                          "fetch.requests", "fetch.records", "fetch.bytes", "fetch.with_data",
                          "fetch.empty", "fetch.unanswered"):
                sec, _, name = field.partition(".")
                got = sect(e, sec).get(name, 0) if e is not None else 0
                if got != wire["counts"][k][field]:
                    p.append("%s/%s: %s %s, wire %d" % (k[0], k[1], field, got, wire["counts"][k][field]))
            if k in wire["acks"] and nonzero(sect(e, "produce").get("acks")) != dict(wire["acks"][k]):
                p.append("%s/%s: produce.acks %s, wire %s" % (k[0], k[1], sect(e, "produce").get("acks"), dict(wire["acks"][k])))
            if k in wire["timeout"] and sect(e, "produce").get("timeout_ms_max") != wire["timeout"][k]:
                p.append("%s/%s: produce.timeout_ms_max %s, wire %d"
                         % (k[0], k[1], sect(e, "produce").get("timeout_ms_max"), wire["timeout"][k]))
            if k in wire["high_watermark"] and sect(e, "fetch").get("high_watermark") != wire["high_watermark"][k]:
                p.append("%s/%s: fetch.high_watermark %s, the last Fetch response on the wire says %d"
                         % (k[0], k[1], sect(e, "fetch").get("high_watermark"), wire["high_watermark"][k]))
        # per exchange: the same partitions, error codes, records, throttle
        ours = {(ev.get("client"), ev.get("broker"), ev.get("correlation_id")): ev
                for ev in events if ev.get("api") in ("Produce", "Fetch")}
        codes = {n: c for c, n in ERRORS.items()}
        for k, w in sorted(wire["events"].items(), key=str):
            ev = ours.get(k)
            where = "%s %s -> %s corr %d" % (w["api"], k[0], k[1], k[2])
            if ev is None:
                p.append("%s: on the wire, no kafkatap event" % where)
                continue
            got = {}
            for x in ev.get("partitions") or []:
                err = x.get("error")
                got[(x.get("topic"), x.get("partition"))] = [None if err in (None, "NONE") else codes.get(err, err),
                                                             x.get("records")]
            if set(got) != set(w["parts"]):
                p.append("%s: partitions %s, wire %s" % (where, sorted(got, key=str), sorted(w["parts"], key=str)))
                continue
            for tp, (err, rec) in sorted(w["parts"].items(), key=str):
                if got[tp][0] != err or (rec is not None and got[tp][1] != rec):
                    p.append("%s %s/%s: error/records %s, wire %s" % (where, tp[0], tp[1], got[tp], [err, rec]))
            if w["throttle"] is not None and ev.get("throttle_ms") != w["throttle"]:
                p.append("%s: throttle_ms %s, wire %s" % (where, ev.get("throttle_ms"), w["throttle"]))
        for k in sorted(set(ours) - set(wire["events"]), key=str):
            p.append("%s %s -> %s corr %s: kafkatap event the wire decoder has no request for"
                     % (ours[k].get("api"), k[0], k[1], k[2]))
        for k, c in wire["produce_errors"].items():
            if k not in parts:
                p.append("%s/%s: Produce errors %s on the wire, partition not reported" % (k[0], k[1], dict(c)))
    return p


# ---------------------------------------------------------------- 3. hand-checked

def name_ok(name, code):
    """kafkatap's name for an error code: Kafka's (errors.tsv), or for a code
    Kafka does not define any name that contains the number."""
    if code in ERRORS:
        return name == ERRORS[code]
    return isinstance(name, str) and str(code) in name


def hand_problems(events, expected, report=None):
    """expected: {events: [{api, correlation_id, [client], [api_version],
    [throttle_ms], [error_codes], [partitions]}], [report_partitions]} for
    one capture; each event entry must match exactly one event."""
    p = []
    for x in expected.get("events", []):
        cand = [e for e in events if e.get("api") == x["api"] and e.get("correlation_id") == x["correlation_id"]
                and ("client" not in x or e.get("client") == x["client"])]
        where = "%s corr %d" % (x["api"], x["correlation_id"])
        if len(cand) != 1:
            p.append("%s: %d events (want 1)" % (where, len(cand)))
            continue
        e = cand[0]
        for k in ("api_version", "throttle_ms"):
            if k in x and e.get(k) != x[k]:
                p.append("%s: %s %r, by hand %r" % (where, k, e.get(k), x[k]))
        if "error_codes" in x:
            got = nonzero(e.get("errors"))
            want = {int(c): n for c, n in x["error_codes"].items()}
            ok = len(got) == len(want) and all(
                any(name_ok(name, c) and got[name] == n for name in got) for c, n in want.items())
            if not ok:
                p.append("%s: errors %r, by hand codes %r" % (where, e.get("errors"), want))
        if "partitions" in x:
            got = e.get("partitions")
            if not isinstance(got, list):
                p.append("%s: no partitions list" % where)
                continue
            keyf = lambda y: (str(y.get("topic")), y.get("partition"))  # noqa: E731
            got_s = sorted(got, key=keyf)
            want_s = sorted(x["partitions"], key=keyf)
            if [keyf(y) for y in got_s] != [keyf(y) for y in want_s]:
                p.append("%s: partitions %s, by hand %s" % (where, [keyf(y) for y in got_s], [keyf(y) for y in want_s]))
                continue
            for g, w in zip(got_s, want_s):
                for k in ("records", "bytes"):
                    if k in w and g.get(k) != w[k]:
                        p.append("%s %s/%s: %s %r, by hand %r" % (where, w["topic"], w["partition"], k, g.get(k), w[k]))
                # error_code by hand: null = no response carried the
                # partition; 0 = no error (the "name or null": null or
                # NONE); else Kafka's name for the code
                if "error_code" not in w:
                    continue
                code = w["error_code"]
                if code is None:
                    ok = g.get("error") is None
                elif code == 0:
                    ok = g.get("error") in (None, "NONE")
                else:
                    ok = name_ok(g.get("error"), code)
                if not ok:
                    p.append("%s %s/%s: error %r, by hand code %s" % (where, w["topic"], w["partition"], g.get("error"), code))
    if expected.get("report_partitions"):
        parts, dup = by_partition(report or {})
        p += dup
        for w in expected["report_partitions"]:
            e = parts.get((w["topic"], w["partition"]))
            where = "--json %s/%d" % (w["topic"], w["partition"])
            if e is None:
                p.append("%s: not reported" % where)
                continue
            for k in ("topic_id", "topic_resolved"):
                if e.get(k) != w[k]:
                    p.append("%s: %s %r, by hand %r" % (where, k, e.get(k), w[k]))
            for k, v in w.get("produce", {}).items():
                got = sect(e, "produce").get(k)
                if (nonzero(got) if k == "acks" else got) != v:
                    p.append("%s: produce.%s %r, by hand %r" % (where, k, got, v))
    return p


# ---------------------------------------------------------------- main

def main():
    res = Results()
    tshark = shutil.which("tshark") is not None
    first_mock = first_kafka = None

    for tf in sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "*.truth.json"))):
        pcap = tf[: -len(".truth.json")] + ".pcap"
        truth = json.load(open(tf))
        try:
            rep, ev = report_of(pcap), events_of(pcap)
            probs = mock_problems(rep, ev, truth)
            if first_mock is None and truth.get("injected_errors"):
                first_mock = (rep, ev, truth)
        except Exception as exc:  # noqa: BLE001 - a crash is a failure
            probs = ["%s: %s" % (type(exc).__name__, exc)]
        res.check("mock truth %s" % os.path.basename(pcap), probs)

    for tf in sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "kafka", "*.truth.json"))):
        pcap = tf[: -len(".truth.json")] + ".pcap"
        truth = json.load(open(tf))
        try:
            wire = wire_facts(pcap, truth)
            rep = report_of(pcap)
            probs = kafka_problems(rep, truth, wire, events_of(pcap))
            if first_kafka is None:
                first_kafka = (rep, truth, wire)
        except Exception as exc:  # noqa: BLE001
            probs = ["%s: %s" % (type(exc).__name__, exc)]
        res.check("kafka truth %s" % os.path.basename(pcap), probs)
        if not tshark:
            res.skip("kafka wire %s" % os.path.basename(pcap), "tshark not installed (per-partition counts, events, group errors, throttling vs the independent decoder)")

    exp_path = os.path.join(SRCDIR, "tests", "data", "third-party", "expected-partitions.json")
    expected = json.load(open(exp_path))
    for name, spec in sorted(expected["captures"].items()):
        pcap = os.path.join(SRCDIR, "tests", "data", "third-party", name)
        try:
            rep = report_of(pcap) if spec.get("report_partitions") else None
            probs = hand_problems(events_of(pcap), spec, rep)
        except Exception as exc:  # noqa: BLE001
            probs = ["%s: %s" % (type(exc).__name__, exc)]
        res.check("hand-checked %s" % name, probs)

    # self-tests: a wrong truth must be caught (a new problem appears)
    def caught(fn, good, bad):
        return bool(set(fn(*bad)) - set(fn(*good)))
    if first_mock:
        rep, ev, truth = first_mock
        bad = json.loads(json.dumps(truth))
        bad["partitions"][0]["acked_records"] += 1
        bad2 = json.loads(json.dumps(truth))
        bad2["injected_errors"][0]["count"] += 1
        res.check("self-test: mock truth with one acked record more, or one injected error more, is caught",
                  [] if caught(mock_problems, (rep, ev, truth), (rep, ev, bad))
                  and caught(mock_problems, (rep, ev, truth), (rep, ev, bad2)) else ["a wrong truth passed"])
    tf = os.path.join(SRCDIR, "pcaps", "slow-broker.truth.json")
    if os.path.exists(tf):
        pcap = tf[: -len(".truth.json")] + ".pcap"
        truth = json.load(open(tf))
        rep, ev = report_of(pcap), events_of(pcap)
        bad = json.loads(json.dumps(truth))
        slow = [b for b, ms in bad["broker_rtt_ms"].items() if ms]
        fast = [b for b, ms in bad["broker_rtt_ms"].items() if not ms]
        if slow and fast:
            bad["broker_rtt_ms"][slow[0]], bad["broker_rtt_ms"][fast[0]] = 0, 80
        res.check("self-test: slow-broker truth with the RTT on another broker is caught",
                  [] if slow and fast and caught(mock_problems, (rep, ev, truth), (rep, ev, bad))
                  else ["a wrong truth passed"])
    if first_kafka:
        rep, truth, wire = first_kafka
        bad = json.loads(json.dumps(truth))
        bad["partitions"][0]["records"] += 1
        first = sorted(bad["topic_ids"])[0]
        bad2 = json.loads(json.dumps(truth))
        bad2["topic_ids"][first] = "A" * 22
        res.check("self-test: kafka truth off by one record, or with a wrong topic id, is caught",
                  [] if caught(kafka_problems, (rep, truth, wire), (rep, bad, wire))
                  and caught(kafka_problems, (rep, truth, wire), (rep, bad2, wire)) else ["a wrong truth passed"])
    name, spec = sorted(expected["captures"].items())[0]
    bad = json.loads(json.dumps(spec))
    bad["events"][0]["throttle_ms"] = 1
    bad2 = json.loads(json.dumps(spec))
    bad2["events"][0]["error_codes"] = {"7": 1}
    ev = events_of(os.path.join(SRCDIR, "tests", "data", "third-party", name))
    res.check("self-test: a wrong hand-checked throttle or error code is caught",
              [] if caught(lambda s: hand_problems(ev, s), (spec,), (bad,))
              and caught(lambda s: hand_problems(ev, s), (spec,), (bad2,)) else ["a wrong expectation passed"])

    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed or not res.passed else 0


if __name__ == "__main__":
    sys.exit(main())
