/* report_text.c - the report as text: totals, then per API, per broker and
 * per client id, worst first; the top topic-partitions by broker time,
 * throttling per client id and broker, the findings, then anomalies. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common/anomaly.h"
#include "findings/findings.h"
#include "report/names.h"
#include "report/report.h"
#include "report/report_labels.h"

static void ms(char *buf, size_t len, uint64_t us)
{
    snprintf(buf, len, "%.3f", (double)us / 1000.0);
}

static void utc(char *buf, size_t len, uint64_t ts_us)
{
    time_t t = (time_t)(ts_us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void header_row(FILE *out, const char *first, int width)
{
    fprintf(out, "  %-*s %8s %8s %6s %6s %9s %9s %9s %9s  %s\n", width, first, "requests",
            "answered", "unans", "errors", "p50_ms", "p90_ms", "p99_ms", "max_ms",
            "error codes");
}

static void agg_row(FILE *out, const char *label, int width, kt_agg *a)
{
    char p50[24], p90[24], p99[24], mx[24], eb[32];
    kt_agg_sort_errors(a);
    if (a->latency.count) {
        ms(p50, sizeof p50, kt_hist_percentile(&a->latency, 50));
        ms(p90, sizeof p90, kt_hist_percentile(&a->latency, 90));
        ms(p99, sizeof p99, kt_hist_percentile(&a->latency, 99));
        ms(mx, sizeof mx, a->latency.max);
    } else {
        strcpy(p50, "-");
        strcpy(p90, "-");
        strcpy(p99, "-");
        strcpy(mx, "-");
    }
    fprintf(out, "  %-*s %8" PRIu64 " %8" PRIu64 " %6" PRIu64 " %6" PRIu64 " %9s %9s %9s %9s",
            width, label, a->requests, a->matched, a->unanswered, a->errored, p50, p90, p99, mx);
    /* the last column: two spaces before its first item, one between */
    const char *sep = "  ";
    for (int i = 0; i < a->nerrors; i++, sep = " ")
        fprintf(out, "%s%s=%" PRIu64, sep, kt_error_label(a->errors[i].code, eb, sizeof eb),
                a->errors[i].count);
    if (a->no_response) {
        fprintf(out, "%s(acks=0: %" PRIu64 ")", sep, a->no_response);
        sep = " ";
    }
    if (a->throttled)
        fprintf(out, "%sthrottled=%" PRIu64 " (max %" PRIu64 " ms)", sep, a->throttled,
                a->throttle_ms_max);
    fputc('\n', out);
}

static void versions_label(char *buf, size_t len, const kt_api_stats *a)
{
    size_t o = 0;
    buf[0] = 0;
    for (int v = 0; v < 128 && o + 8 < len; v++)
        if (a->versions[v / 64] & (1ull << (v % 64)))
            o += (size_t)snprintf(buf + o, len - o, "%s%d", o ? "," : "v", v);
}

/* A percentile of h in ms, or "-" when h is empty. */
static void hist_ms(char *buf, size_t len, const kt_histogram *h, double p)
{
    if (h->count)
        ms(buf, len, kt_hist_percentile(h, p));
    else
        snprintf(buf, len, "-");
}

/* "--- name -----" filling width columns. */
static void group_label(FILE *out, const char *name, int width)
{
    int w = fprintf(out, " --- %s ", name);
    for (; w < width + 1; w++)
        fputc('-', out);
}

static void codes(FILE *out, const char **sep, const char *what, kt_code_count *c, int n)
{
    char eb[32];
    if (!n)
        return;
    kt_code_counts_sort(c, n);
    fprintf(out, "%s%s", *sep, what);
    for (int i = 0; i < n; i++)
        fprintf(out, " %s=%" PRIu64, kt_error_label(c[i].code, eb, sizeof eb), c[i].count);
    *sep = " ";
}

#define PT_PRODUCE_W 50   /* widths of the column groups below */
#define PT_FETCH_W 62

static void partition_row(FILE *out, kt_partition_stats *e)
{
    char topic[160], pp50[24], pp99[24], fd50[24], fe50[24], lag[24];
    const kt_produce_agg *p = &e->produce;
    const kt_fetch_agg *f = &e->fetch;
    const char *sep = "  ";

    kt_label_topic(topic, sizeof topic, e->topic);
    hist_ms(pp50, sizeof pp50, &p->latency, 50);
    hist_ms(pp99, sizeof pp99, &p->latency, 99);
    hist_ms(fd50, sizeof fd50, &f->latency_data, 50);
    hist_ms(fe50, sizeof fe50, &f->latency_empty, 50);
    if (f->lag >= 0)
        snprintf(lag, sizeof lag, "%" PRId64, f->lag);
    else
        snprintf(lag, sizeof lag, "-");
    fprintf(out, "  %-24s %5" PRId32 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9s %9s"
                 " %8" PRIu64 " %10" PRIu64 " %6" PRIu64 " %9s %6" PRIu64 " %9s %8s",
            topic, e->partition, p->requests, p->records, p->acked_records, pp50, pp99,
            f->requests, f->records, f->with_data, fd50, f->empty, fe50, lag);
    codes(out, &sep, "produce", p->errors, p->nerrors);
    codes(out, &sep, "fetch", f->errors, f->nerrors);
    fputc('\n', out);
}

static void partition_table(FILE *out, const kt_report_input *in)
{
    size_t n = 0, show;
    kt_partition_stats **m;

    if (!in->partitions)
        return;
    m = kt_partitions_merged(in->partitions, &n);
    if (m && n) {
        show = in->top_n > 0 && n > (size_t)in->top_n ? (size_t)in->top_n : n;
        fprintf(out, "\nPer topic-partition (top %zu of %zu by broker time; fetches that "
                     "returned data apart from empty waits)\n", show, n);
        fprintf(out, "  %-24s %5s", "", "");
        group_label(out, "produce", PT_PRODUCE_W);
        group_label(out, "fetch", PT_FETCH_W);
        fputc('\n', out);
        fprintf(out, "  %-24s %5s %8s %10s %10s %9s %9s %8s %10s %6s %9s %6s %9s %8s  %s\n",
                "topic", "part", "requests", "records", "acked", "p50_ms", "p99_ms",
                "requests", "records", "data", "p50_ms", "empty", "p50_ms", "lag",
                "error codes");
        for (size_t i = 0; i < show; i++)
            partition_row(out, m[i]);
        if (show < n)
            fprintf(out, "  (%zu more topic-partitions: --top, or all of them in --json)\n",
                    n - show);
    }
    if (in->partitions->dropped)
        fprintf(out, "  %" PRIu64 " topic-partitions were not tracked (table full)\n",
                in->partitions->dropped);
    kt_partitions_merged_free(m, n);
}

static void throttle_table(FILE *out, kt_stats *s)
{
    size_t n = 0;
    kt_throttle_stats **t = kt_stats_throttled_sorted(s, &n);
    char client[160], broker[KT_ENDPOINT_STRLEN];

    if (!t || !n) {
        fprintf(out, "\nNo throttling.\n");
        free(t);
        return;
    }
    fprintf(out, "\nThrottling (per client id and broker, most throttle time first)\n");
    fprintf(out, "  %-28s %-28s %9s %9s %10s %8s\n", "client_id", "broker", "responses",
            "throttled", "total_ms", "max_ms");
    for (size_t i = 0; i < n; i++) {
        kt_label_client_id(client, sizeof client, t[i]->client_id);
        kt_endpoint_format(&t[i]->broker, broker, sizeof broker);
        fprintf(out, "  %-28s %-28s %9" PRIu64 " %9" PRIu64 " %10" PRIu64 " %8" PRIu64 "\n",
                client, broker, t[i]->responses, t[i]->throttled, t[i]->throttle_ms_total,
                t[i]->throttle_ms_max);
    }
    free(t);
}

static void findings_list(FILE *out, const kt_report_input *in)
{
    kt_finding *f = NULL;
    size_t n = kt_findings_compute(in->stats, in->partitions, in->totals, &f);
    if (!n) {
        fprintf(out, "\nNo findings.\n");
        free(f);
        return;
    }
    fprintf(out, "\nFindings (most severe first)\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-8s  %s\n", kt_severity_name(f[i].severity), f[i].summary);
    free(f);
}

void kt_report_text(FILE *out, const kt_report_input *in)
{
    const kt_capture_stats *c = in->capture;
    const kt_session_totals *t = in->totals;
    char a[32], b[32], label[160], nb[32];
    size_t n;

    fprintf(out, "kafkatap report%s: %s\n", in->final ? "" : " (so far)", in->source);
    if (c->packets) {
        utc(a, sizeof a, c->first_ts_us);
        utc(b, sizeof b, c->last_ts_us);
        fprintf(out, "  %" PRIu64 " packets, %" PRIu64 " bytes, %s to %s UTC (%.3f s)",
                c->packets, c->bytes, a, b, (double)(c->last_ts_us - c->first_ts_us) / 1e6);
    } else {
        fprintf(out, "  0 packets");
    }
    if (c->dropped || c->if_dropped)
        fprintf(out, ", %" PRIu64 " DROPPED by the capture", c->dropped + c->if_dropped);
    fputc('\n', out);
    fprintf(out, "  %" PRIu64 " Kafka connections (%" PRIu64 " picked up mid-stream), %" PRIu64
                 " requests: %" PRIu64 " answered, %" PRIu64 " unanswered, %" PRIu64
                 " acks=0; %" PRIu64 " orphan responses, %" PRIu64 " malformed frames\n",
            t->connections, t->midstream_connections, t->requests, t->matched, t->unanswered,
            t->no_response_expected, t->orphan_responses, t->malformed);
    if (t->missed_bytes)
        fprintf(out, "  %" PRIu64 " bytes of Kafka connections were never captured (holes)\n",
                t->missed_bytes);

    kt_api_stats **apis = kt_stats_apis_sorted(in->stats, &n);
    if (apis && n) {
        fprintf(out, "\nPer API (worst first; latency = request sent to first response byte)\n");
        header_row(out, "api", 28);
        for (size_t i = 0; i < n; i++) {
            char v[64];
            versions_label(v, sizeof v, apis[i]);
            snprintf(label, sizeof label, "%s %s", kt_api_name(apis[i]->api_key, nb, sizeof nb), v);
            agg_row(out, label, 28, &apis[i]->agg);
        }
    }
    free(apis);

    kt_broker_stats **brokers = kt_stats_brokers_sorted(in->stats, &n);
    if (brokers && n) {
        fprintf(out, "\nPer broker\n");
        header_row(out, "broker", 28);
        for (size_t i = 0; i < n; i++) {
            if (brokers[i]->is_other)
                snprintf(label, sizeof label, "(other)");
            else
                kt_endpoint_format(&brokers[i]->broker, label, sizeof label);
            agg_row(out, label, 28, &brokers[i]->agg);
        }
    }
    free(brokers);

    kt_client_stats **clients = kt_stats_clients_sorted(in->stats, &n);
    if (clients && n) {
        fprintf(out, "\nPer client id\n");
        header_row(out, "client_id", 28);
        for (size_t i = 0; i < n; i++) {
            /* odd bytes escaped the way JSON does */
            kt_label_client_id(label, sizeof label, clients[i]->client_id);
            agg_row(out, label, 28, &clients[i]->agg);
        }
    }
    free(clients);

    partition_table(out, in);
    throttle_table(out, in->stats);
    findings_list(out, in);

    kt_report_connections_text(out, in);

    int any = 0;
    for (int k = 0; k < KT_AN__COUNT; k++) {
        if (!kt_anomaly.count[k])
            continue;
        if (!any)
            fprintf(out, "\nAnomalies\n");
        any = 1;
        fprintf(out, "  %-28s %12" PRIu64 "  %s\n", kt_anomaly_name(k), kt_anomaly.count[k],
                kt_anomaly_help(k));
    }
    if (!any)
        fprintf(out, "\nNo anomalies.\n");
    fflush(out);
}
