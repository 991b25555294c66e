#!/usr/bin/env python3
"""timeline-summary.py - reads a kafkatap --json report on stdin and writes
it back with the "timeline" section cut to its header (bucket width, start,
bucket count, merges, the series' names and the totals' sums), so that most
JSON goldens stay short; the cases named *-timeline pin the whole section.
The rest of the document is written back byte for byte."""
import json
import re
import sys

doc = sys.stdin.read()
m = re.search(r'^  "timeline": \{\n.*?^  \},?\n', doc, re.S | re.M)
if not m:
    sys.stdout.write(doc)
    sys.exit(0)
tl = json.loads("{" + m.group(0).strip().rstrip(",") + "}")["timeline"]
short = {k: tl[k] for k in ("bucket_width_s", "start_ts", "buckets", "auto_width", "merges")}
short["total_sums"] = {k: sum(v for v in tl["total"][k] if v is not None)
                       for k in ("requests", "errors", "unanswered", "records", "bytes")}
for kind in ("brokers", "brokers_produce", "apis", "clients",
             "partitions_produce", "partitions_fetch"):
    short[kind] = len(tl[kind])
text = '  "timeline (summary)": ' + json.dumps(short, sort_keys=False) + \
    ("," if m.group(0).rstrip("\n").endswith(",") else "") + "\n"
sys.stdout.write(doc[:m.start()] + text + doc[m.end():])
