/* report_batching.c - Produce batching and codecs in the text and JSON
 * reports (report_batching.h). */
#include <inttypes.h>
#include "report/report_batching.h"

void kt_ratio_text(char *buf, size_t len, uint64_t num, uint64_t den)
{
    if (den)
        snprintf(buf, len, "%.1f", (double)num / (double)den);
    else
        snprintf(buf, len, "-");
}

static void batching_row(FILE *out, const char *label, const kt_batch_agg *b)
{
    char bpr[24], rpb[24], bypr[24];
    kt_ratio_text(bpr, sizeof bpr, b->batches, b->requests);
    kt_ratio_text(rpb, sizeof rpb, b->records, b->batches);
    kt_ratio_text(bypr, sizeof bypr, b->bytes, b->requests);
    fprintf(out, "  %-28s %8" PRIu64 " %8.1f %8" PRIu64 " %6s %9" PRIu64 " %7s %10s %-6s ",
            label, b->requests, kt_batch_agg_request_rate(b), b->batches, bpr, b->records, rpb,
            bypr, kt_codec_label(b->codec_batches));
    for (int i = 0; i < KT_RPB_BUCKETS; i++)
        fprintf(out, "%s%s=%" PRIu64, i ? " " : " ", kt_rpb_bucket_names[i], b->by_records[i]);
    fputc('\n', out);
}

void kt_report_text_batching(FILE *out, const kt_report_model *m)
{
    char label[160];
    int any = 0;
    for (size_t i = 0; i < m->nclients; i++) {
        const kt_batch_agg *b = m->clients[i].batching;
        if (!b || !b->requests)
            continue;
        if (!any) {
            fprintf(out, "\nProduce batching per client id (requests that carried record "
                         "batches; req/s over their span; bytes of record data)\n");
            fprintf(out, "  %-28s %8s %8s %8s %6s %9s %7s %10s %-6s  %s\n", "client_id",
                    "requests", "req/s", "batches", "b/req", "records", "rec/b", "bytes/req",
                    "codec", "batches by records per batch");
        }
        any = 1;
        kt_label_client_id(label, sizeof label, m->clients[i].client_id);
        batching_row(out, label, b);
    }
}

void kt_report_json_batches(kt_json *j, uint64_t batches, uint64_t records, const char *codec)
{
    kt_json_kv_uint(j, "batches", batches);
    kt_json_key(j, "records_per_batch");
    if (batches)
        kt_json_fixed(j, (double)records / (double)batches, 2);
    else
        kt_json_null(j);
    kt_json_key(j, "codec");
    kt_json_string(j, codec);
}

void kt_report_json_codec_batches(kt_json *j, const uint64_t codec_batches[KT_CODECS])
{
    kt_json_key(j, "codec_batches");
    kt_json_object_begin(j);
    for (int c = 0; c < KT_CODECS; c++)
        kt_json_kv_uint(j, kt_codec_name(c), codec_batches[c]);
    kt_json_object_end(j);
}

void kt_report_json_codecs(kt_json *j, unsigned mask)
{
    kt_json_key(j, "codecs");
    kt_json_array_begin_compact(j);
    for (int c = 0; c < KT_CODECS; c++)
        if (mask & 1u << c)
            kt_json_string(j, kt_codec_name(c));
    kt_json_array_end(j);
}

void kt_report_json_client_batching(kt_json *j, const kt_batch_agg *b)
{
    kt_json_key(j, "produce_batching");
    kt_json_object_begin(j);
    kt_json_kv_uint(j, "requests", b->requests);
    kt_json_key(j, "requests_per_s");
    kt_json_fixed(j, kt_batch_agg_request_rate(b), 1);
    kt_json_kv_uint(j, "records", b->records);
    kt_json_kv_uint(j, "bytes", b->bytes);
    kt_report_json_batches(j, b->batches, b->records, kt_codec_label(b->codec_batches));
    kt_json_key(j, "batches_per_request");
    if (b->requests)
        kt_json_fixed(j, (double)b->batches / (double)b->requests, 2);
    else
        kt_json_null(j);
    kt_json_key(j, "bytes_per_request");
    if (b->requests)
        kt_json_fixed(j, (double)b->bytes / (double)b->requests, 1);
    else
        kt_json_null(j);
    kt_report_json_codec_batches(j, b->codec_batches);
    kt_json_key(j, "batches_by_records_per_batch");
    kt_json_object_begin(j);
    for (int i = 0; i < KT_RPB_BUCKETS; i++)
        kt_json_kv_uint(j, kt_rpb_bucket_names[i], b->by_records[i]);
    kt_json_object_end(j);
    kt_json_key(j, "first_ts");         /* the span of requests_per_s */
    kt_json_fixed(j, (double)b->first_ts_us / 1e6, 6);
    kt_json_key(j, "last_ts");
    kt_json_fixed(j, (double)b->last_ts_us / 1e6, 6);
    kt_json_object_end(j);
}
