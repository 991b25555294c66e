#!/usr/bin/env python3
"""test_prometheus.py - the --prometheus endpoint, scraped by a real
Prometheus server, against the ground truth of the captures it serves.

Two kafkatap processes play two broker hosts: one reads
pcaps/produce-errors.pcap, the other pcaps/slow-broker.pcap, each with
--prometheus on a free loopback port and --prometheus-linger so that the
endpoint outlives the file.  The test starts Debian's prometheus on
loopback with a scrape interval of 2 s (its own port, configuration and
storage in a temporary directory), waits until both targets were scraped,
then asks Prometheus's HTTP API (/api/v1/query) and checks:
  - requests per API equal tshark's count of the requests it decodes in
    that capture;
  - Produce errors by code name equal the errors the generator injected
    (truth file), and acked records per topic-partition equal its delivery
    reports;
  - histogram_quantile() over the latency buckets lands in the bucket that
    holds the exact quantile of tshark's request-to-response times, for
    each host's Produce p50 and for the cluster-wide p99 (sum by (le) over
    both instances), as the man page documents: Prometheus interpolates
    inside the bucket, and kafkatap's buckets place a value within 0.4% of
    a boundary on either side of it (kafkatap's latencies equal tshark's
    within a microsecond on these captures);
  - the partition the slow broker (80 ms injected RTT) leads: its Produce
    p50 in the bucket of tshark's exact median, itself at or above the RTT;
  - SIGTERM ends a lingering kafkatap promptly, with exit code 0.
Exits 77 (skipped) only when prometheus or tshark is missing and cannot be
installed (tools/install-deps.sh installs both).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter

SRCDIR = os.environ.get("srcdir", ".")
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
sys.path.insert(0, os.path.join(SRCDIR, "tests"))
from test_tshark_agreement import run_tshark  # noqa: E402

# kafkatap's bucket boundaries (src/report/report_prometheus.c), seconds
BOUNDS = [25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3,
          50e-3, 100e-3, 250e-3, 500e-3, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0]
CAPTURES = ["produce-errors", "slow-broker"]


def SLACK(exact):
    """How far from the exact value a bucket may be: kafkatap's 0.4% at a
    boundary, plus 2 us for tshark's float timestamps (the two agree within
    0.3 us on these captures)."""
    return exact * 0.004 + 2e-6


def need(tool, package):
    if shutil.which(tool):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return shutil.which(tool) is not None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(base, promql):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=10) as r:
        doc = json.load(r)
    if doc.get("status") != "success":
        raise RuntimeError("query %s failed: %s" % (promql, doc))
    return [(s["metric"], float(s["value"][1])) for s in doc["data"]["result"]]


def scalar(base, promql):
    res = query(base, promql)
    if len(res) != 1:
        raise RuntimeError("query %s: %d series, wanted one" % (promql, len(res)))
    return res[0][1]


def latencies(pcap, truth, api_key, broker=None):
    """tshark's request -> first response byte times, seconds."""
    ports = {int(b["address"].rsplit(":", 1)[1]) for b in truth["brokers"]}
    reqs, resps = run_tshark(pcap, ports)
    by_key = {(r["client"], r["broker"], r["correlation_id"]): r for r in reqs.values()}
    out = []
    for r in resps:
        q = by_key.get((r["client"], r["broker"], r["correlation_id"]))
        if q and q["api_key"] == api_key and (broker is None or q["broker"] == broker):
            out.append(r["first_t"] - q["t"])
    return reqs, out


def nearest_rank(xs, q):
    xs = sorted(xs)
    k = max(1, -(-int(round(q * len(xs) * 1e6)) // 1000000))   # ceil(q * n)
    return xs[k - 1]


def bucket_ok(answer, exact, slack):
    """The answer lies in a bucket that holds a value within slack of the
    exact quantile (the bucket of [lo, hi] in seconds)."""
    edges = [0.0] + BOUNDS + [float("inf")]
    for lo, hi in zip(edges, edges[1:]):
        if lo <= answer <= hi and exact + slack >= lo and exact - slack <= hi:
            return True
    return False


def main():
    if not need("tshark", "tshark"):
        print("SKIP: tshark not installed")
        return 77
    if not need("prometheus", "prometheus"):
        print("SKIP: prometheus (Debian package prometheus) not installed and not installable")
        return 77

    problems = []
    procs = []
    tmp = tempfile.mkdtemp(prefix="kafkatap-prom-")
    try:
        truths, ports = {}, {}
        for name in CAPTURES:
            pcap = os.path.join(SRCDIR, "pcaps", name + ".pcap")
            with open(os.path.join(SRCDIR, "pcaps", name + ".truth.json")) as f:
                truths[name] = json.load(f)
            ports[name] = free_port()
            procs.append(subprocess.Popen(
                [KAFKATAP, "-r", pcap, "--prometheus", "127.0.0.1:%d" % ports[name],
                 "--prometheus-linger", "300"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        prom_port = free_port()
        conf = os.path.join(tmp, "prometheus.yml")
        with open(conf, "w") as f:
            # a loaded machine (the suite runs tests in parallel) may take
            # more than a second to answer: 2 s, as long as the interval
            f.write("global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\n"
                    "scrape_configs:\n")
            for name in CAPTURES:
                f.write("  - job_name: %s\n    static_configs:\n"
                        "      - targets: ['127.0.0.1:%d']\n" % (name, ports[name]))
        log = open(os.path.join(tmp, "prometheus.log"), "w")
        procs.append(subprocess.Popen(
            ["prometheus", "--config.file=" + conf, "--storage.tsdb.path=" + os.path.join(tmp, "data"),
             "--web.listen-address=127.0.0.1:%d" % prom_port],
            stdout=log, stderr=subprocess.STDOUT))
        base = "http://127.0.0.1:%d" % prom_port

        # both hosts scraped after their file ended (the final numbers)
        deadline = time.time() + 90
        while True:
            try:
                done = query(base, 'kafkatap_connections_total > 0 and on (instance) up == 1')
                if len(done) == len(CAPTURES):
                    break
            except (OSError, RuntimeError):
                pass
            if time.time() > deadline:
                with open(os.path.join(tmp, "prometheus.log")) as f:
                    sys.stderr.write(f.read()[-3000:])
                # what Prometheus and the endpoints say, for the log
                try:
                    print("# up:", query(base, "up"))
                except (OSError, RuntimeError) as e:
                    print("# up: query failed:", e)
                for name in CAPTURES:
                    try:
                        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % ports[name],
                                                    timeout=10) as r:
                            print("# %s /metrics: %d bytes" % (name, len(r.read())))
                    except OSError as e:
                        print("# %s /metrics: %s" % (name, e))
                for p in procs[:len(CAPTURES)]:
                    print("# kafkatap exit status:", p.poll())
                print("FAIL: Prometheus did not scrape both kafkatap endpoints in 90 s")
                return 1
            time.sleep(0.5)
        time.sleep(2.5)      # one more scrape: the last published text is final

        all_produce = []
        for name in CAPTURES:
            pcap = os.path.join(SRCDIR, "pcaps", name + ".pcap")
            truth = truths[name]
            inst = 'job="%s"' % name
            reqs, produce = latencies(pcap, truth, 0)
            all_produce += produce

            # requests per API: tshark's count
            want = Counter()
            for r in reqs.values():
                want[r["api_key"]] += 1
            got = {m["api"]: v for m, v in query(base, "sum by (api) (kafkatap_requests_total{%s})" % inst)}
            names = {0: "Produce", 1: "Fetch", 3: "Metadata", 18: "ApiVersions"}
            for key, n in want.items():
                api = names.get(key)
                if api and got.get(api) != n:
                    problems.append("%s: %s requests %s, tshark decodes %d" % (name, api, got.get(api), n))
            print("ok - %s: requests per API %s (tshark %s)" % (name, got, dict(want)))

            # Produce errors by code name: what the generator injected
            want_err = Counter()
            for e in truth.get("injected_errors", []):
                if e["api"] == "Produce":
                    want_err[e["error"]] += e["count"]
            got_err = {m["code"]: v for m, v in
                       query(base, 'sum by (code) (kafkatap_errors_total{api="Produce",%s})' % inst)}
            if got_err != {k: float(v) for k, v in want_err.items()}:
                problems.append("%s: Produce errors %s, injected %s" % (name, got_err, dict(want_err)))
            else:
                print("ok - %s: Produce errors by code %s as injected" % (name, got_err))

            # acked records: the delivery reports
            acked = {(m["topic"], m["partition"]): v for m, v in query(
                base, "kafkatap_partition_produce_acked_records_total{%s}" % inst)}
            for p in truth.get("partitions", []):
                k = (p["topic"], str(p["partition"]))
                if acked.get(k) != p["acked_records"]:
                    problems.append("%s: %s acked %s, delivery reports %d" % (name, k, acked.get(k), p["acked_records"]))
            total = scalar(base, "sum(kafkatap_produce_acked_records_total{%s})" % inst)
            want_total = sum(p["acked_records"] for p in truth.get("partitions", []))
            if total != want_total:
                problems.append("%s: %s acked records in all, delivery reports %d" % (name, total, want_total))
            else:
                print("ok - %s: %d acked records, as the delivery reports" % (name, want_total))

            # Produce p50 of this host
            answer = scalar(base, 'histogram_quantile(0.5, sum by (le) '
                            '(kafkatap_request_latency_seconds_bucket{api="Produce",%s}))' % inst)
            exact = nearest_rank(produce, 0.5)
            if not bucket_ok(answer, exact, SLACK(exact)):
                problems.append("%s: Produce p50 %.6f s from Prometheus, tshark's exact %.6f s in another bucket"
                                % (name, answer, exact))
            else:
                print("ok - %s: Produce p50 %.6f s (exact %.6f s)" % (name, answer, exact))

            # the slow broker (injected RTT): the Produce p50 of the partition
            # it leads, in the bucket of tshark's exact median, which is at
            # or above the RTT
            addr = {str(b["id"]): b["address"] for b in truth["brokers"]}
            for bid, rtt in truth.get("broker_rtt_ms", {}).items():
                led = [p for p in truth["partitions"] if str(p["leader"]) == bid]
                if not rtt or len(led) != 1:
                    continue
                p = led[0]
                exact = nearest_rank(latencies(pcap, truth, 0, addr[bid])[1], 0.5)
                sel = 'topic="%s",partition="%d",%s' % (p["topic"], p["partition"], inst)
                med = scalar(base, "histogram_quantile(0.5, "
                             "kafkatap_partition_produce_latency_seconds_bucket{%s})" % sel)
                if exact < rtt / 1000.0:
                    problems.append("%s: tshark's median %.6f s to broker %s is below its injected RTT %d ms"
                                    % (name, exact, bid, rtt))
                if not bucket_ok(med, exact, SLACK(exact)):
                    problems.append("%s: %s p50 %.6f s, tshark's exact %.6f s in another bucket"
                                    % (name, sel, med, exact))
                else:
                    print("ok - %s: %s/%d p50 %.4f s (exact %.4f s, injected RTT %d ms)"
                          % (name, p["topic"], p["partition"], med, exact, rtt))

        # cluster-wide p99, as the README shows it: sum by (le) over instances
        answer = scalar(base, 'histogram_quantile(0.99, sum by (le) '
                        '(kafkatap_request_latency_seconds_bucket{api="Produce"}))')
        exact = nearest_rank(all_produce, 0.99)
        if not bucket_ok(answer, exact, SLACK(exact)):
            problems.append("cluster Produce p99 %.6f s, tshark's exact %.6f s in another bucket" % (answer, exact))
        else:
            print("ok - cluster-wide Produce p99 %.6f s (exact %.6f s over %d requests)"
                  % (answer, exact, len(all_produce)))

        # a lingering kafkatap ends on SIGTERM, promptly and cleanly
        for p in procs[:len(CAPTURES)]:
            t0 = time.time()
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                problems.append("kafkatap did not end within 5 s of SIGTERM while lingering")
                continue
            if rc != 0:
                problems.append("kafkatap exited %d: %s" % (rc, p.stderr.read()))
            elif time.time() - t0 > 1:
                problems.append("kafkatap took %.1f s to end on SIGTERM" % (time.time() - t0))
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
