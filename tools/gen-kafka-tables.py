#!/usr/bin/env python3
"""gen-kafka-tables.py - generate kafkatap's Kafka protocol tables.

Reads the official Kafka message schema (the JSON files, with // comments,
of a Kafka source tree's clients/src/main/resources/common/message/) and the
protocol error list (a TSV of code<TAB>name), and writes:

  kafka_ids_gen.h     enum kt_api_key and enum kt_error: every API key and
                      error code by its name (KT_API_PRODUCE, KT_ERR_NONE)
  kafka_apis_gen.c    the API table and error names behind kafka_apis.h
  kafka_schema_gen.c  the field trees of every request and response
  kafka_schema_gen.h  sizes and the digest of the schema the tables match

Usage: gen-kafka-tables.py [--legacy OLD_SCHEMA_DIR]... SCHEMA_DIR ERRORS_TSV OUT_DIR

SCHEMA_DIR is authoritative for every version it declares valid.  Kafka 4.0
removed old versions (Produce v0-2, Fetch v0-3, ControlledShutdown, ...)
that brokers before 4.0 and old clients still speak on the wire; each
--legacy directory (an older schema, newest first) supplies the field trees
of the versions that no newer directory declares valid.  A message then has
up to one version segment per directory, each with its own field tree.

The output depends only on the input files' contents (sorted by file name),
so regenerating from the same schema gives byte-identical files.  Python 3
standard library only.
"""

import hashlib
import json
import os
import re
import sys

OPEN_MAX = 127          # "N+" versions: open-ended
MAX_DEPTH = 16          # must match the walker's nesting limit

# Field types (KT_FT_*), in the order of the enum in kafka_schema.h.
PRIM_TYPES = ["bool", "int8", "int16", "uint16", "int32", "uint32", "int64",
              "float64", "uuid", "string", "bytes", "records"]
FT = {t: "KT_FT_" + t.upper() for t in PRIM_TYPES}
FT["struct"] = "KT_FT_STRUCT"

# Minimum encoded size of one value (non-flexible, flexible).
MIN_SIZE = {
    "bool": (1, 1), "int8": (1, 1), "int16": (2, 2), "uint16": (2, 2),
    "int32": (4, 4), "uint32": (4, 4), "int64": (8, 8), "float64": (8, 8),
    "uuid": (16, 16), "string": (2, 1), "bytes": (4, 1), "records": (4, 1),
}


def die(msg):
    sys.stderr.write("gen-kafka-tables: %s\n" % msg)
    sys.exit(1)


def strip_comments(text):
    """Remove // comments outside string literals."""
    out = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append(c)
            i += 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_versions(s, what):
    """'a-b' / 'a+' / 'a' / 'none' -> (lo, hi) or (-1, -1)."""
    s = (s or "none").strip()
    if s == "none":
        return (-1, -1)
    try:
        if s.endswith("+"):
            return (int(s[:-1]), OPEN_MAX)
        if "-" in s:
            lo, hi = s.split("-", 1)
            return (int(lo), int(hi))
        v = int(s)
        return (v, v)
    except ValueError:
        die("bad version range %r in %s" % (s, what))


def in_range(v, r):
    return r[0] >= 0 and r[0] <= v <= r[1]


# ---------------------------------------------------------------- roles

def field_role(f, base, is_array, struct_name):
    """Semantic role of a field, from its name, type and entityType."""
    name = f["name"]
    ent = f.get("entityType", "")
    if base == "records":
        return "RECORDS"
    if base == "string":
        if ent == "topicName":
            return "TOPIC_NAME"
        if ent == "groupId":
            return "GROUP_ID"
        if ent == "transactionalId":
            return "TRANSACTIONAL_ID"
        if is_array:
            return "NONE"
        if name == "MemberId":
            return "MEMBER_ID"
        if name == "GroupInstanceId":
            return "GROUP_INSTANCE_ID"
        if name == "ProtocolType":
            return "PROTOCOL_TYPE"
        if name == "ProtocolName":
            return "PROTOCOL_NAME"
        if name == "Name" and struct_name == "JoinGroupRequestProtocol":
            return "PROTOCOL_NAME"
        if name == "ErrorMessage":
            return "ERROR_MESSAGE"
        if name == "Host" and struct_name == "MetadataResponseBroker":
            return "BROKER_HOST"
        return "NONE"
    if base == "uuid":
        if name == "TopicId":
            return "TOPIC_ID"
        return "NONE"
    if base == "int32":
        if is_array:
            if name in ("Partitions", "PartitionIndexes"):
                return "PARTITION_INDEX"
            return "NONE"
        if name in ("PartitionIndex", "Partition", "PartitionId"):
            return "PARTITION_INDEX"
        if name == "Index" and "Partition" in struct_name:
            return "PARTITION_INDEX"
        if name == "ThrottleTimeMs":
            return "THROTTLE_TIME_MS"
        if name == "TimeoutMs":
            return "TIMEOUT_MS"
        if name == "MaxWaitMs":
            return "MAX_WAIT_MS"
        if name == "ReplicaId" and ent == "brokerId":
            return "REPLICA_ID"
        if struct_name == "MetadataResponseBroker" and name in ("NodeId", "Port"):
            return "BROKER_" + ("NODE_ID" if name == "NodeId" else "PORT")
        if name in ("GenerationId", "GenerationIdOrMemberEpoch"):
            return "GENERATION_ID"
        return "NONE"
    if base == "int16" and not is_array:
        if name in ("ErrorCode", "PartitionErrorCode"):
            return "ERROR_CODE"
        if name == "Acks":
            return "ACKS"
        if name in ("ProducerEpoch", "V3AndBelowProducerEpoch"):
            return "PRODUCER_EPOCH"
        return "NONE"
    if base == "bool" and not is_array:
        # EndTxn request Committed, WriteTxnMarkers TransactionResult:
        # true = commit, false = abort
        if name in ("Committed", "TransactionResult"):
            return "TXN_RESULT"
        return "NONE"
    if base == "int64" and not is_array:
        return {
            "FetchOffset": "FETCH_OFFSET",
            "HighWatermark": "HIGH_WATERMARK",
            "LogStartOffset": "LOG_START_OFFSET",
            "LastStableOffset": "LAST_STABLE_OFFSET",
            "BaseOffset": "BASE_OFFSET",
            "ProducerId": "PRODUCER_ID",
            "V3AndBelowProducerId": "PRODUCER_ID",
        }.get(name, "NONE")
    return "NONE"


# ---------------------------------------------------------------- model

class Struct:
    def __init__(self, name):
        self.name = name
        self.fields = []        # list of dicts (see add_struct)
        self.index = None
        self.scope = "OTHER"
        self.min_size = None    # (nonflex, flex)


class Message:
    def __init__(self, spec, fname):
        self.spec = spec
        self.fname = fname
        self.name = spec["name"]
        self.kind = spec["type"]
        self.api_key = spec.get("apiKey")
        self.valid = parse_versions(spec.get("validVersions"), fname)
        flex = parse_versions(spec.get("flexibleVersions"), fname)
        if flex[0] >= 0 and flex[1] != OPEN_MAX:
            die("%s: bounded flexibleVersions not supported" % fname)
        self.flex_min = flex[0]
        self.root = None


def build_structs(msg, structs):
    """Flatten msg's field tree into Struct objects appended to structs."""
    common = {}
    for cs in msg.spec.get("commonStructs", []):
        common[cs["name"]] = cs
    made = {}               # struct type name -> Struct (per message)

    def add_struct(name, fields_spec, is_root=False):
        if name in made:
            return made[name]
        st = Struct(name)
        made[name] = st
        st.index = len(structs)
        structs.append(st)
        for f in fields_spec:
            t = f["type"]
            is_array = t.startswith("[]")
            base = t[2:] if is_array else t
            what = "%s: field %s" % (msg.fname, f["name"])
            fd = {
                "name": f["name"],
                "array": is_array,
                "versions": parse_versions(f.get("versions"), what),
                "nullable": parse_versions(f.get("nullableVersions"), what),
                "tagged": (-1, -1),
                "tag": -1,
                "noflex": False,
                "child": None,
            }
            if "tag" in f:
                fd["tag"] = int(f["tag"])
                fd["tagged"] = parse_versions(f.get("taggedVersions"), what)
                if fd["tagged"][0] < 0:
                    die("%s: tag without taggedVersions" % what)
            elif "taggedVersions" in f:
                die("%s: taggedVersions without tag" % what)
            if "flexibleVersions" in f:
                fv = parse_versions(f["flexibleVersions"], what)
                if fv != (-1, -1):
                    die("%s: field flexibleVersions other than none" % what)
                fd["noflex"] = True
            if base in PRIM_TYPES:
                if "fields" in f:
                    die("%s: primitive with fields" % what)
                fd["type"] = base
            else:
                fd["type"] = "struct"
                if "fields" in f:
                    child = add_struct(base, f["fields"])
                elif base in common:
                    child = add_struct(base, common[base]["fields"])
                elif base in made:
                    child = made[base]
                else:
                    die("%s: unknown type %s" % (what, t))
                fd["child"] = child
            fd["role"] = field_role(f, fd["type"], is_array, name)
            st.fields.append(fd)
        roles = [fd["role"] for fd in st.fields if not fd["array"]]
        if is_root:
            st.scope = "ROOT"
        elif "PARTITION_INDEX" in roles:
            st.scope = "PARTITION"
        elif "TOPIC_NAME" in roles or "TOPIC_ID" in roles:
            st.scope = "TOPIC"
        elif "GROUP_ID" in roles:
            st.scope = "GROUP"
        return st

    msg.root = add_struct(msg.name, msg.spec.get("fields", []), is_root=True)
    # commonStructs that no field uses are not emitted.


def struct_size(st, v, flex, depth=0):
    """Minimum encoded size of struct st in version v."""
    if depth > MAX_DEPTH:
        die("struct nesting deeper than %d at %s" % (MAX_DEPTH, st.name))
    total = 1 if flex else 0          # tagged-field count
    for fd in st.fields:
        if not in_range(v, fd["versions"]):
            continue
        if flex and in_range(v, fd["tagged"]):
            continue                    # optional, in the tagged section
        fflex = flex and not fd["noflex"]
        if fd["array"]:
            total += 1 if fflex else 4
        elif fd["type"] == "struct":
            if in_range(v, fd["nullable"]):
                total += 1
            else:
                total += struct_size(fd["child"], v, fflex, depth + 1)
        else:
            total += MIN_SIZE[fd["type"]][1 if fflex else 0]
    return total


def depth_of(st, d=1):
    m = d
    for fd in st.fields:
        if fd["child"] is not None:
            m = max(m, depth_of(fd["child"], d + 1))
    return m


def compute_min_sizes(msg):
    """Lower bound of one encoded element of each struct of msg, over the
    versions in which the struct can appear (its parent fields' versions)."""
    lo, hi = msg.valid
    reach = {}

    def visit(st, versions):
        have = reach.setdefault(st.index, (st, set()))[1]
        new = set(versions) - have
        if not new:
            return
        have |= new
        for fd in st.fields:
            if fd["child"] is not None:
                sub = [v for v in new if in_range(v, fd["versions"])]
                if sub:
                    visit(fd["child"], sub)

    visit(msg.root, range(lo, hi + 1) if lo >= 0 else [])
    for st, versions in reach.values():
        nf, fx = [], []
        for v in sorted(versions):
            flex = msg.flex_min >= 0 and v >= msg.flex_min
            (fx if flex else nf).append(struct_size(st, v, flex))
        a = min(nf) if nf else 1
        b = min(fx) if fx else 1
        st.min_size = (max(1, min(a, 0xFFFF)), max(1, min(b, 0xFFFF)))
    # Structs never reached in a valid version keep the weakest bound.
    stack = [msg.root]
    while stack:
        st = stack.pop()
        if st.min_size is None:
            st.min_size = (1, 1)
        for fd in st.fields:
            if fd["child"] is not None and fd["child"].min_size is None:
                stack.append(fd["child"])


# ---------------------------------------------------------------- input

def load_schema(schema_dir, digest):
    files = sorted(f for f in os.listdir(schema_dir) if f.endswith(".json"))
    if not files:
        die("no .json files in the schema directory")
    digest.update(b"schema\0")
    msgs = []
    for fn in files:
        with open(os.path.join(schema_dir, fn), "rb") as fh:
            raw = fh.read()
        digest.update(fn.encode() + b"\0" + raw + b"\0")
        try:
            spec = json.loads(strip_comments(raw.decode("utf-8")))
        except ValueError as e:
            die("%s: %s" % (fn, e))
        if spec.get("type") not in ("request", "response"):
            continue
        msgs.append(Message(spec, fn))
    return msgs, digest


def load_errors(path, digest):
    with open(path, "rb") as fh:
        raw = fh.read()
    digest.update(b"errors.tsv\0" + raw + b"\0")
    errs = {}
    for ln, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            die("errors file line %d: expected code<TAB>name" % ln)
        try:
            code = int(parts[0])
        except ValueError:
            if ln == 1:
                continue            # header row
            die("errors file line %d: bad code" % ln)
        name = parts[1].strip()
        if code in errs and errs[code] != name:
            die("errors file: code %d twice" % code)
        errs[code] = name
    if not errs:
        die("errors file has no entries")
    return errs


# ---------------------------------------------------------------- output

def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def banner(what, digest_hex, nfiles):
    return ("/* %s - GENERATED by tools/gen-kafka-tables.py; do not edit.\n"
            " * Source: the Kafka message schema (%d request/response files,\n"
            " * current and legacy) and the protocol error list;\n"
            " * input digest sha256:%s.\n"
            " */\n" % (what, nfiles, digest_hex))


def api_name(msg):
    n = msg.name
    for suf in ("Request", "Response"):
        if n.endswith(suf):
            return n[: -len(suf)]
    return n


def seg_flex_min(segs):
    """First flexible version over a message's segments (oldest first)."""
    for lo, hi, m in sorted(segs, key=lambda s: s[0]):
        if m.flex_min >= 0 and m.flex_min <= hi:
            return max(lo, m.flex_min)
    return -1


def gen_apis(segments, newest, errs, head):
    out = [head]
    out.append('#include "dissectors/kafka_apis.h"\n\n#include <stddef.h>\n\n')
    reqs, resps = segments
    max_key = max(reqs)
    out.append("static const kt_api_info apis[%d] = {\n" % (max_key + 1))
    for k in range(max_key + 1):
        segs = reqs.get(k)
        if not segs:
            continue
        # The name from the newest schema that has the key.
        name = api_name(newest[k]) if k in newest else api_name(segs[0][2])
        lo = min(s[0] for s in segs)
        hi = max(s[1] for s in segs)
        out.append("    [%d] = { %d, %s, %d, %d, %d, %d },\n" % (
            k, k, c_str(name), lo, hi, seg_flex_min(segs),
            seg_flex_min(resps[k])))
    out.append("};\n\n")
    lo, hi = min(errs), max(errs)
    out.append("#define ERR_MIN (%d)\n#define ERR_MAX %d\n" % (lo, hi))
    out.append("static const char *const error_names[%d] = {\n" % (hi - lo + 1))
    for c in sorted(errs):
        out.append("    [%d - ERR_MIN] = %s,\n" % (c, c_str(errs[c])))
    out.append("};\n\n")
    out.append("""const kt_api_info *kt_api_lookup(int api_key)
{
    if (api_key < 0 || api_key >= (int)(sizeof apis / sizeof apis[0]))
        return NULL;
    return apis[api_key].name ? &apis[api_key] : NULL;
}

int kt_api_max_key(void)
{
    return (int)(sizeof apis / sizeof apis[0]) - 1;
}

/* Request header v2 when the request version is flexible, else v1;
 * ControlledShutdown v0 alone uses v0 (no client_id).  An API the table
 * does not know gets 1: correlation id and client_id read the same way in
 * v1 and v2. */
int kt_request_header_version(const kt_api_info *api, int version)
{
    if (!api)
        return 1;
    if (api->key == KT_API_CONTROLLED_SHUTDOWN && version == 0)
        return 0;
    if (api->req_flexible_min >= 0 && version >= api->req_flexible_min)
        return 2;
    return 1;
}

/* Response header v1 when the response version is flexible, else v0;
 * ApiVersions (key 18) always answers with v0.  Unknown API: 0. */
int kt_response_header_version(const kt_api_info *api, int version)
{
    if (!api || api->key == KT_API_API_VERSIONS)
        return 0;
    if (api->resp_flexible_min >= 0 && version >= api->resp_flexible_min)
        return 1;
    return 0;
}

const char *kt_error_name(int code)
{
    if (code < ERR_MIN || code > ERR_MAX)
        return NULL;
    return error_names[code - ERR_MIN];
}
""")
    return "".join(out)


def vstr(v):
    return str(v)


def upper_snake(name):
    """ApiVersions -> API_VERSIONS; names that are already upper stay."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def gen_ids(segments, newest, errs, head):
    """enum kt_api_key and enum kt_error: the protocol's numbers by name."""
    out = [head]
    out.append("#ifndef KT_KAFKA_IDS_GEN_H\n#define KT_KAFKA_IDS_GEN_H\n\n")
    out.append("/* API keys (the request header's api_key). */\nenum kt_api_key {\n")
    reqs = segments[0]
    for k in sorted(reqs):
        segs = reqs[k]
        if not segs:
            continue
        name = api_name(newest[k]) if k in newest else api_name(segs[0][2])
        out.append("    KT_API_%s = %d,\n" % (upper_snake(name), k))
    out.append("};\n\n/* Protocol error codes. */\nenum kt_error {\n")
    for c in sorted(errs):
        out.append("    KT_ERR_%s = %d,\n" % (errs[c], c))
    out.append("};\n\n#endif\n")
    return "".join(out)


def gen_schema(segments, structs, head_c, head_h, depth):
    nfields = sum(len(st.fields) for st in structs)
    reqs = segments[0]
    maxseg = max(len(v) for t in segments for v in t.values())
    h = [head_h]
    h.append("#ifndef KT_KAFKA_SCHEMA_GEN_H\n#define KT_KAFKA_SCHEMA_GEN_H\n\n")
    h.append("#define KT_SCHEMA_NSTRUCTS %d\n" % len(structs))
    h.append("#define KT_SCHEMA_NFIELDS %d\n" % nfields)
    h.append("#define KT_SCHEMA_MAX_KEY %d\n" % max(k for k in reqs if reqs[k]))
    h.append("#define KT_SCHEMA_MAX_SEGS %d   /* version segments per message */\n" % maxseg)
    h.append("#define KT_SCHEMA_MAX_DEPTH %d   /* deepest struct nesting */\n" % depth)
    h.append("\n#endif\n")

    c = [head_c]
    c.append('#include "dissectors/kafka_schema.h"\n\n')
    c.append("const kt_sfield kt_schema_fields[KT_SCHEMA_NFIELDS] = {\n")
    fi = 0
    for st in structs:
        st.first = fi
        c.append("    /* %d: %s */\n" % (st.index, st.name))
        for fd in st.fields:
            flags = []
            if fd["array"]:
                flags.append("KT_FF_ARRAY")
            if fd["noflex"]:
                flags.append("KT_FF_NOFLEX")
            c.append("    { %s, %d, %s, %s, KT_ROLE_%s, %d, %d, %d, %d, %d, %d, %d },\n" % (
                c_str(fd["name"]),
                fd["child"].index if fd["child"] is not None else 0,
                FT[fd["type"]], "|".join(flags) or "0", fd["role"],
                fd["versions"][0], fd["versions"][1],
                fd["nullable"][0], fd["nullable"][1],
                fd["tagged"][0], fd["tagged"][1], fd["tag"]))
            fi += 1
    c.append("};\n\n")
    c.append("const kt_sstruct kt_schema_structs[KT_SCHEMA_NSTRUCTS] = {\n")
    for st in structs:
        ntag = sum(1 for fd in st.fields if fd["tag"] >= 0)
        c.append("    /* %d */ { %s, %d, %d, KT_SCOPE_%s, %d, %d, %d },\n" % (
            st.index, c_str(st.name), st.first, len(st.fields), st.scope,
            ntag, st.min_size[0], st.min_size[1]))
    c.append("};\n\n")
    for kind, table in (("requests", segments[0]), ("responses", segments[1])):
        c.append("const kt_smsg kt_schema_%s[KT_SCHEMA_MAX_KEY + 1] = {\n" % kind)
        for k in sorted(table):
            segs = sorted(table[k], key=lambda x: x[0])
            if not segs:
                continue
            parts = ["{ %d, %d, %d, %d }" % (lo, hi, m.flex_min, m.root.index)
                     for lo, hi, m in segs]
            c.append("    [%d] = { %d, { %s } },  /* %s */\n" % (
                k, len(segs), ", ".join(parts), segs[-1][2].name))
        c.append("};\n\n")
    return "".join(h), "".join(c)


def index_messages(msgs):
    reqs, resps = {}, {}
    for m in msgs:
        if m.api_key is None:
            die("%s: request/response without apiKey" % m.fname)
        table = reqs if m.kind == "request" else resps
        if m.api_key in table:
            die("api key %d defined twice" % m.api_key)
        table[m.api_key] = m
    if set(reqs) != set(resps):
        die("requests and responses do not pair up: %s" %
            sorted(set(reqs) ^ set(resps)))
    for k in reqs:
        if reqs[k].valid != resps[k].valid:
            die("api key %d: request and response validVersions differ" % k)
    return reqs, resps


def effective_range(m, newer, legacy):
    """Versions of m's validVersions that no newer message covers.  A legacy
    schema's unstable latest version (never spoken by a release) is left
    out."""
    lo, hi = m.valid
    if legacy and m.spec.get("latestVersionUnstable"):
        hi -= 1
    if lo < 0:
        return None
    vs = [v for v in range(lo, hi + 1)
          if not any(in_range(v, n.valid) for n in newer)]
    if not vs:
        return None
    if vs != list(range(vs[0], vs[-1] + 1)):
        die("%s: versions left to the legacy schema are not contiguous" % m.fname)
    return (vs[0], vs[-1])


def main(argv):
    args = argv[1:]
    legacy = []
    while len(args) >= 2 and args[0] == "--legacy":
        legacy.append(args[1])
        args = args[2:]
    if len(args) != 3:
        sys.stderr.write("usage: gen-kafka-tables.py [--legacy OLD_SCHEMA_DIR]... "
                         "SCHEMA_DIR ERRORS_TSV OUT_DIR\n")
        return 2
    schema_dir, errors_path, out_dir = args
    layers = []                 # (reqs, resps), newest first
    msgs, digest = load_schema(schema_dir, hashlib.sha256())
    all_msgs = list(msgs)
    layers.append(index_messages(msgs))
    for d in legacy:
        lm, digest = load_schema(d, digest)
        all_msgs += lm
        layers.append(index_messages(lm))
    errs = load_errors(errors_path, digest)
    reqs, resps = layers[0]
    keys = set()
    for lr, _ in layers:
        keys |= set(lr)
    # segments[kind][key] = [(lo, hi, msg)], newest layer first
    segments = ({}, {})
    structs = []
    for k in sorted(keys):
        for kind in (0, 1):
            newer = []
            segs = []
            for li, layer in enumerate(layers):
                m = layer[kind].get(k)
                if m is None:
                    continue
                r = effective_range(m, newer, li > 0)
                newer.append(m)
                if r is None:
                    continue
                build_structs(m, structs)
                compute_min_sizes(m)
                segs.append((r[0], r[1], m))
            segments[kind][k] = segs
    msgs = [seg[2] for table in segments for segs in table.values() for seg in segs]
    if len(structs) > 0xFFFF:
        die("too many structs")
    depth = max(depth_of(m.root) for m in msgs)
    if depth > MAX_DEPTH:
        die("schema nests deeper than %d" % MAX_DEPTH)
    dh = digest.hexdigest()
    n = len(all_msgs)
    apis_c = gen_apis(segments, reqs, errs, banner("kafka_apis_gen.c", dh, n))
    sch_h, sch_c = gen_schema(segments, structs,
                              banner("kafka_schema_gen.c", dh, n),
                              banner("kafka_schema_gen.h", dh, n), depth)
    ids_h = gen_ids(segments, reqs, errs, banner("kafka_ids_gen.h", dh, n))
    for fn, text in (("kafka_ids_gen.h", ids_h),
                     ("kafka_apis_gen.c", apis_c),
                     ("kafka_schema_gen.c", sch_c),
                     ("kafka_schema_gen.h", sch_h)):
        path = os.path.join(out_dir, fn)
        tmp = path + ".tmp"
        with open(tmp, "w", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
