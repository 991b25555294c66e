/* test_findings_replication.c - unit tests of the replication rows
 * (src/stats/replication_stats.c) and their findings
 * (src/findings/findings_replication.c), through the report model.
 *
 * Follower and consumer Fetch exchanges and Produce exchanges are made here
 * with chosen capture times, offsets and high watermarks, and added the way
 * the program adds them (kt_stats_add, kt_partitions_add).  The truth is
 * the rule as the man page states it: 100 records or more behind for 5 s
 * or more is replication_lag; no Fetch for 5 s or more while the leader is
 * produced to is slow_follower; critical at 30 s.  Each case has a near
 * miss just short of a threshold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "findings/findings.h"
#include "kafka/client_role.h"
#include "kafka/message_detail.h"
#include "kafka/topics.h"
#include "report/report_model.h"
#include "stats/partition_stats.h"
#include "stats/stats.h"

#define SEC 1000000ull

typedef struct world {
    kt_stats *stats;
    kt_partitions *parts;
    kt_topics topics;
    kt_intern ids;
    kt_endpoint leader, follower, app;
    const kt_topic *t;
    uint64_t hw;               /* the leader's high watermark */
    int32_t corr;
} world;

static kt_endpoint ep(uint8_t last, uint16_t port)
{
    kt_endpoint e;
    memset(&e, 0, sizeof e);
    e.family = 4;
    e.addr[0] = 10;
    e.addr[3] = last;
    e.port = port;
    return e;
}

static world *world_new(void)
{
    world *w = calloc(1, sizeof *w);
    kt_slice name = { (const uint8_t *)"orders", 6, 0 };
    assert_non_null(w);
    w->stats = kt_stats_new();
    w->parts = kt_partitions_new();
    assert_non_null(w->stats);
    assert_non_null(w->parts);
    assert_int_equal(kt_topics_init(&w->topics, 100), 0);
    assert_int_equal(kt_intern_init(&w->ids, 100), 0);
    w->t = kt_topic_by_name(&w->topics, name);
    assert_non_null(w->t);
    w->leader = ep(1, 9092);
    w->follower = ep(3, 41000);
    w->app = ep(50, 42000);
    return w;
}

static void world_free(world *w)
{
    kt_partitions_free(w->parts);
    kt_stats_free(w->stats);
    kt_topics_free(&w->topics);
    kt_intern_free(&w->ids);
    free(w);
}

/* One exchange on partition 0 of orders at capture time ts (seconds). */
static void add(world *w, int api, int32_t replica_id, double ts, int64_t fetch_offset,
                int64_t records, const char *client_id)
{
    kt_exchange ex;
    kt_slice id = { (const uint8_t *)client_id, strlen(client_id), 0 };
    kt_request_detail *d = calloc(1, sizeof *d + sizeof d->parts[0]);
    assert_non_null(d);
    memset(&ex, 0, sizeof ex);
    ex.client = replica_id >= 0 ? &w->follower : &w->app;
    ex.broker = &w->leader;
    ex.client_id = kt_intern_get(&w->ids, id);
    ex.api_key = (int16_t)api;
    ex.api_version = api == 1 ? 18 : 13;
    ex.correlation_id = w->corr++;
    ex.request_ts_us = (uint64_t)(ts * SEC);
    ex.latency_us = 2000;
    ex.throttle_ms = 0;
    ex.status = KT_STATUS_OK;
    ex.body_decoded = 1;
    d->acks = api == 0 ? 1 : -2;
    d->timeout_ms = api == 0 ? 30000 : -1;
    d->max_wait_ms = api == 1 ? 500 : -1;
    d->replica_id = replica_id;
    d->nparts = 1;
    kt_part_init(&d->parts[0], w->t, 0);
    d->parts[0].answered = 1;
    d->parts[0].error = 0;
    d->parts[0].records = records;
    d->parts[0].bytes = (uint64_t)records * 50;
    if (api == 1) {
        d->parts[0].fetch_offset = fetch_offset;
        d->parts[0].high_watermark = (int64_t)w->hw;
    }
    ex.detail = d;
    kt_stats_add(w->stats, &ex);
    kt_partitions_add(w->parts, &ex);
    free(d);
}

/* The producer writes n records at time ts (the leader's high watermark
 * follows at once: acks=1, the follower not in the ISR). */
static void produce(world *w, double ts, int64_t n)
{
    add(w, 0, -1, ts, -1, n, "app");
    w->hw += (uint64_t)n;
}

/* Broker 3 fetches from offset `at` at time ts; it receives what it lacks. */
static void follow(world *w, double ts, int64_t at)
{
    add(w, 1, 3, ts, at, (int64_t)w->hw - at, "broker-3-fetcher-0");
}

/* The report model's findings (the caller frees the model). */
static kt_report_model *report(world *w)
{
    kt_report_input in;
    kt_report_model *m;
    memset(&in, 0, sizeof in);
    in.stats = w->stats;
    in.partitions = w->parts;
    m = kt_report_build(&in);
    assert_non_null(m);
    return m;
}

static const kt_finding *find(const kt_report_model *m, const char *kind)
{
    for (size_t i = 0; i < m->nfindings; i++)
        if (!strcmp(m->findings[i].kind, kind))
            return &m->findings[i];
    return NULL;
}

static double metric(const kt_finding *f, const char *key)
{
    for (int i = 0; i < f->nmetrics; i++)
        if (!strcmp(f->metric[i].key, key))
            return f->metric[i].value;
    fail_msg("finding %s has no metric %s", f->kind, key);
    return -1;
}

/* A follower that keeps up: every 0.5 s the producer writes 50 records and
 * the follower fetches them, from t = 0 to t = until. */
static void steady(world *w, double from, double until)
{
    for (double t = from; t < until; t += 0.5) {
        produce(w, t, 50);
        follow(w, t + 0.1, (int64_t)w->hw - 50);
        follow(w, t + 0.2, (int64_t)w->hw);
    }
}

/* Frozen from `from` for `secs` s while the producer writes 50 records
 * every 0.5 s; back, it fetches from where it stopped, then catches up. */
static void freeze(world *w, double from, double secs)
{
    int64_t at = (int64_t)w->hw;
    double t;
    for (t = from; t < from + secs; t += 0.5)
        produce(w, t, 50);
    follow(w, from + secs, at);
    follow(w, from + secs + 0.1, (int64_t)w->hw);
}

/* ---- replication_lag ----------------------------------------------------- */

/* Frozen 8 s: back 800 records behind (16 writes of 50), after 8.2 s since
 * its last caught-up fetch at t = 9.7 (steady until 10): replication_lag,
 * warning, naming broker 3 and the leader, citing lag and time. */
static void test_lag_fires(void **state)
{
    (void)state;
    world *w = world_new();
    steady(w, 0, 10);
    freeze(w, 10, 8);
    steady(w, 18.5, 22);
    kt_report_model *m = report(w);
    const kt_finding *f = find(m, "replication_lag");
    assert_non_null(f);
    assert_int_equal(f->severity, KT_SEV_WARNING);
    assert_int_equal((int)metric(f, "follower_id"), 3);
    assert_int_equal((int)metric(f, "lag_max_records"), 800);
    assert_true(metric(f, "behind_s") > 8.0 && metric(f, "behind_s") < 8.5);
    assert_true(metric(f, "silence_s") > 8.0 && metric(f, "silence_s") < 8.5);
    assert_non_null(strstr(f->subject, "follower broker 3 (10.0.0.3) of leader 10.0.0.1:9092"));
    assert_non_null(strstr(f->summary, "orders/0"));
    assert_null(find(m, "slow_follower"));
    /* one row; the consumer Fetch statistics never saw the follower */
    assert_int_equal(m->nreplicas, 1);
    assert_int_equal(m->replicas[0].stats->lag_max, 800);
    assert_int_equal(m->npartitions, 1);
    assert_int_equal(m->partitions[0].stats->fetch.requests, 0);
    assert_int_equal(m->partitions[0].stats->produce.records, m->replicas[0].stats->records);
    for (size_t i = 0; i < m->napis; i++)
        if (m->apis[i].api_key == 1)
            assert_true(m->apis[i].follower);
    for (size_t i = 0; i < m->nclients; i++)
        if (!strcmp(m->clients[i].client_id->s, "broker-3-fetcher-0"))
            assert_string_equal(kt_client_role_name(m->clients[i].roles), "follower");
    kt_report_model_free(m);
    world_free(w);
}

/* Frozen 4.5 s: 450 records behind, but for 4.7 s < 5 s: no finding. */
static void test_lag_near_miss(void **state)
{
    (void)state;
    world *w = world_new();
    steady(w, 0, 10);
    freeze(w, 10, 4.5);
    steady(w, 15, 20);
    kt_report_model *m = report(w);
    assert_int_equal(m->replicas[0].stats->lag_max, 450);
    assert_null(find(m, "replication_lag"));
    assert_null(find(m, "slow_follower"));
    kt_report_model_free(m);
    world_free(w);
}

/* 5 s behind but only 99 records (a trickle of 9 every 0.5 s, 11 writes):
 * under 100 records, so not lag; the fetch gap says it: slow_follower. */
static void test_few_records_is_silence(void **state)
{
    (void)state;
    world *w = world_new();
    steady(w, 0, 5);
    int64_t at = (int64_t)w->hw;
    for (int i = 0; i < 11; i++)
        produce(w, 5 + 0.5 * i, 9);
    follow(w, 10.6, at);
    kt_report_model *m = report(w);
    assert_int_equal(m->replicas[0].stats->lag_max, 99);
    assert_null(find(m, "replication_lag"));
    const kt_finding *f = find(m, "slow_follower");
    assert_non_null(f);
    assert_true(metric(f, "silence_s") >= 5.0);
    kt_report_model_free(m);
    world_free(w);
}

/* A follower in the ISR holds the high watermark back: its lag reads 0.
 * Silent 6 s while the leader is written: slow_follower; 4 s: nothing. */
static void silent_case(double secs, int fires)
{
    world *w = world_new();
    steady(w, 0, 5);
    follow(w, 5, (int64_t)w->hw);
    for (double t = 5.2; t < 5 + secs; t += 0.5)
        add(w, 0, -1, t, -1, 50, "app");          /* HW held back */
    follow(w, 5 + secs, (int64_t)w->hw);
    kt_report_model *m = report(w);
    assert_int_equal(m->replicas[0].stats->lag, 0);          /* never 100 behind */
    assert_true(m->replicas[0].stats->lag_max < 100);
    const kt_finding *f = find(m, "slow_follower");
    if (fires) {
        assert_non_null(f);
        assert_int_equal(f->severity, KT_SEV_WARNING);
        assert_true(metric(f, "silence_s") >= secs - 0.01);
    } else {
        assert_null(f);
    }
    kt_report_model_free(m);
    world_free(w);
}

static void test_silence_fires(void **state)
{
    (void)state;
    silent_case(6, 1);
}

static void test_silence_near_miss(void **state)
{
    (void)state;
    silent_case(4, 0);
}

/* Fetches stop for good (a dead follower) while the leader is written for
 * 31 s more: slow_follower, critical (30 s or more).  Written for 4 s
 * more only: nothing.  No writes after its last fetch: nothing either. */
static void stopped_case(double more, int sev)
{
    world *w = world_new();
    steady(w, 0, 5);
    for (double t = 5; t <= 5 + more; t += 0.5)
        produce(w, t, 10);
    kt_report_model *m = report(w);
    const kt_finding *f = find(m, "slow_follower");
    if (sev < 0) {
        assert_null(f);
    } else {
        assert_non_null(f);
        assert_int_equal(f->severity, sev);
    }
    kt_report_model_free(m);
    world_free(w);
}

static void test_stopped_critical(void **state)
{
    (void)state;
    stopped_case(31, KT_SEV_CRITICAL);
}

static void test_stopped_near_miss(void **state)
{
    (void)state;
    stopped_case(4, -1);
}

/* A Metadata response listing broker 3's listener names it: the finding
 * says "follower broker 3 (kafka-3.example:9093)", not its client address. */
static void test_named_by_metadata(void **state)
{
    (void)state;
    world *w = world_new();
    kt_broker_node nodes[2] = { { 1, 9092, 15, "kafka-1.example" },
                                { 3, 9093, 15, "kafka-3.example" } };
    kt_exchange ex;
    memset(&ex, 0, sizeof ex);
    ex.client = &w->app;
    ex.broker = &w->leader;
    ex.api_key = 3;
    ex.api_version = 12;
    ex.status = KT_STATUS_OK;
    ex.nodes = nodes;
    ex.nnodes = 2;
    kt_partitions_add(w->parts, &ex);
    steady(w, 0, 10);
    freeze(w, 10, 8);
    kt_report_model *m = report(w);
    const kt_finding *f = find(m, "replication_lag");
    assert_non_null(f);
    assert_non_null(strstr(f->subject, "follower broker 3 (kafka-3.example:9093) of leader"));
    assert_string_equal(m->replicas[0].follower_broker, "kafka-3.example:9093");
    assert_string_equal(m->replicas[0].follower, "10.0.0.3");
    kt_report_model_free(m);
    world_free(w);
}

/* A consumer's Fetch with the same offsets is never a replication row. */
static void test_consumer_not_follower(void **state)
{
    (void)state;
    world *w = world_new();
    produce(w, 0, 500);
    add(w, 1, -1, 1, 0, 500, "reader");
    kt_report_model *m = report(w);
    assert_int_equal(m->nreplicas, 0);
    assert_int_equal(m->partitions[0].stats->fetch.requests, 1);
    assert_int_equal(m->partitions[0].stats->fetch.records, 500);
    for (size_t i = 0; i < m->napis; i++)
        assert_false(m->apis[i].follower);
    kt_report_model_free(m);
    world_free(w);
}

/* Roles from the requests alone: the brokers' own APIs, AddPartitionsToTxn
 * v4+ (brokers' verification) against v3 (a transactional producer). */
static void test_roles(void **state)
{
    (void)state;
    static const struct { int api, version; const char *role; } cases[] = {
        { 27, 1, "broker" },     /* WriteTxnMarkers */
        { 24, 4, "broker" },     /* AddPartitionsToTxn, verification */
        { 24, 3, "client" },     /* AddPartitionsToTxn from a producer */
        { 63, 1, "broker" },     /* BrokerHeartbeat */
        { 62, 4, "broker" },     /* BrokerRegistration */
        { 56, 3, "broker" },     /* AlterPartition */
        { 3, 12, "client" },     /* Metadata */
        { 0, 13, "producer" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kt_exchange ex;
        memset(&ex, 0, sizeof ex);
        ex.api_key = (int16_t)cases[i].api;
        ex.api_version = (int16_t)cases[i].version;
        assert_string_equal(kt_client_role_name(kt_client_role_of(&ex)), cases[i].role);
    }
    assert_string_equal(kt_client_role_name(KT_CROLE_PRODUCER | KT_CROLE_CONSUMER), "client");
    assert_string_equal(kt_client_role_name(KT_CROLE_CONSUMER), "consumer");
    assert_string_equal(kt_client_role_name(KT_CROLE_FOLLOWER | KT_CROLE_BROKER), "follower");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lag_fires),
        cmocka_unit_test(test_lag_near_miss),
        cmocka_unit_test(test_few_records_is_silence),
        cmocka_unit_test(test_silence_fires),
        cmocka_unit_test(test_silence_near_miss),
        cmocka_unit_test(test_stopped_critical),
        cmocka_unit_test(test_stopped_near_miss),
        cmocka_unit_test(test_named_by_metadata),
        cmocka_unit_test(test_consumer_not_follower),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
