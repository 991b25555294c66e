#!/usr/bin/env python3
"""crosscheck-text.py - review aid for the text-report goldens.

For every FILE.txt / FILE.top3.txt in this folder, compares the numbers the
text report prints with the reviewed FILE.json of the same capture: the
totals line, every row of the per API, per broker and per client id tables
(requests, answered, unanswered, errors, latency percentiles, error codes,
throttling), the topic-partition rows, the throttling table, the findings
and the anomalies.  Run it after `tests/test_golden.sh --update` has
rewritten text goldens, before committing them:

    python3 tests/golden/crosscheck-text.py

Not part of make check: the text and JSON writers share their statistics,
so this checks the new expected files once, it does not test the program.
"""
import json
import os
import re
import time
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

ROW = re.compile(r"^  (.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"
                 r"\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:  (.*))?$")


def ratio(num, den):
    """num / den as the text prints it: one decimal, "-" for no den."""
    return "%.1f" % (num / den) if den else "-"


def ms(v):
    return "-" if v is None else "%.3f" % v


def codes_text(entry):
    """What the error codes column should say for a JSON api/broker/client."""
    parts = ["%s=%d" % (k, n) for k, n in entry["errors"].items()]
    if entry.get("throttled"):
        parts.append("throttled=%d (max %d ms)"
                     % (entry["throttled"], entry["throttle_ms_max"]))
    return " ".join(parts)


def table(lines, title, header=1):
    """The rows of the table whose heading starts with title, after its
    header lines of column names."""
    rows = []
    for i, line in enumerate(lines):
        if line.startswith(title):
            for row in lines[i + 1 + header:]:
                if not row.startswith("  "):
                    break
                rows.append(row)
            break
    return rows


def check_rows(problems, rows, entries, name_of):
    if len(rows) != len(entries):
        problems.append("%d rows, JSON has %d" % (len(rows), len(entries)))
        return
    for row, e in zip(rows, entries):
        m = ROW.match(row)
        if not m:
            problems.append("unparsed row: " + row)
            continue
        want = (name_of(e), e["requests"], e["matched"], e["unanswered"],
                e["errored"], ms(e["latency_ms"]["p50"]),
                ms(e["latency_ms"]["p90"]), ms(e["latency_ms"]["p99"]),
                ms(e["latency_ms"]["max"]), codes_text(e))
        got = (m.group(1), int(m.group(2)), int(m.group(3)),
               int(m.group(4)), int(m.group(5)), m.group(6), m.group(7),
               m.group(8), m.group(9), m.group(10) or "")
        if got != want:
            problems.append("row %r: text %r, JSON %r" % (row, got, want))


def check(txt, js):
    lines = open(txt).read().split("\n")
    d = json.load(open(js))
    t = d["totals"]
    problems = []
    want = ("  %d Kafka connections (%d picked up mid-stream), %d requests: "
            "%d answered, %d unanswered, %d acks=0; %d orphan responses, "
            "%d malformed frames"
            % (t["connections"], t["midstream_connections"], t["requests"],
               t["matched"], t["unanswered"], t["no_response_expected"],
               t["orphan_responses"], t["malformed"]))
    if want not in lines:
        problems.append("totals line: JSON says %r" % want)
    cap = d["capture"]
    if not lines[1].startswith("  %d packets, %d bytes,"
                               % (cap["packets"], cap["bytes"])):
        problems.append("capture line %r" % lines[1])

    def api_name(e):
        return "%s v%s" % (e["api"], ",".join(str(v) for v in e["versions"]))

    def client_name(e):
        name = e["client_id"] if e["client_id"] else '""'
        # a broker's own client (follower, broker) is named with its role
        return name + " (%s)" % e["role"] if e.get("role") in ("follower", "broker") else name

    for title, key, name_of in (("Per API", "apis", api_name),
                                ("Per broker", "brokers",
                                 lambda e: e["broker"]),
                                ("Per client id", "clients", client_name)):
        sub = []
        check_rows(sub, table(lines, title), d[key], name_of)
        problems += ["%s: %s" % (title, p) for p in sub]

    # topic-partitions: the text lists the first N of the JSON's rows
    parts = table(lines, "Per topic-partition")[1:]
    parts = [r for r in parts if not r.startswith("  (")]
    if d["partitions"]:
        m = re.search(r"top (\d+) of (\d+)", "\n".join(lines))
        if not m or int(m.group(2)) != len(d["partitions"]):
            problems.append("partition count differs from JSON %d"
                            % len(d["partitions"]))
        for row, p in zip(parts, d["partitions"]):
            f = row.split()
            pr, fe = p["produce"], p["fetch"]
            got = (f[0], int(f[1]), int(f[4]), int(f[5]), int(f[6]), f[7], f[8],
                   int(f[11]), int(f[12]), int(f[13]))
            want = (p["topic"], p["partition"], pr["requests"],
                    pr["records"], pr["acked_records"], pr["codec"],
                    ratio(pr["records"], pr["batches"]), fe["requests"],
                    fe["records"], fe["with_data"])
            # shares are printed with one decimal: equal within rounding
            shares_ok = (abs(float(f[2]) - pr["records_share"] * 100) <= 0.051 and
                         abs(float(f[3]) - pr["bytes_share"] * 100) <= 0.051)
            if got != want or not shares_ok:
                problems.append("partition row %r: JSON %r" % (row, want))
    elif parts:
        problems.append("partition rows but none in JSON")

    # Produce batching: the client ids with batches, in the client order
    rows = table(lines, "Produce batching per client id")
    want_rows = [e for e in d["clients"] if e["produce_batching"]["requests"]]
    if len(rows) != len(want_rows):
        problems.append("batching rows %d, JSON %d" % (len(rows), len(want_rows)))
    for row, e in zip(rows, want_rows):
        f, b = row.split(), e["produce_batching"]
        got = (f[0], int(f[1]), f[2], int(f[3]), int(f[5]), f[6], f[8])
        want = (client_name(e), b["requests"], "%.1f" % b["requests_per_s"],
                b["batches"], b["records"], ratio(b["records"], b["batches"]),
                b["codec"])
        if got != want:
            problems.append("batching row %r: JSON %r" % (row, want))

    thr = table(lines, "Throttling")
    if len(thr) != len(d["throttle"]):
        problems.append("throttle rows %d, JSON %d"
                        % (len(thr), len(d["throttle"])))
    for row, e in zip(thr, d["throttle"]):
        f = row.split()
        got = [int(x) for x in f[-4:]]
        want = [e["responses"], e["throttled"], e["throttle_ms_total"],
                e["throttle_ms_max"]]
        if got != want:
            problems.append("throttle row %r: JSON %r" % (row, want))

    for fnd in d["findings"]:
        # the text adds " (since HH:MM:SS[.mmm] UTC)" when JSON has "started"
        since = ""
        if fnd.get("started") is not None:
            since = time.strftime(" (since %H:%M:%S", time.gmtime(int(fnd["started"])))
        if not any(line.split()[0] == fnd["severity"] and
                   re.sub(r" \(since [0-9:.]+ UTC\)$", "", line).endswith(fnd["summary"]) and
                   (since in line if since else "(since " not in line)
                   for line in lines if line.strip()):
            problems.append("finding missing: " + fnd["summary"])
    if len(table(lines, "Findings", 0)) != len(d["findings"]):
        problems.append("findings count differs")

    anom = {r.split()[0]: int(r.split()[1]) for r in table(lines, "Anomalies", 0)}
    if anom != d["anomalies"]:
        problems.append("anomalies %r, JSON %r" % (anom, d["anomalies"]))
    return problems


def main():
    # the default report and the variants that only cut or reorder rows
    # (--top 3, --sort); options that change findings have no JSON twin
    names = sorted(f for f in os.listdir(HERE)
                   if re.search(r"\.pcap(ng)?(\.(top3|lag|time|bytes|errors|records))?\.txt$", f))
    bad = 0
    for name in names:
        base = re.sub(r"(\.pcap|\.pcapng)(\.[a-z0-9]+)?\.txt$", r"\1", name)
        problems = check(os.path.join(HERE, name),
                         os.path.join(HERE, base + ".json"))
        for p in problems:
            print("%s: %s" % (name, p))
        bad += bool(problems)
    print("%d text goldens checked against their JSON goldens, %d differ"
          % (len(names), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
