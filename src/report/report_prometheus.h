/* report_prometheus.h - the report model in the Prometheus text exposition
 * format (version 0.0.4), for the --prometheus endpoint.
 *
 * Counters are cumulative since kafkatap started (Prometheus's rate() and
 * increase() do the windowing); latencies are histograms in seconds whose
 * cumulative buckets come from the latency histograms (histogram.h:
 * kt_hist_cumulative, a value within 0.4% of a boundary may be counted on
 * the other side of it).  The metric names, their labels and the bound on
 * each label's values are listed in the man page (section PROMETHEUS
 * METRICS).
 *
 * Invariants:
 *  - Only the model is read, never the statistics: the renderer is a writer
 *    like report_text.c and report_json.c.
 *  - Every metric family is written once, HELP and TYPE first, its samples
 *    together; a label value is printed with the escapes of escape.h, where
 *    the backslash of every escape Prometheus does not know (\t, \r, \uXXXX)
 *    is itself escaped, so the value stays valid and shows what the text
 *    report shows.
 *  - Label cardinality: api (the API keys seen), broker (at most
 *    KT_STATS_MAX_BROKERS + the overflow broker), code (the error codes
 *    seen), topic and partition (at most top_n partitions, the busiest by
 *    broker time), client_id (at most top_n client ids, the busiest by
 *    records produced plus fetched: the per-client delivery counters only),
 *    kind and severity (the findings' fixed sets).  No address but the
 *    brokers' is ever a label.
 */
#ifndef KT_REPORT_PROMETHEUS_H
#define KT_REPORT_PROMETHEUS_H

#include <stdio.h>
#include "report/report_model.h"

/* The upper bounds of the latency buckets, in microseconds (the +Inf bucket
 * comes after them). */
#define KT_PROM_BUCKETS 20
extern const uint64_t kt_prom_bucket_us[KT_PROM_BUCKETS];

/* Writes the exposition text of m: per-partition series for the first
 * top_n partitions of the model (its busiest), per-client delivery series
 * for the top_n busiest client ids. */
void kt_report_prometheus(FILE *out, const kt_report_model *m, size_t top_n);

/* The Content-Type of that text. */
#define KT_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
