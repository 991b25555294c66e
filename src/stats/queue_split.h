/* queue_split.h - where the latency of answered requests went: queue wait
 * behind earlier requests of the same connection and broker service time
 * (kafka/queue_clock.h says how each is read off the wire), with how deep
 * the connections' pipelines were.
 *
 * Memory: two histograms (histogram.h: 304 bytes each on x86-64, then 512
 * bytes per row in use) and five counters, 648 bytes in all. */
#ifndef KT_QUEUE_SPLIT_H
#define KT_QUEUE_SPLIT_H

#include <stdint.h>
#include "kafka/exchange.h"
#include "stats/histogram.h"

typedef struct kt_split {
    kt_histogram queue;         /* queue wait, microseconds */
    kt_histogram service;       /* service time, microseconds */
    uint64_t unknown;           /* answered, split unknown (the request
                                   before it ended unseen) */
    uint64_t depth_sum;         /* requests in flight on the connection when
                                   each request arrived, itself included */
    uint64_t depth_n;           /* requests summed in depth_sum */
    uint64_t pipelined;         /* requests that found another in flight */
    uint64_t pipelined_conns;   /* connections on which one did */
} kt_split;

/* Counts an exchange: the depth of every request that expects a response,
 * the split of the answered ones. */
void kt_split_add(kt_split *s, const kt_exchange *ex);
void kt_split_merge(kt_split *into, const kt_split *from);
/* Takes from out of into (every value of from being in into; see
 * kt_hist_subtract for min and max), for merged reports (agg_merge.c). */
void kt_split_subtract(kt_split *into, const kt_split *from);
void kt_split_free(kt_split *s);

/* Mean in-flight depth at arrival; 0 when nothing was counted. */
double kt_split_mean_depth(const kt_split *s);

#endif
