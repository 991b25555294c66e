#!/usr/bin/env python3
"""test_partition_tshark.py - kafkatap's per-partition event fields against
tshark's own Kafka dissector (an independent decoder), for the versions tshark
4.0 decodes: Produce <= v8 and Fetch <= v11.

For every capture in pcaps/, pcaps/kafka/, tests/data/third-party/ and
tests/data/regression/, tshark's PDML tree is walked per Kafka PDU: for each
Produce/Fetch request (and its response, paired by connection and
correlation id) the topic-partitions tshark shows - request Topic/Partition
subtrees, response Topic/Partition subtrees with their kafka.error - must be
exactly kafkatap's --events=json `partitions` of that correlation id:
  - the same set of (topic, partition);
  - the same error code per partition (kafkatap's name mapped to its code
    with Kafka's table dissectors/schema/errors.tsv; the issue's `error` is
    "a name or null", so a partition answered with 0 and one the response
    did not mention both compare as "no error");
  - where a partition's record data are v2 record batches only (Produce
    request: records sent; Fetch response: records returned), the records =
    the sum of the batches' record counts (kafka.batch_size).
For every response tshark decodes with a kafka.throttle_time (any API and
version), kafkatap's throttle_ms is the same.
PDUs tshark flags as malformed, and versions it does not know, are skipped
(counted and printed).  Exits 77 (skipped) when tshark is not installed;
ends with 'N passed, N failed', non-zero on a failure.
Environment: KAFKATAP (the program), srcdir (the source tree).
"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

SRCDIR = os.environ.get("srcdir", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
TSHARK_MAX = {0: 8, 1: 11}   # Produce, Fetch: newest version tshark 4.0 decodes


def error_codes():
    codes = {}
    with open(os.path.join(SRCDIR, "dissectors", "schema", "errors.tsv")) as f:
        for line in f:
            code, _, name = line.rstrip("\n").partition("\t")
            if code.lstrip("-").isdigit():
                codes[name] = int(code)
    return codes


CODES = error_codes()


def captures():
    out = []
    for d in ("pcaps", "pcaps/kafka", "tests/data/third-party", "tests/data/regression"):
        p = os.path.join(SRCDIR, d)
        if os.path.isdir(p):
            out += [os.path.join(p, f) for f in sorted(os.listdir(p))
                    if f.endswith((".pcap", ".pcapng", ".pcap.gz"))]
    return out


def run_kafkatap(path):
    r = subprocess.run([KAFKATAP, "-r", path, "--events=json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("kafkatap failed on %s: %s" % (path, r.stderr.strip()))
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def ep(addr, port):
    return ("[%s]:%s" % (addr, port)) if ":" in addr else ("%s:%s" % (addr, port))


def child(elem, name):
    for c in elem:
        if c.get("name") == name:
            return c.get("show")
    return None


def subtrees(elem, prefix):
    return [c for c in elem if c.get("name") == "" and (c.get("show") or "").startswith(prefix)]


def partitions_of(proto):
    """[(topic, partition, error code or None, records or None)] from the
    Topic/Partition subtrees of one Kafka PDU."""
    out = []
    for t in subtrees(proto, "Topic"):
        topic = child(t, "kafka.topic_name")
        for p in subtrees(t, "Partition"):
            pid = child(p, "kafka.partition_id")
            if pid is None:
                continue
            err = child(p, "kafka.error")
            records = None
            sets = subtrees(p, "Message Set")
            batches = [b for ms in sets for b in subtrees(ms, "Record Batch")]
            legacy = [m for ms in sets for m in ms if m.get("show") == "Message"]
            if batches and not legacy:
                # the batch header's record count (tshark calls it "Size",
                # kafka.batch_size, the int32 after the base sequence)
                records = 0
                for b in batches:
                    n = child(b, "kafka.batch_size")
                    records = None if n is None or records is None else records + int(n)
            out.append((topic, int(pid), None if err is None else int(err), records))
    return out


def run_tshark(path, ports):
    """Kafka PDUs as tshark decodes them: requests and responses, each a dict
    keyed by (client, broker, correlation_id)."""
    cmd = ["tshark", "-r", path, "-Y", "kafka", "-T", "pdml"]
    for p in sorted(ports):
        cmd[3:3] = ["-d", "tcp.port==%d,kafka" % p]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    requests, responses, malformed = {}, {}, 0
    for _, pkt in ET.iterparse(proc.stdout, events=("end",)):
        if pkt.tag != "packet":
            continue
        protos = {}
        kafka = []
        for pr in pkt.findall("proto"):
            protos.setdefault(pr.get("name"), pr)
            if pr.get("name") == "kafka":
                kafka.append(pr)
        bad = "_ws.malformed" in protos
        ip = protos.get("ip") or protos.get("ipv6")
        tcp = protos.get("tcp")
        if ip is None or tcp is None:
            pkt.clear()
            continue
        fam = "ip" if protos.get("ip") is not None else "ipv6"
        src = ep(child(ip, fam + ".src"), child(tcp, "tcp.srcport"))
        dst = ep(child(ip, fam + ".dst"), child(tcp, "tcp.dstport"))
        for i, k in enumerate(kafka):
            corr = child(k, "kafka.correlation_id")
            if corr is None:
                continue
            # only the last PDU of a packet can be the one cut short
            pdu_bad = bad and i == len(kafka) - 1
            malformed += pdu_bad
            rec = {"partitions": partitions_of(k), "malformed": pdu_bad,
                   "throttle": child(k, "kafka.throttle_time"),
                   "unsupported": "Unsupported" in (k.get("showname") or "") or any(
                       "Unsupported" in (c.get("showname") or "") for c in k)}
            if child(k, "kafka.request_key") is not None:
                rec.update(key=int(child(k, "kafka.request_key")),
                           version=int(child(k, "kafka.request.version") or child(k, "kafka.api_version")))
                requests[(src, dst, int(corr))] = rec
            elif child(k, "kafka.response_key") is not None:
                rec.update(key=int(child(k, "kafka.response_key")),
                           version=int(child(k, "kafka.response.version") or -1))
                responses[(dst, src, int(corr))] = rec
        pkt.clear()
    proc.wait()
    return requests, responses


def code_of(name):
    """kafkatap's error name -> code; None for null/NONE (see the docstring)."""
    if name in (None, "NONE"):
        return None
    if name in CODES:
        return CODES[name] or None
    digits = "".join(c for c in name if c.isdigit() or c == "-")
    return int(digits) if digits.lstrip("-").isdigit() else name


def gather(path):
    events = run_kafkatap(path)
    ports = {int(e["broker"].rsplit(":", 1)[1]) for e in events} | {9092}
    treq, tresp = run_tshark(path, ports)
    return events, treq, tresp


def check(path):
    return compare(*gather(path))


def compare(events, treq, tresp):
    problems, stats = [], {"pairs": 0, "partitions": 0, "records": 0, "throttle": 0, "skipped": 0}
    ours = {}
    for e in events:
        ours.setdefault((e["client"], e["broker"], e["correlation_id"]), []).append(e)
    for key, rq in sorted(treq.items()):
        rs = tresp.get(key)
        evs = [e for e in ours.get(key, []) if e["api_key"] == rq["key"]]
        where = "%s -> %s corr %d (api %d v%d)" % (key[0], key[1], key[2], rq["key"], rq["version"])
        # throttle, any API tshark decodes with one
        if rs is not None and rs["throttle"] is not None and not rs["malformed"] and not rs["unsupported"]:
            if len(evs) != 1:
                problems.append("%s: tshark decodes the response, kafkatap has %d events" % (where, len(evs)))
                continue
            stats["throttle"] += 1
            if evs[0].get("throttle_ms") != int(rs["throttle"]):
                problems.append("%s: throttle_ms %r, tshark %s" % (where, evs[0].get("throttle_ms"), rs["throttle"]))
        if rq["key"] not in TSHARK_MAX:
            continue
        if rq["version"] > TSHARK_MAX[rq["key"]] or rq["malformed"] or rq["unsupported"] or \
                (rs is not None and (rs["malformed"] or rs["unsupported"])):
            stats["skipped"] += 1
            continue
        if len(evs) != 1:
            problems.append("%s: %d kafkatap events for a request tshark decodes" % (where, len(evs)))
            continue
        e = evs[0]
        stats["pairs"] += 1
        want = {}
        records = {}
        for topic, part, _err, rec in rq["partitions"]:
            want[(topic, part)] = None
            if rq["key"] == 0:
                records[(topic, part)] = rec
        for topic, part, err, rec in (rs["partitions"] if rs else []):
            want[(topic, part)] = err or None
            if rq["key"] == 1:
                records[(topic, part)] = rec
        got_list = e.get("partitions")
        if not isinstance(got_list, list):
            problems.append("%s: event has no partitions list" % where)
            continue
        got = {}
        for x in got_list:
            k = (x.get("topic"), x.get("partition"))
            if k in got:
                problems.append("%s: %s/%s listed twice" % (where, k[0], k[1]))
            got[k] = code_of(x.get("error"))
        stats["partitions"] += len(want)
        if set(got) != set(want):
            problems.append("%s: partitions %s, tshark %s" % (where, sorted(got, key=str), sorted(want, key=str)))
            continue
        for k in sorted(want, key=str):
            if got[k] != want[k]:
                problems.append("%s %s/%s: error %s, tshark %s" % (where, k[0], k[1], got[k], want[k]))
        for x in got_list:
            k = (x.get("topic"), x.get("partition"))
            if records.get(k) is None:
                continue
            stats["records"] += 1
            if x.get("records") != records[k]:
                problems.append("%s %s/%s: records %r, tshark's record batches hold %d"
                                % (where, k[0], k[1], x.get("records"), records[k]))
    return stats, problems


def main():
    try:
        subprocess.run(["tshark", "-v"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        print("tshark not installed: skipped")
        return 77
    passed = failed = 0
    totals = {"pairs": 0, "partitions": 0, "records": 0, "throttle": 0}
    for path in captures():
        try:
            stats, problems = check(path)
        except Exception as exc:  # noqa: BLE001 - a crash of kafkatap is a failure
            stats, problems = {"pairs": 0, "partitions": 0, "records": 0, "throttle": 0, "skipped": 0}, [str(exc)]
        for k in totals:
            totals[k] += stats[k]
        desc = "%d Produce/Fetch pairs, %d partitions, %d record counts, %d throttle times compared; %d skipped" % (
            stats["pairs"], stats["partitions"], stats["records"], stats["throttle"], stats["skipped"])
        if problems:
            failed += 1
            print("FAIL %s (%s)" % (os.path.relpath(path, SRCDIR), desc))
            for p in problems[:20]:
                print("     " + p)
            if len(problems) > 20:
                print("     ... %d more" % (len(problems) - 20))
        else:
            passed += 1
            print("ok   %s (%s)" % (os.path.relpath(path, SRCDIR), desc))
    # the comparison must have had something to compare
    if totals["pairs"] < 100 or totals["throttle"] < 100 or totals["records"] < 50:
        failed += 1
        print("FAIL too little compared: %s" % totals)
    # self-test: tshark's decode with one partition error changed, one
    # partition more, or one throttle time changed must be caught
    st_path = os.path.join(SRCDIR, "pcaps", "produce-errors.pcap")
    if os.path.exists(st_path):
        events, treq, tresp = gather(st_path)
        base = set(compare(events, treq, tresp)[1])
        key = next((k for k, r in sorted(tresp.items()) if r["key"] == 0 and r["partitions"]
                    and any(p[2] for p in r["partitions"])), None)
        caught = []
        if key is not None:
            for mutate in ("error", "partition", "throttle"):
                bad = {k: dict(v) for k, v in tresp.items()}
                r = bad[key]
                t, part, err, rec = r["partitions"][0]
                if mutate == "error":
                    r["partitions"] = [(t, part, 19 if err != 19 else 6, rec)] + r["partitions"][1:]
                elif mutate == "partition":
                    r["partitions"] = r["partitions"] + [(t, part + 100, 0, None)]
                else:
                    r["throttle"] = str(int(r["throttle"] or 0) + 1)
                caught.append(bool(set(compare(events, treq, bad)[1]) - base))
        if caught and all(caught):
            passed += 1
            print("ok   self-test: a changed error code, an extra partition or a changed throttle in tshark's decode is caught")
        else:
            failed += 1
            print("FAIL self-test: a wrong decode passed (%s)" % caught)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
