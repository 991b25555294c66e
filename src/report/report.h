/* report.h - the summary report, as text for a person or as one JSON
 * document, from the statistics, the session totals, the capture counters
 * and the anomaly counters. */
#ifndef KT_REPORT_H
#define KT_REPORT_H

#include <stdio.h>
#include "capture/capture.h"
#include "kafka/kafka_session.h"
#include "stats/partition_stats.h"
#include "stats/stats.h"

typedef struct kt_report_input {
    const char *source;                 /* file name or "interface eth0" */
    const kt_capture_stats *capture;
    const kt_session_totals *totals;
    kt_stats *stats;
    const kt_partitions *partitions;    /* per topic-partition statistics */
    int top_n;                          /* rows of the partition table (--top) */
    const kt_conn_summary *conns;       /* Kafka connections, worst first */
    size_t nconns;
    uint64_t conns_not_kept;            /* closed ones beyond the kept summaries */
    int final;                          /* 0 for a live interim report */
} kt_report_input;

void kt_report_text(FILE *out, const kt_report_input *in);
void kt_report_json(FILE *out, const kt_report_input *in);

/* The connections part of both (report_connections.c). */
struct kt_json;
void kt_report_connections_text(FILE *out, const kt_report_input *in);
void kt_report_connections_json(struct kt_json *j, const kt_report_input *in);

#endif
