/* report_json.c - the report model as one JSON document (--json).  Keys
 * are documented in the man page; later additions only add keys. */
#include <math.h>
#include "common/json_writer.h"
#include "report/json_labels.h"
#include "dissectors/kafka_names.h"
#include "kafka/client_role.h"
#include "report/report.h"
#include "report/report_inputs.h"
#include "report/report_timeline_out.h"
#include "report/report_batching.h"
#include "report/report_txn.h"
#include "report/report_merge_json.h"
#include "report/report_partition_json.h"
#include "report/report_replication.h"
#include "report/report_tls.h"
#include "report/report_acks.h"

#define CONN_ROWS 1000     /* connections listed; the rest are counted */

static void agg_fields(kt_json *j, const kt_report_agg *a)
{
    kt_json_kv_uint(j, "requests", a->requests);
    kt_json_kv_uint(j, "matched", a->matched);
    kt_json_kv_uint(j, "unanswered", a->unanswered);
    kt_json_kv_uint(j, "no_response_expected", a->no_response);
    kt_json_kv_uint(j, "errored", a->errored);
    kt_report_latency_json(j, "latency_ms", "latency_hist", a->latency);
    if (a->split)
        kt_report_split_json(j, a->split);
    kt_report_codes_json(j, a->errors, a->nerrors);
    kt_json_kv_uint(j, "throttled", a->throttled);
    kt_json_kv_uint(j, "throttle_ms_total", a->throttle_ms_total);
    kt_json_kv_uint(j, "throttle_ms_max", a->throttle_ms_max);
}

/* A client's delivery counts (client_partition_stats.h). */
static void delivery_counts(kt_json *j, const kt_delivery *d)
{
    char eb[32];
    kt_json_kv_uint(j, "produce_requests", d->produce_requests);
    kt_json_kv_uint(j, "records_sent", d->records_sent);
    kt_json_kv_uint(j, "bytes_sent", d->bytes_sent);
    kt_json_kv_uint(j, "records_acked", d->records_acked);
    kt_json_kv_uint(j, "records_failed", d->records_failed);
    kt_json_key(j, "failed_by_error");
    kt_json_object_begin(j);
    for (int i = 0; i < d->nfailed; i++) {
        kt_json_key(j, kt_error_label(d->failed[i].code, eb, sizeof eb));
        kt_json_uint(j, d->failed[i].count);
    }
    kt_json_object_end(j);
    kt_json_kv_uint(j, "records_unanswered", d->records_unanswered);
    kt_json_kv_uint(j, "records_acks0", d->records_acks0);
    kt_json_kv_uint(j, "fetch_requests", d->fetch_requests);
    kt_json_kv_uint(j, "records_fetched", d->records_fetched);
    kt_json_kv_uint(j, "bytes_fetched", d->bytes_fetched);
}

static void delivery(kt_json *j, const kt_report_delivery *r)
{
    kt_topic_label t;
    kt_json_key(j, "delivery");
    kt_json_object_begin(j);
    delivery_counts(j, &r->d);
    kt_json_key(j, "partitions");
    kt_json_array_begin(j);
    for (size_t i = 0; i < r->nparts; i++) {
        kt_json_object_begin(j);
        kt_topic_label_of(&t, r->parts[i]->topic);
        kt_report_topic_json(j, &t);
        kt_json_key(j, "partition");
        kt_json_int(j, r->parts[i]->partition);
        delivery_counts(j, &r->parts[i]->d);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    kt_json_object_end(j);
}

/* Every topic-partition (not only the --top ones), in the order of --sort. */
static void partitions(kt_json *j, const kt_report_model *m)
{
    kt_json_key(j, "partitions_sort");
    kt_json_string(j, kt_partition_sort_name(m->sort));
    kt_json_key(j, "partitions");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->npartitions; i++) {
        kt_json_object_begin(j);
        kt_report_partition_json(j, &m->partitions[i]);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    kt_json_kv_uint(j, "partitions_dropped", m->partitions_dropped);
}

/* Every follower row (replication_stats.h), largest lag first. */
static void replication(kt_json *j, const kt_report_model *m)
{
    char buf[KT_ENDPOINT_STRLEN];
    kt_json_key(j, "replication");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->nreplicas; i++) {
        const kt_report_replica *r = &m->replicas[i];
        const kt_replica_stats *x = r->stats;
        kt_json_object_begin(j);
        kt_json_kv_uint(j, "follower_id", (uint64_t)x->follower_id);   /* >= 0 */
        kt_json_key(j, "follower");
        kt_json_string(j, r->follower);
        kt_json_key(j, "follower_broker");        /* from Metadata; null: not seen */
        if (r->follower_broker[0])
            kt_json_string(j, r->follower_broker);
        else
            kt_json_null(j);
        kt_json_key(j, "follower_client");        /* with its port: for merge */
        kt_json_string(j, kt_endpoint_format(&x->follower, buf, sizeof buf));
        kt_json_key(j, "leader");
        kt_json_string(j, r->leader);
        kt_report_topic_json(j, &r->topic);
        kt_report_opt_int(j, "partition", x->partition);
        kt_json_kv_uint(j, "fetches", x->fetches);
        kt_json_kv_uint(j, "answered", x->answered);
        kt_json_kv_uint(j, "unanswered", x->unanswered);
        kt_json_kv_uint(j, "records", x->records);
        kt_json_kv_uint(j, "bytes", x->bytes);
        kt_report_latency_json(j, "latency_ms", "latency_hist", &x->latency_data);
        kt_report_opt_int(j, "fetch_offset", x->fetch_offset);
        kt_report_opt_int(j, "high_watermark", x->high_watermark);
        kt_report_opt_int(j, "lag", x->lag);
        kt_report_opt_int(j, "lag_max", x->lag_max);
        kt_json_key(j, "behind_max_s");
        kt_json_fixed(j, (double)x->behind_max_us / 1e6, 3);
        kt_report_opt_int(j, "behind_lag", x->behind_lag);
        kt_json_key(j, "silence_max_s");
        kt_json_fixed(j, (double)x->silence_max_us / 1e6, 3);
        kt_json_kv_uint(j, "behind_max_us", x->behind_max_us);     /* exact, for merge */
        kt_json_kv_uint(j, "silence_max_us", x->silence_max_us);
        kt_json_key(j, "first_ts");
        kt_json_fixed(j, (double)x->first_ts_us / 1e6, 6);
        kt_json_key(j, "last_ts");
        kt_json_fixed(j, (double)x->last_ts_us / 1e6, 6);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    kt_json_kv_uint(j, "replication_dropped", m->replicas_dropped);
    /* the broker ids Metadata named, by id: what merge names followers by */
    kt_json_key(j, "metadata_brokers");
    kt_json_array_begin(j);
    for (int32_t id = -1;;) {
        const kt_node_stats *n = NULL;
        char name[KT_NODE_HOST_MAX * 4 + 16];
        for (size_t i = 0; m->nodes && i < m->nodes->n; i++) {
            const kt_node_stats *x = m->nodes->entries[i];
            if (x->node_id > id && (!n || x->node_id < n->node_id))
                n = x;
        }
        if (!n)
            break;
        id = n->node_id;
        kt_report_node_name(name, sizeof name, n);
        kt_json_object_begin(j);
        kt_json_key(j, "node_id");
        kt_json_int(j, n->node_id);
        kt_json_key(j, "broker");
        kt_json_string(j, name);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
}

static void throttle(kt_json *j, const kt_report_model *m)
{
    kt_json_key(j, "throttle");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->nthrottled; i++) {
        const kt_report_throttle *t = &m->throttled[i];
        kt_json_object_begin(j);
        kt_json_key(j, "client_id");
        kt_json_client_id(j, t->client_id);
        kt_json_key(j, "broker");
        kt_json_string(j, t->broker);
        kt_json_kv_uint(j, "responses", t->responses);
        kt_json_kv_uint(j, "throttled", t->throttled);
        kt_json_kv_uint(j, "throttle_ms_total", t->throttle_ms_total);
        kt_json_kv_uint(j, "throttle_ms_max", t->throttle_ms_max);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
}

static void findings(kt_json *j, const kt_report_model *m)
{
    const kt_finding *f = m->findings;
    size_t n = m->nfindings;

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
        kt_report_json_when(j, &m->timeline, i);
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
}

/* The first CONN_ROWS connections, worst first. */
static void connections(kt_json *j, const kt_report_model *m)
{
    char buf[KT_ENDPOINT_STRLEN];
    size_t n = m->nconns < CONN_ROWS ? m->nconns : CONN_ROWS;

    kt_json_kv_uint(j, "connections_not_listed", (uint64_t)(m->nconns - n) + m->conns_not_kept);
    kt_json_key(j, "connections");
    kt_json_array_begin(j);
    for (size_t i = 0; i < n; i++) {
        const kt_report_conn *c = &m->conns[i];
        kt_json_object_begin(j);
        kt_json_key(j, "client");
        kt_json_string(j, kt_endpoint_format(&c->client, buf, sizeof buf));
        kt_json_key(j, "broker");
        kt_json_string(j, kt_endpoint_format(&c->broker, buf, sizeof buf));
        kt_json_key(j, "client_id");
        kt_json_client_id(j, c->client_id);
        kt_json_key(j, "role");
        kt_json_string(j, kt_client_role_name(c->roles));
        kt_json_kv_bool(j, "midstream", c->midstream);
        kt_json_kv_bool(j, "open", c->open);
        kt_json_kv_uint(j, "missed_bytes", c->missed_bytes);
        kt_json_kv_uint(j, "requests", c->requests);
        kt_json_key(j, "first_ts");
        kt_json_fixed(j, (double)c->first_ts_us / 1e6, 6);
        kt_json_key(j, "last_ts");
        kt_json_fixed(j, (double)c->last_ts_us / 1e6, 6);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
}

/* Each memory account: bytes in use and at peak against its cap (0: none),
 * and the reservations it refused, as Suricata reports memuse/memcap. */
static void memory(kt_json *j, const kt_report_model *m)
{
    kt_json_key(j, "memory");
    kt_json_object_begin(j);
    for (size_t i = 0; i < m->nmemory; i++) {
        const kt_memcap *c = &m->memory[i];
        kt_json_key(j, c->name);
        kt_json_object_begin(j);
        kt_json_key(j, "used_bytes");
        kt_json_uint(j, c->used);
        kt_json_key(j, "peak_bytes");
        kt_json_uint(j, c->peak);
        kt_json_key(j, "cap_bytes");
        kt_json_uint(j, c->cap);
        kt_json_key(j, "refused");
        kt_json_uint(j, c->refused);
        kt_json_object_end(j);
    }
    kt_json_object_end(j);
}

void kt_report_json(FILE *out, const kt_report_model *m)
{
    const kt_capture_stats *c = &m->capture;
    const kt_report_totals *t = &m->totals;
    kt_json j;

    kt_json_init(&j, out, 1);
    kt_json_object_begin(&j);
    kt_json_key(&j, "source");
    kt_json_string(&j, m->source);
    if (m->not_merged) {
        kt_json_key(&j, "not_merged");
        kt_json_string(&j, m->not_merged);
    }
    kt_json_key(&j, "final");
    kt_json_bool(&j, m->final);

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
    kt_report_inputs_json(&j, m);

    kt_json_key(&j, "totals");
    kt_json_object_begin(&j);
    kt_json_kv_uint(&j, "requests", t->requests);
    kt_json_kv_uint(&j, "matched", t->matched);
    kt_json_kv_uint(&j, "unanswered", t->unanswered);
    kt_json_kv_uint(&j, "no_response_expected", t->no_response_expected);
    kt_json_kv_uint(&j, "unknown_capture_loss", t->unknown_capture_loss);
    kt_json_kv_uint(&j, "orphan_responses", t->orphan_responses);
    kt_json_kv_uint(&j, "lost_request_responses", t->lost_request_responses);
    kt_json_kv_uint(&j, "malformed", t->malformed);
    kt_json_kv_uint(&j, "connections", t->connections);
    kt_json_kv_uint(&j, "midstream_connections", t->midstream_connections);
    kt_json_kv_uint(&j, "missed_bytes", t->missed_bytes);
    kt_json_kv_uint(&j, "ignored_connections", t->ignored_connections);
    kt_json_kv_uint(&j, "tls_connections", t->tls_connections);
    kt_json_kv_uint(&j, "tls_bytes", t->tls_bytes);
    kt_json_object_end(&j);

    kt_json_key(&j, "apis");
    kt_json_array_begin(&j);
    for (size_t i = 0; i < m->napis; i++) {
        const kt_report_api *a = &m->apis[i];
        kt_json_object_begin(&j);
        kt_json_key(&j, "api");
        kt_json_string(&j, a->name);
        kt_json_key(&j, "api_key");
        kt_json_int(&j, a->api_key);
        kt_json_kv_bool(&j, "follower", a->follower);
        kt_json_key(&j, "versions");
        kt_json_array_begin(&j);
        for (int v = 0; v < 128; v++)
            if (a->versions[v / 64] & (1ull << (v % 64)))
                kt_json_int(&j, v);
        kt_json_array_end(&j);
        agg_fields(&j, &a->agg);
        kt_json_object_end(&j);
    }
    kt_json_array_end(&j);

    kt_json_key(&j, "brokers");
    kt_json_array_begin(&j);
    for (size_t i = 0; i < m->nbrokers; i++) {
        kt_json_object_begin(&j);
        kt_json_key(&j, "broker");
        kt_json_string(&j, m->brokers[i].label);
        agg_fields(&j, &m->brokers[i].agg);
        kt_json_key(&j, "produce");
        kt_json_object_begin(&j);
        agg_fields(&j, &m->brokers[i].produce);
        kt_json_object_end(&j);
        kt_report_latency_json(&j, "fetch_data_latency_ms", NULL, m->brokers[i].fetch_data);
        kt_json_object_end(&j);
    }
    kt_json_array_end(&j);

    kt_json_key(&j, "clients");
    kt_json_array_begin(&j);
    for (size_t i = 0; i < m->nclients; i++) {
        kt_json_object_begin(&j);
        kt_json_key(&j, "client_id");
        kt_json_client_id(&j, m->clients[i].client_id);
        kt_json_key(&j, "role");
        kt_json_string(&j, kt_client_role_name(m->clients[i].roles));
        agg_fields(&j, &m->clients[i].agg);
        kt_json_key(&j, "produce");
        kt_json_object_begin(&j);
        agg_fields(&j, &m->clients[i].produce);
        kt_json_object_end(&j);
        kt_report_latency_json(&j, "fetch_data_latency_ms", NULL, m->clients[i].fetch_data);
        if (m->clients[i].delivery)
            delivery(&j, m->clients[i].delivery);
        kt_report_json_client_batching(&j, m->clients[i].batching);
        kt_json_object_end(&j);
    }
    kt_json_array_end(&j);
    if (m->delivery_other) {
        /* partitions past the client partition table's limit, all clients */
        kt_json_key(&j, "client_partitions_other");
        kt_json_object_begin(&j);
        delivery_counts(&j, &m->delivery_other->d);
        kt_json_object_end(&j);
    }

    partitions(&j, m);
    replication(&j, m);
    kt_report_json_acks(&j, m);
    throttle(&j, m);
    kt_report_json_txn(&j, m);
    findings(&j, m);
    connections(&j, m);
    kt_report_json_timeline(&j, &m->timeline);
    kt_report_conn_stats_json(&j, m);
    kt_report_tls_json(&j, m);

    memory(&j, m);

    kt_json_key(&j, "anomalies");
    kt_json_object_begin(&j);
    for (int k = 0; k < KT_AN__COUNT; k++) {
        if (!m->anomalies.count[k])
            continue;
        kt_json_key(&j, kt_anomaly_name(k));
        kt_json_uint(&j, m->anomalies.count[k]);
    }
    kt_json_object_end(&j);

    kt_json_object_end(&j);
    kt_json_finish(&j);
}
