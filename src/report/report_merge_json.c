/* report_merge_json.c - histograms and per-connection statistics in the
 * JSON report, what kafkatap merge reads back (report_merge_json.h). */
#include "report/json_labels.h"
#include "report/report_merge_json.h"
#include "report/report_partition_json.h"
#include "stats/conn_stats.h"

static void codes(kt_json *j, const kt_code_count *c, int n)
{
    kt_json_key(j, "error_codes");
    kt_json_array_begin_compact(j);
    for (int i = 0; i < n; i++) {
        kt_json_array_begin(j);
        kt_json_int(j, c[i].code);
        kt_json_uint(j, c[i].count);
        kt_json_array_end(j);
    }
    kt_json_array_end(j);
}

static void conn_api(kt_json *j, const kt_conn_api *a)
{
    kt_json_object_begin(j);
    kt_json_key(j, "api_key");
    kt_json_int(j, a->api_key);
    if (a->follower)
        kt_json_kv_bool(j, "follower", 1);
    kt_json_key(j, "client_id");
    if (a->client_id)
        kt_json_client_id(j, a->client_id);
    else
        kt_json_null(j);
    kt_json_kv_bool(j, "has_client_id", a->client_id != NULL);
    kt_json_kv_uint(j, "requests", a->agg.requests);
    kt_json_kv_uint(j, "matched", a->agg.matched);
    kt_json_kv_uint(j, "unanswered", a->agg.unanswered);
    kt_json_kv_uint(j, "no_response_expected", a->agg.no_response);
    kt_json_kv_uint(j, "errored", a->agg.errored);
    kt_json_kv_uint(j, "throttle_responses", a->throttle_responses);
    kt_json_kv_uint(j, "throttled", a->agg.throttled);
    kt_json_kv_uint(j, "throttle_ms_total", a->agg.throttle_ms_total);
    kt_json_kv_uint(j, "throttle_ms_max", a->agg.throttle_ms_max);
    codes(j, a->agg.errors, a->agg.nerrors);
    kt_report_hist_json(j, "latency_hist", &a->agg.latency);
    kt_report_split_json(j, &a->agg.split);
    kt_json_object_end(j);
}

/* Its partitions, merged by canonical topic as the report's are. */
static void conn_parts(kt_json *j, const kt_conn_stats_entry *e)
{
    size_t n = 0;
    kt_partition_stats **merged = e->parts ? kt_partitions_merged(e->parts, &n) : NULL;

    kt_json_kv_bool(j, "partitions_complete", !e->parts_incomplete && (merged || !e->parts));
    kt_json_key(j, "partitions");
    kt_json_array_begin(j);
    for (size_t i = 0; merged && i < n; i++) {
        kt_json_object_begin(j);
        kt_report_partition_stats_json(j, merged[i]);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    kt_partitions_merged_free(merged, n);
}

void kt_report_conn_stats_json(kt_json *j, const kt_report_model *m)
{
    const kt_conn_stats *cs = m->conn_stats;
    char buf[KT_ENDPOINT_STRLEN];

    if (!cs)
        return;
    kt_json_kv_uint(j, "connection_stats_not_tracked", cs->not_tracked);
    kt_json_key(j, "connection_stats");
    kt_json_array_begin(j);
    for (size_t i = 0; i < cs->table.n; i++) {
        const kt_conn_stats_entry *e = cs->table.entries[i];
        kt_json_object_begin(j);
        kt_json_key(j, "client");
        kt_json_string(j, kt_endpoint_format(&e->client, buf, sizeof buf));
        kt_json_key(j, "broker");
        kt_json_string(j, kt_endpoint_format(&e->broker, buf, sizeof buf));
        kt_json_key(j, "apis");
        kt_json_array_begin(j);
        for (size_t k = 0; k < e->napis; k++)
            conn_api(j, &e->apis[k]);
        kt_json_array_end(j);
        conn_parts(j, e);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
}
