#!/usr/bin/env python3
"""README.md's examples are kafkatap's real output: every example block (a
"    $ ./kafkatap ..." line and the indented lines after it, or an indented
block after a paragraph ending in "(`./kafkatap ...`):") is run again here,
and each of its lines must appear in the program's output, in order (an
example may show an excerpt, and "..." elides lines)."""
import os
import re
import subprocess
import sys

srcdir = os.environ.get("srcdir", ".")
kafkatap = os.path.abspath(os.environ.get("KAFKATAP", "./kafkatap"))


def blocks(lines):
    """(command, expected lines) for every example in the README."""
    i = 0
    pending = None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^    \$ (\./kafkatap .*)$", line)
        if not m:
            m2 = re.search(r"\(`(\./kafkatap [^`]*)`[^)]*\):?$", line) or \
                re.search(r"\(`(\./kafkatap [^`]*)`;", line)
            if m2:
                pending = m2.group(1)
            if pending and line.startswith("    ") and lines[i - 1] == "":
                cmd, start = pending, i
            else:
                if line and not line.startswith("    ") and not m2:
                    pending = pending if line.endswith(":") else None
                i += 1
                continue
        else:
            cmd, start = m.group(1), i + 1
        j = start
        while j < len(lines) and (lines[j].startswith("    ") or lines[j] == ""):
            if re.match(r"^    \$ ", lines[j]) and j > start:
                break
            j += 1
        want = [ln[4:] for ln in lines[start:j] if ln.strip()]
        yield cmd, want
        pending = None
        i = j


def main():
    with open(os.path.join(srcdir, "README.md"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
    n = bad = 0
    for cmd, want in blocks(lines):
        if not want:
            continue
        n += 1
        shell = cmd.replace("./kafkatap", kafkatap, 1)
        out = subprocess.run(shell, shell=True, cwd=srcdir, env=env, capture_output=True,
                             text=True).stdout.split("\n")
        k = 0
        for w in want:
            if w.strip() == "...":          # an elision in the README
                continue
            while k < len(out) and out[k].rstrip() != w.rstrip():
                k += 1
            if k == len(out):
                print(f"FAIL: {cmd}: README line not in the output (in order):\n  {w}")
                bad += 1
                break
            k += 1
    print(f"{n} README examples checked, {bad} differ")
    if n == 0:
        print("FAIL: no example found: the README's layout changed?")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
