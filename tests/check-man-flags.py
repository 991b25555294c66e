#!/usr/bin/env python3
"""The man page documents every flag: each option --help lists (and each of
kafkatap merge --help) is an entry of man/kafkatap.1 (a .B/.BI/.BR line
naming it), so a flag added to the options table without its man page
text fails here."""
import os
import re
import subprocess
import sys

srcdir = os.environ.get("srcdir", ".")
kafkatap = os.environ.get("KAFKATAP", "./kafkatap")


def flags(args):
    out = subprocess.run([kafkatap] + args, capture_output=True, text=True).stdout
    return sorted(set(re.findall(r"^  (?:-[a-zA-Z], )?(--?[a-zA-Z][\w-]*)", out, re.M)) |
                  set(re.findall(r"^  (-[a-zA-Z])\b", out, re.M)))


with open(os.path.join(srcdir, "man", "kafkatap.1"), encoding="utf-8") as f:
    man = f.read().replace("\\-", "-")
entries = set()
for line in man.splitlines():
    if re.match(r"^\.(B|BI|BR|IR|TP)\b", line):
        entries.update(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", line))
missing = [f for f in flags(["--help"]) + flags(["merge", "--help"]) if f not in entries]
for f in missing:
    print("FAIL: %s is in --help but has no entry in man/kafkatap.1" % f)
n = len(flags(["--help"])) + len(flags(["merge", "--help"]))
print("%d flags checked, %d missing" % (n, len(missing)))
sys.exit(1 if missing or n < 40 else 0)
