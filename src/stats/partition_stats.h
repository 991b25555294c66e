/* partition_stats.h - per topic-partition statistics of Produce and Fetch.
 *
 * Each exchange that carries per-partition details (kt_exchange.detail)
 * adds to the entry of every partition it names: the request's latency is
 * counted once for each of its partitions, and so is its broker time
 * (latency_total_us, what --top sorts by).  Entries are keyed by the topic
 * as named on the wire (name or topic id) and merged by canonical topic
 * (topics.h) when reported, so that Fetch v13+ data seen before a Metadata
 * response resolves its topic ids is not lost.  The table (a kt_table,
 * table.h) holds at most KT_MAX_PARTITIONS entries; past that, the results
 * of new partitions are counted in `dropped` (and partition_table_full)
 * only.
 *
 * Memory: KT_PARTITION_ENTRY_BYTES per partition, measured on x86-64 as
 * sizeof(kt_partition_stats) 1,256 + 32 bytes of table, so the 200,000
 * partitions cost 258 MB (251 MB of entries) before histogram rows: each
 * of the three latency histograms allocates 512 bytes per row in use
 * (histogram.h), and each distinct error code 16 bytes.  A partition that
 * saw a Produce expecting a response allocates its queue wait / service
 * split too (648 bytes, queue_split.h, plus its histograms' rows).  The merged view
 * (kt_partitions_merged) costs as much again while a report is written.
 * tests/test_table.c checks these sizes.
 */
#ifndef KT_PARTITION_STATS_H
#define KT_PARTITION_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "kafka/exchange.h"
#include "stats/histogram.h"
#include "stats/acks_wait.h"
#include "stats/replication_stats.h"
#include "stats/queue_split.h"
#include "stats/stats.h"
#include "kafka/topics.h"
#include "common/table.h"

#define KT_MAX_PARTITIONS 200000

typedef struct kt_produce_agg {
    uint64_t requests;            /* requests that named the partition */
    uint64_t records, bytes;      /* sent */
    uint64_t acked_records;       /* in responses with partition error 0 */
    uint64_t unanswered;          /* requests with no response (acks!=0) */
    uint64_t acks[3];             /* requests by acks: [0] -1/all, [1] 0, [2] 1 */
    int32_t timeout_ms_max;       /* largest TimeoutMs seen, -1 none */
    uint64_t first_ts_us, last_ts_us; /* capture times of the first and last
                                     request that named it (0: none), the
                                     span its records/s are taken over */
    kt_endpoint leader;           /* the broker of its last Produce request
                                     (family 0: none) */
    uint64_t leader_records;      /* records sent to that broker since it
                                     became the one (a leader change starts
                                     a new count) */
    uint64_t batches;             /* data batches sent (records / batches:
                                     records per batch) */
    uint64_t codec_batches[KT_CODECS]; /* of them, per compression codec */
    uint64_t latency_total_us;    /* broker time */
    kt_histogram latency;         /* answered requests, microseconds */
    kt_split *split;              /* their queue wait / service time,
                                     allocated at the first Produce that
                                     expects a response (NULL: none) */
    kt_code_count *errors;        /* partition-level error codes */
    int nerrors, caperrors;
} kt_produce_agg;

typedef struct kt_fetch_agg {
    uint64_t requests;
    uint64_t records, bytes;      /* returned: data records (bytes: all the
                                     record data, control batches included) */
    uint64_t control_records;     /* control records returned (transaction
                                     markers): never in records */
    uint64_t with_data;           /* answered with at least one record */
    uint64_t empty;               /* answered with none (long-poll waits) */
    uint64_t unanswered;
    uint64_t latency_total_us;
    kt_histogram latency_data;    /* fetches that returned data */
    kt_histogram latency_empty;   /* empty waits, apart: a quiet topic is
                                     not a slow broker */
    kt_code_count *errors;
    int nerrors, caperrors;
    int64_t fetch_offset;         /* last seen, -1 none */
    int64_t high_watermark;       /* last seen, -1 none */
    int64_t lag;                  /* consumer lag after the last answered fetch:
                                     high watermark minus the position after
                                     the records it returned (the fetch offset
                                     when none), -1 unknown */
    int64_t lag_max;              /* largest lag seen, -1 unknown */
    uint64_t batches;             /* data batches returned */
    unsigned codecs;              /* their codecs, bit (1 << codec) */
} kt_fetch_agg;

typedef struct kt_partition_stats {
    const kt_topic *topic;        /* as keyed; report with kt_topic_canon() */
    int32_t partition;
    kt_produce_agg produce;
    kt_fetch_agg fetch;
} kt_partition_stats;

/* Bytes a partition costs before its histogram rows and error lists. */
#define KT_PARTITION_ENTRY_BYTES (sizeof(kt_partition_stats) + KT_TABLE_OVERHEAD_PER_ENTRY)

typedef struct kt_partitions {
    kt_table table;               /* of kt_partition_stats, keyed (topic, partition) */
    kt_memcap mem;                /* its entries, KT_PARTITION_ENTRY_BYTES each (no
                                     cap: KT_MAX_PARTITIONS bounds it) */
    uint64_t dropped;             /* partition results not kept (table full) */
    kt_table replicas;            /* of kt_replica_stats: the followers' Fetch
                                     (replication_stats.h), charged to mem */
    uint64_t replicas_dropped;    /* follower fetch results not kept */
    kt_table nodes;               /* of kt_node_stats: broker ids named by
                                     Metadata responses, charged to mem */
    kt_table acks;                /* of kt_acks_partition: the follower each
                                     acks=all Produce waited for
                                     (acks_wait.h), charged to mem */
    uint64_t acks_dropped;        /* acks=all results of partitions not kept */
} kt_partitions;

kt_partitions *kt_partitions_new(void);
/* Produce and consumer Fetch exchanges go to the partition entries; a
 * follower's Fetch (replica id >= 0) to the replication rows only. */
void kt_partitions_add(kt_partitions *p, const kt_exchange *ex);
void kt_partitions_free(kt_partitions *p);
/* Adds the counts of `from` into `into` (sums, histograms, error codes;
 * the earliest first and latest last timestamp; the largest offsets; the
 * leader of the later one, whose records add up when it is the same). */
void kt_partition_merge(kt_partition_stats *into, const kt_partition_stats *from);
/* Takes the counts of `from` out of `into` (every one of them being in
 * into): sums, histograms (min and max kept, see kt_hist_subtract), error
 * codes; timestamps, offsets, lag and leader are left as they are. */
void kt_partition_subtract(kt_partition_stats *into, const kt_partition_stats *from);
/* The entry of (topic, partition), created when new; NULL when the table
 * is full (a merged report rebuilds partitions through it). */
kt_partition_stats *kt_partitions_entry(kt_partitions *p, const kt_topic *tp, int32_t partition);

/* A follower row's silence at the end: from its last fetch to the last
 * Produce request for its partition at the same leader after it; 0 when
 * there was none (the partition's last Produce went to another broker, or
 * came before). */
uint64_t kt_partitions_unfetched_us(const kt_partitions *p, const kt_replica_stats *r);

/* The entries merged by canonical topic (newly allocated entries whose
 * `topic` is canonical), sorted by total broker time (produce + fetch),
 * largest first.  Free with kt_partitions_merged_free(). */
kt_partition_stats **kt_partitions_merged(const kt_partitions *p, size_t *n);
void kt_partitions_merged_free(kt_partition_stats **list, size_t n);

#endif
