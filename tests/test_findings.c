/* test_findings.c - unit tests of the findings (src/findings/findings.c),
 * computed by the report model (src/report/report_model.c), and of the
 * report sections built on them (partition table, throttling, findings in
 * src/report/report_text.c and src/report/report_json.c).
 *
 * Statistics are built the way the program builds them, through
 * kt_stats_add() and kt_partitions_add(), from hand-made exchanges whose
 * latencies, errors, throttle times and partitions are chosen here.  Ground
 * truth is the rules as findings.c and the man page state them: each rule
 * fires on a case built to pass its thresholds, with the numbers worked out
 * by hand in the comments, and stays silent on a near miss just short of
 * one threshold.  The JSON report is parsed by python3's json module and
 * its keys checked against the documented schema.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "findings/findings.h"
#include "kafka/kafka_connections.h"
#include "kafka/kafka_session.h"
#include "kafka/message_detail.h"
#include "stats/partition_stats.h"
#include "stats/client_partition_stats.h"
#include "report/report.h"
#include "stats/stats.h"
#include "kafka/topics.h"

#define PRODUCE 0
#define FETCH 1
#define METADATA 3
#define JOIN_GROUP 11
#define API_VERSIONS 18
#define NOT_LEADER_OR_FOLLOWER 6
#define UNSUPPORTED_VERSION 35
#define MEMBER_ID_REQUIRED 79
#define INIT_PRODUCER_ID 22
#define ADD_PARTITIONS_TO_TXN 24
#define COORDINATOR_LOAD_IN_PROGRESS 14
#define NOT_COORDINATOR 16
#define INVALID_TXN_STATE 48
#define CONCURRENT_TRANSACTIONS 51

/* ---- a world of brokers, clients and topics -------------------------------- */

typedef struct world {
    kt_stats *stats;
    kt_partitions *parts;
    kt_client_parts *cparts;
    kt_topics topics;
    kt_intern ids;
    kt_endpoint broker[4];
    kt_endpoint client;
    uint64_t ts;
} world;

static world *world_new(void)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->stats = kt_stats_new();
    w->parts = kt_partitions_new();
    w->cparts = kt_client_parts_new();
    assert_non_null(w->cparts);
    assert_non_null(w->stats);
    assert_non_null(w->parts);
    assert_int_equal(kt_topics_init(&w->topics, 1000), 0);
    assert_int_equal(kt_intern_init(&w->ids, 1000), 0);
    for (int i = 0; i < 4; i++) {
        w->broker[i].family = 4;
        w->broker[i].addr[0] = 10;
        w->broker[i].addr[3] = (uint8_t)(i + 1);
        w->broker[i].port = 9092;
    }
    w->client.family = 4;
    w->client.addr[0] = 192;
    w->client.addr[3] = 7;
    w->client.port = 40000;
    return w;
}

static void world_free(world *w)
{
    kt_partitions_free(w->parts);
    kt_client_parts_free(w->cparts);
    kt_stats_free(w->stats);
    kt_topics_free(&w->topics);
    kt_intern_free(&w->ids);
    free(w);
}

static kt_slice sl(const char *s)
{
    kt_slice x = { (const uint8_t *)s, strlen(s), 0 };
    return x;
}

static const kt_istr *cid(world *w, const char *s)
{
    const kt_istr *id = kt_intern_get(&w->ids, sl(s));
    assert_non_null(id);
    return id;
}

static const kt_topic *topic(world *w, const char *name)
{
    const kt_topic *t = kt_topic_by_name(&w->topics, sl(name));
    assert_non_null(t);
    return t;
}

/* One request: latency_us < 0 means unanswered; error != 0 is a
 * response-level (or partition-level, see part()) error code. */
typedef struct req {
    int16_t api;
    int broker;
    const char *client;
    int64_t latency_us;
    int16_t error;
    int32_t throttle_ms;
    const kt_topic *topic;   /* Produce/Fetch: one partition */
    int32_t partition;
    int64_t records;
    int32_t replica_id;      /* Fetch: a follower's (>= 0); 0 is read as -1,
                                a consumer, so a follower is replica_id + 1 */
} req;

static void add(world *w, const req *r, int times)
{
    for (int k = 0; k < times; k++) {
        kt_exchange ex;
        kt_request_detail *d = NULL;
        memset(&ex, 0, sizeof ex);
        ex.client = &w->client;
        ex.broker = &w->broker[r->broker];
        ex.client_id = cid(w, r->client ? r->client : "app");
        ex.api_key = r->api;
        ex.api_version = 7;
        ex.correlation_id = (int32_t)w->ts;
        ex.request_ts_us = 1000000 + w->ts++ * 1000;
        ex.latency_us = r->latency_us;
        ex.throttle_ms = r->latency_us < 0 ? -1 : r->throttle_ms;
        ex.status = r->latency_us < 0 ? KT_STATUS_UNANSWERED
                    : r->error ? KT_STATUS_ERROR : KT_STATUS_OK;
        ex.body_decoded = r->latency_us >= 0;
        if (r->error && r->latency_us >= 0) {
            ex.nerrors = 1;
            ex.errors[0].code = r->error;
            ex.errors[0].count = 1;
        }
        if (r->topic) {
            d = calloc(1, sizeof *d + sizeof d->parts[0]);
            assert_non_null(d);
            d->acks = r->api == PRODUCE ? -1 : -2;
            d->timeout_ms = r->api == PRODUCE ? 30000 : -1;
            d->max_wait_ms = r->api == FETCH ? 500 : -1;
            d->replica_id = r->replica_id > 0 ? r->replica_id - 1 : -1;
            d->nparts = 1;
            d->parts[0].topic = r->topic;
            d->parts[0].partition = r->partition;
            d->parts[0].answered = r->latency_us >= 0;
            d->parts[0].error = r->latency_us >= 0 ? r->error : KT_PART_NO_ANSWER;
            d->parts[0].records = r->records;
            d->parts[0].bytes = (uint64_t)(r->records * 100);
            d->parts[0].fetch_offset = r->api == FETCH ? 1000 : -1;
            d->parts[0].high_watermark = r->api == FETCH && r->latency_us >= 0 ? 1010 : -1;
            ex.detail = d;
        }
        kt_stats_add(w->stats, &ex);
        kt_partitions_add(w->parts, &ex);
        kt_client_parts_add(w->cparts, &ex);
        free(d);
    }
}

/* Produce to one partition, times times, each at latency_ms. */
static void produce(world *w, const char *t, int32_t p, int times, double latency_ms, int broker)
{
    req r = { PRODUCE, broker, "producer", (int64_t)(latency_ms * 1000), 0, 0,
              topic(w, t), p, 10 };
    add(w, &r, times);
}

/* The findings of the report on w, with these capture counters, session
 * totals and connections (NULL, 0: none): a copy of the model's (free it). */
static size_t compute_lossy(world *w, const kt_capture_stats *cap, const kt_session_totals *t,
                            const kt_conn_summary *conns, size_t nconns, kt_finding **f)
{
    kt_report_input in;
    kt_report_model *m;
    size_t n;

    memset(&in, 0, sizeof in);
    in.stats = w->stats;
    in.partitions = w->parts;
    in.client_parts = w->cparts;
    in.capture = cap;
    in.totals = t;
    in.conns = conns;
    in.nconns = nconns;
    m = kt_report_build(&in);
    assert_non_null(m);
    n = m->nfindings;
    *f = malloc((n ? n : 1) * sizeof **f);
    assert_non_null(*f);
    if (n)
        memcpy(*f, m->findings, n * sizeof **f);
    kt_report_model_free(m);
    return n;
}

/* The findings of the world's report. */
static size_t compute(world *w, kt_finding **f)
{
    return compute_lossy(w, NULL, NULL, NULL, 0, f);
}

/* The findings of a kind, in order. */
static size_t of_kind(kt_finding *f, size_t n, const char *kind, kt_finding **out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f[i].kind, kind) && k < max)
            out[k++] = &f[i];
    return k;
}

static double metric(const kt_finding *f, const char *key)
{
    for (int i = 0; i < f->nmetrics; i++)
        if (!strcmp(f->metric[i].key, key))
            return f->metric[i].value;
    fail_msg("finding %s has no metric %s", f->kind, key);
    return -1;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* ---- hot_partition ------------------------------------------------------- */

/* orders: 4 partitions.  Partition 3: 40 requests at 50 ms = 2000 ms; the
 * others 10 at 5 ms = 50 ms each, 150 ms.  Share 2000/2150 = 93.0% >= 50%
 * and >= 2 x 25%; p99 50 ms < 100 ms: warning.  At 150 ms: p99 >= 100 ms
 * and share 6000/6150 >= 80%: critical. */
static void hot_case(world *w, double hot_ms)
{
    /* 40 requests of 2 records: 80 of the 380 records, no load skew */
    req r = { PRODUCE, 0, "producer", (int64_t)(hot_ms * 1000), 0, 0, topic(w, "orders"), 3, 2 };
    add(w, &r, 40);
    for (int p = 0; p < 3; p++)
        produce(w, "orders", p, 10, 5, 0);
}

static void test_hot_partition_fires(void **state)
{
    (void)state;
    for (int crit = 0; crit < 2; crit++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        hot_case(w, crit ? 150 : 50);
        size_t n = compute(w, &f);
        assert_int_equal(of_kind(f, n, "hot_partition", h, 4), 1);
        assert_int_equal(h[0]->severity, crit ? KT_SEV_CRITICAL : KT_SEV_WARNING);
        assert_string_equal(h[0]->subject, "topic orders partition 3");
        double want = crit ? 6000.0 / 6150.0 : 2000.0 / 2150.0;
        assert_true(metric(h[0], "share") > want - 1e-9 && metric(h[0], "share") < want + 1e-9);
        assert_true(metric(h[0], "partitions") == 4);
        assert_true(metric(h[0], "requests") == 40);
        assert_contains(h[0]->summary, crit ? "97.6%" : "93.0%");
        assert_contains(h[0]->summary, "4 partitions");
        free(f);
        world_free(w);
    }
}

/* Load skew, from the records alone: orders/0 gets 60 requests of 10
 * records (600), events/0-11 one request of 10 each (120): 600 of 720 =
 * 83.3%, at least 50% and 3 x the others' mean (1.4%): warning at equal
 * latency, critical when orders/0 answers in 50 ms against 1 ms.  Near
 * miss: 10 requests (100 of 220 = 45.5%, under 50%). */
static void test_load_skew(void **state)
{
    (void)state;
    for (int c = 0; c < 3; c++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        produce(w, "orders", 0, c == 2 ? 10 : 60, c == 1 ? 50 : 1, 0);
        for (int p = 0; p < 12; p++)
            produce(w, "events", p, 1, 1, 1);
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "hot_partition", h, 4);
        if (c == 2) {
            assert_int_equal(k, 0);
        } else {
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, c == 1 ? KT_SEV_CRITICAL : KT_SEV_WARNING);
            assert_string_equal(h[0]->subject, "topic orders");
            assert_true(metric(h[0], "records_share") > 600.0 / 720 - 1e-9 &&
                        metric(h[0], "records_share") < 600.0 / 720 + 1e-9);
            assert_true(metric(h[0], "records") == 600);
            assert_true(metric(h[0], "partitions") == 13);
            assert_contains(h[0]->summary, "Too few partitions: topic orders");
            assert_contains(h[0]->summary, "83.3%");
        }
        free(f);
        world_free(w);
    }
}

/* A broker leading most of the load: logs/0-5 on broker 0, 4 requests of
 * 10 records each (240); metrics/0-5 on brokers 0,1,2,0,1,2, 2 each (120):
 * broker 0 leads 240 + 40 of 360 = 77.8% (at least 70%, and 2 x the 11.1%
 * mean of the other two): warning naming logs.  Near miss: logs/5 on
 * broker 1: 200 + 40 of 360 = 66.7%. */
static void test_hot_broker(void **state)
{
    (void)state;
    for (int near = 0; near < 2; near++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        char name[16];
        for (int p = 0; p < 6; p++) {
            produce(w, "logs", p, 4, 1, near && p == 5 ? 1 : 0);
            produce(w, "metrics", p, 2, 1, p % 3);
        }
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "hot_broker", h, 4);
        if (near) {
            assert_int_equal(k, 0);
        } else {
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, KT_SEV_WARNING);
            assert_true(metric(h[0], "records") == 280 && metric(h[0], "brokers") == 3);
            assert_true(metric(h[0], "partitions") == 8);
            snprintf(name, sizeof name, "%.1f%%", 28000.0 / 360);
            assert_contains(h[0]->summary, name);
            assert_contains(h[0]->summary, "topics with every partition on it: logs (6)");
        }
        assert_int_equal(of_kind(f, n, "hot_partition", h, 4), 0);
        free(f);
        world_free(w);
    }
}

/* The load skew case with orders/0's broker (0) throttling every one of
 * its 60 responses (200 ms), the events brokers none: critical, for the
 * throttling. */
static void test_load_skew_throttled(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    req r = { PRODUCE, 0, "producer", 1000, 0, 200, topic(w, "orders"), 0, 10 };
    add(w, &r, 60);
    for (int p = 0; p < 12; p++)
        produce(w, "events", p, 1, 1, 1);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "hot_partition", h, 4), 1);
    assert_int_equal(h[0]->severity, KT_SEV_CRITICAL);
    assert_contains(h[0]->summary, "(worse than the rest: its broker throttles)");
    free(f);
    world_free(w);
}

/* Absolute Fetch latency: consumer fetches 10 times from broker 0 orders/0
 * and gets 5 records each after 1500 ms, and waits 10 times 1500 ms on
 * orders/1 for nothing: slow_fetch warning (threshold 1000 ms) for the
 * broker, the client id and orders/0, each with 10 answered (the empty
 * long-poll waits never count, nor is orders/1 judged). */
static void test_slow_fetch(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    req data = { FETCH, 0, "consumer", 1500000, 0, 0, topic(w, "orders"), 0, 5, 0 };
    req empty = { FETCH, 0, "consumer", 1500000, 0, 0, topic(w, "orders"), 1, 0, 0 };
    const char *subj[3] = { "broker 10.0.0.1:9092", "client id consumer",
                            "topic orders partition 0" };
    add(w, &data, 10);
    add(w, &empty, 10);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "slow_fetch", h, 4), 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(h[i]->subject, subj[i]);
        assert_int_equal(h[i]->severity, KT_SEV_WARNING);
        assert_true(metric(h[i], "threshold_ms") == 1000 && metric(h[i], "answered") == 10);
        assert_true(metric(h[i], "over") == 10 && metric(h[i], "share") == 1);
    }
    assert_contains(h[1]->summary, "Slow Fetch (with data): client id consumer: 10 of 10");
    free(f);
    world_free(w);
}

/* The near misses of slow_fetch per broker and client id, each at 1500 ms
 * against the 1000 ms threshold: broker 1 and client idle only wait
 * (20 empty long polls); broker 2 and client follower-2 only replicate
 * (20 follower fetches that return records); broker 3 and client mixed
 * get records 10 times slowly and 11 times in 10 ms (10 of 21, 47.6%,
 * under half); client few gets records 9 times slowly from broker 0
 * (under 10 answered).  No slow_fetch at all. */
static void test_slow_fetch_near_misses(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    req empty = { FETCH, 1, "idle", 1500000, 0, 0, topic(w, "quiet"), 0, 0, 0 };
    req follower = { FETCH, 2, "follower-2", 1500000, 0, 0, topic(w, "replicated"), 0, 5, 3 };
    req slow = { FETCH, 3, "mixed", 1500000, 0, 0, topic(w, "mixed"), 0, 5, 0 };
    req fast = { FETCH, 3, "mixed", 10000, 0, 0, topic(w, "mixed"), 0, 5, 0 };
    req few = { FETCH, 0, "few", 1500000, 0, 0, topic(w, "few"), 0, 5, 0 };
    add(w, &empty, 20);
    add(w, &follower, 20);
    add(w, &slow, 10);
    add(w, &fast, 11);
    add(w, &few, 9);
    size_t n = compute(w, &f);
    for (size_t i = 0; i < n; i++)
        print_message("finding %s %s\n", f[i].kind, f[i].subject);
    assert_int_equal(of_kind(f, n, "slow_fetch", h, 4), 0);
    free(f);
    world_free(w);
}

/* Absolute Produce latency: one broker alone, 12 answered at 150 ms:
 * 12 of 12 at 100 ms or more, warning (critical from a p50 of 500 ms);
 * at 99 ms, none. */
static void test_slow_produce(void **state)
{
    (void)state;
    for (int c = 0; c < 3; c++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        double ms = c == 0 ? 150 : c == 1 ? 600 : 99;
        produce(w, "ingest", 0, 12, ms, 0);
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "slow_produce", h, 4);
        if (c == 2) {
            assert_int_equal(k, 0);
        } else {
            assert_int_equal(k, 3);          /* the broker, the client id, the partition */
            assert_int_equal(h[0]->severity, c ? KT_SEV_CRITICAL : KT_SEV_WARNING);
            assert_true(metric(h[0], "over") == 12 && metric(h[0], "answered") == 12);
            assert_true(metric(h[0], "threshold_ms") == 100);
            assert_contains(h[0]->summary, "12 of 12 answered (100.0%) took 100 ms or more");
        }
        free(f);
        world_free(w);
    }
}

/* One rule over many peers: 6 partitions of one topic each slow (and the
 * broker): one slow_produce finding, the worst, naming 3 more and counting
 * the other 3. */
static void test_findings_grouped(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[8];
    for (int p = 0; p < 6; p++)
        produce(w, "ingest", p, 12, 150 + p, 0);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "slow_produce", h, 8), 1);
    assert_true(metric(h[0], "more_like_it") == 7);   /* the client id too */
    assert_contains(h[0]->summary, "and 7 more like it:");
    assert_contains(h[0]->summary, ", and 4 others");
    free(f);
    world_free(w);
}

/* Near misses: 45.5% of the time (450 of 990 ms) in a 10-partition topic
 * (over 2 x the fair 10%, under 50%);
 * 60% in a 2-partition topic (>= 50% but under 2 x the fair 50%); a
 * critical share with p99 99 ms stays a warning. */
static void test_hot_partition_near_miss(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    produce(w, "a", 3, 10, 45, 0);
    for (int p = 0; p < 10; p++)
        if (p != 3)
            produce(w, "a", p, 10, 6, 0);
    produce(w, "b", 0, 10, 30, 0);
    produce(w, "b", 1, 10, 20, 0);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "hot_partition", h, 4), 0);
    free(f);
    world_free(w);

    w = world_new();
    hot_case(w, 99);
    n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "hot_partition", h, 4), 1);
    assert_int_equal(h[0]->severity, KT_SEV_WARNING);
    free(f);
    world_free(w);
}

/* hot: one partition, 20 requests at 30 ms; a and b: 4 partitions, each 5
 * requests at 1 ms (20 per topic), medians 1 ms.  30 >= 5 x 1 and 29 ms
 * above: too few partitions.  Near misses: 9.8 ms against 2 ms (7.8 ms
 * above but 4.9x); 0.6 ms against 0.1 ms (6x, but only 0.5 ms above). */
static void few_case(world *w, double hot_ms, double others_ms)
{
    produce(w, "hot", 0, 20, hot_ms, 1);
    for (int p = 0; p < 4; p++) {
        produce(w, "a", p, 5, others_ms, 0);
        produce(w, "b", p, 5, others_ms, 2);
    }
}

static void test_too_few_partitions(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    few_case(w, 30, 1);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "hot_partition", h, 4), 1);
    assert_int_equal(h[0]->severity, KT_SEV_WARNING);
    assert_string_equal(h[0]->subject, "topic hot");
    assert_true(metric(h[0], "p50_ms") == 30);
    assert_true(metric(h[0], "median_other_p50_ms") == 1);
    assert_true(metric(h[0], "other_topics") == 2);
    assert_contains(h[0]->summary, "Too few partitions");
    assert_contains(h[0]->summary, "30.0x");
    free(f);
    world_free(w);

    static const double miss[][2] = { { 9.8, 2 }, { 0.6, 0.1 } };
    for (size_t i = 0; i < 2; i++) {
        w = world_new();
        few_case(w, miss[i][0], miss[i][1]);
        n = compute(w, &f);
        assert_int_equal(of_kind(f, n, "hot_partition", h, 4), 0);
        free(f);
        world_free(w);
    }
}

/* ---- slow_broker ---------------------------------------------------------- */

static void metadata(world *w, int broker, int times, double ms)
{
    req r = { METADATA, broker, "app", (int64_t)(ms * 1000), 0, 0, NULL, 0, 0 };
    add(w, &r, times);
}

/* Brokers at 1, 1.2 and 10 ms: 10 / median(1, 1.2) = 9.1x, 8.9 ms above:
 * warning; at 15 ms, 13.6x: critical.  Near misses: 1, 1, 5.5 ms (5.5x
 * but 4.5 ms above); 3, 3, 8.6 ms (5.6 ms above but 2.87x). */
static void test_slow_broker(void **state)
{
    (void)state;
    static const struct { double ms[3]; int want; } t[] = {
        { { 1, 1.2, 10 }, KT_SEV_WARNING },
        { { 1, 1.2, 15 }, KT_SEV_CRITICAL },
        { { 1, 1, 5.5 }, -1 },
        { { 3, 3, 8.6 }, -1 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        for (int b = 0; b < 3; b++)
            metadata(w, b, 20, t[i].ms[b]);
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "slow_broker", h, 4);
        if (t[i].want < 0) {
            assert_int_equal(k, 0);
        } else {
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, t[i].want);
            assert_string_equal(h[0]->subject, "broker 10.0.0.3:9092");
            assert_true(metric(h[0], "peers_median_p50_ms") > 1.09 &&
                        metric(h[0], "peers_median_p50_ms") < 1.11);
            assert_true(metric(h[0], "produce_only") == 0);
        }
        free(f);
        world_free(w);
    }
}

/* Broker 1 serves a consumer: 30 Fetch long-polls of 500 ms and 20 Produce
 * at 2 ms; brokers 2 and 3 answer 20 Produce at 2 ms and 20 ms.  Over all
 * APIs broker 1 would look slow (p50 500 ms); compared on Produce it is
 * not, and broker 3 is (20 / median(2, 2) = 10x: critical). */
static void test_slow_broker_on_produce(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    req fetch = { FETCH, 0, "consumer", 500000, 0, 0, topic(w, "t"), 0, 0 };
    add(w, &fetch, 30);
    produce(w, "t", 0, 20, 2, 0);
    produce(w, "t", 1, 20, 2, 1);
    produce(w, "t", 2, 20, 20, 2);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "slow_broker", h, 4), 1);
    assert_string_equal(h[0]->subject, "broker 10.0.0.3:9092");
    assert_int_equal(h[0]->severity, KT_SEV_CRITICAL);
    assert_true(metric(h[0], "produce_only") == 1);
    assert_contains(h[0]->summary, "Produce");
    free(f);
    world_free(w);

    /* Consumers only: broker 1 answers Fetch long-polls in 500 ms, brokers
     * 2 and 3 Metadata in 1 ms.  No Produce to compare, and all-APIs
     * latency means nothing next to long-polls: no finding. */
    w = world_new();
    fetch.topic = topic(w, "t");
    add(w, &fetch, 30);
    metadata(w, 1, 20, 1);
    metadata(w, 2, 20, 1);
    n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "slow_broker", h, 4), 0);
    free(f);
    world_free(w);
}

/* ---- error_storm ----------------------------------------------------------- */

static void produce_errors(world *w, int ok, int bad, int broker, const char *client)
{
    req r = { PRODUCE, broker, client, 3000, 0, 0, topic(w, "pay"), 0, 5 };
    add(w, &r, ok);
    r.error = NOT_LEADER_OR_FOLLOWER;
    add(w, &r, bad);
}

/* 90 ok + 10 NOT_LEADER_OR_FOLLOWER: 10 >= 10 and 10% >= 5%: warning;
 * 40 + 60: 60% >= 50%: critical.  Near misses: 91 + 9 (9 < 10); 240 + 10
 * (4% < 5%).  The brokers and client ids most involved are named. */
static void test_error_storm(void **state)
{
    (void)state;
    static const struct { int ok, bad, want; } t[] = {
        { 90, 10, KT_SEV_WARNING }, { 40, 60, KT_SEV_CRITICAL },
        { 91, 9, -1 }, { 240, 10, -1 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        /* most of the errors on broker 2 from payments, a few on broker 1 */
        produce_errors(w, t[i].ok, t[i].bad - t[i].bad / 5, 1, "payments");
        produce_errors(w, 0, t[i].bad / 5, 0, "refunds");
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "error_storm", h, 4);
        if (t[i].want < 0) {
            assert_int_equal(k, 0);
        } else {
            char buf[64];
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, t[i].want);
            assert_string_equal(h[0]->subject, "Produce NOT_LEADER_OR_FOLLOWER");
            assert_true(metric(h[0], "count") == t[i].bad);
            assert_true(metric(h[0], "responses") == t[i].ok + t[i].bad);
            snprintf(buf, sizeof buf, "10.0.0.2:9092 %d", t[i].bad - t[i].bad / 5);
            assert_contains(h[0]->summary, buf);
            snprintf(buf, sizeof buf, "10.0.0.1:9092 %d", t[i].bad / 5);
            assert_contains(h[0]->summary, buf);
            snprintf(buf, sizeof buf, "payments %d", t[i].bad - t[i].bad / 5);
            assert_contains(h[0]->summary, buf);
            /* the busiest broker is named first */
            assert_true(strstr(h[0]->summary, "10.0.0.2:9092") <
                        strstr(h[0]->summary, "10.0.0.1:9092"));
        }
        free(f);
        world_free(w);
    }
}

/* ---- failing_client ---------------------------------------------------- */

#define MESSAGE_TOO_LARGE 10
#define SASL_HANDSHAKE 17
#define SASL_AUTHENTICATE 36
#define SASL_AUTHENTICATION_FAILED 58
#define UNSUPPORTED_SASL_MECHANISM 33

/* Client "svc": ok requests of 2 records acknowledged, bad of 2 records
 * refused with MESSAGE_TOO_LARGE on partitions 0 and 1 of "payments" (the
 * first bad/2 on 0).  Thresholds: >= 10 records refused and >= 5% of the
 * answered ones; critical at 50%. */
static void test_failing_client(void **state)
{
    (void)state;
    static const struct { int ok, bad, want; } t[] = {
        { 10, 6, KT_SEV_WARNING },      /* 12 of 32 records, 37.5% */
        { 5, 5, KT_SEV_CRITICAL },      /* 10 of 20, 50% */
        { 4, 10, KT_SEV_CRITICAL },     /* 20 of 28, 71.4% */
        { 0, 4, -1 },                   /* 8 records: under 10, though 100% */
        { 120, 6, -1 },                 /* 12 of 252: 4.8%, under 5% */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        req ok = { PRODUCE, 0, "svc", 2000, 0, 0, topic(w, "payments"), 2, 2 };
        req bad = { PRODUCE, 0, "svc", 2000, MESSAGE_TOO_LARGE, 0, topic(w, "payments"), 0, 2 };
        add(w, &ok, t[i].ok);
        add(w, &bad, t[i].bad / 2);
        bad.partition = 1;
        add(w, &bad, t[i].bad - t[i].bad / 2);
        produce(w, "payments", 2, 30, 2, 0);      /* another client, all acked */
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "failing_client", h, 4);
        if (t[i].want < 0) {
            assert_int_equal(k, 0);
        } else {
            char buf[128];
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, t[i].want);
            assert_string_equal(h[0]->subject, "client id svc");
            assert_true(metric(h[0], "failed_records") == 2 * t[i].bad);
            assert_true(metric(h[0], "answered_records") == 2 * (t[i].ok + t[i].bad));
            assert_true(metric(h[0], "partitions_failing") == 2);
            /* most refused first, ties by partition */
            int p0 = 2 * (t[i].bad / 2), p1 = 2 * (t[i].bad - t[i].bad / 2);
            snprintf(buf, sizeof buf, "MESSAGE_TOO_LARGE=%d; partitions: payments/%d %d, payments/%d %d",
                     2 * t[i].bad, p1 > p0, p1 > p0 ? p1 : p0, p1 <= p0, p1 > p0 ? p0 : p1);
            assert_contains(h[0]->summary, buf);
        }
        free(f);
        world_free(w);
    }
}

/* Logins of client "login": failed SaslAuthenticate, ok ones, and failed
 * SaslHandshakes.  Thresholds: >= 3 failed and >= 50% of the logins;
 * critical when none succeeded. */
static void test_sasl_auth_failure(void **state)
{
    (void)state;
    static const struct { int bad, ok, bad_handshake, want; } t[] = {
        { 3, 0, 0, KT_SEV_CRITICAL },   /* 3 of 3 */
        { 3, 2, 0, KT_SEV_WARNING },    /* 3 of 5, 60% */
        { 1, 0, 2, KT_SEV_CRITICAL },   /* 3 of 3, two of them at the handshake */
        { 2, 0, 0, -1 },                /* 2: under 3 */
        { 3, 4, 0, -1 },                /* 3 of 7, 42.9% */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        req hs = { SASL_HANDSHAKE, 0, "login", 500, 0, 0, NULL, 0, 0 };
        req au = { SASL_AUTHENTICATE, 0, "login", 300000, SASL_AUTHENTICATION_FAILED, 0, NULL, 0, 0 };
        add(w, &hs, t[i].bad + t[i].ok);
        add(w, &au, t[i].bad);
        au.error = 0;
        add(w, &au, t[i].ok);
        hs.error = UNSUPPORTED_SASL_MECHANISM;
        add(w, &hs, t[i].bad_handshake);
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "sasl_auth_failure", h, 4);
        if (t[i].want < 0) {
            assert_int_equal(k, 0);
        } else {
            int failed = t[i].bad + t[i].bad_handshake;
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, t[i].want);
            assert_string_equal(h[0]->subject, "client id login");
            assert_true(metric(h[0], "failed_logins") == failed);
            assert_true(metric(h[0], "logins") == failed + t[i].ok);
            assert_contains(h[0]->summary, t[i].bad_handshake
                ? "UNSUPPORTED_SASL_MECHANISM=2, SASL_AUTHENTICATION_FAILED=1"
                : "SASL_AUTHENTICATION_FAILED=3");
        }
        free(f);
        world_free(w);
    }
}

/* Version and member id negotiation are steps of the protocol, not storms. */
static void test_error_storm_expected_steps(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    req r = { API_VERSIONS, 0, "app", 100, UNSUPPORTED_VERSION, 0, NULL, 0, 0 };
    add(w, &r, 20);
    req j = { JOIN_GROUP, 0, "app", 100, MEMBER_ID_REQUIRED, 0, NULL, 0, 0 };
    add(w, &j, 20);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "error_storm", h, 4), 0);
    free(f);
    world_free(w);
}

/* The codes clients retry while a coordinator loads or moves, or a
 * transaction still completes, are a storm of severity info (20 of 30
 * InitProducerId answered NOT_COORDINATOR would be critical otherwise); the
 * same share of NOT_COORDINATOR mixed with another code on that API, or of
 * a code not on the list (INVALID_TXN_STATE), stays critical. */
static void test_error_storm_coordinator_retries(void **state)
{
    (void)state;
    static const struct { int16_t api, code; int want; } t[] = {
        { INIT_PRODUCER_ID, NOT_COORDINATOR, KT_SEV_INFO },
        { ADD_PARTITIONS_TO_TXN, CONCURRENT_TRANSACTIONS, KT_SEV_INFO },
        { JOIN_GROUP, COORDINATOR_LOAD_IN_PROGRESS, KT_SEV_INFO },
        { INIT_PRODUCER_ID, INVALID_TXN_STATE, KT_SEV_CRITICAL },
        { PRODUCE, NOT_COORDINATOR, KT_SEV_CRITICAL },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        req ok = { t[i].api, 0, "app", 100, 0, 0, NULL, 0, 0 };
        req bad = { t[i].api, 0, "app", 100, t[i].code, 0, NULL, 0, 0 };
        add(w, &ok, 10);
        add(w, &bad, 20);
        size_t n = compute(w, &f);
        assert_int_equal(of_kind(f, n, "error_storm", h, 4), 1);
        assert_int_equal(h[0]->severity, t[i].want);
        if (t[i].want == KT_SEV_INFO)
            assert_contains(h[0]->summary, "clients retry this code");
        free(f);
        world_free(w);
    }
}

/* ---- broker_silent ---------------------------------------------------------- */

/* Broker 1 answers `answered` Metadata requests, then is sent `unanswered`
 * it never answers, while broker 2 goes on answering for gap_ms more.
 * 20 answered, 2 unanswered, 6 s: critical, on broker 1 only.  Near
 * misses: a 4 s gap; 9 answered (not yet serving); nothing asked after its
 * last answer (idle, not silent). */
static void test_broker_silent(void **state)
{
    (void)state;
    static const struct { int answered, unanswered, gap_ms, fires; } t[] = {
        { 20, 2, 6000, 1 }, { 20, 2, 4000, 0 }, { 9, 2, 6000, 0 }, { 20, 0, 6000, 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        req ok0 = { METADATA, 0, "app", 1000, 0, 0, NULL, 0, 0, 0 };
        req ok1 = { METADATA, 1, "app", 1000, 0, 0, NULL, 0, 0, 0 };
        req lost = { METADATA, 0, "app", -1, 0, 0, NULL, 0, 0, 0 };
        add(w, &ok0, t[i].answered);
        add(w, &ok1, 20);
        add(w, &lost, t[i].unanswered);
        w->ts += (uint64_t)t[i].gap_ms;
        add(w, &ok1, 10);
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "broker_silent", h, 4);
        assert_int_equal(k, (size_t)t[i].fires);
        if (k) {
            assert_string_equal(h[0]->subject, "broker 10.0.0.1:9092");
            assert_int_equal(h[0]->severity, KT_SEV_CRITICAL);
            assert_true(metric(h[0], "unanswered_after") == t[i].unanswered);
            assert_true(metric(h[0], "silent_s") > 6.0);
        }
        free(f);
        world_free(w);
    }
}

/* ---- throttling ------------------------------------------------------------- */

/* Client "greedy" throttled 3 times on broker 1 (200, 300, 400 ms: total
 * 900, max 400: warning) and once on broker 2 for 1500 ms (critical,
 * listed first); "polite" on the same brokers never (throttle_time_ms 0). */
static void test_throttling(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[4];
    for (int ms = 200; ms <= 400; ms += 100) {
        req r = { METADATA, 0, "greedy", 1000, 0, ms, NULL, 0, 0 };
        add(w, &r, 1);
    }
    req r0 = { METADATA, 0, "greedy", 1000, 0, 0, NULL, 0, 0 };
    add(w, &r0, 2);
    req r1 = { METADATA, 1, "greedy", 1000, 0, 1500, NULL, 0, 0 };
    add(w, &r1, 1);
    req p = { METADATA, 0, "polite", 1000, 0, 0, NULL, 0, 0 };
    add(w, &p, 50);
    p.broker = 1;
    add(w, &p, 50);
    size_t n = compute(w, &f);
    assert_int_equal(of_kind(f, n, "throttling", h, 4), 2);
    assert_int_equal(h[0]->severity, KT_SEV_CRITICAL);
    assert_string_equal(h[0]->subject, "client id greedy on broker 10.0.0.2:9092");
    assert_true(metric(h[0], "throttle_ms_max") == 1500);
    assert_int_equal(h[1]->severity, KT_SEV_WARNING);
    assert_string_equal(h[1]->subject, "client id greedy on broker 10.0.0.1:9092");
    assert_true(metric(h[1], "throttled") == 3);
    assert_true(metric(h[1], "responses") == 5);
    assert_true(metric(h[1], "throttle_ms_total") == 900);
    assert_true(metric(h[1], "throttle_ms_max") == 400);
    assert_contains(h[1]->summary, "3 of 5 responses, 900 ms in all, at most 400 ms");
    for (size_t i = 0; i < n; i++)
        assert_null(strstr(f[i].summary, "polite"));
    free(f);
    world_free(w);
}

/* ---- unanswered_requests ---------------------------------------------------- */

/* Metadata: 97 answered + 3 unanswered (3%, >= 3): warning; near misses
 * 98 + 2 (< 3) and 995 + 5 (0.5%).  Fetch: 97 + 3 is info (in-flight
 * long polls), 80 + 20 (20% >= 10%) a warning. */
static void test_unanswered(void **state)
{
    (void)state;
    static const struct { int16_t api; int ok, lost, want; } t[] = {
        { METADATA, 97, 3, KT_SEV_WARNING }, { METADATA, 98, 2, -1 },
        { METADATA, 995, 5, -1 }, { FETCH, 97, 3, KT_SEV_INFO },
        { FETCH, 80, 20, KT_SEV_WARNING },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        req r = { t[i].api, 0, "app", 1000, 0, 0, NULL, 0, 0 };
        add(w, &r, t[i].ok);
        r.latency_us = -1;
        add(w, &r, t[i].lost);
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "unanswered_requests", h, 4);
        if (t[i].want < 0) {
            assert_int_equal(k, 0);
        } else {
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, t[i].want);
            assert_true(metric(h[0], "unanswered") == t[i].lost);
            assert_true(metric(h[0], "requests") == t[i].ok + t[i].lost);
            if (t[i].api == FETCH)
                assert_contains(h[0]->summary, "long-poll");
        }
        free(f);
        world_free(w);
    }
}

/* ---- tiny_batches ---------------------------------------------------------- */

/* n Produce requests from client id `client`, one every interval_us, each
 * with one batch of `records` records (codec none) to events/0. */
static void produce_paced(world *w, const char *client, int n, uint64_t interval_us,
                          int64_t records)
{
    kt_request_detail *d = calloc(1, sizeof *d + sizeof d->parts[0]);
    assert_non_null(d);
    d->acks = -1;
    d->timeout_ms = 30000;
    d->max_wait_ms = -1;
    d->nparts = 1;
    kt_part_init(&d->parts[0], topic(w, "events"), 0);
    d->parts[0].answered = 1;
    d->parts[0].error = 0;
    d->parts[0].records = records;
    d->parts[0].bytes = (uint64_t)(61 + records * 60);
    d->parts[0].batches = 1;
    d->parts[0].codec_batches[KT_CODEC_NONE] = 1;
    for (int k = 0; k < n; k++) {
        kt_exchange ex;
        memset(&ex, 0, sizeof ex);
        ex.client = &w->client;
        ex.broker = &w->broker[0];
        ex.client_id = cid(w, client);
        ex.api_key = PRODUCE;
        ex.api_version = 9;
        ex.request_ts_us = 1000000 + (uint64_t)k * interval_us;
        ex.latency_us = 1000;
        ex.throttle_ms = 0;
        ex.status = KT_STATUS_OK;
        ex.body_decoded = 1;
        ex.detail = d;
        kt_stats_add(w->stats, &ex);
        kt_partitions_add(w->parts, &ex);
    }
    free(d);
}

/* Thresholds: >= 500 requests over >= 5 s at >= 50/s, <= 2 records per
 * batch; warning from 500/s.
 *  - 600 requests 10 ms apart (100/s over 5.99 s), 1 record a batch: info,
 *    and 2 records a batch (the limit) fires too;
 *  - near misses: 40/s (25 ms apart), 3 records a batch, 499 requests
 *    (4.98 s), 600 requests 5 ms apart (200/s but 3.0 s);
 *  - 6000 requests 1 ms apart (1000/s over 6 s): warning;
 *  - the client id that batches is not named next to one that does not. */
static void test_tiny_batches(void **state)
{
    (void)state;
    static const struct { int n; uint64_t interval_us; int64_t records; int want; } t[] = {
        { 600, 10000, 1, KT_SEV_INFO }, { 600, 10000, 2, KT_SEV_INFO },
        { 600, 25000, 1, -1 }, { 600, 10000, 3, -1 }, { 499, 10000, 1, -1 },
        { 600, 5000, 1, -1 }, { 6000, 1000, 1, KT_SEV_WARNING },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        world *w = world_new();
        kt_finding *f, *h[4];
        produce_paced(w, "chatty", t[i].n, t[i].interval_us, t[i].records);
        produce_paced(w, "batched", 600, 10000, 20);
        size_t n = compute(w, &f);
        size_t k = of_kind(f, n, "tiny_batches", h, 4);
        if (t[i].want < 0) {
            assert_int_equal(k, 0);
        } else {
            double rate = 1e6 / (double)t[i].interval_us;
            assert_int_equal(k, 1);
            assert_int_equal(h[0]->severity, t[i].want);
            assert_string_equal(h[0]->subject, "client id chatty");
            assert_true(metric(h[0], "requests") == t[i].n);
            double got = metric(h[0], "requests_per_s");
            assert_true(got > rate - 0.01 && got < rate + 0.01);
            assert_true(metric(h[0], "records_per_batch") == (double)t[i].records);
            assert_true(metric(h[0], "batches_per_request") == 1);
            assert_true(metric(h[0], "bytes_per_request") == 61 + 60 * t[i].records);
            assert_contains(h[0]->summary, "linger.ms");
            assert_contains(h[0]->summary, "batch.size");
        }
        free(f);
        world_free(w);
    }
}

/* ---- capture_loss --------------------------------------------------------- */

/* 100 Metadata requests: 97 answered, 3 whose response may be in a gap
 * (unknown).  Unknowns are not unanswered: no unanswered_requests (3 of
 * 100 unanswered would be a warning, test_unanswered).
 *  - nothing lost: no capture_loss;
 *  - 10 packets dropped by the kernel of 9,990 read (10 / 10,000 = 0.1%):
 *    warning, the drops cited;
 *  - the 3 unknown of 100 requests (3% >= 1%), 1 response to a lost
 *    request and 500 + 20 bytes missed on 2 of 3 connections: critical,
 *    naming the connection that missed 500 bytes first. */
static void test_capture_loss(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f, *h[2];
    kt_capture_stats cap;
    kt_session_totals t;
    kt_conn_summary c[3];
    size_t n;
    req r = { METADATA, 0, "app", 1000, 0, 0, NULL, 0, 0 };

    add(w, &r, 97);
    for (int i = 0; i < 3; i++) {
        kt_exchange ex;
        memset(&ex, 0, sizeof ex);
        ex.client = &w->client;
        ex.broker = &w->broker[0];
        ex.client_id = cid(w, "app");
        ex.api_key = METADATA;
        ex.latency_us = -1;
        ex.throttle_ms = -1;
        ex.status = KT_STATUS_UNKNOWN_CAPTURE_LOSS;
        kt_stats_add(w->stats, &ex);
    }
    memset(&cap, 0, sizeof cap);
    memset(&t, 0, sizeof t);
    memset(c, 0, sizeof c);
    cap.packets = 9990;
    t.requests = 100;
    t.matched = 97;
    t.connections = 3;
    for (int i = 0; i < 3; i++) {
        c[i].client = w->client;
        c[i].client.port = (uint16_t)(40000 + i);
        c[i].broker = w->broker[0];
    }

    n = compute_lossy(w, &cap, &t, c, 3, &f);
    assert_int_equal(of_kind(f, n, "capture_loss", h, 2), 0);
    assert_int_equal(of_kind(f, n, "unanswered_requests", h, 2), 0);
    free(f);

    cap.dropped = 10;
    n = compute_lossy(w, &cap, &t, c, 3, &f);
    assert_int_equal(of_kind(f, n, "capture_loss", h, 2), 1);
    assert_int_equal(h[0]->severity, KT_SEV_WARNING);
    assert_true(metric(h[0], "dropped") == 10);
    assert_true(metric(h[0], "packet_loss_share") == 0.001);
    assert_contains(h[0]->summary, "10 packets dropped by the kernel");
    assert_contains(h[0]->summary, "lower bounds");
    assert_int_equal(of_kind(f, n, "unanswered_requests", h, 2), 0);
    free(f);

    cap.dropped = 0;
    t.unknown_capture_loss = 3;
    t.lost_request_responses = 1;
    t.missed_bytes = 520;
    c[1].missed_bytes = 20;
    c[2].missed_bytes = 500;
    n = compute_lossy(w, &cap, &t, c, 3, &f);
    assert_int_equal(of_kind(f, n, "capture_loss", h, 2), 1);
    assert_int_equal(h[0]->severity, KT_SEV_CRITICAL);
    assert_true(metric(h[0], "missed_bytes") == 520);
    assert_true(metric(h[0], "lossy_connections") == 2);
    assert_true(metric(h[0], "unknown_requests") == 3);
    assert_true(metric(h[0], "lost_request_responses") == 1);
    assert_contains(h[0]->summary, "520 bytes never captured on 2 of 3 Kafka connections");
    assert_contains(h[0]->summary, ":40002 -> ");
    assert_true(strstr(h[0]->summary, ":40002 -> ") < strstr(h[0]->summary, ":40001 -> "));
    assert_contains(h[0]->summary, "3 of 100 requests unknown");
    assert_int_equal(of_kind(f, n, "unanswered_requests", h, 2), 0);
    free(f);
    world_free(w);
}

/* ---- order and the empty case ----------------------------------------------- */

static void test_order(void **state)
{
    (void)state;
    world *w = world_new();
    kt_finding *f;
    /* critical: 60% of Produce answered with an error; warnings: 3 of 100
     * Metadata unanswered (3% over the 1% threshold: 3x) before 10% of
     * ApiVersions answered with an error (10% over 5%: 2x) */
    req r = { METADATA, 0, "app", 1000, 0, 0, NULL, 0, 0 };
    add(w, &r, 97);
    r.latency_us = -1;
    add(w, &r, 3);
    produce_errors(w, 40, 60, 0, "app");
    req a = { API_VERSIONS, 0, "app", 100, NOT_LEADER_OR_FOLLOWER, 0, NULL, 0, 0 };
    add(w, &a, 10);
    req ok = { API_VERSIONS, 0, "app", 100, 0, 0, NULL, 0, 0 };
    add(w, &ok, 90);
    /* the 60% refused records of client app are also a critical
     * failing_client, 60% over 5%: 12x, ahead of the error storm's 60% over
     * 5% of responses... both 12x: then by kind */
    size_t n = compute(w, &f);
    assert_int_equal(n, 4);
    assert_int_equal(f[0].severity, KT_SEV_CRITICAL);
    assert_string_equal(f[0].kind, "error_storm");
    assert_int_equal(f[1].severity, KT_SEV_CRITICAL);
    assert_string_equal(f[1].kind, "failing_client");
    assert_int_equal(f[2].severity, KT_SEV_WARNING);
    assert_string_equal(f[2].kind, "unanswered_requests");     /* 3% / 1% = 3 */
    assert_int_equal(f[3].severity, KT_SEV_WARNING);
    assert_string_equal(f[3].subject, "ApiVersions NOT_LEADER_OR_FOLLOWER"); /* 10% / 5% = 2 */
    free(f);
    world_free(w);

    w = world_new();
    produce(w, "quiet", 0, 50, 1, 0);
    n = compute(w, &f);
    assert_int_equal(n, 0);
    free(f);
    world_free(w);
}

/* ---- the reports ---------------------------------------------------------------- */

static char *report(world *w, int json, int top_n)
{
    kt_report_input in;
    kt_report_model *model;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    memset(&in, 0, sizeof in);      /* no capture counters, no session totals */
    in.source = "test";
    in.stats = w->stats;
    in.partitions = w->parts;
    in.client_parts = w->cparts;
    in.top_n = top_n;
    in.sort = KT_SORT_TIME;     /* the order these tests were written for */
    in.final = 1;
    model = kt_report_build(&in);
    assert_non_null(model);
    if (json)
        kt_report_json(m, model);
    else
        kt_report_text(m, model);
    kt_report_model_free(model);
    fclose(m);
    return buf;
}

/* Runs python3 on the document with a script that exits 0 when the checks
 * pass; skips when python3 is not installed. */
static void python_check(const char *doc, const char *script)
{
    char tdoc[] = "/tmp/kt-findings-XXXXXX", tpy[] = "/tmp/kt-findings-py-XXXXXX";
    int fd = mkstemp(tdoc), fp = mkstemp(tpy);
    assert_true(fd >= 0 && fp >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(doc, f);
    fclose(f);
    f = fdopen(fp, "w");
    fputs(script, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v python3 >/dev/null 2>&1 || exit 77; python3 %s %s",
             tpy, tdoc);
    int st = system(cmd);
    unlink(tdoc);
    unlink(tpy);
    assert_true(st != -1 && WIFEXITED(st));
    if (WEXITSTATUS(st) == 77)
        skip();
    if (WEXITSTATUS(st) != 0)
        fail_msg("python3 checks of the JSON report failed (status %d)", WEXITSTATUS(st));
}

/* A world with something in every section: a hot partition, a topic known
 * only by its id, a consumer with lag, a throttled client, an error storm. */
static world *busy_world(void)
{
    world *w = world_new();
    static const uint8_t id[16] = { 0x4d, 0x2f, 0x0a, 0x11, 0x9e, 0x42, 0x40, 0x6b,
                                    0x8c, 0x11, 0x2b, 0x3f, 0x55, 0x01, 0xaa, 0xfe };
    hot_case(w, 150);
    req fe = { FETCH, 1, "consumer", 2000, 0, 0, kt_topic_by_id(&w->topics, id), 5, 7 };
    add(w, &fe, 4);
    fe.records = 0;
    fe.latency_us = 500000;
    add(w, &fe, 6);
    req th = { PRODUCE, 2, "greedy", 4000, 0, 250, topic(w, "orders"), 0, 3 };
    add(w, &th, 2);
    produce_errors(w, 20, 20, 0, "payments");
    return w;
}

static const char json_checks[] =
    "import json, sys\n"
    "d = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'))\n"
    "def keys(o, want):\n"
    "    missing = set(want) - set(o)\n"
    "    assert not missing, (missing, o)\n"
    "parts = d['partitions']\n"
    "assert len(parts) == 6, len(parts)   # all of them, whatever --top says\n"
    "for p in parts:\n"
    "    keys(p, ['topic', 'topic_id', 'topic_resolved', 'partition', 'produce', 'fetch'])\n"
    "    keys(p['produce'], ['requests', 'records', 'bytes', 'acked_records', 'unanswered',\n"
    "        'acks', 'timeout_ms_max', 'broker_time_ms', 'latency_ms', 'errors'])\n"
    "    keys(p['produce']['acks'], ['-1', '0', '1'])\n"
    "    keys(p['fetch'], ['requests', 'records', 'bytes', 'with_data', 'empty', 'unanswered',\n"
    "        'broker_time_ms', 'latency_ms', 'empty_latency_ms', 'high_watermark',\n"
    "        'fetch_offset', 'lag', 'lag_max', 'errors'])\n"
    "    for l in (p['produce']['latency_ms'], p['fetch']['latency_ms'],\n"
    "              p['fetch']['empty_latency_ms']):\n"
    "        keys(l, ['p50', 'p90', 'p99', 'max'])\n"
    "hot = [p for p in parts if p['topic'] == 'orders' and p['partition'] == 3][0]\n"
    "assert hot['produce']['requests'] == 40 and hot['produce']['records'] == 80, hot\n"
    "assert hot['produce']['acked_records'] == 80 and hot['produce']['acks']['-1'] == 40\n"
    "assert hot['produce']['latency_ms']['p50'] == 150.0\n"
    "assert hot['produce']['broker_time_ms'] == 6000.0\n"
    "assert hot['topic_resolved'] is True and hot['topic_id'] is None\n"
    "assert hot['fetch']['requests'] == 0 and hot['fetch']['lag'] is None\n"
    "pay = [p for p in parts if p['topic'] == 'pay'][0]\n"
    "assert pay['produce']['errors'] == {'NOT_LEADER_OR_FOLLOWER': 20}, pay\n"
    "u = [p for p in parts if not p['topic_resolved']][0]\n"
    "assert u['topic'] == u['topic_id'] == 'TS8KEZ5CQGuMESs_VQGq_g', u\n"
    "f = u['fetch']\n"
    "assert (f['requests'], f['with_data'], f['empty'], f['records']) == (10, 4, 6, 28), f\n"
    "assert f['latency_ms']['p50'] == 2.0 and f['empty_latency_ms']['p50'] == 500.0, f\n"
    "assert (f['fetch_offset'], f['high_watermark'], f['lag'], f['lag_max']) == (1000, 1010, 10, 10)\n"
    "assert d['throttle'] == [{'client_id': 'greedy', 'broker': '10.0.0.3:9092', 'responses': 2,\n"
    "    'throttled': 2, 'throttle_ms_total': 500, 'throttle_ms_max': 250}], d['throttle']\n"
    "kinds = [x['kind'] for x in d['findings']]\n"
    "assert 'hot_partition' in kinds and 'error_storm' in kinds and 'throttling' in kinds, kinds\n"
    "sev = {'critical': 2, 'warning': 1, 'info': 0}\n"
    "order = [sev[x['severity']] for x in d['findings']]\n"
    "assert order == sorted(order, reverse=True), order\n"
    "for x in d['findings']:\n"
    "    keys(x, ['kind', 'severity', 'subject', 'summary', 'metrics'])\n"
    "    assert x['metrics'] and all(isinstance(v, (int, float)) for v in x['metrics'].values())\n"
    "assert d['partitions_dropped'] == 0\n";

static void test_json_report(void **state)
{
    (void)state;
    world *w = busy_world();
    char *doc = report(w, 1, 2);
    python_check(doc, json_checks);
    free(doc);
    world_free(w);
}

/* An empty capture still has the keys, as empty arrays. */
static void test_json_report_empty(void **state)
{
    (void)state;
    world *w = world_new();
    char *doc = report(w, 1, 20);
    python_check(doc, "import json, sys\n"
                      "d = json.load(open(sys.argv[1]))\n"
                      "assert d['partitions'] == [] and d['throttle'] == [] and d['findings'] == []\n");
    free(doc);
    world_free(w);
}

static void test_text_report(void **state)
{
    (void)state;
    world *w = busy_world();
    char *t = report(w, 0, 2);
    /* the two partitions with the most broker time: the hot one (6000 ms)
     * and the unresolved fetch (6 x 500 + 4 x 2 = 3008 ms) */
    assert_contains(t, "Per topic-partition (top 2 of 6 by broker time");
    char row[64];
    snprintf(row, sizeof row, "\n  %-24s %5d ", "orders", 3);
    const char *hot = strstr(t, row);
    const char *unres = strstr(t, "\n  TS8KEZ5CQGuMESs_VQGq_g (unresolved id)");
    assert_non_null(hot);
    assert_non_null(unres);
    assert_true(hot < unres);
    assert_null(strstr(t, "\n  pay "));                  /* beyond --top 2 */
    assert_contains(t, "(4 more topic-partitions");
    assert_contains(t, "Throttling (per client id and broker");
    assert_contains(t, "greedy");
    assert_contains(t, "\nFindings (most severe first)\n  critical  ");
    assert_true(strstr(t, "Per topic-partition") < strstr(t, "Throttling") &&
                strstr(t, "Throttling") < strstr(t, "Findings"));
    free(t);
    world_free(w);

    w = world_new();
    t = report(w, 0, 20);
    assert_contains(t, "No throttling.");
    assert_contains(t, "No findings.");
    assert_null(strstr(t, "Per topic-partition"));
    free(t);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hot_partition_fires),
        cmocka_unit_test(test_hot_partition_near_miss),
        cmocka_unit_test(test_too_few_partitions),
        cmocka_unit_test(test_load_skew),
        cmocka_unit_test(test_hot_broker),
        cmocka_unit_test(test_load_skew_throttled),
        cmocka_unit_test(test_slow_produce),
        cmocka_unit_test(test_slow_fetch),
        cmocka_unit_test(test_slow_fetch_near_misses),
        cmocka_unit_test(test_findings_grouped),
        cmocka_unit_test(test_slow_broker),
        cmocka_unit_test(test_slow_broker_on_produce),
        cmocka_unit_test(test_error_storm),
        cmocka_unit_test(test_error_storm_expected_steps),
        cmocka_unit_test(test_error_storm_coordinator_retries),
        cmocka_unit_test(test_broker_silent),
        cmocka_unit_test(test_failing_client),
        cmocka_unit_test(test_sasl_auth_failure),
        cmocka_unit_test(test_throttling),
        cmocka_unit_test(test_unanswered),
        cmocka_unit_test(test_capture_loss),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_tiny_batches),
        cmocka_unit_test(test_json_report),
        cmocka_unit_test(test_json_report_empty),
        cmocka_unit_test(test_text_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
