/* stats.h - aggregates of exchanges per API, per broker and per client id.
 *
 * Each aggregate (kt_agg) counts requests by outcome, keeps a latency
 * histogram of answered requests, the error codes seen (by code) and
 * throttling.  The brokers, client ids and (client id, broker) throttle
 * pairs are kt_tables (table.h), bounded: at most KT_STATS_MAX_BROKERS
 * brokers, past which exchanges are counted in one "(other)" broker
 * (broker_table_full); the client ids the intern table hands out (itself
 * bounded, --max-client-ids); at most KT_STATS_MAX_THROTTLE throttle pairs,
 * past which throttling is not counted per pair.
 *
 * Memory, measured on x86-64 (sizeof, plus KT_TABLE_OVERHEAD_PER_ENTRY =
 * 32 bytes of table per entry): a broker 2,408 + 32 bytes, a client id
 * 2,544 + 32, a throttle pair 64 + 32 (each kt_agg holds a 648-byte queue
 * wait / service split, queue_split.h; brokers and client ids a 304-byte
 * histogram of Fetch requests that returned records); each kt_agg and that
 * histogram then allocate a 512-byte row per histogram row in use
 * (histogram.h: latency, queue wait, service) and 16 bytes per distinct
 * error code.  So 4,096 brokers cost 10.0 MB and 65,536 throttle pairs
 * 6.3 MB before histogram rows; 10,000 client ids 25.8 MB.
 * tests/test_table.c checks these sizes.
 *
 * Fetch requests that returned records: answered (with or without an error
 * code), not a follower's (kt_exchange_is_follower_fetch), and at least one
 * partition of the response carried a record; long-poll waits answered
 * empty are left out, as they wait by design. */
#ifndef KT_STATS_H
#define KT_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "kafka/exchange.h"
#include "stats/batch_stats.h"
#include "stats/histogram.h"
#include "stats/queue_split.h"
#include "common/intern.h"
#include "common/table.h"

#define KT_STATS_MAX_BROKERS 4096
#define KT_STATS_MAX_THROTTLE (KT_STATS_MAX_BROKERS * 16)
#define KT_STATS_API_SLOTS 1024     /* api keys 0..1023 indexed directly */

typedef struct kt_code_count {
    int16_t code;
    uint64_t count;
} kt_code_count;

typedef struct kt_agg {
    uint64_t requests;          /* all requests, whatever became of them */
    uint64_t matched;           /* answered */
    uint64_t errored;           /* answered with an error code */
    uint64_t unanswered;
    uint64_t no_response;       /* acks=0 produce */
    /* requests - matched - unanswered - no_response: the requests whose
     * response the capture may have lost (KT_STATUS_UNKNOWN_CAPTURE_LOSS),
     * counted in requests only */
    uint64_t throttled;         /* responses with throttle_time_ms > 0 */
    uint64_t throttle_ms_total;
    uint64_t throttle_ms_max;
    kt_histogram latency;       /* microseconds */
    kt_split split;             /* latency = queue wait + service time */
    kt_code_count *errors;      /* sorted by count when reported */
    int nerrors, caperrors;
} kt_agg;

typedef struct kt_api_stats {
    int16_t api_key;
    int follower;               /* the followers' Fetch (replication), a row
                                   apart from the consumers' Fetch */
    uint64_t versions[2];       /* bit v set: version v seen (0..127) */
    kt_agg agg;
} kt_api_stats;

typedef struct kt_broker_stats {
    kt_endpoint broker;
    int is_other;
    kt_agg agg;
    kt_agg produce;             /* Produce only: the slow-broker finding compares
                                   these, as Fetch long-polls inflate agg */
    kt_histogram fetch_data;    /* latency of its consumers' answered Fetch
                                   requests that returned records (slow_fetch) */
    uint64_t last_answer_us;    /* capture time of its latest response's first
                                   byte, 0: none (broker_silent) */
    uint64_t unanswered_after;  /* requests sent after that response and
                                   left unanswered */
} kt_broker_stats;

/* SASL logins of a client id: a login ends with an answered
 * SaslAuthenticate, or with a SaslHandshake answered with an error. */
typedef struct kt_sasl_logins {
    uint64_t logins;
    uint64_t failed;            /* answered with an error code */
    kt_code_count *errors;      /* of both APIs, by code */
    int nerrors, caperrors;
} kt_sasl_logins;

typedef struct kt_client_stats {
    const kt_istr *client_id;
    unsigned roles;             /* KT_CROLE_* bits (kafka/client_role.h) */
    kt_agg agg;
    kt_agg produce;             /* Produce only: slow_produce per client id */
    kt_histogram fetch_data;    /* its answered consumer Fetch requests that
                                   returned records (slow_fetch per client id) */
    kt_sasl_logins sasl;        /* sasl_auth_failure */
    kt_batch_agg batching;      /* its Produce requests' batches */
} kt_client_stats;

/* Throttling per (client id, broker). */
typedef struct kt_throttle_stats {
    const kt_istr *client_id;
    kt_endpoint broker;
    uint64_t responses;          /* responses that carried throttle_time_ms */
    uint64_t throttled;          /* of which > 0 */
    uint64_t throttle_ms_total;
    uint64_t throttle_ms_max;
} kt_throttle_stats;

typedef struct kt_stats {
    kt_api_stats *api[KT_STATS_API_SLOTS];
    kt_api_stats *api_other;           /* keys outside the direct range */
    kt_api_stats *follower_fetch;      /* Fetch requests with a replica id:
                                          replication, never counted in
                                          api[KT_API_FETCH] (consumers) */
    /* Read-only typed views of the broker and client tables' entries, in
     * the order first seen ("(other)" last once used), current after every
     * kt_stats_add(). */
    kt_broker_stats **brokers;
    size_t nbrokers;
    kt_client_stats **clients;
    size_t nclients;
    kt_table broker_table, client_table, throttle_table;
    kt_memcap mem;                     /* the three tables' entries (no cap:
                                          their entry limits bound them) */
    kt_agg total;
} kt_stats;

/* One exchange into an aggregate; an aggregate's histogram and error list
 * freed (the aggregate is then zeroed: reusable). */
void kt_agg_add(kt_agg *a, const kt_exchange *ex);
void kt_agg_free(kt_agg *a);
/* Sums (into += from) and takes out (into -= from, every value of from
 * being in into: see kt_hist_subtract for min and max), for merged reports;
 * throttle_ms_max can only grow. */
void kt_agg_merge(kt_agg *into, const kt_agg *from);
void kt_agg_subtract(kt_agg *into, const kt_agg *from);

/* The entries of the keyed tables, created when new (NULL when a table is
 * full without overflow entry, or memory runs out): a merged report
 * rebuilds statistics through these (report_load.h). */
kt_api_stats *kt_stats_api(kt_stats *s, int16_t api_key, int follower);
kt_broker_stats *kt_stats_broker(kt_stats *s, const kt_endpoint *ep);
kt_client_stats *kt_stats_client(kt_stats *s, const kt_istr *id);
kt_throttle_stats *kt_stats_throttle(kt_stats *s, const kt_istr *id, const kt_endpoint *ep);

kt_stats *kt_stats_new(void);
void kt_stats_add(kt_stats *s, const kt_exchange *ex);
void kt_stats_free(kt_stats *s);

/* Adds n to the count of an error code in a growable list. */
void kt_code_counts_add(kt_code_count **list, int *n, int *cap, int16_t code, uint64_t count);
void kt_code_counts_sort(kt_code_count *list, int n);

/* Throttle entries with at least one throttled response, most throttle
 * time first.  Caller frees the array. */
const kt_throttle_stats **kt_stats_throttled_sorted(const kt_stats *s, size_t *n);

/* Helpers for reports. */
void kt_agg_sort_errors(kt_agg *a);
/* Lists sorted worst first: most failed (errored + unanswered), then the
 * highest p99 latency, then most requests.  Caller frees the arrays. */
const kt_api_stats **kt_stats_apis_sorted(const kt_stats *s, size_t *n);
const kt_broker_stats **kt_stats_brokers_sorted(const kt_stats *s, size_t *n);
const kt_client_stats **kt_stats_clients_sorted(const kt_stats *s, size_t *n);

#endif
