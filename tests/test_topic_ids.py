#!/usr/bin/env python3
"""test_topic_ids.py - topic ids before and after their names are known.

Fetch v13+ and Produce v13+ name topics only by a 16-byte topic id; kafkatap
learns the names from responses that pair them (Metadata v10+ ...).  On the
real Kafka 4.4 capture pcaps/kafka/codecs.pcap, whose truth file holds the
broker's own topic ids (tools/kafka-harness, Admin client):
  - the whole capture: every partition is reported by name, resolved;
  - the same capture cut so that it starts after the clients' Metadata
    exchanges: partitions seen only by id are reported with the id's text,
    topic_resolved false, and that text is one of the broker's topic ids.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
CAPTURE = os.path.join(SRCDIR, "pcaps", "kafka", "codecs.pcap")


def report(path):
    r = subprocess.run([KAFKATAP, "-r", path, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout)


def cut(src, dst, keep_from):
    """Classic pcap: keep the header and packets keep_from.. of src."""
    data = open(src, "rb").read()
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out, off, n = [data[:24]], 24, 0
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        if n >= keep_from:
            out.append(data[off:off + 16 + caplen])
        off += 16 + caplen
        n += 1
    open(dst, "wb").write(b"".join(out))
    return n


def main():
    if not os.path.exists(CAPTURE):
        print("no %s: skipped" % CAPTURE)
        return 77
    truth = json.load(open(CAPTURE[: -len(".pcap")] + ".truth.json"))
    ids = set(truth["topic_ids"].values())
    names = set(truth["topic_ids"])
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + what)
        if ok:
            passed += 1
        else:
            failed += 1

    full = report(CAPTURE)
    parts = full["partitions"]
    check(parts and all(p["topic_resolved"] for p in parts),
          "whole capture: all %d partitions resolved" % len(parts))
    check({p["topic"] for p in parts} == names, "whole capture: the topics are the broker's")
    check(all(p["topic_id"] == truth["topic_ids"][p["topic"]] for p in parts if p["topic_id"]),
          "whole capture: each topic's id is the broker's")

    # cut the capture later and later until it starts after the clients'
    # Metadata exchanges (where exactly depends on the recording)
    tail, unresolved = {"partitions": []}, []
    with tempfile.TemporaryDirectory() as tmp:
        total = cut(CAPTURE, os.path.join(tmp, "x.pcap"), 0)
        for pct in range(50, 100, 2):
            cut(CAPTURE, os.path.join(tmp, "tail.pcap"), total * pct // 100)
            tail = report(os.path.join(tmp, "tail.pcap"))
            unresolved = [p for p in tail["partitions"] if not p["topic_resolved"]]
            if unresolved:
                break
    check(len(unresolved) > 0, "cut capture: %d partitions known only by id" % len(unresolved))
    check(all(p["topic"] in ids and p["topic_id"] == p["topic"] for p in unresolved),
          "cut capture: each shows a topic id of the broker's")
    check(all(p["topic"] in names for p in tail["partitions"] if p["topic_resolved"]),
          "cut capture: resolved ones carry the broker's names")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
