/* test_timeline.c - unit tests of the timeline (src/stats/timeline.[ch]).
 *
 * The truth is the requests the test made and the times it gave them: every
 * request is counted once in the bucket its time falls in, whatever merges
 * and shifts happened; an auto timeline ends with 150 to 300 buckets of
 * 1/512 s times a power of two; a fixed width stays put; a request before
 * the start shifts the buckets; the latency percentile of a cell is within
 * the documented 6.25% of the exact nearest-rank value; the series of a
 * kind stop at their limit (the rest in "(other)"); and a small memory cap
 * is never crossed, refusals counted, with the timeline still working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/anomaly.h"
#include "stats/timeline.h"

#define T0_US 1700000000000000ull   /* a whole second */

static kt_endpoint broker_at(uint16_t port)
{
    kt_endpoint e;
    memset(&e, 0, sizeof e);
    e.family = 4;
    e.addr[0] = 10;
    e.addr[3] = 1;
    e.port = port;
    return e;
}

static kt_exchange exchange_at(const kt_endpoint *broker, uint64_t ts_us, int64_t latency_us)
{
    kt_exchange ex;
    memset(&ex, 0, sizeof ex);
    ex.broker = broker;
    ex.client = broker;
    ex.api_key = 3;                       /* Metadata */
    ex.request_ts_us = ts_us;
    ex.latency_us = latency_us;
    ex.status = KT_STATUS_OK;
    ex.throttle_ms = -1;
    return ex;
}

static uint64_t sum_requests(const kt_timeline *t, const kt_tl_series *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < t->max_buckets; i++)
        if (s->cell[i])
            n += s->cell[i]->requests;
    return n;
}

/* The bucket whose range holds ts_us. */
static size_t bucket_of(const kt_timeline *t, uint64_t ts_us)
{
    return (size_t)((ts_us * 1000 - t->start_ns) / t->width_ns);
}

static void test_auto_width_merges(void **state)
{
    (void)state;
    kt_endpoint b = broker_at(9092);
    kt_timeline *t = kt_timeline_new(0, 0);
    assert_non_null(t);
    /* one request every 10 ms for 100 s: 10,000 requests */
    for (uint64_t k = 0; k < 10000; k++) {
        kt_exchange ex = exchange_at(&b, T0_US + k * 10000, 1000);
        kt_timeline_add(t, &ex);
    }
    assert_true(t->nbuckets >= KT_TL_MAX_BUCKETS / 2 && t->nbuckets <= KT_TL_MAX_BUCKETS);
    assert_int_equal(t->width_ns % KT_TL_BASE_NS, 0);
    uint64_t m = t->width_ns / KT_TL_BASE_NS;
    assert_int_equal(m & (m - 1), 0);                 /* a power of two */
    assert_int_equal(t->width_ns, KT_TL_BASE_NS << t->merges);
    assert_int_equal(t->start_ns, T0_US * 1000);      /* a multiple of the base */
    assert_int_equal(sum_requests(t, &t->total), 10000);
    /* 100 s is 51,200 base buckets: halved 8 times, 200 buckets of 0.5 s */
    assert_int_equal(t->width_ns, 500000000ull);
    assert_int_equal(t->nbuckets, 200);
    /* each bucket holds exactly the requests of its time range */
    for (size_t i = 0; i < t->nbuckets; i++) {
        uint64_t lo = kt_tl_bucket_start(t, i), hi = kt_tl_bucket_start(t, i + 1), want = 0;
        for (uint64_t k = 0; k < 10000; k++) {
            uint64_t ns = (T0_US + k * 10000) * 1000;
            want += ns >= lo && ns < hi;
        }
        assert_non_null(t->total.cell[i]);
        assert_int_equal(t->total.cell[i]->requests, want);
    }
    kt_timeline_free(t);
}

static void test_early_request_shifts(void **state)
{
    (void)state;
    kt_endpoint b = broker_at(9092);
    kt_timeline *t = kt_timeline_new(1.0, 0);
    assert_non_null(t);
    kt_exchange ex = exchange_at(&b, T0_US + 10500000, 500);   /* 10.5 s */
    kt_timeline_add(t, &ex);
    assert_int_equal(t->start_ns, (T0_US + 10000000) * 1000);  /* aligned to 1 s */
    assert_int_equal(t->nbuckets, 1);
    ex = exchange_at(&b, T0_US + 7200000, 500);                /* 7.2 s: earlier */
    kt_timeline_add(t, &ex);
    assert_int_equal(t->start_ns, (T0_US + 7000000) * 1000);
    assert_int_equal(t->nbuckets, 4);
    assert_int_equal(t->width_ns, 1000000000ull);             /* fixed: unchanged */
    assert_int_equal(t->total.cell[0]->requests, 1);
    assert_null(t->total.cell[1]);
    assert_int_equal(t->total.cell[3]->requests, 1);
    assert_int_equal(bucket_of(t, T0_US + 10500000), 3);
    kt_timeline_free(t);
}

static void test_fixed_width_bound(void **state)
{
    (void)state;
    kt_endpoint b = broker_at(9092);
    kt_timeline *t = kt_timeline_new(1.0, 0);
    assert_non_null(t);
    /* 5000 s of 1 s buckets: past KT_TL_MAX_BUCKETS_FIXED, the width doubles */
    for (uint64_t k = 0; k < 5000; k++) {
        kt_exchange ex = exchange_at(&b, T0_US + k * 1000000, 500);
        kt_timeline_add(t, &ex);
    }
    assert_int_equal(t->width_ns, 2000000000ull);
    assert_int_equal(t->nbuckets, 2500);
    assert_int_equal(sum_requests(t, &t->total), 5000);
    for (size_t i = 0; i < t->nbuckets; i++)
        assert_int_equal(t->total.cell[i]->requests, 2);
    kt_timeline_free(t);
}

static void test_percentile_error(void **state)
{
    (void)state;
    kt_endpoint b = broker_at(9092);
    kt_timeline *t = kt_timeline_new(1.0, 0);
    assert_non_null(t);
    /* latencies 1..1000 ms in one bucket */
    for (uint64_t k = 1; k <= 1000; k++) {
        kt_exchange ex = exchange_at(&b, T0_US + k, (int64_t)(k * 1000));
        kt_timeline_add(t, &ex);
    }
    const kt_tl_hist *h = &t->total.cell[0]->latency;
    assert_int_equal(h->count, 1000);
    double p50 = (double)kt_tl_percentile(h, 50), p99 = (double)kt_tl_percentile(h, 99);
    assert_true(p50 >= 500000 * 0.9375 && p50 <= 500000 * 1.0625);
    assert_true(p99 >= 990000 * 0.9375 && p99 <= 990000 * 1.0625);
    assert_int_equal(kt_tl_percentile(h, 100), 1000000);         /* the exact max */
    kt_timeline_free(t);
}

static void test_series_limit(void **state)
{
    (void)state;
    kt_endpoint b[KT_TL_MAX_BROKERS + 10];
    kt_timeline *t = kt_timeline_new(0, 0);
    assert_non_null(t);
    kt_anomaly_reset();
    for (size_t i = 0; i < KT_TL_MAX_BROKERS + 10; i++) {
        b[i] = broker_at((uint16_t)(1000 + i));
        kt_exchange ex = exchange_at(&b[i], T0_US + i, 100);
        kt_timeline_add(t, &ex);
    }
    size_t n;
    kt_tl_series *const *s = kt_timeline_series(t, KT_TL_BROKER, &n);
    assert_int_equal(n, KT_TL_MAX_BROKERS + 1);
    assert_true(s[n - 1]->is_other);
    assert_int_equal(s[n - 1]->requests, 10);
    assert_int_equal(kt_anomaly.count[KT_AN_TIMELINE_SERIES_FULL], 10);
    kt_timeline_free(t);
}

static void test_memory_cap(void **state)
{
    (void)state;
    kt_endpoint b[40];
    const size_t cap = 64 * 1024;
    kt_timeline *t = kt_timeline_new(0, cap);
    assert_non_null(t);
    kt_anomaly_reset();
    for (size_t i = 0; i < 40; i++)
        b[i] = broker_at((uint16_t)(2000 + i));
    for (uint64_t k = 0; k < 20000; k++) {
        kt_exchange ex = exchange_at(&b[k % 40], T0_US + k * 3000, (int64_t)(k * 7919 % 500000));
        kt_timeline_add(t, &ex);
        assert_true(t->mem.used <= cap);
    }
    assert_true(t->mem.refused > 0);
    assert_true(kt_anomaly.count[KT_AN_TIMELINE_MEMORY] > 0);
    assert_true(t->mem.peak <= cap);
    assert_true(t->nbuckets <= KT_TL_MAX_BUCKETS);
    kt_timeline_free(t);
}

/* The account holds exactly what the timeline allocated, merges and all. */
static void test_memory_account_exact(void **state)
{
    (void)state;
    kt_endpoint b[3] = { broker_at(9092), broker_at(9093), broker_at(9094) };
    kt_timeline *t = kt_timeline_new(0, 0);
    assert_non_null(t);
    for (uint64_t k = 0; k < 3000; k++) {
        kt_exchange ex = exchange_at(&b[k % 3], T0_US + k * 100000, (int64_t)(k % 977) * 100);
        ex.status = k % 7 ? KT_STATUS_OK : KT_STATUS_ERROR;
        ex.nerrors = k % 7 ? 0 : 1;
        ex.errors[0].code = (int16_t)(k % 5 + 1);
        ex.errors[0].count = 1;
        kt_timeline_add(t, &ex);
    }
    assert_true(t->merges > 0);
    size_t want = 0, keyed = 0;
    for (int k = 0; k < KT_TL__KINDS; k++) {
        size_t n = 1;
        kt_tl_series *const *s = kt_timeline_series(t, k, &n);
        const kt_tl_series *total = &t->total;
        if (k == KT_TL_TOTAL) {
            s = (kt_tl_series *const *)&total;
            n = 1;
        }
        else
            keyed += t->kinds[k].nkeyed;
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < t->max_buckets; c++) {
                const kt_tl_cell *x = s[i]->cell[c];
                if (x)
                    want += sizeof *x + x->latency.cap * sizeof(kt_tl_bin) +
                            (size_t)x->caperrors * sizeof(kt_code_count);
            }
    }
    want += keyed * (sizeof(kt_tl_series) + t->max_buckets * sizeof(kt_tl_cell *) +
                     KT_TABLE_OVERHEAD_PER_ENTRY);
    assert_int_equal(t->mem.used, want);
    kt_timeline_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_width_merges),
        cmocka_unit_test(test_early_request_shifts),
        cmocka_unit_test(test_fixed_width_bound),
        cmocka_unit_test(test_percentile_error),
        cmocka_unit_test(test_series_limit),
        cmocka_unit_test(test_memory_cap),
        cmocka_unit_test(test_memory_account_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
