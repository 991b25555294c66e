#!/usr/bin/env python3
"""make-synthetic.py - writes synthetic.pcap (Ethernet) with the packet
shapes the third-party captures lack, for test_decode_link.c:
  1-3  one IPv4 TCP segment (3000 payload bytes) in three fragments, sent
       out of order (2, 1, 3), IP checksums left zero (as with offload);
  4    an IPv4 TCP segment of 100 payload bytes cut to 50 by the snap length;
  5    IPv6 TCP with hop-by-hop and destination-options headers, 5 bytes;
  6    the first fragment of a fragmented IPv6 datagram;
  7    IPv4 TCP in QinQ (802.1ad outer, 802.1Q inner tag), 7 bytes;
  8    IPv4 TCP with 12 bytes of Ethernet padding after a 1-byte payload.
Expected values in the test come from tshark's reading of this file.
Usage: make-synthetic.py OUTPUT.pcap"""
import struct, sys

def eth(payload, etype=0x0800, tags=()):
    h = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01'
    for tpid, vid in tags:
        h += struct.pack('>HH', tpid, vid)
    return h + struct.pack('>H', etype) + payload

def tcp(sport, dport, seq, ack, flags, payload, opts=b''):
    off = (20 + len(opts)) // 4
    return struct.pack('>HHIIBBHHH', sport, dport, seq, ack, off << 4, flags,
                       65535, 0, 0) + opts + payload

def ipv4(src, dst, payload, ident=1, frag=0, total=None, proto=6):
    total = total if total is not None else 20 + len(payload)
    return struct.pack('>BBHHHBBH4s4s', 0x45, 0, total, ident, frag, 64, proto,
                       0, bytes(src), bytes(dst)) + payload

def ipv6(src, dst, nh, payload):
    return struct.pack('>IHBB16s16s', 6 << 28, len(payload), nh, 64,
                       bytes(src), bytes(dst)) + payload

A4, B4 = [192, 0, 2, 1], [192, 0, 2, 2]
A6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
B6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2]
pkts = []   # (data, wire length)

body = bytes((i * 7 + 3) & 0xff for i in range(3000))
seg = tcp(40001, 9092, 1000, 2000, 0x18, body)          # 3020 bytes
frags = [(0, seg[0:1480], 1), (1480, seg[1480:2960], 1), (2960, seg[2960:], 0)]
ip_frags = [ipv4(A4, B4, d, ident=0x4242, frag=(mf << 13) | (off // 8)) for off, d, mf in frags]
for i in (1, 0, 2):
    f = eth(ip_frags[i])
    pkts.append((f, len(f)))

full = eth(ipv4(A4, B4, tcp(40001, 9092, 4020, 2000, 0x18, bytes(range(100)))))
pkts.append((full[:14 + 20 + 20 + 50], len(full)))

hbh = bytes([60, 0]) + b'\x01\x04\x00\x00\x00\x00'      # next: dest opts, PadN
dst = bytes([6, 0]) + b'\x01\x04\x00\x00\x00\x00'       # next: TCP
f = eth(ipv6(A6, B6, 0, hbh + dst + tcp(40002, 9092, 77, 88, 0x18, b'hello')), 0x86dd)
pkts.append((f, len(f)))

frag6 = struct.pack('>BBHI', 6, 0, 1, 0x1234)            # offset 0, M=1
f = eth(ipv6(A6, B6, 44, frag6 + tcp(40003, 9092, 5, 6, 0x18, b'x' * 16)), 0x86dd)
pkts.append((f, len(f)))

f = eth(ipv4(A4, B4, tcp(40004, 9092, 9, 10, 0x18, b'qinqabc')), 0x0800,
        tags=((0x88a8, 100), (0x8100, 200)))
pkts.append((f, len(f)))

f = eth(ipv4(A4, B4, tcp(40005, 9092, 11, 12, 0x18, b'z'))) + b'\x00' * 12
pkts.append((f, len(f)))

with open(sys.argv[1], 'wb') as out:
    out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, (data, wire) in enumerate(pkts):
        out.write(struct.pack('<IIII', 1700000000, i * 1000, len(data), wire))
        out.write(data)
