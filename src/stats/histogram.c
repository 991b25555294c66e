/* histogram.c - log-linear latency histogram (see histogram.h). */
#include <stdlib.h>
#include <string.h>
#include "stats/histogram.h"

#define SUB (1u << KT_HIST_SUB_BITS)

static const uint64_t hist_max_value = (1ull << (KT_HIST_ROWS + KT_HIST_SUB_BITS - 1)) - 1;

void kt_hist_init(kt_histogram *h)
{
    memset(h, 0, sizeof *h);
}

static int msb(uint64_t v)
{
    return 63 - __builtin_clzll(v);
}

/* Row and column of a value. */
static void locate(uint64_t v, int *row, unsigned *col)
{
    if (v < SUB) {
        *row = 0;
        *col = (unsigned)v;
        return;
    }
    int m = msb(v);                       /* >= KT_HIST_SUB_BITS */
    int shift = m - KT_HIST_SUB_BITS;      /* bucket width = 2^shift */
    *row = shift + 1;
    *col = (unsigned)((v >> shift) - SUB); /* 0 .. SUB-1 */
}

/* Smallest value and width of a bucket. */
static void bucket_range(int row, unsigned col, uint64_t *lo, uint64_t *width)
{
    if (row == 0) {
        *lo = col;
        *width = 1;
        return;
    }
    int shift = row - 1;
    *lo = ((uint64_t)SUB + col) << shift;
    *width = 1ull << shift;
}

int kt_hist_add(kt_histogram *h, uint64_t v)
{
    int row;
    unsigned col;
    if (v > hist_max_value)
        v = hist_max_value;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->count++;
    h->sum += v;
    locate(v, &row, &col);
    if (!h->row[row]) {
        h->row[row] = calloc(SUB, sizeof(uint32_t));
        if (!h->row[row])
            return -1;
    }
    if (h->row[row][col] < UINT32_MAX)
        h->row[row][col]++;
    return 0;
}

uint64_t kt_hist_percentile(const kt_histogram *h, double p)
{
    uint64_t rank, seen = 0;
    if (h->count == 0)
        return 0;
    if (p <= 0)
        return h->min;
    if (p >= 100)
        return h->max;
    /* nearest rank: the smallest value with at least p% of values <= it */
    /* p * count first: for whole percents that product is exact, whereas
     * p / 100.0 is not (0.28 * 25 = 7.000000000000001 would give rank 8);
     * a remainder within rounding noise does not round the rank up */
    double r = p * (double)h->count / 100.0;
    rank = (uint64_t)r;
    if ((double)rank < r * (1 - 1e-12))
        rank++;
    if (rank == 0)
        rank = 1;
    for (int row = 0; row < KT_HIST_ROWS; row++) {
        if (!h->row[row])
            continue;
        for (unsigned col = 0; col < SUB; col++) {
            seen += h->row[row][col];
            if (seen >= rank) {
                uint64_t lo, width, mid;
                bucket_range(row, col, &lo, &width);
                mid = lo + (width - 1) / 2;
                if (mid < h->min)
                    mid = h->min;
                if (mid > h->max)
                    mid = h->max;
                return mid;
            }
        }
    }
    return h->max;
}

void kt_hist_cumulative(const kt_histogram *h, const uint64_t *le, int n,
                        uint64_t *out)
{
    uint64_t seen = 0;
    int i = 0;
    for (int row = 0; row < KT_HIST_ROWS; row++) {
        if (!h->row[row])
            continue;
        for (unsigned col = 0; col < SUB; col++) {
            uint64_t lo, width, mid;
            if (!h->row[row][col])
                continue;
            bucket_range(row, col, &lo, &width);
            mid = lo + (width - 1) / 2;
            while (i < n && mid > le[i])
                out[i++] = seen;
            seen += h->row[row][col];
        }
    }
    while (i < n)
        out[i++] = seen;
}

uint64_t kt_hist_count_at_least(const kt_histogram *h, uint64_t v)
{
    uint64_t n = 0;
    if (h->count == 0 || h->max < v)
        return 0;
    if (h->min >= v)
        return h->count;
    for (int row = 0; row < KT_HIST_ROWS; row++) {
        if (!h->row[row])
            continue;
        for (unsigned col = 0; col < SUB; col++) {
            uint64_t lo, width;
            bucket_range(row, col, &lo, &width);
            if (lo + (width - 1) / 2 >= v)
                n += h->row[row][col];
        }
    }
    return n;
}

void kt_hist_merge(kt_histogram *into, const kt_histogram *from)
{
    if (from->count == 0)
        return;
    if (into->count == 0 || from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
    into->count += from->count;
    into->sum += from->sum;
    for (int row = 0; row < KT_HIST_ROWS; row++) {
        if (!from->row[row])
            continue;
        if (!into->row[row]) {
            into->row[row] = calloc(SUB, sizeof(uint32_t));
            if (!into->row[row])
                continue;
        }
        for (unsigned col = 0; col < SUB; col++) {
            uint64_t s = (uint64_t)into->row[row][col] + from->row[row][col];
            into->row[row][col] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
        }
    }
}

void kt_hist_free(kt_histogram *h)
{
    for (int row = 0; row < KT_HIST_ROWS; row++)
        free(h->row[row]);
    memset(h, 0, sizeof *h);
}

uint64_t kt_hist_bucket(const kt_histogram *h, unsigned i)
{
    if (i >= KT_HIST_BUCKETS || !h->row[i / SUB])
        return 0;
    return h->row[i / SUB][i % SUB];
}

int kt_hist_bucket_add(kt_histogram *h, unsigned i, uint64_t n)
{
    uint32_t *row;
    uint64_t s;
    if (i >= KT_HIST_BUCKETS)
        return -1;
    if (!h->row[i / SUB]) {
        h->row[i / SUB] = calloc(SUB, sizeof(uint32_t));
        if (!h->row[i / SUB])
            return -1;
    }
    row = h->row[i / SUB];
    s = (uint64_t)row[i % SUB] + n;
    row[i % SUB] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    return 0;
}

void kt_hist_subtract(kt_histogram *into, const kt_histogram *from)
{
    into->count = into->count > from->count ? into->count - from->count : 0;
    into->sum = into->sum > from->sum ? into->sum - from->sum : 0;
    for (int row = 0; row < KT_HIST_ROWS; row++) {
        if (!from->row[row] || !into->row[row])
            continue;
        for (unsigned col = 0; col < SUB; col++) {
            uint32_t v = from->row[row][col];
            into->row[row][col] = into->row[row][col] > v ? into->row[row][col] - v : 0;
        }
    }
    if (into->count == 0)
        into->min = into->max = into->sum = 0;
}
