/* batch_stats.h - how producers batch: per client id, the record batches
 * of its Produce requests (how many, records and bytes in them, their
 * compression codecs, how many records each batch held) and the span of
 * those requests, from which its request rate is taken; and the labels of
 * a set of codecs ("zstd", "mixed") the reports share.
 *
 * Records per batch: each partition of a Produce request adds its batches
 * to the bucket of its records / batches.  Produce v3 and later carry
 * exactly one batch per partition (the broker refuses more), so there the
 * distribution is exact; with older versions it is that of the partitions'
 * means.  Control batches (transaction markers) are never counted.
 *
 * Memory: sizeof(kt_batch_agg) is 128 bytes on x86-64, inside every client
 * id entry (stats.h); nothing is allocated. */
#ifndef KT_BATCH_STATS_H
#define KT_BATCH_STATS_H

#include <stdint.h>
#include "kafka/exchange.h"

/* Batches by records per batch: 1, 2-9, 10-99, 100-999, 1000 and more. */
#define KT_RPB_BUCKETS 5
extern const char *const kt_rpb_bucket_names[KT_RPB_BUCKETS];   /* "1", "2-9", ... */

typedef struct kt_batch_agg {
    uint64_t requests;             /* Produce requests that carried batches */
    uint64_t batches, records, bytes; /* data batches, their records and bytes */
    uint64_t codec_batches[KT_CODECS];
    uint64_t by_records[KT_RPB_BUCKETS];
    uint64_t first_ts_us, last_ts_us; /* capture times of the first and last
                                     of those requests (0: none) */
} kt_batch_agg;

/* Adds a Produce exchange (anything else, or one without details, is
 * ignored). */
void kt_batch_agg_add(kt_batch_agg *a, const kt_exchange *ex);

/* Adds b into a (sums; the earliest first and latest last request), for
 * merged reports. */
void kt_batch_agg_merge(kt_batch_agg *a, const kt_batch_agg *b);

/* Requests per second over the span of the requests; 0 when they span no
 * time (fewer than two). */
double kt_batch_agg_request_rate(const kt_batch_agg *a);

/* The codecs of a set of batches: "-" for none, the codec's name when all
 * batches share one, "mixed" otherwise. */
const char *kt_codec_label(const uint64_t codec_batches[KT_CODECS]);
/* The same for a set of codecs as bits (1 << codec). */
const char *kt_codec_mask_label(unsigned mask);

#endif
