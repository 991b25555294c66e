/* test_walk.c - unit tests of the schema tables and the generic walker
 * (dissectors/kafka_apis_gen.c, kafka_schema_gen.c, kafka_walk.c).
 *
 * Ground truth, never the walker's own output:
 *   - real request/response bodies from the third-party captures in
 *     tests/data/third-party/ (provenance in its SOURCES.md), with the
 *     expected values read off tshark 4.0's decode
 *     (`tshark -r F -d tcp.port==9092,kafka -d tcp.port==36333,kafka -V`)
 *     or, for the flexible versions tshark 4.0 does not decode (Produce v9,
 *     Fetch v12/v13), decoded by hand against the schema JSON; each test
 *     says which;
 *   - bodies assembled here by hand, field by field, from the schema JSON
 *     (the JSON in dissectors/schema/ for the versions Kafka 4.4.0 declares
 *     valid, dissectors/schema-legacy/ for older ones), for every version of
 *     Produce and Fetch: each builder cites the fields and the versions in
 *     which they appear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cursor.h"
#include "kafka_apis.h"
#include "kafka_walk.h"

/* ------------------------------------------------------------------ */
/* Event recorder: a text log of the events with a role, plus the
 * partition/topic results seen at LEAVE. */

typedef struct rec {
    char log[16384];
    size_t n;
    unsigned flags;
    const char *want_field;   /* with KT_WALK_ALL_FIELDS: capture this one */
    int64_t want_value;
    int want_seen;
    int depth_max;
    int enters, leaves;
} rec;

static void logf_(rec *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->n < sizeof r->log) {
        int k = vsnprintf(r->log + r->n, sizeof r->log - r->n, fmt, ap);
        if (k > 0)
            r->n += (size_t)k;
    }
    va_end(ap);
}

static void log_topic(rec *r, const kt_event *ev)
{
    if (!ev->topic.is_null)
        logf_(r, "%.*s", (int)ev->topic.len, (const char *)ev->topic.ptr);
    else if (ev->topic_id)
        logf_(r, "id:%02x%02x%02x%02x", ev->topic_id[0], ev->topic_id[1],
              ev->topic_id[2], ev->topic_id[3]);
    else
        logf_(r, "?");
}

static int record(void *arg, const kt_event *ev)
{
    rec *r = arg;
    if (ev->depth > r->depth_max)
        r->depth_max = ev->depth;
    if (ev->kind == KT_EV_ENTER)
        r->enters++;
    if (ev->kind == KT_EV_LEAVE) {
        r->leaves++;
        if (ev->scope == KT_SCOPE_PARTITION) {
            logf_(r, "[");
            log_topic(r, ev);
            logf_(r, "/%d", ev->partition);
            if (ev->error_code != KT_EV_NO_ERROR)
                logf_(r, " err=%d", ev->error_code);
            logf_(r, "] ");
        } else if (ev->scope == KT_SCOPE_TOPIC && ev->error_code != KT_EV_NO_ERROR) {
            logf_(r, "[");
            log_topic(r, ev);
            logf_(r, " err=%d] ", ev->error_code);
        }
        return 0;
    }
    if (ev->kind != KT_EV_FIELD)
        return 0;
    if (r->want_field && strcmp(ev->field->name, r->want_field) == 0) {
        r->want_value = ev->i;
        r->want_seen++;
    }
    if (ev->role == KT_ROLE_NONE)
        return 0;
    logf_(r, "%s", kt_role_name(ev->role));
    if (ev->index >= 0)
        logf_(r, "[%lld]", (long long)ev->index);
    logf_(r, "=");
    switch (ev->type) {
    case KT_FT_STRING:
        if (ev->is_null)
            logf_(r, "null");
        else
            logf_(r, "%.*s", (int)ev->s.len, (const char *)ev->s.ptr);
        break;
    case KT_FT_BYTES:
    case KT_FT_RECORDS:
        if (ev->is_null)
            logf_(r, "null");
        else
            logf_(r, "len%zu", ev->s.len);
        break;
    case KT_FT_UUID:
        for (size_t i = 0; i < ev->s.len; i++)
            logf_(r, "%02x", ev->s.ptr[i]);
        break;
    default:
        logf_(r, "%lld", (long long)ev->i);
        break;
    }
    if (ev->role == KT_ROLE_ERROR_CODE || ev->role == KT_ROLE_THROTTLE_TIME_MS)
        logf_(r, "@%s", kt_scope_name(ev->scope));
    logf_(r, " ");
    return 0;
}

/* Walks a body and returns the status; the log is in r. */
static int walk_body(int key, int ver, int resp, const uint8_t *p, size_t n,
                     rec *r, kt_walk_result *res)
{
    kt_cursor c;
    int st;
    memset(r->log, 0, sizeof r->log);
    r->n = 0;
    r->want_seen = 0;
    r->depth_max = r->enters = r->leaves = 0;
    kt_cur_init(&c, p, n);
    st = kt_walk(key, ver, resp, &c, r->flags, record, r, res);
    if (st == KT_WALK_OK) {
        assert_int_equal(kt_cur_left(&c), 0);
        assert_int_equal(r->enters, r->leaves);
    }
    if (r->n && r->log[r->n - 1] == ' ')
        r->log[--r->n] = 0;
    return st;
}

/* ------------------------------------------------------------------ */
/* A minimal reader of the classic pcap files in tests/data/third-party/
 * (Ethernet with optional 802.1Q, or Linux cooked v1; IPv4; TCP), which
 * cuts each TCP payload into Kafka frames (these captures hold whole
 * frames per segment). */

#define MAX_FRAMES 64

typedef struct kframe {
    int to_broker;
    unsigned client_port;      /* tells connections apart */
    const uint8_t *p;          /* after the 4-byte size */
    size_t len;
} kframe;

typedef struct capture {
    uint8_t file[65536];
    size_t size;
    kframe f[MAX_FRAMES];
    int n;
} capture;

static uint32_t rd32(const uint8_t *p, int swap)
{
    return swap ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
                : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

static int is_broker_port(unsigned port)
{
    return port == 9092 || port == 36333;
}

static void load_capture(capture *cap, const char *name)
{
    char path[512];
    const char *srcdir = getenv("srcdir");
    FILE *fp;
    size_t off;
    uint32_t magic, link;
    int swap;

    snprintf(path, sizeof path, "%s/tests/data/third-party/%s",
             srcdir ? srcdir : ".", name);
    fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    cap->size = fread(cap->file, 1, sizeof cap->file, fp);
    fclose(fp);
    cap->n = 0;
    assert_true(cap->size >= 24);
    magic = rd32(cap->file, 0);
    swap = !(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d);
    link = rd32(cap->file + 20, swap);
    off = 24;
    while (off + 16 <= cap->size) {
        uint32_t caplen = rd32(cap->file + off + 8, swap);
        const uint8_t *pk = cap->file + off + 16;
        size_t l2, ip, ihl, thl, plen, totlen;
        unsigned sport, dport, etype;
        off += 16;
        if (caplen > cap->size - off)
            break;
        off += caplen;
        if (link == 1) {
            l2 = 14;
            etype = (unsigned)pk[12] << 8 | pk[13];
            if (etype == 0x8100) {
                etype = (unsigned)pk[16] << 8 | pk[17];
                l2 = 18;
            }
        } else if (link == 113) {
            l2 = 16;
            etype = (unsigned)pk[14] << 8 | pk[15];
        } else {
            fail_msg("link type %u", link);
            return;
        }
        if (etype != 0x0800 || caplen < l2 + 20)
            continue;
        ip = l2;
        ihl = (size_t)(pk[ip] & 0x0f) * 4;
        totlen = (size_t)pk[ip + 2] << 8 | pk[ip + 3];
        if (pk[ip + 9] != 6)
            continue;
        sport = (unsigned)pk[ip + ihl] << 8 | pk[ip + ihl + 1];
        dport = (unsigned)pk[ip + ihl + 2] << 8 | pk[ip + ihl + 3];
        thl = (size_t)(pk[ip + ihl + 12] >> 4) * 4;
        if (totlen > caplen - l2)
            totlen = caplen - l2;
        plen = totlen - ihl - thl;
        {
            const uint8_t *p = pk + ip + ihl + thl;
            while (plen >= 4 && cap->n < MAX_FRAMES) {
                uint32_t fl = rd32(p, 1);
                assert_true(fl <= plen - 4);   /* whole frames only */
                cap->f[cap->n].to_broker = is_broker_port(dport) && !is_broker_port(sport);
                cap->f[cap->n].client_port = cap->f[cap->n].to_broker ? sport : dport;
                cap->f[cap->n].p = p + 4;
                cap->f[cap->n].len = fl;
                cap->n++;
                p += 4 + fl;
                plen -= 4 + fl;
            }
        }
    }
}

typedef struct msg {
    unsigned client_port;
    int key, ver;
    int32_t corr;
    const uint8_t *body;
    size_t len;
} msg;

/* The n-th request (0-based) of the capture, header decoded with the
 * header-version rules of kafka_apis.h. */
static msg get_request(const capture *cap, int nth)
{
    msg m = { 0 };
    for (int i = 0; i < cap->n; i++) {
        kt_cursor c;
        const kt_api_info *api;
        if (!cap->f[i].to_broker || nth-- > 0)
            continue;
        kt_cur_init(&c, cap->f[i].p, cap->f[i].len);
        m.client_port = cap->f[i].client_port;
        m.key = kt_cur_i16(&c);
        m.ver = kt_cur_i16(&c);
        m.corr = kt_cur_i32(&c);
        api = kt_api_lookup(m.key);
        assert_non_null(api);
        int hv = kt_request_header_version(api, m.ver);
        if (hv >= 1)
            (void)kt_cur_string(&c);
        if (hv >= 2)
            kt_cur_skip_tagged_fields(&c);
        assert_true(kt_cur_ok(&c));
        m.body = c.ptr;
        m.len = kt_cur_left(&c);
        return m;
    }
    fail_msg("no request %d", nth);
    return m;
}

static msg get_response(const capture *cap, const msg *req)
{
    msg m = { 0 };
    for (int i = 0; i < cap->n; i++) {
        kt_cursor c;
        if (cap->f[i].to_broker || cap->f[i].client_port != req->client_port)
            continue;
        kt_cur_init(&c, cap->f[i].p, cap->f[i].len);
        m.corr = kt_cur_i32(&c);
        if (m.corr != req->corr)
            continue;
        m.key = req->key;
        m.ver = req->ver;
        if (kt_response_header_version(kt_api_lookup(req->key), req->ver) == 1)
            kt_cur_skip_tagged_fields(&c);
        assert_true(kt_cur_ok(&c));
        m.body = c.ptr;
        m.len = kt_cur_left(&c);
        return m;
    }
    fail_msg("no response to %d", req->corr);
    return m;
}

static capture cap;   /* large: not on the stack */

static void check_msg(const msg *m, int resp, const char *want, unsigned flags)
{
    rec r;
    kt_walk_result res;
    memset(&r, 0, sizeof r);
    r.flags = flags;
    int st = walk_body(m->key, m->ver, resp, m->body, m->len, &r, &res);
    if (st != KT_WALK_OK)
        fail_msg("walk %d v%d %s: %s (%s at %s+%zu)", m->key, m->ver,
                 resp ? "response" : "request", kt_walk_status_name(st),
                 kt_cur_error_name(res.cur_err), res.field ? res.field : "-",
                 res.offset);
    if (strcmp(r.log, want) != 0)
        fail_msg("api %d v%d %s\n got: %s\nwant: %s", m->key, m->ver,
                 resp ? "response" : "request", r.log, want);
}

/* ------------------------------------------------------------------ */
/* API table (kafka_apis.h), against the schema JSON and errors.tsv. */

static void test_api_table(void **state)
{
    (void)state;
    const kt_api_info *a = kt_api_lookup(0);
    assert_non_null(a);
    assert_string_equal(a->name, "Produce");
    /* ProduceRequest.json 4.4.0: validVersions 3-13, flexible 9+; the
     * legacy schema adds v0-2. */
    assert_int_equal(a->min_version, 0);
    assert_int_equal(a->max_version, 13);
    assert_int_equal(a->req_flexible_min, 9);
    assert_int_equal(a->resp_flexible_min, 9);
    a = kt_api_lookup(1);
    assert_string_equal(a->name, "Fetch");
    assert_int_equal(a->max_version, 18);
    assert_int_equal(a->req_flexible_min, 12);
    a = kt_api_lookup(18);
    assert_string_equal(a->name, "ApiVersions");
    assert_int_equal(a->req_flexible_min, 3);
    a = kt_api_lookup(17);
    assert_string_equal(a->name, "SaslHandshake");
    assert_int_equal(a->req_flexible_min, -1);
    a = kt_api_lookup(7);
    assert_string_equal(a->name, "ControlledShutdown");
    assert_int_equal(a->min_version, 0);
    assert_int_equal(a->max_version, 3);
    assert_non_null(kt_api_lookup(11));
    assert_string_equal(kt_api_lookup(11)->name, "JoinGroup");
    assert_null(kt_api_lookup(-1));
    assert_null(kt_api_lookup(kt_api_max_key() + 1));
    assert_null(kt_api_lookup(30000));
    assert_true(kt_api_max_key() >= 87);
}

static void test_header_versions(void **state)
{
    (void)state;
    const kt_api_info *produce = kt_api_lookup(0);
    const kt_api_info *cs = kt_api_lookup(7);
    const kt_api_info *av = kt_api_lookup(18);
    const kt_api_info *sasl = kt_api_lookup(17);
    assert_int_equal(kt_request_header_version(produce, 8), 1);
    assert_int_equal(kt_request_header_version(produce, 9), 2);
    assert_int_equal(kt_request_header_version(produce, 0), 1);
    assert_int_equal(kt_request_header_version(produce, 99), 2); /* beyond */
    assert_int_equal(kt_response_header_version(produce, 8), 0);
    assert_int_equal(kt_response_header_version(produce, 9), 1);
    assert_int_equal(kt_request_header_version(cs, 0), 0);
    assert_int_equal(kt_request_header_version(cs, 1), 1);
    assert_int_equal(kt_request_header_version(cs, 3), 2);
    assert_int_equal(kt_request_header_version(av, 2), 1);
    assert_int_equal(kt_request_header_version(av, 3), 2);
    assert_int_equal(kt_response_header_version(av, 3), 0);
    assert_int_equal(kt_response_header_version(av, 4), 0);
    assert_int_equal(kt_request_header_version(sasl, 1), 1);
    assert_int_equal(kt_response_header_version(sasl, 1), 0);
    assert_int_equal(kt_request_header_version(NULL, 5), 1);
    assert_int_equal(kt_response_header_version(NULL, 5), 0);
}

static void test_error_names(void **state)
{
    (void)state;
    /* errors.tsv (Kafka 4.4.0 Errors) */
    assert_string_equal(kt_error_name(-1), "UNKNOWN_SERVER_ERROR");
    assert_string_equal(kt_error_name(0), "NONE");
    assert_string_equal(kt_error_name(6), "NOT_LEADER_OR_FOLLOWER");
    assert_string_equal(kt_error_name(27), "REBALANCE_IN_PROGRESS");
    assert_string_equal(kt_error_name(58), "SASL_AUTHENTICATION_FAILED");
    assert_string_equal(kt_error_name(100), "UNKNOWN_TOPIC_ID");
    assert_null(kt_error_name(-2));
    assert_null(kt_error_name(5120));
    assert_null(kt_error_name(32767));
}

/* ------------------------------------------------------------------ */
/* Real bodies from third-party captures. */

/* deepflow 00-produce-v2: tshark decodes Produce v2 request and response.
 * Records: 117-byte frame - 26 header - 30 body fields = 61 bytes
 * (tshark: one message, Message Size 49, + 12 offset/size). */
static void test_capture_produce_v2(void **state)
{
    (void)state;
    load_capture(&cap, "deepflowio__deepflow__00-produce-v2.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.key, 0);
    assert_int_equal(rq.ver, 2);
    check_msg(&rq, 0, "acks=1 timeout_ms=1500 topic_name=topic2 "
              "partition_index=0 records=len61 [topic2/0]", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "topic_name=topic2 partition_index=0 "
              "error_code=0@partition base_offset=0 [topic2/0 err=0] "
              "throttle_time_ms=0@root", 0);
}

/* deepflow 00-produce-v7-sw8: tshark decodes Produce v7; the record batch
 * is Message Size 220 + 12 = 232 bytes. */
static void test_capture_produce_v7(void **state)
{
    (void)state;
    load_capture(&cap, "deepflowio__deepflow__00-produce-v7-sw8.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.ver, 7);
    check_msg(&rq, 0, "transactional_id=null acks=1 timeout_ms=30000 "
              "topic_name=quickstart-events partition_index=0 records=len232 "
              "[quickstart-events/0]", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "topic_name=quickstart-events partition_index=0 "
              "error_code=0@partition base_offset=7 log_start_offset=0 "
              "[quickstart-events/0 err=0] throttle_time_ms=0@root", 0);
}

/* deepflow 00-produce-v9: tshark 4.0 does not decode v9.  By hand against
 * ProduceRequest.json (flexible 9+): TransactionalId 00 (null), Acks 0001,
 * TimeoutMs 000005dc, TopicData 02 (1), Name 09 "zqy-test",
 * PartitionData 02 (1), Index 00000000, Records 0x64 (99 bytes: a v2 batch
 * of 8+4+0x57), then three empty tagged sections.  Response
 * (ProduceResponse.json): Responses 02, Name "zqy-test", PartitionResponses
 * 02, Index 0, ErrorCode 0, BaseOffset 0x23, LogAppendTimeMs -1,
 * LogStartOffset 0x10, RecordErrors 01 (empty), ErrorMessage 00 (null),
 * tags, ThrottleTimeMs 0, tags. */
static void test_capture_produce_v9(void **state)
{
    (void)state;
    load_capture(&cap, "deepflowio__deepflow__00-produce-v9.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.ver, 9);
    check_msg(&rq, 0, "transactional_id=null acks=1 timeout_ms=1500 "
              "topic_name=zqy-test partition_index=0 records=len99 "
              "[zqy-test/0]", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "topic_name=zqy-test partition_index=0 "
              "error_code=0@partition base_offset=35 log_start_offset=16 "
              "error_message=null [zqy-test/0 err=0] throttle_time_ms=0@root", 0);
}

/* deepflow 01-fetch-v12-ok: by hand against FetchRequest.json (v12,
 * flexible): ReplicaId -1, MaxWaitMs 0x1f4, MinBytes 1, MaxBytes 0x3200000,
 * IsolationLevel 0, SessionId 0x2f2671c5, SessionEpoch 0x3420, Topics 02,
 * Topic "zqy-test", Partitions 02, Partition 0, CurrentLeaderEpoch 0,
 * FetchOffset 0x24, LastFetchedEpoch -1, LogStartOffset -1,
 * PartitionMaxBytes 0x100000, tags, tags, ForgottenTopicsData 01, RackId 01
 * (""), tags.  Response: ThrottleTimeMs 0, ErrorCode 0, SessionId, an empty
 * Responses array, tags. */
static void test_capture_fetch_v12(void **state)
{
    (void)state;
    rec r;
    memset(&r, 0, sizeof r);
    load_capture(&cap, "deepflowio__deepflow__01-fetch-v12-ok.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.key, 1);
    assert_int_equal(rq.ver, 12);
    check_msg(&rq, 0, "max_wait_ms=500 topic_name=zqy-test partition_index=0 "
              "fetch_offset=36 log_start_offset=-1 [zqy-test/0]", 0);
    /* Every field: SessionEpoch is 0x3420. */
    r.flags = KT_WALK_ALL_FIELDS;
    r.want_field = "SessionEpoch";
    assert_int_equal(walk_body(1, 12, 0, rq.body, rq.len, &r, NULL), KT_WALK_OK);
    assert_int_equal(r.want_seen, 1);
    assert_int_equal(r.want_value, 0x3420);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "throttle_time_ms=0@root error_code=0@root", 0);
}

/* deepflow 01-fetch-v12-unknown: the same exchange with an error code
 * 0x1400 (5120, no such Kafka error) at the top of the response. */
static void test_capture_fetch_v12_unknown_error(void **state)
{
    (void)state;
    load_capture(&cap, "deepflowio__deepflow__01-fetch-v12-unknown.pcap");
    msg rq = get_request(&cap, 0);
    check_msg(&rq, 0, "max_wait_ms=500", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "throttle_time_ms=0@root error_code=5120@root", 0);
    assert_null(kt_error_name(5120));
}

/* deepflow 11-join-group-v7: tshark decodes JoinGroup v7. */
static void test_capture_join_group_v7(void **state)
{
    (void)state;
    load_capture(&cap, "deepflowio__deepflow__11-join-group-v7.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.key, 11);
    assert_int_equal(rq.ver, 7);
    check_msg(&rq, 0, "group_id=zzzz12 member_id= group_instance_id=null "
              "protocol_type=consumer protocol_name=range "
              "protocol_name=cooperative-sticky", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "throttle_time_ms=0@root error_code=-1@root "
              "generation_id=-1 protocol_type=null protocol_name=null "
              "member_id=consumer-zzzz12-1-d8e04a09-9f69-4efe-8f78-617db03d8090", 0);
}

/* deepflow 14-sync-group-v5: tshark decodes SyncGroup v5. */
static void test_capture_sync_group_v5(void **state)
{
    (void)state;
    load_capture(&cap, "deepflowio__deepflow__14-sync-group-v5.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.ver, 5);
    check_msg(&rq, 0, "group_id=zzzz12 generation_id=7 "
              "member_id=consumer-zzzz12-1-d8e04a09-9f69-4efe-8f78-617db03d8090 "
              "group_instance_id=null protocol_type=consumer protocol_name=range "
              "member_id=consumer-zzzz12-1-d8e04a09-9f69-4efe-8f78-617db03d8090", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "throttle_time_ms=0@root error_code=-1@root "
              "protocol_type=consumer protocol_name=range", 0);
}

/* deepflow 13-leave-group-v4: tshark decodes LeaveGroup v4. */
static void test_capture_leave_group_v4(void **state)
{
    (void)state;
    load_capture(&cap, "deepflowio__deepflow__13-leave-group-v4.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.ver, 4);
    check_msg(&rq, 0, "group_id=zzzz12 "
              "member_id=consumer-zzzz12-1-a8623cc8-5472-4736-812e-d9817d27dfca "
              "group_instance_id=null", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "throttle_time_ms=0@root error_code=0@root "
              "member_id=consumer-zzzz12-1-a8623cc8-5472-4736-812e-d9817d27dfca "
              "group_instance_id=null error_code=0@other", 0);
}

/* deepflow 18-api-versions-v3: tshark decodes 59 ApiKeys entries, error 0,
 * throttle 0, and one tagged field (tag 1, 8 zero bytes), which
 * ApiVersionsResponse.json names FinalizedFeaturesEpoch (int64). */
static void test_capture_api_versions_v3(void **state)
{
    (void)state;
    rec r;
    memset(&r, 0, sizeof r);
    load_capture(&cap, "deepflowio__deepflow__18-api-versions-v3.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.key, 18);
    assert_int_equal(rq.ver, 3);
    check_msg(&rq, 0, "", 0);
    msg rs = get_response(&cap, &rq);
    check_msg(&rs, 1, "error_code=0@root throttle_time_ms=0@root", 0);
    r.flags = KT_WALK_ALL_FIELDS;
    r.want_field = "ApiKey";
    assert_int_equal(walk_body(18, 3, 1, rs.body, rs.len, &r, NULL), KT_WALK_OK);
    assert_int_equal(r.want_seen, 59);
    assert_int_equal(r.want_value, 67);       /* the last entry: key 67 */
    r.want_field = "FinalizedFeaturesEpoch";
    assert_int_equal(walk_body(18, 3, 1, rs.body, rs.len, &r, NULL), KT_WALK_OK);
    assert_int_equal(r.want_seen, 1);
    assert_int_equal(r.want_value, 0);
}

/* deepflow mixed-with-unsupported: OffsetCommit v8 and Heartbeat v4
 * (tshark decodes both), Fetch v13 (by hand: like v12 above with an empty
 * Topics array, SessionId 0x47011fe8, SessionEpoch 0xe64). */
static void test_capture_mixed(void **state)
{
    (void)state;
    rec r;
    memset(&r, 0, sizeof r);
    load_capture(&cap, "deepflowio__deepflow__mixed-with-unsupported.pcap");
    msg f = get_request(&cap, 0);
    assert_int_equal(f.key, 1);
    assert_int_equal(f.ver, 13);
    check_msg(&f, 0, "max_wait_ms=500", 0);
    r.flags = KT_WALK_ALL_FIELDS;
    r.want_field = "SessionEpoch";
    assert_int_equal(walk_body(1, 13, 0, f.body, f.len, &r, NULL), KT_WALK_OK);
    assert_int_equal(r.want_value, 0xe64);
    msg fr = get_response(&cap, &f);
    check_msg(&fr, 1, "throttle_time_ms=0@root error_code=0@root", 0);

    msg oc = get_request(&cap, 1);
    assert_int_equal(oc.key, 8);
    assert_int_equal(oc.ver, 8);
    check_msg(&oc, 0, "group_id=frauddetectionservice generation_id=1 "
              "member_id=consumer-frauddetectionservice-1-3f6f2451-d192-4d49-bb3b-f46ed49b57a9 "
              "group_instance_id=null topic_name=orders partition_index=0 "
              "[orders/0]", 0);
    msg ocr = get_response(&cap, &oc);
    check_msg(&ocr, 1, "throttle_time_ms=0@root topic_name=orders "
              "partition_index=0 error_code=0@partition [orders/0 err=0]", 0);

    msg hb = get_request(&cap, 2);
    assert_int_equal(hb.key, 12);
    assert_int_equal(hb.ver, 4);
    check_msg(&hb, 0, "group_id=frauddetectionservice generation_id=1 "
              "member_id=consumer-frauddetectionservice-1-3f6f2451-d192-4d49-bb3b-f46ed49b57a9 "
              "group_instance_id=null", 0);
    msg hbr = get_response(&cap, &hb);
    check_msg(&hbr, 1, "throttle_time_ms=0@root error_code=0@root", 0);
}

/* arkime: ListOffsets v0 (a legacy version, from schema-legacy/); tshark:
 * Replica ID -1, topic integration.test.topic1475007069352, partition 0,
 * Time -1, Max Offsets 1. */
static void test_capture_list_offsets_v0(void **state)
{
    (void)state;
    rec r;
    memset(&r, 0, sizeof r);
    load_capture(&cap, "arkime__arkime__kafka.pcap");
    msg rq = get_request(&cap, 0);
    assert_int_equal(rq.key, 2);
    assert_int_equal(rq.ver, 0);
    check_msg(&rq, 0, "topic_name=integration.test.topic1475007069352 "
              "partition_index=0 [integration.test.topic1475007069352/0]", 0);
    r.flags = KT_WALK_ALL_FIELDS;
    r.want_field = "MaxNumOffsets";
    assert_int_equal(walk_body(2, 0, 0, rq.body, rq.len, &r, NULL), KT_WALK_OK);
    assert_int_equal(r.want_seen, 1);
    assert_int_equal(r.want_value, 1);
}

/* 40t go-sniffer: Metadata v0 (the topic and partition error codes come
 * before the name and index: the LEAVE context must still attribute them)
 * and Produce v1; tshark decodes all four. */
static void test_capture_metadata_produce_v1(void **state)
{
    (void)state;
    load_capture(&cap, "40t__go-sniffer__kafka.pcap");
    msg md = get_request(&cap, 0);
    assert_int_equal(md.key, 3);
    assert_int_equal(md.ver, 0);
    check_msg(&md, 0, "topic_name=test", 0);
    msg mdr = get_response(&cap, &md);
    check_msg(&mdr, 1, "error_code=0@topic topic_name=test "
              "error_code=0@partition partition_index=0 [test/0 err=0] "
              "[test err=0]", 0);
    msg pr = get_request(&cap, 1);
    assert_int_equal(pr.key, 0);
    assert_int_equal(pr.ver, 1);
    /* Records: tshark's Message Size 1047 + 12 (offset, size) = 1059; also
     * 1120-byte frame - 33 header (2+2+4+2+23) - 28 body fields
     * (2+4+4+2+4+4+4+4) = 1059. */
    check_msg(&pr, 0, "acks=1 timeout_ms=30000 topic_name=test "
              "partition_index=0 records=len1059 [test/0]", 0);
    msg prr = get_response(&cap, &pr);
    check_msg(&prr, 1, "topic_name=test partition_index=0 "
              "error_code=0@partition base_offset=17 [test/0 err=0] "
              "throttle_time_ms=0@root", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_table),
        cmocka_unit_test(test_header_versions),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_capture_produce_v2),
        cmocka_unit_test(test_capture_produce_v7),
        cmocka_unit_test(test_capture_produce_v9),
        cmocka_unit_test(test_capture_fetch_v12),
        cmocka_unit_test(test_capture_fetch_v12_unknown_error),
        cmocka_unit_test(test_capture_join_group_v7),
        cmocka_unit_test(test_capture_sync_group_v5),
        cmocka_unit_test(test_capture_leave_group_v4),
        cmocka_unit_test(test_capture_api_versions_v3),
        cmocka_unit_test(test_capture_mixed),
        cmocka_unit_test(test_capture_list_offsets_v0),
        cmocka_unit_test(test_capture_metadata_produce_v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
