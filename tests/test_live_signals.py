#!/usr/bin/env python3
"""test_live_signals.py - a live capture is prompt and unprivileged.

Started as root on the loopback interface with a filter no packet matches
(so it is idle for its whole life), kafkatap must:
  - give up root and every capability once the capture is open: the
    kernel's own view (/proc/PID/status) shows the uid of nobody (or of the
    -Z user), empty effective, permitted, bounding and ambient capability
    sets, and no_new_privs;
  - print a report at once on SIGUSR1;
  - end within a second of SIGINT or SIGTERM, with the final report on
    standard output and tcpdump's "packets captured / received by filter /
    dropped by kernel" lines on standard error.
Skips (77) when not root or when the loopback interface cannot be captured.
"""
import os
import pwd
import signal
import subprocess
import sys
import tempfile
import time

KAFKATAP = os.environ.get("KAFKATAP", "./kafkatap")
IDLE_FILTER = "tcp port 1 and host 127.0.0.254"


def status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.split()
    return fields


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def run_case(user, sig, failures):
    want_uid = pwd.getpwnam(user or "nobody").pw_uid
    args = [KAFKATAP, "-i", "lo"] + (["-Z", user] if user else []) + [IDLE_FILTER]
    name = " ".join(args[1:])
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(args, stdout=out, stderr=err)
        try:
            dropped = wait_for(lambda: p.poll() is not None or
                               status(p.pid)["Uid"][0] != "0", 10)
            if p.poll() is not None:
                err.seek(0)
                msg = err.read()
                if "cannot capture" in msg or "permission" in msg:
                    print("SKIP: cannot capture on lo:", msg.strip())
                    sys.exit(77)
                failures.append("%s: exited early: %s" % (name, msg.strip()))
                return
            st = status(p.pid)
            if not dropped or st["Uid"] != [str(want_uid)] * 4:
                failures.append("%s: Uid %s, want %d" % (name, st["Uid"], want_uid))
            for cap in ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"):
                if int(st[cap][0], 16) != 0:
                    failures.append("%s: %s %s while parsing" % (name, cap, st[cap][0]))
            if st.get("NoNewPrivs") != ["1"]:
                failures.append("%s: NoNewPrivs %s" % (name, st.get("NoNewPrivs")))
            if int(st["Gid"][0]) != pwd.getpwnam(user or "nobody").pw_gid:
                failures.append("%s: Gid %s" % (name, st["Gid"]))

            time.sleep(0.5)
            p.send_signal(signal.SIGUSR1)

            def reports():
                out.seek(0)
                return out.read().count("kafkatap report")
            if not wait_for(lambda: reports() >= 1, 1.0):
                failures.append("%s: no report within 1 s of SIGUSR1" % name)

            time.sleep(0.5)
            t0 = time.monotonic()
            p.send_signal(sig)
            try:
                rc = p.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                failures.append("%s: still running 1 s after %s" % (name, sig.name))
                return
            took = time.monotonic() - t0
            out.seek(0)
            text = out.read()
            err.seek(0)
            etext = err.read()
            if rc != 0:
                failures.append("%s: exit status %d after %s" % (name, rc, sig.name))
            if text.count("kafkatap report: interface lo") != 1 or \
                    text.count("kafkatap report (so far): interface lo") != 1:
                failures.append("%s: want one interim and one final report, got:\n%s"
                                % (name, text))
            for line in ("0 packets captured", "packets received by filter",
                         "packets dropped by kernel"):
                if line not in etext:
                    failures.append("%s: no '%s' on stderr: %r" % (name, line, etext))
            print("ok: %s: %s ended it in %.3f s" % (name, sig.name, took))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root to capture on lo and to drop privileges")
        return 77
    failures = []
    run_case(None, signal.SIGINT, failures)
    other = next((u for u in ("daemon", "bin") if u in {p.pw_name for p in pwd.getpwall()}), None)
    run_case(other, signal.SIGTERM, failures)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
