/* report_json.c - the report as one JSON document (--json).  Keys are
 * documented in the man page; later additions only add keys. */
#include <stdlib.h>
#include "anomaly.h"
#include "json_writer.h"
#include "names.h"
#include "report.h"

static void latency(kt_json *j, const kt_agg *a)
{
    kt_json_key(j, "latency_ms");
    kt_json_object_begin(j);
    static const struct { const char *k; double p; } pc[] = {
        { "p50", 50 }, { "p90", 90 }, { "p99", 99 } };
    for (size_t i = 0; i < sizeof pc / sizeof pc[0]; i++) {
        kt_json_key(j, pc[i].k);
        if (a->latency.count)
            kt_json_fixed(j, (double)kt_hist_percentile(&a->latency, pc[i].p) / 1000.0, 3);
        else
            kt_json_null(j);
    }
    kt_json_key(j, "max");
    if (a->latency.count)
        kt_json_fixed(j, (double)a->latency.max / 1000.0, 3);
    else
        kt_json_null(j);
    kt_json_object_end(j);
}

static void agg_fields(kt_json *j, kt_agg *a)
{
    char eb[32];
    kt_json_key(j, "requests");
    kt_json_uint(j, a->requests);
    kt_json_key(j, "matched");
    kt_json_uint(j, a->matched);
    kt_json_key(j, "unanswered");
    kt_json_uint(j, a->unanswered);
    kt_json_key(j, "no_response_expected");
    kt_json_uint(j, a->no_response);
    kt_json_key(j, "errored");
    kt_json_uint(j, a->errored);
    latency(j, a);
    kt_json_key(j, "errors");
    kt_json_object_begin(j);
    kt_agg_sort_errors(a);
    for (int i = 0; i < a->nerrors; i++) {
        kt_json_key(j, kt_error_label(a->errors[i].code, eb, sizeof eb));
        kt_json_uint(j, a->errors[i].count);
    }
    kt_json_object_end(j);
    kt_json_key(j, "throttled");
    kt_json_uint(j, a->throttled);
    kt_json_key(j, "throttle_ms_total");
    kt_json_uint(j, a->throttle_ms_total);
    kt_json_key(j, "throttle_ms_max");
    kt_json_uint(j, a->throttle_ms_max);
}

static void u(kt_json *j, const char *k, uint64_t v)
{
    kt_json_key(j, k);
    kt_json_uint(j, v);
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
    u(&j, "packets", c->packets);
    u(&j, "bytes", c->bytes);
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
    u(&j, "dropped", c->dropped);
    u(&j, "if_dropped", c->if_dropped);
    u(&j, "tcp_segments", c->tcp_segments);
    kt_json_object_end(&j);

    kt_json_key(&j, "totals");
    kt_json_object_begin(&j);
    u(&j, "requests", t->requests);
    u(&j, "matched", t->matched);
    u(&j, "unanswered", t->unanswered);
    u(&j, "no_response_expected", t->no_response_expected);
    u(&j, "orphan_responses", t->orphan_responses);
    u(&j, "malformed", t->malformed);
    u(&j, "connections", t->connections);
    u(&j, "midstream_connections", t->midstream_connections);
    u(&j, "missed_bytes", t->missed_bytes);
    u(&j, "ignored_connections", t->ignored_connections);
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
        if (id->is_null)
            kt_json_null(&j);
        else
            kt_json_string_n(&j, (const uint8_t *)id->s, id->len);
        agg_fields(&j, &clients[i]->agg);
        kt_json_object_end(&j);
    }
    free(clients);
    kt_json_array_end(&j);

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
