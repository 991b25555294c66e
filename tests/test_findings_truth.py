#!/usr/bin/env python3
"""test_findings_truth.py - the load and absolute-latency findings against the
ground truth of the librdkafka mock captures (pcaps/NAME.truth.json, written
by pcaps/recorder/mockgen.c from its own produce calls, the delivery reports
and the RTT it injected into the mock brokers), never against kafkatap's own
output.

For every mock capture whose truth lists partitions:
  - each topic-partition's share of the produced records in --json equals
    its produced records over all produced records, per the generator
    (but where errors were injected: the retried records are sent again,
    and kafkatap counts what crossed the wire);
  - load skew: the generator's shares say whether one partition (or one
    topic) carries a dominant share (at least 50%, and per partition at
    least 3 times the mean share of the other partitions); a hot_partition
    finding citing that share names it exactly then, and no load finding
    names anything else (skew.pcap: orders/0 60 of every 72 records fires;
    skew-near-miss.pcap: 10 of every 22 does not);
  - hot broker: where no errors were injected (retries send records
    twice), the brokers leading at least 70% of the records the generator
    sent to their partitions, and twice the mean of the other brokers (not
    counting a partition named by a load finding), are exactly the ones a
    hot_broker finding names, with that share (broker-skew.pcap: broker 1,
    28 of every 36 records; broker-skew-near-miss.pcap: 24 of 36, none);
  - absolute latency: a broker with an injected RTT of at least the Produce
    threshold (100 ms by default) that leads a partition draws a
    slow_produce finding naming it; none does when every RTT is under the
    threshold (slow-alone.pcap: 150 ms fires; slow-alone-near-miss.pcap:
    70 ms and slow-broker.pcap: 80 ms do not), and with --slow-produce-ms
    under a broker's RTT that broker is named;
  - absolute Fetch latency (--slow-fetch-ms 100, and the default 1000):
    the brokers a slow_fetch finding names are exactly the leaders of the
    partitions a consumer read with an injected RTT at the threshold or
    above (the mock answers a Fetch that has records at once, plus its
    RTT); a consumer reading only from such brokers is named, one reading
    none of them is not, and one reading both is named when the recorder
    sent records to the slow brokers' partitions in at least twice as many
    waves as to the others' (consumed_topic_waves_by_broker: each wave is
    a Fetch with records) and not named at half or less (slow-fetch.pcap:
    broker 2 at 150 ms and feed-reader, 30 waves against broker 1's 10,
    are named at 100 ms, broker 1 is not; at 1000 ms nothing).

For every real Apache Kafka capture (pcaps/kafka/NAME.truth.json, the
broker's end offsets per partition): the load findings are exactly the ones
those offsets call for (kafka/skew.pcap: orders/0 1200 of 1440 records from
an idempotent acks=all producer), with the share to the digit where no
topic was deleted and no broker killed.
"""
import glob
import json
import os
import subprocess
import sys
from collections import defaultdict

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
LOAD_SHARE, REST_FACTOR, SLOW_PRODUCE_MS = 0.50, 3.0, 100
SLOW_FETCH_MS = (100, 1000)       # a threshold under slow-fetch's RTT, the default
BROKER_SHARE, BROKER_REST_FACTOR = 0.70, 2.0


def report(pcap, *args):
    r = subprocess.run([KAFKATAP, "-r", pcap, "--json"] + list(args),
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("kafkatap failed on %s: %s" % (pcap, r.stderr))
    return json.loads(r.stdout)


def dominant(share, k, n):
    if share < LOAD_SHARE or k >= n:
        return False
    return share / k >= REST_FACTOR * (1 - share) / (n - k)


def expected_load(truth):
    """Subjects of the load findings the generator's counts call for, and
    the partitions named one by one."""
    parts = [p for p in truth["partitions"] if p["produced_records"] > 0]
    total = sum(p["produced_records"] for p in parts)
    if total < 100 or len(parts) < 2:
        return {}, total, set()
    want = {}
    named = set()
    by_topic = defaultdict(list)
    for p in parts:
        by_topic[p["topic"]].append(p)
    for topic, ps in by_topic.items():
        best = max(ps, key=lambda p: p["produced_records"])
        share = best["produced_records"] / total
        seen = truth["topics"][topic]["partitions"]
        if dominant(share, 1, len(parts)):
            subj = ("topic %s" % topic if seen == 1
                    else "topic %s partition %d" % (topic, best["partition"]))
            want[subj] = share
            named.add((topic, best["partition"]))
            continue
        tshare = sum(p["produced_records"] for p in ps) / total
        if len(ps) >= 2 and dominant(tshare, len(ps), len(parts)):
            want["topic %s" % topic] = tshare
    return want, total, named


def expected_hot_brokers(truth, named):
    """Brokers leading a dominant share of the records the generator sent,
    leaving out the partitions a partition-level load finding names."""
    addr = {str(b["id"]): b["address"] for b in truth.get("brokers", [])}
    led = defaultdict(int)
    total = 0
    for p in truth["partitions"]:
        if p["produced_records"] <= 0 or (p["topic"], p["partition"]) in named:
            continue
        led[str(p["leader"])] += p["produced_records"]
        total += p["produced_records"]
    if len(led) < 2 or total < 100:
        return {}
    want = {}
    for b, n in led.items():
        share = n / total
        if share >= BROKER_SHARE and share >= BROKER_REST_FACTOR * (1 - share) / (len(led) - 1):
            want["broker " + addr[b]] = share
    return want


def check(pcap, truth):
    problems = []
    d = report(pcap)
    want, total, named = expected_load(truth)
    # no mock broker is ever stopped: broker_silent never fires (near misses)
    silent = [f["subject"] for f in d["findings"] if f["kind"] == "broker_silent"]
    if silent:
        problems.append("broker_silent on %s, but every mock broker answered to the end" % silent)
    produced = {(p["topic"], p["partition"]): p["produced_records"]
                for p in truth["partitions"]}
    for row in d["partitions"]:
        key = (row["topic"], row["partition"])
        if key in produced and total and not truth.get("injected_errors"):
            exp = produced[key] / total
            if abs(row["produce"]["records_share"] - exp) > 0.00006:
                problems.append("%s/%d records_share %s, truth %d of %d"
                                % (key[0], key[1], row["produce"]["records_share"],
                                   produced[key], total))
    got = {f["subject"]: f for f in d["findings"]
           if f["kind"] == "hot_partition" and "records_share" in f["metrics"]}
    if set(got) != set(want):
        problems.append("load findings on %s, truth calls for %s"
                        % (sorted(got), sorted(want)))
    for subj, share in want.items():
        if subj in got:
            m = got[subj]["metrics"]
            # one partition's share, or a whole topic's
            if abs(m["records_share"] - share) > 0.00006:
                problems.append("%s: records_share %s, truth %.4f"
                                % (subj, m["records_share"], share))

    if not truth.get("injected_errors"):     # retried records are sent twice
        want_b = expected_hot_brokers(truth, named)
        got_b = {f["subject"]: f for f in d["findings"] if f["kind"] == "hot_broker"}
        if set(got_b) != set(want_b):
            problems.append("hot_broker findings on %s, truth calls for %s"
                            % (sorted(got_b), sorted(want_b)))
        for subj, share in want_b.items():
            if subj in got_b and abs(got_b[subj]["metrics"]["records_share"] - share) > 0.00006:
                problems.append("%s: records_share %s, truth %.4f"
                                % (subj, got_b[subj]["metrics"]["records_share"], share))

    rtt = {str(k): v for k, v in truth.get("broker_rtt_ms", {}).items()}
    addr = {str(b["id"]): b["address"] for b in truth.get("brokers", [])}
    leaders = {str(l) for t in truth["topics"].values() for l in t["leaders"]}

    def slow_brokers(doc):
        """Brokers a slow_produce finding names: as its subject, or among
        the peers a grouped one names ("and N more like it: broker X (warning)")."""
        named = set()
        for f in doc["findings"]:
            if f["kind"] != "slow_produce":
                continue
            if f["subject"].startswith("broker "):
                named.add(f["subject"])
            more = f["summary"].split("more like it:", 1)
            if len(more) == 2:
                for peer in more[1].split(","):
                    peer = peer.strip().rsplit(" (", 1)[0]
                    if peer.startswith("broker "):
                        named.add(peer)
        return named

    want_slow = {"broker " + addr[b] for b in leaders
                 if rtt.get(b, 0) >= SLOW_PRODUCE_MS}
    if slow_brokers(d) != want_slow:
        problems.append("slow_produce brokers %s, truth (RTT >= %d ms) %s"
                        % (sorted(slow_brokers(d)), SLOW_PRODUCE_MS, sorted(want_slow)))
    injected = [v for b, v in rtt.items() if v > 20 and b in leaders]
    if injected:
        low = min(injected) - 10        # under every injected RTT
        d2 = report(pcap, "--slow-produce-ms", str(low))
        want2 = {"broker " + addr[b] for b in leaders if rtt.get(b, 0) >= low}
        if not want2 <= slow_brokers(d2):
            problems.append("--slow-produce-ms %d: slow_produce brokers %s, truth %s"
                            % (low, sorted(slow_brokers(d2)), sorted(want2)))
    for thr in SLOW_FETCH_MS:
        problems += check_slow_fetch(pcap, truth, thr, addr, rtt)
    return problems


def fetch_subjects(doc):
    """Brokers and client ids a slow_fetch finding names, as its subject or
    among the peers a grouped one names."""
    named = set()
    for f in doc["findings"]:
        if f["kind"] != "slow_fetch":
            continue
        subjects = [f["subject"]]
        more = f["summary"].split("more like it:", 1)
        if len(more) == 2:
            subjects += [peer.strip().rsplit(" (", 1)[0] for peer in more[1].split(",")]
        named |= {x for x in subjects if x.startswith(("broker ", "client id "))}
    return named


def check_slow_fetch(pcap, truth, thr, addr, rtt):
    """slow_fetch per broker and client id against the RTTs the recorder
    set (see the top of this file)."""
    topic = truth.get("consumed_topic")
    leaders = truth["topics"][topic]["leaders"] if topic else []
    waves = {str(k): v for k, v in truth.get("consumed_topic_waves_by_broker", {}).items()}
    slow = {b for b, v in rtt.items() if v >= thr}
    want, unsure = set(), set()
    for c in truth.get("consumers", []):
        lead = {str(leaders[int(k.rsplit("/", 1)[1])])
                for k, n in c["consumed_records"].items() if n > 0}
        want |= {"broker " + addr[b] for b in lead & slow}
        name = "client id " + c["client_id"]
        if not lead & slow:
            continue
        on_slow = sum(waves.get(b, 0) for b in lead & slow)
        on_fast = sum(waves.get(b, 0) for b in lead - slow)
        if not lead - slow or on_slow >= 2 * on_fast:
            want.add(name)
        elif 2 * on_slow > on_fast:
            unsure.add(name)
    got = fetch_subjects(report(pcap, "--slow-fetch-ms", str(thr)))
    if got - unsure != want:
        return ["--slow-fetch-ms %d: slow_fetch names %s, truth (RTT >= %d ms) %s"
                % (thr, sorted(got - unsure), thr, sorted(want))]
    return []


def kafka_as_mock(truth):
    """A real-broker truth file (tools/kafka-harness: the broker's end
    offsets per partition) in the shape check_load() reads."""
    parts = [{"topic": p["topic"], "partition": p["partition"],
              "produced_records": p["records"]} for p in truth.get("partitions", [])]
    topics = defaultdict(int)
    for p in parts:
        topics[p["topic"]] += 1
    return {"partitions": parts,
            "topics": {t: {"partitions": n} for t, n in topics.items()}}


def check_kafka(pcap, truth):
    """Load findings on a real broker's capture, truth from its end
    offsets.  Where a topic was deleted or a broker killed, records the
    broker no longer has (or took twice, from retries) were sent, so only
    the set of findings is compared, not the shares to the digit."""
    problems = []
    mock = kafka_as_mock(truth)
    want, total, _ = expected_load(mock)
    d = report(pcap)
    got = {f["subject"]: f for f in d["findings"]
           if f["kind"] == "hot_partition" and "records_share" in f["metrics"]}
    if set(got) != set(want):
        problems.append("load findings on %s, the broker's end offsets call for %s"
                        % (sorted(got), sorted(want)))
    # broker_silent: exactly the brokers the recorder killed (failed_brokers)
    silent = {f["subject"] for f in d["findings"] if f["kind"] == "broker_silent"}
    killed = {"broker " + b for b in truth.get("failed_brokers", [])}
    if silent != killed:
        problems.append("broker_silent names %s, the recorder killed %s"
                        % (sorted(silent), sorted(killed)))
    exact = not truth.get("deleted_topics") and not truth.get("failed_brokers")
    for subj, share in want.items():
        if subj in got and exact and abs(got[subj]["metrics"]["records_share"] - share) > 0.00006:
            problems.append("%s: records_share %s, end offsets %.4f"
                            % (subj, got[subj]["metrics"]["records_share"], share))
    return problems


def run_all(folder, prefix, usable, check_fn):
    """Checks every capture with a usable truth file in folder; returns
    (captures checked, captures with problems)."""
    n = bad = 0
    for truth_path in sorted(glob.glob(os.path.join(SRCDIR, "pcaps", *folder, "*.truth.json"))):
        truth = json.load(open(truth_path))
        pcap = truth_path[:-len(".truth.json")] + ".pcap"
        if not usable(truth) or not os.path.exists(pcap):
            continue
        n += 1
        problems = check_fn(pcap, truth)
        name = prefix + os.path.basename(pcap)
        bad += bool(problems)
        for p in problems:
            print("FAIL %s: %s" % (name, p))
        if not problems:
            print("ok   %s" % name)
    return n, bad


def main():
    _, bad_kafka = run_all(["kafka"], "kafka/", lambda t: bool(t.get("partitions")), check_kafka)
    n, bad = run_all([], "", lambda t: "partitions" in t and "topics" in t, check)
    if n < 4:
        print("FAIL: only %d mock captures with partition truth" % n)
        return 1
    return 1 if bad or bad_kafka else 0


if __name__ == "__main__":
    sys.exit(main())
