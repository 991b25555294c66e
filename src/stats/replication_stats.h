/* replication_stats.h - the followers' Fetch requests (inter-broker
 * replication), per (follower broker id, leader, topic-partition).
 *
 * A Fetch whose replica id names a broker (kt_exchange_is_follower_fetch)
 * is counted here and nowhere in the consumers' per-partition Fetch
 * statistics or lag.  Each row counts the follower's fetches, the records
 * and bytes it replicated, its fetch offset against the leader's high
 * watermark (the replication lag, in records), the latency of the fetches
 * that returned data, and two things the replication findings judge:
 *   - the longest time it was behind: at each answered fetch whose lag is
 *     KT_REPLICA_BEHIND_RECORDS or more, the time since the last fetch at
 *     which it was not (or since its first fetch), with the lag then;
 *   - the longest silence: the time between two of its fetch requests for
 *     the partition while Produce requests reached the same leader for it
 *     (a follower that stopped fetching while the partition grew).
 * A follower in the ISR holds the high watermark back, so its lag reads 0
 * however far behind it is: its silences say it instead.
 *
 * The table (a kt_table) keeps at most KT_MAX_REPLICAS rows, charged to the
 * partition table's memory account (KT_REPLICA_ENTRY_BYTES each: on x86-64
 * 496 + 32 bytes, so 200,000 rows cost 106 MB, plus 512 bytes per latency
 * histogram row in use; tests/test_table.c checks the size); past that, fetch results of new
 * rows are counted in kt_partitions.replicas_dropped and the
 * partition_table_full anomaly.  Rows are keyed by the topic as named on
 * the wire (followers name it the same way on every fetch). */
#ifndef KT_REPLICATION_STATS_H
#define KT_REPLICATION_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/table.h"
#include "kafka/exchange.h"
#include "kafka/topics.h"
#include "stats/histogram.h"

#define KT_MAX_REPLICAS 200000
#define KT_MAX_NODES 4096               /* broker ids named by Metadata */
#define KT_REPLICA_BEHIND_RECORDS 100   /* lag from which a follower is behind */

typedef struct kt_replica_stats {
    int32_t follower_id;          /* the replica id of its Fetch requests */
    kt_endpoint leader;           /* the broker it fetched from */
    const kt_topic *topic;        /* as named on the wire */
    int32_t partition;
    kt_endpoint follower;         /* client address of its last fetch */
    uint64_t fetches;             /* requests that named the partition */
    uint64_t answered, unanswered;
    uint64_t records, bytes;      /* replicated (returned) */
    kt_histogram latency_data;    /* answered fetches that returned records */
    int64_t fetch_offset;         /* last request, -1 none */
    int64_t high_watermark;       /* last response, -1 none */
    int64_t lag;                  /* high watermark minus fetch offset at the
                                     last answered fetch, -1 unknown */
    int64_t lag_max;              /* largest, -1 unknown */
    uint64_t first_ts_us, last_ts_us; /* its first and last fetch requests */
    uint64_t caught_up_ts_us;     /* last fetch request at which it was not
                                     behind (its first until then) */
    uint64_t behind_max_us;       /* the longest time behind, seen at a fetch */
    int64_t behind_lag;           /* the lag at that fetch */
    uint64_t behind_at_us;        /* that fetch's request time */
    uint64_t silence_max_us;      /* the longest gap between its fetch requests
                                     while the leader was produced to */
    uint64_t silence_end_us;      /* the request that ended it */
} kt_replica_stats;

#define KT_REPLICA_ENTRY_BYTES (sizeof(kt_replica_stats) + KT_TABLE_OVERHEAD_PER_ENTRY)

/* An empty table of rows (kt_table_init with the row type and limit). */
void kt_replicas_init(kt_table *t);

/* Adds one follower Fetch: its request and each partition's answer.
 * produced_since(ctx, topic, partition, leader, ts) says whether Produce
 * requests for the partition reached the leader after capture time ts.
 * Returns the partition results not kept (table full). */
typedef int (*kt_produced_since_fn)(void *ctx, const kt_topic *tp, int32_t partition,
                                    const kt_endpoint *leader, uint64_t ts_us);
uint64_t kt_replicas_add(kt_table *t, const kt_exchange *ex, kt_produced_since_fn produced,
                         void *ctx);

/* For merged reports: the row of (follower, leader, topic, partition),
 * created when new (NULL when the table is full or memory runs out), and
 * a row added into another of the same key: counts and histogram summed,
 * the longest time behind and silence (with their lag and end) the larger,
 * the first and last fetch the earliest and latest, the offsets, lag and
 * follower address of the one whose last fetch is latest. */
kt_replica_stats *kt_replicas_entry(kt_table *t, int32_t follower_id, const kt_endpoint *leader,
                                    const kt_topic *tp, int32_t partition);
void kt_replica_merge(kt_replica_stats *into, const kt_replica_stats *from);
/* Only the largest lag, time behind and silence: from another copy of the
 * same fetches (seen at the other end, which may have seen other Produce
 * requests, so other silences). */
void kt_replica_merge_maxima(kt_replica_stats *into, const kt_replica_stats *from);

/* Broker ids and their listener addresses, from Metadata responses
 * (kt_exchange.nodes; the latest address of an id wins): at most
 * KT_MAX_NODES ids, charged KT_NODE_ENTRY_BYTES each (76 + 32 bytes on
 * x86-64: 442 KB for 4,096; tests/test_table.c) to the same account;
 * later ids are not kept (the report then names a follower by its client
 * address only). */
typedef struct kt_node_stats {
    int32_t node_id;
    int32_t port;
    uint8_t host_len;
    char host[KT_NODE_HOST_MAX];   /* raw bytes off the wire: escape to print */
} kt_node_stats;

#define KT_NODE_ENTRY_BYTES (sizeof(kt_node_stats) + KT_TABLE_OVERHEAD_PER_ENTRY)

void kt_nodes_init(kt_table *t);
void kt_nodes_add(kt_table *t, const kt_exchange *ex);
/* One broker id's address (a merged report's, read back); an id already
 * known keeps its own.  -1 when the table is full or memory runs out. */
int kt_nodes_set(kt_table *t, int32_t node_id, const char *host, size_t host_len, int32_t port);
/* The broker with this id, or NULL when no Metadata response named it. */
const kt_node_stats *kt_nodes_find(const kt_table *t, int32_t node_id);

#endif
