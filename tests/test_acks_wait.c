/* test_acks_wait.c - unit tests of matching acks=all Produce writes to the
 * followers' fetches (src/stats/acks_wait.c) and of the slow_follower_acks
 * rule (src/findings/findings_acks.c), through the report model.
 *
 * Produce and follower Fetch exchanges are made here with chosen capture
 * times, offsets and queue waits, in the orders the session hands them
 * over (when each response arrives): a follower's confirming fetch answered
 * before the Produce, or long-polling past it; a follower out of the ISR
 * whose fetch comes after the response; a window that fills.  The truth is
 * the rule as acks_wait.h and the man page state it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/anomaly.h"
#include "findings/findings.h"
#include "kafka/message_detail.h"
#include "kafka/topics.h"
#include "report/report_model.h"
#include "stats/acks_wait.h"
#include "stats/partition_stats.h"
#include "stats/stats.h"

#define MS 1000ull

typedef struct world {
    kt_stats *stats;
    kt_partitions *parts;
    kt_topics topics;
    kt_intern ids;
    kt_endpoint leader, app, f2, f3;
    const kt_topic *t;
    int32_t corr;
    int64_t end;               /* the leader's log end offset */
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
    kt_slice name = { (const uint8_t *)"payments", 8, 0 };
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
    w->app = ep(50, 42000);
    w->f2 = ep(2, 41000);
    w->f3 = ep(3, 41000);
    kt_anomaly_reset();
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

static kt_exchange exchange(world *w, int api, uint64_t ts_us, int64_t latency_us,
                            kt_request_detail *d, const char *client_id)
{
    kt_exchange ex;
    kt_slice id = { (const uint8_t *)client_id, strlen(client_id), 0 };
    memset(&ex, 0, sizeof ex);
    ex.broker = &w->leader;
    ex.client_id = kt_intern_get(&w->ids, id);
    ex.api_key = (int16_t)api;
    ex.api_version = api == 1 ? 18 : 13;
    ex.correlation_id = w->corr++;
    ex.request_ts_us = ts_us;
    ex.latency_us = latency_us;
    ex.queue_wait_us = 0;
    ex.service_us = latency_us;
    ex.throttle_ms = 0;
    ex.status = KT_STATUS_OK;
    ex.body_decoded = 1;
    ex.detail = d;
    return ex;
}

static kt_request_detail *detail(world *w, int api, int32_t replica_id)
{
    kt_request_detail *d = calloc(1, sizeof *d + sizeof d->parts[0]);
    assert_non_null(d);
    d->acks = api == 0 ? -1 : -2;
    d->timeout_ms = api == 0 ? 30000 : -1;
    d->max_wait_ms = api == 1 ? 500 : -1;
    d->replica_id = replica_id;
    d->nparts = 1;
    kt_part_init(&d->parts[0], w->t, 0);
    d->parts[0].answered = 1;
    d->parts[0].error = 0;
    return d;
}

/* An acks=all Produce of n records arriving at `at` ms, waiting `queue` ms
 * behind earlier requests, answered `latency` ms after arriving; acks and
 * error as given.  The leader gives it the next offsets. */
static void produce_as(world *w, double at, double queue, double latency, int64_t n, int acks,
                       int16_t error)
{
    kt_request_detail *d = detail(w, 0, -1);
    kt_exchange ex = exchange(w, 0, (uint64_t)(at * MS), (int64_t)(latency * MS), d, "app");
    d->acks = (int16_t)acks;
    d->parts[0].records = n;
    d->parts[0].bytes = (uint64_t)n * 40;
    d->parts[0].error = error;
    d->parts[0].base_offset = error ? -1 : w->end;
    if (!error)
        w->end += n;
    ex.client = &w->app;
    ex.queue_wait_us = (int64_t)(queue * MS);
    ex.service_us = ex.latency_us - ex.queue_wait_us;
    kt_stats_add(w->stats, &ex);
    kt_partitions_add(w->parts, &ex);
    free(d);
}

static void produce(world *w, double at, double queue, double latency, int64_t n)
{
    produce_as(w, at, queue, latency, n, -1, 0);
}

/* Follower `id` fetches from `offset`, its request arriving at `at` ms. */
static void fetch(world *w, int32_t id, double at, int64_t offset)
{
    kt_request_detail *d = detail(w, 1, id);
    kt_exchange ex = exchange(w, 1, (uint64_t)(at * MS), 1000, d,
                              id == 2 ? "broker-2-fetcher-0" : "broker-3-fetcher-0");
    ex.client = id == 2 ? &w->f2 : &w->f3;
    d->parts[0].fetch_offset = offset;
    d->parts[0].high_watermark = w->end;
    kt_stats_add(w->stats, &ex);
    kt_partitions_add(w->parts, &ex);
    free(d);
}

static const kt_acks_partition *row(const world *w)
{
    assert_int_equal(w->parts->acks.n, 1);
    return w->parts->acks.entries[0];
}

static const kt_acks_follower *follower(const world *w, int32_t id)
{
    const kt_acks_partition *r = row(w);
    for (uint32_t i = 0; i < r->nfollowers; i++)
        if (r->f[i].id == id)
            return &r->f[i];
    fail_msg("no follower %d", id);
    return NULL;
}

/* ---- matching ------------------------------------------------------------ */

/* Both confirming fetches answered before the Produce's response (the
 * session hands them over first): the later one, broker 3's at 130 ms, is
 * the one the write waited for, 30 ms after the append at 100 ms. */
static void test_fetches_before_produce(void **state)
{
    (void)state;
    world *w = world_new();
    produce(w, 0, 0, 5, 10);          /* offsets 0..9: the followers learn of the row */
    fetch(w, 2, 1, 0);
    fetch(w, 3, 1, 0);
    fetch(w, 2, 2, 10);
    fetch(w, 3, 3, 10);
    /* offsets 10..14 appended at 100 ms; 2 fetches past at 105, 3 at 130 */
    fetch(w, 2, 105, 15);
    fetch(w, 3, 130, 15);
    produce(w, 100, 0, 31, 5);
    const kt_acks_partition *r = row(w);
    assert_int_equal(r->produced, 2);
    assert_int_equal(r->resolved, 2);
    assert_int_equal(follower(w, 3)->last_count, 2);
    assert_int_equal(follower(w, 2)->last_count, 0);
    /* waits: 3 ms for the first write, 30 ms for the second */
    assert_int_equal(follower(w, 3)->wait_last.max, 30 * MS);
    assert_int_equal(follower(w, 2)->confirm.max, 5 * MS);
    world_free(w);
}

/* Broker 3's confirming fetch long-polls past the Produce's response: the
 * session hands it over after the Produce, which waits in the window and
 * is attributed when it comes. */
static void test_fetch_after_produce(void **state)
{
    (void)state;
    world *w = world_new();
    produce(w, 0, 0, 5, 10);
    fetch(w, 2, 1, 10);
    fetch(w, 3, 2, 10);
    fetch(w, 2, 104, 15);
    produce(w, 100, 0, 22, 5);        /* answered at 122 ms */
    assert_int_equal(row(w)->npending, 1);
    fetch(w, 3, 121, 15);             /* its request at 121 ms, answered later */
    assert_int_equal(row(w)->npending, 0);
    /* the first write was broker 2's alone: 3 was not seen yet */
    assert_int_equal(follower(w, 2)->last_count, 1);
    assert_int_equal(follower(w, 3)->last_count, 1);
    assert_int_equal(follower(w, 3)->wait_last.max, 21 * MS);
    world_free(w);
}

/* The wait counts from the append: arrival 100 ms + 40 ms of queue wait;
 * broker 2's fetch at 150 ms is 10 ms after it. */
static void test_wait_from_append(void **state)
{
    (void)state;
    world *w = world_new();
    produce(w, 0, 0, 5, 10);
    fetch(w, 2, 1, 10);
    fetch(w, 3, 1, 10);
    fetch(w, 3, 142, 15);
    fetch(w, 2, 150, 15);
    produce(w, 100, 40, 51, 5);
    assert_int_equal(follower(w, 2)->last_count, 2);   /* the first write too */
    assert_int_equal(follower(w, 2)->wait_last.max, 10 * MS);
    world_free(w);
}

/* Broker 3 is out of the ISR: its fetch past the write comes after the
 * response (the leader did not wait for it).  Broker 2 is the last that
 * confirmed; a fetch of 3 after the response that is still behind decides
 * it too. */
static void test_out_of_isr(void **state)
{
    (void)state;
    world *w = world_new();
    produce(w, 0, 0, 5, 10);
    fetch(w, 2, 1, 10);
    fetch(w, 3, 1, 0);
    fetch(w, 2, 103, 15);
    produce(w, 100, 0, 4, 5);         /* answered at 104 ms */
    assert_int_equal(row(w)->npending, 1);
    fetch(w, 3, 300, 5);              /* still behind, after the response */
    assert_int_equal(row(w)->npending, 0);
    assert_int_equal(follower(w, 2)->last_count, 2);   /* the first write too */
    assert_int_equal(follower(w, 3)->last_count, 0);
    fetch(w, 3, 400, 15);
    produce(w, 500, 0, 4, 5);         /* offsets 15..19, answered at 504 */
    fetch(w, 2, 502, 20);
    assert_int_equal(row(w)->npending, 1);   /* 3 may still confirm */
    fetch(w, 3, 600, 15);             /* it did not */
    assert_int_equal(row(w)->npending, 0);
    assert_int_equal(follower(w, 2)->last_count, 3);
    assert_int_equal(follower(w, 3)->last_count, 0);
    world_free(w);
}

/* acks=1 and refused writes are no acks=all writes; the first write of a
 * partition, before any follower was seen, is matched once they fetch. */
static void test_only_acks_all(void **state)
{
    (void)state;
    world *w = world_new();
    produce_as(w, 0, 0, 5, 10, 1, 0);
    assert_int_equal(w->parts->acks.n, 0);
    produce_as(w, 10, 0, 5, 10, -1, 10 /* MESSAGE_TOO_LARGE */);
    assert_int_equal(w->parts->acks.n, 0);
    produce(w, 20, 0, 5, 10);         /* offsets 10..19, answered at 25 */
    assert_int_equal(row(w)->npending, 1);
    fetch(w, 2, 22, 20);
    assert_int_equal(row(w)->npending, 0);
    assert_int_equal(row(w)->resolved, 1);
    assert_int_equal(follower(w, 2)->last_count, 1);
    world_free(w);
}

/* A follower that never fetches again leaves writes unresolved: the 33rd
 * and 34th force the oldest out of the 32-write window, no follower having
 * confirmed them (unattributed, and the anomaly), and those left are
 * reported unresolved. */
static void test_window_full(void **state)
{
    (void)state;
    world *w = world_new();
    produce(w, 0, 0, 5, 1);
    fetch(w, 2, 1, 0);
    for (int i = 0; i < KT_ACKS_PENDING + 1; i++)
        produce(w, 10 + i, 0, 5, 1);
    assert_int_equal(row(w)->window_full, 2);
    assert_int_equal(kt_acks_unresolved(row(w)), KT_ACKS_PENDING);
    assert_int_equal(kt_anomaly.count[KT_AN_ACKS_WINDOW_FULL], 2);
    world_free(w);
}

/* Broker 3 dies (no fetch after 1 ms) while broker 2 confirms every write:
 * once the window is full each oldest write is resolved without 3 and
 * attributed to 2; no anomaly, nothing unattributed. */
static void test_dead_follower(void **state)
{
    (void)state;
    world *w = world_new();
    produce(w, 0, 0, 5, 1);
    fetch(w, 3, 1, 0);
    fetch(w, 2, 2, 1);
    for (int i = 0; i < KT_ACKS_PENDING + 10; i++) {
        double t = 10 + 10.0 * i;
        fetch(w, 2, t + 1, w->end + 1);
        produce(w, t, 0, 2, 1);
    }
    const kt_acks_partition *r = row(w);
    assert_int_equal(r->window_full, 11);
    assert_int_equal(r->resolved, 11);
    assert_int_equal(r->unattributed, 0);
    assert_int_equal(follower(w, 2)->last_count, 11);
    assert_int_equal(kt_anomaly.count[KT_AN_ACKS_WINDOW_FULL], 0);
    world_free(w);
}

/* A capture on the client's host: no follower fetches at all.  Nothing is
 * attributed, no anomaly, and the report has no rows for it. */
static void test_client_host(void **state)
{
    (void)state;
    world *w = world_new();
    for (int i = 0; i < KT_ACKS_PENDING + 8; i++)
        produce(w, 10.0 * i, 0, 2, 1);
    assert_int_equal(row(w)->unattributed, 8);
    assert_int_equal(row(w)->window_full, 0);
    assert_int_equal(kt_acks_unresolved(row(w)), KT_ACKS_PENDING);
    assert_int_equal(kt_anomaly.count[KT_AN_ACKS_WINDOW_FULL], 0);
    kt_report_input in;
    memset(&in, 0, sizeof in);
    in.stats = w->stats;
    in.partitions = w->parts;
    kt_report_model *m = kt_report_build(&in);
    assert_non_null(m);
    assert_int_equal(m->nacks, 0);
    kt_report_model_free(m);
    world_free(w);
}

/* ---- slow_follower_acks -------------------------------------------------- */

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

/* n writes of 5 records, one every 200 ms; broker 2 fetches past each
 * fast2 ms after the append, broker 3 slow3 ms after; every `swap`-th write
 * (0: none) the two trade places.  A first write makes the partition's row
 * and is matched to no follower (both fetch only after its response). */
static void writes(world *w, int n, double fast2, double slow3, int swap)
{
    produce(w, 0, 0, 1, 1);
    fetch(w, 2, 5, w->end);
    fetch(w, 3, 5, w->end);
    assert_int_equal(row(w)->unattributed, 1);
    for (int i = 0; i < n; i++) {
        double t = 1000 + 200.0 * i;
        int swapped = swap && i % swap == 0;
        double d2 = swapped ? slow3 : fast2, d3 = swapped ? fast2 : slow3;
        double last = d2 > d3 ? d2 : d3;
        int64_t past = w->end + 5;
        fetch(w, 2, t + d2, past);
        fetch(w, 3, t + d3, past);
        produce(w, t, 0, last + 1, 5);
    }
}

/* 30 writes, broker 3 always last, 40 ms after the append, broker 2 at
 * 2 ms: slow_follower_acks names broker 3 with a share of 100%. */
static void test_finding_fires(void **state)
{
    (void)state;
    world *w = world_new();
    writes(w, 30, 2, 40, 0);
    kt_report_model *m = report(w);
    const kt_finding *f = find(m, "slow_follower_acks");
    assert_non_null(f);
    assert_int_equal(f->severity, KT_SEV_WARNING);
    assert_non_null(strstr(f->summary, "payments/0 waited on follower broker 3"));
    assert_int_equal((int)metric(f, "follower_id"), 3);
    assert_int_equal((int)metric(f, "matched_writes"), 30);
    assert_true(metric(f, "waited_share") > 0.99);
    assert_true(metric(f, "wait_p50_ms") > 39.0 && metric(f, "wait_p50_ms") < 41.0);
    assert_true(metric(f, "others_p50_ms") > 1.9 && metric(f, "others_p50_ms") < 2.1);
    kt_report_model_free(m);
    world_free(w);
}

/* Near misses: 19 writes (under 20); broker 3 last in only half (every
 * other write swapped); its wait 9 ms (under 10 ms); 12 ms against the
 * other's 7 ms (under 2x). */
static void test_finding_near_misses(void **state)
{
    (void)state;
    static const struct { int n; double fast, slow; int swap; } cases[] = {
        { 19, 2, 40, 0 }, { 30, 2, 40, 2 }, { 30, 1, 9, 0 }, { 30, 7, 12, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        world *w = world_new();
        writes(w, cases[i].n, cases[i].fast, cases[i].slow, cases[i].swap);
        kt_report_model *m = report(w);
        assert_null(find(m, "slow_follower_acks"));
        kt_report_model_free(m);
        world_free(w);
    }
}

/* Past the share by a little: swapped one write in 3 (67% last). */
static void test_finding_share(void **state)
{
    (void)state;
    world *w = world_new();
    writes(w, 30, 2, 40, 3);
    kt_report_model *m = report(w);
    const kt_finding *f = find(m, "slow_follower_acks");
    assert_non_null(f);
    assert_true(metric(f, "waited_share") > 0.6 && metric(f, "waited_share") < 0.7);
    kt_report_model_free(m);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetches_before_produce),
        cmocka_unit_test(test_fetch_after_produce),
        cmocka_unit_test(test_wait_from_append),
        cmocka_unit_test(test_out_of_isr),
        cmocka_unit_test(test_only_acks_all),
        cmocka_unit_test(test_window_full),
        cmocka_unit_test(test_dead_follower),
        cmocka_unit_test(test_client_host),
        cmocka_unit_test(test_finding_fires),
        cmocka_unit_test(test_finding_near_misses),
        cmocka_unit_test(test_finding_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
