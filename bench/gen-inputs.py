#!/usr/bin/env python3
"""gen-inputs.py - writes the benchmark captures (Python standard library
only; nothing is downloaded).

Usage: gen-inputs.py OUTDIR [--only NAME ...] [--replicas N] [--srcdir DIR]

  unanswered.pcap   1,000,000 Produce v3 requests (one partition, one small
                    v2 record batch each) on 1,000 connections, never
                    answered: pending-request memory under a flood
  connections.pcap  100,000 connections, each a handshake, an ApiVersions
                    v0 request and its answer, none closed: flow table
  gzip-bomb.pcap    10 Produce v2 requests of 64 partitions, each a legacy
                    message set v1 gzip wrapper (17 KB) whose inner set
                    claims a 1 GiB message and inflates to 16 MiB of zeros
  huge-prefix.pcap  a client that sends a 2 GiB size prefix (0x7fffffff)
                    then 64 MiB of bytes, on port 9092
  tls.pcap          1,000 TLS connections on port 9092: a ClientHello, a
                    ServerHello, then 100 KiB of application data records
                    each way
  ooo-flood.pcap    300 connections that each lose one byte and then send
                    1 MiB after the hole (within the hole timeout)
  partial-frames.pcap 300 connections that each start a 64 MiB request and
                    send 1 MiB of it
  replay.pcap       every connection of pcaps/*.pcap and pcaps/kafka/*.pcap
                    replicated N times (default 160, ~2M packets) with
                    shifted addresses, sequence numbers and times
  replay-loss.pcap  replay.pcap with 1% of its packets dropped at random
                    (tools/pcap-loss.py --fraction 0.01 --seed 1; the
                    dropped packets listed in replay-loss.pcap.loss.json)
"""
import argparse
import gzip
import glob
import json
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import pcapio  # noqa: E402

ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
T0 = 1767225600 * 1000000           # 2026-01-01 00:00:00 UTC


def ipsum(h):
    s = sum(struct.unpack(">10H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", ipsum(ip)) + ip[12:]
    return ETH + ip + tcp + payload


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(pcapio.header(pcapio.LINKTYPE_ETHERNET))
        self.n = 0

    def put(self, ts, data):
        self.f.write(pcapio.record(ts, data))
        self.n += 1

    def close(self):
        self.f.close()
        return self.n


class Conn:
    """One TCP connection, client side a, server side b."""

    def __init__(self, w, a, b, sport, dport, handshake=True, ts=T0):
        self.w, self.a, self.b, self.sport, self.dport = w, a, b, sport, dport
        self.seq = [random.getrandbits(32), random.getrandbits(32)]
        if handshake:
            w.put(ts, packet(a, b, sport, dport, self.seq[0], 0, SYN))
            w.put(ts + 50, packet(b, a, dport, sport, self.seq[1], self.seq[0] + 1, SYN | ACK))
            self.seq = [self.seq[0] + 1, self.seq[1] + 1]

    def send(self, d, ts, data, mss=1448):
        for i in range(0, len(data), mss):
            chunk = data[i:i + mss]
            if d == 0:
                p = packet(self.a, self.b, self.sport, self.dport, self.seq[0], self.seq[1],
                           ACK | PSH, chunk)
            else:
                p = packet(self.b, self.a, self.dport, self.sport, self.seq[1], self.seq[0],
                           ACK | PSH, chunk)
            self.w.put(ts, p)
            self.seq[d] += len(chunk)


def kstr(s):
    return struct.pack(">h", len(s)) + s


def kbytes(b):
    return struct.pack(">i", len(b)) + b


def frame(b):
    return struct.pack(">i", len(b)) + b


def request(key, ver, corr, body, client=b"bench"):
    return frame(struct.pack(">hhi", key, ver, corr) + kstr(client) + body)


def varint(n):
    n = (n << 1) ^ (n >> 63)
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def batch_v2(value):
    rec = b"\x00" + varint(0) + varint(0) + varint(-1) + varint(len(value)) + value + varint(0)
    rec = varint(len(rec)) + rec
    after_crc = struct.pack(">hiqqqhii", 0, 0, T0 // 1000, T0 // 1000, -1, -1, -1, 1) + rec
    body = struct.pack(">ib", 0, 2) + struct.pack(">I", 0) + after_crc
    return struct.pack(">qi", 0, len(body)) + body


def produce_v3(corr, topic, value):
    body = struct.pack(">h", -1)                 # transactional_id: null
    body += struct.pack(">hi", 1, 30000) + struct.pack(">i", 1) + kstr(topic)
    body += struct.pack(">i", 1) + struct.pack(">i", 0) + kbytes(batch_v2(value))
    return request(0, 3, corr, body)


def ip(a, b, c, d):
    return bytes([a, b, c, d])


BROKER = ip(10, 0, 0, 1)


def gen_unanswered(out):
    w = Writer(out)
    ts = T0
    per_conn, nconn = 1000, 1000
    conns = [Conn(w, ip(10, 1, i >> 8, i & 255), BROKER, 40000 + i % 20000, 9092, ts=ts + i)
             for i in range(nconn)]
    corr = 0
    for rnd in range(per_conn // 10):           # 10 requests per segment
        for c in conns:
            ts += 1
            data = b"".join(produce_v3(corr + k, b"flood", b"x" * 32) for k in range(10))
            c.send(0, ts, data)
        corr += 10
    return w.close()


def gen_connections(out):
    w = Writer(out)
    ts = T0
    resp = frame(struct.pack(">ih", 1, 0) + struct.pack(">i", 1) + struct.pack(">hhh", 18, 0, 3))
    for i in range(100000):
        ts += 10
        c = Conn(w, ip(10, 2 + (i >> 16), (i >> 8) & 255, i & 255), BROKER,
                 30000 + i % 30000, 9092, ts=ts)
        c.send(0, ts + 100, request(18, 0, 1, b""))
        c.send(1, ts + 300, resp)
    return w.close()


def gen_gzip_bomb(out, requests=10, partitions=64):
    w = Writer(out)
    inner = struct.pack(">qi", 0, 1 << 30) + bytes(16 << 20)   # claims 1 GiB
    gz = gzip.compress(inner, 9)
    msg = struct.pack(">bbq", 1, 1, T0 // 1000) + struct.pack(">i", -1) + kbytes(gz)
    import zlib
    msg = struct.pack(">I", zlib.crc32(msg)) + msg
    mset = struct.pack(">qi", 0, len(msg)) + msg
    c = Conn(w, ip(10, 3, 0, 1), BROKER, 45000, 9092)
    random.seed(3)
    ts = T0 + 1000
    for corr in range(requests):
        body = struct.pack(">hi", 1, 30000) + struct.pack(">i", 1) + kstr(b"bomb")
        body += struct.pack(">i", partitions)
        for part in range(partitions):
            body += struct.pack(">i", part) + kbytes(mset)
        ts += 1000
        c.send(0, ts, request(0, 2, corr, body))
    return w.close()


def gen_huge_prefix(out):
    w = Writer(out)
    c = Conn(w, ip(10, 4, 0, 1), BROKER, 46000, 9092)
    rng = random.Random(4)
    ts = T0 + 1000
    c.send(0, ts, struct.pack(">I", 0x7FFFFFFF) + struct.pack(">hhi", 0, 9, 1))
    block = bytes(rng.getrandbits(8) for _ in range(1 << 16))
    for i in range(1024):                       # 64 MiB
        ts += 10
        c.send(0, ts, block)
    return w.close()


def gen_tls(out):
    w = Writer(out)
    rng = random.Random(5)
    noise = bytes(rng.getrandbits(8) for _ in range(1 << 16))
    ts = T0
    hello = b"\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03" + noise[:0xc4 - 2]
    shello = b"\x16\x03\x03\x00\x5a\x02\x00\x00\x56\x03\x03" + noise[100:100 + 0x56 - 2]
    for i in range(1000):
        ts += 100
        c = Conn(w, ip(10, 5, i >> 8, i & 255), BROKER, 47000 + i, 9092, ts=ts)
        c.send(0, ts + 10, hello)
        c.send(1, ts + 20, shello)
        for d in (0, 1):
            data = b""
            while len(data) < 100 * 1024:
                off = rng.randrange(0, len(noise) - 16384)
                n = rng.randrange(512, 16384)
                data += b"\x17\x03\x03" + struct.pack(">H", n) + noise[off:off + n]
            c.send(d, ts + 30 + d, data)
    return w.close()


def flood(out, subnet, port0, opening, size, lose_byte=False, nconn=300):
    """nconn connections on port 9092, each sending `opening` and then
    `size` bytes, round-robin; lose_byte: one byte lost after the opening."""
    w = Writer(out)
    block = bytes(random.Random(subnet).getrandbits(8) for _ in range(1448))
    ts = T0
    conns = []
    for i in range(nconn):
        c = Conn(w, ip(10, subnet, i >> 8, i & 255), BROKER, port0 + i, 9092, ts=ts + i)
        c.send(0, ts + i, opening)
        if lose_byte:
            c.seq[0] += 1
        conns.append(c)
    for k in range(0, size, 1448):
        ts += 10
        for c in conns:
            c.send(0, ts, block)
    return w.close()


def gen_ooo_flood(out):
    """Each connection loses one byte early, then sends 1 MiB after the
    hole within the hole timeout: all of it waits out of order."""
    return flood(out, 6, 48000, request(18, 0, 1, b""), 1 << 20, lose_byte=True)


def gen_partial_frames(out):
    """Each connection starts a 64 MiB Produce request (under the 100 MiB
    frame cap) and sends 1 MiB of it: all of it waits for the rest."""
    opening = struct.pack(">i", 64 << 20) + struct.pack(">hhi", 0, 3, 1) \
        + kstr(b"bench") + struct.pack(">h", -1)
    return flood(out, 7, 49000, opening, 1 << 20)


def gen_replay(out, srcdir, replicas):
    caps = sorted(glob.glob(os.path.join(srcdir, "pcaps", "*.pcap"))
                  + glob.glob(os.path.join(srcdir, "pcaps", "kafka", "*.pcap")))
    base = []                           # (ts relative to its capture start, data)
    for ci, cap in enumerate(caps):
        pk = pcapio.read(cap)
        if not pk or pk[0]["linktype"] != pcapio.LINKTYPE_ETHERNET:
            continue
        t0 = pk[0]["ts_us"]
        for p in pk:
            v = pcapio.tcp_view(p)
            if v is None or v["ipver"] != 4:
                continue
            base.append((p["ts_us"] - t0, p["data"][:v["end"]], v, ci))
    base.sort(key=lambda x: x[0])
    w = Writer(out)
    # replica r starts r * 7 ms later; merged in time order
    import heapq
    step = 7000

    def stream(r):
        for rel, data, v, ci in base:
            yield rel + r * step, r, data, v, ci

    for ts, r, data, v, ci in heapq.merge(*(stream(r) for r in range(replicas)),
                                          key=lambda x: x[0]):
        d = bytearray(data)
        ipo, tcpo = v["ip"], v["tcp"]
        # every address a.b.c.d becomes 10+R/256.R%256.16*capture+c%16.d (the
        # same for both directions), and the sequence numbers move by R*7919
        for at in (ipo + 12, ipo + 16):
            d[at] = 10 + (r >> 8)
            d[at + 1] = r & 255
            d[at + 2] = (ci * 16 + (d[at + 2] & 15)) & 255
        d[ipo + 10:ipo + 12] = b"\0\0"
        d[ipo + 10:ipo + 12] = struct.pack(">H", ipsum(bytes(d[ipo:ipo + 20])))
        seq, ackn = struct.unpack(">II", d[tcpo + 4:tcpo + 12])
        struct.pack_into(">II", d, tcpo + 4, (seq + r * 7919) & 0xFFFFFFFF,
                         (ackn + r * 7919) & 0xFFFFFFFF if ackn else 0)
        w.put(T0 + ts, bytes(d))
    return w.close()


def gen_replay_loss(out, srcdir, replicas):
    """replay.pcap (generated beside out when missing) with 1% of its
    packets dropped by the repository's loss generator."""
    replay = os.path.join(os.path.dirname(out), "replay.pcap")
    if not os.path.exists(replay):
        gen_replay(replay, srcdir, replicas)
    subprocess.run([sys.executable, os.path.join(srcdir, "tools", "pcap-loss.py"),
                    replay, out, "--fraction", "0.01", "--seed", "1"], check=True)
    with open(out + ".loss.json") as f:
        return json.load(f)["packets_out"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--replicas", type=int, default=160)
    ap.add_argument("--srcdir", default=os.path.join(HERE, ".."))
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    random.seed(1)
    gens = {
        "unanswered": gen_unanswered, "connections": gen_connections,
        "gzip-bomb": gen_gzip_bomb, "huge-prefix": gen_huge_prefix, "tls": gen_tls,
        "ooo-flood": gen_ooo_flood, "partial-frames": gen_partial_frames,
        "replay": lambda o: gen_replay(o, a.srcdir, a.replicas),
        "replay-loss": lambda o: gen_replay_loss(o, a.srcdir, a.replicas),
    }
    for name, fn in gens.items():
        if a.only and name not in a.only:
            continue
        path = os.path.join(a.outdir, name + ".pcap")
        n = fn(path)
        print(f"{path}: {n} packets, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
