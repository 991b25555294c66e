#!/usr/bin/env python3
"""test_tls.py - TLS on a Kafka port is reported as TLS, not as resync noise.

pcaps/tls/tls.pcap holds real TLS connections made by OpenSSL
(pcaps/tls/record.sh): 3 full handshakes to 127.0.0.1:9093 and one
connection to 127.0.0.1:9094 picked up mid-stream (its first captured bytes
are application data).  The truth (tls.truth.json) is what the recorder
opened.  With both ports as broker ports:
  - the TLS connections per broker and in all equal the truth, none of them
    is a Kafka connection, and the report has no anomaly at all (no
    oversized frames, desyncs, skipped bytes or mid-stream Kafka
    connections);
  - the TLS bytes per broker equal the TCP payload tshark counts (when
    tshark is installed);
  - the text report has a "TLS:" line per broker and the Prometheus
    exposition a kafkatap_tls_connections_total sample per broker;
  - with the default ports (9092 only), the connections are not Kafka: no
    TLS reported, no anomaly.
Near miss: every plaintext Kafka capture bundled reports no TLS.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
CAPTURE = os.path.join(SRCDIR, "pcaps", "tls", "tls.pcap")


def run(path, *args):
    r = subprocess.run([KAFKATAP, "-r", path] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return r.stdout


def tshark_bytes(path, ports):
    """TCP payload bytes per server port, as tshark counts them."""
    out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "tcp.srcport",
                          "-e", "tcp.dstport", "-e", "tcp.len"],
                         capture_output=True, text=True, check=True).stdout
    total = {}
    for line in out.splitlines():
        src, dst, n = (int(x) for x in line.split("\t"))
        port = src if src in ports else dst
        total[port] = total.get(port, 0) + n
    return total


def main():
    truth = json.load(open(CAPTURE[: -len(".pcap")] + ".truth.json"))
    ports = truth["broker_ports"]
    portarg = ",".join(str(p) for p in ports)
    failed = 0

    def check(ok, what):
        nonlocal failed
        print(("ok   " if ok else "FAIL ") + what)
        failed += not ok

    rep = json.loads(run(CAPTURE, "-P", portarg, "--json"))
    t = rep["totals"]
    check(t["tls_connections"] == truth["tls_connections"],
          "TLS connections %d == truth %d" % (t["tls_connections"], truth["tls_connections"]))
    check(t["connections"] == truth["kafka_connections"],
          "Kafka connections %d == truth %d" % (t["connections"], truth["kafka_connections"]))
    check(rep["anomalies"] == {}, "no anomalies: %s" % rep["anomalies"])
    got = {b["broker"]: b for b in rep["tls"]}
    check(set(got) == set(truth["brokers"]), "brokers %s" % sorted(got))
    for name, tb in truth["brokers"].items():
        g = got.get(name, {})
        for k in ("connections", "midstream_connections"):
            check(g.get(k) == tb[k], "%s %s %s == truth %s" % (name, k, g.get(k), tb[k]))
    check(t["tls_bytes"] == sum(b["bytes"] for b in rep["tls"]), "tls_bytes = sum per broker")
    if shutil.which("tshark"):
        ts = tshark_bytes(CAPTURE, ports)
        for name, g in got.items():
            port = int(name.rsplit(":", 1)[1])
            check(g["bytes"] == ts.get(port), "%s bytes %d == tshark %s" % (name, g["bytes"], ts.get(port)))
    else:
        print("skip tshark byte counts (no tshark)")

    text = run(CAPTURE, "-P", portarg)
    for name, tb in truth["brokers"].items():
        n = tb["connections"]
        want = "TLS: %d connection%s to %s (" % (n, "" if n == 1 else "s", name)
        check(want in text, "text: %r" % want)
    check("No anomalies." in text, "text: No anomalies.")

    plain = json.loads(run(CAPTURE, "--json"))
    check(plain["totals"]["tls_connections"] == 0 and plain["tls"] == [] and
          plain["anomalies"] == {} and plain["totals"]["connections"] == 0,
          "default port 9092 only: not Kafka, no TLS, no anomalies")

    # near miss: plaintext Kafka, from the mock cluster and a real broker
    captures = sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "*.pcap")) +
                      glob.glob(os.path.join(SRCDIR, "pcaps", "kafka", "*.pcap")))
    for cap in captures:
        r = json.loads(run(cap, "--json"))
        check(r["totals"]["tls_connections"] == 0 and r["tls"] == [] and
              r["totals"]["connections"] > 0,
              "plaintext %s: %d Kafka connections, no TLS" %
              (os.path.relpath(cap, SRCDIR), r["totals"]["connections"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
