#!/usr/bin/env python3
"""test_live_windows.py - live -I reports cover their own interval.

A Python broker and client on 127.0.0.1 exchange ApiVersions v0 requests
and responses in bursts (3, then 7, then 5 requests), each burst in the
middle of its own 1.5 s slot, while `kafkatap -i lo -I 1 --json` watches.
The truth is the sender's own count of each burst.  Every interval report
must count only the requests of its interval: the non-empty ones, in
order, are exactly the bursts (no report repeats an earlier burst), and
the final report counts all 15.  With --cumulative the interval reports
only grow and the last one has every request so far.
Skips (77) when not root or when lo cannot be captured.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
BURSTS = (3, 7, 5)


def frame(body):
    return struct.pack(">i", len(body)) + body


def request(corr):
    client = b"window-test"
    return frame(struct.pack(">hhih", 18, 0, corr, len(client)) + client)


def response(corr):
    return frame(struct.pack(">ihi", corr, 0, 0))     # no error, no api keys


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def broker(srv):
    conn, _ = srv.accept()
    with conn:
        try:
            while True:
                size = struct.unpack(">i", recv_exact(conn, 4))[0]
                body = recv_exact(conn, size)
                corr = struct.unpack(">i", body[4:8])[0]
                conn.sendall(response(corr))
        except EOFError:
            pass


def json_docs(text):
    dec = json.JSONDecoder()
    docs, i = [], 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)
    return docs


def run(extra, check):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen([KAFKATAP, "-i", "lo", "-P", str(port), "-I", "1",
                              "--json"] + extra + ["tcp port %d" % port],
                             stdout=out, stderr=err)
        time.sleep(1.0)
        if p.poll() is not None:
            err.seek(0)
            print("SKIP: cannot capture on lo:", err.read().strip())
            sys.exit(77)
        t = threading.Thread(target=broker, args=(srv,), daemon=True)
        t.start()
        cli = socket.create_connection(("127.0.0.1", port))
        corr = 0
        for n in BURSTS:
            slot_start = time.monotonic()
            time.sleep(0.6)
            for _ in range(n):
                corr += 1
                cli.sendall(request(corr))
                recv_exact(cli, 4 + 10)
            time.sleep(max(0, 1.5 - (time.monotonic() - slot_start)))
        time.sleep(1.2)
        p.send_signal(2)
        p.wait(timeout=5)
        cli.close()
        srv.close()
        out.seek(0)
        docs = json_docs(out.read())
    interim = [d for d in docs if not d["final"]]
    final = [d for d in docs if d["final"]]
    return check(interim, final)


def requests_of(d):
    """The requests of a report: its per-API statistics and its session
    totals must agree (both are the window's)."""
    per_api = sum(a["requests"] for a in d["apis"])
    if per_api != d["totals"]["requests"]:
        raise SystemExit("FAIL: a report's APIs count %d requests, its totals %d"
                         % (per_api, d["totals"]["requests"]))
    return per_api


def check_windows(interim, final):
    failures = []
    counts = [requests_of(d) for d in interim]
    nonzero = [c for c in counts if c]
    # a burst may straddle a window edge on a loaded machine: then two
    # consecutive windows share it, and their sum is the burst
    merged, i = [], 0
    for b in BURSTS:
        got = 0
        while i < len(nonzero) and got < b:
            got += nonzero[i]
            i += 1
        merged.append(got)
    if merged != list(BURSTS) or i != len(nonzero):
        failures.append("windows: interval reports counted %s, bursts were %s"
                        % (counts, list(BURSTS)))
    if len(final) != 1 or requests_of(final[0]) != sum(BURSTS):
        failures.append("windows: final report %s, want %d requests"
                        % ([requests_of(d) for d in final], sum(BURSTS)))
    return failures, counts


def check_cumulative(interim, final):
    failures = []
    counts = [requests_of(d) for d in interim]
    if counts != sorted(counts) or not counts or counts[-1] != sum(BURSTS):
        failures.append("--cumulative: interval reports counted %s" % counts)
    if len(final) != 1 or requests_of(final[0]) != sum(BURSTS):
        failures.append("--cumulative: final report wrong")
    return failures, counts


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root to capture on lo")
        return 77
    failures = []
    for extra, check in (([], check_windows), (["--cumulative"], check_cumulative)):
        f, counts = run(extra, check)
        failures += f
        print("%s: interval reports counted %s" % (extra or "windows", counts))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
