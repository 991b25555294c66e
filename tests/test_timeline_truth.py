#!/usr/bin/env python3
"""test_timeline_truth.py - when a finding started, against the recorder's
clock.

pcaps/slow-onset.pcap: the recorder (pcaps/recorder/mockgen.c) set an RTT of
80 ms on one mock broker just before wave 20 of 40 and wrote that moment
(rtt_onset.ts_us, the wall clock tcpdump stamps packets with) and the
broker's address into the truth file.  kafkatap must name that broker in a
slow_broker finding whose "started" is within one timeline bucket of the
onset, and still be slow at the end ("ongoing"); the text report must say
"since" the same second.  pcaps/slow-onset-near-miss.pcap: the same run
with no RTT ever set: no slow_broker finding, and no latency finding
starting inside the run.  With --bucket 0.5 the start is within half a
second too (a fixed width).
"""
import json
import os
import subprocess
import sys
import time

srcdir = os.environ.get("srcdir", ".")
kafkatap = os.environ.get("KAFKATAP", "./kafkatap")


def run(pcap, *opts):
    out = subprocess.run([kafkatap, "-r", os.path.join(srcdir, "pcaps", pcap), *opts],
                         check=True, capture_output=True, text=True).stdout
    return out


def truth(name):
    with open(os.path.join(srcdir, "pcaps", name + ".truth.json")) as f:
        return json.load(f)


failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


t = truth("slow-onset")
onset = t["rtt_onset"]["ts_us"] / 1e6
addr = next(b["address"] for b in t["brokers"] if b["id"] == t["rtt_onset"]["broker"])
for opts in ([], ["--bucket", "0.5"]):
    rep = json.loads(run("slow-onset.pcap", "--json", *opts))
    width = rep["timeline"]["bucket_width_s"]
    slow = [f for f in rep["findings"] if f["kind"] == "slow_broker"]
    check(len(slow) == 1 and slow[0]["subject"] == "broker " + addr,
          "slow-onset %s: one slow_broker finding, naming broker %s" % (opts, addr))
    if slow:
        s = slow[0]
        check(s["started"] is not None and abs(s["started"] - onset) <= width,
              "slow-onset %s: started %.6f within one bucket (%.6f s) of the onset %.6f"
              % (opts, s["started"] or 0, width, onset))
        check(s["ongoing"] is True, "slow-onset %s: still slow at the end" % (opts,))
text = run("slow-onset.pcap")
since = time.strftime("%H:%M:%S", time.gmtime(onset))
line = [x for x in text.splitlines() if "Slow broker: " + addr in x]
check(len(line) == 1 and "(since " + since in line[0],
      "slow-onset text: the finding says since %s" % since)
check("\nWhen (" in text and "slow_broker" in text.split("\nWhen (")[1],
      "slow-onset text: the When section places slow_broker")

t = truth("slow-onset-near-miss")
check(t["rtt_onset"] is None and not any(t["broker_rtt_ms"].values()),
      "near miss truth: no RTT ever set")
rep = json.loads(run("slow-onset-near-miss.pcap", "--json"))
first, last = rep["capture"]["first_ts"], rep["capture"]["last_ts"]
latency = [f for f in rep["findings"]
           if f["kind"] in ("slow_broker", "slow_produce", "slow_fetch")]
check(not latency, "near miss: no latency finding (%s)" % [f["subject"] for f in latency])
check(not any(f["started"] is not None and first < f["started"] < last for f in latency),
      "near miss: no latency condition starting inside the run")

sys.exit(1 if failures else 0)
