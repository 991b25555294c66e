/* histogram.h - latency histogram with bounded relative error.
 *
 * Log-linear buckets (as HdrHistogram): values below 2^KT_HIST_SUB_BITS
 * microseconds are exact; above, each power of two is split into
 * 2^KT_HIST_SUB_BITS buckets, and a percentile is reported as its bucket's
 * midpoint, clipped to the exact min and max, so the relative error is at
 * most 2^-(KT_HIST_SUB_BITS+1) (0.4%).  Bucket rows are allocated only when
 * a value first falls in them, so a histogram of similar latencies costs
 * about a kilobyte.  Values above 2^40 us (12 days) are clamped.
 */
#ifndef KT_HISTOGRAM_H
#define KT_HISTOGRAM_H

#include <stdint.h>

#define KT_HIST_SUB_BITS 7
#define KT_HIST_ROWS 34   /* row 0: exact values; row r: [2^(r+6), 2^(r+7)) */

typedef struct kt_histogram {
    uint64_t count;
    uint64_t sum;         /* microseconds */
    uint64_t min, max;    /* exact */
    uint32_t *row[KT_HIST_ROWS];
} kt_histogram;

void kt_hist_init(kt_histogram *h);
/* Returns 0, or -1 when a row could not be allocated (the value is then
 * still counted in count/sum/min/max). */
int kt_hist_add(kt_histogram *h, uint64_t value_us);
/* The p-th percentile (0 < p <= 100) by nearest rank, in microseconds;
 * 0 for an empty histogram. */
uint64_t kt_hist_percentile(const kt_histogram *h, double p);
/* For each boundary le[i] (microseconds, ascending), how many values are at
 * or below it: out[i] counts the values whose bucket's midpoint (the value a
 * percentile reports) is <= le[i].  A value lands on the wrong side of a
 * boundary only when it is within half a bucket of it: exact below
 * 2^KT_HIST_SUB_BITS us, else within 0.4% (the Prometheus renderer's
 * cumulative buckets). */
void kt_hist_cumulative(const kt_histogram *h, const uint64_t *le, int n,
                        uint64_t *out);
/* How many values are at least v, counting a bucket in when its midpoint
 * (the value percentiles report for it) is at least v. */
uint64_t kt_hist_count_at_least(const kt_histogram *h, uint64_t v);
void kt_hist_merge(kt_histogram *into, const kt_histogram *from);

/* Buckets by index (row * 2^KT_HIST_SUB_BITS + column), the form the JSON
 * report serialises so that reports can be merged (report_merge.h). */
#define KT_HIST_BUCKETS (KT_HIST_ROWS << KT_HIST_SUB_BITS)
/* The count of bucket i (0 .. KT_HIST_BUCKETS-1). */
uint64_t kt_hist_bucket(const kt_histogram *h, unsigned i);
/* Adds n values to bucket i without touching count, sum, min or max (the
 * caller sets those, as read).  Returns -1 for a bad index or no memory. */
int kt_hist_bucket_add(kt_histogram *h, unsigned i, uint64_t n);
/* Takes the values of `from` out of `into` (every bucket of from is in
 * into): count, sum and buckets exactly; min and max are kept unless into
 * becomes empty, so they may name a value taken out (report_merge.h). */
void kt_hist_subtract(kt_histogram *into, const kt_histogram *from);
void kt_hist_free(kt_histogram *h);

#endif
