"""Independent Kafka wire decoder for checking the recorded captures in tests.

It takes the TCP byte streams of a capture from tshark, cuts them into Kafka
frames and decodes every request and response by walking the official message
definitions (a schema directory of *.json files) -- a small Python reference,
separate from kafkatap's C decoder, so that the tests do not check kafkatap
against itself.
"""
import glob
import json
import os

import struct
import subprocess


# ---------------------------------------------------------------- schema

def _strip_comments(text):
    """Remove // comments (outside strings) from the JSON-with-comments files."""
    out, i, n, in_str = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            out.append(c)
        elif c == "/" and text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _vrange(spec):
    """'3+', '0-12', '5', 'none' -> (lo, hi) or None."""
    if spec is None or spec == "none":
        return None
    if spec.endswith("+"):
        return int(spec[:-1]), 1 << 15
    if "-" in spec:
        a, b = spec.split("-")
        return int(a), int(b)
    return int(spec), int(spec)


def _in(spec, v):
    r = _vrange(spec)
    return r is not None and r[0] <= v <= r[1]


class Schema:
    def __init__(self, directory):
        self.requests, self.responses, self.headers = {}, {}, {}
        files = glob.glob(os.path.join(directory, "*.json"))
        if not files:
            raise FileNotFoundError(f"no schema files in {directory}")
        for path in files:
            with open(path, encoding="utf-8") as f:
                msg = json.loads(_strip_comments(f.read()))
            kind = msg.get("type")
            if kind == "request":
                self.requests[msg["apiKey"]] = msg
            elif kind == "response":
                self.responses[msg["apiKey"]] = msg
            elif kind == "header":
                self.headers[msg["name"]] = msg
        self.names = {k: m["name"][:-len("Request")] for k, m in self.requests.items()}

    def request_flexible(self, key, version):
        m = self.requests.get(key)
        return m is not None and _in(m.get("flexibleVersions"), version)

    def response_flexible(self, key, version):
        m = self.responses.get(key)
        return m is not None and _in(m.get("flexibleVersions"), version)


# ---------------------------------------------------------------- reader

class DecodeError(Exception):
    pass


class Reader:
    def __init__(self, data, pos=0, end=None):
        self.data, self.pos = data, pos
        self.end = len(data) if end is None else end

    def left(self):
        return self.end - self.pos

    def take(self, n):
        if n < 0 or n > self.left():
            raise DecodeError(f"need {n} bytes, {self.left()} left at {self.pos}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def fixed(self, fmt):
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size))[0]

    def uvarint(self):
        shift, value = 0, 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 28:
                raise DecodeError("varint too long")


_FIXED = {"bool": ">?", "int8": ">b", "int16": ">h", "uint16": ">H", "int32": ">i",
          "uint32": ">I", "int64": ">q", "float64": ">d"}


class Walker:
    """Decodes one message body against a schema message definition into dicts."""

    def __init__(self, msg, version, flexible):
        self.version, self.flexible = version, flexible
        self.common = {s["name"]: s for s in msg.get("commonStructs", [])}

    def struct(self, r, fields):
        out, tagged = {}, {}
        for f in fields:
            if not _in(f.get("versions"), self.version):
                continue
            if "tag" in f and _in(f.get("taggedVersions"), self.version):
                tagged[f["tag"]] = f
                continue
            out[f["name"]] = self.value(r, f, f["type"])
        if self.flexible:
            for _ in range(r.uvarint()):
                tag, size = r.uvarint(), r.uvarint()
                sub = Reader(r.data, r.pos, r.pos + size)
                r.take(size)
                f = tagged.get(tag)
                if f is not None:
                    out[f["name"]] = self.value(sub, f, f["type"])
                    if sub.left():
                        raise DecodeError(f"tagged field {f['name']} has {sub.left()} bytes left")
        return out

    def _flex(self, f):
        # A field may opt out of compact encoding (RequestHeader.ClientId).
        if "flexibleVersions" in f:
            return _in(f["flexibleVersions"], self.version)
        return self.flexible

    def _length(self, r, f, compact_fmt_classic):
        if self._flex(f):
            n = r.uvarint() - 1
        else:
            n = r.fixed(compact_fmt_classic)
        if n < -1:
            raise DecodeError(f"bad length {n} for {f['name']}")
        return n

    def value(self, r, f, t):
        if t in _FIXED:
            return r.fixed(_FIXED[t])
        if t == "uuid":
            return r.take(16)
        if t == "string":
            n = self._length(r, f, ">h")
            return None if n < 0 else r.take(n).decode("utf-8", "replace")
        if t in ("bytes", "records"):
            n = self._length(r, f, ">i")
            return None if n < 0 else r.take(n)
        if t.startswith("[]"):
            n = self._length(r, f, ">i")
            if n < 0:
                return None
            if n > r.left():
                raise DecodeError(f"array {f['name']} of {n} with {r.left()} bytes left")
            inner = t[2:]
            return [self.value(r, f, inner) for _ in range(n)]
        fields = f.get("fields") or self.common.get(t, {}).get("fields")
        if fields is None:
            raise DecodeError(f"unknown type {t}")
        if t == f["type"] and _in(f.get("nullableVersions"), self.version):
            # A nullable struct (not an array element) starts with an int8 marker: -1 null, 1 present.
            if r.fixed(">b") < 0:
                return None
        return self.struct(r, fields)


# ---------------------------------------------------------------- batches

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def record_batches(blob):
    """Yields dicts for the v2 record batches in a records blob (whole ones only;
    a fetch response may end with a partial batch, which is skipped)."""
    r = Reader(blob or b"")
    while r.left() >= 12:
        start = r.pos
        base_offset = r.fixed(">q")
        length = r.fixed(">i")
        if length < 49 or length > r.left():
            return  # partial trailing batch
        body = Reader(r.take(length))
        body.fixed(">i")  # partition leader epoch
        magic = body.fixed(">b")
        if magic != 2:
            raise DecodeError(f"record batch magic {magic}")
        crc = body.fixed(">I")
        crc_ok = crc32c(blob[start + 21:start + 12 + length]) == crc
        attributes = body.fixed(">h")
        body.fixed(">i")  # last offset delta
        body.fixed(">q")  # base timestamp
        body.fixed(">q")  # max timestamp
        producer_id = body.fixed(">q")
        producer_epoch = body.fixed(">h")
        base_sequence = body.fixed(">i")
        count = body.fixed(">i")
        yield {"base_offset": base_offset, "codec": attributes & 7, "count": count,
               "control": bool(attributes & 0x20), "crc_ok": crc_ok,
               "producer_id": producer_id, "producer_epoch": producer_epoch,
               "transactional": bool(attributes & 0x10), "base_sequence": base_sequence}


# ---------------------------------------------------------------- capture

def _ports(port):
    return {port} if isinstance(port, int) else set(port)


def tcp_streams(pcap, port):
    """Byte streams of a capture from tshark: {(stream, to_broker): (bytes,
    starts, broker_port)} where starts lists (offset, capture time) of each
    segment, in order. port: a broker port or a collection of them."""
    ports = _ports(port)
    flt = " || ".join(f"tcp.port=={p}" for p in sorted(ports))
    cmd = ["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:FALSE",
           "-Y", f"({flt}) && tcp.len>0", "-T", "fields",
           "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq_raw",
           "-e", "frame.time_relative", "-e", "tcp.payload"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    segs, server = {}, {}
    for line in out.splitlines():
        stream, sport, dport, seq, when, payload = line.split("\t")
        to_broker = int(dport) in ports
        key = (int(stream), to_broker)
        server[int(stream)] = int(dport) if to_broker else int(sport)
        data = bytes.fromhex(payload.replace(":", ""))
        segs.setdefault(key, {}).setdefault(int(seq), (data, float(when)))
    streams = {}
    for key, by_seq in segs.items():
        buf, nxt, starts = bytearray(), None, []
        for seq in sorted(by_seq):
            data, when = by_seq[seq]
            end = seq + len(data)
            if nxt is not None and seq < nxt:      # retransmission overlap
                data = data[nxt - seq:]
            elif nxt is not None and seq > nxt:
                raise DecodeError(f"gap of {seq - nxt} bytes in stream {key}")
            if data:
                starts.append((len(buf), when))
                buf += data
            nxt = end if nxt is None else max(nxt, end)
        streams[key] = (bytes(buf), starts, server[key[0]])
    return streams


class Truncated(Exception):
    """The stream ends inside its last frame (the capture or the connection
    stopped mid-message)."""


def frames(buf):
    """Yields (offset, frame) for the length-prefixed Kafka frames of a stream;
    raises Truncated if the last frame is cut short."""
    r = Reader(buf)
    while r.left():
        off = r.pos
        if r.left() < 4:
            raise Truncated(f"{r.left()} bytes of a frame length at {off}")
        n = r.fixed(">i")
        if n < 0:
            raise DecodeError(f"negative frame length {n}")
        if n > r.left():
            raise Truncated(f"frame of {n} bytes at {off} with {r.left()} left")
        yield off, r.take(n)


def _time_at(starts, offset):
    t = starts[0][1] if starts else 0.0
    for off, when in starts:
        if off > offset:
            break
        t = when
    return t


def decode_capture(pcap, port, schema):
    """Decodes every request and response of a capture; returns (exchanges,
    problems, truncated) -- truncated lists streams that end inside a frame -- where each exchange is a dict with stream, port (the broker's),
    key, api, version,
    correlation_id, client_id, request (decoded), response (decoded or None),
    time (capture time of the request) and order (rank by that time)."""
    streams = tcp_streams(pcap, port)
    exchanges, problems, truncated = [], [], []
    pending = {}
    for (stream, to_broker), (buf, starts, bport) in sorted(streams.items()):
        if not to_broker:
            continue
        try:
            for off, fr in frames(buf):
                r = Reader(fr)
                key, ver, corr = r.fixed(">h"), r.fixed(">h"), r.fixed(">i")
                msg = schema.requests.get(key)
                if msg is None:
                    problems.append(f"stream {stream}: unknown api key {key}")
                    continue
                flex = schema.request_flexible(key, ver)
                client_id = r.fixed(">h")
                client_id = None if client_id < 0 else r.take(client_id).decode()
                if flex:
                    Walker({}, 0, True).struct(r, [])  # header tagged fields
                body = Walker(msg, ver, flex).struct(r, msg["fields"])
                if r.left():
                    problems.append(f"stream {stream} corr {corr}: {r.left()} bytes left after "
                                    f"{schema.names[key]} v{ver} request")
                ex = {"stream": stream, "key": key, "api": schema.names[key], "version": ver,
                      "correlation_id": corr, "client_id": client_id, "request": body,
                      "response": None, "time": _time_at(starts, off), "port": bport}
                exchanges.append(ex)
                pending[(stream, corr)] = ex
        except DecodeError as e:
            problems.append(f"stream {stream} (requests): {e}")
        except Truncated as e:
            truncated.append(f"stream {stream} (requests, port {bport}): {e}")
    for (stream, to_broker), (buf, starts, bport) in sorted(streams.items()):
        if to_broker:
            continue
        try:
            for off, fr in frames(buf):
                r = Reader(fr)
                corr = r.fixed(">i")
                ex = pending.pop((stream, corr), None)
                if ex is None:
                    problems.append(f"stream {stream}: response to unknown correlation id {corr}")
                    continue
                key, ver = ex["key"], ex["version"]
                flex = schema.response_flexible(key, ver)
                if flex and key != 18:  # ApiVersions responses keep header v0
                    Walker({}, 0, True).struct(r, [])
                msg = schema.responses[key]
                ex["response"] = Walker(msg, ver, flex).struct(r, msg["fields"])
                ex["response_time"] = _time_at(starts, off)
                if r.left():
                    problems.append(f"stream {stream} corr {corr}: {r.left()} bytes left after "
                                    f"{ex['api']} v{ver} response")
        except DecodeError as e:
            problems.append(f"stream {stream} (responses): {e}")
        except Truncated as e:
            truncated.append(f"stream {stream} (responses, port {bport}): {e}")
    exchanges.sort(key=lambda e: (e["time"], e["stream"], e["correlation_id"]))
    for i, e in enumerate(exchanges):
        e["order"] = i
    return exchanges, problems, truncated


def tshark_headers(pcap, port):
    """Request headers as tshark's own Kafka dissector reads them:
    set of (stream, correlation_id, api_key, api_version, client_id)."""
    cmd = ["tshark", "-r", pcap] + [a for p in sorted(_ports(port)) for a in ("-d", f"tcp.port=={p},kafka")] + [
           "-Y", "kafka.request_key",
           "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
           "-e", "tcp.stream", "-e", "kafka.correlation_id", "-e", "kafka.request_key",
           "-e", "kafka.request.version", "-e", "kafka.client_id"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    seen = set()
    for line in out.splitlines():
        stream, corrs, keys, vers, cids = (line.split("\t") + [""] * 5)[:5]
        cl = cids.split("|")
        for i, (c, k, v) in enumerate(zip(corrs.split("|"), keys.split("|"), vers.split("|"))):
            seen.add((int(stream), int(c), int(k), int(v), cl[i] if i < len(cl) else ""))
    return seen


def tcp_resets_from(pcap, port):
    """Capture times of the TCP resets sent from a port (a closed port answers
    a connection attempt with one)."""
    cmd = ["tshark", "-r", pcap, "-Y", f"tcp.srcport=={port} && tcp.flags.reset==1",
           "-T", "fields", "-e", "frame.time_relative"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [float(x) for x in out.split()]


def replica_id(ex):
    """The replica id of a decoded Fetch request: ReplicaId before v15, the
    tagged ReplicaState's from v15; -1 for a consumer's (>= 0 names the
    follower broker that sent it)."""
    r = ex["request"]
    if "ReplicaState" in r:
        return r["ReplicaState"].get("ReplicaId", -1)
    return r.get("ReplicaId", -1)


def uuid_str(b):
    """Kafka's printable topic id (URL-safe base64, no padding)."""
    import base64
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def is_zero_uuid(b):
    return b == bytes(16)



