/* conn_stats.h - what each Kafka connection added to the statistics, per
 * (API, client id), so that a merged report of several hosts counts a
 * connection captured at both of its ends once (report_merge.h): the
 * merger takes a duplicate's contribution out of the API, broker, client,
 * throttle and total aggregates, exactly (histogram buckets included).
 *
 * Kept only for --json (the merge input).  Bounded: at most
 * KT_MAX_CONN_STATS connections (keyed by client and broker endpoint);
 * exchanges of connections beyond are counted in not_tracked only, and a
 * merged report says how many of them it could not check.  Memory: an
 * entry is sizeof(kt_conn_stats_entry) + table overhead, charged to the
 * "connection_stats" account (no cap: the entry limit bounds it), plus
 * sizeof(kt_conn_api) per (API, client id) and 512 bytes per latency
 * histogram row in use, as for the other statistics.
 */
#ifndef KT_CONN_STATS_H
#define KT_CONN_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/memcap.h"
#include "common/table.h"
#include "kafka/exchange.h"
#include "stats/stats.h"

#define KT_MAX_CONN_STATS 4096

/* One (API, client id) on one connection. */
typedef struct kt_conn_api {
    int16_t api_key;
    const kt_istr *client_id;      /* NULL: none */
    uint64_t throttle_responses;   /* responses carrying throttle_time_ms */
    kt_agg agg;
} kt_conn_api;

typedef struct kt_conn_stats_entry {
    kt_endpoint client, broker;    /* padding zeroed: the key */
    kt_conn_api *apis;
    size_t napis, cap;
} kt_conn_stats_entry;

typedef struct kt_conn_stats {
    kt_table table;                /* of kt_conn_stats_entry, first seen first */
    kt_memcap mem;
    uint64_t not_tracked;          /* exchanges of connections not kept */
} kt_conn_stats;

kt_conn_stats *kt_conn_stats_new(void);
void kt_conn_stats_add(kt_conn_stats *cs, const kt_exchange *ex);
/* The entry of a connection, created when new (NULL when full). */
kt_conn_stats_entry *kt_conn_stats_entry_of(kt_conn_stats *cs, const kt_endpoint *client,
                                            const kt_endpoint *broker);
/* The (API, client id) row of an entry, created when new. */
kt_conn_api *kt_conn_stats_api(kt_conn_stats *cs, kt_conn_stats_entry *e, int16_t api_key,
                               const kt_istr *client_id);
void kt_conn_stats_free(kt_conn_stats *cs);

#endif
