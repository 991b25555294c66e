/* report_load.h - a JSON report of kafkatap (--json) read back into
 * statistics: the same kt_stats, kt_partitions, session totals, capture
 * counters and connection summaries the report was built from, so that
 * kafkatap merge (report_merge.h) can add several reports together and
 * build a normal report from the sums.
 *
 * What reads back exactly: every count, error code, throttle figure and
 * histogram (latency, queue wait and service: the "*_hist" objects); the
 * percentiles are then recomputed from the histograms.  So do per-client
 * delivery and batching, partition batches and codecs, transactions,
 * replication rows with the Metadata broker ids, TLS connections and the
 * roles of client ids and listed connections.  Not read: SASL logins (not
 * in the JSON) and the timeline.  Only the connections listed in the
 * report are read back (it lists the first 1000); throttle pairs only with
 * throttling (as listed), unless the connection statistics are complete.
 *
 * Names (client ids, topics) are interned in a kt_report_names shared by
 * every report loaded, so that the same client id or topic is the same
 * pointer in all of them.  A file that is not JSON, is cut short, or lacks
 * a part of the report gives an error message naming the file and what is
 * wrong, never a crash. */
#ifndef KT_REPORT_LOAD_H
#define KT_REPORT_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include "capture/capture.h"
#include "common/anomaly.h"
#include "common/intern.h"
#include "kafka/kafka_connections.h"
#include "kafka/kafka_session.h"
#include "kafka/topics.h"
#include "stats/client_partition_stats.h"
#include "stats/conn_stats.h"
#include "stats/partition_stats.h"
#include "stats/stats.h"
#include "stats/txn_stats.h"

typedef struct kt_report_names {
    kt_intern client_ids;
    kt_topics topics;
} kt_report_names;

int kt_report_names_init(kt_report_names *n);
void kt_report_names_free(kt_report_names *n);

typedef struct kt_loaded_report {
    char *path;                     /* as given */
    char *source;                   /* the report's own "source" */
    kt_capture_stats capture;
    kt_session_totals totals;
    kt_stats *stats;
    kt_partitions *partitions;
    kt_client_parts *client_parts;  /* per-client delivery */
    kt_tls_brokers *tls;            /* TLS connections per broker */
    kt_txn_stats *txn;              /* transactions */
    kt_conn_summary *conns;         /* the listed connections */
    size_t nconns;
    uint64_t conns_not_listed;
    kt_conn_stats *conn_stats;      /* NULL: the report has none */
    uint64_t conn_stats_not_tracked;
    kt_anomalies anomalies;
} kt_loaded_report;

/* Reads path into r (zeroed first).  Returns 0, or -1 with a message in
 * err (r then holds nothing to free). */
int kt_report_load(kt_loaded_report *r, const char *path, kt_report_names *names,
                   char *err, size_t errlen);
void kt_loaded_report_free(kt_loaded_report *r);

/* An empty TLS table (tls_brokers.h), NULL when memory runs out. */
kt_tls_brokers *kt_report_tls_new(void);

/* "10.0.0.1:9092" or "[::1]:9092" into e; -1 when it is neither. */
int kt_endpoint_parse(kt_endpoint *e, const char *s);

#endif
