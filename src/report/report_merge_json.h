/* report_merge_json.h - the parts of the JSON report that make reports
 * mergeable (kafkatap merge, report_merge.h): latency histograms with
 * their buckets, and what each connection added to the statistics.
 *
 * A histogram is written as
 *   {"scheme": "log-linear", "unit": "us", "sub_bits": 7, "count": N,
 *    "sum_us": S, "min_us": A, "max_us": B, "buckets": [[index, count], ...]}
 * with only its non-empty buckets, index = row * 2^sub_bits + column
 * (stats/histogram.h): reading it back gives the same histogram. */
#ifndef KT_REPORT_MERGE_JSON_H
#define KT_REPORT_MERGE_JSON_H

#include "common/json_writer.h"
#include "report/report_model.h"
#include "report/report_partition_json.h"
#include "stats/histogram.h"

/* "connection_stats": [...] and "connection_stats_not_tracked" (nothing
 * when the model has no connection statistics). */
void kt_report_conn_stats_json(kt_json *j, const kt_report_model *m);

#endif
