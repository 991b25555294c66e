/* report_timeline.h - the timeline as a report shows it: the series of each
 * kind labelled and ordered, the topic-partitions cut to the busiest, and
 * for each finding the buckets where its condition held ("when").
 *
 * Rows: brokers, APIs and client ids in the order first seen ("(other)"
 * last); topic-partitions (Produce and Fetch apart) merged by canonical
 * topic, the KT_REPORT_TL_PARTITIONS with the most records (then requests)
 * first, the rest folded into one "(other)" row.
 *
 * When: a finding's main condition recomputed per bucket on the series of
 * its subject (the rule and its numbers are in the man page, "When"):
 *   slow_broker      the broker's p50 (Produce, or all APIs as the finding
 *                    compared) at least 3x the peers' median p50 of the whole
 *                    capture and 5 ms above it;
 *   slow_produce, slow_fetch  half or more of the bucket's answered requests
 *                    at the threshold or above;
 *   error_storm      the code (or any error, for an error rate) in 5% (20%)
 *                    of the API's answered responses of the bucket;
 *   throttling       a throttled response from the broker;
 *   unanswered_requests  an unanswered request of the API;
 *   hot_partition    the partition's share of the bucket's produced records
 *                    50% or more (partition subjects only);
 *   hot_broker       the broker's share 70% or more.
 * Buckets where the subject had no request neither hold nor break an
 * episode; the main episode is the run of holding buckets with the most of
 * them (the earliest on a tie): started is the start of its first bucket,
 * ended the end of its last, ongoing when that is the subject's last bucket
 * with requests.  Other findings (capture_loss, topic subjects) are not
 * placed in time. */
#ifndef KT_REPORT_TIMELINE_H
#define KT_REPORT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include "findings/findings.h"
#include "stats/labels.h"
#include "stats/timeline.h"

#define KT_REPORT_TL_PARTITIONS 10

typedef struct kt_report_tl_row {
    char label[320];              /* broker "host:port", API name, escaped client
                                     id, "topic T partition P", or "(other)" */
    const kt_tl_series *s;        /* the series shown (own or the timeline's) */
    kt_tl_series *own;            /* a merged copy the report owns, or NULL */
    int is_other;
    int16_t api_key;
    const kt_istr *client_id;
    kt_topic_label topic;
    int32_t partition;
} kt_report_tl_row;

typedef struct kt_report_when {
    int known;                    /* the condition could be recomputed */
    size_t buckets;               /* buckets where it held */
    size_t first, last;           /* the main episode's buckets */
    int ongoing;
    uint64_t started_ns, ended_ns;
} kt_report_when;

typedef struct kt_report_timeline {
    const kt_timeline *tl;        /* NULL: no timeline */
    kt_report_tl_row *rows[KT_TL__KINDS];
    size_t nrows[KT_TL__KINDS];
    kt_report_when *when;         /* one per finding */
} kt_report_timeline;

/* 0, or -1 when memory runs out (r then holds what was built: free it). */
int kt_report_timeline_build(kt_report_timeline *r, const kt_timeline *tl,
                             const kt_finding *findings, size_t nfindings);
void kt_report_timeline_free(kt_report_timeline *r);

#endif
