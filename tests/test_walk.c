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
 *   - the real Apache Kafka 4.4.0 captures in pcaps/kafka/ with the broker's
 *     end offsets in their truth files;
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

#include "common/cursor.h"
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_records.h"
#include "dissectors/kafka_walk.h"

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
    kt_slice records[4];       /* the RECORDS values seen */
    int nrecords;
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
    if (ev->role == KT_ROLE_RECORDS && r->nrecords < 4)
        r->records[r->nrecords++] = ev->s;
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
    r->nrecords = 0;
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
/* A minimal reader of the pcap and pcapng files in tests/data/third-party/
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

static void add_packet(capture *cap, uint32_t link, const uint8_t *pk,
                       size_t caplen)
{
    size_t l2, ip, ihl, thl, plen, totlen;
    unsigned sport, dport, etype;
    const uint8_t *p;

    if (link == 1) {
        if (caplen < 14)
            return;
        l2 = 14;
        etype = (unsigned)pk[12] << 8 | pk[13];
        if (etype == 0x8100 && caplen >= 18) {
            etype = (unsigned)pk[16] << 8 | pk[17];
            l2 = 18;
        }
    } else if (link == 113) {
        if (caplen < 16)
            return;
        l2 = 16;
        etype = (unsigned)pk[14] << 8 | pk[15];
    } else {
        fail_msg("link type %u", link);
        return;
    }
    if (etype != 0x0800 || caplen < l2 + 20)
        return;
    ip = l2;
    ihl = (size_t)(pk[ip] & 0x0f) * 4;
    totlen = (size_t)pk[ip + 2] << 8 | pk[ip + 3];
    if (pk[ip + 9] != 6 || caplen < l2 + ihl + 20)
        return;
    sport = (unsigned)pk[ip + ihl] << 8 | pk[ip + ihl + 1];
    dport = (unsigned)pk[ip + ihl + 2] << 8 | pk[ip + ihl + 3];
    thl = (size_t)(pk[ip + ihl + 12] >> 4) * 4;
    if (totlen > caplen - l2)
        totlen = caplen - l2;
    if (totlen < ihl + thl)
        return;
    plen = totlen - ihl - thl;
    p = pk + ip + ihl + thl;
    while (plen >= 4 && cap->n < MAX_FRAMES) {
        uint32_t fl = rd32(p, 1);
        if (fl > plen - 4)
            return;                 /* not a whole frame: not used here */
        cap->f[cap->n].to_broker = is_broker_port(dport) && !is_broker_port(sport);
        cap->f[cap->n].client_port = cap->f[cap->n].to_broker ? sport : dport;
        cap->f[cap->n].p = p + 4;
        cap->f[cap->n].len = fl;
        cap->n++;
        p += 4 + fl;
        plen -= 4 + fl;
    }
}

static void load_capture(capture *cap, const char *name)
{
    char path[512];
    const char *srcdir = getenv("srcdir");
    FILE *fp;
    size_t off;
    uint32_t magic;

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
    if (magic == 0x0a0d0d0a) {
        /* pcapng: section header (byte order magic), interface
         * descriptions (link type), enhanced packet blocks. */
        uint32_t links[8];
        int nif = 0;
        int swap = rd32(cap->file + 8, 0) != 0x1a2b3c4d;
        off = 0;
        while (off + 12 <= cap->size) {
            uint32_t type = rd32(cap->file + off, swap);
            uint32_t blen = rd32(cap->file + off + 4, swap);
            const uint8_t *b = cap->file + off + 8;
            if (blen < 12 || blen > cap->size - off)
                break;
            if (type == 1 && nif < 8)
                links[nif++] = (uint32_t)(swap ? (b[0] << 8 | b[1]) : (b[1] << 8 | b[0]));
            if (type == 6 && blen >= 32) {
                uint32_t ifid = rd32(b, swap);
                uint32_t caplen = rd32(b + 12, swap);
                if ((int)ifid < nif && caplen <= blen - 32)
                    add_packet(cap, links[ifid], b + 20, caplen);
            }
            off += blen;
        }
        return;
    }
    int swap = !(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d);
    uint32_t link = rd32(cap->file + 20, swap);
    off = 24;
    while (off + 16 <= cap->size) {
        uint32_t caplen = rd32(cap->file + off + 8, swap);
        off += 16;
        if (caplen > cap->size - off)
            break;
        add_packet(cap, link, cap->file + off, caplen);
        off += caplen;
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

/* The request with this api key and correlation id. */
static msg find_request(const capture *cap, int key, int32_t corr)
{
    for (int nth = 0;; nth++) {
        msg m = get_request(cap, nth);
        if (m.key == key && m.corr == corr)
            return m;
    }
}

static capture cap;   /* large: not on the stack */

/* Walks a Produce request and counts its (single) records value; *first
 * gets the first batch. */
static void produce_records(const msg *m, kt_records_summary *sum, kt_batch *first)
{
    rec r;
    kt_cursor c;
    memset(&r, 0, sizeof r);
    assert_int_equal(walk_body(m->key, m->ver, 0, m->body, m->len, &r, NULL),
                     KT_WALK_OK);
    assert_int_equal(r.nrecords, 1);
    kt_records_scan(r.records[0], 0, sum);
    kt_cur_init(&c, r.records[0].ptr, r.records[0].len);
    assert_int_equal(kt_batch_next(&c, first), KT_BATCH_OK);
}

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
    {
        /* tshark: one Message, Offset 0, Message Size 49, Magic Byte 1,
         * Compression Codec None. */
        kt_records_summary sum;
        kt_batch b;
        produce_records(&rq, &sum, &b);
        assert_int_equal(sum.batches, 1);
        assert_int_equal(sum.records, 1);
        assert_int_equal(sum.magic, 1);
        assert_int_equal(sum.codec_batches[KT_CODEC_NONE], 1);
        assert_int_equal(sum.malformed, 0);
        assert_int_equal(sum.partial_bytes, 0);
        assert_int_equal(b.length, 49);
        assert_true(b.base_offset == 0);
    }
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
    {
        /* tshark: Record Batch, Offset 0, Message Size 220, Magic 2, codec
         * None, non-transactional data batch, Last Offset Delta 0,
         * Producer ID -1, Producer Epoch -1, Base Sequence -1, 1 record. */
        kt_records_summary sum;
        kt_batch b;
        produce_records(&rq, &sum, &b);
        assert_int_equal(sum.batches, 1);
        assert_int_equal(sum.records, 1);
        assert_int_equal(sum.magic, 2);
        assert_int_equal(sum.codec_batches[KT_CODEC_NONE], 1);
        assert_int_equal(sum.transactional_batches, 0);
        assert_int_equal(sum.control_batches, 0);
        assert_true(sum.first_offset == 0 && sum.last_offset == 0);
        assert_int_equal(sum.bytes, 232);
        assert_int_equal(b.length, 220);
        assert_true(b.producer_id == -1);
        assert_int_equal(b.producer_epoch, -1);
        assert_int_equal(b.base_sequence, -1);
    }
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
    {
        /* By hand: baseOffset 0, batchLength 0x57, epoch -1, magic 2,
         * attributes 0, lastOffsetDelta 0, producerId -1, 1 record. */
        kt_records_summary sum;
        kt_batch b;
        produce_records(&rq, &sum, &b);
        assert_int_equal(sum.batches, 1);
        assert_int_equal(sum.records, 1);
        assert_int_equal(b.length, 0x57);
        assert_int_equal(b.magic, 2);
        assert_true(b.producer_id == -1);
        assert_int_equal(b.record_count, 1);
    }
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
    check_msg(&rq, 0, "replica_id=-1 max_wait_ms=500 topic_name=zqy-test partition_index=0 "
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
    check_msg(&rq, 0, "replica_id=-1 max_wait_ms=500", 0);
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
    check_msg(&f, 0, "replica_id=-1 max_wait_ms=500", 0);
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
    check_msg(&rq, 0, "replica_id=-1 topic_name=integration.test.topic1475007069352 "
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
    check_msg(&mdr, 1, "broker_node_id=0 broker_host=VM_9_227_centos broker_port=9092 "
              "error_code=0@topic topic_name=test "
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
    {
        /* tshark: one Message, Offset 0, Message Size 1047, Magic Byte 0,
         * Compression Codec None. */
        kt_records_summary sum;
        kt_batch b;
        produce_records(&pr, &sum, &b);
        assert_int_equal(sum.batches, 1);
        assert_int_equal(sum.records, 1);
        assert_int_equal(sum.magic, 0);
        assert_int_equal(b.length, 1047);
        assert_int_equal(sum.malformed, 0);
    }
    msg prr = get_response(&cap, &pr);
    check_msg(&prr, 1, "topic_name=test partition_index=0 "
              "error_code=0@partition base_offset=17 [test/0 err=0] "
              "throttle_time_ms=0@root", 0);
}


/* nDPI kafka.pcapng: two Produce v3 requests from librdkafka (tshark
 * decodes them: one record batch each, Message Size 372 and 305, Magic 2,
 * codec None, Producer ID -1, Producer Epoch 0, Base Sequence -1, 1 record)
 * and their responses (offsets 11222049 and 11222050). */
static void test_capture_ndpi_produce_v3(void **state)
{
    (void)state;
    static const struct { int32_t corr; int size; const char *off; } want[] = {
        { 2, 372, "11222049" }, { 3, 305, "11222050" } };
    load_capture(&cap, "ntop__nDPI__kafka.pcapng");
    for (int i = 0; i < 2; i++) {
        char w[512];
        kt_records_summary sum;
        kt_batch b;
        msg rq = find_request(&cap, 0, want[i].corr);
        assert_int_equal(rq.ver, 3);
        snprintf(w, sizeof w, "transactional_id=null acks=1 timeout_ms=5000 "
                 "topic_name=LB_MAIN_LOG_INPUT partition_index=0 records=len%d "
                 "[LB_MAIN_LOG_INPUT/0]", want[i].size + 12);
        check_msg(&rq, 0, w, 0);
        produce_records(&rq, &sum, &b);
        assert_int_equal(sum.batches, 1);
        assert_int_equal(sum.records, 1);
        assert_int_equal(b.length, want[i].size);
        assert_true(b.producer_id == -1);
        assert_int_equal(b.producer_epoch, 0);
        assert_int_equal(b.base_sequence, -1);
        assert_int_equal(b.codec, KT_CODEC_NONE);
        msg rs = get_response(&cap, &rq);
        snprintf(w, sizeof w, "topic_name=LB_MAIN_LOG_INPUT partition_index=0 "
                 "error_code=0@partition base_offset=%s "
                 "[LB_MAIN_LOG_INPUT/0 err=0] throttle_time_ms=0@root", want[i].off);
        check_msg(&rs, 1, w, 0);
    }
}

/* nDPI kafka-v2023.pcapng: a Java producer's InitProducerId v4, Metadata
 * v12 and Produce v9, none of which tshark 4.0 decodes; decoded by hand
 * against the schema JSON:
 *   InitProducerId v4 request: TransactionalId 00 (null),
 *     TransactionTimeoutMs 0x7fffffff, ProducerId -1, ProducerEpoch -1, tags;
 *     response: ThrottleTimeMs 0, ErrorCode 0, ProducerId 0, ProducerEpoch 0.
 *   Metadata v12 request: Topics 02 { TopicId zero, Name "sampleTopic" },
 *     AllowAutoTopicCreation 1, IncludeTopicAuthorizedOperations 0;
 *     response: ThrottleTimeMs 0, Brokers 02 { 0, "localhost", 9092, null },
 *     ClusterId "nE-OJv2oQyuCcxLzMxUcFw", ControllerId 0, Topics 02
 *     { ErrorCode 0, Name "sampleTopic", TopicId c4a4c0df..., IsInternal 0,
 *       Partitions 02 { ErrorCode 0, PartitionIndex 0, LeaderId 0,
 *       LeaderEpoch 0, ReplicaNodes [0], IsrNodes [0], OfflineReplicas [] },
 *       TopicAuthorizedOperations INT32_MIN }.
 *   Produce v9 request: TransactionalId null, Acks -1, TimeoutMs 1500,
 *     "sampleTopic" partition 0, Records 0x51 (80 bytes: baseOffset 0,
 *     batchLength 0x44, magic 2, producerId 0, producerEpoch 0,
 *     baseSequence 0, 1 record "Hello world!"); response: BaseOffset 0,
 *     LogAppendTimeMs -1, LogStartOffset 0, no record errors, null message. */
static void test_capture_ndpi_flexible(void **state)
{
    (void)state;
    rec r;
    memset(&r, 0, sizeof r);
    load_capture(&cap, "ntop__nDPI__kafka-v2023.pcapng");

    msg ip = find_request(&cap, 22, 4);
    assert_int_equal(ip.ver, 4);
    check_msg(&ip, 0, "transactional_id=null producer_id=-1 producer_epoch=-1", 0);
    msg ipr = get_response(&cap, &ip);
    check_msg(&ipr, 1, "throttle_time_ms=0@root error_code=0@root producer_id=0 producer_epoch=0", 0);

    msg md = find_request(&cap, 3, 5);
    assert_int_equal(md.ver, 12);
    check_msg(&md, 0, "topic_id=00000000000000000000000000000000 "
              "topic_name=sampleTopic", 0);
    msg mdr = get_response(&cap, &md);
    check_msg(&mdr, 1, "throttle_time_ms=0@root broker_node_id=0 broker_host=localhost "
              "broker_port=9092 error_code=0@topic "
              "topic_name=sampleTopic topic_id=c4a4c0df715f41b79ca495c62744d56c "
              "error_code=0@partition partition_index=0 [sampleTopic/0 err=0] "
              "[sampleTopic err=0]", 0);
    r.flags = KT_WALK_ALL_FIELDS;
    r.want_field = "TopicAuthorizedOperations";
    assert_int_equal(walk_body(3, 12, 1, mdr.body, mdr.len, &r, NULL), KT_WALK_OK);
    assert_int_equal(r.want_seen, 1);
    assert_true(r.want_value == INT32_MIN);

    msg pr = find_request(&cap, 0, 6);
    assert_int_equal(pr.ver, 9);
    check_msg(&pr, 0, "transactional_id=null acks=-1 timeout_ms=1500 "
              "topic_name=sampleTopic partition_index=0 records=len80 "
              "[sampleTopic/0]", 0);
    {
        kt_records_summary sum;
        kt_batch b;
        produce_records(&pr, &sum, &b);
        assert_int_equal(sum.records, 1);
        assert_int_equal(b.length, 0x44);
        assert_true(b.producer_id == 0);
        assert_int_equal(b.producer_epoch, 0);
        assert_int_equal(b.base_sequence, 0);
    }
    msg prr = get_response(&cap, &pr);
    check_msg(&prr, 1, "topic_name=sampleTopic partition_index=0 "
              "error_code=0@partition base_offset=0 log_start_offset=0 "
              "error_message=null [sampleTopic/0 err=0] throttle_time_ms=0@root", 0);
}

/* ------------------------------------------------------------------ */
/* Real Apache Kafka 4.4.0 captures (pcaps/kafka/, recorded by the capture
 * harness against a real broker, with the broker's own end offsets in
 * NAME.truth.json): every request and response body decodes, and for
 * codecs.pcap the records of the Produce requests acknowledged with error 0,
 * per topic-partition (Produce v13 names topics by id: the ids are mapped to
 * names from the Metadata responses), equal the broker's end offsets. */

typedef struct rflow {
    uint32_t sip, dip;
    unsigned sport, dport;
    int client;                /* 1: sent the SYN; -1: answered it */
    uint32_t next;
    int seq_known;
    uint8_t *b;
    size_t n, cap;
} rflow;

typedef struct rpend {
    uint32_t cip;
    unsigned cport;
    int32_t corr;
    int key, ver;
    int used;
    int np;
    uint8_t tid[16][16];       /* topic id per records value */
    char tname[16][64];
    int32_t part[16];
    uint64_t records[16];
} rpend;

typedef struct rstate {
    rflow flows[256];
    int nflows;
    rpend *pend;
    int npend, cap_pend;
    struct { uint8_t id[16]; char name[64]; } ids[64];
    int nids;
    struct { char name[64]; int32_t part; uint64_t acked; } acked[64];
    int nacked;
    int requests, responses;
    /* per-struct scratch while walking a Metadata response */
    kt_slice md_name;
    const uint8_t *md_id;
} rstate;

static rflow *rflow_get(rstate *st, uint32_t sip, uint32_t dip, unsigned sp, unsigned dp)
{
    for (int i = 0; i < st->nflows; i++) {
        rflow *f = &st->flows[i];
        if (f->sip == sip && f->dip == dip && f->sport == sp && f->dport == dp)
            return f;
    }
    assert_true(st->nflows < 256);
    rflow *f = &st->flows[st->nflows++];
    memset(f, 0, sizeof *f);
    f->sip = sip;
    f->dip = dip;
    f->sport = sp;
    f->dport = dp;
    return f;
}

static void topic_key(const kt_event *ev, rstate *st, char *name, size_t n)
{
    if (!ev->topic.is_null) {
        snprintf(name, n, "%.*s", (int)ev->topic.len, (const char *)ev->topic.ptr);
        return;
    }
    snprintf(name, n, "?");
    if (ev->topic_id)
        for (int i = 0; i < st->nids; i++)
            if (memcmp(st->ids[i].id, ev->topic_id, 16) == 0)
                snprintf(name, n, "%s", st->ids[i].name);
}

static int real_on_request(void *arg, const kt_event *ev)
{
    rpend *p = arg;
    if (ev->kind == KT_EV_FIELD && ev->role == KT_ROLE_RECORDS && p->np < 16) {
        kt_records_summary sum;
        kt_records_scan(ev->s, 0, &sum);
        assert_int_equal(sum.malformed, 0);
        assert_int_equal(sum.partial_bytes, 0);
        memset(p->tid[p->np], 0, 16);
        p->tname[p->np][0] = 0;
        if (ev->topic_id)
            memcpy(p->tid[p->np], ev->topic_id, 16);
        if (!ev->topic.is_null)
            snprintf(p->tname[p->np], 64, "%.*s", (int)ev->topic.len,
                     (const char *)ev->topic.ptr);
        p->part[p->np] = ev->partition;
        p->records[p->np] = sum.records;
        p->np++;
    }
    return 0;
}

typedef struct real_resp {
    rstate *st;
    rpend *p;
} real_resp;

static int real_on_response(void *arg, const kt_event *ev)
{
    real_resp *rr = arg;
    rstate *st = rr->st;
    if (rr->p->key == 3) {          /* Metadata: learn topic id -> name */
        if (ev->kind == KT_EV_LEAVE && ev->scope == KT_SCOPE_TOPIC &&
            !ev->topic.is_null && ev->topic_id && st->nids < 64) {
            memcpy(st->ids[st->nids].id, ev->topic_id, 16);
            snprintf(st->ids[st->nids].name, 64, "%.*s", (int)ev->topic.len,
                     (const char *)ev->topic.ptr);
            st->nids++;
        }
        return 0;
    }
    if (rr->p->key == 0 && ev->kind == KT_EV_LEAVE &&
        ev->scope == KT_SCOPE_PARTITION && ev->error_code == 0) {
        char name[64];
        topic_key(ev, st, name, sizeof name);
        for (int i = 0; i < rr->p->np; i++) {
            char rq[64];
            rq[0] = 0;
            if (rr->p->tname[i][0])
                snprintf(rq, sizeof rq, "%s", rr->p->tname[i]);
            else
                for (int k = 0; k < st->nids; k++)
                    if (memcmp(st->ids[k].id, rr->p->tid[i], 16) == 0)
                        snprintf(rq, sizeof rq, "%s", st->ids[k].name);
            if (rr->p->part[i] != ev->partition || strcmp(rq, name) != 0)
                continue;
            int j;
            for (j = 0; j < st->nacked; j++)
                if (st->acked[j].part == ev->partition &&
                    strcmp(st->acked[j].name, name) == 0)
                    break;
            if (j == st->nacked) {
                assert_true(st->nacked < 64);
                snprintf(st->acked[j].name, 64, "%s", name);
                st->acked[j].part = ev->partition;
                st->acked[j].acked = 0;
                st->nacked++;
            }
            st->acked[j].acked += rr->p->records[i];
        }
    }
    return 0;
}

static void walk_flow(rstate *st, rflow *f, const char *file)
{
    size_t o = 0;
    while (o + 4 <= f->n) {
        uint32_t len = rd32(f->b + o, 1);
        const uint8_t *p = f->b + o + 4;
        kt_cursor c;
        kt_walk_result res;
        int status;
        if (len > f->n - o - 4)
            fail_msg("%s: frame cut short at the end of a flow", file);
        o += 4 + len;
        kt_cur_init(&c, p, len);
        if (f->client == 1) {
            rpend *q;
            int key = kt_cur_i16(&c), ver = kt_cur_i16(&c);
            int32_t corr = kt_cur_i32(&c);
            const kt_api_info *api = kt_api_lookup(key);
            int hv = kt_request_header_version(api, ver);
            if (hv >= 1)
                (void)kt_cur_string(&c);
            if (hv >= 2)
                kt_cur_skip_tagged_fields(&c);
            if (st->npend == st->cap_pend) {
                st->cap_pend = st->cap_pend * 2 + 64;
                st->pend = realloc(st->pend, (size_t)st->cap_pend * sizeof *st->pend);
                assert_non_null(st->pend);
            }
            q = &st->pend[st->npend++];
            memset(q, 0, sizeof *q);
            q->cip = f->sip;
            q->cport = f->sport;
            q->corr = corr;
            q->key = key;
            q->ver = ver;
            q->used = 1;
            status = kt_walk(key, ver, 0, &c, 0, real_on_request, q, &res);
            if (status != KT_WALK_OK)
                fail_msg("%s: request %d v%d corr %d: %s (%s at %s)", file,
                         key, ver, corr, kt_walk_status_name(status),
                         kt_cur_error_name(res.cur_err), res.field);
            st->requests++;
        } else {
            int32_t corr = kt_cur_i32(&c);
            rpend *q = NULL;
            for (int i = 0; i < st->npend; i++)
                if (st->pend[i].used && st->pend[i].corr == corr &&
                    st->pend[i].cip == f->dip && st->pend[i].cport == f->dport)
                    q = &st->pend[i];
            if (!q)
                fail_msg("%s: response %d without a request", file, corr);
            q->used = 0;
            if (kt_response_header_version(kt_api_lookup(q->key), q->ver) == 1)
                kt_cur_skip_tagged_fields(&c);
            real_resp rr = { st, q };
            status = kt_walk(q->key, q->ver, 1, &c, 0, real_on_response, &rr, &res);
            if (status != KT_WALK_OK)
                fail_msg("%s: response %d v%d corr %d: %s (%s at %s)", file,
                         q->key, q->ver, corr, kt_walk_status_name(status),
                         kt_cur_error_name(res.cur_err), res.field);
            st->responses++;
        }
    }
}

/* Reads a whole classic pcap; returns 0 if the file is not there. */
static int walk_real_capture(rstate *st, const char *name)
{
    char path[512];
    const char *srcdir = getenv("srcdir");
    FILE *fp;
    long size;
    uint8_t *file;
    size_t off;
    int swap;
    uint32_t link;

    snprintf(path, sizeof path, "%s/pcaps/kafka/%s", srcdir ? srcdir : ".", name);
    fp = fopen(path, "rb");
    if (!fp)
        return 0;
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    rewind(fp);
    file = malloc((size_t)size);
    assert_non_null(file);
    assert_int_equal(fread(file, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    memset(st, 0, sizeof *st);
    swap = !(rd32(file, 0) == 0xa1b2c3d4 || rd32(file, 0) == 0xa1b23c4d);
    link = rd32(file + 20, swap);
    assert_true(link == 1 || link == 113);
    off = 24;
    while (off + 16 <= (size_t)size) {
        uint32_t caplen = rd32(file + off + 8, swap);
        const uint8_t *pk = file + off + 16;
        off += 16;
        assert_true(caplen <= (size_t)size - off);
        off += caplen;
        size_t l2 = link == 1 ? 14 : 16;
        const uint8_t *ip = pk + l2;
        if (caplen < l2 + 40 || (ip[0] >> 4) != 4 || ip[9] != 6)
            continue;
        size_t ihl = (size_t)(ip[0] & 15) * 4;
        size_t tot = (size_t)ip[2] << 8 | ip[3];
        const uint8_t *tcp = ip + ihl;
        size_t thl = (size_t)(tcp[12] >> 4) * 4;
        size_t plen = tot - ihl - thl;
        uint32_t seq = rd32(tcp + 4, 1);
        rflow *f = rflow_get(st, rd32(ip + 12, 1), rd32(ip + 16, 1),
                             (unsigned)tcp[0] << 8 | tcp[1],
                             (unsigned)tcp[2] << 8 | tcp[3]);
        if (tcp[13] & 0x02) {       /* SYN */
            f->client = (tcp[13] & 0x10) ? -1 : 1;
            f->next = seq + 1;
            f->seq_known = 1;
            continue;
        }
        if (plen == 0)
            continue;
        assert_true(f->seq_known);  /* the harness captures whole connections */
        if ((int32_t)(seq - f->next) < 0)
            continue;               /* retransmission */
        assert_true(seq == f->next);  /* loopback: no loss, no reordering */
        f->next = seq + (uint32_t)plen;
        if (f->n + plen > f->cap) {
            f->cap = (f->n + plen) * 2;
            f->b = realloc(f->b, f->cap);
            assert_non_null(f->b);
        }
        memcpy(f->b + f->n, tcp + thl, plen);
        f->n += plen;
    }
    /* Requests before responses, flow by flow: enough for correlation, as
     * every response follows its request. */
    for (int i = 0; i < st->nflows; i++)
        if (st->flows[i].client == 1)
            walk_flow(st, &st->flows[i], name);
    for (int i = 0; i < st->nflows; i++)
        if (st->flows[i].client == -1)
            walk_flow(st, &st->flows[i], name);
    for (int i = 0; i < st->nflows; i++)
        free(st->flows[i].b);
    free(st->pend);
    free(file);
    return 1;
}

/* The {topic, partition, records} entries of a truth file. */
static int read_truth(const char *name, char topics[][64], int32_t *parts,
                      uint64_t *records, int max)
{
    char path[512], text[65536];
    const char *srcdir = getenv("srcdir");
    snprintf(path, sizeof path, "%s/pcaps/kafka/%s", srcdir ? srcdir : ".", name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = 0;
    int k = 0;
    const char *p = strstr(text, "\"partitions\"");
    while (p && k < max && (p = strstr(p, "\"topic\"")) != NULL) {
        const char *q = strchr(p + 7, '"');
        const char *e = q ? strchr(q + 1, '"') : NULL;
        const char *pp = strstr(p, "\"partition\"");
        const char *rp = strstr(p, "\"records\"");
        if (!q || !e || !pp || !rp)
            break;
        snprintf(topics[k], 64, "%.*s", (int)(e - q - 1), q + 1);
        parts[k] = (int32_t)strtol(strchr(pp + 11, ':') + 1, NULL, 10);
        records[k] = strtoull(strchr(rp + 9, ':') + 1, NULL, 10);
        k++;
        p = rp;
    }
    return k;
}

static void test_real_kafka_captures(void **state)
{
    (void)state;
    static const char *const files[] = {
        "codecs.pcap", "group-classic-rebalance.pcap",
        "group-consumer-protocol.pcap", "quota-throttle.pcap",
        "topic-deleted.pcap",
    };
    static rstate st;
    int seen = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (!walk_real_capture(&st, files[i]))
            continue;
        seen++;
        assert_true(st.requests > 0);
        assert_int_equal(st.requests, st.responses);
        if (strcmp(files[i], "codecs.pcap") == 0) {
            char topics[32][64];
            int32_t parts[32];
            uint64_t records[32];
            int n = read_truth("codecs.truth.json", topics, parts, records, 32);
            assert_true(n > 0);
            assert_int_equal(st.nacked, n);
            for (int k = 0; k < n; k++) {
                int j;
                for (j = 0; j < st.nacked; j++)
                    if (st.acked[j].part == parts[k] &&
                        strcmp(st.acked[j].name, topics[k]) == 0)
                        break;
                if (j == st.nacked)
                    fail_msg("%s/%d not seen", topics[k], parts[k]);
                if (st.acked[j].acked != records[k])
                    fail_msg("%s/%d: %llu acked records, truth %llu", topics[k],
                             parts[k], (unsigned long long)st.acked[j].acked,
                             (unsigned long long)records[k]);
            }
        }
    }
    if (!seen)
        skip();
}

/* ------------------------------------------------------------------ */
/* Bodies assembled by hand from the schema JSON. */

typedef struct bb {
    uint8_t b[4096];
    size_t n;
} bb;

static void put(bb *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void p8(bb *o, int v)
{
    uint8_t x = (uint8_t)v;
    put(o, &x, 1);
}

static void p16(bb *o, int v)
{
    p8(o, (v >> 8) & 0xff);
    p8(o, v & 0xff);
}

static void p32(bb *o, int64_t v)
{
    for (int sh = 24; sh >= 0; sh -= 8)
        p8(o, (int)((uint64_t)v >> sh) & 0xff);
}

static void p64(bb *o, int64_t v)
{
    for (int sh = 56; sh >= 0; sh -= 8)
        p8(o, (int)((uint64_t)v >> sh) & 0xff);
}

static void puv(bb *o, uint32_t v)         /* unsigned varint */
{
    while (v >= 0x80) {
        p8(o, (int)(v & 0x7f) | 0x80);
        v >>= 7;
    }
    p8(o, (int)v);
}

/* STRING: int16 length (-1 null) or, flexible, uvarint length+1 (0 null). */
static void pstr(bb *o, int flex, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (flex)
        puv(o, s ? (uint32_t)n + 1 : 0);
    else
        p16(o, s ? (int)n : -1);
    if (s)
        put(o, s, n);
}

/* BYTES / RECORDS: int32 length (-1 null) or uvarint length+1. */
static void pbytes(bb *o, int flex, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (flex)
        puv(o, s ? (uint32_t)n + 1 : 0);
    else
        p32(o, s ? (int64_t)n : -1);
    if (s)
        put(o, s, n);
}

/* ARRAY count: int32 (-1 null) or uvarint count+1 (0 null). */
static void parr(bb *o, int flex, int n)
{
    if (flex)
        puv(o, n < 0 ? 0 : (uint32_t)n + 1);
    else
        p32(o, n);
}

static const uint8_t TOPIC_ID[16] = {
    0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static void puuid(bb *o)
{
    put(o, TOPIC_ID, 16);
}

static void no_tags(bb *o, int flex)
{
    if (flex)
        p8(o, 0);                 /* empty tagged-field section */
}

/* ProduceRequest.json (4.4.0: v3-13; legacy: v0-2), flexible 9+:
 *   TransactionalId string 3+ nullable 3+; Acks int16; TimeoutMs int32;
 *   TopicData [] { Name string 0-12 | TopicId uuid 13+;
 *                  PartitionData [] { Index int32; Records records nullable } } */
static void build_produce_request(bb *o, int v)
{
    int fx = v >= 9;
    o->n = 0;
    if (v >= 3)
        pstr(o, fx, NULL);
    p16(o, -1);
    p32(o, 30000);
    parr(o, fx, 1);
    if (v <= 12)
        pstr(o, fx, "t1");
    else
        puuid(o);
    parr(o, fx, 2);
    p32(o, 3);
    pbytes(o, fx, "ABCDE");
    no_tags(o, fx);
    p32(o, 4);
    pbytes(o, fx, NULL);
    no_tags(o, fx);
    no_tags(o, fx);
    no_tags(o, fx);
}

/* ProduceResponse.json: Responses [] { Name 0-12 | TopicId 13+;
 *   PartitionResponses [] { Index int32; ErrorCode int16; BaseOffset int64;
 *     LogAppendTimeMs int64 2+; LogStartOffset int64 5+;
 *     RecordErrors [] 8+ { BatchIndex int32; BatchIndexErrorMessage string
 *       nullable 8+ }; ErrorMessage string 8+ nullable 8+;
 *     CurrentLeader tag 0 (10+) { LeaderId int32; LeaderEpoch int32 } } };
 *   ThrottleTimeMs int32 1+;
 *   NodeEndpoints tag 0 (10+) [] { NodeId int32; Host string; Port int32;
 *     Rack string nullable } */
static void build_produce_response(bb *o, int v)
{
    int fx = v >= 9;
    o->n = 0;
    parr(o, fx, 1);
    if (v <= 12)
        pstr(o, fx, "t1");
    else
        puuid(o);
    parr(o, fx, 1);
    p32(o, 3);
    p16(o, 6);
    p64(o, 100);
    if (v >= 2)
        p64(o, -1);
    if (v >= 5)
        p64(o, 7);
    if (v >= 8) {
        parr(o, fx, 1);
        p32(o, 0);
        pstr(o, fx, NULL);
        no_tags(o, fx);
        pstr(o, fx, "bad");
    }
    if (v >= 10) {
        p8(o, 1);                 /* one tagged field */
        p8(o, 0);                 /* tag 0: CurrentLeader */
        p8(o, 9);                 /* size: 4 + 4 + 1 */
        p32(o, 2);
        p32(o, 5);
        p8(o, 0);
    } else {
        no_tags(o, fx);
    }
    no_tags(o, fx);
    if (v >= 1)
        p32(o, 25);
    if (v >= 10) {
        p8(o, 1);                 /* tag 0: NodeEndpoints */
        p8(o, 0);
        p8(o, 1 + 4 + 2 + 4 + 1 + 1);
        parr(o, 1, 1);
        p32(o, 2);
        pstr(o, 1, "h");
        p32(o, 9092);
        pstr(o, 1, NULL);
        p8(o, 0);
    } else {
        no_tags(o, fx);
    }
}

static void expect_topic(char *w, size_t n, int v, int id_from)
{
    if (v >= id_from)
        snprintf(w, n, "topic_id=deadbeef0102030405060708090a0b0c");
    else
        snprintf(w, n, "topic_name=t1");
}

static const char *topic_ctx(int v, int id_from)
{
    return v >= id_from ? "id:deadbeef" : "t1";
}

static void test_produce_every_version(void **state)
{
    (void)state;
    const kt_api_info *api = kt_api_lookup(0);
    for (int v = api->min_version; v <= api->max_version; v++) {
        bb o;
        rec r;
        kt_walk_result res;
        char want[1024], t[128];
        memset(&r, 0, sizeof r);

        build_produce_request(&o, v);
        expect_topic(t, sizeof t, v, 13);
        snprintf(want, sizeof want,
                 "%sacks=-1 timeout_ms=30000 %s partition_index=3 "
                 "records=len5 [%s/3] partition_index=4 records=null [%s/4]",
                 v >= 3 ? "transactional_id=null " : "", t,
                 topic_ctx(v, 13), topic_ctx(v, 13));
        if (walk_body(0, v, 0, o.b, o.n, &r, &res) != KT_WALK_OK)
            fail_msg("produce request v%d: %s at %s", v,
                     kt_cur_error_name(res.cur_err), res.field);
        if (strcmp(r.log, want))
            fail_msg("produce request v%d\n got: %s\nwant: %s", v, r.log, want);

        build_produce_response(&o, v);
        snprintf(want, sizeof want,
                 "%s partition_index=3 error_code=6@partition base_offset=100 "
                 "%s%s[%s/3 err=6]%s", t,
                 v >= 5 ? "log_start_offset=7 " : "",
                 v >= 8 ? "error_message=bad " : "",
                 topic_ctx(v, 13),
                 v >= 1 ? " throttle_time_ms=25@root" : "");
        if (walk_body(0, v, 1, o.b, o.n, &r, &res) != KT_WALK_OK)
            fail_msg("produce response v%d: %s at %s", v,
                     kt_cur_error_name(res.cur_err), res.field);
        if (strcmp(r.log, want))
            fail_msg("produce response v%d\n got: %s\nwant: %s", v, r.log, want);
        /* The tagged fields of v10+ are decoded, not just skipped. */
        r.flags = KT_WALK_ALL_FIELDS;
        r.want_field = "LeaderEpoch";
        assert_int_equal(walk_body(0, v, 1, o.b, o.n, &r, NULL), KT_WALK_OK);
        assert_int_equal(r.want_seen, v >= 10);
        if (v >= 10)
            assert_int_equal(r.want_value, 5);
        r.want_field = "Port";
        assert_int_equal(walk_body(0, v, 1, o.b, o.n, &r, NULL), KT_WALK_OK);
        assert_int_equal(r.want_seen, v >= 10);
        if (v >= 10)
            assert_int_equal(r.want_value, 9092);
    }
}

/* FetchRequest.json (4.4.0: v4-18; legacy: v0-3), flexible 12+:
 *   ClusterId tag 0 (12+) string nullable; ReplicaId int32 0-14;
 *   ReplicaState tag 1 (15+) { ReplicaId int32; ReplicaEpoch int64 };
 *   MaxWaitMs int32; MinBytes int32; MaxBytes int32 3+;
 *   IsolationLevel int8 4+; SessionId int32 7+; SessionEpoch int32 7+;
 *   Topics [] { Topic string 0-12 | TopicId uuid 13+;
 *     Partitions [] { Partition int32; CurrentLeaderEpoch int32 9+;
 *       FetchOffset int64; LastFetchedEpoch int32 12+;
 *       LogStartOffset int64 5+; PartitionMaxBytes int32;
 *       ReplicaDirectoryId tag 0 (17+) uuid;
 *       HighWatermark tag 1 (18+) int64 } };
 *   ForgottenTopicsData [] 7+ { Topic string 7-12 | TopicId uuid 13+;
 *     Partitions []int32 };
 *   RackId string 11+ */
static void build_fetch_request(bb *o, int v)
{
    int fx = v >= 12;
    o->n = 0;
    if (v <= 14)
        p32(o, -1);
    p32(o, 500);
    p32(o, 1);
    if (v >= 3)
        p32(o, 52428800);
    if (v >= 4)
        p8(o, 1);
    if (v >= 7) {
        p32(o, 11);
        p32(o, -1);
    }
    parr(o, fx, 1);
    if (v <= 12)
        pstr(o, fx, "t1");
    else
        puuid(o);
    parr(o, fx, 1);
    p32(o, 2);
    if (v >= 9)
        p32(o, -1);
    p64(o, 1000);
    if (v >= 12)
        p32(o, -1);
    if (v >= 5)
        p64(o, -1);
    p32(o, 1048576);
    if (v >= 18) {
        p8(o, 2);                 /* two tagged fields */
        p8(o, 0);                 /* ReplicaDirectoryId */
        p8(o, 16);
        puuid(o);
        p8(o, 1);                 /* HighWatermark */
        p8(o, 8);
        p64(o, 1234);
    } else if (v >= 17) {
        p8(o, 1);
        p8(o, 0);
        p8(o, 16);
        puuid(o);
    } else {
        no_tags(o, fx);
    }
    no_tags(o, fx);
    if (v >= 7) {
        parr(o, fx, 1);
        if (v <= 12)
            pstr(o, fx, "t0");
        else
            puuid(o);
        parr(o, fx, 2);
        p32(o, 5);
        p32(o, 6);
        no_tags(o, fx);
    }
    if (v >= 11)
        pstr(o, fx, "r1");
    if (v >= 15) {
        p8(o, 2);
        p8(o, 0);                 /* ClusterId "c1" */
        p8(o, 3);
        pstr(o, 1, "c1");
        p8(o, 1);                 /* ReplicaState */
        p8(o, 4 + 8 + 1);
        p32(o, -1);
        p64(o, -1);
        p8(o, 0);
    } else if (v >= 12) {
        p8(o, 1);
        p8(o, 0);
        p8(o, 3);
        pstr(o, 1, "c1");
    }
}

/* FetchResponse.json: ThrottleTimeMs int32 1+; ErrorCode int16 7+;
 *   SessionId int32 7+;
 *   Responses [] { Topic string 0-12 | TopicId uuid 13+;
 *     Partitions [] { PartitionIndex int32; ErrorCode int16;
 *       HighWatermark int64; LastStableOffset int64 4+;
 *       LogStartOffset int64 5+;
 *       DivergingEpoch tag 0 (12+) { Epoch int32; EndOffset int64 };
 *       CurrentLeader tag 1 (12+) { LeaderId int32; LeaderEpoch int32 };
 *       SnapshotId tag 2 (12+) { EndOffset int64; Epoch int32 };
 *       AbortedTransactions [] 4+ nullable 4+ { ProducerId int64;
 *         FirstOffset int64 };
 *       PreferredReadReplica int32 11+; Records records nullable } };
 *   NodeEndpoints tag 0 (16+) [] { NodeId; Host; Port; Rack } */
static void build_fetch_response(bb *o, int v)
{
    int fx = v >= 12;
    o->n = 0;
    if (v >= 1)
        p32(o, 10);
    if (v >= 7) {
        p16(o, 0);
        p32(o, 11);
    }
    parr(o, fx, 1);
    if (v <= 12)
        pstr(o, fx, "t1");
    else
        puuid(o);
    parr(o, fx, 1);
    p32(o, 2);
    p16(o, 1);
    p64(o, 5000);
    if (v >= 4)
        p64(o, 4999);
    if (v >= 5)
        p64(o, 10);
    if (v >= 4) {
        if (v % 2) {              /* odd versions: a null array */
            parr(o, fx, -1);
        } else {
            parr(o, fx, 1);
            p64(o, 77);
            p64(o, 4000);
            no_tags(o, fx);
        }
    }
    if (v >= 11)
        p32(o, -1);
    pbytes(o, fx, "XYZ");
    if (fx) {
        p8(o, 2);
        p8(o, 0);                 /* DivergingEpoch */
        p8(o, 4 + 8 + 1);
        p32(o, 3);
        p64(o, 900);
        p8(o, 0);
        p8(o, 1);                 /* CurrentLeader */
        p8(o, 4 + 4 + 1);
        p32(o, 1);
        p32(o, 8);
        p8(o, 0);
    }
    no_tags(o, fx);
    if (v >= 16) {
        p8(o, 1);
        p8(o, 0);
        p8(o, 1 + 4 + 2 + 4 + 1 + 1);
        parr(o, 1, 1);
        p32(o, 2);
        pstr(o, 1, "h");
        p32(o, 9093);
        pstr(o, 1, NULL);
        p8(o, 0);
    } else {
        no_tags(o, fx);
    }
}

static void test_fetch_every_version(void **state)
{
    (void)state;
    const kt_api_info *api = kt_api_lookup(1);
    for (int v = api->min_version; v <= api->max_version; v++) {
        bb o;
        rec r;
        kt_walk_result res;
        char want[1024], t[128], t0[128];
        memset(&r, 0, sizeof r);

        build_fetch_request(&o, v);
        expect_topic(t, sizeof t, v, 13);
        if (v >= 13)
            snprintf(t0, sizeof t0, "%s", t);
        else
            snprintf(t0, sizeof t0, "topic_name=t0");
        snprintf(want, sizeof want,
                 "%smax_wait_ms=500 %s partition_index=2 fetch_offset=1000 "
                 "%s%s[%s/2]%s%s%s%s",
                 v <= 14 ? "replica_id=-1 " : "", t, v >= 5 ? "log_start_offset=-1 " : "",
                 v >= 18 ? "high_watermark=1234 " : "", topic_ctx(v, 13),
                 v >= 7 ? " " : "", v >= 7 ? t0 : "",
                 v >= 7 ? " partition_index[0]=5 partition_index[1]=6" : "",
                 v >= 15 ? " replica_id=-1" : "");   /* in the tagged ReplicaState */
        if (walk_body(1, v, 0, o.b, o.n, &r, &res) != KT_WALK_OK)
            fail_msg("fetch request v%d: %s at %s", v,
                     kt_cur_error_name(res.cur_err), res.field);
        if (strcmp(r.log, want))
            fail_msg("fetch request v%d\n got: %s\nwant: %s", v, r.log, want);
        r.flags = KT_WALK_ALL_FIELDS;
        r.want_field = "ReplicaEpoch";       /* tagged ReplicaState, 15+ */
        assert_int_equal(walk_body(1, v, 0, o.b, o.n, &r, NULL), KT_WALK_OK);
        assert_int_equal(r.want_seen, v >= 15);
        r.flags = 0;

        build_fetch_response(&o, v);
        snprintf(want, sizeof want,
                 "%s%s%s partition_index=2 error_code=1@partition "
                 "high_watermark=5000 %s%s%srecords=len3 [%s/2 err=1]",
                 v >= 1 ? "throttle_time_ms=10@root " : "",
                 v >= 7 ? "error_code=0@root " : "", t,
                 v >= 4 ? "last_stable_offset=4999 " : "",
                 v >= 5 ? "log_start_offset=10 " : "",
                 v >= 4 && v % 2 == 0 ? "producer_id=77 " : "",
                 topic_ctx(v, 13));
        if (walk_body(1, v, 1, o.b, o.n, &r, &res) != KT_WALK_OK)
            fail_msg("fetch response v%d: %s at %s", v,
                     kt_cur_error_name(res.cur_err), res.field);
        if (strcmp(r.log, want))
            fail_msg("fetch response v%d\n got: %s\nwant: %s", v, r.log, want);
        r.flags = KT_WALK_ALL_FIELDS;
        r.want_field = "LeaderEpoch";        /* tagged CurrentLeader, 12+ */
        assert_int_equal(walk_body(1, v, 1, o.b, o.n, &r, NULL), KT_WALK_OK);
        assert_int_equal(r.want_seen, v >= 12);
        if (v >= 12)
            assert_int_equal(r.want_value, 8);
        r.want_field = "Port";               /* tagged NodeEndpoints, 16+ */
        assert_int_equal(walk_body(1, v, 1, o.b, o.n, &r, NULL), KT_WALK_OK);
        assert_int_equal(r.want_seen, v >= 16);
    }
}

/* A body of one version read as its neighbour must not pass silently at
 * the boundaries where the layout changes (it may by chance elsewhere). */
static void test_version_boundaries_differ(void **state)
{
    (void)state;
    static const int produce_req[] = { 3, 9, 13 };
    static const int fetch_req[] = { 3, 4, 5, 7, 9, 11, 12, 13, 15 };
    bb o;
    rec r;
    memset(&r, 0, sizeof r);
    for (size_t i = 0; i < sizeof produce_req / sizeof produce_req[0]; i++) {
        int v = produce_req[i];
        build_produce_request(&o, v);
        assert_int_not_equal(walk_body(0, v - 1, 0, o.b, o.n, &r, NULL), KT_WALK_OK);
        build_produce_request(&o, v - 1);
        assert_int_not_equal(walk_body(0, v, 0, o.b, o.n, &r, NULL), KT_WALK_OK);
    }
    for (size_t i = 0; i < sizeof fetch_req / sizeof fetch_req[0]; i++) {
        int v = fetch_req[i];
        build_fetch_request(&o, v);
        assert_int_not_equal(walk_body(1, v - 1, 0, o.b, o.n, &r, NULL), KT_WALK_OK);
        build_fetch_request(&o, v - 1);
        assert_int_not_equal(walk_body(1, v, 0, o.b, o.n, &r, NULL), KT_WALK_OK);
    }
}

/* ------------------------------------------------------------------ */
/* Unknown and malformed input. */

static int count_events(void *arg, const kt_event *ev)
{
    (void)ev;
    (*(int *)arg)++;
    return 0;
}

static void test_unknown_version_and_api(void **state)
{
    (void)state;
    bb o;
    int n = 0;
    kt_cursor c;
    kt_walk_result res;
    build_produce_request(&o, 13);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(0, 14, 0, &c, 0, count_events, &n, &res),
                     KT_WALK_UNKNOWN_VERSION);
    assert_int_equal(res.status, KT_WALK_UNKNOWN_VERSION);
    assert_int_equal(n, 0);
    assert_int_equal(kt_cur_left(&c), o.n);     /* untouched */
    assert_int_equal(kt_walk(0, -1, 0, &c, 0, count_events, &n, NULL),
                     KT_WALK_UNKNOWN_VERSION);
    assert_int_equal(kt_walk(1, 19, 1, &c, 0, count_events, &n, NULL),
                     KT_WALK_UNKNOWN_VERSION);
    assert_int_equal(kt_walk(9999, 0, 0, &c, 0, count_events, &n, NULL),
                     KT_WALK_UNKNOWN_API);
    assert_int_equal(kt_walk(-1, 0, 0, &c, 0, count_events, &n, NULL),
                     KT_WALK_UNKNOWN_API);
    assert_int_equal(n, 0);
    assert_true(kt_walk_known(0, 0, 0));
    assert_true(kt_walk_known(0, 13, 1));
    assert_false(kt_walk_known(0, 14, 1));
    assert_true(kt_walk_known(4, 7, 0));        /* LeaderAndIsr, legacy */
    assert_false(kt_walk_known(4, 8, 0));
}

/* Every truncation of valid bodies is malformed (short), with no event. */
static void test_truncated_bodies(void **state)
{
    (void)state;
    for (int which = 0; which < 4; which++) {
        for (int v = 0; v <= 18; v++) {
            bb o;
            if (which < 2 && v > 13)
                break;
            switch (which) {
            case 0: build_produce_request(&o, v); break;
            case 1: build_produce_response(&o, v); break;
            case 2: build_fetch_request(&o, v); break;
            default: build_fetch_response(&o, v); break;
            }
            for (size_t cut = 0; cut < o.n; cut++) {
                int n = 0;
                kt_cursor c;
                kt_walk_result res;
                kt_cur_init(&c, o.b, cut);
                int st = kt_walk(which < 2 ? 0 : 1, v, which % 2, &c, 0,
                                 count_events, &n, &res);
                assert_int_equal(st, KT_WALK_MALFORMED);
                assert_int_equal(n, 0);
                assert_true(res.cur_err == KT_CUR_SHORT ||
                            res.cur_err == KT_CUR_BAD_COUNT);
                assert_true(res.offset <= cut);
                assert_non_null(res.field);
                /* Without the pre-pass: still malformed, events may come. */
                kt_cur_init(&c, o.b, cut);
                st = kt_walk(which < 2 ? 0 : 1, v, which % 2, &c,
                             KT_WALK_NO_PREPASS, count_events, &n, NULL);
                assert_int_equal(st, KT_WALK_MALFORMED);
            }
        }
    }
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    bb o;
    kt_cursor c;
    kt_walk_result res;
    build_fetch_response(&o, 12);
    p8(&o, 0);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(1, 12, 1, &c, 0, NULL, NULL, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_TRAILING);
    assert_int_equal(res.offset, o.n - 1);
}

static void test_huge_counts(void **state)
{
    (void)state;
    bb o;
    kt_cursor c;
    kt_walk_result res;
    /* Produce v3: null TransactionalId, acks, timeout, then 0x7fffffff
     * topics with 4 bytes left. */
    o.n = 0;
    p16(&o, -1);
    p16(&o, 1);
    p32(&o, 100);
    p32(&o, 0x7fffffff);
    p32(&o, 0);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(0, 3, 0, &c, 0, NULL, NULL, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_BAD_COUNT);
    assert_string_equal(res.field, "TopicData");
    /* Flexible: compact count 0xffffffff. */
    o.n = 0;
    p8(&o, 0);
    p16(&o, 1);
    p32(&o, 100);
    puv(&o, 0xffffffffu);
    p8(&o, 0);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(0, 9, 0, &c, 0, NULL, NULL, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_BAD_COUNT);
    /* A count that fits 1-byte elements but not the 10-byte minimum of a
     * Produce v3 partition (Index int32 + Records int32 + ...). */
    o.n = 0;
    p16(&o, -1);
    p16(&o, 1);
    p32(&o, 100);
    p32(&o, 1);
    pstr(&o, 0, "t");
    p32(&o, 3);                 /* 3 partitions need >= 24 bytes */
    for (int i = 0; i < 20; i++)
        p8(&o, 0);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(0, 3, 0, &c, 0, NULL, NULL, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_BAD_COUNT);
    assert_string_equal(res.field, "PartitionData");
}

static void test_null_where_not_nullable(void **state)
{
    (void)state;
    bb o;
    kt_cursor c;
    kt_walk_result res;
    /* Produce v3 with a null topic Name (not nullable in the schema). */
    o.n = 0;
    p16(&o, -1);
    p16(&o, 1);
    p32(&o, 100);
    p32(&o, 1);
    p16(&o, -1);
    p32(&o, 0);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(0, 3, 0, &c, 0, NULL, NULL, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_BAD_LENGTH);
    assert_string_equal(res.field, "Name");
    /* A null TopicData array. */
    o.n = 0;
    p16(&o, -1);
    p16(&o, 1);
    p32(&o, 100);
    p32(&o, -1);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(0, 3, 0, &c, 0, NULL, NULL, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_BAD_LENGTH);
}

static void test_bad_tagged_size(void **state)
{
    (void)state;
    bb o;
    kt_cursor c;
    kt_walk_result res;
    int n = 0;
    /* Fetch v12 response whose NodeEndpoints-free root tag section holds a
     * known partition tag (CurrentLeader, 9 bytes of value) declared as 10. */
    build_fetch_response(&o, 12);
    /* Find the CurrentLeader tag header "01 09" and bump its size to 10,
     * then add a byte so the frame still ends where it should. */
    for (size_t i = 0; i + 1 < o.n; i++) {
        if (o.b[i] == 0x01 && o.b[i + 1] == 0x09 && o.b[i + 2] == 0 &&
            o.b[i + 5] == 1) {
            o.b[i + 1] = 10;
            memmove(o.b + i + 2 + 10, o.b + i + 2 + 9, o.n - (i + 2 + 9));
            o.b[i + 2 + 9] = 0xee;
            o.n++;
            break;
        }
    }
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(1, 12, 1, &c, 0, count_events, &n, &res),
                     KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_TRAILING);
    assert_int_equal(n, 0);
    /* An unknown tag of any size is skipped. */
    build_fetch_response(&o, 12);
    o.b[o.n - 1] = 1;             /* root tags: one field */
    p8(&o, 99);                   /* tag 99 */
    p8(&o, 3);
    p8(&o, 1);
    p8(&o, 2);
    p8(&o, 3);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(1, 12, 1, &c, 0, NULL, NULL, &res), KT_WALK_OK);
}

/* ApiVersionsResponse.json v0: ErrorCode int16, ApiKeys [] { ApiKey int16,
 * MinVersion int16, MaxVersion int16 }.  A broker answers a version it
 * does not support in this format with UNSUPPORTED_VERSION (35). */
static void test_api_versions_fallback(void **state)
{
    (void)state;
    bb o;
    rec r;
    kt_walk_result res;
    memset(&r, 0, sizeof r);
    o.n = 0;
    p16(&o, 35);
    parr(&o, 0, 1);
    p16(&o, 18);
    p16(&o, 0);
    p16(&o, 2);
    assert_int_equal(walk_body(18, 4, 1, o.b, o.n, &r, &res), KT_WALK_OK);
    assert_int_equal(res.version, 0);
    assert_true(res.version_rejected);
    assert_string_equal(r.log, "error_code=35@root");
    /* Asked for version 0: the same body, also marked as a refusal. */
    assert_int_equal(walk_body(18, 0, 1, o.b, o.n, &r, &res), KT_WALK_OK);
    assert_int_equal(res.version, 0);
    assert_true(res.version_rejected);
    /* Only responses: a request body is never read this way. */
    assert_int_equal(walk_body(18, 4, 0, o.b, o.n, &r, &res), KT_WALK_MALFORMED);
    assert_false(res.version_rejected);
    /* The same bytes with error 0 are not a v4 body. */
    o.b[1] = 0;
    assert_int_equal(walk_body(18, 4, 1, o.b, o.n, &r, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.version, 4);
    assert_false(res.version_rejected);
    /* One byte of body: no error code to peek at, no fallback. */
    assert_int_equal(walk_body(18, 4, 1, o.b, 1, &r, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.version, 4);
    assert_false(res.version_rejected);
}

/* librdkafka 2.0.2's mock cluster answers an ApiVersions v3 request it does
 * not support with this body (pcaps/slow-broker.pcap, frame 6): ErrorCode
 * 35, then the ApiKeys count written as one byte holding N (1) instead of
 * N+1 and no tagged fields.  It is neither a v3 nor a v0 body; tshark 4.0
 * reports "Dissected message does not end at the pdu length offset". */
static void test_mock_api_versions_reply_is_malformed(void **state)
{
    (void)state;
    static const uint8_t body[] = { 0x00, 0x23, 0x01, 0x00, 0x12, 0x00, 0x00,
                                    0x00, 0x02, 0x00, 0x00, 0x00, 0x00 };
    kt_cursor c;
    kt_walk_result res;
    int n = 0;
    kt_cur_init(&c, body, sizeof body);
    assert_int_equal(kt_walk(18, 3, 1, &c, 0, count_events, &n, &res),
                     KT_WALK_MALFORMED);
    assert_int_equal(res.version, 0);
    assert_true(res.version_rejected);   /* the error is known all the same */
    assert_int_equal(n, 0);
}

/* kt_walk_find reads only as far as the first field with the role.
 * Produce v3 request (ProduceRequest.json: TransactionalId string, nullable
 * v3+; Acks int16; TimeoutMs int32; TopicData []...), built by hand. */
static void test_find_role(void **state)
{
    (void)state;
    bb o;
    kt_cursor c;
    kt_event ev;
    o.n = 0;
    p16(&o, 2);                   /* TransactionalId "tx" */
    p8(&o, 't');
    p8(&o, 'x');
    p16(&o, -1);                  /* Acks -1 */
    p32(&o, 1500);                /* TimeoutMs */
    p32(&o, 0x7fffffff);          /* TopicData count: far more than is here */
    kt_cur_init(&c, o.b, o.n);
    assert_true(kt_walk_find(KT_API_PRODUCE, 3, 0, &c, KT_ROLE_ACKS, &ev));
    assert_int_equal(ev.kind, KT_EV_FIELD);
    assert_int_equal(ev.i, -1);
    assert_true(kt_walk_find(KT_API_PRODUCE, 3, 0, &c, KT_ROLE_TRANSACTIONAL_ID, &ev));
    assert_int_equal(ev.s.len, 2);
    assert_memory_equal(ev.s.ptr, "tx", 2);
    assert_true(kt_walk_find(KT_API_PRODUCE, 3, 0, &c, KT_ROLE_TIMEOUT_MS, &ev));
    assert_int_equal(ev.i, 1500);
    /* the cursor did not move */
    assert_ptr_equal(c.ptr, o.b);
    assert_true(kt_cur_ok(&c));
    /* past the bad count: not found */
    assert_false(kt_walk_find(KT_API_PRODUCE, 3, 0, &c, KT_ROLE_TOPIC_NAME, &ev));
    /* cut inside Acks; an unknown version; no such role in the message */
    kt_cur_init(&c, o.b, 5);
    assert_false(kt_walk_find(KT_API_PRODUCE, 3, 0, &c, KT_ROLE_ACKS, &ev));
    kt_cur_init(&c, o.b, o.n);
    assert_false(kt_walk_find(KT_API_PRODUCE, 999, 0, &c, KT_ROLE_ACKS, &ev));
    assert_false(kt_walk_find(KT_API_PRODUCE, 3, 0, &c, KT_ROLE_GROUP_ID, &ev));
    /* cut right after Acks: found */
    kt_cur_init(&c, o.b, 6);
    assert_true(kt_walk_find(KT_API_PRODUCE, 3, 0, &c, KT_ROLE_ACKS, &ev));
    assert_int_equal(ev.i, -1);
}

/* The element budget: ListConfigResources v1 request (ListConfigResources
 * Request.json 4.4.0, flexible 0+) starts with ResourceTypes []int8, so a
 * count just over KT_WALK_MAX_ELEMENTS fits in the bytes left and only the
 * budget stops it, before any loop. */
static void test_element_budget(void **state)
{
    (void)state;
    size_t n = (size_t)KT_WALK_MAX_ELEMENTS + 16;
    uint8_t *b = calloc(1, n);
    kt_cursor c;
    kt_walk_result res;
    uint32_t count = (uint32_t)KT_WALK_MAX_ELEMENTS + 2;   /* N+1 = MAX+2 */
    size_t k = 0;
    assert_non_null(b);
    assert_true(kt_walk_known(74, 1, 0));
    while (count >= 0x80) {
        b[k++] = (uint8_t)((count & 0x7f) | 0x80);
        count >>= 7;
    }
    b[k++] = (uint8_t)count;
    kt_cur_init(&c, b, n);
    assert_int_equal(kt_walk(74, 1, 0, &c, 0, NULL, NULL, &res), KT_WALK_MALFORMED);
    assert_int_equal(res.cur_err, KT_CUR_LIMIT);
    assert_string_equal(res.field, "ResourceTypes");
    /* A small array of the same field is fine: 3 types, then the
     * request's tagged fields. */
    static const uint8_t ok[] = { 0x04, 2, 4, 16, 0x00 };
    kt_cur_init(&c, ok, sizeof ok);
    assert_int_equal(kt_walk(74, 1, 0, &c, 0, NULL, NULL, &res), KT_WALK_OK);
    free(b);
}

static int stop_at_partition(void *arg, const kt_event *ev)
{
    (*(int *)arg)++;
    return ev->role == KT_ROLE_PARTITION_INDEX;
}

static void test_stop(void **state)
{
    (void)state;
    bb o;
    kt_cursor c;
    int n = 0;
    build_produce_request(&o, 9);
    kt_cur_init(&c, o.b, o.n);
    assert_int_equal(kt_walk(0, 9, 0, &c, 0, stop_at_partition, &n, NULL),
                     KT_WALK_STOPPED);
    assert_true(n > 0);
}

/* Random and mutated bodies for every message version: never a crash, an
 * out-of-bounds read (run under ASan) or a hang; every status is one of the
 * documented ones. */
static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void test_fuzz_every_message(void **state)
{
    (void)state;
    static uint8_t buf[512];
    int ok = 0;
    for (int key = 0; key <= kt_api_max_key(); key++) {
        const kt_api_info *api = kt_api_lookup(key);
        if (!api || api->min_version < 0)
            continue;
        for (int v = api->min_version; v <= api->max_version; v++) {
            for (int resp = 0; resp < 2; resp++) {
                for (int it = 0; it < 40; it++) {
                    size_t len = rnd() % sizeof buf;
                    int n = 0;
                    kt_cursor c;
                    kt_walk_result res;
                    for (size_t i = 0; i < len; i++) {
                        /* mostly small bytes, so counts and lengths are
                         * often plausible */
                        uint32_t x = rnd();
                        buf[i] = (uint8_t)(x % 4 ? (x >> 8) % 3 : x >> 16);
                    }
                    kt_cur_init(&c, buf, len);
                    int st = kt_walk(key, v, resp, &c, KT_WALK_ALL_FIELDS,
                                     count_events, &n, &res);
                    assert_true(st == KT_WALK_OK || st == KT_WALK_MALFORMED);
                    if (st == KT_WALK_MALFORMED)
                        assert_int_equal(n, 0);
                    else
                        ok++;
                }
            }
        }
    }
    assert_true(ok > 0);
    /* Byte flips of the hand-built Produce and Fetch bodies. */
    for (int v = 0; v <= 18; v++) {
        for (int which = 0; which < 4; which++) {
            bb o;
            if (which < 2 && v > 13)
                continue;
            switch (which) {
            case 0: build_produce_request(&o, v); break;
            case 1: build_produce_response(&o, v); break;
            case 2: build_fetch_request(&o, v); break;
            default: build_fetch_response(&o, v); break;
            }
            for (int it = 0; it < 200; it++) {
                bb m = o;
                kt_cursor c;
                int n = 0;
                m.b[rnd() % m.n] ^= (uint8_t)(1u << (rnd() % 8));
                kt_cur_init(&c, m.b, m.n);
                int st = kt_walk(which < 2 ? 0 : 1, v, which % 2, &c, 0,
                                 count_events, &n, NULL);
                assert_true(st == KT_WALK_OK || st == KT_WALK_MALFORMED);
            }
        }
    }
}

/* Every message of every version in the table walks its minimal body: a
 * body made of the smallest encoding of each field. */
static void test_schema_tables_consistent(void **state)
{
    (void)state;
    for (int key = 0; key <= KT_SCHEMA_MAX_KEY; key++) {
        for (int resp = 0; resp < 2; resp++) {
            const kt_smsg *m = resp ? &kt_schema_responses[key] : &kt_schema_requests[key];
            for (int s = 0; s < m->nseg; s++) {
                const kt_sseg *g = &m->seg[s];
                assert_true(g->vmin <= g->vmax);
                assert_true(g->root < KT_SCHEMA_NSTRUCTS);
                if (s > 0)
                    assert_true(g->vmin == m->seg[s - 1].vmax + 1);
            }
            if (m->nseg) {
                const kt_api_info *api = kt_api_lookup(key);
                assert_non_null(api);
                assert_int_equal(api->min_version, m->seg[0].vmin);
                assert_int_equal(api->max_version, m->seg[m->nseg - 1].vmax);
            }
        }
    }
    for (int i = 0; i < KT_SCHEMA_NFIELDS; i++) {
        const kt_sfield *f = &kt_schema_fields[i];
        if (f->type == KT_FT_STRUCT)
            assert_true(f->child < KT_SCHEMA_NSTRUCTS);
        if (f->tag >= 0)
            assert_true(f->tmin >= 0);
    }
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
        cmocka_unit_test(test_capture_ndpi_produce_v3),
        cmocka_unit_test(test_capture_ndpi_flexible),
        cmocka_unit_test(test_real_kafka_captures),
        cmocka_unit_test(test_produce_every_version),
        cmocka_unit_test(test_fetch_every_version),
        cmocka_unit_test(test_version_boundaries_differ),
        cmocka_unit_test(test_unknown_version_and_api),
        cmocka_unit_test(test_truncated_bodies),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_huge_counts),
        cmocka_unit_test(test_null_where_not_nullable),
        cmocka_unit_test(test_bad_tagged_size),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_element_budget),
        cmocka_unit_test(test_api_versions_fallback),
        cmocka_unit_test(test_mock_api_versions_reply_is_malformed),
        cmocka_unit_test(test_find_role),
        cmocka_unit_test(test_fuzz_every_message),
        cmocka_unit_test(test_schema_tables_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
