/* test_session.c - unit tests of the Kafka session layer (src/kafka/kafka_session.[ch]):
 * roles, framing per direction, correlation and the exchanges it produces.
 *
 * The session is driven directly through kt_kafka_tcp_callbacks (conn_open,
 * data, gap, conn_close) with a hand-made kt_tcp_conn_info, no reassembler.
 * The bytes are real frames (tests/real_frames.h): third-party captures and
 * librdkafka against its mock cluster.  Expected API keys, versions,
 * correlation ids, client ids, error codes and acks are tshark's decode of
 * those frames; latencies are differences of the capture timestamps tshark
 * reports (frame.time_epoch), or of timestamps chosen here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/anomaly.h"
#include "kafka/kafka_session.h"
#include "real_frames.h"

/* ---- recorded exchanges -------------------------------------------------- */

typedef struct rec {
    uint16_t client_port, broker_port;
    char client_id[64];
    int client_id_null;
    int16_t api_key, api_version;
    int32_t correlation_id;
    uint64_t request_ts_us;
    int64_t latency_us;
    int64_t queue_wait_us, service_us;
    uint32_t inflight;
    int first_pipelined;
    int status;
    int nerrors;
    int16_t error_code[4];
    int truncated;
} rec;

typedef struct sink {
    rec r[64];
    int n;
} sink;

static void on_exchange(void *ctx, const kt_exchange *ex)
{
    sink *s = ctx;
    assert_true(s->n < 64);
    rec *r = &s->r[s->n++];
    memset(r, 0, sizeof *r);
    r->client_port = ex->client->port;
    r->broker_port = ex->broker->port;
    if (!ex->client_id || ex->client_id->is_null) {
        r->client_id_null = 1;
    } else {
        assert_true(ex->client_id->len < sizeof r->client_id);
        memcpy(r->client_id, ex->client_id->s, ex->client_id->len);
    }
    r->api_key = ex->api_key;
    r->api_version = ex->api_version;
    r->correlation_id = ex->correlation_id;
    r->request_ts_us = ex->request_ts_us;
    r->latency_us = ex->latency_us;
    r->queue_wait_us = ex->queue_wait_us;
    r->service_us = ex->service_us;
    r->inflight = ex->inflight;
    r->first_pipelined = ex->first_pipelined;
    r->status = ex->status;
    r->nerrors = ex->nerrors;
    for (int i = 0; i < ex->nerrors && i < 4; i++)
        r->error_code[i] = ex->errors[i].code;
    r->truncated = ex->truncated;
}

/* ---- a connection -------------------------------------------------------- */

typedef struct fixture {
    kt_session_config cfg;
    kt_kafka *k;
    sink out;
    kt_tcp_conn_info info;
    void *conn;
} fixture;

static void endpoint(kt_endpoint *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    memset(e, 0, sizeof *e);
    e->family = 4;
    e->addr[0] = a;
    e->addr[1] = b;
    e->addr[2] = c;
    e->addr[3] = d;
    e->port = port;
}

static void start(fixture *fx, uint16_t port0, uint16_t port1, int midstream)
{
    fx->k = kt_kafka_new(&fx->cfg, on_exchange, &fx->out);
    assert_non_null(fx->k);
    /* the addresses of deepflowio__deepflow__mixed-with-unsupported.pcap */
    endpoint(&fx->info.ep[0], 172, 18, 145, 39, port0);
    endpoint(&fx->info.ep[1], 172, 18, 145, 59, port1);
    fx->info.midstream = midstream;
    fx->info.first_ts_us = 1;
    fx->conn = kt_kafka_tcp_callbacks.conn_open(fx->k, &fx->info);
    assert_non_null(fx->conn);
}

static void setup(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    kt_session_config_defaults(&fx->cfg);
    kt_anomaly_reset();
}

static kt_tcp_verdict data(fixture *fx, int dir, const uint8_t *p, size_t len, uint64_t ts)
{
    return kt_kafka_tcp_callbacks.data(fx->k, fx->conn, dir, p, len, ts);
}

static void gap(fixture *fx, int dir, uint64_t missed, uint64_t ts)
{
    kt_kafka_tcp_callbacks.gap(fx->k, fx->conn, dir, missed, ts);
}

static void finish(fixture *fx, uint64_t ts)
{
    kt_kafka_tcp_callbacks.conn_close(fx->k, fx->conn, KT_CLOSE_FIN, ts);
    fx->conn = NULL;
}

static void teardown(fixture *fx)
{
    if (fx->conn)
        finish(fx, 0);
    kt_kafka_free(fx->k);
}

#define DATA(fx, dir, arr, ts) data(fx, dir, arr, sizeof(arr), ts)

static void expect(const rec *r, int16_t key, int16_t version, int32_t corr,
                   const char *client_id, int status)
{
    assert_int_equal(r->api_key, key);
    assert_int_equal(r->api_version, version);
    assert_int_equal(r->correlation_id, corr);
    assert_string_equal(r->client_id, client_id);
    assert_int_equal(r->status, status);
}

/* ---- exchanges from real pairs ----------------------------------------------- */

/* mixed-with-unsupported.pcap, connection :56848 -> :9092: OffsetCommit v8
 * (frames 3/4) and Heartbeat v4 (frames 6/7), both answered with error 0
 * (tshark).  Latency = first response byte - last request byte: 1001 us
 * and 277 us by tshark's frame.time_epoch. */
static void test_real_pairs(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    DATA(&fx, 0, mixed_f3, TS_MIXED_F3);
    DATA(&fx, 1, mixed_f4, TS_MIXED_F4);
    DATA(&fx, 0, mixed_f6, TS_MIXED_F6);
    DATA(&fx, 1, mixed_f7, TS_MIXED_F7);
    assert_int_equal(fx.out.n, 2);
    const char *cid = "consumer-frauddetectionservice-1";
    expect(&fx.out.r[0], 8, 8, 15551977, cid, KT_STATUS_OK);
    assert_true(fx.out.r[0].latency_us == 1001);
    assert_true(fx.out.r[0].request_ts_us == TS_MIXED_F3);
    expect(&fx.out.r[1], 12, 4, 15551978, cid, KT_STATUS_OK);
    assert_true(fx.out.r[1].latency_us == 277);
    assert_true(fx.out.r[1].request_ts_us == TS_MIXED_F6);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fx.out.r[i].client_port, 56848);
        assert_int_equal(fx.out.r[i].broker_port, 9092);
        assert_int_equal(fx.out.r[i].nerrors, 0);
        assert_int_equal(fx.out.r[i].truncated, 0);
    }
    finish(&fx, TS_MIXED_F7 + 1);
    assert_int_equal(fx.out.n, 2);       /* nothing pending at the end */
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->requests == 2 && t->matched == 2);
    assert_true(t->unanswered == 0 && t->orphan_responses == 0 && t->malformed == 0);
    assert_true(t->connections == 1 && t->midstream_connections == 0);
    teardown(&fx);
}

/* ntop__nDPI__kafka-v2023.pcapng: a Java producer's ApiVersions v3,
 * InitProducerId v4, Metadata v12 and Produce v9 (acks -1), each answered;
 * requests pipelined ahead of the responses here (all four requests, then
 * all four responses), with the capture's timestamps. */
static void test_real_connection_pipelined(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 46136, 9092, 0);
    DATA(&fx, 0, ntop_v2023_f4, TS_NTOP_V2023_F4);
    DATA(&fx, 0, ntop_v2023_f8, TS_NTOP_V2023_F8);
    DATA(&fx, 0, ntop_v2023_f11, TS_NTOP_V2023_F11);
    DATA(&fx, 0, ntop_v2023_f14, TS_NTOP_V2023_F14);
    assert_int_equal(fx.out.n, 0);
    DATA(&fx, 1, ntop_v2023_f6, TS_NTOP_V2023_F6);
    DATA(&fx, 1, ntop_v2023_f9, TS_NTOP_V2023_F9);
    DATA(&fx, 1, ntop_v2023_f12, TS_NTOP_V2023_F12);
    DATA(&fx, 1, ntop_v2023_f15, TS_NTOP_V2023_F15);
    assert_int_equal(fx.out.n, 4);
    expect(&fx.out.r[0], 18, 3, 3, "console-producer", KT_STATUS_OK);
    expect(&fx.out.r[1], 22, 4, 4, "console-producer", KT_STATUS_OK);
    assert_int_equal(fx.out.r[2].api_key, 3);
    assert_int_equal(fx.out.r[2].api_version, 12);
    assert_int_equal(fx.out.r[2].correlation_id, 5);
    assert_int_equal(fx.out.r[3].api_key, 0);
    assert_int_equal(fx.out.r[3].api_version, 9);
    assert_int_equal(fx.out.r[3].correlation_id, 6);
    assert_true(fx.out.r[0].latency_us == (int64_t)(TS_NTOP_V2023_F6 - TS_NTOP_V2023_F4));
    assert_true(fx.out.r[1].latency_us == (int64_t)(TS_NTOP_V2023_F9 - TS_NTOP_V2023_F8));
    assert_true(fx.out.r[2].latency_us == (int64_t)(TS_NTOP_V2023_F12 - TS_NTOP_V2023_F11));
    assert_true(fx.out.r[3].latency_us == (int64_t)(TS_NTOP_V2023_F15 - TS_NTOP_V2023_F14));
    assert_true(fx.out.r[0].latency_us == 417);    /* 0.329655107 - 0.329238485 s */
    teardown(&fx);
}

/* Queue wait and service time (kafka/queue_clock.h) through the session:
 * the same four requests pipelined, at times chosen here, answered at
 * 2000, 2500, 2600 and 4000 us.  Each waits until the previous response's
 * first byte, then is served until its own: latency = queue + service. */
static void test_queue_split_pipelined(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 46136, 9092, 0);
    DATA(&fx, 0, ntop_v2023_f4, 1000);
    DATA(&fx, 0, ntop_v2023_f8, 1100);
    DATA(&fx, 0, ntop_v2023_f11, 1200);
    DATA(&fx, 0, ntop_v2023_f14, 1300);
    DATA(&fx, 1, ntop_v2023_f6, 2000);
    DATA(&fx, 1, ntop_v2023_f9, 2500);
    DATA(&fx, 1, ntop_v2023_f12, 2600);
    DATA(&fx, 1, ntop_v2023_f15, 4000);
    assert_int_equal(fx.out.n, 4);
    static const int64_t queue[4] = { 0, 900, 1300, 1300 };
    static const int64_t service[4] = { 1000, 500, 100, 1400 };
    for (int i = 0; i < 4; i++) {
        assert_true(fx.out.r[i].queue_wait_us == queue[i]);
        assert_true(fx.out.r[i].service_us == service[i]);
        assert_true(fx.out.r[i].queue_wait_us + fx.out.r[i].service_us == fx.out.r[i].latency_us);
        assert_int_equal(fx.out.r[i].inflight, (uint32_t)i + 1);
        assert_int_equal(fx.out.r[i].first_pipelined, i == 1);
    }
    teardown(&fx);
}

/* One request at a time (each sent after the previous answer): no queue
 * wait, service time = latency. */
static void test_queue_split_one_in_flight(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 46136, 9092, 0);
    DATA(&fx, 0, ntop_v2023_f4, 1000);
    DATA(&fx, 1, ntop_v2023_f6, 1700);
    DATA(&fx, 0, ntop_v2023_f8, 1800);
    DATA(&fx, 1, ntop_v2023_f9, 2000);
    assert_int_equal(fx.out.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_true(fx.out.r[i].queue_wait_us == 0);
        assert_true(fx.out.r[i].service_us == fx.out.r[i].latency_us);
        assert_int_equal(fx.out.r[i].inflight, 1);
        assert_int_equal(fx.out.r[i].first_pipelined, 0);
    }
    assert_true(fx.out.r[0].service_us == 700);
    assert_true(fx.out.r[1].service_us == 200);
    teardown(&fx);
}

/* An acks=0 Produce between two answered requests (a real broker never
 * answers it): when the broker finished it is unknown, so the split of the
 * request after it is unknown (-1), and the acks=0 request is not counted
 * in the in-flight depth.  ApiVersions v0 (corr 2), Produce acks=0
 * (corr 4), ApiVersions v3 (corr 1) of produce-multi.pcap. */
static void test_queue_split_after_acks0(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.broker_ports[0] = 44107;
    start(&fx, 41116, 44107, 0);
    DATA(&fx, 0, rdk_multi_f158, 1000);
    DATA(&fx, 0, rdk_multi_f186, 1100);
    DATA(&fx, 0, rdk_multi_f149, 1200);
    DATA(&fx, 1, rdk_multi_f159, 3000);
    DATA(&fx, 1, rdk_multi_f153, 5000);
    assert_int_equal(fx.out.n, 3);
    expect(&fx.out.r[0], 18, 0, 2, "metrics-lz4", KT_STATUS_OK);
    assert_true(fx.out.r[0].queue_wait_us == 0 && fx.out.r[0].service_us == 2000);
    expect(&fx.out.r[1], 0, 7, 4, "metrics-lz4", KT_STATUS_NO_RESPONSE_EXPECTED);
    assert_true(fx.out.r[1].queue_wait_us == -1 && fx.out.r[1].service_us == -1);
    expect(&fx.out.r[2], 18, 3, 1, "metrics-lz4", KT_STATUS_ERROR);
    assert_true(fx.out.r[2].latency_us == 3800);
    assert_true(fx.out.r[2].queue_wait_us == -1 && fx.out.r[2].service_us == -1);
    assert_int_equal(fx.out.r[2].inflight, 2);      /* the acks=0 one not counted */
    teardown(&fx);
}

/* Latency is measured from the packet that completes the request to the
 * packet that carries the first byte of the response: the request and the
 * response each split over several deliveries, timestamps chosen here. */
static void test_latency_points(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    data(&fx, 0, mixed_f3, 50, 1000);
    data(&fx, 0, mixed_f3 + 50, sizeof mixed_f3 - 50, 2000);     /* request complete */
    data(&fx, 1, mixed_f4, 3, 5000);                             /* first response byte */
    data(&fx, 1, mixed_f4 + 3, sizeof mixed_f4 - 3, 9000);
    assert_int_equal(fx.out.n, 1);
    assert_true(fx.out.r[0].request_ts_us == 2000);
    assert_true(fx.out.r[0].latency_us == 3000);
    teardown(&fx);
}

/* A real Apache Kafka 4.4 broker and Java client (pcaps/kafka/codecs.pcap,
 * 127.0.0.1:41370 -> :19092): Metadata v13 (flexible, request header v2,
 * response header v1), frames 8 and 9, 0.033424 s apart (tshark
 * frame.time_epoch 1795644611.385604 and .419028). */
static void test_kafka44_metadata(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.broker_ports[0] = 19092;
    start(&fx, 41370, 19092, 0);
    DATA(&fx, 0, kafka44_codecs_f8, 1795644611385604ull);
    DATA(&fx, 1, kafka44_codecs_f9, 1795644611419028ull);
    assert_int_equal(fx.out.n, 1);
    assert_int_equal(fx.out.r[0].api_key, 3);
    assert_int_equal(fx.out.r[0].api_version, 13);
    assert_int_equal(fx.out.r[0].correlation_id, 1);
    assert_string_equal(fx.out.r[0].client_id, "admin-codecs");
    assert_int_equal(fx.out.r[0].status == KT_STATUS_UNANSWERED, 0);
    assert_true(fx.out.r[0].latency_us == 33424);
    teardown(&fx);
}

/* An ApiVersions v3 request that librdkafka's mock rejects: the reply is in
 * version 0 format with error 35 (UNSUPPORTED_VERSION, tshark); the client
 * retries with v0 and gets error 0.  pcaps/produce-multi.pcap frames
 * 149/153/158/159. */
static void test_api_versions_rejected(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.broker_ports[0] = 44107;
    start(&fx, 41116, 44107, 0);
    DATA(&fx, 0, rdk_multi_f149, TS_RDK_MULTI_F149);
    DATA(&fx, 1, rdk_multi_f153, TS_RDK_MULTI_F153);
    DATA(&fx, 0, rdk_multi_f158, TS_RDK_MULTI_F158);
    DATA(&fx, 1, rdk_multi_f159, TS_RDK_MULTI_F159);
    assert_int_equal(fx.out.n, 2);
    expect(&fx.out.r[0], 18, 3, 1, "metrics-lz4", KT_STATUS_ERROR);
    assert_int_equal(fx.out.r[0].nerrors, 1);
    assert_int_equal(fx.out.r[0].error_code[0], 35);
    assert_true(fx.out.r[0].latency_us == 281);   /* 0.615537 - 0.615256 s */
    expect(&fx.out.r[1], 18, 0, 2, "metrics-lz4", KT_STATUS_OK);
    assert_true(fx.out.r[1].latency_us == 24);
    assert_int_equal(kt_kafka_totals(fx.k)->malformed, 0);
    teardown(&fx);
}

/* ---- acks=0, orphans, unanswered ---------------------------------------------- */

/* Produce v7 with acks 0 (tshark "Not Required (0)"): with no response
 * it ends as no_response_expected, not unanswered. */
static void test_acks0_no_response_expected(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.broker_ports[0] = 44107;
    start(&fx, 41116, 44107, 0);
    DATA(&fx, 0, rdk_multi_f186, TS_RDK_MULTI_F186);
    finish(&fx, TS_RDK_MULTI_F186 + 10);
    assert_int_equal(fx.out.n, 1);
    expect(&fx.out.r[0], 0, 7, 4, "metrics-lz4", KT_STATUS_NO_RESPONSE_EXPECTED);
    assert_true(fx.out.r[0].latency_us == -1);
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->no_response_expected == 1);
    assert_true(t->unanswered == 0);
    assert_true(kt_anomaly.count[KT_AN_ORPHAN_RESPONSE] == 0);
    teardown(&fx);
}

/* The same request answered, as the mock cluster does (frame 191): matched,
 * not an orphan. */
static void test_acks0_answered_by_mock(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.broker_ports[0] = 44107;
    start(&fx, 41116, 44107, 0);
    DATA(&fx, 0, rdk_multi_f186, TS_RDK_MULTI_F186);
    DATA(&fx, 1, rdk_multi_f191, TS_RDK_MULTI_F191);
    finish(&fx, TS_RDK_MULTI_F191 + 10);
    assert_int_equal(fx.out.n, 1);
    expect(&fx.out.r[0], 0, 7, 4, "metrics-lz4", KT_STATUS_OK);
    assert_true(fx.out.r[0].latency_us == 231);
    assert_true(kt_kafka_totals(fx.k)->orphan_responses == 0);
    teardown(&fx);
}

/* A response whose correlation id no request carried. */
static void test_orphan_response(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    DATA(&fx, 1, mixed_f7, 100);                 /* Heartbeat response, no request */
    DATA(&fx, 0, mixed_f3, 200);                 /* OffsetCommit request ... */
    DATA(&fx, 1, mixed_f7, 300);                 /* ... and again the wrong answer */
    assert_int_equal(fx.out.n, 0);
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->orphan_responses == 2);
    assert_true(kt_anomaly.count[KT_AN_ORPHAN_RESPONSE] == 2);
    DATA(&fx, 1, mixed_f4, 400);                 /* the right one still matches */
    assert_int_equal(fx.out.n, 1);
    expect(&fx.out.r[0], 8, 8, 15551977, "consumer-frauddetectionservice-1", KT_STATUS_OK);
    assert_true(fx.out.r[0].latency_us == 200);
    teardown(&fx);
}

static void test_unanswered_at_close(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    DATA(&fx, 0, mixed_f3, 1000);
    DATA(&fx, 0, mixed_f6, 2000);
    DATA(&fx, 1, mixed_f4, 3000);
    assert_int_equal(fx.out.n, 1);
    finish(&fx, 4000);
    assert_int_equal(fx.out.n, 2);
    expect(&fx.out.r[1], 12, 4, 15551978, "consumer-frauddetectionservice-1",
           KT_STATUS_UNANSWERED);
    assert_true(fx.out.r[1].latency_us == -1);
    assert_true(fx.out.r[1].request_ts_us == 2000);
    assert_true(kt_kafka_totals(fx.k)->unanswered == 1);
    teardown(&fx);
}

/* A response to the second pending request: the first one's response was
 * lost, so it is given up as unanswered (before the matched one). */
static void test_out_of_order_marks_older(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    DATA(&fx, 0, mixed_f3, 1000);
    DATA(&fx, 0, mixed_f6, 2000);
    DATA(&fx, 1, mixed_f7, 3000);
    assert_int_equal(fx.out.n, 2);
    expect(&fx.out.r[0], 8, 8, 15551977, "consumer-frauddetectionservice-1",
           KT_STATUS_UNANSWERED);
    expect(&fx.out.r[1], 12, 4, 15551978, "consumer-frauddetectionservice-1", KT_STATUS_OK);
    assert_true(fx.out.r[1].latency_us == 1000);
    /* the late response to the first is now an orphan */
    DATA(&fx, 1, mixed_f4, 4000);
    assert_int_equal(fx.out.n, 2);
    assert_true(kt_kafka_totals(fx.k)->orphan_responses == 1);
    finish(&fx, 5000);
    assert_int_equal(fx.out.n, 2);
    teardown(&fx);
}

/* The request timeout gives up old requests (live mode). */
static void test_request_timeout(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.request_timeout_us = 5000000;
    start(&fx, 56848, 9092, 0);
    DATA(&fx, 0, mixed_f3, 10000000);
    kt_kafka_tick(fx.k, 14000000);
    assert_int_equal(fx.out.n, 0);
    kt_kafka_tick(fx.k, 16000000);
    assert_int_equal(fx.out.n, 1);
    assert_int_equal(fx.out.r[0].status, KT_STATUS_UNANSWERED);
    DATA(&fx, 1, mixed_f4, 17000000);            /* too late: an orphan */
    assert_int_equal(fx.out.n, 1);
    assert_true(kt_kafka_totals(fx.k)->orphan_responses == 1);
    teardown(&fx);
}

/* The per-connection cap on pending requests evicts the oldest as
 * unanswered. */
static void test_pending_cap(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.max_pending = 1;
    start(&fx, 56848, 9092, 0);
    DATA(&fx, 0, mixed_f3, 1000);
    DATA(&fx, 0, mixed_f6, 2000);
    assert_int_equal(fx.out.n, 1);
    assert_int_equal(fx.out.r[0].correlation_id, 15551977);
    assert_int_equal(fx.out.r[0].status, KT_STATUS_UNANSWERED);
    assert_true(kt_anomaly.count[KT_AN_PENDING_OVERFLOW] == 1);
    DATA(&fx, 1, mixed_f7, 3000);
    assert_int_equal(fx.out.n, 2);
    assert_int_equal(fx.out.r[1].status, KT_STATUS_OK);
    teardown(&fx);
}

/* The cap over all connections: a second connection whose request finds
 * the total reached (and that has none of its own to give up) is not
 * followed; the first connection's oldest makes room for its own next. */
static void test_pending_total_cap(void **state)
{
    fixture fx;
    kt_tcp_conn_info other;
    void *conn2;
    (void)state;
    setup(&fx);
    fx.cfg.max_pending_total = 1;
    start(&fx, 56848, 9092, 0);
    memset(&other, 0, sizeof other);
    endpoint(&other.ep[0], 172, 18, 145, 40, 56849);
    endpoint(&other.ep[1], 172, 18, 145, 59, 9092);
    other.first_ts_us = 1;
    conn2 = kt_kafka_tcp_callbacks.conn_open(fx.k, &other);
    assert_non_null(conn2);

    DATA(&fx, 0, mixed_f3, 1000);                 /* A: OffsetCommit pending */
    kt_kafka_tcp_callbacks.data(fx.k, conn2, 0, mixed_f6, sizeof mixed_f6, 1500);
    assert_int_equal(fx.out.n, 0);                /* B: not followed */
    assert_true(kt_anomaly.count[KT_AN_PENDING_TOTAL] == 1);
    DATA(&fx, 0, mixed_f6, 2000);                 /* A: its oldest makes room */
    assert_int_equal(fx.out.n, 1);
    assert_int_equal(fx.out.r[0].correlation_id, 15551977);
    assert_int_equal(fx.out.r[0].status, KT_STATUS_UNANSWERED);
    assert_true(kt_anomaly.count[KT_AN_PENDING_TOTAL] == 2);
    DATA(&fx, 1, mixed_f7, 3000);                 /* the Heartbeat's answer */
    assert_int_equal(fx.out.n, 2);
    assert_int_equal(fx.out.r[1].correlation_id, 15551978);
    assert_int_equal(fx.out.r[1].status, KT_STATUS_OK);
    kt_kafka_tcp_callbacks.conn_close(fx.k, conn2, KT_CLOSE_FIN, 4000);
    assert_int_equal(fx.out.n, 2);                /* B had nothing pending */
    teardown(&fx);
}

/* ---- mid-stream starts and holes ----------------------------------------------- */

/* A connection picked up mid-stream: each direction starts inside a frame
 * (the last 40 bytes of the Produce request, the last 30 bytes of the
 * ApiVersions response), then the real frames follow.  The session finds
 * the request boundary, then the responses by their pending correlation
 * ids; all four exchanges come out. */
static void test_midstream_garbage_prefix(void **state)
{
    uint8_t c2b[1024], b2c[1024];
    size_t nc = 0, nb = 0;
    fixture fx;
    (void)state;
    memcpy(c2b, ntop_v2023_f14 + sizeof ntop_v2023_f14 - 40, 40);
    nc = 40;
    memcpy(c2b + nc, ntop_v2023_f4, sizeof ntop_v2023_f4);
    nc += sizeof ntop_v2023_f4;
    memcpy(c2b + nc, ntop_v2023_f8, sizeof ntop_v2023_f8);
    nc += sizeof ntop_v2023_f8;
    memcpy(c2b + nc, ntop_v2023_f11, sizeof ntop_v2023_f11);
    nc += sizeof ntop_v2023_f11;
    memcpy(c2b + nc, ntop_v2023_f14, sizeof ntop_v2023_f14);
    nc += sizeof ntop_v2023_f14;
    memcpy(b2c, ntop_v2023_f6 + sizeof ntop_v2023_f6 - 30, 30);
    nb = 30;
    memcpy(b2c + nb, ntop_v2023_f6, sizeof ntop_v2023_f6);
    nb += sizeof ntop_v2023_f6;
    memcpy(b2c + nb, ntop_v2023_f9, sizeof ntop_v2023_f9);
    nb += sizeof ntop_v2023_f9;
    memcpy(b2c + nb, ntop_v2023_f12, sizeof ntop_v2023_f12);
    nb += sizeof ntop_v2023_f12;
    memcpy(b2c + nb, ntop_v2023_f15, sizeof ntop_v2023_f15);
    nb += sizeof ntop_v2023_f15;

    setup(&fx);
    start(&fx, 46136, 9092, 1);
    data(&fx, 0, c2b, nc, 1000);
    data(&fx, 1, b2c, nb, 2000);
    finish(&fx, 3000);
    assert_int_equal(fx.out.n, 4);
    static const int16_t keys[] = { 18, 22, 3, 0 };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(fx.out.r[i].api_key, keys[i]);
        assert_int_equal(fx.out.r[i].correlation_id, 3 + i);
        assert_int_equal(fx.out.r[i].status == KT_STATUS_UNANSWERED, 0);
        assert_true(fx.out.r[i].latency_us == 1000);
    }
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->midstream_connections == 1);
    assert_true(t->connections == 1);
    assert_true(kt_anomaly.count[KT_AN_RESYNC_SKIPPED_BYTES] == 40 + 30);
    teardown(&fx);
}

/* Picked up inside the client id of a Produce request, so that its record
 * batch follows: those bytes hold false boundaries (00 00 00 51 00 00 00 00
 * 00 00 00 00 00 00 reads as an 81-byte Produce v0 request with an empty
 * client id).  The session must still find the real requests after it,
 * deliveries of 300 bytes as a loopback capture might have them. */
static void test_midstream_inside_produce_body(void **state)
{
    uint8_t c2b[1024], b2c[1024];
    const size_t tail = sizeof ntop_v2023_f14 - 23;
    size_t nc, nb = 0;
    fixture fx;
    (void)state;
    memcpy(c2b, ntop_v2023_f14 + 23, tail);
    nc = tail;
    memcpy(c2b + nc, ntop_v2023_f4, sizeof ntop_v2023_f4);
    nc += sizeof ntop_v2023_f4;
    memcpy(c2b + nc, ntop_v2023_f8, sizeof ntop_v2023_f8);
    nc += sizeof ntop_v2023_f8;
    memcpy(c2b + nc, ntop_v2023_f11, sizeof ntop_v2023_f11);
    nc += sizeof ntop_v2023_f11;
    memcpy(c2b + nc, ntop_v2023_f14, sizeof ntop_v2023_f14);
    nc += sizeof ntop_v2023_f14;
    memcpy(b2c + nb, ntop_v2023_f6, sizeof ntop_v2023_f6);
    nb += sizeof ntop_v2023_f6;
    memcpy(b2c + nb, ntop_v2023_f9, sizeof ntop_v2023_f9);
    nb += sizeof ntop_v2023_f9;
    memcpy(b2c + nb, ntop_v2023_f12, sizeof ntop_v2023_f12);
    nb += sizeof ntop_v2023_f12;
    memcpy(b2c + nb, ntop_v2023_f15, sizeof ntop_v2023_f15);
    nb += sizeof ntop_v2023_f15;

    setup(&fx);
    start(&fx, 46136, 9092, 1);
    for (size_t i = 0; i < nc; i += 300)
        data(&fx, 0, c2b + i, nc - i < 300 ? nc - i : 300, 1000 + i);
    for (size_t i = 0; i < nb; i += 300)
        data(&fx, 1, b2c + i, nb - i < 300 ? nb - i : 300, 5000 + i);
    finish(&fx, 9000);
    assert_int_equal(fx.out.n, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(fx.out.r[i].correlation_id, 3 + i);
        assert_int_equal(fx.out.r[i].status == KT_STATUS_UNANSWERED, 0);
    }
    assert_true(kt_anomaly.count[KT_AN_RESYNC_SKIPPED_BYTES] == tail);
    teardown(&fx);
}

/* A hole inside a request of known size: the request is still reported
 * (truncated), the connection stays in sync. */
static void test_hole_inside_request(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    data(&fx, 0, mixed_f3, 60, 1000);                   /* header and some body */
    gap(&fx, 0, 50, 1100);
    data(&fx, 0, mixed_f3 + 110, sizeof mixed_f3 - 110, 1200);
    DATA(&fx, 0, mixed_f6, 2000);
    DATA(&fx, 1, mixed_f4, 3000);
    DATA(&fx, 1, mixed_f7, 4000);
    assert_int_equal(fx.out.n, 2);
    assert_int_equal(fx.out.r[0].correlation_id, 15551977);
    assert_int_equal(fx.out.r[0].truncated, 1);
    assert_int_equal(fx.out.r[0].status == KT_STATUS_UNANSWERED, 0);
    assert_int_equal(fx.out.r[1].correlation_id, 15551978);
    assert_int_equal(fx.out.r[1].truncated, 0);
    assert_true(kt_kafka_totals(fx.k)->missed_bytes == 50);
    assert_true(kt_anomaly.count[KT_AN_DESYNC] == 0);
    teardown(&fx);
}

/* A gap in the request direction swallowed the OffsetCommit request whole:
 * its response is no orphan of the broker but a response to a lost
 * request; the Heartbeat after the gap is paired as usual. */
static void test_request_lost_in_gap(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    gap(&fx, 0, sizeof mixed_f3, 1000);          /* the OffsetCommit request */
    DATA(&fx, 0, mixed_f6, 2000);
    DATA(&fx, 1, mixed_f4, 3000);                /* answers the lost request */
    DATA(&fx, 1, mixed_f7, 4000);
    assert_int_equal(fx.out.n, 1);
    expect(&fx.out.r[0], 12, 4, 15551978, "consumer-frauddetectionservice-1", KT_STATUS_OK);
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->orphan_responses == 0);
    assert_true(t->lost_request_responses == 1);
    assert_true(kt_anomaly.count[KT_AN_ORPHAN_RESPONSE] == 0);
    assert_true(kt_anomaly.count[KT_AN_LOST_REQUEST_RESPONSE] == 1);
    /* once the requests after the gap are answered, an unexplained
     * response is an orphan again */
    DATA(&fx, 1, mixed_f4, 5000);
    assert_true(t->orphan_responses == 1);
    teardown(&fx);
}

/* A gap in the response direction swallowed the OffsetCommit response: the
 * Heartbeat's response proves the broker answered (it answers in order), so
 * the OffsetCommit is unknown (capture loss), not unanswered; so is a
 * request left pending at close after such a gap. */
static void test_response_lost_in_gap(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 56848, 9092, 0);
    DATA(&fx, 0, mixed_f3, 1000);
    DATA(&fx, 0, mixed_f6, 2000);
    gap(&fx, 1, sizeof mixed_f4, 3000);
    DATA(&fx, 1, mixed_f7, 4000);
    assert_int_equal(fx.out.n, 2);
    expect(&fx.out.r[0], 8, 8, 15551977, "consumer-frauddetectionservice-1",
           KT_STATUS_UNKNOWN_CAPTURE_LOSS);
    expect(&fx.out.r[1], 12, 4, 15551978, "consumer-frauddetectionservice-1", KT_STATUS_OK);
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->unanswered == 0);
    assert_true(t->unknown_capture_loss == 1);
    assert_true(t->requests == 2);
    /* the match cleared the mark: a request pending at close is unanswered */
    DATA(&fx, 0, mixed_f3, 5000);
    DATA(&fx, 0, mixed_f6, 5100);
    gap(&fx, 1, 200, 5200);                      /* ... unless a gap follows */
    finish(&fx, 6000);
    assert_int_equal(fx.out.n, 4);
    assert_int_equal(fx.out.r[2].status, KT_STATUS_UNKNOWN_CAPTURE_LOSS);
    assert_int_equal(fx.out.r[3].status, KT_STATUS_UNKNOWN_CAPTURE_LOSS);
    assert_true(t->unanswered == 0);
    assert_true(t->unknown_capture_loss == 3);
    assert_true(kt_anomaly.count[KT_AN_UNKNOWN_CAPTURE_LOSS] == 3);
    teardown(&fx);
}

/* ---- roles ----------------------------------------------------------------- */

/* Broker port on the initiator side (the capture began with a packet from
 * the broker): requests come in direction 1. */
static void test_role_by_port_reversed(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 9092, 56848, 0);
    DATA(&fx, 1, mixed_f3, 1000);
    DATA(&fx, 0, mixed_f4, 1500);
    assert_int_equal(fx.out.n, 1);
    assert_int_equal(fx.out.r[0].client_port, 56848);
    assert_int_equal(fx.out.r[0].broker_port, 9092);
    assert_int_equal(fx.out.r[0].correlation_id, 15551977);
    teardown(&fx);
}

/* -p with several ports: the deepflow capture's broker port 36333. */
static void test_role_by_configured_port(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.broker_ports[0] = 9092;
    fx.cfg.broker_ports[1] = 36333;
    fx.cfg.nports = 2;
    fx.cfg.autodetect = 0;
    start(&fx, 41972, 36333, 0);
    DATA(&fx, 0, fetch_v12_f1, 1000);
    DATA(&fx, 1, fetch_v12_f2, 1500);
    assert_int_equal(fx.out.n, 1);
    expect(&fx.out.r[0], 1, 12, 15603, "consumer-console-consumer-8919-1", KT_STATUS_OK);
    assert_int_equal(fx.out.r[0].broker_port, 36333);
    assert_true(kt_kafka_totals(fx.k)->connections == 1);
    teardown(&fx);
}

/* No broker port: auto-detection finds the client by its requests and
 * confirms the connection by the matching response, in either direction. */
static void test_role_autodetect(void **state)
{
    (void)state;
    for (int reversed = 0; reversed < 2; reversed++) {
        fixture fx;
        setup(&fx);
        if (reversed)
            start(&fx, 36333, 41972, 0);
        else
            start(&fx, 41972, 36333, 0);
        assert_true(kt_kafka_totals(fx.k)->connections == 0);
        DATA(&fx, reversed, fetch_v12_f1, 1000);
        DATA(&fx, !reversed, fetch_v12_f2, 1500);
        assert_int_equal(fx.out.n, 1);
        expect(&fx.out.r[0], 1, 12, 15603, "consumer-console-consumer-8919-1", KT_STATUS_OK);
        assert_int_equal(fx.out.r[0].client_port, 41972);
        assert_int_equal(fx.out.r[0].broker_port, 36333);
        assert_true(fx.out.r[0].latency_us == 500);
        assert_true(kt_kafka_totals(fx.k)->connections == 1);
        teardown(&fx);
    }
}

/* Auto-detection on an odd port with pipelined requests: two requests, then
 * their two responses (the ntop connection, as if its broker listened on
 * 19093). */
static void test_role_autodetect_pipelined(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    start(&fx, 46136, 19093, 0);
    DATA(&fx, 0, ntop_v2023_f4, TS_NTOP_V2023_F4);
    DATA(&fx, 0, ntop_v2023_f8, TS_NTOP_V2023_F8);
    DATA(&fx, 1, ntop_v2023_f6, TS_NTOP_V2023_F6);
    DATA(&fx, 1, ntop_v2023_f9, TS_NTOP_V2023_F9);
    assert_int_equal(fx.out.n, 2);
    assert_int_equal(fx.out.r[0].correlation_id, 3);
    assert_int_equal(fx.out.r[1].correlation_id, 4);
    assert_int_equal(fx.out.r[0].broker_port, 19093);
    teardown(&fx);
}

/* With auto-detection off, a connection without a broker port is ignored. */
static void test_no_autodetect_ignores(void **state)
{
    fixture fx;
    (void)state;
    setup(&fx);
    fx.cfg.autodetect = 0;
    start(&fx, 41972, 36333, 0);
    assert_int_equal(DATA(&fx, 0, fetch_v12_f1, 1000), KT_TCP_IGNORE);
    assert_int_equal(DATA(&fx, 1, fetch_v12_f2, 1500), KT_TCP_IGNORE);
    assert_int_equal(fx.out.n, 0);
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->connections == 0);
    assert_true(t->ignored_connections == 1);
    teardown(&fx);
}

/* Traffic that is not Kafka on a port that is not a broker port: nothing is
 * reported, and the connection is given up after KT_DETECT_BYTES. */
static void test_not_kafka(void **state)
{
    static const char http[] = "GET /index.html HTTP/1.1\r\nHost: example.org\r\n"
                               "User-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    fixture fx;
    kt_tcp_verdict v0 = KT_TCP_CONTINUE, v1 = KT_TCP_CONTINUE;
    (void)state;
    setup(&fx);
    start(&fx, 51000, 8080, 0);
    for (int i = 0; i * (sizeof http - 1) <= KT_DETECT_BYTES + 4096; i++) {
        v0 = data(&fx, 0, (const uint8_t *)http, sizeof http - 1, 1000 + (uint64_t)i);
        v1 = data(&fx, 1, (const uint8_t *)reply, sizeof reply - 1, 1000 + (uint64_t)i);
    }
    assert_int_equal(v0, KT_TCP_IGNORE);     /* given up: the reassembler drops it */
    assert_int_equal(v1, KT_TCP_IGNORE);
    finish(&fx, 999999);
    assert_int_equal(fx.out.n, 0);
    const kt_session_totals *t = kt_kafka_totals(fx.k);
    assert_true(t->connections == 0);
    assert_true(t->requests == 0);
    assert_true(t->ignored_connections == 1);
    teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_pairs),
        cmocka_unit_test(test_real_connection_pipelined),
        cmocka_unit_test(test_latency_points),
        cmocka_unit_test(test_kafka44_metadata),
        cmocka_unit_test(test_api_versions_rejected),
        cmocka_unit_test(test_queue_split_pipelined),
        cmocka_unit_test(test_queue_split_one_in_flight),
        cmocka_unit_test(test_queue_split_after_acks0),
        cmocka_unit_test(test_acks0_no_response_expected),
        cmocka_unit_test(test_acks0_answered_by_mock),
        cmocka_unit_test(test_orphan_response),
        cmocka_unit_test(test_unanswered_at_close),
        cmocka_unit_test(test_out_of_order_marks_older),
        cmocka_unit_test(test_request_timeout),
        cmocka_unit_test(test_pending_cap),
        cmocka_unit_test(test_pending_total_cap),
        cmocka_unit_test(test_midstream_garbage_prefix),
        cmocka_unit_test(test_midstream_inside_produce_body),
        cmocka_unit_test(test_hole_inside_request),
        cmocka_unit_test(test_request_lost_in_gap),
        cmocka_unit_test(test_response_lost_in_gap),
        cmocka_unit_test(test_role_by_port_reversed),
        cmocka_unit_test(test_role_by_configured_port),
        cmocka_unit_test(test_role_autodetect),
        cmocka_unit_test(test_role_autodetect_pipelined),
        cmocka_unit_test(test_no_autodetect_ignores),
        cmocka_unit_test(test_not_kafka),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
