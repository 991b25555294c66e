/* report_merge.h - several hosts' reports (read by report_load.h) added
 * into one cluster report's statistics (kafkatap merge).
 *
 * Exact: every count of the APIs, brokers, client ids, topic-partitions,
 * throttle pairs, session totals, capture counters and anomalies is the
 * sum of the inputs'; latency histograms (and the queue wait / service
 * split's, with its counters and in-flight depth sums) are added bucket by
 * bucket, so a merged percentile has the error of a single host's
 * (histogram.h: 0.4%).
 *
 * A connection captured at both of its ends (the same client and broker
 * address and port in several inputs' connection_stats) is counted once:
 * the copy with the most requests is kept (the first input's on a tie) and
 * every other copy's contribution is taken out of the API, broker, client
 * id, throttle pair, total and topic-partition statistics (histogram
 * buckets, queue wait / service splits and error codes included) and of the session totals (requests
 * by outcome, connections; mid-stream connections and missed bytes when
 * the copy is among the listed connections).  Not taken out (approximate
 * when connections are duplicated): the histograms' min and max, a
 * partition's timestamps, offsets, lag and leader, orphan and lost-request
 * responses, malformed frames, the capture's packet counts and the anomaly
 * counters (each host did capture those packets).  Connections an input
 * did not track (beyond KT_MAX_CONN_STATS, conn_stats.h) are not checked:
 * counted in unchecked_exchanges; copies whose partitions were not all
 * kept in partitions_unchecked.
 *
 * Per-client delivery is summed per client id and per (client id, topic,
 * partition), the "(other)" entries into one, and Produce batching per
 * client id (its span from the earliest to the latest request); neither
 * is de-duplicated (connection_stats do not carry them): a connection
 * seen at both ends counts in them twice.  Transactions (every count per
 * transactional id, the marker totals) and TLS connections per broker are
 * sums, not de-duplicated either; a transaction's records only as each
 * host matched them to its EndTxn.  Replication rows are summed
 * (kt_replica_merge), but a row whose last fetch was on a connection copy
 * taken out adds only its maxima; the Metadata broker ids of every input
 * name the followers.  A partition's batches, codec
 * counts and control records are sums, taken out like its other counts
 * (the fetch codecs, a set, are kept).
 *
 * Merged values that are not sums: the first and last timestamps (earliest,
 * latest), maxima (throttle, timeout, lag, high watermark, fetch offset),
 * a partition's leader (the one of the input whose last Produce is
 * latest). */
#ifndef KT_REPORT_MERGE_H
#define KT_REPORT_MERGE_H

#include "report/report_load.h"

typedef struct kt_merge_info {
    size_t inputs;
    uint64_t duplicate_connections;   /* copies taken out */
    uint64_t unchecked_exchanges;     /* of connections no input tracked */
    uint64_t partitions_unchecked;    /* copies taken out whose partitions
                                         were not all kept (conn_stats.h) */
} kt_merge_info;

/* Adds in[0..n) into out (zeroed first; its path and source are NULL).
 * Returns 0, or -1 when memory runs out. */
int kt_report_merge(kt_loaded_report *out, const kt_loaded_report *in, size_t n,
                    kt_merge_info *info);

/* What a merged report leaves out: its inputs' JSON does not carry these
 * sections in a form that adds up (yet); the merged report says so in its
 * text and JSON (not_merged), and their fields there are not the sums. */
#define KT_MERGE_NOT_MERGED "SASL logins, Fetch-with-data latency per broker and client id, " \
    "the follower acks=all Produce waited for, brokers' last answers, the timeline and " \
    "when findings started"

#endif
