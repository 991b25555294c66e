/* report_model.h - the summary report as data, built once per report.
 *
 * kt_report_build() reads the statistics and the capture's counters and
 * returns a snapshot that says everything the report prints: the rows of
 * every table in their order, the labels of the overflow entries, the
 * findings, the anomaly counters.  The text and JSON writers (report.h)
 * only render it, so both show the same thing computed in one place.
 *
 * Invariants:
 *  - Building never changes its input: statistics, partitions, connection
 *    summaries and counters are read through const pointers; every sorted
 *    list, sorted error list and merged partition is the model's own copy.
 *  - A built model is not changed again until kt_report_model_free():
 *    writers get it const.
 *  - Orders: APIs, brokers and client ids worst first (most failed, that is
 *    errored + unanswered, then the highest p99, then the most requests,
 *    then by key, address or id); topic-partitions merged by canonical
 *    topic, in the order of --sort (default: most records produced, then
 *    fetched), ties by broker time; throttled (client id, broker) pairs
 *    most throttle time first; findings most severe first; connections
 *    worst first (most missed bytes, then mid-stream ones, then the most
 *    requests, then the earliest, then by client address).
 *  - Every error-code list is sorted most frequent first, then by code.
 *  - Overflow entries are named once, in stats/labels.h
 *    (KT_LABEL_OTHER_BROKER, KT_LABEL_OTHER_TOPICS); a row's label is
 *    already that spelling.
 *  - The model points into the statistics (latency histograms, client ids,
 *    merged topics' names): free it before them, the topics and the client
 *    id table.  The source string must outlive it too.
 *  - The memory accounts (at most KT_REPORT_MAX_MEMORY) are copied with
 *    them.
 *  - The anomaly counters are copied when the model is built: a live
 *    interim report is one consistent moment.
 */
#ifndef KT_REPORT_MODEL_H
#define KT_REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "capture/capture.h"
#include "common/anomaly.h"
#include "common/memcap.h"
#include "findings/findings.h"
#include "report/report_timeline.h"
#include "stats/labels.h"
#include "stats/partition_stats.h"
#include "stats/client_partition_stats.h"
#include "stats/stats.h"
#include "stats/txn_stats.h"

struct kt_session_totals;   /* kafka/kafka_session.h */
struct kt_conn_summary;
struct kt_conn_stats;       /* stats/conn_stats.h */
struct kt_tls_brokers;      /* kafka/tls_brokers.h */

/* What a report is built from.  Any pointer but source may be NULL: that
 * part is then empty (or zero). */
#define KT_REPORT_MAX_MEMORY 16

typedef struct kt_report_input {
    const char *source;                 /* file name or "interface eth0" */
    const char *not_merged;             /* kafkatap merge: the sections its
                                           inputs do not carry, NULL else */
    const kt_capture_stats *capture;
    const struct kt_session_totals *totals;
    const kt_stats *stats;
    const kt_partitions *partitions;    /* per topic-partition statistics */
    const kt_client_parts *client_parts; /* per-client delivery */
    const kt_txn_stats *txn;            /* transactions (txn_stats.h) */
    int top_n;                          /* rows of the partition table (--top) */
    int sort;                           /* enum kt_partition_sort (--sort) */
    int slow_produce_ms, slow_fetch_ms; /* absolute latency thresholds; 0: defaults */
    const struct kt_conn_summary *conns; /* Kafka connections, in any order */
    size_t nconns;
    uint64_t conns_not_kept;            /* closed ones beyond the kept summaries */
    int final;                          /* 0 for a live interim report */
    const kt_memcap *const *memory;     /* the memory accounts, in order */
    size_t nmemory;
    const kt_input_file *inputs;        /* -r files in the order read; shown
                                           when more than one */
    size_t ninputs;
    uint64_t since_us, until_us;        /* --since / --until, 0: none */
    const kt_timeline *timeline;        /* of the same exchanges as stats */
    int ascii;                          /* text: sparklines in ASCII */
    const struct kt_conn_stats *conn_stats; /* --json: what each connection
                                           added, for kafkatap merge */
    const struct kt_tls_brokers *tls;   /* TLS connections per broker */
} kt_report_input;

/* The session's totals, as reported. */
typedef struct kt_report_totals {
    uint64_t requests;              /* answered + unanswered + acks=0
                                       + unknown_capture_loss */
    uint64_t matched;
    uint64_t unanswered;
    uint64_t no_response_expected;
    uint64_t unknown_capture_loss;  /* the capture lost where a response
                                       would have been: not unanswered */
    uint64_t orphan_responses;
    uint64_t lost_request_responses;/* responses whose request the capture
                                       lost: not orphans */
    uint64_t malformed;
    uint64_t connections;
    uint64_t midstream_connections;
    uint64_t missed_bytes;
    uint64_t ignored_connections;
    uint64_t tls_connections;       /* TLS on a broker port, not decoded */
    uint64_t tls_bytes;
} kt_report_totals;

/* One aggregate (kt_agg) as reported. */
typedef struct kt_report_agg {
    uint64_t requests, matched, unanswered, errored, no_response;
    uint64_t throttled, throttle_ms_total, throttle_ms_max;
    const kt_histogram *latency;        /* answered requests, microseconds */
    const kt_split *split;              /* their queue wait / service time
                                           (NULL: not measured) */
    const kt_code_count *errors;        /* sorted; the model's copy */
    int nerrors;
} kt_report_agg;

typedef struct kt_report_api {
    int16_t api_key;
    char name[32];                      /* "Produce", or "api_key_123";
                                           "Fetch (follower)" for the
                                           followers' Fetch */
    int follower;                       /* that row: replication */
    uint64_t versions[2];               /* bit v set: version v seen */
    kt_report_agg agg;
} kt_report_api;

typedef struct kt_report_broker {
    char label[KT_ENDPOINT_STRLEN];     /* "host:port" or KT_LABEL_OTHER_BROKER */
    kt_report_agg agg;
    kt_report_agg produce;              /* its Produce requests only */
    const kt_histogram *fetch_data;     /* its consumers' Fetch requests that
                                           returned records (the statistics') */
} kt_report_broker;

/* One client id's delivery (kt_delivery_row, client_partition_stats.h):
 * its totals (the model's copy, failed codes sorted) and its partitions,
 * merged by canonical topic, by topic name and partition. */
typedef kt_delivery_row kt_report_delivery;

typedef struct kt_report_client {
    const kt_istr *client_id;
    unsigned roles;                     /* KT_CROLE_* (kafka/client_role.h) */
    kt_report_agg agg;
    kt_report_agg produce;              /* its Produce requests only */
    const kt_histogram *fetch_data;     /* its Fetch requests that returned
                                           records (the statistics') */
    const kt_report_delivery *delivery; /* NULL: no Produce or Fetch */
    const kt_batch_agg *batching;       /* its Produce batches (the statistics') */
} kt_report_client;

typedef struct kt_report_partition {
    const kt_partition_stats *stats;    /* merged: canonical topic, errors sorted */
    kt_topic_label topic;
    double records_share, bytes_share;  /* of the capture's produced records and
                                           bytes, 0 to 1 */
    double records_per_s;               /* produced, over the span of its Produce
                                           requests; 0 when fewer than two */
    size_t rank_time_;                  /* its place by broker time, a tie break */
    int64_t key_[2];                    /* its --sort keys */
} kt_report_partition;

/* The order of the topic-partition table (--sort), largest first. */
enum kt_partition_sort {
    KT_SORT_RECORDS = 0,   /* records produced, then fetched: the default,
                              the load a partition carries comes first */
    KT_SORT_BYTES,         /* bytes produced, then fetched */
    KT_SORT_TIME,          /* broker time, produce + fetch */
    KT_SORT_ERRORS,        /* partition error codes, produce + fetch */
    KT_SORT_LAG,           /* consumer lag after the last fetch */
};

/* "records" -> KT_SORT_RECORDS...; -1 for an unknown name. */
int kt_partition_sort_parse(const char *name);
const char *kt_partition_sort_name(int sort);

/* One follower's replication of one partition (replication_stats.h). */
typedef struct kt_report_replica {
    const kt_replica_stats *stats;
    kt_topic_label topic;               /* canonical */
    char leader[KT_ENDPOINT_STRLEN];
    char follower[KT_ENDPOINT_STRLEN];  /* its client address, without the port */
    char follower_broker[160];          /* "host:port" of its id in Metadata
                                           responses (host escaped); "" when
                                           none was seen */
    const char *name;                   /* follower_broker, else follower */
} kt_report_replica;

/* One (partition, follower) pair of the acks=all waits (acks_wait.h). */
typedef struct kt_report_acks {
    kt_acks_row row;                    /* row.name points at name */
    kt_topic_label topic;               /* canonical */
    char leader[KT_ENDPOINT_STRLEN];
    char name[160];                     /* "host:port" of its id in Metadata
                                           responses, else "" */
} kt_report_acks;

typedef struct kt_report_throttle {
    const kt_istr *client_id;
    char broker[KT_ENDPOINT_STRLEN];
    uint64_t responses, throttled, throttle_ms_total, throttle_ms_max;
} kt_report_throttle;

/* One Kafka connection. */
typedef struct kt_report_conn {
    kt_endpoint client, broker;
    const kt_istr *client_id;           /* the last one its requests carried */
    int midstream;
    int open;                           /* still open when the report was built */
    uint64_t missed_bytes;              /* both directions */
    uint64_t requests;
    unsigned roles;                     /* KT_CROLE_* (kafka/client_role.h) */
    uint64_t first_ts_us, last_ts_us;
} kt_report_conn;

/* The TLS connections to one broker (whole run). */
typedef struct kt_report_tls {
    char broker[KT_ENDPOINT_STRLEN];    /* "host:port" or KT_LABEL_OTHER_BROKER */
    uint64_t connections, midstream, bytes;
} kt_report_tls;

typedef struct kt_report_model {
    const char *source;
    const char *not_merged;
    int final;
    int top_n;
    int sort;                           /* enum kt_partition_sort */
    uint64_t produced_records, produced_bytes; /* over every partition */
    kt_capture_stats capture;
    kt_report_totals totals;
    kt_report_api *apis;
    size_t napis;
    kt_report_broker *brokers;
    size_t nbrokers;
    kt_report_client *clients;
    size_t nclients;
    kt_report_delivery *deliveries;     /* worst first: most records failed or
                                           unanswered, then most sent, then
                                           most fetched, then by client id */
    size_t ndeliveries;
    const kt_client_partition *delivery_other; /* results past the client
                                           partition table's limit, or NULL */
    kt_report_partition *partitions;
    size_t npartitions;
    uint64_t partitions_dropped;        /* not tracked: table full */
    kt_report_replica *replicas;        /* largest lag first, then the longest
                                           behind, the longest silence, then by
                                           follower id, leader, topic, partition */
    size_t nreplicas;
    uint64_t replicas_dropped;          /* follower fetch results not kept */
    kt_report_acks *acks;               /* by topic, partition, follower id */
    size_t nacks;
    uint64_t acks_dropped;              /* acks=all results not kept */
    kt_acks_row *acks_rows_;            /* copies, for the findings */
    const kt_table *nodes;              /* broker ids named by Metadata
                                           (kt_node_stats), NULL: none */
    kt_report_throttle *throttled;
    size_t nthrottled;
    /* transactions: the input's statistics (read while the model lives)
     * and its transactional ids, most aborted first */
    const kt_txn_stats *txn;
    const kt_txn_id_stats **txns;
    size_t ntxns;
    kt_finding *findings;
    size_t nfindings;
    kt_report_conn *conns;
    size_t nconns;
    uint64_t conns_not_kept;
    kt_report_tls *tls;                 /* most connections first, then most
                                           bytes, then by label */
    size_t ntls;
    kt_anomalies anomalies;
    kt_memcap memory[KT_REPORT_MAX_MEMORY]; /* copies, as of the build */
    size_t nmemory;
    const kt_input_file *inputs;        /* the capture's: it outlives the model */
    size_t ninputs;
    uint64_t since_us, until_us;
    kt_report_timeline timeline;        /* rows, and when[] per finding */
    int ascii;
    const struct kt_conn_stats *conn_stats; /* the input's, or NULL */
    /* the model's own storage, for kt_report_model_free() */
    kt_partition_stats **merged_;
    kt_client_partition **client_merged_;
    size_t nclient_merged_;
    const kt_replica_stats **replica_list_; /* the rows' stats, for the findings */
    uint64_t *replica_unfetched_;       /* and their silences at the end */
    const char **replica_names_;        /* and their names */
    kt_code_count **codes_;             /* the sorted error lists it owns */
    size_t ncodes_, capcodes_;
} kt_report_model;

/* NULL only when memory runs out. */
kt_report_model *kt_report_build(const kt_report_input *in);
void kt_report_model_free(kt_report_model *m);

#endif
