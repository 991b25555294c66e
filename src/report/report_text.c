/* report_text.c - the report model as text: totals, then per API, per
 * broker and per client id, worst first; the top topic-partitions in the
 * order of --sort with their shares of the produced load, throttling per client id and broker, the findings, the connections
 * that lost bytes or were picked up mid-stream, then anomalies. */
#include <inttypes.h>
#include <string.h>
#include "dissectors/kafka_names.h"
#include "kafka/client_role.h"
#include "report/report.h"
#include "report/report_inputs.h"
#include "report/report_timeline_out.h"
#include "report/report_batching.h"
#include "report/report_txn.h"
#include "report/report_acks.h"
#include "report/report_split.h"
#include "report/report_tls.h"
#include "common/utc.h"

#define CONN_ROWS 10       /* connections shown (--json lists more) */

static void ms(char *buf, size_t len, uint64_t us)
{
    snprintf(buf, len, "%.3f", (double)us / 1000.0);
}

static void header_row(FILE *out, const char *first, int width)
{
    fprintf(out, "  %-*s %8s %8s %6s %6s %9s %9s %9s %9s  %s\n", width, first, "requests",
            "answered", "unans", "errors", "p50_ms", "p90_ms", "p99_ms", "max_ms",
            "error codes");
}

static void agg_row(FILE *out, const char *label, int width, const kt_report_agg *a)
{
    char p50[24], p90[24], p99[24], mx[24], eb[32];
    if (a->latency->count) {
        ms(p50, sizeof p50, kt_hist_percentile(a->latency, 50));
        ms(p90, sizeof p90, kt_hist_percentile(a->latency, 90));
        ms(p99, sizeof p99, kt_hist_percentile(a->latency, 99));
        ms(mx, sizeof mx, a->latency->max);
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

static void versions_label(char *buf, size_t len, const kt_report_api *a)
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

static void codes(FILE *out, const char **sep, const char *what, const kt_code_count *c, int n)
{
    char eb[32];
    if (!n)
        return;
    fprintf(out, "%s%s", *sep, what);
    for (int i = 0; i < n; i++)
        fprintf(out, " %s=%" PRIu64, kt_error_label(c[i].code, eb, sizeof eb), c[i].count);
    *sep = " ";
}

#define PT_PRODUCE_W 64   /* widths of the column groups below */
#define PT_FETCH_W 62

static void partition_row(FILE *out, const kt_report_partition *row)
{
    char topic[160], pp50[24], pp99[24], fd50[24], fe50[24], lag[24], rpb[24];
    const kt_partition_stats *e = row->stats;
    const kt_produce_agg *p = &e->produce;
    const kt_fetch_agg *f = &e->fetch;
    const char *sep = "  ";

    kt_topic_label_text(topic, sizeof topic, &row->topic);
    kt_ratio_text(rpb, sizeof rpb, p->records, p->batches);
    hist_ms(pp50, sizeof pp50, &p->latency, 50);
    hist_ms(pp99, sizeof pp99, &p->latency, 99);
    hist_ms(fd50, sizeof fd50, &f->latency_data, 50);
    hist_ms(fe50, sizeof fe50, &f->latency_empty, 50);
    if (f->lag >= 0)
        snprintf(lag, sizeof lag, "%" PRId64, f->lag);
    else
        snprintf(lag, sizeof lag, "-");
    fprintf(out, "  %-24s %5" PRId32 " %6.1f %6.1f %8" PRIu64 " %10" PRIu64 " %10" PRIu64
                 " %-6s %6s %9s %9s"
                 " %8" PRIu64 " %10" PRIu64 " %6" PRIu64 " %9s %6" PRIu64 " %9s %8s",
            topic, e->partition, row->records_share * 100, row->bytes_share * 100, p->requests,
            p->records, p->acked_records, kt_codec_label(p->codec_batches), rpb, pp50, pp99,
            f->requests, f->records, f->with_data, fd50, f->empty, fe50, lag);
    codes(out, &sep, "produce", p->errors, p->nerrors);
    codes(out, &sep, "fetch", f->errors, f->nerrors);
    fputc('\n', out);
}

/* The order of the table, as its title says it. */
static const char *sort_label(int sort)
{
    switch (sort) {
    case KT_SORT_BYTES: return "bytes produced, then fetched";
    case KT_SORT_TIME: return "broker time";
    case KT_SORT_ERRORS: return "partition error codes";
    case KT_SORT_LAG: return "consumer lag";
    default: return "records produced, then fetched";
    }
}

static void partition_table(FILE *out, const kt_report_model *m)
{
    size_t n = m->npartitions, show;

    if (n) {
        show = m->top_n > 0 && n > (size_t)m->top_n ? (size_t)m->top_n : n;
        fprintf(out, "\nPer topic-partition (top %zu of %zu by %s; rec%% and bytes%%: share of "
                     "the capture's produced records and bytes; fetches that returned data "
                     "apart from empty waits)\n", show, n, sort_label(m->sort));
        fprintf(out, "  %-24s %5s %6s %6s", "", "", "", "");
        group_label(out, "produce", PT_PRODUCE_W);
        group_label(out, "fetch", PT_FETCH_W);
        fputc('\n', out);
        fprintf(out, "  %-24s %5s %6s %6s %8s %10s %10s %-6s %6s %9s %9s %8s %10s %6s %9s %6s %9s %8s"
                     "  %s\n",
                "topic", "part", "rec%", "bytes%", "requests", "records", "acked", "codec", "rec/b",
                "p50_ms", "p99_ms",
                "requests", "records", "data", "p50_ms", "empty", "p50_ms", "lag",
                "error codes");
        for (size_t i = 0; i < show; i++)
            partition_row(out, &m->partitions[i]);
        if (show < n)
            fprintf(out, "  (%zu more topic-partitions: --top, or all of them in --json)\n",
                    n - show);
    }
    if (m->partitions_dropped)
        fprintf(out, "  %" PRIu64 " topic-partitions were not tracked (table full)\n",
                m->partitions_dropped);
}

/* The followers' Fetch, one row per follower, leader and partition. */
static void replication_table(FILE *out, const kt_report_model *m)
{
    size_t n = m->nreplicas, show;
    char who[200], topic[160], p50[24], hw[24], lag[24], lagmax[24];

    if (!n)
        return;
    show = m->top_n > 0 && n > (size_t)m->top_n ? (size_t)m->top_n : n;
    fprintf(out, "\nReplication (follower Fetch, top %zu of %zu by lag; lag = leader's high "
                 "watermark - follower's fetch offset, in records; behind_s: longest time "
                 "%d+ records behind; silent_s: longest gap between its fetches while the "
                 "leader was produced to; a follower's address is its broker id's in Metadata "
                 "responses when one was seen)\n", show, n, KT_REPLICA_BEHIND_RECORDS);
    fprintf(out, "  %-24s %-22s %-20s %5s %8s %9s %10s %9s %10s %8s %8s %8s %8s\n", "follower",
            "leader", "topic", "part", "fetches", "records", "bytes", "p50_ms", "hw", "lag",
            "lag_max", "behind_s", "silent_s");
    for (size_t i = 0; i < show; i++) {
        const kt_report_replica *r = &m->replicas[i];
        const kt_replica_stats *x = r->stats;
        snprintf(who, sizeof who, "%" PRId32 " (%s)", x->follower_id, r->name);
        kt_topic_label_text(topic, sizeof topic, &r->topic);
        hist_ms(p50, sizeof p50, &x->latency_data, 50);
        snprintf(hw, sizeof hw, x->high_watermark >= 0 ? "%" PRId64 : "-", x->high_watermark);
        snprintf(lag, sizeof lag, x->lag >= 0 ? "%" PRId64 : "-", x->lag);
        snprintf(lagmax, sizeof lagmax, x->lag_max >= 0 ? "%" PRId64 : "-", x->lag_max);
        fprintf(out, "  %-24s %-22s %-20s %5" PRId32 " %8" PRIu64 " %9" PRIu64 " %10" PRIu64
                     " %9s %10s %8s %8s %8.1f %8.1f\n",
                who, r->leader, topic, x->partition, x->fetches, x->records, x->bytes, p50, hw,
                lag, lagmax, (double)x->behind_max_us / 1e6, (double)x->silence_max_us / 1e6);
    }
    if (show < n)
        fprintf(out, "  (%zu more: --top, or all of them in --json)\n", n - show);
    if (m->replicas_dropped)
        fprintf(out, "  %" PRIu64 " follower fetch results were not tracked (table full)\n",
                m->replicas_dropped);
}

static void throttle_table(FILE *out, const kt_report_model *m)
{
    const kt_report_throttle *t = m->throttled;
    char client[160];

    if (!m->nthrottled) {
        fprintf(out, "\nNo throttling.\n");
        return;
    }
    fprintf(out, "\nThrottling (per client id and broker, most throttle time first)\n");
    fprintf(out, "  %-28s %-28s %9s %9s %10s %8s\n", "client_id", "broker", "responses",
            "throttled", "total_ms", "max_ms");
    for (size_t i = 0; i < m->nthrottled; i++) {
        kt_label_client_id(client, sizeof client, t[i].client_id);
        fprintf(out, "  %-28s %-28s %9" PRIu64 " %9" PRIu64 " %10" PRIu64 " %8" PRIu64 "\n",
                client, t[i].broker, t[i].responses, t[i].throttled, t[i].throttle_ms_total,
                t[i].throttle_ms_max);
    }
}

static void findings_list(FILE *out, const kt_report_model *m)
{
    if (!m->nfindings) {
        fprintf(out, "\nNo findings.\n");
        return;
    }
    fprintf(out, "\nFindings (most severe first)\n");
    for (size_t i = 0; i < m->nfindings; i++) {
        char since[64];
        kt_report_text_since(since, sizeof since, &m->timeline, i);
        fprintf(out, "  %-8s  %s%s\n", kt_severity_name(m->findings[i].severity),
                m->findings[i].summary, since);
    }
}

/* The connections that lost bytes or were picked up mid-stream. */
static void connections(FILE *out, const kt_report_model *m)
{
    size_t shown = 0, worth = 0;
    char cli[KT_ENDPOINT_STRLEN], brk[KT_ENDPOINT_STRLEN], id[25];

    for (size_t i = 0; i < m->nconns; i++)
        if (m->conns[i].missed_bytes || m->conns[i].midstream)
            worth++;
    if (!worth)
        return;
    fprintf(out, "\nConnections with bytes never captured or picked up mid-stream (%zu of %zu%s)\n",
            worth, m->nconns, m->conns_not_kept ? ", more not kept" : "");
    fprintf(out, "  %-28s %-28s %-24s %9s %12s %8s\n", "client", "broker", "client_id",
            "midstream", "missed_bytes", "requests");
    for (size_t i = 0; i < m->nconns && shown < CONN_ROWS; i++) {
        const kt_report_conn *c = &m->conns[i];
        if (!c->missed_bytes && !c->midstream)
            continue;
        shown++;
        fprintf(out, "  %-28s %-28s ", kt_endpoint_format(&c->client, cli, sizeof cli),
                kt_endpoint_format(&c->broker, brk, sizeof brk));
        kt_label_client_id(id, sizeof id, c->client_id);
        fprintf(out, "%-24s %9s %12" PRIu64 " %8" PRIu64 "\n", id, c->midstream ? "yes" : "no",
                c->missed_bytes, c->requests);
    }
    if (worth > shown)
        fprintf(out, "  ... %zu more (--json lists them)\n", worth - shown);
}

#define DELIVERY_CODES 3   /* error codes named per client (--json has all) */

/* Per client id: records produced, acknowledged, failed (top codes),
 * unanswered, fetched; worst first. */
static void delivery_table(FILE *out, const kt_report_model *m)
{
    char label[160], eb[32];
    if (!m->ndeliveries)
        return;
    fprintf(out, "\nPer client delivery (records; worst first; --json has each partition)\n");
    fprintf(out, "  %-28s %9s %9s %9s %7s %7s %9s  %s\n", "client_id", "produced", "acked",
            "failed", "unans", "acks=0", "fetched", "failed by error code");
    for (size_t i = 0; i < m->ndeliveries; i++) {
        const kt_report_delivery *r = &m->deliveries[i];
        const char *sep = "  ";
        kt_label_client_id(label, sizeof label, r->client_id);
        fprintf(out, "  %-28s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %7" PRIu64
                     " %9" PRIu64,
                label, r->d.records_sent, r->d.records_acked, r->d.records_failed,
                r->d.records_unanswered, r->d.records_acks0, r->d.records_fetched);
        for (int k = 0; k < r->d.nfailed && k < DELIVERY_CODES; k++, sep = " ")
            fprintf(out, "%s%s=%" PRIu64, sep, kt_error_label(r->d.failed[k].code, eb, sizeof eb),
                    r->d.failed[k].count);
        if (r->d.nfailed > DELIVERY_CODES)
            fprintf(out, " (+%d more)", r->d.nfailed - DELIVERY_CODES);
        fputc('\n', out);
    }
    if (m->delivery_other)
        fprintf(out, "  (%" PRIu64 " produced and %" PRIu64 " fetched records of partitions past"
                     " the client partition table are in the totals only)\n",
                m->delivery_other->d.records_sent, m->delivery_other->d.records_fetched);
}

void kt_report_text(FILE *out, const kt_report_model *m)
{
    const kt_capture_stats *c = &m->capture;
    const kt_report_totals *t = &m->totals;
    char a[32], b[32], label[160];

    fprintf(out, "kafkatap report%s: %s\n", m->final ? "" : " (so far)", m->source);
    if (m->not_merged)
        fprintf(out, "  not merged (see each host's own report): %s\n", m->not_merged);
    if (c->packets) {
        kt_utc_date_time(a, sizeof a, c->first_ts_us);
        kt_utc_date_time(b, sizeof b, c->last_ts_us);
        fprintf(out, "  %" PRIu64 " packets, %" PRIu64 " bytes, %s to %s UTC (%.3f s)",
                c->packets, c->bytes, a, b, (double)(c->last_ts_us - c->first_ts_us) / 1e6);
    } else {
        fprintf(out, "  0 packets");
    }
    if (c->dropped || c->if_dropped)
        fprintf(out, ", %" PRIu64 " DROPPED by the capture", c->dropped + c->if_dropped);
    fputc('\n', out);
    kt_report_inputs_text(out, m);
    fprintf(out, "  %" PRIu64 " Kafka connections (%" PRIu64 " picked up mid-stream), %" PRIu64
                 " requests: %" PRIu64 " answered, %" PRIu64 " unanswered, %" PRIu64
                 " acks=0; %" PRIu64 " orphan responses, %" PRIu64 " malformed frames\n",
            t->connections, t->midstream_connections, t->requests, t->matched, t->unanswered,
            t->no_response_expected, t->orphan_responses, t->malformed);
    kt_report_tls_text(out, m);
    if (t->missed_bytes)
        fprintf(out, "  %" PRIu64 " bytes of Kafka connections were never captured (holes)\n",
                t->missed_bytes);
    if (t->unknown_capture_loss || t->lost_request_responses)
        fprintf(out, "  capture loss: %" PRIu64 " requests whose response may be in a hole"
                     " (answered or not: unknown, not counted as unanswered), %" PRIu64
                     " responses to requests lost in a hole (not orphans)\n",
                t->unknown_capture_loss, t->lost_request_responses);

    if (m->napis) {
        fprintf(out, "\nPer API (worst first; latency = request sent to first response byte)\n");
        header_row(out, "api", 28);
        for (size_t i = 0; i < m->napis; i++) {
            char v[64];
            versions_label(v, sizeof v, &m->apis[i]);
            snprintf(label, sizeof label, "%s %s", m->apis[i].name, v);
            agg_row(out, label, 28, &m->apis[i].agg);
        }
    }

    if (m->nbrokers) {
        fprintf(out, "\nPer broker\n");
        header_row(out, "broker", 28);
        for (size_t i = 0; i < m->nbrokers; i++)
            agg_row(out, m->brokers[i].label, 28, &m->brokers[i].agg);
    }

    if (m->nclients) {
        fprintf(out, "\nPer client id\n");
        header_row(out, "client_id", 28);
        for (size_t i = 0; i < m->nclients; i++) {
            /* odd bytes escaped the way JSON does */
            kt_label_client_id(label, sizeof label, m->clients[i].client_id);
            if (m->clients[i].roles & KT_CROLE_BROKER) {   /* a broker's own client */
                size_t len = strlen(label);
                snprintf(label + len, sizeof label - len, " (%s)",
                         kt_client_role_name(m->clients[i].roles));
            }
            agg_row(out, label, 28, &m->clients[i].agg);
        }
    }
    kt_report_text_batching(out, m);

    kt_report_split_text(out, m);
    delivery_table(out, m);
    partition_table(out, m);
    replication_table(out, m);
    kt_report_text_acks(out, m);
    throttle_table(out, m);
    kt_report_text_txn(out, m);
    findings_list(out, m);
    kt_report_text_when(out, &m->timeline, m->findings, m->nfindings, m->ascii);
    connections(out, m);

    int any = 0;
    for (int k = 0; k < KT_AN__COUNT; k++) {
        if (!m->anomalies.count[k])
            continue;
        if (!any)
            fprintf(out, "\nAnomalies\n");
        any = 1;
        fprintf(out, "  %-28s %12" PRIu64 "  %s\n", kt_anomaly_name(k), m->anomalies.count[k],
                kt_anomaly_help(k));
    }
    if (!any)
        fprintf(out, "\nNo anomalies.\n");
    fflush(out);
}
