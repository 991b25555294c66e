#!/usr/bin/env python3
"""midcut: cuts a capture as if tcpdump had been started in the middle of it,
and writes the ground truth of what the cut contains.

Usage: midcut.py FRACTION SRC.pcap SRC.truth.json OUT.pcap OUT.truth.json

The cut starts at the packet nearest to FRACTION of the source capture whose
TCP payload begins in the middle of a Kafka frame, so that at least one
long-lived connection is first seen mid-frame. The truth is derived from the
whole source capture (where every connection is seen from its SYN), by a
small parser of its own: per connection, where the first frame boundary lies
in the cut; which requests and responses lie wholly in the cut; and, for
Produce v3+ requests, their records per topic-partition and whether the
response in the cut acknowledged them (partition error code 0).
Handles the classic pcap format with Ethernet framing (tcpdump on lo), IPv4.
"""
import json
import struct
import sys
from collections import Counter, defaultdict


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit("midcut: only Ethernet captures are supported")
    pkts, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        pkts.append(data[off:off + 16 + incl])
        off += 16 + incl
    return data[:24], pkts, e


def tcp_of(pkt):
    """(src, dst, seq, flags, payload) of an IPv4/TCP packet, else None."""
    frame = pkt[16:]
    if len(frame) < 14 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6:
        return None
    tot = struct.unpack(">H", ip[2:4])[0]
    tcp = ip[ihl:tot]
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    doff = (tcp[12] >> 4) * 4
    src = "%d.%d.%d.%d:%d" % (*ip[12:16], sport)
    dst = "%d.%d.%d.%d:%d" % (*ip[16:20], dport)
    return src, dst, seq, tcp[13], tcp[doff:]


class Reader:
    def __init__(self, b):
        self.b, self.o = b, 0

    def take(self, n):
        if n < 0 or self.o + n > len(self.b):
            raise ValueError("short")
        v = self.b[self.o:self.o + n]
        self.o += n
        return v

    def i8(self): return struct.unpack(">b", self.take(1))[0]
    def i16(self): return struct.unpack(">h", self.take(2))[0]
    def i32(self): return struct.unpack(">i", self.take(4))[0]
    def i64(self): return struct.unpack(">q", self.take(8))[0]

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()


def produce_request_records(body, version):
    """{(topic, partition): records} of a Produce v3..v8 request body."""
    r, out = Reader(body), {}
    r.string()  # transactional_id
    acks = r.i16()
    r.i32()  # timeout
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            part = r.i32()
            n = r.i32()
            recs = Reader(r.take(max(n, 0)))
            count = 0
            while recs.o + 61 <= len(recs.b):  # record batch v2 headers
                recs.i64()
                blen = recs.i32()
                batch = Reader(recs.take(blen))
                batch.take(4 + 1 + 4 + 2)  # epoch, magic, crc, attributes
                count += batch.i32() + 1  # last offset delta
            out[(topic, part)] = out.get((topic, part), 0) + count
    return out, acks


def produce_response_errors(body):
    """{(topic, partition): error_code} of a Produce v2..v8 response body."""
    r, out = Reader(body), {}
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            part = r.i32()
            out[(topic, part)] = r.i16()
            r.i64()  # base offset
            r.i64()  # log append time
            r.i64()  # log start offset (v5+; v7 here)
            # record_errors/error_message only from v8 (not spoken here)
    return out


def main():
    frac = float(sys.argv[1])
    src, src_truth, out_pcap, out_truth = sys.argv[2:6]
    truth = json.load(open(src_truth))
    brokers = {b["address"] for b in truth["brokers"]}
    header, pkts, endian = read_pcap(src)

    # Per direction: byte stream reassembly (loopback: in order, no loss;
    # retransmissions are dropped by sequence number) and frame walk.
    next_seq = {}
    need = {}                      # bytes left in the current frame
    current = {}                   # direction -> frame being filled
    pkt_mid = []                   # per packet: starts mid-frame?
    pkt_skip = {}                  # packet -> bytes to the next boundary
    frames = []                    # (dir, first_pkt, last_pkt, bytes)
    syn = {}                       # connection -> packet index of SYN
    for i, p in enumerate(pkts):
        t = tcp_of(p)
        if t is None:
            pkt_mid.append(False)
            continue
        s, d, seq, flags, pl = t
        conn = (s, d) if d in brokers else (d, s)
        if flags & 0x02:
            syn.setdefault(conn, i)
            next_seq[(s, d)] = (seq + 1) & 0xFFFFFFFF
            pkt_mid.append(False)
            continue
        key = (s, d)
        if not pl or key not in next_seq or seq != next_seq[key]:
            pkt_mid.append(False)
            continue
        next_seq[key] = (seq + len(pl)) & 0xFFFFFFFF
        left = need.get(key, 0)
        pkt_mid.append(left != 0)
        if left is None:  # inside a size prefix
            left = 4 - len(current[key][3])
            left += struct.unpack(">i", (current[key][3] + pl)[:4])[0]
        pkt_skip[i] = left
        data = pl
        while data:
            if need.get(key, 0) == 0:  # at a boundary: start a frame
                current[key] = [key, i, i, b""]
                frames.append(current[key])
                need[key] = None
            cur = current[key]
            if need[key] is None:  # size prefix still incomplete
                want = 4 - len(cur[3])
                cur[3] += data[:want]
                data = data[want:]
                cur[2] = i
                if len(cur[3]) == 4:
                    need[key] = max(struct.unpack(">i", cur[3])[0], 0)
                continue
            take = data[:need[key]]
            cur[3] += take
            cur[2] = i
            need[key] -= len(take)
            data = data[len(take):]

    n = len(pkts)
    cands = [i for i in range(1, n) if pkt_mid[i]]
    if not cands:
        raise SystemExit("midcut: no packet starts mid-frame")
    cut = min(cands, key=lambda i: (abs(i - frac * n), i))

    with open(out_pcap, "wb") as f:
        f.write(header)
        for p in pkts[cut:]:
            f.write(p)

    # Connections in the cut.
    conns = {}
    for i in range(cut, n):
        t = tcp_of(pkts[i])
        if t is None:
            continue
        s, d, _, _, pl = t
        conn = (s, d) if d in brokers else (d, s)
        c = conns.setdefault(conn, {
            "client": conn[0], "broker": conn[1],
            "handshake_in_capture": conn in syn and syn[conn] >= cut,
            "first_payload_starts_mid_frame": {},
            "bytes_to_first_frame_boundary": {},
        })
        dirn = "to_broker" if d in brokers else "to_client"
        if pl and dirn not in c["first_payload_starts_mid_frame"]:
            c["first_payload_starts_mid_frame"][dirn] = pkt_mid[i]
            c["bytes_to_first_frame_boundary"][dirn] = pkt_skip.get(i, 0)

    # Kafka frames: requests and responses wholly inside the cut.
    reqs, resps = {}, {}
    for key, first, last, b in frames:
        if len(b) < 8 or len(b) - 4 != struct.unpack(">i", b[:4])[0]:
            continue  # incomplete at the end of the capture
        to_broker = key[1] in brokers
        conn = key if to_broker else (key[1], key[0])
        if to_broker:
            api, ver, corr = struct.unpack(">hhi", b[4:12])
            reqs[(conn, corr)] = (first, api, ver, b)
        else:
            corr = struct.unpack(">i", b[4:8])[0]
            resps[(conn, corr)] = (first, b)

    per_api = defaultdict(Counter)
    parts = defaultdict(Counter)
    for k, (first, api, ver, b) in reqs.items():
        r = resps.get(k)
        in_cut = first >= cut
        if in_cut:
            per_api[api]["requests"] += 1
            if r and r[0] >= cut:
                per_api[api]["matched"] += 1
            elif not r:
                per_api[api]["unanswered"] += 1
        elif r and r[0] >= cut:
            per_api[api]["responses_to_requests_before_cut"] += 1
        if api == 0 and in_cut and 3 <= ver <= 7:
            hr = Reader(b[12:])
            hr.string()  # client_id (request header v1)
            recs, acks = produce_request_records(b[12 + hr.o:], ver)
            errs = {}
            if r and r[0] >= cut:
                errs = produce_response_errors(r[1][8:])
            for tp, cnt in recs.items():
                e = parts[tp]
                e["requests"] += 1
                e["records"] += cnt
                if acks == 0:
                    e["records_acks0"] += cnt
                if errs.get(tp) == 0:
                    e["acked_records"] += cnt
    out = {
        "generator": "pcaps/recorder/midcut.py",
        "scenario": out_pcap.split("/")[-1].rsplit(".pcap", 1)[0],
        "source": {"pcap": src.split("/")[-1],
                   "truth": src_truth.split("/")[-1],
                   "packets": n},
        "cut_at_packet": cut + 1,
        "packets_dropped": cut,
        "packets": n - cut,
        "librdkafka_version": truth.get("librdkafka_version"),
        "brokers": truth["brokers"],
        "connections": sorted(conns.values(),
                              key=lambda c: (c["broker"], c["client"])),
        "apis": {str(a): dict(c) for a, c in sorted(per_api.items())},
        "produce_partitions": [
            {"topic": t, "partition": p, **dict(c)}
            for (t, p), c in sorted(parts.items())],
        "notes": (
            "Cut of %s keeping packets %d..%d: the capture starts in the "
            "middle of long-lived connections, with no handshake for them, "
            "and the first payload of at least one connection is the tail of "
            "a Kafka frame. apis counts, per api_key, request frames that "
            "start in the cut (requests), those whose response is also in "
            "the cut (matched), those never answered in the source capture "
            "(unanswered), and responses in the cut whose request was cut "
            "off (responses_to_requests_before_cut). produce_partitions "
            "counts records of Produce requests that start in the cut; "
            "acked_records are those whose partition error in a response in "
            "the cut is 0 (records_acks0: sent with acks=0; librdkafka's "
            "mock cluster answers those too)." % (src.split("/")[-1],
                                                  cut + 1, n)),
    }
    with open(out_truth, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print("midcut: kept packets %d..%d of %d" % (cut + 1, n, n))


if __name__ == "__main__":
    main()
