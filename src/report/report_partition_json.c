/* report_partition_json.c - the JSON of latency figures, error codes and
 * one topic-partition's statistics, shared by the report's partition table
 * and the per-connection statistics (report_partition_json.h). */
#include "dissectors/kafka_names.h"
#include "report/report_batching.h"
#include "report/report_partition_json.h"

void kt_report_hist_json(kt_json *j, const char *key, const kt_histogram *h)
{
    kt_json_key(j, key);
    kt_json_object_begin(j);
    kt_json_key(j, "scheme");
    kt_json_string(j, KT_HIST_SCHEME);
    kt_json_key(j, "unit");
    kt_json_string(j, "us");
    kt_json_key(j, "sub_bits");
    kt_json_int(j, KT_HIST_SUB_BITS);
    kt_json_kv_uint(j, "count", h->count);
    kt_json_kv_uint(j, "sum_us", h->sum);
    kt_json_kv_uint(j, "min_us", h->min);
    kt_json_kv_uint(j, "max_us", h->max);
    kt_json_key(j, "buckets");
    kt_json_array_begin_compact(j);
    for (unsigned i = 0; h->count && i < KT_HIST_BUCKETS; i++) {
        uint64_t n = kt_hist_bucket(h, i);
        if (!n)
            continue;
        kt_json_array_begin(j);
        kt_json_uint(j, i);
        kt_json_uint(j, n);
        kt_json_array_end(j);
    }
    kt_json_array_end(j);
    kt_json_object_end(j);
}

/* key: {p50, p90, p99, max} in ms, each null when h is empty; then
 * hist_key: its buckets (report_merge_json.h). */
void kt_report_latency_json(kt_json *j, const char *key, const char *hist_key,
                            const kt_histogram *h)
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
    if (hist_key)
        kt_report_hist_json(j, hist_key, h);
}

void kt_report_opt_int(kt_json *j, const char *k, int64_t v)
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

void kt_report_split_json(kt_json *j, const kt_split *s)
{
    kt_report_latency_json(j, "queue_wait_ms", NULL, &s->queue);
    kt_report_latency_json(j, "service_ms", NULL, &s->service);
    kt_json_kv_uint(j, "split_unknown", s->unknown);
    kt_json_kv_uint(j, "pipelined_requests", s->pipelined);
    kt_json_kv_uint(j, "pipelined_connections", s->pipelined_conns);
    kt_json_key(j, "mean_inflight");
    kt_json_fixed(j, kt_split_mean_depth(s), 2);
    /* what adds up (kafkatap merge): the histograms and the depth sums */
    kt_report_hist_json(j, "queue_wait_hist", &s->queue);
    kt_report_hist_json(j, "service_hist", &s->service);
    kt_json_kv_uint(j, "depth_sum", s->depth_sum);
    kt_json_kv_uint(j, "depth_n", s->depth_n);
}

void kt_report_codes_json(kt_json *j, const kt_code_count *c, int n)
{
    char eb[32];
    kt_json_key(j, "errors");
    kt_json_object_begin(j);
    for (int i = 0; i < n; i++) {
        kt_json_key(j, kt_error_label(c[i].code, eb, sizeof eb));
        kt_json_uint(j, c[i].count);
    }
    kt_json_object_end(j);
}

/* r NULL: no shares (a connection's part of a partition). */
static void produce_fields(kt_json *j, const kt_produce_agg *p, const kt_report_partition *r)
{
    kt_json_key(j, "produce");
    kt_json_object_begin(j);
    kt_json_kv_uint(j, "requests", p->requests);
    kt_json_kv_uint(j, "records", p->records);
    kt_json_kv_uint(j, "bytes", p->bytes);
    if (r) {
        kt_json_key(j, "records_share");
        kt_json_fixed(j, r->records_share, 4);
        kt_json_key(j, "bytes_share");
        kt_json_fixed(j, r->bytes_share, 4);
        kt_json_key(j, "records_per_s");
        kt_json_fixed(j, r->records_per_s, 1);
    }
    kt_report_json_batches(j, p->batches, p->records, kt_codec_label(p->codec_batches));
    kt_report_json_codec_batches(j, p->codec_batches);
    kt_json_kv_uint(j, "acked_records", p->acked_records);
    kt_json_kv_uint(j, "unanswered", p->unanswered);
    kt_json_key(j, "acks");
    kt_json_object_begin(j);
    kt_json_kv_uint(j, "-1", p->acks[0]);
    kt_json_kv_uint(j, "0", p->acks[1]);
    kt_json_kv_uint(j, "1", p->acks[2]);
    kt_json_object_end(j);
    kt_report_opt_int(j, "timeout_ms_max", p->timeout_ms_max);
    kt_json_key(j, "first_ts");
    kt_json_fixed(j, (double)p->first_ts_us / 1e6, 6);
    kt_json_key(j, "last_ts");
    kt_json_fixed(j, (double)p->last_ts_us / 1e6, 6);
    kt_json_key(j, "leader");
    if (p->leader.family) {
        char buf[KT_ENDPOINT_STRLEN];
        kt_json_string(j, kt_endpoint_format(&p->leader, buf, sizeof buf));
    } else
        kt_json_null(j);
    kt_json_kv_uint(j, "leader_records", p->leader_records);
    ms_total(j, "broker_time_ms", p->latency_total_us);
    kt_report_latency_json(j, "latency_ms", "latency_hist", &p->latency);
    if (p->split)
        kt_report_split_json(j, p->split);
    kt_report_codes_json(j, p->errors, p->nerrors);
    kt_json_object_end(j);
}

static void fetch_fields(kt_json *j, const kt_fetch_agg *f)
{
    kt_json_key(j, "fetch");
    kt_json_object_begin(j);
    kt_json_kv_uint(j, "requests", f->requests);
    kt_json_kv_uint(j, "records", f->records);
    kt_json_kv_uint(j, "control_records", f->control_records);
    kt_json_kv_uint(j, "bytes", f->bytes);
    kt_report_json_batches(j, f->batches, f->records, kt_codec_mask_label(f->codecs));
    kt_report_json_codecs(j, f->codecs);
    kt_json_kv_uint(j, "with_data", f->with_data);
    kt_json_kv_uint(j, "empty", f->empty);
    kt_json_kv_uint(j, "unanswered", f->unanswered);
    ms_total(j, "broker_time_ms", f->latency_total_us);
    kt_report_latency_json(j, "latency_ms", "latency_hist", &f->latency_data);
    kt_report_latency_json(j, "empty_latency_ms", "empty_latency_hist", &f->latency_empty);
    kt_report_opt_int(j, "high_watermark", f->high_watermark);
    kt_report_opt_int(j, "fetch_offset", f->fetch_offset);
    kt_report_opt_int(j, "lag", f->lag);
    kt_report_opt_int(j, "lag_max", f->lag_max);
    kt_report_codes_json(j, f->errors, f->nerrors);
    kt_json_object_end(j);
}

void kt_report_topic_json(kt_json *j, const kt_topic_label *t)
{
    kt_json_key(j, "topic");
    if (t->name)
        kt_json_string_n(j, (const uint8_t *)t->name, t->name_len);
    else if (t->has_id)
        kt_json_string(j, t->id);
    else
        kt_json_null(j);
    kt_json_key(j, "topic_id");
    if (t->has_id)
        kt_json_string(j, t->id);
    else
        kt_json_null(j);
    kt_json_key(j, "topic_resolved");
    kt_json_bool(j, t->resolved);
}

static void identity(kt_json *j, const kt_topic_label *t, int32_t partition)
{
    kt_report_topic_json(j, t);
    kt_json_key(j, "partition");
    kt_json_int(j, partition);
}

void kt_report_partition_json(kt_json *j, const kt_report_partition *r)
{
    identity(j, &r->topic, r->stats->partition);
    produce_fields(j, &r->stats->produce, r);
    fetch_fields(j, &r->stats->fetch);
}

void kt_report_partition_stats_json(kt_json *j, const kt_partition_stats *e)
{
    kt_topic_label t;
    kt_topic_label_of(&t, e->topic);
    identity(j, &t, e->partition);
    produce_fields(j, &e->produce, NULL);
    fetch_fields(j, &e->fetch);
}
