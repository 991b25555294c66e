/* test_histogram.c - unit tests of the latency histogram (src/histogram.[ch]).
 *
 * Ground truth is the exact nearest-rank percentile of the same values kept
 * in a sorted array: the value at 1-based rank ceil(p/100 * n), computed in
 * integer arithmetic.  The histogram must agree within 1% relative error
 * (the bound) for p50/p90/p99 and other ranks, on several
 * distributions drawn with a fixed seed; min and max must be exact; merge
 * must equal adding everything to one histogram; empty gives 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <cmocka.h>

#include "stats/histogram.h"

/* xorshift64*: a fixed, portable sequence (no dependency on rand()). */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* uniform in (0, 1) */
static double rng_unit(void)
{
    return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(void)
{
    double u1 = rng_unit(), u2 = rng_unit();
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Exact nearest rank on a sorted array, p given in hundredths of a percent
 * so that the rank is computed without floating point. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, unsigned p_x100)
{
    uint64_t rank = ((uint64_t)n * p_x100 + 9999) / 10000;
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

static void check_against_exact(const kt_histogram *h, uint64_t *v, size_t n,
                                const char *what)
{
    static const unsigned ps[] = { 50, 90, 99, 1, 10, 25, 33, 57, 67, 75, 95, 999, 9999 };
    /* ps[] entries below 100 are whole percents; 999 = 99.9, 9999 = 99.99 */
    uint64_t mn = UINT64_MAX, mx = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < mn)
            mn = v[i];
        if (v[i] > mx)
            mx = v[i];
    }
    qsort(v, n, sizeof *v, cmp_u64);
    assert_true(h->count == n);
    assert_true(h->min == mn);
    assert_true(h->max == mx);
    assert_true(kt_hist_percentile(h, 100) == mx);
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        unsigned px100 = ps[i] == 999 ? 9990 : ps[i] == 9999 ? 9999 : ps[i] * 100;
        double p = px100 / 100.0;
        uint64_t exact = exact_percentile(v, n, px100);
        uint64_t got = kt_hist_percentile(h, p);
        double err = exact ? fabs((double)got - (double)exact) / (double)exact
                           : (double)got;
        if (err > 0.01)
            fail_msg("%s: p%.2f = %llu, exact %llu (relative error %.4f)", what, p,
                     (unsigned long long)got, (unsigned long long)exact, err);
    }
}

static void run_distribution(const char *what, uint64_t seed, size_t n,
                             uint64_t (*draw)(void))
{
    uint64_t *v = malloc(n * sizeof *v);
    kt_histogram h;
    assert_non_null(v);
    rng_state = seed;
    kt_hist_init(&h);
    for (size_t i = 0; i < n; i++) {
        v[i] = draw();
        assert_int_equal(kt_hist_add(&h, v[i]), 0);
    }
    check_against_exact(&h, v, n, what);
    kt_hist_free(&h);
    free(v);
}

/* lognormal, median ~2 ms, sigma 1: typical broker latencies in us */
static uint64_t draw_lognormal(void)
{
    return (uint64_t)llround(exp(log(2000.0) + 1.0 * rng_normal()));
}

/* lognormal with a heavy tail, median 300 us, sigma 2.5 */
static uint64_t draw_lognormal_wide(void)
{
    double x = exp(log(300.0) + 2.5 * rng_normal());
    return x > 1e12 ? 1000000000000ull : (uint64_t)llround(x);
}

/* bimodal: 90% fast (~0.5 ms), 10% slow (~500 ms, a fetch max.wait) */
static uint64_t draw_bimodal(void)
{
    if (rng_next() % 10 == 0)
        return 500000 + rng_next() % 20000;
    return (uint64_t)llround(exp(log(500.0) + 0.3 * rng_normal()));
}

/* uniform over 0..200 us: the exact range of the histogram */
static uint64_t draw_small(void)
{
    return rng_next() % 200;
}

/* uniform over many powers of two */
static uint64_t draw_loguniform(void)
{
    return (uint64_t)llround(exp(rng_unit() * log(1e10)));
}

/* exponential, mean 10 ms */
static uint64_t draw_exponential(void)
{
    return (uint64_t)llround(-10000.0 * log(rng_unit()));
}

static void test_lognormal(void **state)
{
    (void)state;
    run_distribution("lognormal", 1, 100000, draw_lognormal);
    run_distribution("lognormal n=7", 2, 7, draw_lognormal);
    run_distribution("lognormal n=100", 3, 100, draw_lognormal);
    run_distribution("lognormal n=1001", 4, 1001, draw_lognormal);
}

static void test_lognormal_wide(void **state)
{
    (void)state;
    run_distribution("lognormal wide", 11, 100000, draw_lognormal_wide);
}

static void test_bimodal(void **state)
{
    (void)state;
    run_distribution("bimodal", 21, 50000, draw_bimodal);
    run_distribution("bimodal n=10", 22, 10, draw_bimodal);
}

static void test_small_values(void **state)
{
    (void)state;
    run_distribution("small", 31, 10000, draw_small);
}

static void test_loguniform(void **state)
{
    (void)state;
    run_distribution("loguniform", 41, 100000, draw_loguniform);
}

static void test_exponential(void **state)
{
    (void)state;
    run_distribution("exponential", 51, 100000, draw_exponential);
    run_distribution("exponential n=1", 52, 1, draw_exponential);
}

/* Every value between two bucket boundaries, one at a time: p100/n steps. */
static void test_every_rank_small_n(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 40; n++) {
        uint64_t v[40];
        kt_histogram h;
        rng_state = 1000 + n;
        kt_hist_init(&h);
        for (size_t i = 0; i < n; i++) {
            /* values far apart, so that a rank off by one shows */
            v[i] = 1000 + (rng_next() % 1000) * 1000;
            kt_hist_add(&h, v[i]);
        }
        qsort(v, n, sizeof *v, cmp_u64);
        for (unsigned p = 1; p <= 100; p++) {
            uint64_t exact = exact_percentile(v, n, p * 100);
            uint64_t got = kt_hist_percentile(&h, p);
            if (fabs((double)got - (double)exact) > 0.01 * (double)exact)
                fail_msg("n=%zu p%u = %llu, exact %llu", n, p,
                         (unsigned long long)got, (unsigned long long)exact);
        }
        kt_hist_free(&h);
    }
}

static void test_empty(void **state)
{
    kt_histogram h, e;
    (void)state;
    kt_hist_init(&h);
    assert_true(h.count == 0);
    assert_true(kt_hist_percentile(&h, 50) == 0);
    assert_true(kt_hist_percentile(&h, 99) == 0);
    assert_true(kt_hist_percentile(&h, 100) == 0);
    /* merging empties keeps it empty; merging into a non-empty one is a no-op */
    kt_hist_init(&e);
    kt_hist_merge(&h, &e);
    assert_true(h.count == 0);
    kt_hist_add(&h, 1234);
    kt_hist_merge(&h, &e);
    assert_true(h.count == 1);
    assert_true(h.min == 1234 && h.max == 1234);
    assert_true(kt_hist_percentile(&h, 50) == 1234);
    kt_hist_free(&h);
    kt_hist_free(&e);
}

/* Exact values: a single value is reported exactly at every percentile
 * (clipped to min/max), and values below 128 us are exact. */
static void test_exact_values(void **state)
{
    kt_histogram h;
    (void)state;
    kt_hist_init(&h);
    for (int i = 0; i < 5; i++)
        kt_hist_add(&h, 987654);
    assert_true(kt_hist_percentile(&h, 1) == 987654);
    assert_true(kt_hist_percentile(&h, 50) == 987654);
    assert_true(kt_hist_percentile(&h, 99.9) == 987654);
    kt_hist_free(&h);

    kt_hist_init(&h);
    for (uint64_t i = 0; i < 100; i++)
        kt_hist_add(&h, i);
    assert_true(kt_hist_percentile(&h, 50) == 49);
    assert_true(kt_hist_percentile(&h, 90) == 89);
    assert_true(kt_hist_percentile(&h, 99) == 98);
    assert_true(h.min == 0 && h.max == 99);
    assert_true(h.sum == 4950);
    kt_hist_free(&h);
}

/* Values above the top of the range (2^40 us) are clamped, not lost. */
static void test_huge_values(void **state)
{
    kt_histogram h;
    (void)state;
    kt_hist_init(&h);
    kt_hist_add(&h, UINT64_MAX);
    kt_hist_add(&h, 5);
    assert_true(h.count == 2);
    assert_true(h.min == 5);
    assert_true(h.max >= (1ull << 39));
    assert_true(kt_hist_percentile(&h, 100) == h.max);
    assert_true(kt_hist_percentile(&h, 50) == 5);
    kt_hist_free(&h);
}

static void test_merge(void **state)
{
    enum { N = 30000 };
    static uint64_t v[N];
    kt_histogram a, b, c, all;
    (void)state;
    rng_state = 77;
    kt_hist_init(&a);
    kt_hist_init(&b);
    kt_hist_init(&c);
    kt_hist_init(&all);
    for (size_t i = 0; i < N; i++) {
        v[i] = i % 3 == 2 ? draw_bimodal() : draw_lognormal_wide();
        kt_hist_add(i % 3 == 0 ? &a : i % 3 == 1 ? &b : &c, v[i]);
        kt_hist_add(&all, v[i]);
    }
    kt_hist_merge(&a, &b);
    kt_hist_merge(&a, &c);
    assert_true(a.count == all.count);
    assert_true(a.sum == all.sum);
    assert_true(a.min == all.min);
    assert_true(a.max == all.max);
    for (double p = 0.5; p <= 100; p += 0.5)
        assert_true(kt_hist_percentile(&a, p) == kt_hist_percentile(&all, p));
    check_against_exact(&a, v, N, "merged");
    /* merge into an empty histogram copies */
    kt_histogram e;
    kt_hist_init(&e);
    kt_hist_merge(&e, &c);
    assert_true(e.count == c.count && e.min == c.min && e.max == c.max);
    assert_true(kt_hist_percentile(&e, 90) == kt_hist_percentile(&c, 90));
    kt_hist_free(&e);
    kt_hist_free(&a);
    kt_hist_free(&b);
    kt_hist_free(&c);
    kt_hist_free(&all);
}

/* The buckets as the JSON report writes them (index, count), read back
 * into an empty histogram with count/sum/min/max: the same percentiles;
 * taking a part back out (kt_hist_subtract) leaves the other part's
 * buckets, count and sum. */
static void test_buckets_and_subtract(void **state)
{
    enum { N = 20000 };
    kt_histogram a, b, all, copy;
    (void)state;
    rng_state = 99;
    kt_hist_init(&a);
    kt_hist_init(&b);
    kt_hist_init(&all);
    kt_hist_init(&copy);
    for (size_t i = 0; i < N; i++) {
        uint64_t v = i % 2 ? draw_bimodal() : draw_lognormal_wide();
        kt_hist_add(i % 2 ? &a : &b, v);
        kt_hist_add(&all, v);
    }
    uint64_t total = 0;
    for (unsigned i = 0; i < KT_HIST_BUCKETS; i++) {
        uint64_t n = kt_hist_bucket(&all, i);
        total += n;
        if (n)
            assert_int_equal(kt_hist_bucket_add(&copy, i, n), 0);
    }
    assert_true(total == all.count);
    assert_int_equal(kt_hist_bucket_add(&copy, KT_HIST_BUCKETS, 1), -1);
    assert_true(kt_hist_bucket(&copy, KT_HIST_BUCKETS) == 0);
    copy.count = all.count;
    copy.sum = all.sum;
    copy.min = all.min;
    copy.max = all.max;
    for (double p = 0.5; p <= 100; p += 0.5)
        assert_true(kt_hist_percentile(&copy, p) == kt_hist_percentile(&all, p));
    kt_hist_subtract(&copy, &b);
    assert_true(copy.count == a.count && copy.sum == a.sum);
    for (unsigned i = 0; i < KT_HIST_BUCKETS; i++)
        assert_true(kt_hist_bucket(&copy, i) == kt_hist_bucket(&a, i));
    kt_hist_subtract(&copy, &a);
    assert_true(copy.count == 0 && copy.sum == 0 && copy.min == 0 && copy.max == 0);
    kt_hist_free(&a);
    kt_hist_free(&b);
    kt_hist_free(&all);
    kt_hist_free(&copy);
}

/* Cumulative counts at Prometheus-style boundaries: each count lies between
 * the exact counts at the boundary moved by half a bucket (0.4%) either way,
 * and is exact below 128 us. */
static void test_cumulative(void **state)
{
    enum { N = 20000 };
    static uint64_t v[N];
    static const uint64_t le[] = { 5, 100, 127, 250, 500, 1000, 2500, 10000,
                                   100000, 1000000, 10000000 };
    enum { NLE = sizeof le / sizeof le[0] };
    uint64_t out[NLE];
    kt_histogram h;
    (void)state;
    rng_state = 99;
    kt_hist_init(&h);
    for (size_t i = 0; i < N; i++) {
        v[i] = i % 2 ? draw_lognormal_wide() : rng_next() % 300;
        kt_hist_add(&h, v[i]);
    }
    kt_hist_cumulative(&h, le, NLE, out);
    for (int k = 0; k < NLE; k++) {
        uint64_t below = 0, above = 0;
        double slack = le[k] < 128 ? 0 : (double)le[k] / 256 + 1;
        for (size_t i = 0; i < N; i++) {
            if ((double)v[i] <= (double)le[k] - slack)
                below++;
            if ((double)v[i] <= (double)le[k] + slack)
                above++;
        }
        assert_true(out[k] >= below && out[k] <= above);
        if (k > 0)
            assert_true(out[k] >= out[k - 1]);
    }
    assert_true(out[NLE - 1] <= h.count);
    kt_hist_free(&h);
    /* empty: all zero */
    kt_hist_cumulative(&h, le, NLE, out);
    for (int k = 0; k < NLE; k++)
        assert_true(out[k] == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_lognormal_wide),
        cmocka_unit_test(test_bimodal),
        cmocka_unit_test(test_small_values),
        cmocka_unit_test(test_loguniform),
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_every_rank_small_n),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_exact_values),
        cmocka_unit_test(test_huge_values),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_cumulative),
        cmocka_unit_test(test_buckets_and_subtract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
