#!/usr/bin/env python3
"""test_rotate.py - tcpdump's rotation of the -w file (-C, -G, -W) against
independent truth: capinfos' packet counts, tshark's frame times and
lengths, mergecap, tests/pcapio.py (a reader independent of libpcap) and,
when installed, tcpdump's own pieces of the same capture.

  - -C 1 on pcaps/load.pcap (2.9 MB) and pcaps/kafka/batching.pcap
    (1.06 MB): pieces FILE, FILE1, FILE2...; every piece but the last has
    passed 1,000,000 bytes and was under it before its last packet; the
    pieces' packet counts (capinfos) add up to the input's; mergecap -a of
    the pieces lists the input's frame times and lengths (tshark); each
    piece reads in tshark without error; kafkatap -r on the pieces gives
    the input's --json report (apart from source, inputs and gaps); the
    pieces are byte for byte tcpdump -C 1's;
  - -C 1 -W 2: a ring, only FILE0 and FILE1 exist and hold the last two
    pieces (tcpdump's ring, byte for byte);
  - -G 2 with a strftime name (TZ=UTC): files named by the packets' time,
    a new one at the first packet 2 s or more after the current file's
    start; the counts of each file and their sum; -G 1 -W 2 stops after
    two files and reports only their packets; -G with -C numbers the
    pieces of each period;
  - privileges: as root the pieces belong to the -Z user (nobody), and a
    directory that user cannot write is refused before any packet, with
    no file left behind;
  - live, as root on lo: -G 1 cuts a capture of UDP datagrams sent 10 a
    second into files of the wall clock's seconds, all valid, holding every
    packet captured.
Exits 77 (skipped) when capinfos, mergecap or tshark is missing.
"""
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcapio  # noqa: E402

SRCDIR = os.environ.get("srcdir", os.path.join(HERE, ".."))
KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
IGNORED = ("source", "inputs", "gaps")
MILLION = 1000000
ROOT = os.geteuid() == 0

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args, ok=True, env=None):
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if ok and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def kafkatap(args, ok=True, env=None):
    return run([KAFKATAP] + args, ok, env)


def report(args):
    return json.loads(kafkatap(args + ["--json", "-q"]).stdout)


def without_inputs(rep):
    return {k: v for k, v in rep.items() if k not in IGNORED}


def capinfos_count(path):
    out = run(["capinfos", "-c", "-M", "-T", "-r", path]).stdout.split()
    return int(out[-1])


def tshark_frames(path):
    out = run(["tshark", "-n", "-r", path, "-T", "fields",
               "-e", "frame.time_epoch", "-e", "frame.len"]).stdout
    return out.splitlines()


def pieces_of(base):
    """FILE, FILE1, FILE2... in tcpdump's order."""
    out, i = [], 0
    while True:
        name = base if i == 0 else "%s%d" % (base, i)
        if not os.path.exists(name):
            return out
        out.append(name)
        i += 1


def piece_sizes_ok(pieces, limit):
    """Every piece but the last passed the limit (that is why it was
    closed); every piece was at most the limit before its last packet."""
    for i, p in enumerate(pieces):
        size = os.path.getsize(p)
        pkts = pcapio.read(p)
        last = 16 + len(pkts[-1]["data"]) if pkts else 0
        if size - last > limit:
            return "%s: %d bytes before its last packet" % (p, size - last)
        if i < len(pieces) - 1 and size <= limit:
            return "%s: closed at %d bytes, not past %d" % (p, size, limit)
    return ""


def tcpdump_pieces(capture, tmp, name, extra):
    """tcpdump's own rotation of the same file, or None without tcpdump."""
    if not shutil.which("tcpdump"):
        return None
    out = os.path.join(tmp, name)
    run(["tcpdump", "-r", capture, "-w", out] + (["-Z", "root"] if ROOT else [])
        + extra)
    return out


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def test_size(tmp, capture):
    name = os.path.basename(capture)
    base = os.path.join(tmp, name + "-C1.pcap")
    whole = report(["-r", capture])
    rep = report(["-r", capture, "-w", base, "-C", "1"])
    check(without_inputs(rep) == without_inputs(whole),
          "%s: -C does not change the report" % name)
    pieces = pieces_of(base)
    want_pieces = (os.path.getsize(capture) - 24) // MILLION + 1
    check(len(pieces) >= 2 and len(pieces) in (want_pieces, want_pieces + 1),
          "%s -C 1: %d pieces for %d bytes" % (name, len(pieces), os.path.getsize(capture)))
    check(not glob.glob(base + "0"), "%s -C 1: no FILE0 without -W" % name)
    why = piece_sizes_ok(pieces, MILLION)
    check(not why, "%s -C 1: each piece within 1,000,000 bytes plus one packet %s"
          % (name, why))
    counts = [capinfos_count(p) for p in pieces]
    check(sum(counts) == capinfos_count(capture),
          "%s -C 1: packets of the pieces %s add up to the input's %d"
          % (name, counts, capinfos_count(capture)))
    merged = os.path.join(tmp, name + "-merged.pcap")
    run(["mergecap", "-a", "-F", "pcap", "-w", merged] + pieces)
    check(tshark_frames(merged) == tshark_frames(capture),
          "%s -C 1: mergecap -a of the pieces has the input's frame times and "
          "lengths" % name)
    for p in pieces:
        r = run(["tshark", "-n", "-q", "-r", p], ok=False)
        errs = [e for e in r.stderr.splitlines() if not e.startswith("Running as user")]
        check(r.returncode == 0 and not errs,
              "%s reads in tshark %s" % (os.path.basename(p), " ".join(errs)[:200]))
    again = report(["-r", base + "*"])
    check(without_inputs(again) == without_inputs(whole),
          "%s: kafkatap -r on the pieces gives the input's --json report" % name)
    check(len(again["inputs"]) == len(pieces) and again["gaps"] == [],
          "%s: the pieces read as %d inputs, no gap" % (name, len(pieces)))
    td = tcpdump_pieces(capture, tmp, name + "-td.pcap", ["-C", "1"])
    if td:
        tdp = pieces_of(td)
        check(len(tdp) == len(pieces) and all(map(same_bytes, tdp, pieces)),
              "%s -C 1: the pieces are tcpdump's, byte for byte" % name)
    return pieces


def test_ring(tmp, capture, pieces):
    base = os.path.join(tmp, "ring.pcap")
    kafkatap(["-r", capture, "-w", base, "-C", "1", "-W", "2", "-q"])
    made = sorted(os.listdir(tmp))
    made = [f for f in made if f.startswith("ring.pcap")]
    check(made == ["ring.pcap0", "ring.pcap1"],
          "-C 1 -W 2: only ring.pcap0 and ring.pcap1 exist (%s)" % made)
    # three pieces in a ring of two: the third overwrote the first
    n = len(pieces)
    want = {(n - 1) % 2: pieces[n - 1], (n - 2) % 2: pieces[n - 2]}
    check(all(pcapio.read(base + str(i)) == pcapio.read(p) for i, p in want.items()),
          "-C 1 -W 2: the ring holds the last two pieces")
    td = tcpdump_pieces(capture, tmp, "tdring.pcap", ["-C", "1", "-W", "2"])
    if td:
        check(all(same_bytes(td + s, base + s) for s in ("0", "1")),
              "-C 1 -W 2: the ring is tcpdump's, byte for byte")


def periods(packets, seconds):
    """The -G rule on the packets' time: a new file at the first packet
    `seconds` or more after the current file's start.  [(start, count)]"""
    out = []
    for p in packets:
        sec = p["ts_us"] // 1000000
        if not out or sec - out[-1][0] >= seconds:
            out.append([sec, 0])
        out[-1][1] += 1
    return out


def test_time(tmp, capture):
    env = dict(os.environ, TZ="UTC")
    packets = pcapio.read(capture)
    d = os.path.join(tmp, "G2")
    os.mkdir(d)
    os.chmod(d, 0o777)
    kafkatap(["-r", capture, "-w", os.path.join(d, "k-%Y%m%d-%H%M%S.pcap"),
              "-G", "2", "-q"], env=env)
    want = {time.strftime("k-%Y%m%d-%H%M%S.pcap", time.gmtime(s)): n
            for s, n in periods(packets, 2)}
    got = {f: capinfos_count(os.path.join(d, f)) for f in os.listdir(d)}
    check(len(want) >= 3 and got == want,
          "-G 2: files named by the packets' time, with their counts %s"
          % (got if got != want else sorted(got.items())))
    check(sum(got.values()) == capinfos_count(capture),
          "-G 2: the files' packets add up to the input's")

    d = os.path.join(tmp, "G1W2")
    os.mkdir(d)
    os.chmod(d, 0o777)
    r = kafkatap(["-r", capture, "-w", os.path.join(d, "k-%H%M%S.pcap"),
                  "-G", "1", "-W", "2", "--json"], env=env)
    first_two = periods(packets, 1)[:2]
    want = {time.strftime("k-%H%M%S.pcap", time.gmtime(s)): n for s, n in first_two}
    got = {f: capinfos_count(os.path.join(d, f)) for f in os.listdir(d)}
    check(got == want, "-G 1 -W 2: two files, then the capture stops %s" % got)
    check(json.loads(r.stdout)["capture"]["packets"] == sum(n for _, n in first_two),
          "-G 1 -W 2: the report counts the packets of those two files")
    check("maximum file limit reached: 2" in r.stderr, "-G 1 -W 2: says why it stopped")

    d = os.path.join(tmp, "G3C1")
    os.mkdir(d)
    os.chmod(d, 0o777)
    kafkatap(["-r", capture, "-w", os.path.join(d, "k-%H%M%S.pcap"),
              "-G", "3", "-C", "1", "-q"], env=env)
    names = sorted(os.listdir(d))
    starts = [time.strftime("k-%H%M%S.pcap", time.gmtime(s))
              for s, _ in periods(packets, 3)]
    check(set(starts) <= set(names) and any(n[-1].isdigit() for n in names) and
          all(n in starts or n.rstrip("0123456789") in starts for n in names),
          "-G 3 -C 1: FILE, FILE1... in each period %s" % names)
    check(sum(capinfos_count(os.path.join(d, f)) for f in names) == len(packets),
          "-G 3 -C 1: every packet in one file")


def test_privileges(tmp, capture):
    if not ROOT:
        print("skip privileges: not root")
        return
    nobody = pwd.getpwnam("nobody").pw_uid
    d = os.path.join(tmp, "open")
    os.mkdir(d)
    os.chmod(d, 0o777)
    kafkatap(["-r", capture, "-w", os.path.join(d, "p.pcap"), "-C", "1", "-q"])
    owners = {os.stat(os.path.join(d, f)).st_uid for f in os.listdir(d)}
    check(owners == {nobody}, "-C as root: every piece created by nobody (-Z)")
    d = os.path.join(tmp, "closed")
    os.mkdir(d)
    os.chmod(d, 0o755)
    for flags in (["-C", "1"], ["-G", "1"]):
        r = kafkatap(["-r", capture, "-w", os.path.join(d, "p.pcap")] + flags, ok=False)
        errs = [e for e in r.stderr.splitlines() if "warning" not in e]
        check(r.returncode == 1 and errs == ["kafkatap: cannot write in %s: Permission "
                                             "denied (kafkatap runs as nobody now, see -Z)" % d]
              and not r.stdout,
              "%s in a directory nobody cannot write: refused before reading (%s)"
              % (" ".join(flags), r.stderr.strip()))
    check(os.listdir(d) == [], "no file left behind")


def test_live(tmp):
    if not ROOT:
        print("skip live: not root")
        return
    d = os.path.join(tmp, "live")
    os.mkdir(d)
    os.chmod(d, 0o777)
    port = 40000 + os.getpid() % 20000
    proc = subprocess.Popen([KAFKATAP, "-i", "lo", "-w", os.path.join(d, "l-%s.pcap"),
                             "-G", "1", "--duration", "4", "udp port %d" % port],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(30):
        sock.sendto(b"x%d" % i, ("127.0.0.1", port))
        time.sleep(0.1)
    out, err = proc.communicate(timeout=30)
    if proc.returncode != 0 and "cannot capture" in err:
        print("skip live: " + err.strip())
        return
    files = sorted(os.listdir(d))
    counts = [capinfos_count(os.path.join(d, f)) for f in files]
    captured = [int(line.split()[0]) for line in err.splitlines()
                if line.endswith("packets captured")]
    check(proc.returncode == 0 and captured == [30], "live: 30 datagrams captured")
    check(len(files) >= 3 and sum(counts) == 30,
          "live -G 1: %d files %s hold the 30 datagrams" % (len(files), counts))
    secs = [int(f[2:-5]) for f in files]
    check(all(b - a >= 1 for a, b in zip(secs, secs[1:])),
          "live -G 1: files named by wall clock seconds at least 1 s apart %s" % secs)


def main():
    for tool in ("capinfos", "mergecap", "tshark"):
        if not shutil.which(tool):
            print("SKIP: %s not installed" % tool)
            return 77
    load = os.path.join(SRCDIR, "pcaps", "load.pcap")
    batching = os.path.join(SRCDIR, "pcaps", "kafka", "batching.pcap")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o777)     # as root, files are created by nobody
        pieces = test_size(tmp, load)
        test_size(tmp, batching)
        test_ring(tmp, load, pieces)
        test_time(tmp, load)
        test_privileges(tmp, load)
        test_live(tmp)
        r = kafkatap(["-r", load, "-C", "1"], ok=False)
        check(r.returncode == 2 and "-C rotates the -w file: give -w FILE too" in r.stderr,
              "-C without -w: a clear error")
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
