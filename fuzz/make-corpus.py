#!/usr/bin/env python3
"""make-corpus.py - builds the fuzz targets' seed corpora from real captures.

Usage: make-corpus.py OUTDIR CAPTURE...   (writes OUTDIR/{frame,records,pipeline}/)

  pipeline/  each TCP connection of each capture as a conversation in
             fuzz_pipeline's chunk form (first 8 KiB of it), plus the small
             captures themselves (pcap/pcapng form);
  frame/     Kafka frames cut from the connections' byte streams: requests
             as they are, responses with the api key and version of the
             request they answer (at most two per api, version, direction);
  records/   the Records fields of Produce requests and Fetch responses,
             decoded with tests/kafkawire.py's independent schema walker,
             plus one legacy message set v1 with a gzip wrapper.
Needs only the Python standard library (and dissectors/schema/).
"""
import collections
import gzip
import hashlib
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import pcapio  # noqa: E402
import kafkawire as kw  # noqa: E402

MAX_SEED = 16384


def save(outdir, kind, blob):
    d = os.path.join(outdir, kind)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def connections(packets):
    """{conn key: [(dir, seq, flags, payload)]}; dir 0 = first sender."""
    conns = collections.OrderedDict()
    for p in packets:
        v = pcapio.tcp_view(p)
        if v is None:
            continue
        a, b = v["src"], v["dst"]
        key = (a, b) if (b, a) not in conns else (b, a)
        conns.setdefault(key, [])
        d = 0 if key == (a, b) else 1
        conns[key].append((d, v["seq"], v["flags"],
                           p["data"][v["payload"]:v["end"]], v["dst"][1]))
    return conns


def streams(segs):
    """Naive in-order byte streams per direction (retransmissions dropped)."""
    out = [bytearray(), bytearray()]
    nxt = [None, None]
    for d, seq, flags, pl, _ in segs:
        if not pl:
            continue
        if nxt[d] is not None and seq != nxt[d]:
            if (seq - nxt[d]) & 0x80000000:
                continue
        out[d] += pl
        nxt[d] = (seq + len(pl)) & 0xFFFFFFFF
    return out


def frames(buf):
    pos = 0
    while pos + 4 <= len(buf):
        n = struct.unpack(">i", buf[pos:pos + 4])[0]
        if n < 0 or pos + 4 + n > len(buf):
            return
        yield bytes(buf[pos + 4:pos + 4 + n])
        pos += 4 + n


def find_records(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "Records" and isinstance(v, (bytes, bytearray)) and v:
                out.append(bytes(v))
            else:
                find_records(v, out)
    elif isinstance(obj, list):
        for v in obj:
            find_records(v, out)


def legacy_gzip_set():
    def msg_v1(offset, value, attrs=0):
        body = struct.pack(">bbq", 1, attrs, 1700000000000) + struct.pack(">i", -1) \
            + struct.pack(">i", len(value)) + value
        m = struct.pack(">I", zlib.crc32(body)) + body
        return struct.pack(">qi", offset, len(m)) + m
    inner = b"".join(msg_v1(i, b"value-%d" % i) for i in range(3))
    return msg_v1(2, gzip.compress(inner), attrs=1)


def main():
    outdir, caps = sys.argv[1], sys.argv[2:]
    schema = kw.Schema(os.path.join(HERE, "..", "dissectors", "schema"))
    seen_frames = collections.Counter()
    nrec = 0
    for cap in caps:
        pkts = pcapio.read(cap)
        if os.path.getsize(cap) <= MAX_SEED:
            with open(cap, "rb") as f:
                save(outdir, "pipeline", f.read())
        for key, segs in connections(pkts).items():
            syn = any(f & 2 for _, _, f, _, _ in segs)
            broker = 1 if any(d == 0 and dp == 9092 for d, _, _, _, dp in segs) else 0
            blob = bytearray([(1 if syn else 0) | (2 if broker else 0)])
            for d, seq, flags, pl, _ in segs:
                while pl and len(blob) < MAX_SEED // 4:
                    piece, pl = pl[:255], pl[255:]
                    blob += bytes([d, len(piece)]) + piece
            if len(blob) > 1:
                save(outdir, "pipeline", bytes(blob))
            st = streams(segs)
            pending = {}
            for dr in (0, 1):
                for fr in frames(st[dr]):
                    if len(fr) < 8:
                        continue
                    k, v, corr = struct.unpack(">hhi", fr[:8])
                    if k in schema.requests and 0 <= v < 64:
                        pending[(1 - dr, corr)] = (k, v)
                        tag = (k, v, 0)
                        if seen_frames[tag] < 2 and len(fr) <= MAX_SEED:
                            seen_frames[tag] += 1
                            save(outdir, "frame", b"\x00" + struct.pack(">hh", k, v) + fr)
                        if k == 0:
                            try:
                                r = kw.Reader(fr, 8)
                                cl = r.fixed(">h")
                                if cl > 0:
                                    r.take(cl)
                                flex = schema.request_flexible(k, v)
                                if flex:
                                    kw.Walker({}, 0, True).struct(r, [])
                                msg = schema.requests[k]
                                body = kw.Walker(msg, v, flex).struct(r, msg["fields"])
                                recs = []
                                find_records(body, recs)
                                for rec in recs[:2]:
                                    if nrec < 40 and len(rec) <= MAX_SEED:
                                        nrec += 1
                                        save(outdir, "records", b"\x00" + rec)
                            except Exception:
                                pass
            for dr in (0, 1):
                for fr in frames(st[dr]):
                    if len(fr) < 4:
                        continue
                    corr = struct.unpack(">i", fr[:4])[0]
                    kv = pending.get((dr, corr))
                    if not kv:
                        continue
                    tag = (kv[0], kv[1], 1)
                    if seen_frames[tag] < 2 and len(fr) <= MAX_SEED:
                        seen_frames[tag] += 1
                        save(outdir, "frame", b"\x01" + struct.pack(">hh", *kv) + fr)
    save(outdir, "records", b"\x01" + legacy_gzip_set())
    save(outdir, "records", b"\x00" + legacy_gzip_set())


if __name__ == "__main__":
    main()
