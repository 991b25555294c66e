/* report_json.c - the report as one JSON document (--json).  Keys are
 * documented in the man page; later additions only add keys. */
#include <math.h>
#include <stdlib.h>
#include "common/anomaly.h"
#include "findings/findings.h"
#include "common/json_writer.h"
#include "report/names.h"
#include "report/report.h"
#include "report/report_labels.h"

/* key: {p50, p90, p99, max} in ms, each null when h is empty. */
static void latency_of(kt_json *j, const char *key, const kt_histogram *h)
{
    kt_json_key(j, key);
    kt_json_object_begin(j);
    static const struct { const char *k; double p; } pc[] = {
        { "p50", 50 }, { "p90", 90 }, { "p99", 99 } };
    for (size_t i = 0; i < sizeof pc / sizeof pc[0]; i++) {
        kt_json_key(j, pc[i].k);
        if (h->count)
            kt_json_fixed(j, (double)kt_hist_percentile(h, pc[i].p) / 1000.0, 3);
        else
            kt_json_null(j);
    }
    kt_json_key(j, "max");
    if (h->count)
        kt_json_fixed(j, (double)h->max / 1000.0, 3);
    else
        kt_json_null(j);
    kt_json_object_end(j);
}

static void latency(kt_json *j, const kt_agg *a)
{
    latency_of(j, "latency_ms", &a->latency);
}

/* An int64 that is -1 when unknown: null then. */
static void opt_int(kt_json *j, const char *k, int64_t v)
{
    kt_json_key(j, k);
    if (v < 0)
        kt_json_null(j);
    else
        kt_json_int(j, v);
}

static void ms_total(kt_json *j, const char *k, uint64_t us)
{
    kt_json_key(j, k);
    kt_json_fixed(j, (double)us / 1000.0, 3);
}

static void codes(kt_json *j, kt_code_count *c, int n)
{
    char eb[32];
    kt_json_key(j, "errors");
    kt_json_object_begin(j);
    kt_code_counts_sort(c, n);
    for (int i = 0; i < n; i++) {
        kt_json_key(j, kt_error_label(c[i].code, eb, sizeof eb));
        kt_json_uint(j, c[i].count);
    }
    kt_json_object_end(j);
}

static void agg_fields(kt_json *j, kt_agg *a)
{
    kt_json_kv_uint(j, "requests", a->requests);
    kt_json_kv_uint(j, "matched", a->matched);
    kt_json_kv_uint(j, "unanswered", a->unanswered);
    kt_json_kv_uint(j, "no_response_expected", a->no_response);
    kt_json_kv_uint(j, "errored", a->errored);
    latency(j, a);
    codes(j, a->errors, a->nerrors);
    kt_json_kv_uint(j, "throttled", a->throttled);
    kt_json_kv_uint(j, "throttle_ms_total", a->throttle_ms_total);
    kt_json_kv_uint(j, "throttle_ms_max", a->throttle_ms_max);
}

static void produce_fields(kt_json *j, kt_produce_agg *p)
{
    kt_json_key(j, "produce");
    kt_json_object_begin(j);
    kt_json_kv_uint(j, "requests", p->requests);
    kt_json_kv_uint(j, "records", p->records);
    kt_json_kv_uint(j, "bytes", p->bytes);
    kt_json_kv_uint(j, "acked_records", p->acked_records);
    kt_json_kv_uint(j, "unanswered", p->unanswered);
    kt_json_key(j, "acks");
    kt_json_object_begin(j);
    kt_json_kv_uint(j, "-1", p->acks[0]);
    kt_json_kv_uint(j, "0", p->acks[1]);
    kt_json_kv_uint(j, "1", p->acks[2]);
    kt_json_object_end(j);
    opt_int(j, "timeout_ms_max", p->timeout_ms_max);
    ms_total(j, "broker_time_ms", p->latency_total_us);
    latency_of(j, "latency_ms", &p->latency);
    codes(j, p->errors, p->nerrors);
    kt_json_object_end(j);
}

static void fetch_fields(kt_json *j, kt_fetch_agg *f)
{
    kt_json_key(j, "fetch");
    kt_json_object_begin(j);
    kt_json_kv_uint(j, "requests", f->requests);
    kt_json_kv_uint(j, "records", f->records);
    kt_json_kv_uint(j, "bytes", f->bytes);
    kt_json_kv_uint(j, "with_data", f->with_data);
    kt_json_kv_uint(j, "empty", f->empty);
    kt_json_kv_uint(j, "unanswered", f->unanswered);
    ms_total(j, "broker_time_ms", f->latency_total_us);
    latency_of(j, "latency_ms", &f->latency_data);
    latency_of(j, "empty_latency_ms", &f->latency_empty);
    opt_int(j, "high_watermark", f->high_watermark);
    opt_int(j, "fetch_offset", f->fetch_offset);
    opt_int(j, "lag", f->lag);
    opt_int(j, "lag_max", f->lag_max);
    codes(j, f->errors, f->nerrors);
    kt_json_object_end(j);
}

/* Every topic-partition (not only the --top ones), most broker time first. */
static void partitions(kt_json *j, const kt_partitions *parts)
{
    size_t n = 0;
    kt_partition_stats **m = parts ? kt_partitions_merged(parts, &n) : NULL;
    char id[23];

    kt_json_key(j, "partitions");
    kt_json_array_begin(j);
    for (size_t i = 0; m && i < n; i++) {
        const kt_topic *t = m[i]->topic;
        const kt_istr *name = t ? kt_topic_name(t) : NULL;
        int has_id = kt_label_topic_id(t, id);
        kt_json_object_begin(j);
        kt_json_key(j, "topic");
        if (t && t->is_overflow)
            kt_json_string(j, "(other topics)");
        else if (name)
            kt_json_string_n(j, (const uint8_t *)name->s, name->len);
        else if (has_id)
            kt_json_string(j, id);
        else
            kt_json_null(j);
        kt_json_key(j, "topic_id");
        if (has_id)
            kt_json_string(j, id);
        else
            kt_json_null(j);
        kt_json_key(j, "topic_resolved");
        kt_json_bool(j, name != NULL && !(t && t->is_overflow));
        kt_json_key(j, "partition");
        kt_json_int(j, m[i]->partition);
        produce_fields(j, &m[i]->produce);
        fetch_fields(j, &m[i]->fetch);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    kt_partitions_merged_free(m, n);
    kt_json_kv_uint(j, "partitions_dropped", parts ? parts->dropped : 0);
}

static void throttle(kt_json *j, kt_stats *s)
{
    size_t n = 0;
    kt_throttle_stats **t = kt_stats_throttled_sorted(s, &n);
    char buf[KT_ENDPOINT_STRLEN];

    kt_json_key(j, "throttle");
    kt_json_array_begin(j);
    for (size_t i = 0; t && i < n; i++) {
        const kt_istr *id = t[i]->client_id;
        kt_json_object_begin(j);
        kt_json_key(j, "client_id");
        kt_json_client_id(j, id);
        kt_json_key(j, "broker");
        kt_json_string(j, kt_endpoint_format(&t[i]->broker, buf, sizeof buf));
        kt_json_kv_uint(j, "responses", t[i]->responses);
        kt_json_kv_uint(j, "throttled", t[i]->throttled);
        kt_json_kv_uint(j, "throttle_ms_total", t[i]->throttle_ms_total);
        kt_json_kv_uint(j, "throttle_ms_max", t[i]->throttle_ms_max);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    free(t);
}

static void findings(kt_json *j, const kt_report_input *in)
{
    kt_finding *f = NULL;
    size_t n = kt_findings_compute(in->stats, in->partitions, in->totals, &f);

    kt_json_key(j, "findings");
    kt_json_array_begin(j);
    for (size_t i = 0; i < n; i++) {
        kt_json_object_begin(j);
        kt_json_key(j, "kind");
        kt_json_string(j, f[i].kind);
        kt_json_key(j, "severity");
        kt_json_string(j, kt_severity_name(f[i].severity));
        kt_json_key(j, "subject");
        kt_json_string(j, f[i].subject);
        kt_json_key(j, "summary");
        kt_json_string(j, f[i].summary);
        kt_json_key(j, "metrics");
        kt_json_object_begin(j);
        for (int k = 0; k < f[i].nmetrics; k++) {
            double v = f[i].metric[k].value;
            kt_json_key(j, f[i].metric[k].key);
            if (!isfinite(v))
                kt_json_null(j);
            else if (v == floor(v) && fabs(v) < 9007199254740992.0)
                kt_json_int(j, (int64_t)v);
            else
                kt_json_fixed(j, v, 4);
        }
        kt_json_object_end(j);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    free(f);
}

void kt_report_json(FILE *out, const kt_report_input *in)
{
    const kt_capture_stats *c = in->capture;
    const kt_session_totals *t = in->totals;
    char buf[KT_ENDPOINT_STRLEN], nb[32];
    size_t n;
    kt_json j;

    kt_json_init(&j, out, 1);
    kt_json_object_begin(&j);
    kt_json_key(&j, "source");
    kt_json_string(&j, in->source);
    kt_json_key(&j, "final");
    kt_json_bool(&j, in->final);

    kt_json_key(&j, "capture");
    kt_json_object_begin(&j);
    kt_json_kv_uint(&j, "packets", c->packets);
    kt_json_kv_uint(&j, "bytes", c->bytes);
    kt_json_key(&j, "first_ts");
    if (c->packets)
        kt_json_fixed(&j, (double)c->first_ts_us / 1e6, 6);
    else
        kt_json_null(&j);
    kt_json_key(&j, "last_ts");
    if (c->packets)
        kt_json_fixed(&j, (double)c->last_ts_us / 1e6, 6);
    else
        kt_json_null(&j);
    kt_json_kv_uint(&j, "dropped", c->dropped);
    kt_json_kv_uint(&j, "if_dropped", c->if_dropped);
    kt_json_kv_uint(&j, "tcp_segments", c->tcp_segments);
    kt_json_object_end(&j);

    kt_json_key(&j, "totals");
    kt_json_object_begin(&j);
    kt_json_kv_uint(&j, "requests", t->requests);
    kt_json_kv_uint(&j, "matched", t->matched);
    kt_json_kv_uint(&j, "unanswered", t->unanswered);
    kt_json_kv_uint(&j, "no_response_expected", t->no_response_expected);
    kt_json_kv_uint(&j, "orphan_responses", t->orphan_responses);
    kt_json_kv_uint(&j, "malformed", t->malformed);
    kt_json_kv_uint(&j, "connections", t->connections);
    kt_json_kv_uint(&j, "midstream_connections", t->midstream_connections);
    kt_json_kv_uint(&j, "missed_bytes", t->missed_bytes);
    kt_json_kv_uint(&j, "ignored_connections", t->ignored_connections);
    kt_json_object_end(&j);

    kt_json_key(&j, "apis");
    kt_json_array_begin(&j);
    kt_api_stats **apis = kt_stats_apis_sorted(in->stats, &n);
    for (size_t i = 0; apis && i < n; i++) {
        kt_json_object_begin(&j);
        kt_json_key(&j, "api");
        kt_json_string(&j, kt_api_name(apis[i]->api_key, nb, sizeof nb));
        kt_json_key(&j, "api_key");
        kt_json_int(&j, apis[i]->api_key);
        kt_json_key(&j, "versions");
        kt_json_array_begin(&j);
        for (int v = 0; v < 128; v++)
            if (apis[i]->versions[v / 64] & (1ull << (v % 64)))
                kt_json_int(&j, v);
        kt_json_array_end(&j);
        agg_fields(&j, &apis[i]->agg);
        kt_json_object_end(&j);
    }
    free(apis);
    kt_json_array_end(&j);

    kt_json_key(&j, "brokers");
    kt_json_array_begin(&j);
    kt_broker_stats **brokers = kt_stats_brokers_sorted(in->stats, &n);
    for (size_t i = 0; brokers && i < n; i++) {
        kt_json_object_begin(&j);
        kt_json_key(&j, "broker");
        kt_json_string(&j, brokers[i]->is_other ? "(other)"
                                                : kt_endpoint_format(&brokers[i]->broker, buf, sizeof buf));
        agg_fields(&j, &brokers[i]->agg);
        kt_json_object_end(&j);
    }
    free(brokers);
    kt_json_array_end(&j);

    kt_json_key(&j, "clients");
    kt_json_array_begin(&j);
    kt_client_stats **clients = kt_stats_clients_sorted(in->stats, &n);
    for (size_t i = 0; clients && i < n; i++) {
        const kt_istr *id = clients[i]->client_id;
        kt_json_object_begin(&j);
        kt_json_key(&j, "client_id");
        kt_json_client_id(&j, id);
        agg_fields(&j, &clients[i]->agg);
        kt_json_object_end(&j);
    }
    free(clients);
    kt_json_array_end(&j);

    partitions(&j, in->partitions);
    throttle(&j, in->stats);
    findings(&j, in);

    kt_report_connections_json(&j, in);

    kt_json_key(&j, "anomalies");
    kt_json_object_begin(&j);
    for (int k = 0; k < KT_AN__COUNT; k++) {
        if (!kt_anomaly.count[k])
            continue;
        kt_json_key(&j, kt_anomaly_name(k));
        kt_json_uint(&j, kt_anomaly.count[k]);
    }
    kt_json_object_end(&j);

    kt_json_object_end(&j);
    kt_json_finish(&j);
}
