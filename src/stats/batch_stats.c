/* batch_stats.c - the record batches of Produce requests per client id,
 * and the codec labels (batch_stats.h). */
#include "dissectors/kafka_apis.h"
#include "stats/batch_stats.h"

const char *const kt_rpb_bucket_names[KT_RPB_BUCKETS] = {
    "1", "2-9", "10-99", "100-999", "1000+",
};

static int rpb_bucket(uint64_t records, uint64_t batches)
{
    uint64_t per = records / batches;   /* batches > 0 */
    if (per <= 1)
        return 0;
    if (per < 10)
        return 1;
    if (per < 100)
        return 2;
    if (per < 1000)
        return 3;
    return 4;
}

void kt_batch_agg_add(kt_batch_agg *a, const kt_exchange *ex)
{
    const kt_request_detail *d = ex->detail;
    uint64_t batches = 0;
    if (ex->api_key != KT_API_PRODUCE || !d)
        return;
    for (uint32_t i = 0; i < d->nparts; i++) {
        const kt_part_result *r = &d->parts[i];
        uint64_t records = r->records > 0 ? (uint64_t)r->records : 0;
        if (!r->batches)
            continue;
        batches += r->batches;
        a->records += records;
        a->bytes += r->bytes;
        for (int c = 0; c < KT_CODECS; c++)
            a->codec_batches[c] += r->codec_batches[c];
        a->by_records[rpb_bucket(records, r->batches)] += r->batches;
    }
    if (!batches)
        return;
    a->batches += batches;
    a->requests++;
    if (!a->first_ts_us || ex->request_ts_us < a->first_ts_us)
        a->first_ts_us = ex->request_ts_us;
    if (ex->request_ts_us > a->last_ts_us)
        a->last_ts_us = ex->request_ts_us;
}

void kt_batch_agg_merge(kt_batch_agg *a, const kt_batch_agg *b)
{
    a->requests += b->requests;
    a->batches += b->batches;
    a->records += b->records;
    a->bytes += b->bytes;
    for (int c = 0; c < KT_CODECS; c++)
        a->codec_batches[c] += b->codec_batches[c];
    for (int i = 0; i < KT_RPB_BUCKETS; i++)
        a->by_records[i] += b->by_records[i];
    if (b->first_ts_us && (!a->first_ts_us || b->first_ts_us < a->first_ts_us))
        a->first_ts_us = b->first_ts_us;
    if (b->last_ts_us > a->last_ts_us)
        a->last_ts_us = b->last_ts_us;
}

double kt_batch_agg_request_rate(const kt_batch_agg *a)
{
    if (a->requests < 2 || a->last_ts_us <= a->first_ts_us)
        return 0;
    return (double)(a->requests - 1) * 1e6 / (double)(a->last_ts_us - a->first_ts_us);
}

const char *kt_codec_mask_label(unsigned mask)
{
    if (!mask)
        return "-";
    for (int c = 0; c < KT_CODECS; c++)
        if (mask == 1u << c)
            return kt_codec_name(c);
    return "mixed";
}

const char *kt_codec_label(const uint64_t codec_batches[KT_CODECS])
{
    unsigned mask = 0;
    for (int c = 0; c < KT_CODECS; c++)
        if (codec_batches[c])
            mask |= 1u << c;
    return kt_codec_mask_label(mask);
}
