/* kafka_walk.c - the generic schema-driven walker of Kafka bodies (see
 * kafka_walk.h for the contract).  It interprets the generated tables of
 * kafka_schema_gen.c; there is no per-API or per-version code here, but
 * for the one rule the schema cannot express (the ApiVersions fallback of
 * KIP-511, kept here so that it exists once).
 */
#include "dissectors/kafka_walk.h"
#include "dissectors/kafka_apis.h"     /* enum kt_api_key, enum kt_error */

#include <string.h>

/* Context of one struct being walked. */
typedef struct walk_frame {
    kt_slice topic;
    const uint8_t *topic_id;
    int32_t partition;
    int32_t error_code;
    const kt_sstruct *st;
    int scope;
} walk_frame;

typedef struct walker {
    kt_walk_fn fn;
    void *arg;
    unsigned flags;
    int version;
    int stopped;
    long elements;             /* array elements visited so far */
    const char *fail_field;
    const uint8_t *fail_at;
    walk_frame frames[KT_WALK_MAX_DEPTH + 1];
} walker;

/* Smallest encoding of one value of a primitive type: classic, compact. */
static const uint8_t min_size[KT_FT_STRUCT][2] = {
    [KT_FT_BOOL] = { 1, 1 },    [KT_FT_INT8] = { 1, 1 },
    [KT_FT_INT16] = { 2, 2 },   [KT_FT_UINT16] = { 2, 2 },
    [KT_FT_INT32] = { 4, 4 },   [KT_FT_UINT32] = { 4, 4 },
    [KT_FT_INT64] = { 8, 8 },   [KT_FT_FLOAT64] = { 8, 8 },
    [KT_FT_UUID] = { 16, 16 },  [KT_FT_STRING] = { 2, 1 },
    [KT_FT_BYTES] = { 4, 1 },   [KT_FT_RECORDS] = { 4, 1 },
};

static const kt_sseg *find_segment(int api_key, int version, int is_response)
{
    const kt_smsg *m;
    int i;
    if (api_key < 0 || api_key > KT_SCHEMA_MAX_KEY)
        return NULL;
    m = is_response ? &kt_schema_responses[api_key] : &kt_schema_requests[api_key];
    for (i = 0; i < m->nseg && i < KT_SCHEMA_MAX_SEGS; i++)
        if (version >= m->seg[i].vmin && version <= m->seg[i].vmax)
            return &m->seg[i];
    return NULL;
}

int kt_walk_known(int api_key, int api_version, int is_response)
{
    return find_segment(api_key, api_version, is_response) != NULL;
}

/* Record where the first failure happened. */
static int failed(walker *w, kt_cursor *c, const kt_sfield *f)
{
    if (!w->fail_field && !w->stopped) {
        w->fail_field = f ? f->name : "(body)";
        w->fail_at = c->ptr;
    }
    return -1;
}

static int emit(walker *w, kt_event *ev, int depth)
{
    const walk_frame *fr = &w->frames[depth];
    if (!w->fn)
        return 0;
    ev->depth = depth;
    ev->topic = fr->topic;
    ev->topic_id = fr->topic_id;
    ev->partition = fr->partition;
    if (w->fn(w->arg, ev)) {
        w->stopped = 1;
        return -1;
    }
    return 0;
}

static void init_event(kt_event *ev, int kind, const kt_sfield *f,
                       const walk_frame *fr)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->field = f;
    ev->role = f ? f->role : KT_ROLE_NONE;
    ev->type = f ? f->type : KT_FT_STRUCT;
    ev->st = fr->st;
    ev->scope = fr->scope;
    ev->index = -1;
    ev->count = 0;
    ev->error_code = KT_EV_NO_ERROR;
}

static int walk_struct(walker *w, kt_cursor *c, const kt_sfield *via,
                       uint16_t sidx, int flex, int depth, int64_t index);

/* One primitive value (a scalar field or one array element). */
static int walk_prim(walker *w, kt_cursor *c, const kt_sfield *f, int flex,
                     int nullable, int depth, int64_t index)
{
    walk_frame *fr = &w->frames[depth];
    kt_slice s = { NULL, 0, 0 };
    int64_t i = 0;
    uint64_t bits = 0;
    kt_event ev;

    switch (f->type) {
    case KT_FT_BOOL:
        i = kt_cur_u8(c) != 0;
        break;
    case KT_FT_INT8:
        i = kt_cur_i8(c);
        break;
    case KT_FT_INT16:
        i = kt_cur_i16(c);
        break;
    case KT_FT_UINT16:
        i = kt_cur_u16(c);
        break;
    case KT_FT_INT32:
        i = kt_cur_i32(c);
        break;
    case KT_FT_UINT32:
        i = kt_cur_u32(c);
        break;
    case KT_FT_INT64:
        i = kt_cur_i64(c);
        break;
    case KT_FT_FLOAT64:
        bits = kt_cur_u64(c);
        i = (int64_t)bits;
        break;
    case KT_FT_UUID:
        s = kt_cur_slice(c, 16);
        break;
    case KT_FT_STRING:
        s = flex ? kt_cur_compact_bytes(c) : kt_cur_string(c);
        break;
    case KT_FT_BYTES:
    case KT_FT_RECORDS:
        s = flex ? kt_cur_compact_bytes(c) : kt_cur_bytes(c);
        break;
    default:
        kt_cur_fail(c, KT_CUR_BAD_LENGTH);
        break;
    }
    if (!kt_cur_ok(c))
        return failed(w, c, f);
    if (s.is_null && !nullable) {   /* Kafka rejects a null here too */
        kt_cur_fail(c, KT_CUR_BAD_LENGTH);
        return failed(w, c, f);
    }
    if (index < 0 && f->role != KT_ROLE_NONE) {
        switch (f->role) {
        case KT_ROLE_TOPIC_NAME:
            fr->topic = s;
            break;
        case KT_ROLE_TOPIC_ID:
            fr->topic_id = s.ptr;
            break;
        case KT_ROLE_PARTITION_INDEX:
            fr->partition = (int32_t)i;
            break;
        case KT_ROLE_ERROR_CODE:
            if (fr->error_code == KT_EV_NO_ERROR)
                fr->error_code = (int32_t)i;
            break;
        }
    }
    if (!w->fn || (f->role == KT_ROLE_NONE && !(w->flags & KT_WALK_ALL_FIELDS)))
        return 0;
    init_event(&ev, KT_EV_FIELD, f, fr);
    ev.index = index;
    ev.i = i;
    ev.s = s;
    ev.is_null = s.is_null;
    if (f->type == KT_FT_FLOAT64)
        memcpy(&ev.f, &bits, sizeof ev.f);
    return emit(w, &ev, depth);
}

/* One field present in this version, at the cursor. */
static int walk_field(walker *w, kt_cursor *c, const kt_sfield *f, int flex,
                      int depth)
{
    int nullable = kt_in_versions(w->version, f->nmin, f->nmax);
    walk_frame *fr = &w->frames[depth];

    if (f->flags & KT_FF_NOFLEX)
        flex = 0;
    if (f->flags & KT_FF_ARRAY) {
        size_t msz;
        int64_t n, i;
        kt_event ev;
        if (f->type == KT_FT_STRUCT) {
            const kt_sstruct *st = &kt_schema_structs[f->child];
            msz = flex ? st->min_size_flex : st->min_size;
        } else {
            msz = min_size[f->type][flex ? 1 : 0];
        }
        n = flex ? kt_cur_compact_array_count(c, msz) : kt_cur_array_count(c, msz);
        if (!kt_cur_ok(c))
            return failed(w, c, f);
        if (n < 0 && !nullable) {
            kt_cur_fail(c, KT_CUR_BAD_LENGTH);
            return failed(w, c, f);
        }
        if (n > 0 && n > KT_WALK_MAX_ELEMENTS - w->elements) {
            kt_cur_fail(c, KT_CUR_LIMIT);
            return failed(w, c, f);
        }
        if (n > 0)
            w->elements += (long)n;
        if (w->fn) {
            init_event(&ev, KT_EV_ARRAY, f, fr);
            ev.count = n;
            ev.is_null = n < 0;
            if (emit(w, &ev, depth))
                return -1;
        }
        for (i = 0; i < n; i++) {
            int rc = f->type == KT_FT_STRUCT
                ? walk_struct(w, c, f, f->child, flex, depth + 1, i)
                : walk_prim(w, c, f, flex, 0, depth, i);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (f->type == KT_FT_STRUCT) {
        if (nullable) {
            int8_t present = kt_cur_i8(c);
            if (!kt_cur_ok(c))
                return failed(w, c, f);
            if (present < 0)
                return 0;           /* a null struct: no events */
        }
        return walk_struct(w, c, f, f->child, flex, depth + 1, -1);
    }
    return walk_prim(w, c, f, flex, nullable, depth, -1);
}

/* The tagged-field section that ends a struct in flexible versions. */
static int walk_tagged(walker *w, kt_cursor *c, const kt_sstruct *st,
                       int depth)
{
    int64_t n = kt_cur_check_count(c, kt_cur_uvarint(c), 2);
    int64_t i;

    if (!kt_cur_ok(c))
        return failed(w, c, NULL);
    for (i = 0; i < n; i++) {
        uint32_t tag = kt_cur_uvarint(c);
        uint32_t size = kt_cur_uvarint(c);
        kt_cursor sub = kt_cur_sub(c, size);
        const kt_sfield *f = NULL;
        unsigned j;
        int rc;

        if (!kt_cur_ok(c))
            return failed(w, c, NULL);
        for (j = 0; st->ntagged && j < st->nfields; j++) {
            const kt_sfield *g = &kt_schema_fields[st->first + j];
            if (g->tag >= 0 && (uint32_t)g->tag == tag &&
                kt_in_versions(w->version, g->tmin, g->tmax)) {
                f = g;
                break;
            }
        }
        if (!f)
            continue;               /* unknown tag: skipped */
        rc = walk_field(w, &sub, f, 1, depth);
        if (rc) {
            if (!kt_cur_ok(&sub))
                kt_cur_fail(c, sub.err);
            return rc;
        }
        if (kt_cur_left(&sub)) {    /* the value is shorter than its size */
            kt_cur_fail(c, KT_CUR_TRAILING);
            return failed(w, &sub, f);
        }
    }
    return 0;
}

static int walk_struct(walker *w, kt_cursor *c, const kt_sfield *via,
                       uint16_t sidx, int flex, int depth, int64_t index)
{
    const kt_sstruct *st;
    walk_frame *fr;
    kt_event ev;
    unsigned j;

    if (depth > KT_WALK_MAX_DEPTH || sidx >= KT_SCHEMA_NSTRUCTS) {
        kt_cur_fail(c, KT_CUR_LIMIT);
        return failed(w, c, via);
    }
    st = &kt_schema_structs[sidx];
    fr = &w->frames[depth];
    if (depth > 0) {
        *fr = w->frames[depth - 1];
    } else {
        fr->topic = kt_null_slice();
        fr->topic_id = NULL;
        fr->partition = -1;
    }
    fr->error_code = KT_EV_NO_ERROR;
    fr->st = st;
    fr->scope = st->scope;

    if (w->fn) {
        init_event(&ev, KT_EV_ENTER, via, fr);
        ev.index = index;
        ev.role = KT_ROLE_NONE;
        ev.type = KT_FT_STRUCT;
        if (emit(w, &ev, depth))
            return -1;
    }

    for (j = 0; j < st->nfields; j++) {
        const kt_sfield *f = &kt_schema_fields[st->first + j];
        int rc;
        if (!kt_in_versions(w->version, f->vmin, f->vmax))
            continue;
        if (flex && kt_in_versions(w->version, f->tmin, f->tmax))
            continue;               /* read from the tagged section */
        rc = walk_field(w, c, f, flex, depth);
        if (rc)
            return rc;
    }
    if (flex && walk_tagged(w, c, st, depth))
        return -1;

    if (!w->fn)
        return 0;
    init_event(&ev, KT_EV_LEAVE, via, fr);
    ev.index = index;
    ev.role = KT_ROLE_NONE;
    ev.type = KT_FT_STRUCT;
    ev.error_code = fr->error_code;
    return emit(w, &ev, depth);
}

static int walk_once(const kt_sseg *seg, int version, kt_cursor *c,
                     unsigned flags, kt_walk_fn fn, void *arg,
                     kt_walk_result *res)
{
    walker w;
    const uint8_t *base = c->ptr;
    int flex = seg->flex_min >= 0 && version >= seg->flex_min;
    int rc;

    memset(&w, 0, sizeof w);
    w.fn = fn;
    w.arg = arg;
    w.flags = flags;
    w.version = version;
    rc = walk_struct(&w, c, NULL, seg->root, flex, 0, -1);
    if (rc == 0 && kt_cur_left(c)) {
        failed(&w, c, NULL);
        kt_cur_fail(c, KT_CUR_TRAILING);
        rc = -1;
    }
    if (rc == 0) {
        res->status = KT_WALK_OK;
    } else if (w.stopped) {
        res->status = KT_WALK_STOPPED;
    } else {
        res->status = KT_WALK_MALFORMED;
        res->cur_err = c->err ? c->err : KT_CUR_BAD_LENGTH;
        res->field = w.fail_field;
        res->offset = w.fail_at && w.fail_at >= base ? (size_t)(w.fail_at - base) : 0;
    }
    return res->status;
}

int kt_walk(int api_key, int api_version, int is_response, kt_cursor *cur,
            unsigned flags, kt_walk_fn fn, void *arg, kt_walk_result *res)
{
    kt_walk_result local;
    const kt_sseg *seg;
    int16_t first;

    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (api_key < 0 || api_key > KT_SCHEMA_MAX_KEY ||
        !(is_response ? kt_schema_responses : kt_schema_requests)[api_key].nseg) {
        res->status = KT_WALK_UNKNOWN_API;
        return res->status;
    }
    /* A broker that does not support the requested ApiVersions version
     * answers in version 0 with UNSUPPORTED_VERSION (KIP-511); the error
     * code is the first field of every version. */
    if (is_response && api_key == KT_API_API_VERSIONS &&
        kt_cur_peek_i16(cur, 0, &first) && first == KT_ERR_UNSUPPORTED_VERSION) {
        res->version_rejected = 1;
        api_version = 0;
    }
    res->version = api_version;
    seg = find_segment(api_key, api_version, is_response);
    if (!seg) {
        res->status = KT_WALK_UNKNOWN_VERSION;
        return res->status;
    }
    if (!kt_cur_ok(cur)) {
        res->status = KT_WALK_MALFORMED;
        res->cur_err = cur->err;
        return res->status;
    }
    if (fn && !(flags & KT_WALK_NO_PREPASS)) {
        kt_cursor probe = *cur;
        if (walk_once(seg, api_version, &probe, flags, NULL, NULL, res)
            != KT_WALK_OK) {
            *cur = probe;
            return res->status;
        }
    }
    return walk_once(seg, api_version, cur, flags, fn, arg, res);
}

/* kt_walk_find: the first FIELD event with the role asked for ends the
 * walk. */
typedef struct role_search {
    int role;
    kt_event *found;
} role_search;

static int on_role(void *arg, const kt_event *ev)
{
    role_search *rs = arg;
    if (ev->kind != KT_EV_FIELD || ev->role != rs->role)
        return 0;
    *rs->found = *ev;
    return 1;
}

int kt_walk_find(int api_key, int api_version, int is_response,
                 const kt_cursor *body, int role, kt_event *found)
{
    kt_cursor c = *body;
    role_search rs = { role, found };
    return kt_walk(api_key, api_version, is_response, &c, KT_WALK_NO_PREPASS,
                   on_role, &rs, NULL) == KT_WALK_STOPPED;
}

const char *kt_walk_status_name(int status)
{
    switch (status) {
    case KT_WALK_OK: return "ok";
    case KT_WALK_UNKNOWN_API: return "unknown_api";
    case KT_WALK_UNKNOWN_VERSION: return "unknown_version";
    case KT_WALK_MALFORMED: return "malformed";
    case KT_WALK_STOPPED: return "stopped";
    }
    return "?";
}

const char *kt_role_name(int role)
{
    static const char *const names[KT_ROLE_COUNT] = {
        [KT_ROLE_NONE] = "none",
        [KT_ROLE_TOPIC_NAME] = "topic_name",
        [KT_ROLE_TOPIC_ID] = "topic_id",
        [KT_ROLE_PARTITION_INDEX] = "partition_index",
        [KT_ROLE_ERROR_CODE] = "error_code",
        [KT_ROLE_ERROR_MESSAGE] = "error_message",
        [KT_ROLE_THROTTLE_TIME_MS] = "throttle_time_ms",
        [KT_ROLE_RECORDS] = "records",
        [KT_ROLE_ACKS] = "acks",
        [KT_ROLE_TIMEOUT_MS] = "timeout_ms",
        [KT_ROLE_MAX_WAIT_MS] = "max_wait_ms",
        [KT_ROLE_FETCH_OFFSET] = "fetch_offset",
        [KT_ROLE_HIGH_WATERMARK] = "high_watermark",
        [KT_ROLE_LOG_START_OFFSET] = "log_start_offset",
        [KT_ROLE_LAST_STABLE_OFFSET] = "last_stable_offset",
        [KT_ROLE_BASE_OFFSET] = "base_offset",
        [KT_ROLE_GROUP_ID] = "group_id",
        [KT_ROLE_MEMBER_ID] = "member_id",
        [KT_ROLE_GROUP_INSTANCE_ID] = "group_instance_id",
        [KT_ROLE_GENERATION_ID] = "generation_id",
        [KT_ROLE_PROTOCOL_TYPE] = "protocol_type",
        [KT_ROLE_PROTOCOL_NAME] = "protocol_name",
        [KT_ROLE_TRANSACTIONAL_ID] = "transactional_id",
        [KT_ROLE_PRODUCER_ID] = "producer_id",
        [KT_ROLE_PRODUCER_EPOCH] = "producer_epoch",
        [KT_ROLE_TXN_RESULT] = "txn_result",
        [KT_ROLE_REPLICA_ID] = "replica_id",
        [KT_ROLE_BROKER_NODE_ID] = "broker_node_id",
        [KT_ROLE_BROKER_HOST] = "broker_host",
        [KT_ROLE_BROKER_PORT] = "broker_port",
    };
    if (role < 0 || role >= KT_ROLE_COUNT || !names[role])
        return "?";
    return names[role];
}

const char *kt_scope_name(int scope)
{
    switch (scope) {
    case KT_SCOPE_ROOT: return "root";
    case KT_SCOPE_TOPIC: return "topic";
    case KT_SCOPE_PARTITION: return "partition";
    case KT_SCOPE_GROUP: return "group";
    case KT_SCOPE_OTHER: return "other";
    }
    return "?";
}
