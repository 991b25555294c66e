#!/usr/bin/env python3
"""test_batching_truth.py - codecs, batches and the tiny_batches finding
against real Apache Kafka 4.4 captures (pcaps/kafka/), with the truth from
the producers' own configuration and reports, never from kafkatap's output.

  - kafka/codecs.pcap: each topic codec-C was produced by perf-C with
    compression.type=C (tools/kafka-harness/scenarios.sh, scenario_codecs,
    and the truth's notes): every partition's produce codec in --json is C,
    and so is the codec of the batches fetched back from it (the topic keeps
    the producer's codec); each client id's produce codec is C and its
    records are the count it reported.
  - kafka/batching.pcap (the truth records each producer's properties as
    the recorder set them, and the metrics it printed at the end):
    the produce codec per client id and per partition is the configured
    compression.type; records per request equal the producer's own
    records-per-request-avg (to its 3 decimals); records equal the count it
    reported; and tiny_batches names exactly the producers that send one
    record per batch (batch.size=0, linger.ms=0) at 50 requests/s or more:
    chatty-svc (200 records/s) fires; batched-svc (linger.ms=50, about 12
    records a request) and trickle-svc (one record a batch at 10/s) do not.
"""
import json
import os
import subprocess
import sys

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
TINY_RATE = 50.0        # requests/s: the rule's threshold (man page)
# records/s each producer of scenario_batching was throttled to (its
# --throughput, tools/kafka-harness/scenarios.sh and the truth's notes)
BATCHING_RATES = {"chatty-svc": 200, "batched-svc": 200, "trickle-svc": 10}


def report(pcap):
    r = subprocess.run([KAFKATAP, "-r", pcap, "--json"], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("kafkatap failed on %s: %s" % (pcap, r.stderr))
    return json.loads(r.stdout)


def load(name):
    base = os.path.join(SRCDIR, "pcaps", "kafka", name)
    with open(base + ".truth.json") as f:
        return base + ".pcap", json.load(f)


def check(problems, what, got, want):
    if got != want:
        problems.append("%s: got %r, want %r" % (what, got, want))


def client_of(rep, cid):
    for c in rep["clients"]:
        if c["client_id"] == cid:
            return c
    return None


def codecs(problems):
    pcap, truth = load("codecs")
    rep = report(pcap)
    parts = {(p["topic"], p["partition"]): p for p in rep["partitions"]}
    for c in truth["clients"]:
        if c["role"] != "producer":
            continue
        # scenario_codecs: client perf-C sends to codec-C with compression.type=C
        want = c.get("config", {}).get("compression.type", c["client_id"][len("perf-"):])
        check(problems, "codecs %s topic" % c["client_id"], c["topic"], "codec-" + want)
        for tp in truth["partitions"]:
            if tp["topic"] != c["topic"]:
                continue
            p = parts.get((tp["topic"], tp["partition"]))
            if not p:
                problems.append("codecs: %s/%d missing" % (tp["topic"], tp["partition"]))
                continue
            check(problems, "codecs %s/%d produce codec" % (tp["topic"], tp["partition"]),
                  p["produce"]["codec"], want)
            check(problems, "codecs %s/%d produce batches of %s" % (tp["topic"], tp["partition"], want),
                  p["produce"]["codec_batches"][want], p["produce"]["batches"])
            check(problems, "codecs %s/%d fetch codec" % (tp["topic"], tp["partition"]),
                  p["fetch"]["codec"], want)
        rc = client_of(rep, c["client_id"])
        if not rc:
            problems.append("codecs: client %s missing" % c["client_id"])
            continue
        check(problems, "codecs %s codec" % c["client_id"], rc["produce_batching"]["codec"], want)
        check(problems, "codecs %s records" % c["client_id"],
              rc["produce_batching"]["records"], c["reported_records"])
    print("codecs: %d producers checked" % sum(c["role"] == "producer" for c in truth["clients"]))


def batching(problems):
    pcap, truth = load("batching")
    rep = report(pcap)
    named = {f["subject"] for f in rep["findings"] if f["kind"] == "tiny_batches"}
    parts = {(p["topic"], p["partition"]): p for p in rep["partitions"]}
    want_named = set()
    for c in truth["clients"]:
        if c["role"] != "producer":
            continue
        cid, conf, met = c["client_id"], c["config"], c["metrics"]
        rc = client_of(rep, cid)
        if not rc:
            problems.append("batching: client %s missing" % cid)
            continue
        b = rc["produce_batching"]
        codec = conf["compression.type"]
        check(problems, "%s codec" % cid, b["codec"], codec)
        for tp in truth["partitions"]:
            if tp["topic"] == c["topic"]:
                check(problems, "%s/%d codec" % (tp["topic"], tp["partition"]),
                      parts[(tp["topic"], tp["partition"])]["produce"]["codec"], codec)
        check(problems, "%s records" % cid, b["records"], c["reported_records"])
        rpr = round(b["records"] / b["requests"], 3)
        check(problems, "%s records per request" % cid, rpr, met["records-per-request-avg"])
        # the truth's verdict: one record a batch (batch.size=0: no batching,
        # linger.ms=0: nothing waits) at TINY_RATE requests/s or more: its
        # configured records/s over its own records-per-request-avg
        one_per_batch = conf.get("batch.size") == "0" and conf.get("linger.ms") == "0"
        rate = BATCHING_RATES[cid] / met["records-per-request-avg"]
        if one_per_batch and rate >= TINY_RATE:
            want_named.add("client id " + cid)
        # the rate kafkatap measures over the span of the requests: the
        # producer's throttle paces records, not requests, so within 25%
        if abs(b["requests_per_s"] - rate) > 0.25 * rate:
            problems.append("%s: %.1f requests/s, the producer's %.1f" % (cid, b["requests_per_s"], rate))
        print("%s: %d requests at %.1f/s (producer: %.1f), %.2f records/batch, "
              "%.3f records/request (producer: %.3f), codec %s"
              % (cid, b["requests"], b["requests_per_s"], rate, b["records_per_batch"], rpr,
                 met["records-per-request-avg"], b["codec"]))
    check(problems, "tiny_batches named", named, want_named)
    check(problems, "tiny_batches fires on chatty-svc (the capture past the threshold)",
          "client id chatty-svc" in named, True)
    for near in ("batched-svc", "trickle-svc"):
        check(problems, "tiny_batches silent on %s (near miss)" % near,
              "client id " + near in named, False)


def main():
    problems = []
    codecs(problems)
    batching(problems)
    for p in problems:
        print("FAIL: " + p)
    print("%s" % ("ok" if not problems else "%d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
