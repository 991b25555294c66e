/* report_partition_json.h - pieces of the JSON report written in more
 * than one place: a latency histogram's percentiles and buckets, an error
 * code list, and a topic-partition's keys and produce/fetch objects (in
 * the report's partition table and in the per-connection statistics). */
#ifndef KT_REPORT_PARTITION_JSON_H
#define KT_REPORT_PARTITION_JSON_H

#include "common/json_writer.h"
#include "report/report_model.h"

#define KT_HIST_SCHEME "log-linear"

/* key: a latency histogram whole, for kafkatap merge to add up: {scheme,
 * unit, sub_bits, count, sum_us, min_us, max_us, buckets: [[index, count],
 * ...] (the non-empty ones, on one line)}. */
void kt_report_hist_json(kt_json *j, const char *key, const kt_histogram *h);
/* key: {p50, p90, p99, max} in ms, each null when h is empty; then
 * hist_key: its buckets (report_merge_json.h), none when hist_key is NULL. */
void kt_report_latency_json(kt_json *j, const char *key, const char *hist_key,
                            const kt_histogram *h);
/* An int64 that is -1 when unknown: null then. */
void kt_report_opt_int(kt_json *j, const char *k, int64_t v);
/* "topic" (name, else id, else null), "topic_id", "topic_resolved". */
void kt_report_topic_json(kt_json *j, const kt_topic_label *t);
/* latency = queue wait + service time (kafka/queue_clock.h): their
 * percentiles, the unknown splits and how deep the pipelines were, then
 * what adds up: the two histograms and the depth sums (queue_wait_hist,
 * service_hist, depth_sum, depth_n). */
void kt_report_split_json(kt_json *j, const kt_split *s);
/* "errors": {label: count, ...} */
void kt_report_codes_json(kt_json *j, const kt_code_count *c, int n);
/* The members of a partition row (topic, topic_id, topic_resolved,
 * partition, produce, fetch), inside an object the caller opened; the
 * second form without the shares of the capture's records. */
void kt_report_partition_json(kt_json *j, const kt_report_partition *r);
void kt_report_partition_stats_json(kt_json *j, const kt_partition_stats *e);

#endif
