#!/usr/bin/env python3
"""test_loss.py - a lost packet costs only the requests it touches.

pcaps/load.pcap (real librdkafka traffic, ~20 KB Produce requests in ~6
segments) is replayed with seeded loss (tools/pcap-loss.py): 0.1% and 1% of
the packets at random and 3 bursts of 20.  The truth is tshark's decode of
the lossless capture minus the requests whose bytes (request or response)
the dropped packets carried (tests/loss_truth.py), never kafkatap's own
output.  Asserted on each lossy replay:
  - every intact request the broker answered is answered;
  - no orphan responses (every response kafkatap cannot pair answers a
    request the loss touched: it is counted apart, not as an orphan);
  - no request the loss touched and the broker answered is called
    unanswered (it is answered, unknown (capture loss), or not reported
    when its request bytes were lost).
And the mid-stream slice pcaps/load-midstream.pcap without -p (every
connection already open, found by auto-detection alone): all its
connections found and every request tshark sees answered there answered.
Skipped (77) without tshark.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CASES = [["--fraction", "0.001", "--seed", "1"],
         ["--fraction", "0.01", "--seed", "1"],
         ["--fraction", "0.01", "--seed", "2"],
         ["--bursts", "3", "--burst-len", "20", "--seed", "1"]]


def main():
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        return 77
    top = os.environ.get("srcdir", ".")
    kafkatap = os.path.abspath(os.environ.get("KAFKATAP", "./kafkatap"))
    truth = os.path.join(top, "tests", "loss_truth.py")
    load = os.path.join(top, "pcaps", "load.pcap")
    fails = 0
    with tempfile.TemporaryDirectory() as work:
        sidecars = []
        for i, opts in enumerate(CASES):
            out = os.path.join(work, "load-%d.pcap" % i)
            subprocess.run([sys.executable,
                            os.path.join(top, "tools", "pcap-loss.py"),
                            load, out] + opts, check=True,
                           stderr=subprocess.DEVNULL)
            sidecars.append(out + ".loss.json")
        runs = subprocess.run([sys.executable, truth, load] + sidecars +
                              ["--kafkatap", kafkatap, "--json"], check=True,
                              stdout=subprocess.PIPE, text=True).stdout
        for opts, line in zip(CASES, runs.splitlines()):
            m = json.loads(line)
            k = m["kafkatap"]
            what = " ".join(opts)
            problems = []
            if k["intact_answered"]["answered"] != m["requests_intact_answered"]:
                problems.append("answered %d of %d intact requests" % (
                    k["intact_answered"]["answered"],
                    m["requests_intact_answered"]))
            if k["orphan_responses"]:
                problems.append("%d orphan responses" % k["orphan_responses"])
            if k["touched_answered"]["unanswered"]:
                problems.append("%d requests touched by loss called unanswered"
                                % k["touched_answered"]["unanswered"])
            print("%s %s: %d dropped, %d touched, %d of %d intact answered, "
                  "touched and answered by the broker: %s" % (
                      "FAIL" if problems else "ok", what,
                      m["packets_dropped"], m["requests_touched"],
                      k["intact_answered"]["answered"],
                      m["requests_intact_answered"], k["touched_answered"]))
            for p in problems:
                print("  " + p)
            fails += bool(problems)
    mid = os.path.join(top, "pcaps", "load-midstream.pcap")
    m = json.loads(subprocess.run(
        [sys.executable, truth, mid, "--kafkatap", kafkatap, "--autodetect",
         "--json"], check=True, stdout=subprocess.PIPE, text=True).stdout)
    k = m["kafkatap"]
    ok = (k["connections"] == m["connections"] and
          k["intact_answered"]["answered"] == m["requests_intact_answered"] and
          k["intact_answered"]["unanswered"] == 0)
    print("%s mid-stream slice without -p: %d of %d connections, %d of %d "
          "intact requests answered" % (
              "ok" if ok else "FAIL", k["connections"], m["connections"],
              k["intact_answered"]["answered"], m["requests_intact_answered"]))
    fails += not ok
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
