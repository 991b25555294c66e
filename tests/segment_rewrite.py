#!/usr/bin/env python3
"""segment_rewrite.py - rewrites a capture so that every TCP stream arrives
cut differently, with the same bytes (for tests/test_segmentation.py).

Usage: segment_rewrite.py MODE IN OUT [--seed N]   (OUT - for stdout)
  bytes    every payload byte in a segment of its own
  reorder  each segment cut into 2..12 pieces sent in a shuffled order (the
           first piece stays first in a mid-stream connection's first data
           segment of each direction: the stream starts where it is seen)
  overlap  each segment cut into pieces, with retransmissions of other
           boundaries that overlap what was sent before and what follows,
           and duplicates of earlier ranges
Every piece keeps the timestamp of the segment it came from, and the
segment's flags stay on the piece that ends it (so a FIN still comes after
the last byte); SYN segments, IP fragments and packets cut by the snap
length are copied unchanged.  The output is a classic pcap with the input's
link type (Python standard library only).
"""
import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapio  # noqa: E402

ACK = 0x10


def cuts(rng, n, k):
    """k pieces (at most n) of [0, n) as a sorted list of (start, end)."""
    k = max(1, min(k, n))
    pts = sorted(rng.sample(range(1, n), k - 1)) if k > 1 else []
    bounds = [0] + pts + [n]
    return [(bounds[i], bounds[i + 1]) for i in range(k)]


def rewrite(mode, packets, rng):
    out = []
    syn_seen, started = set(), set()
    for p in packets:
        v = pcapio.tcp_view(p)
        if v is not None and v["flags"] & 0x02:
            syn_seen.add(frozenset((v["src"], v["dst"])))
        if v is None or v["flags"] & 0x02:
            out.append(p)
            continue
        # A connection picked up mid-stream starts at the first byte seen:
        # its first data segment in each direction keeps its first piece
        # first (bytes before it would be taken for retransmissions).
        key = (v["src"], v["dst"])
        pin_first = (key not in started and v["end"] > v["payload"]
                     and frozenset(key) not in syn_seen)
        if v["end"] > v["payload"]:
            started.add(key)
        payload = p["data"][v["payload"]:v["end"]]
        n = len(payload)
        if n < 2:
            out.append(p)
            continue
        seq, flags = v["seq"], v["flags"]
        mid = (flags & ~0x0D) | ACK          # no FIN/RST/PSH on inner pieces

        def piece(a, b, last=False):
            return pcapio.rebuild(p, v, seq + a, payload[a:b], flags if last else mid)

        if mode == "bytes":
            one = piece(0, 1)               # every 1-byte piece shares its
            tmpl = bytearray(one["data"])   # headers: only seq differs
            at = v["tcp"] + 4
            for i in range(n - 1):
                struct.pack_into(">I", tmpl, at, (seq + i) & 0xFFFFFFFF)
                tmpl[-1] = payload[i]
                out.append({"ts_us": p["ts_us"], "linktype": p["linktype"],
                            "data": bytes(tmpl), "wirelen": len(tmpl)})
            out.append(piece(n - 1, n, True))
        elif mode == "reorder":
            ps = cuts(rng, n, rng.randint(2, 12))
            last = ps.pop()
            first = ps.pop(0) if pin_first and ps else None
            rng.shuffle(ps)
            if flags & 0x05:                 # FIN or RST: the end stays last
                ps.append(last)
            else:
                ps.insert(rng.randint(0, len(ps)), last)
            if first:
                ps.insert(0, first)
            out.extend(piece(a, b, b == n) for a, b in ps)
        elif mode == "overlap":
            ps = cuts(rng, n, rng.randint(2, 8))
            for i, (a, b) in enumerate(ps):
                out.append(piece(a, b, b == n and not flags & 0x05))
                if i + 1 < len(ps) and rng.random() < 0.6:
                    # a retransmission of other boundaries: from inside this
                    # piece into the next one (new bytes and old ones)
                    na, nb = ps[i + 1]
                    x = rng.randint(a, b - 1)
                    y = rng.randint(na, nb)
                    if y > x:
                        out.append(piece(x, y, False))
                if rng.random() < 0.3:
                    x = rng.randint(0, b - 1)     # a duplicate of old bytes
                    out.append(piece(x, rng.randint(x + 1, b), False))
            if flags & 0x05:
                out.append(piece(ps[-1][0], n, True))
        else:
            raise SystemExit(f"unknown mode {mode}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["bytes", "reorder", "overlap"])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    packets = pcapio.read(a.input)
    linktypes = {p["linktype"] for p in packets}
    if len(linktypes) > 1:
        raise SystemExit(f"{a.input}: more than one link type")
    out = rewrite(a.mode, packets, random.Random(a.seed))
    lt = linktypes.pop() if linktypes else None
    if a.output == "-":
        pcapio.write_to(sys.stdout.buffer, out, linktype=lt)
    else:
        pcapio.write(a.output, out, linktype=lt)


if __name__ == "__main__":
    main()
