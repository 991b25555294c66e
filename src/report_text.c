/* report_text.c - the report as text: totals, then per API, per broker and
 * per client id, worst first, then anomalies. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "anomaly.h"
#include "json_writer.h"
#include "names.h"
#include "report.h"

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
            const kt_istr *id = clients[i]->client_id;
            char *p;
            size_t sz;
            FILE *m;
            if (id->is_null) {
                agg_row(out, "(null)", 28, &clients[i]->agg);
                continue;
            }
            /* escape odd bytes the way JSON does */
            m = open_memstream(&p, &sz);
            if (!m)
                continue;
            kt_json_escape(m, (const uint8_t *)id->s, id->len);
            fclose(m);
            agg_row(out, sz ? p : "\"\"", 28, &clients[i]->agg);
            free(p);
        }
    }
    free(clients);

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
