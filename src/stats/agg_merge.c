/* agg_merge.c - sums and differences of aggregates (stats.h, queue_split.h), for the
 * merged report of several hosts (report_merge.h). */
#include "stats/partition_stats.h"
#include "stats/stats.h"

static uint64_t minus(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

static void subtract_codes(kt_code_count *into, int *n, const kt_code_count *from, int nfrom)
{
    for (int i = 0; i < nfrom; i++) {
        for (int k = 0; k < *n; k++) {
            if (into[k].code != from[i].code)
                continue;
            into[k].count = minus(into[k].count, from[i].count);
            if (!into[k].count)      /* gone: drop the code */
                into[k] = into[--*n];
            break;
        }
    }
}

void kt_split_subtract(kt_split *into, const kt_split *from)
{
    kt_hist_subtract(&into->queue, &from->queue);
    kt_hist_subtract(&into->service, &from->service);
    into->unknown = minus(into->unknown, from->unknown);
    into->depth_sum = minus(into->depth_sum, from->depth_sum);
    into->depth_n = minus(into->depth_n, from->depth_n);
    into->pipelined = minus(into->pipelined, from->pipelined);
    into->pipelined_conns = minus(into->pipelined_conns, from->pipelined_conns);
}

void kt_agg_merge(kt_agg *into, const kt_agg *from)
{
    into->requests += from->requests;
    into->matched += from->matched;
    into->errored += from->errored;
    into->unanswered += from->unanswered;
    into->no_response += from->no_response;
    into->throttled += from->throttled;
    into->throttle_ms_total += from->throttle_ms_total;
    if (from->throttle_ms_max > into->throttle_ms_max)
        into->throttle_ms_max = from->throttle_ms_max;
    kt_hist_merge(&into->latency, &from->latency);
    kt_split_merge(&into->split, &from->split);
    for (int i = 0; i < from->nerrors; i++)
        kt_code_counts_add(&into->errors, &into->nerrors, &into->caperrors,
                           from->errors[i].code, from->errors[i].count);
}

void kt_agg_subtract(kt_agg *into, const kt_agg *from)
{
    into->requests = minus(into->requests, from->requests);
    into->matched = minus(into->matched, from->matched);
    into->errored = minus(into->errored, from->errored);
    into->unanswered = minus(into->unanswered, from->unanswered);
    into->no_response = minus(into->no_response, from->no_response);
    into->throttled = minus(into->throttled, from->throttled);
    into->throttle_ms_total = minus(into->throttle_ms_total, from->throttle_ms_total);
    kt_hist_subtract(&into->latency, &from->latency);
    kt_split_subtract(&into->split, &from->split);
    subtract_codes(into->errors, &into->nerrors, from->errors, from->nerrors);
}

void kt_partition_subtract(kt_partition_stats *into, const kt_partition_stats *from)
{
    kt_produce_agg *p = &into->produce;
    const kt_produce_agg *q = &from->produce;
    kt_fetch_agg *f = &into->fetch;
    const kt_fetch_agg *g = &from->fetch;

    p->requests = minus(p->requests, q->requests);
    p->records = minus(p->records, q->records);
    p->bytes = minus(p->bytes, q->bytes);
    p->acked_records = minus(p->acked_records, q->acked_records);
    p->unanswered = minus(p->unanswered, q->unanswered);
    for (int i = 0; i < 3; i++)
        p->acks[i] = minus(p->acks[i], q->acks[i]);
    if (kt_endpoint_equal(&p->leader, &q->leader))
        p->leader_records = minus(p->leader_records, q->leader_records);
    p->batches = minus(p->batches, q->batches);
    for (int c = 0; c < KT_CODECS; c++)
        p->codec_batches[c] = minus(p->codec_batches[c], q->codec_batches[c]);
    p->latency_total_us = minus(p->latency_total_us, q->latency_total_us);
    kt_hist_subtract(&p->latency, &q->latency);
    if (p->split && q->split)
        kt_split_subtract(p->split, q->split);
    subtract_codes(p->errors, &p->nerrors, q->errors, q->nerrors);

    f->requests = minus(f->requests, g->requests);
    f->records = minus(f->records, g->records);
    f->bytes = minus(f->bytes, g->bytes);
    f->control_records = minus(f->control_records, g->control_records);
    f->batches = minus(f->batches, g->batches);
    f->with_data = minus(f->with_data, g->with_data);
    f->empty = minus(f->empty, g->empty);
    f->unanswered = minus(f->unanswered, g->unanswered);
    f->latency_total_us = minus(f->latency_total_us, g->latency_total_us);
    kt_hist_subtract(&f->latency_data, &g->latency_data);
    kt_hist_subtract(&f->latency_empty, &g->latency_empty);
    subtract_codes(f->errors, &f->nerrors, g->errors, g->nerrors);
}
