#!/usr/bin/env python3
"""test_html.py - the --html page, in a real browser (headless Chromium).

For captures with findings (a broker made slow mid-run, a slow broker, a hot
partition on Apache Kafka, quota throttling, failing clients) kafkatap
writes --json to standard output and --html to a file in the same run.
Checked without a browser:
  - the page is well formed (every element closed in order, void elements
    excepted, nothing after </html>) and bounded in size;
  - it references nothing outside itself: no src attribute, no <script>,
    <link>, <img>, <iframe>, <object> or <embed>, no href but "#anchors",
    no url() or @import in its style, no http: or https: anywhere;
  - the findings are the --json report's, in its order: kind, severity,
    summary text, and the since time of each placed in time;
  - the plots: every svg.plot has a <title> and a visible title; the
    latency per broker plot has one p99 and one p50 line per broker of
    the JSON timeline, labelled with its address; the per API plot one per
    API (at most 12); the produce heat map one row label per
    topic-partition row of the timeline; one share bar per producing
    partition; one delivery bar per client id that produced; the throttle
    plot exactly when the JSON reports throttled responses.
Checked in Chromium:
  - --dump-dom: the DOM after load has the same plots and lines (the
    browser parsed what we wrote the way we did);
  - no console message at all: Chromium started with --enable-logging=stderr
    --v=0 prints every console message (and every uncaught error) as a line
    with ":CONSOLE" on stderr.  That this works is checked first on a probe
    page that throws: a Chromium that would not report it fails the test
    rather than passing it silently;
  - --screenshot (1280x4000): the PNG, decoded here with zlib, is not
    blank: enough non-white pixels and enough saturated (plot) colour.
Escaping: the client id "ingest-hot" of slow-onset.pcap is replaced by the
same number of bytes of markup, <b>"&'</b>; the page shows it as text and
contains no such element.
Live (root, capturing lo): -I 1 --html replaces the file at each report
with a whole page, never a torn one (see live() below).
Exit 77 (skip) only when Chromium is missing or cannot start at all.
"""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

srcdir = os.environ.get("srcdir", ".")
kafkatap = os.environ.get("KAFKATAP", "./kafkatap")
CAPTURES = ["slow-onset.pcap", "slow-broker.pcap", "kafka/skew.pcap",
            "kafka/quota-throttle.pcap", "kafka/client-failures.pcap"]
DECODE = ("slow-onset.pcap",)   # pixels counted (pure Python PNG decoding is slow)
MAX_LINES = 12
MAX_BARS = 20
MAX_PAGE = 1 << 20

failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


# ---------------------------------------------------------------- the page

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
# SVG elements we write self-closed
SELF_CLOSING_OK = {"line", "rect", "circle", "path", "polyline"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.items = [], []    # items: text and children, in order

    def all_text(self):
        return "".join(x if isinstance(x, str) else x.all_text() for x in self.items)

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def classes(self):
        return self.attrs.get("class", "").split()

    def find_all(self, tag, cls=None):
        return [n for n in self.iter() if n.tag == tag and (cls is None or cls in n.classes())]


class Strict(html.parser.HTMLParser):
    """A tree, and every structural error found on the way."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.errors = []
        self.ended = False
        self.decl = None

    def handle_decl(self, decl):
        self.decl = decl

    def handle_starttag(self, tag, attrs):
        if self.ended:
            self.errors.append("<%s> after </html>" % tag)
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.items.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID and tag not in SELF_CLOSING_OK:
            self.errors.append("<%s/> self-closed" % tag)
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.items.append(n)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.cur.tag != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.cur.tag))
            return
        self.cur = self.cur.parent
        if tag == "html":
            self.ended = True

    def handle_data(self, data):
        if self.ended and data.strip():
            self.errors.append("text after </html>")
        self.cur.items.append(data)


def parse(text):
    p = Strict()
    p.feed(text)
    p.close()
    if p.cur is not p.root:
        p.errors.append("<%s> never closed" % p.cur.tag)
    return p


def external_refs(raw, root):
    bad = []
    for n in root.iter():
        if n.tag in ("script", "link", "img", "iframe", "object", "embed", "base"):
            bad.append("<%s>" % n.tag)
        for k, v in n.attrs.items():
            if k == "src" or k == "xlink:href":
                bad.append("%s=%r" % (k, v))
            if k == "href" and not (v or "").startswith("#"):
                bad.append("href=%r" % v)
        if n.tag == "style" and ("url(" in n.all_text() or "@import" in n.all_text()):
            bad.append("url() or @import in <style>")
    for s in ("http:", "https:", "src="):
        if s in raw:
            bad.append(s)
    return bad


def svg(root, id_):
    for n in root.find_all("svg"):
        if n.attrs.get("id") == id_:
            return n
    return None


def series(plot, stat):
    return [n for n in plot.find_all("path", "series") if n.attrs.get("data-stat") == stat]


def utc_clock(ts, ms):
    import time
    s = time.strftime("%H:%M:%S", time.gmtime(int(ts)))
    return s + (".%03d" % (int(round(ts * 1e6)) // 1000 % 1000) if ms else "")


def check_page(name, raw, rep):
    p = parse(raw)
    root = p.root
    check(not p.errors, "%s: well formed (%s)" % (name, "; ".join(p.errors[:5])))
    check(p.decl and p.decl.lower() == "doctype html", "%s: <!DOCTYPE html>" % name)
    check(len(raw.encode()) < MAX_PAGE, "%s: %d bytes, under %d" % (name, len(raw.encode()), MAX_PAGE))
    bad = external_refs(raw, root)
    check(not bad, "%s: no external reference %s" % (name, bad[:5]))

    # findings, in the JSON's order
    divs = root.find_all("div", "finding")
    fj = rep["findings"]
    check(len(divs) == len(fj), "%s: %d findings, as --json (%d)" % (name, len(divs), len(fj)))
    ms = rep["timeline"] and rep["timeline"]["bucket_width_s"] < 1
    for d, f in zip(divs, fj):
        summ = [n for n in d.find_all("p", "summary")]
        when = [n for n in d.find_all("p", "when")]
        ok = (d.attrs.get("data-kind") == f["kind"] and d.attrs.get("data-severity") == f["severity"]
              and f["severity"] in d.classes() and summ and summ[0].all_text() == f["summary"])
        check(ok, "%s: finding %s %s: kind, severity and summary as --json" % (name, f["kind"], f["subject"]))
        if f.get("started") is not None:
            since = utc_clock(f["started"], ms)
            check(when and ("Since " + since + " UTC") in when[0].all_text(),
                  "%s: finding %s says since %s" % (name, f["kind"], since))

    plots = root.find_all("svg", "plot")
    for s in plots:
        titles = [c for c in s.children if c.tag == "title"]
        vis = s.find_all("text", "title")
        check(titles and vis and titles[0].all_text() == vis[0].all_text(),
              "%s: %s has a <title> and a visible title" % (name, s.attrs.get("id")))
    tl = rep["timeline"]
    brokers = [b["broker"] for b in tl["brokers"]]
    lat = svg(root, "plot-latency-broker")
    check(lat is not None and lat.find_all("title")[0].all_text().startswith("Latency per broker"),
          "%s: latency per broker plot" % name)
    if lat is not None:
        want = brokers[:MAX_LINES] if len(brokers) <= MAX_LINES else None
        for stat in ("p99", "p50"):
            got = [n.attrs["data-series"] for n in series(lat, stat)]
            check(len(got) == min(len(brokers), MAX_LINES) and (want is None or got == want),
                  "%s: one %s line per broker %s" % (name, stat, got))
        check("time (UTC)" in lat.all_text() and "latency, ms" in lat.all_text(),
              "%s: latency axes with units" % name)
    api = svg(root, "plot-latency-api")
    napis = len(tl["apis"])
    check(api is not None and len(series(api, "p99")) == min(napis, MAX_LINES),
          "%s: latency per API, %d lines" % (name, min(napis, MAX_LINES)))
    parts = tl["partitions_produce"]
    heat = svg(root, "plot-heat-produce")
    if parts:
        labels = [t.all_text() for t in heat.find_all("text", "rowlabel")] if heat is not None else []
        want = ["topic %s partition %s" % (r["topic"], r["partition"]) if r["partition"] is not None
                else r["topic"] for r in parts]
        want = [w if len(w) <= 36 else None for w in want]
        ok = heat is not None and len(labels) == len(parts) and \
            all(w is None or l.startswith(w) for l, w in zip(labels, want))
        check(ok and heat.find_all("rect"), "%s: heat map rows %s" % (name, labels[:4]))
    producing = [p_ for p_ in rep["partitions"] if p_["produce"]["records"] > 0]
    share = svg(root, "plot-share")
    if producing:
        n = len(share.find_all("g", "bar")) if share is not None else -1
        check(n == min(len(producing), MAX_BARS), "%s: %d share bars (%d producing)"
              % (name, n, len(producing)))
    deliv = svg(root, "plot-delivery")
    throttled = sum(b["throttled"] for b in rep["brokers"])
    check((svg(root, "plot-throttle") is not None) == (throttled > 0),
          "%s: throttle plot iff %d throttled responses" % (name, throttled))
    check(svg(root, "plot-errors") is not None, "%s: errors plot" % name)
    return root, deliv


# ---------------------------------------------------------------- PNG

def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB/RGBA PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, "PNG format"
            bpp = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat += body
        pos += 12 + ln
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def screenshot_stats(path):
    try:                                     # python3-pil when there: faster
        from PIL import Image
        im = Image.open(path).convert("RGB")
        w, h, bpp = im.width, im.height, 3
        data = im.tobytes()
        rows = [data[y * w * 3:(y + 1) * w * 3] for y in range(h)]
    except ImportError:
        w, h, bpp, rows = png_pixels(path)
    ink = colour = 0
    for line in rows[::2]:                   # every other row: fast enough
        for x in range(0, w * bpp, bpp * 2):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if r < 245 or g < 245 or b < 245:
                ink += 1
            if max(r, g, b) - min(r, g, b) > 60:
                colour += 1
    total = ((h + 1) // 2) * ((w + 1) // 2)
    return ink / total, colour


# ---------------------------------------------------------------- Chromium

def chromium_cmd():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def browse(exe, tmp, url, *args):
    """(returncode, stdout, stderr) of one headless Chromium run."""
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-extensions", "--user-data-dir=" + os.path.join(tmp, "profile"),
           "--enable-logging=stderr", "--v=0", *args, url]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return -1, "", "timed out after 120 s"
    return r.returncode, r.stdout, r.stderr


def console_lines(stderr):
    return [x for x in stderr.splitlines() if ":CONSOLE" in x]


def main():
    exe = chromium_cmd()
    if not exe:
        print("SKIP: no chromium on PATH (Debian: apt-get install chromium)")
        return 77
    tmp = tempfile.mkdtemp(prefix="kt-html-")
    try:
        probe = os.path.join(tmp, "probe.html")
        with open(probe, "w") as f:
            f.write("<!DOCTYPE html><html><head><title>probe</title></head><body><p id=x>ok</p>"
                    "<script>throw new Error('kt-probe-error')</script></body></html>")
        rc, out, err = browse(exe, tmp, "file://" + probe, "--dump-dom")
        if rc != 0 or 'id="x"' not in out:
            print("SKIP: chromium cannot start: rc %s: %s" % (rc, err.strip()[-500:]))
            return 77
        check(any("kt-probe-error" in x for x in console_lines(err)),
              "probe: Chromium reports a page's uncaught error on stderr (:CONSOLE)")

        for cap in CAPTURES:
            name = cap
            page = os.path.join(tmp, cap.replace("/", "_") + ".html")
            r = subprocess.run([kafkatap, "-q", "-r", os.path.join(srcdir, "pcaps", cap), "--json",
                                "--html", page], capture_output=True, text=True)
            check(r.returncode == 0, "%s: kafkatap --json --html exits 0 (%s)" % (name, r.stderr.strip()))
            rep = json.loads(r.stdout)
            raw = open(page, encoding="utf-8").read()
            root, deliv = check_page(name, raw, rep)
            senders = [c for c in rep["clients"] if (c.get("delivery") or {}).get("records_sent", 0) > 0]
            if senders:
                n = len(deliv.find_all("g", "bar")) if deliv is not None else -1
                check(n == min(len(senders), MAX_BARS), "%s: %d delivery bars (%d clients produced)"
                      % (name, n, len(senders)))
            nseries = len(root.find_all("path", "series"))
            nplots = len(root.find_all("svg", "plot"))

            rc, dom, err = browse(exe, tmp, "file://" + page, "--dump-dom")
            check(rc == 0, "%s: chromium --dump-dom exits 0" % name)
            d = parse(dom).root
            check(len(d.find_all("svg", "plot")) == nplots and
                  len(d.find_all("path", "series")) == nseries,
                  "%s: the DOM after load has the %d plots and %d lines" % (name, nplots, nseries))
            con = console_lines(err)
            check(not con, "%s: no console message %s" % (name, con[:3]))

            png = page + ".png"
            rc, _, err = browse(exe, tmp, "file://" + page, "--screenshot=" + png,
                                "--window-size=1280,4000", "--hide-scrollbars")
            check(rc == 0 and os.path.exists(png), "%s: screenshot taken" % name)
            if os.path.exists(png):
                size = os.path.getsize(png)
                check(size > 50000, "%s: screenshot of %d bytes (a blank one compresses to"
                      " a few kB)" % (name, size))
            if os.path.exists(png) and cap in DECODE:
                ink, colour = screenshot_stats(png)
                check(ink > 0.03 and colour > 2000,
                      "%s: screenshot not blank (%.1f%% non-white, %d colour pixels sampled)"
                      % (name, ink * 100, colour))
            con = console_lines(err)
            check(not con, "%s: no console message while rendering %s" % (name, con[:3]))

        # wire text is escaped: a client id made of markup, same length
        src = open(os.path.join(srcdir, "pcaps", "slow-onset.pcap"), "rb").read()
        evil = b"<b>\"&'</b>"
        assert len(evil) == len(b"ingest-hot")
        pcap = os.path.join(tmp, "evil.pcap")
        with open(pcap, "wb") as f:
            f.write(src.replace(b"ingest-hot", evil))
        page = os.path.join(tmp, "evil.html")
        r = subprocess.run([kafkatap, "-q", "-r", pcap, "--html", page], capture_output=True, text=True)
        raw = open(page, encoding="utf-8").read()
        p = parse(raw)
        check(r.returncode == 0 and not p.errors, "escaping: page well formed %s" % p.errors[:3])
        check(evil.decode() not in raw and "&lt;b&gt;\\&quot;&amp;&#39;&lt;/b&gt;" in raw,
              "escaping: the markup client id is escaped")
        check(not [n for n in p.root.find_all("b") if "&'" in n.all_text()],
              "escaping: no <b> element made from the wire")
        # labels escape odd bytes the JSON way first: the quote shows as \"
        shown = "<b>\\\"&'</b>"
        check(any(shown in t.all_text() for t in p.root.find_all("text", "rowlabel")),
              "escaping: the client id shows as the text %s in the delivery bars" % shown)
        live(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


def live(tmp):
    """Live -I 1 --html: the file is replaced at each report (a new inode
    each time: renamed over, in a directory the -Z user may write), every
    version read while the reports go on is a whole page, interim ones say
    "(so far)", no temporary file is left.  Not run (said) when lo cannot
    be captured."""
    import socket
    import threading
    import time
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import test_live_windows as lw      # its ApiVersions broker and client

    if os.geteuid() != 0:
        print("live part not run: needs root to capture on lo")
        return
    pub = os.path.join(tmp, "pub")
    os.mkdir(pub)
    os.chmod(pub, 0o1777)               # writable by the -Z user (nobody)
    page = os.path.join(pub, "live.html")
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    p = subprocess.Popen([kafkatap, "-q", "-i", "lo", "-P", str(port), "-I", "1", "--html", page,
                          "tcp port %d" % port], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    if p.poll() is not None:
        print("live part not run: cannot capture on lo:", p.stderr.read().strip())
        return
    threading.Thread(target=lw.broker, args=(srv,), daemon=True).start()
    cli = socket.create_connection(("127.0.0.1", port))
    seen, torn, corr = {}, [], 0
    end = time.monotonic() + 4.5
    while time.monotonic() < end:
        corr += 1
        cli.sendall(lw.request(corr))
        lw.recv_exact(cli, 4 + 10)
        try:
            st = os.stat(page)
            with open(page, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            torn.append("missing")
            continue
        if text and not (text.startswith("<!DOCTYPE html>") and text.endswith("</html>\n")):
            torn.append(len(text))
        if text:
            seen.setdefault((st.st_ino, st.st_mtime_ns), text)
        time.sleep(0.05)
    p.send_signal(2)
    p.wait(timeout=10)
    cli.close()
    srv.close()
    final = open(page, encoding="utf-8").read()
    interim = [t for t in seen.values() if "(so far)" in t]
    check(not torn, "live: every version read during the run is a whole page %s" % torn[:3])
    check(len(seen) >= 3, "live: the file was replaced (%d versions in 4.5 s of -I 1)"
          % len(seen))
    check(interim and all("the last 1 s" in t for t in interim),
          "live: %d interim pages, each of its interval %s" % (len(interim), [
              t[t.find("<h1>"):t.find("</h1>")] for t in interim if "the last 1 s" not in t][:2]))
    pf = parse(final)
    check(not pf.errors and "(so far)" not in final and svg(pf.root, "plot-latency-broker") is not None,
          "live: the final page is whole, of the whole run, with its plots")
    check(os.listdir(pub) == ["live.html"], "live: no temporary file left %s" % os.listdir(pub))


if __name__ == "__main__":
    sys.exit(main())
