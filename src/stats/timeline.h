/* timeline.h - the statistics of exchanges in time buckets: when things
 * happened, for the "When" section, the findings' start and end, and the
 * --json timeline (plots).
 *
 * Buckets.  Bucket i covers [start_ns + i*width_ns, start_ns + (i+1)*width_ns)
 * of request time.  With a fixed width (--bucket) the start is a multiple of
 * the width; otherwise (auto) the width starts at KT_TL_BASE_NS (1/512 s)
 * and the start is a multiple of it.  Whenever a request falls past
 * max_buckets, adjacent pairs of buckets merge (bucket 2j and 2j+1 become j)
 * and the width doubles, as often as needed, so an auto timeline ends with
 * between max_buckets/2 and max_buckets buckets once the capture is longer
 * than max_buckets base widths, and its widths are 1/512 s times a power of
 * two (1 s, 2 s, 4 s... from a second up).  A request earlier than the
 * start (exchanges are emitted when answered, not in request order) shifts
 * the buckets right, merging first when they would not fit.  A fixed width
 * doubles the same way past KT_TL_MAX_BUCKETS_FIXED buckets.
 *
 * Series.  One series per kind and key: the total, each broker (all APIs,
 * and Produce only), API, client id, and topic-partition (its Produce and
 * its Fetch apart).  Each kind is a kt_table with a limit (KT_TL_MAX_*);
 * keys past it fold into the kind's "(other)" series.  A series holds a
 * cell per bucket, allocated when a request first lands there.
 *
 * Cells.  Requests, errored responses, unanswered requests, records and
 * bytes (Produce sent, Fetch returned), throttled responses and throttle
 * time, error codes, and a compact latency histogram: a sorted list of
 * (bin, count) over log bins with 8 per power of two (exact below 8 us),
 * reported as the bin's midpoint clipped to the cell's min and max: at most
 * 6.25% off.  Cells merge exactly (counts add, histograms add).
 *
 * Memory.  Everything (series entries with their cell pointer arrays, cells,
 * histogram bins, error lists) is charged to the account `mem` (cap
 * KT_TL_MEMCAP_DEFAULT unless set); what the account refuses is not kept
 * (a latency value, an error code or a whole cell) and counts
 * timeline_memory.  Merging buckets only frees memory. */
#ifndef KT_TIMELINE_H
#define KT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/intern.h"
#include "common/memcap.h"
#include "common/table.h"
#include "kafka/exchange.h"
#include "stats/stats.h"

#define KT_TL_BASE_NS 1953125ull          /* 1/512 s */
#define KT_TL_MAX_BUCKETS 300             /* auto width */
#define KT_TL_MAX_BUCKETS_FIXED 4096      /* --bucket */
#define KT_TL_MAX_BROKERS 64
#define KT_TL_MAX_APIS 64
#define KT_TL_MAX_CLIENTS 32
#define KT_TL_MAX_PARTITIONS 128          /* tracked, first seen; the report
                                             shows the busiest of them */
#define KT_TL_MEMCAP_DEFAULT (64u << 20)

enum kt_tl_kind {
    KT_TL_TOTAL = 0,
    KT_TL_BROKER,            /* all APIs */
    KT_TL_BROKER_PRODUCE,    /* Produce only */
    KT_TL_API,
    KT_TL_CLIENT,
    KT_TL_PART_PRODUCE,      /* records sent, latency of Produce */
    KT_TL_PART_FETCH,        /* records returned, latency of Fetch with data */
    KT_TL__KINDS
};

typedef struct kt_tl_bin {
    uint16_t bin;
    uint32_t count;
} kt_tl_bin;

typedef struct kt_tl_hist {
    uint64_t count;          /* values kept in bins */
    uint64_t min, max;
    kt_tl_bin *bins;         /* sorted by bin */
    uint32_t n, cap;
} kt_tl_hist;

typedef struct kt_tl_cell {
    uint64_t requests, errored, unanswered;
    uint64_t records, bytes;
    uint64_t throttled, throttle_ms_total, throttle_ms_max;
    kt_tl_hist latency;      /* microseconds */
    kt_code_count *errors;
    int nerrors, caperrors;
} kt_tl_cell;

/* A series' key; unused fields zero. */
typedef struct kt_tl_key {
    kt_endpoint broker;
    const kt_istr *client_id;
    const void *topic;       /* struct kt_topic, as the exchange named it */
    int32_t partition;
    int16_t api_key;
} kt_tl_key;

typedef struct kt_tl_series {
    int kind;                /* enum kt_tl_kind */
    int is_other;            /* the kind's "(other)" */
    kt_tl_key key;
    uint64_t requests, records;   /* over every bucket */
    kt_tl_cell **cell;       /* [max_buckets]; NULL: nothing in that bucket */
} kt_tl_series;

typedef struct kt_timeline {
    uint64_t start_ns, width_ns;
    size_t nbuckets;         /* buckets in use: the last one with data + 1 */
    size_t max_buckets;
    int fixed;               /* width set by --bucket */
    int started;             /* a request was added */
    uint64_t merges;         /* times the width doubled */
    kt_tl_series total;
    kt_table kinds[KT_TL__KINDS];  /* [KT_TL_TOTAL] unused */
    kt_memcap mem;
} kt_timeline;

/* bucket_s <= 0: auto width.  mem_cap 0: KT_TL_MEMCAP_DEFAULT.  NULL when
 * out of memory. */
kt_timeline *kt_timeline_new(double bucket_s, size_t mem_cap);
void kt_timeline_add(kt_timeline *t, const kt_exchange *ex);
void kt_timeline_free(kt_timeline *t);

/* The series of a kind, in the order first seen ("(other)" last once
 * used); *n set. */
kt_tl_series *const *kt_timeline_series(const kt_timeline *t, int kind, size_t *n);

/* Start of bucket i, nanoseconds since the epoch. */
static inline uint64_t kt_tl_bucket_start(const kt_timeline *t, size_t i)
{
    return t->start_ns + (uint64_t)i * t->width_ns;
}

/* The p-th percentile (0 < p <= 100) of a cell's latency, microseconds; 0
 * when it has none. */
uint64_t kt_tl_percentile(const kt_tl_hist *h, double p);
/* How many values are at least v (a bin counts when its midpoint is). */
uint64_t kt_tl_count_at_least(const kt_tl_hist *h, uint64_t v);

/* Adds cell `from` into `into` (allocating nothing from an account: for a
 * report's own merged copies, freed with kt_tl_cell_clear).  -1 when out
 * of memory. */
int kt_tl_cell_merge(kt_tl_cell *into, const kt_tl_cell *from);
void kt_tl_cell_clear(kt_tl_cell *c);

#endif
