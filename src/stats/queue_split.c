/* queue_split.c - queue wait / service time aggregates (queue_split.h). */
#include "stats/queue_split.h"

void kt_split_add(kt_split *s, const kt_exchange *ex)
{
    if (ex->status == KT_STATUS_NO_RESPONSE_EXPECTED)
        return;                 /* not in the connection's depth count */
    if (ex->inflight) {
        s->depth_sum += ex->inflight;
        s->depth_n++;
        s->pipelined += ex->inflight > 1;
    }
    s->pipelined_conns += ex->first_pipelined != 0;
    if (ex->latency_us < 0)
        return;
    if (ex->queue_wait_us < 0 || ex->service_us < 0) {
        s->unknown++;
        return;
    }
    kt_hist_add(&s->queue, (uint64_t)ex->queue_wait_us);
    kt_hist_add(&s->service, (uint64_t)ex->service_us);
}

void kt_split_merge(kt_split *into, const kt_split *from)
{
    kt_hist_merge(&into->queue, &from->queue);
    kt_hist_merge(&into->service, &from->service);
    into->unknown += from->unknown;
    into->depth_sum += from->depth_sum;
    into->depth_n += from->depth_n;
    into->pipelined += from->pipelined;
    into->pipelined_conns += from->pipelined_conns;
}

void kt_split_free(kt_split *s)
{
    kt_hist_free(&s->queue);
    kt_hist_free(&s->service);
}

double kt_split_mean_depth(const kt_split *s)
{
    return s->depth_n ? (double)s->depth_sum / (double)s->depth_n : 0;
}
