#!/usr/bin/env python3
"""live.py - live benchmarks: kafkatap capturing on an interface while
tcpreplay replays real Kafka traffic into it.

The bench creates a network namespace with a veth pair and no addresses:
tcpreplay sends on one end, kafkatap captures on the other (`-i`), and the
kernel drops the packets after the capture (no address is theirs, so no
stack answers them with resets).  The traffic is pcaps/load.pcap (real
librdkafka clients, 5,276 packets, 22 connections that open and close)
copied --copies times, each copy on its own address (10.77.N.N for both
ends, so its 22 connections and 3 brokers are new), and looped by tcpreplay
(a copy's connections have closed before the loop comes back to them).
(tcpreplay's own --unique-ip did not give new connections here: kafkatap
saw the same 22 again and again, their sequence numbers out of order.)

  1. Rising rates: the same number of seconds of traffic at each packet
     rate (--pps) until the kernel drops packets or tcpreplay cannot keep
     the rate; reports the highest rate with zero kernel drops at the
     default buffer (kafkatap's "packets dropped by kernel" on stderr).
  2. Memory over a long run: kafkatap -I 5 on a short run and on a long
     one of the same rate (many short-lived connections); VmRSS at the end
     of each must be within 10%.

Needs root (network namespace), iproute2 and tcpreplay (Debian package
tcpreplay); skips with a message (exit 0) otherwise.  Not part of make
check.
Usage: live.py [--kafkatap PATH] [--srcdir DIR] [--seconds S]
               [--long-seconds S] [--rss-pps N] [--rates N,N,...]
"""
import argparse
import tempfile
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import pcapio  # noqa: E402


class Netns:
    def __init__(self):
        self.name = "kt-bench-%d" % os.getpid()

    def __enter__(self):
        sh = lambda *a: subprocess.run(a, check=True)
        sh("ip", "netns", "add", self.name)
        try:
            self.run("ip", "link", "add", "ktb0", "type", "veth", "peer", "name", "ktb1")
            for dev in ("ktb0", "ktb1"):
                self.run("sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % dev)
                # load.pcap was recorded on lo: segments up to 64 KiB
                self.run("ip", "link", "set", dev, "mtu", "65535", "up")
            self.run("ip", "link", "set", "lo", "up")
        except Exception:
            self.__exit__()
            raise
        return self

    def cmd(self, *args):
        return ["ip", "netns", "exec", self.name] + list(args)

    def run(self, *args, **kw):
        return subprocess.run(self.cmd(*args), check=True, **kw)

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.name])


def make_traffic(src, dst, copies):
    """copies of capture src, copy i with both addresses 10.77.i/256.i%256:
    returns the number of packets written."""
    pkts = pcapio.read(src)
    out = []
    for i in range(copies):
        addr = bytes([10, 77, i >> 8, i & 255])
        for p in pkts:
            v = pcapio.tcp_view(p)
            if v is None or v["ipver"] != 4:
                continue
            d = bytearray(p["data"])
            d[v["ip"] + 12:v["ip"] + 16] = addr
            d[v["ip"] + 16:v["ip"] + 20] = addr
            q = dict(p, data=bytes(d))
            out.append(pcapio.rebuild(q, v, v["seq"], q["data"][v["payload"]:v["end"]]))
    pcapio.write(dst, out)
    return len(out)


def vmrss_kib(pid):
    """VmRSS and VmHWM of the process whose pid is given, in KiB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def live_run(ns, a, pps, seconds, interval=None):
    """kafkatap on ktb1 while tcpreplay sends `seconds` of load.pcap at pps.
    Returns a dict: sent, rated_pps, captured, dropped, rss (KiB at the
    end of the traffic), hwm."""
    args = [a.kafkatap, "-i", "ktb1"]
    if interval:
        args += ["-I", str(interval)]
    else:
        args += ["--json"]
    k = subprocess.Popen(ns.cmd(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(1.5)                     # the capture is open
    n = int(pps * seconds)
    r = subprocess.run(ns.cmd("tcpreplay", "-i", "ktb0", "--pps=%d" % pps, "--preload-pcap",
                              "--loop=%d" % (n // a.packets + 1), "--limit=%d" % n, a.traffic),
                       capture_output=True, text=True)
    time.sleep(1.0)                     # kafkatap drains its buffer
    mem = vmrss_kib(k.pid)     # `ip netns exec` execs kafkatap: same pid
    k.send_signal(signal.SIGINT)
    _, err = k.communicate(timeout=60)
    res = {"rss": mem.get("VmRSS", 0), "hwm": mem.get("VmHWM", 0)}
    m = re.search(r"Actual: (\d+) packets", r.stdout)
    res["sent"] = int(m.group(1)) if m else 0
    m = re.search(r"Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps", r.stdout)
    res["rated_pps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) packets? captured", err)
    res["captured"] = int(m.group(1)) if m else -1
    m = re.search(r"(\d+) packets? dropped by kernel", err)
    res["dropped"] = int(m.group(1)) if m else -1
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kafkatap", default="./kafkatap")
    ap.add_argument("--srcdir", default=os.path.join(HERE, ".."))
    ap.add_argument("--seconds", type=float, default=5, help="traffic per rate step")
    ap.add_argument("--rates", default="5000,10000,20000,40000,60000,80000,100000,120000,160000,320000")
    ap.add_argument("--rss-pps", type=int, default=10000)
    ap.add_argument("--short-seconds", type=float, default=10)
    ap.add_argument("--long-seconds", type=float, default=70)
    ap.add_argument("--copies", type=int, default=20)
    a = ap.parse_args()
    a.kafkatap = os.path.abspath(a.kafkatap)
    if os.geteuid() != 0:
        print("live benchmarks skipped: they need root (a network namespace and a live capture)")
        return 0
    for tool in ("ip", "tcpreplay"):
        if not shutil.which(tool):
            print("live benchmarks skipped: no %s (Debian package %s)" %
                  (tool, "iproute2" if tool == "ip" else tool))
            return 0
    bad = 0
    tmp = tempfile.TemporaryDirectory()
    a.traffic = os.path.join(tmp.name, "traffic.pcap")
    a.packets = make_traffic(os.path.join(a.srcdir, "pcaps", "load.pcap"), a.traffic, a.copies)
    with Netns() as ns:
        print("rising rates: %g s per step of %d copies of pcaps/load.pcap (%d packets, "
              "%d connections), default buffer" % (a.seconds, a.copies, a.packets, 22 * a.copies))
        print(f"{'target pps':>10} {'sent pps':>9} {'sent':>8} {'captured':>9} {'dropped':>8}")
        best = 0
        for pps in (int(x) for x in a.rates.split(",")):
            r = live_run(ns, a, pps, a.seconds)
            print(f"{pps:10d} {r['rated_pps']:9.0f} {r['sent']:8d} {r['captured']:9d} "
                  f"{r['dropped']:8d}")
            if r["dropped"] != 0:
                break
            best = max(best, r["rated_pps"])
            if r["rated_pps"] < 0.9 * pps:
                print("  tcpreplay could not keep the rate: the sender is the limit")
                break
        print("highest rate with zero kernel drops: %.0f packets/s" % best)

        print("memory: -I 5 at %d pps, %g s vs %g s of traffic (%d short-lived connections "
              "a second)" % (a.rss_pps, a.short_seconds, a.long_seconds,
                              a.rss_pps * 22 * a.copies // a.packets))
        short = live_run(ns, a, a.rss_pps, a.short_seconds, interval=5)
        long_ = live_run(ns, a, a.rss_pps, a.long_seconds, interval=5)
        for name, r in (("short", short), ("long", long_)):
            print(f"  {name:5} sent {r['sent']:8d} captured {r['captured']:8d} dropped "
                  f"{r['dropped']:6d}  VmRSS {r['rss'] / 1024:6.1f} MiB  VmHWM "
                  f"{r['hwm'] / 1024:6.1f} MiB")
        ratio = long_["rss"] / short["rss"] if short["rss"] else 0
        ok = 0.9 <= ratio <= 1.1
        bad += not ok
        print("  long / short VmRSS = %.3f: %s" % (ratio, "ok (within 10%)" if ok else "MISSED"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
