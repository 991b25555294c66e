#!/usr/bin/env python3
"""loss_truth.py - what a lossy capture should still tell, and what kafkatap
tells: the measurement behind "a lost packet costs only the requests it
touches".

    tests/loss_truth.py LOSSLESS.pcap [SIDECAR.json ...] --kafkatap BIN
        [--ports P,P,...] [--autodetect] [--json]

SIDECAR.json is what tools/pcap-loss.py wrote beside a lossy copy of
LOSSLESS.pcap (the lossy capture is the sidecar's "output", in the sidecar's
folder). With no sidecar the capture is measured as it is (no loss), which
is how a mid-stream slice is measured.

Ground truth, from the lossless capture only:
  - the requests: every request frame tshark decodes (TCP desegmentation on,
    `-d tcp.port==P,kafka` for each broker port), keyed by connection,
    correlation id and api key; "answered" when tshark also decodes a
    response with that correlation id on that connection;
  - the bytes each request and response frame occupies in its TCP stream
    (this script walks the streams' size prefixes from the SYN);
  - the bytes lost: the sequence ranges of the dropped packets that no
    surviving packet carries.
A request is touched by the loss when any byte of its request frame or of
its response frame is lost; on a connection seen without its SYN (a
mid-stream capture) frames cannot be placed, so any loss on that connection
touches all its requests. The untouched answered requests are the ones
kafkatap should answer on the lossy capture; the untouched unanswered ones
it should call unanswered.

Then kafkatap runs on the lossy capture (`--events=json` and `--json`, with
`-P PORTS` unless --autodetect) and each ground-truth request is looked up
in its events by (client, broker, correlation id, api key): unanswered,
unknown (a status "unknown...": the response may have been lost by the
capture), answered (any other status), or missing (no event at all). Orphan
responses, connections and mid-stream connections come from its report;
the connections to compare with are those carrying payload to or from a
broker port in the lossless capture.
Ports default to the brokers of NAME.truth.json beside the lossless
capture (for a slice, its source's). Python standard library and tshark.
"""
import argparse
import json
import os
import socket
import struct
import subprocess
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapio  # noqa: E402

MOD = 1 << 32


def endpoint(addr, port):
    fam = socket.AF_INET if len(addr) == 4 else socket.AF_INET6
    text = socket.inet_ntop(fam, addr)
    return ("%s:%d" if fam == socket.AF_INET else "[%s]:%d") % (text, port)


def broker_ports(pcap):
    """Broker ports from the truth file beside a capture (a slice's truth
    names its brokers too)."""
    truth = os.path.splitext(pcap)[0] + ".truth.json"
    with open(truth) as f:
        t = json.load(f)
    return sorted(int(b["address"].rsplit(":", 1)[1]) for b in t["brokers"])


# ------------------------------------------------------------ TCP streams

class Direction:
    """One direction of a connection: where its stream starts (the SYN's
    sequence number + 1; None when the SYN is not in the capture) and its
    payload packets as (frame, seq, length)."""

    def __init__(self):
        self.isn = None
        self.segments = []

    def offset(self, seq):
        return (seq - self.isn) % MOD

    def stream(self):
        """The stream's bytes in order (holes, if any, left as zeros)."""
        buf = bytearray()
        for _, seq, data in self.segments:
            off = self.offset(seq)
            if off > len(buf) + (1 << 30):   # before the ISN: ignore
                continue
            if off + len(data) > len(buf):
                buf.extend(bytes(off + len(data) - len(buf)))
            buf[off:off + len(data)] = data
        return bytes(buf)


def read_directions(packets, ports):
    """{(src, dst): Direction} of the TCP packets to or from a broker port,
    endpoints as "addr:port" text; frames are 1-based."""
    dirs = defaultdict(Direction)
    for i, p in enumerate(packets):
        v = pcapio.tcp_view(p)
        if v is None or (v["src"][1] not in ports and v["dst"][1] not in ports):
            continue
        key = (endpoint(*v["src"]), endpoint(*v["dst"]))
        d = dirs[key]
        if v["flags"] & 0x02:
            d.isn = (v["seq"] + 1) % MOD
            continue
        data = p["data"][v["payload"]:v["end"]]
        if data:
            d.segments.append((i + 1, v["seq"], data))
    return dirs


def walk_frames(stream, to_broker):
    """[(start, end, key)] of the Kafka frames of a stream from its first
    byte: key is (correlation id, api key) for a request, the correlation
    id for a response. Stops at the first incomplete frame."""
    out, pos = [], 0
    while pos + 4 <= len(stream):
        size = struct.unpack(">i", stream[pos:pos + 4])[0]
        end = pos + 4 + size
        if size < 4 or end > len(stream):
            break
        if to_broker and size >= 8:
            api, _, corr = struct.unpack(">hhi", stream[pos + 4:pos + 12])
            out.append((pos, end, (corr, api)))
        elif not to_broker:
            out.append((pos, end, struct.unpack(">i", stream[pos + 4:pos + 8])[0]))
        pos = end
    return out


def lost_ranges(dirs, dropped_frames):
    """{(src, dst): sorted [(start, end)]} of stream bytes carried only by
    dropped packets; directions seen without their SYN map to None when
    they lost any payload."""
    lost = {}
    for key, d in dirs.items():
        gone = [(f, s, data) for f, s, data in d.segments if f in dropped_frames]
        if not gone:
            continue
        if d.isn is None:
            lost[key] = None
            continue
        kept = sorted((d.offset(s), d.offset(s) + len(data))
                      for f, s, data in d.segments if f not in dropped_frames)
        ranges = []
        for _, s, data in gone:
            a, b = d.offset(s), d.offset(s) + len(data)
            for ka, kb in kept:            # subtract what survived
                if kb <= a or ka >= b:
                    continue
                if ka <= a:
                    a = max(a, kb)
                elif kb >= b:
                    b = min(b, ka)
                if a >= b:
                    break
            if a < b:
                ranges.append((a, b))
        lost[key] = sorted(ranges)
    return lost


def touches(ranges, start, end):
    """Whether [start, end) meets a lost range (None: all of it lost)."""
    return ranges is None or any(a < end and start < b for a, b in ranges)


# ------------------------------------------------------------------ tshark

def tshark_requests(pcap, ports):
    """{(client, broker, corr, api): answered} of the requests tshark
    decodes in a capture."""
    cmd = ["tshark", "-r", pcap, "-n", "-o", "tcp.desegment_tcp_streams:TRUE"]
    for p in ports:
        cmd += ["-d", "tcp.port==%d,kafka" % p]
    cmd += ["-Y", "kafka", "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=,", "-e", "ip.src", "-e", "ipv6.src",
            "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst",
            "-e", "tcp.dstport", "-e", "kafka.correlation_id",
            "-e", "kafka.api_key"]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    reqs, resps = [], set()
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 8 or not f[6]:
            continue
        src = "%s:%s" % (f[0] or "[%s]" % f[1], f[2])
        dst = "%s:%s" % (f[3] or "[%s]" % f[4], f[5])
        corrs = [int(c) for c in f[6].split(",")]
        if int(f[5]) in ports:
            apis = [int(a) for a in f[7].split(",")]
            if len(apis) != len(corrs):
                raise SystemExit("loss_truth: cannot pair tshark fields: "
                                 + line)
            reqs += [(src, dst, c, a) for c, a in zip(corrs, apis)]
        else:
            resps.update((dst, src, c) for c in corrs)
    return {r: (r[0], r[1], r[2]) in resps for r in reqs}


# ---------------------------------------------------------------- kafkatap

def run_kafkatap(binary, pcap, ports, autodetect):
    args = [binary, "-r", pcap]
    if not autodetect:
        args += ["-P", ",".join(str(p) for p in ports)]
    ev = subprocess.run(args + ["--events=json"], check=True,
                        stdout=subprocess.PIPE, text=True).stdout
    rep = json.loads(subprocess.run(args + ["--json"], check=True,
                                    stdout=subprocess.PIPE, text=True).stdout)
    events = {}
    for line in ev.splitlines():
        e = json.loads(line)
        events[(e["client"], e["broker"], e["correlation_id"],
                e["api_key"])] = e["status"]
    return events, rep["totals"]


# ------------------------------------------------------------- measurement

def ground_truth(lossless, ports, dropped_frames):
    """Per request of the lossless capture: (answered, touched)."""
    packets = pcapio.read(lossless)
    dirs = read_directions(packets, set(ports))
    lost = lost_ranges(dirs, dropped_frames)
    placed = {}                                  # request or response -> span
    for (src, dst), d in dirs.items():
        if d.isn is None:
            continue
        to_broker = int(dst.rsplit(":", 1)[1]) in ports
        conn = (src, dst) if to_broker else (dst, src)
        for start, end, k in walk_frames(d.stream(), to_broker):
            tag = ("req",) + conn + k if to_broker else ("resp",) + conn + (k,)
            placed.setdefault(tag, ((src, dst), start, end))
    truth = {}
    for req, answered in tshark_requests(lossless, ports).items():
        client, broker, corr, api = req
        touched = False
        for tag in (("req", client, broker, corr, api),
                    ("resp", client, broker, corr)):
            where = placed.get(tag)
            if where is None:
                # not placed (no SYN): touched by any loss on its connection
                key = (client, broker) if tag[0] == "req" else (broker, client)
                touched |= key in lost
            elif where[0] in lost:
                touched |= touches(lost[where[0]], where[1], where[2])
        truth[req] = (answered, touched)
    conns = {tuple(sorted(k)) for k, d in dirs.items() if d.segments}
    return truth, len(packets), len(conns)


def measure(lossless, sidecar, kafkatap, ports, autodetect=False):
    """The numbers of one lossy replay (sidecar None: no loss)."""
    dropped, lossy, side = set(), lossless, {}
    if sidecar:
        with open(sidecar) as f:
            side = json.load(f)
        dropped = {d["frame"] for d in side["dropped"]}
        lossy = os.path.join(os.path.dirname(sidecar), side["output"])
    truth, npackets, nconns = ground_truth(lossless, ports, dropped)
    events, totals = run_kafkatap(kafkatap, lossy, ports, autodetect)
    c = Counter()
    for req, (answered, touched) in truth.items():
        status = events.get(req)
        seen = ("missing" if status is None else
                "unanswered" if status == "unanswered" else
                "unknown" if status.startswith("unknown") else "answered")
        group = ("touched" if touched else
                 "intact_answered" if answered else "intact_unanswered")
        c[group] += 1
        c[group + "/" + seen] += 1
        if touched and answered:
            c["touched_answered/" + seen] += 1
    intact = c["intact_answered"]
    return {
        "capture": os.path.basename(lossless),
        "loss": {k: side.get(k) for k in
                 ("seed", "fraction", "bursts", "burst_len", "payload_only")}
        if side else None,
        "packets": npackets, "packets_dropped": len(dropped),
        "payload_packets_dropped": sum(
            1 for d in side.get("dropped", []) if d.get("payload_len")),
        "requests": len(truth),
        "requests_answered": sum(1 for a, _ in truth.values() if a),
        "requests_touched": c["touched"],
        "requests_intact_answered": intact,
        "requests_intact_unanswered": c["intact_unanswered"],
        "kafkatap": {
            "intact_answered": {
                "answered": c["intact_answered/answered"],
                "unanswered": c["intact_answered/unanswered"],
                "missing": c["intact_answered/missing"],
                "unknown": c["intact_answered/unknown"],
                "answered_pct": round(100.0 * c["intact_answered/answered"]
                                      / intact, 1) if intact else None},
            "intact_unanswered": {
                k: c["intact_unanswered/" + k]
                for k in ("answered", "unanswered", "unknown", "missing")},
            "touched": {k: c["touched/" + k]
                        for k in ("answered", "unanswered", "unknown",
                                  "missing")},
            # touched requests the broker did answer (in the lossless
            # capture): none of them may be called unanswered
            "touched_answered": {k: c["touched_answered/" + k]
                                 for k in ("answered", "unanswered",
                                           "unknown", "missing")},
            "requests": totals["requests"],
            "orphan_responses": totals["orphan_responses"],
            "connections": totals["connections"],
            "midstream_connections": totals["midstream_connections"],
            "missed_bytes": totals["missed_bytes"],
        },
        "connections": nconns,
        "connections_tshark_decodes": len({(r[0], r[1]) for r in truth}),
        "autodetect": autodetect,
    }


def summary(m):
    k = m["kafkatap"]
    loss = m["loss"]
    what = ("no loss" if not loss else
            "fraction %s seed %s" % (loss["fraction"], loss["seed"])
            if not loss["bursts"] else
            "%s bursts of %s seed %s" % (loss["bursts"], loss["burst_len"],
                                         loss["seed"]))
    return ("%s, %s%s: %d of %d packets dropped (%d with payload); "
            "%d requests (%d answered), %d touched by loss; "
            "of %d intact answered requests kafkatap answered %d (%s%%), "
            "called %d unanswered, missed %d; orphans %d; "
            "connections %d of %d (%d mid-stream)" % (
                m["capture"], what, ", autodetect" if m["autodetect"] else "",
                m["packets_dropped"], m["packets"],
                m["payload_packets_dropped"], m["requests"],
                m["requests_answered"], m["requests_touched"],
                m["requests_intact_answered"], k["intact_answered"]["answered"],
                k["intact_answered"]["answered_pct"],
                k["intact_answered"]["unanswered"],
                k["intact_answered"]["missing"], k["orphan_responses"],
                k["connections"], m["connections"],
                k["midstream_connections"]))


def main():
    ap = argparse.ArgumentParser(
        description="Ground truth of a lossy capture and kafkatap's answer.")
    ap.add_argument("lossless")
    ap.add_argument("sidecars", nargs="*")
    ap.add_argument("--kafkatap", required=True)
    ap.add_argument("--ports", help="broker ports (default: NAME.truth.json)")
    ap.add_argument("--autodetect", action="store_true",
                    help="run kafkatap without -p")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    ports = ([int(p) for p in a.ports.split(",")] if a.ports
             else broker_ports(a.lossless))
    for sc in a.sidecars or [None]:
        m = measure(a.lossless, sc, a.kafkatap, ports, a.autodetect)
        print(json.dumps(m) if a.json else summary(m))


if __name__ == "__main__":
    main()
