#!/usr/bin/env python3
"""pcap-loss.py - makes a lossy copy of a capture, as a busy capture host
would have written it: drops a seeded random fraction of the packets, or
whole bursts of consecutive packets, or both, and lists what it dropped.

    tools/pcap-loss.py IN.pcap OUT.pcap --fraction 0.001 --seed 1
    tools/pcap-loss.py IN.pcap OUT.pcap --bursts 3 --burst-len 20 --seed 7
    options: --payload-only (only TCP packets that carry payload are
             candidates), --sidecar PATH (default OUT.pcap.loss.json)

The same input, options and seed always drop the same packets. --fraction
drops exactly round(fraction x candidates) packets chosen at random;
--bursts K --burst-len L drops K runs of L consecutive candidates (runs may
overlap). The sidecar JSON names each dropped packet: its frame number in
the input (1-based, as tshark counts), source and destination address and
port, TCP sequence number, flags and payload length (null for a packet that
is not unfragmented TCP). Reads pcap or pcapng; writes classic pcap.
Python standard library only (tests/pcapio.py).
"""
import argparse
import json
import os
import random
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
import pcapio  # noqa: E402


def endpoint(addr, port):
    fam = socket.AF_INET if len(addr) == 4 else socket.AF_INET6
    text = socket.inet_ntop(fam, addr)
    return ("%s:%d" if fam == socket.AF_INET else "[%s]:%d") % (text, port)


def describe(frame, pkt):
    """The sidecar entry of one dropped packet."""
    v = pcapio.tcp_view(pkt)
    if v is None:
        return {"frame": frame, "src": None, "dst": None, "seq": None,
                "flags": None, "payload_len": None}
    return {"frame": frame, "src": endpoint(*v["src"]),
            "dst": endpoint(*v["dst"]), "seq": v["seq"], "flags": v["flags"],
            "payload_len": v["end"] - v["payload"]}


def carries_payload(pkt):
    v = pcapio.tcp_view(pkt)
    return v is not None and v["end"] > v["payload"]


def choose(packets, fraction, bursts, burst_len, seed, payload_only):
    """The sorted indexes (0-based) of the packets to drop."""
    rng = random.Random(seed)
    cands = [i for i, p in enumerate(packets)
             if not payload_only or carries_payload(p)]
    drop = set()
    if fraction:
        drop.update(rng.sample(cands, min(len(cands),
                                          round(fraction * len(cands)))))
    if bursts and cands:
        last_start = max(len(cands) - burst_len, 0)
        for _ in range(bursts):
            s = rng.randint(0, last_start)
            drop.update(cands[s:s + burst_len])
    return sorted(drop)


def main():
    ap = argparse.ArgumentParser(
        description="Drop a seeded random fraction or bursts of packets.")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--fraction", type=float, default=0.0)
    ap.add_argument("--bursts", type=int, default=0)
    ap.add_argument("--burst-len", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--payload-only", action="store_true")
    ap.add_argument("--sidecar")
    a = ap.parse_args()
    if not 0 <= a.fraction <= 1 or a.bursts < 0 or a.burst_len < 1:
        ap.error("--fraction in [0, 1], --bursts >= 0, --burst-len >= 1")

    packets = pcapio.read(a.input)
    if len({p["linktype"] for p in packets}) > 1:
        sys.exit("pcap-loss: packets of several link types")
    drop = choose(packets, a.fraction, a.bursts, a.burst_len, a.seed,
                  a.payload_only)
    dropped = set(drop)
    kept = [p for i, p in enumerate(packets) if i not in dropped]
    pcapio.write(a.output, kept,
                 packets[0]["linktype"] if packets else None)
    side = {
        "source": os.path.basename(a.input),
        "output": os.path.basename(a.output),
        "seed": a.seed, "fraction": a.fraction, "bursts": a.bursts,
        "burst_len": a.burst_len if a.bursts else None,
        "payload_only": a.payload_only,
        "packets_in": len(packets), "packets_out": len(kept),
        "dropped": [describe(i + 1, packets[i]) for i in drop],
    }
    with open(a.sidecar or a.output + ".loss.json", "w") as f:
        head = json.dumps({k: v for k, v in side.items() if k != "dropped"},
                          indent=1)
        f.write(head[:-2] + ',\n "dropped": [')
        f.write(",".join("\n  " + json.dumps(d) for d in side["dropped"]))
        f.write("\n ]\n}\n")
    print("pcap-loss: dropped %d of %d packets" % (len(drop), len(packets)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
