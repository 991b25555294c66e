/* conn_stats.h - what each Kafka connection added to the statistics, per
 * (API, client id), so that a merged report of several hosts counts a
 * connection captured at both of its ends once (report_merge.h): the
 * merger takes a duplicate's contribution out of the API, broker, client,
 * throttle and total aggregates, exactly (histogram buckets included).
 *
 * The connection's Produce and Fetch per topic-partition are kept the same
 * way (a kt_partitions per connection), so that they too are taken out.
 *
 * Kept only for --json (the merge input).  Bounded: at most
 * KT_MAX_CONN_STATS connections (keyed by client and broker endpoint);
 * exchanges of connections beyond are counted in not_tracked only, and a
 * merged report says how many of them it could not check.  Memory: an
 * entry is sizeof(kt_conn_stats_entry) + table overhead, charged to the
 * "connection_stats" account (no cap: the entry limit bounds it), plus
 * sizeof(kt_conn_api) per (API, client id) and 512 bytes per latency
 * histogram row in use, as for the other statistics; a connection's
 * partition entries cost KT_PARTITION_ENTRY_BYTES each, charged to the same
 * account, at most KT_MAX_CONN_PARTS over all connections (79 MB) before
 * their histogram rows: past that a connection's partitions are marked
 * incomplete (parts_incomplete), and a merged report counts them as not
 * checked.
 */
#ifndef KT_CONN_STATS_H
#define KT_CONN_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/memcap.h"
#include "common/table.h"
#include "kafka/exchange.h"
#include "stats/partition_stats.h"
#include "stats/stats.h"

#define KT_MAX_CONN_STATS 4096
#define KT_MAX_CONN_PARTS 65536     /* (connection, partition) entries in all */

/* One (API, client id) on one connection. */
typedef struct kt_conn_api {
    int16_t api_key;
    int8_t follower;               /* Fetch with a replica id (a follower's) */
    const kt_istr *client_id;      /* NULL: none */
    uint64_t throttle_responses;   /* responses carrying throttle_time_ms */
    kt_agg agg;
} kt_conn_api;

typedef struct kt_conn_stats_entry {
    kt_endpoint client, broker;    /* padding zeroed: the key */
    kt_conn_api *apis;
    size_t napis, cap;
    kt_partitions *parts;          /* its Produce/Fetch per partition, or NULL */
    int parts_incomplete;          /* some were not kept (KT_MAX_CONN_PARTS) */
} kt_conn_stats_entry;

typedef struct kt_conn_stats {
    kt_table table;                /* of kt_conn_stats_entry, first seen first */
    kt_memcap mem;
    uint64_t not_tracked;          /* exchanges of connections not kept */
    size_t nparts;                 /* partition entries over all connections */
} kt_conn_stats;

kt_conn_stats *kt_conn_stats_new(void);
void kt_conn_stats_add(kt_conn_stats *cs, const kt_exchange *ex);
/* The entry of a connection, created when new (NULL when full). */
kt_conn_stats_entry *kt_conn_stats_entry_of(kt_conn_stats *cs, const kt_endpoint *client,
                                            const kt_endpoint *broker);
/* The (API, client id) row of an entry, created when new. */
kt_conn_api *kt_conn_stats_api(kt_conn_stats *cs, kt_conn_stats_entry *e, int16_t api_key,
                               int follower, const kt_istr *client_id);
/* The partitions of an entry, created when new (NULL: no memory). */
kt_partitions *kt_conn_stats_parts(kt_conn_stats *cs, kt_conn_stats_entry *e);
void kt_conn_stats_free(kt_conn_stats *cs);

#endif
