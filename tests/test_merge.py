#!/usr/bin/env python3
"""test_merge.py - kafkatap merge: the --json reports of several broker
hosts added into one cluster report, against independent truth.

  - split by broker: a multi-broker capture cut with tshark into what two
    broker hosts would each capture (the connections to their own ports);
    the merge of the halves' --json reports has, per broker, the requests
    tshark decodes towards that broker's port, per partition the records
    the producers' delivery reports count (truth.json), and equals the
    whole capture's report: every count exactly, every percentile within
    the histogram's 0.4% (in fact the same), findings included; the text
    report too, line for line after the source line;
  - seen at both ends: the Kafka 4.4 broker-failure capture cut as broker
    host 1 and hosts 2+3 see it, replica fetcher connections in both; the
    merge counts them once: the whole's report again (apart from the
    capture's packet counts and anomaly counters, which each host did
    capture), and stderr says how many copies were taken out;
  - the same report given twice: the report once (same exceptions); a
    merged report merges again (alone: itself; with a host's report
    already in it: itself);
  - round trip: the merge of one capture's report prints that capture's
    text report, for every bundled capture;
  - bad input (not JSON, cut short, wrong types, a histogram whose
    buckets disagree with its count, a missing file): exit status 1 and a
    message naming the file, never a crash.
Exits 77 (skipped) when tshark is missing.
"""
import glob
import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
REL_ERR = 2 ** -8          # histogram.h: 2^-(KT_HIST_SUB_BITS+1)

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args):
    return subprocess.run([KAFKATAP] + args, capture_output=True, text=True)


def report(path, tmp, name):
    out = os.path.join(tmp, name + ".json")
    r = run(["-r", path, "--json"])
    if r.returncode != 0:
        raise RuntimeError("kafkatap -r %s: %s" % (path, r.stderr))
    with open(out, "w") as f:
        f.write(r.stdout)
    return out, json.loads(r.stdout)


def merge(files, json_out=True):
    r = run(["merge"] + (["--json"] if json_out else []) + files)
    if r.returncode != 0:
        raise RuntimeError("kafkatap merge: %s" % r.stderr)
    return (json.loads(r.stdout) if json_out else r.stdout), r.stderr


class Balance(html.parser.HTMLParser):
    """Counts end tags that do not close the element open last."""
    VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "col"}

    def __init__(self):
        super().__init__()
        self.open, self.bad = [], 0

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.bad += 1


class Summaries(html.parser.HTMLParser):
    """The text of each <p class="summary"> (a finding's summary)."""

    def __init__(self):
        super().__init__()
        self.found, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif tag == "p" and ("class", "summary") in attrs:
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def html_page(files, merged, tmp, name):
    """kafkatap merge --html: a well formed page that says what is not
    merged and shows the merged report's findings."""
    page = os.path.join(tmp, name + ".html")
    r = run(["merge", "--html", page] + files)
    check(r.returncode == 0 and os.path.exists(page), "%s: merge --html writes the page" % name)
    text = open(page, encoding="utf-8").read()
    b = Balance()
    b.feed(text)
    check(not b.bad and not b.open, "%s: the merged page is well formed" % name)
    check("Not merged" in text, "%s: the merged page says what is not merged" % name)
    shown = Summaries()
    shown.feed(text)
    want = [f["summary"] for f in merged["findings"]]
    check(shown.found == want,
          "%s: the merged page shows the merged findings, in order (%d)" % (name, len(want)))


def tshark_split(capture, out, ports):
    flt = " || ".join("tcp.port==%d" % p for p in ports)
    subprocess.run(["tshark", "-r", capture, "-w", out, "-Y", flt],
                   check=True, capture_output=True)


def tshark_requests(capture, broker_ports):
    """Requests tshark decodes per broker port (frames towards it)."""
    cmd = ["tshark", "-r", capture]
    for p in broker_ports:
        cmd += ["-d", "tcp.port==%d,kafka" % p]
    cmd += ["-Y", "kafka", "-T", "fields", "-e", "tcp.dstport",
            "-e", "kafka.correlation_id", "-E", "occurrence=a"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    counts = {}
    for line in out.splitlines():
        port, _, ids = line.partition("\t")
        if port and int(port) in broker_ports and ids:
            counts[int(port)] = counts.get(int(port), 0) + len(ids.split(","))
    return counts


def differences(a, b, path="", out=None):
    """Paths where a and b differ; latency figures (ms) may differ by the
    histogram's relative error."""
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append("%s/%s only in one" % (path, k))
            else:
                differences(a[k], b[k], "%s/%s" % (path, k), out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: %d != %d elements" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, "%s[%d]" % (path, i), out)
    elif "latency_ms" in path and isinstance(a, float) and isinstance(b, float):
        if abs(a - b) > REL_ERR * max(a, b) + 0.001:
            out.append("%s: %s != %s" % (path, a, b))
    elif a != b:
        out.append("%s: %r != %r" % (path, a, b))
    return out


# What differs by design between a capture's report and a merge's.
ALWAYS = ("source", "memory")
PER_HOST = ("capture", "anomalies")   # each host captured its own packets


# What a merged report does not carry (its "not_merged" note says so): the
# per-host sections whose JSON does not add up yet.
NOT_MERGED = {"started", "ended", "ongoing", "timeline", "not_merged",
              "fetch_data_latency_ms", "acks_waits", "acks_waits_dropped"}


# Findings from the sections not merged.
NOT_MERGED_KINDS = {"sasl_auth_failure", "slow_follower_acks", "broker_silent"}


# Merged but not de-duplicated: per-client delivery and batching
# (conn_stats does not track them per connection), summed over the copies
# of a connection seen at both ends; compared only where no connection is
# in two inputs.
NOT_DEDUPED = ("delivery", "client_partitions_other", "produce_batching")
NOT_DEDUPED_KINDS = {"failing_client", "tiny_batches"}


def without(x):
    if isinstance(x, dict):
        return {k: without(v) for k, v in x.items() if k not in NOT_MERGED}
    if isinstance(x, list):
        return [without(v) for v in x]
    return x


def drop_keys(x, keys):
    if isinstance(x, dict):
        return {k: drop_keys(v, keys) for k, v in x.items() if k not in keys}
    if isinstance(x, list):
        return [drop_keys(v, keys) for v in x]
    return x


def comparable(rep, also=(), dup=False):
    """rep without what is not merged; dup: a merge with connections in
    two inputs, without what is not de-duplicated either."""
    r = {k: v for k, v in without(rep).items() if k not in ALWAYS + tuple(also)}
    kinds = NOT_MERGED_KINDS | (NOT_DEDUPED_KINDS if dup else set())
    if dup:
        r = drop_keys(r, NOT_DEDUPED)
    r["findings"] = [f for f in r["findings"] if f["kind"] not in kinds]
    r["connection_stats"] = sorted(r["connection_stats"],
                                   key=lambda c: (c["client"], c["broker"]))
    return r


SINCE = re.compile(r" \(since [0-9:.]+ UTC\)$")


def text_agrees(merged, whole):
    """Every line of the merged text report (after its source and
    not-merged lines) is a line of the whole capture's report, in order,
    the whole's findings without their (since ...)."""
    have = [SINCE.sub("", ln) for ln in whole.splitlines()[1:]]
    k = 0
    for ln in merged.splitlines()[2:]:
        if ln == "No findings.":     # (the whole's may be of kinds not merged)
            continue
        while k < len(have) and have[k] != ln:
            k += 1
        if k == len(have):
            return False, ln
        k += 1
    return True, None


def by_broker(tmp):
    """slow-broker (mock cluster) and broker-failure (Kafka 4.4) split by
    broker port into two hosts' captures."""
    for name, capture, host_a in (
            ("slow-broker", "pcaps/slow-broker.pcap", 1),
            ("broker-failure", "pcaps/kafka/broker-failure.pcap", 1)):
        capture = os.path.join(SRCDIR, capture)
        whole_json, whole = report(capture, tmp, name)
        truth = json.load(open(capture[:-len(".pcap")] + ".truth.json"))
        ports = sorted(int(b["broker"].rsplit(":", 1)[1]) for b in whole["brokers"])
        a_ports, b_ports = ports[:host_a], ports[host_a:]
        a_pcap = os.path.join(tmp, name + "-a.pcap")
        b_pcap = os.path.join(tmp, name + "-b.pcap")
        tshark_split(capture, a_pcap, a_ports)
        tshark_split(capture, b_pcap, b_ports)
        a_json, a = report(a_pcap, tmp, name + "-a")
        b_json, b = report(b_pcap, tmp, name + "-b")
        check(a["totals"]["requests"] and b["totals"]["requests"],
              "%s: both halves hold requests (%d, %d)"
              % (name, a["totals"]["requests"], b["totals"]["requests"]))
        merged, err = merge([a_json, b_json])
        html_page([a_json, b_json], merged, tmp, name)
        # independent: tshark's requests per broker port
        ts = tshark_requests(capture, ports)
        got = {int(x["broker"].rsplit(":", 1)[1]): x["requests"] for x in merged["brokers"]}
        check(got == ts, "%s: requests per broker = tshark's %s" % (name, ts))
        # independent: per partition, the records the producers' delivery
        # reports count (mock cluster), or the broker's end offsets (Kafka:
        # the records acknowledged)
        kafka = "produced_records" not in truth["partitions"][0]
        key = "acked_records" if kafka else "records"
        want = {(p["topic"], p["partition"]): p["records" if kafka else "produced_records"]
                for p in truth["partitions"]}
        have = {(p["topic"], p["partition"]): p["produce"][key]
                for p in merged["partitions"] if (p["topic"], p["partition"]) in want}
        check(have == want, "%s: %s per partition = truth.json's %s"
              % (name, key, sorted(want.values())))
        # independent: per-client delivery, per partition: the producers'
        # own delivery reports (mock cluster: sent and acked per producer),
        # the broker's end offsets (Kafka: acked, summed over the clients)
        dl = {}
        for c in merged["clients"]:
            for p in c.get("delivery", {}).get("partitions", []):
                k = (p["topic"], p["partition"])
                if k in want:
                    dl.setdefault(k, []).append((c["client_id"], p))
        if kafka:
            have = {k: sum(p["records_acked"] for _, p in v) for k, v in dl.items()}
            check(have == want, "%s: delivery records_acked per partition = truth.json's %s"
                  % (name, sorted(want.values())))
        else:
            want_d = {(p["producer"], p["topic"], p["partition"]):
                      (p["produced_records"], p["acked_records"]) for p in truth["partitions"]}
            have = {(cid, k[0], k[1]): (p["records_sent"], p["records_acked"])
                    for k, v in dl.items() for cid, p in v if p["records_sent"]}
            check(have == want_d, "%s: delivery sent/acked per producer and partition = "
                  "truth.json's %s" % (name, sorted(want_d.values())))
        # the whole capture's report
        diff = differences(comparable(whole), comparable(merged))
        check(not diff, "%s: merge of the two hosts = the whole report, every key (%s)"
              % (name, "; ".join(diff[:5]) or "none differ"))
        text, _ = merge([a_json, b_json], json_out=False)
        whole_text = run(["-r", capture]).stdout
        ok, line = text_agrees(text, whole_text)
        check("timeline" in merged["not_merged"] and "SASL" in merged["not_merged"],
              "%s: not_merged names what is left: %s" % (name, merged["not_merged"]))
        check(ok and "not merged" in text.splitlines()[1],
              "%s: merged text report = the whole's, after the source line (%s)" % (name, line))
        check("0 connections seen in more than one" in err,
              "%s: no connection in both halves: %s" % (name, err.strip()))


def both_ends(tmp):
    """broker-failure as broker host 1 and hosts 2+3 capture it: each
    host's replica fetcher connections to the other brokers too."""
    capture = os.path.join(SRCDIR, "pcaps/kafka/broker-failure.pcap")
    whole_json, whole = report(capture, tmp, "bf-whole")
    host1 = [19092]
    host23 = [19094, 19095]
    for c in whole["connections"]:
        port = int(c["client"].rsplit(":", 1)[1])
        if c["client_id"].startswith("broker-1-fetcher"):
            host1.append(port)
        elif c["client_id"].startswith(("broker-2-fetcher", "broker-3-fetcher")):
            host23.append(port)
    # a fetcher of one host connected to a broker of the other
    shared = [c for c in whole["connections"]
              if c["client_id"].startswith("broker-") and
              (c["client_id"].startswith("broker-1-") != c["broker"].endswith(":19092"))]
    check(len(shared) == 4, "both ends: %d replica fetcher connections cross the hosts, "
          "each in both hosts' captures" % len(shared))
    p1 = os.path.join(tmp, "host1.pcap")
    p23 = os.path.join(tmp, "host23.pcap")
    tshark_split(capture, p1, host1)
    tshark_split(capture, p23, host23)
    j1, r1 = report(p1, tmp, "host1")
    j23, r23 = report(p23, tmp, "host23")
    check(r1["totals"]["requests"] + r23["totals"]["requests"] > whole["totals"]["requests"],
          "both ends: the hosts' requests add up to more than the capture's (%d + %d > %d)"
          % (r1["totals"]["requests"], r23["totals"]["requests"], whole["totals"]["requests"]))
    merged, err = merge([j1, j23])
    diff = differences(comparable(whole, PER_HOST, dup=True), comparable(merged, PER_HOST, dup=True))
    check(not diff, "both ends: merged = the whole report but packets/anomalies/delivery (%s)"
          % ("; ".join(diff[:5]) or "none differ"))
    check(merged["totals"]["connections"] == whole["totals"]["connections"],
          "both ends: connections %d = %d" % (merged["totals"]["connections"],
                                               whole["totals"]["connections"]))
    check("%d connections seen in more than one" % len(shared) in err,
          "both ends: stderr names the %d copies taken out: %s" % (len(shared), err.strip()))
    # a merged report merges again: alone it is itself, with a host's
    # report that host adds nothing (all its connections are in it)
    mj = os.path.join(tmp, "merged.json")
    with open(mj, "w") as f:
        json.dump(merged, f)
    again, _ = merge([mj])
    diff = differences(comparable(merged, ("source",)), comparable(again, ("source",)))
    check(not diff, "a merged report merged alone is itself (%s)" % ("; ".join(diff[:5]) or "none differ"))
    plus, err = merge([mj, j1])
    diff = differences(comparable(merged, PER_HOST, dup=True), comparable(plus, PER_HOST, dup=True))
    check(not diff and "%d connections" % r1["totals"]["connections"] in err,
          "merged + host 1's report again = merged: %s" % err.strip())
    # the same report twice
    twice, err = merge([whole_json, whole_json])
    diff = differences(comparable(whole, PER_HOST, dup=True), comparable(twice, PER_HOST, dup=True))
    check(not diff, "the same report twice = the report once but packets/anomalies (%s)"
          % ("; ".join(diff[:5]) or "none differ"))
    check(twice["capture"]["packets"] == 2 * whole["capture"]["packets"],
          "the same report twice: packets are the sum (each host's)")


def tls_split(tmp):
    """The TLS capture (OpenSSL connections to two broker ports, none of
    them Kafka) split by broker port into two hosts' captures: the merge
    has the connections per broker its recorder opened (truth.json) and
    equals the whole capture's report."""
    capture = os.path.join(SRCDIR, "pcaps/tls/tls.pcap")
    truth = json.load(open(capture[:-len(".pcap")] + ".truth.json"))
    ports = truth["broker_ports"]
    flag = ["-P", ",".join(str(p) for p in ports)]
    files = []
    for i, p in enumerate(ports):
        part = os.path.join(tmp, "tls-%d.pcap" % i)
        tshark_split(capture, part, [p])
        r = run(["-r", part, "--json"] + flag)
        files.append(os.path.join(tmp, "tls-%d.json" % i))
        with open(files[-1], "w") as f:
            f.write(r.stdout)
    whole = json.loads(run(["-r", capture, "--json"] + flag).stdout)
    merged, _ = merge(files)
    have = {t["broker"]: (t["connections"], t["midstream_connections"]) for t in merged["tls"]}
    want = {b: (v["connections"], v["midstream_connections"])
            for b, v in truth["brokers"].items()}
    check(have == want and merged["totals"]["tls_connections"] == truth["tls_connections"],
          "tls: TLS connections per broker = the recorder's %s" % sorted(want.items()))
    diff = differences(comparable(whole), comparable(merged))
    check(not diff, "tls: merge of the two ports' hosts = the whole report, every key (%s)"
          % ("; ".join(diff[:5]) or "none differ"))


def merged_alone(tmp):
    """Reports with sections the by-broker splits lack (transactions,
    replication lag): merged alone, each is itself, every key."""
    for name in ("transactions", "replication-lag"):
        js, rep = report(os.path.join(SRCDIR, "pcaps/kafka/%s.pcap" % name), tmp, name)
        merged, _ = merge([js])
        diff = differences(comparable(rep, ("source",)), comparable(merged, ("source",)))
        check(not diff and (rep["transactions"]["transactional_ids"] or rep["replication"]),
              "%s: its report merged alone is itself, every key (%s)"
              % (name, "; ".join(diff[:5]) or "none differ"))


def round_trip(tmp):
    caps = sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "*.pcap")) +
                  glob.glob(os.path.join(SRCDIR, "pcaps", "kafka", "*.pcap")))
    same = 0
    for cap in caps:
        js, _ = report(cap, tmp, "rt")
        text, _ = merge([js], json_out=False)
        want = run(["-r", cap]).stdout
        ok, line = text_agrees(text, want)
        if ok:
            same += 1
        else:
            print("  differs: %s: %s" % (cap, line))
    check(same == len(caps), "round trip: merge of one report prints its text report "
          "(%d of %d captures)" % (same, len(caps)))


def bad_inputs(tmp):
    good = os.path.join(tmp, "good.json")
    report(os.path.join(SRCDIR, "pcaps/slow-broker.pcap"), tmp, "good")
    text = open(good).read()
    rep = json.loads(text)
    cases = {}
    for frac in (0.0, 0.01, 0.3, 0.5, 0.9, 0.999):
        cases["cut at %.1f%%" % (frac * 100)] = text[:int(len(text) * frac)]
    cases["not json"] = "kafkatap report: pcaps/x.pcap\n"
    cases["an array"] = "[1, 2, 3]"
    cases["an empty object"] = "{}"
    bad = json.loads(text)
    bad["apis"][0]["latency_hist"]["count"] += 1
    cases["histogram count disagrees"] = json.dumps(bad)
    bad = json.loads(text)
    bad["apis"][0]["latency_hist"]["buckets"] = [[99999, 1]]
    cases["bucket index out of range"] = json.dumps(bad)
    bad = json.loads(text)
    bad["brokers"][0]["broker"] = "not-an-address"
    cases["broker not an address"] = json.dumps(bad)
    bad = json.loads(text)
    bad["totals"]["requests"] = "many"
    cases["a count is a string"] = json.dumps(bad)
    bad = json.loads(text)
    bad["totals"]["requests"] = -3
    cases["a negative count"] = json.dumps(bad)
    bad = json.loads(text)
    bad["apis"][0]["requests"] = 10 ** 30
    cases["a count too big"] = json.dumps(bad)
    bad = json.loads(text)
    del bad["apis"][0]["latency_hist"]
    cases["no histogram (an older report)"] = json.dumps(bad)
    bad = json.loads(text)
    [c for c in bad["clients"] if "delivery" in c][0]["delivery"]["failed_by_error"] = {"NO_SUCH": 1}
    cases["a delivery error code not understood"] = json.dumps(bad)
    bad = json.loads(text)
    [c for c in bad["clients"] if "delivery" in c][0]["delivery"]["partitions"] = [3]
    cases["delivery partitions not objects"] = json.dumps(bad)
    bad = json.loads(text)
    bad["partitions"][0]["fetch"]["codecs"] = ["lz5"]
    cases["an unknown codec"] = json.dumps(bad)
    bad = json.loads(text)
    del bad["clients"][0]["produce_batching"]["first_ts"]
    cases["batching without its span"] = json.dumps(bad)
    bad = json.loads(text)
    bad["partitions"][0]["topic_id"] = "!!"
    cases["a bad topic id"] = json.dumps(bad)
    bad = json.loads(text)
    bad["connection_stats"][0]["apis"] = [7]
    cases["connection apis not objects"] = json.dumps(bad)
    ok = 0
    for what, body in cases.items():
        path = os.path.join(tmp, "bad.json")
        with open(path, "w") as f:
            f.write(body)
        r = run(["merge", good, path])
        fine = (r.returncode == 1 and r.stdout == "" and
                r.stderr.startswith("kafkatap merge: " + path))
        if fine:
            ok += 1
        else:
            print("  %s: status %d, stderr %r" % (what, r.returncode, r.stderr[:200]))
    check(ok == len(cases), "bad input: status 1, no report, a message naming the file "
          "(%d of %d cases)" % (ok, len(cases)))
    r = run(["merge", good, os.path.join(tmp, "missing.json")])
    check(r.returncode == 1 and "missing.json" in r.stderr,
          "a missing file: %s" % r.stderr.strip())
    r = run(["merge"])
    check(r.returncode == 2, "no file: usage error (status %d)" % r.returncode)
    check(rep["apis"][0]["latency_hist"]["scheme"] == "log-linear",
          "the report names its histogram scheme")


def main():
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="kt-merge-")
    try:
        by_broker(tmp)
        both_ends(tmp)
        tls_split(tmp)
        merged_alone(tmp)
        round_trip(tmp)
        bad_inputs(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failed" % len(failures))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
