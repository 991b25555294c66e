"""pcapio.py - reading and writing capture files with the Python standard
library only: classic pcap (either byte order, micro- or nanosecond) and
pcapng (section, interface, enhanced and simple packet blocks), and the
link/IP/TCP layout of each packet, for the tools that rewrite captures
(tests/segment_rewrite.py, fuzz/make-corpus.py, bench/gen-inputs.py).

A packet is a dict: ts_us, linktype, data (captured bytes), wirelen.
tcp_view(pkt) finds the IP and TCP headers: offsets and fields, or None.
"""
import struct

LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP = 0, 1, 101, 108
LINKTYPE_SLL, LINKTYPE_SLL2 = 113, 276


def read(path):
    """Returns the list of packets of a pcap or pcapng file."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:4] == b"\x0a\x0d\x0d\x0a":
        return _read_pcapng(blob)
    return _read_pcap(blob)


def _read_pcap(blob):
    magic = blob[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("not a pcap file")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", blob[20:24])[0] & 0x0FFFFFFF
    pos, out = 24, []
    while pos + 16 <= len(blob):
        sec, frac, incl, orig = struct.unpack(e + "IIII", blob[pos:pos + 16])
        pos += 16
        data = blob[pos:pos + incl]
        pos += incl
        if len(data) < incl:
            break
        us = frac // 1000 if nano else frac
        out.append({"ts_us": sec * 1000000 + us, "linktype": linktype,
                    "data": data, "wirelen": orig})
    return out


def _read_pcapng(blob):
    pos, out, e, ifaces = 0, [], "<", []
    while pos + 12 <= len(blob):
        btype = struct.unpack(e + "I", blob[pos:pos + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = blob[pos + 8:pos + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", blob[pos + 4:pos + 8])[0]
        body = blob[pos + 8:pos + blen - 4]
        if blen < 12:
            break
        if btype == 1:
            lt = struct.unpack(e + "H", body[:2])[0]
            tsres = 6
            opts = body[8:]
            while len(opts) >= 4:
                code, olen = struct.unpack(e + "HH", opts[:4])
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    tsres = opts[4]
                opts = opts[4 + ((olen + 3) & ~3):]
            ifaces.append((lt, tsres))
        elif btype == 6:
            iface, hi, lo, cap, orig = struct.unpack(e + "IIIII", body[:20])
            lt, tsres = ifaces[iface]
            ts = (hi << 32) | lo
            if tsres & 0x80:
                us = ts * 1000000 // (2 ** (tsres & 0x7F))
            else:
                us = ts * 1000000 // (10 ** tsres)
            out.append({"ts_us": us, "linktype": lt, "data": body[20:20 + cap],
                        "wirelen": orig})
        elif btype == 3:
            orig = struct.unpack(e + "I", body[:4])[0]
            lt, _ = ifaces[0]
            out.append({"ts_us": 0, "linktype": lt, "data": body[4:4 + orig],
                        "wirelen": orig})
        pos += blen
    return out


def write(path, packets, linktype=None, snaplen=262144):
    """Writes a classic little-endian microsecond pcap; every packet must
    share one link type."""
    if linktype is None:
        linktype = packets[0]["linktype"] if packets else LINKTYPE_ETHERNET
    with open(path, "wb") as f:
        write_to(f, packets, linktype, snaplen)


def write_to(f, packets, linktype=None, snaplen=262144):
    """The same, to an open binary file."""
    if linktype is None:
        linktype = packets[0]["linktype"] if packets else LINKTYPE_ETHERNET
    f.write(header(linktype, snaplen))
    for p in packets:
        f.write(record(p["ts_us"], p["data"], p.get("wirelen", len(p["data"]))))


def header(linktype, snaplen=262144):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def record(ts_us, data, wirelen=None):
    if wirelen is None:
        wirelen = len(data)
    return struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, len(data),
                       max(wirelen, len(data))) + data


def _l3_offset(linktype, d):
    """Offset of the IP header and its version, or None."""
    if linktype == LINKTYPE_ETHERNET:
        off = 12
        while off + 2 <= len(d):
            et = struct.unpack(">H", d[off:off + 2])[0]
            if et in (0x8100, 0x88A8):
                off += 4
                continue
            off += 2
            if et == 0x0800:
                return off, 4
            if et == 0x86DD:
                return off, 6
            return None
        return None
    if linktype == LINKTYPE_RAW:
        return (0, d[0] >> 4) if d else None
    if linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        return (4, d[4] >> 4) if len(d) > 4 else None
    if linktype == LINKTYPE_SLL:
        return (16, d[16] >> 4) if len(d) > 16 else None
    if linktype == LINKTYPE_SLL2:
        return (20, d[20] >> 4) if len(d) > 20 else None
    return None


def tcp_view(pkt):
    """For an unfragmented IPv4/IPv6 TCP packet captured whole: a dict with
    ip (offset), ipver, tcp (offset), payload (offset), end (end of the IP
    datagram), src, dst (address bytes, port), seq, flags; else None."""
    d = pkt["data"]
    l3 = _l3_offset(pkt["linktype"], d)
    if l3 is None:
        return None
    ip, ver = l3
    if ver == 4:
        if len(d) < ip + 20:
            return None
        ihl = (d[ip] & 15) * 4
        total = struct.unpack(">H", d[ip + 2:ip + 4])[0]
        frag = struct.unpack(">H", d[ip + 6:ip + 8])[0]
        if d[ip + 9] != 6 or frag & 0x3FFF or total < ihl:
            return None
        tcp, end = ip + ihl, ip + total
        saddr, daddr = d[ip + 12:ip + 16], d[ip + 16:ip + 20]
    elif ver == 6:
        if len(d) < ip + 40 or d[ip + 6] != 6:
            return None
        tcp, end = ip + 40, ip + 40 + struct.unpack(">H", d[ip + 4:ip + 6])[0]
        saddr, daddr = d[ip + 8:ip + 24], d[ip + 24:ip + 40]
    else:
        return None
    if end > len(d) or len(d) < tcp + 20:
        return None                 # cut by the snap length
    sport, dport, seq = struct.unpack(">HHI", d[tcp:tcp + 8])
    doff = (d[tcp + 12] >> 4) * 4
    if tcp + doff > end:
        return None
    return {"ip": ip, "ipver": ver, "tcp": tcp, "payload": tcp + doff, "end": end,
            "src": (saddr, sport), "dst": (daddr, dport), "seq": seq,
            "flags": d[tcp + 13]}


def rebuild(pkt, view, seq, payload, flags=None):
    """A copy of a TCP packet with another sequence number and payload (IP
    length fields adjusted, IPv4 header checksum recomputed; the TCP
    checksum is left as it was: kafkatap does not verify it)."""
    d = bytearray(pkt["data"][:view["payload"]])
    ip, tcp = view["ip"], view["tcp"]
    if view["ipver"] == 4:
        struct.pack_into(">H", d, ip + 2, view["payload"] - ip + len(payload))
        struct.pack_into(">H", d, ip + 10, 0)
        ihl = (d[ip] & 15) * 4
        s = sum(struct.unpack(">%dH" % (ihl // 2), bytes(d[ip:ip + ihl])))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        struct.pack_into(">H", d, ip + 10, ~s & 0xFFFF)
    else:
        struct.pack_into(">H", d, ip + 4, view["payload"] - tcp + len(payload))
    struct.pack_into(">I", d, tcp + 4, seq & 0xFFFFFFFF)
    if flags is not None:
        d[tcp + 13] = flags
    out = bytes(d) + bytes(payload)
    return {"ts_us": pkt["ts_us"], "linktype": pkt["linktype"], "data": out,
            "wirelen": len(out)}
