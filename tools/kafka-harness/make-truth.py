#!/usr/bin/env python3
"""Writes a scenario's NAME.truth.json for the capture harness from the
broker's own answers (BrokerTruth output) and the counts the clients printed."""
import argparse
import json
import re
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker-json", required=True)
    ap.add_argument("--clients", required=True)
    ap.add_argument("--brokers", required=True, help="ip:port of every node, space separated")
    ap.add_argument("--failed-broker", default="", help="ip:port of a node killed during the scenario")
    ap.add_argument("--kafka-version", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--notes", default="")
    ap.add_argument("--throttled", default="")
    ap.add_argument("--deleted", default="")
    ap.add_argument("--groups", default="")
    ap.add_argument("--transactions", default="",
                    help="txn-truth lines (JSON) printed by the transactional producers")
    ap.add_argument("--paused", default="", help="paused.tsv: node, address, start, end of each SIGSTOP")
    ap.add_argument("--slowed", default="",
                    help="slowed.tsv: node, address, start, end, stop_ms, run_ms of each slowing")
    a = ap.parse_args()

    with open(a.broker_json) as f:
        broker = json.load(f)
    clients = []
    with open(a.clients) as f:
        for line in f:
            kind, cid, topic, n, thr, conf, met = (line.rstrip("\n").split("\t") + ["", ""])[:7]
            c = {"client_id": cid, "role": kind, "topic": topic, "reported_records": int(n)}
            if kind == "delivery":
                # java/DeliveryCounter.java: its own delivery callbacks counted
                c["role"] = "producer"
                c["tool"] = "DeliveryCounter (tools/kafka-harness/java)"
                c.update(json.loads(thr))
            elif kind == "txn-producer":
                c["tool"] = "TxnProducer (tools/kafka-harness/java)"
            elif kind == "producer":
                c["tool"] = "org.apache.kafka.tools.ProducerPerformance"
                c["produce_throttle_time_max_ms"] = float(thr) if thr not in ("", "NaN") else 0.0
                # the properties the recorder set (a later one wins) and the
                # batching metrics the producer printed at the end
                if conf:
                    c["config"] = dict(kv.split("=", 1) for kv in conf.split())
                if met:
                    c["metrics"] = {k: float(v) for k, v in (kv.split("=", 1) for kv in met.split())
                                    if v not in ("NaN", "")}
            else:
                c["tool"] = "org.apache.kafka.tools.consumer.ConsoleConsumer"
            clients.append(c)

    parts = [{"topic": p["topic"], "partition": p["partition"], "records": p["records"],
              "end_offset": p["end_offset"]}
             for p in broker["partitions"]]
    truth = {
        "brokers": a.brokers.split(),
        "kafka_version": a.kafka_version,
        "partitions": parts,
        "throttled_client_ids": a.throttled.split(),
        "notes": a.notes,
        "scenario": a.scenario,
        "topic_ids": broker["topic_ids"],
        "deleted_topics": a.deleted.split(),
        "failed_brokers": a.failed_broker.split(),
        "clients": clients,
        "consumer_groups": broker["groups"],
        "records_total": sum(p["records"] for p in parts),
    }
    if a.transactions:
        add_transactions(truth, a.transactions)
    if a.paused:
        truth["paused"] = []
        with open(a.paused) as f:
            for line in f:
                node, addr, t0, t1 = line.rstrip("\n").split("\t")
                truth["paused"].append({"node": int(node), "broker": addr, "start": round(float(t0), 3),
                                        "end": round(float(t1), 3),
                                        "seconds": round(float(t1) - float(t0), 3)})
    if a.slowed:
        truth["slowed"] = []
        with open(a.slowed) as f:
            for line in f:
                node, addr, t0, t1, stop_ms, run_ms = line.rstrip("\n").split("\t")
                truth["slowed"].append({"node": int(node), "broker": addr, "start": round(float(t0), 3),
                                        "end": round(float(t1), 3), "stop_ms": int(stop_ms),
                                        "run_ms": int(run_ms)})
    # The broker's count must equal what the producers saw acknowledged on
    # every topic that still exists: a mismatch means a broken recording.
    for topic in {c["topic"] for c in clients if c["role"] == "producer"}:
        if topic in truth["deleted_topics"]:
            continue
        acked = sum(c["reported_records"] for c in clients if c["role"] == "producer" and c["topic"] == topic)
        stored = sum(p["records"] for p in parts if p["topic"] == topic)
        if acked != stored:
            sys.exit(f"make-truth: {topic}: producers acknowledged {acked}, broker holds {stored}")
    sys.stdout.write(compact_json(truth) + "\n")


def add_transactions(truth, path):
    """Per transactional id, the transactions and records the producer itself
    committed and aborted; the read_committed consumers' count must equal the
    committed records (the broker filtered out the aborted ones)."""
    with open(path) as f:
        txns = [json.loads(line) for line in f if line.strip()]
    txns.sort(key=lambda t: t["transactional_id"])
    committed = sum(t["records_committed"] for t in txns)
    truth["transactions"] = txns
    truth["transactional_records_committed"] = committed
    truth["transactional_records_aborted"] = sum(t["records_aborted"] for t in txns)
    for c in truth["clients"]:
        if c["role"] == "consumer" and c["reported_records"] != committed:
            sys.exit(f"make-truth: read_committed consumer {c['client_id']} got "
                     f"{c['reported_records']} records, producers committed {committed}")


def compact_json(obj):
    """Indented JSON with every innermost object on one line (one partition,
    client or group a line)."""
    text = json.dumps(obj, indent=2)
    one_line = lambda m: " ".join(m.group(0).split())  # noqa: E731
    text = re.sub(r"\[[^{}\[\]]*\]", one_line, text)    # arrays of scalars
    return re.sub(r"\{[^{}\[\]]*\}", one_line, text)


if __name__ == "__main__":
    main()
