#!/usr/bin/env python3
"""Every capture under pcaps/ and its truth file is in the distribution:
named by MOCK_CAPTURES (Makefile.am), KAFKA_CAPTURES
(tools/kafka-harness/harness.mk) or by its own path in an EXTRA_DIST line.
make distcheck runs the tests on the tarball, where a capture left out is
a test that cannot open its input; this finds it in the source tree."""
import glob
import os
import re
import sys

srcdir = os.environ.get("srcdir", ".")


def read(path):
    with open(os.path.join(srcdir, path), encoding="utf-8") as f:
        return f.read().replace("\\\n", " ")


def names(text, var):
    m = re.search(r"^%s\s*=\s*(.*)$" % var, text, re.M)
    return set(m.group(1).split()) if m else set()


make = read("Makefile.am")
harness = read("tools/kafka-harness/harness.mk")
stems = names(make, "MOCK_CAPTURES") | names(harness, "KAFKA_CAPTURES")
listed = set(re.findall(r"pcaps/[\w./-]+", make + harness))
missing = []
for path in sorted(glob.glob(os.path.join(srcdir, "pcaps", "**", "*.pcap"), recursive=True)):
    rel = os.path.relpath(path, srcdir)
    stem = rel[:-len(".pcap")]
    if stem in stems:
        continue
    if rel not in listed:
        missing.append(rel)
    truth = stem + ".truth.json"
    if os.path.exists(os.path.join(srcdir, truth)) and truth not in listed:
        missing.append(truth)
for m in missing:
    print("FAIL: %s is not in the distribution (MOCK_CAPTURES, KAFKA_CAPTURES or EXTRA_DIST)" % m)
print("%d captures checked, %d missing" % (len(glob.glob(os.path.join(srcdir, "pcaps", "**", "*.pcap"),
                                                        recursive=True)), len(missing)))
sys.exit(1 if missing else 0)
