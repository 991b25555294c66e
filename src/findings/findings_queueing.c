/* findings_queueing.c - the rule on requests waiting behind each other on
 * their connections: a broker that answers Produce quickly once it gets to
 * a request, while the requests spend most of their latency queued behind
 * the earlier ones of the same connection (queueing).
 *
 * Rule (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * queueing        Per broker, Produce requests whose queue wait / service
 *                 split is known (kafka/queue_clock.h): at least
 *                 QUEUE_MIN_SPLIT (20) of them, a p50 latency of at least
 *                 QUEUE_MIN_LATENCY_MS (20 ms), and a p50 queue wait of at
 *                 least QUEUE_SHARE (50%) of that p50 latency: warning;
 *                 critical when the p50 queue wait is at least
 *                 QUEUE_CRIT_SHARE (80%) of it and at least
 *                 QUEUE_CRIT_MS (1000 ms).  It cites the p50 service time
 *                 and queue wait, the connections on which requests found
 *                 others in flight and the mean in-flight depth.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include "findings/rules.h"
#include "stats/labels.h"

#define QUEUE_MIN_SPLIT 20
#define QUEUE_MIN_LATENCY_MS 20.0
#define QUEUE_SHARE 0.50
#define QUEUE_CRIT_SHARE 0.80
#define QUEUE_CRIT_MS 1000.0

static void queueing_of(kt_finding_list *l, const kt_broker_stats *b)
{
    const kt_agg *a = &b->produce;
    const kt_split *s = &a->split;
    char name[KT_ENDPOINT_STRLEN];

    if (s->queue.count < QUEUE_MIN_SPLIT || !a->latency.count)
        return;
    double lat = kt_ms_of(kt_hist_percentile(&a->latency, 50));
    double queue = kt_ms_of(kt_hist_percentile(&s->queue, 50));
    double service = kt_ms_of(kt_hist_percentile(&s->service, 50));
    if (lat < QUEUE_MIN_LATENCY_MS || queue < QUEUE_SHARE * lat)
        return;
    double share = queue / lat;
    int crit = share >= QUEUE_CRIT_SHARE && queue >= QUEUE_CRIT_MS;
    kt_finding *f = kt_finding_add(l, "queueing", crit ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                                   share / QUEUE_SHARE);
    if (!f)
        return;
    kt_endpoint_format(&b->broker, name, sizeof name);
    kt_subject(f, "broker %s", name);
    kt_summary(f, "Queueing: broker %s serves Produce in %.3f ms at p50, but requests wait "
               "%.3f ms at p50 behind earlier requests of their connection (%.0f%% of the "
               "%.3f ms p50 latency; %" PRIu64 " of %" PRIu64 " found others in flight on %"
               PRIu64 " connection%s, %.2f in flight on average): fewer in-flight requests "
               "per connection (max.in.flight), more partitions or brokers to spread the "
               "load, or for acks=all a faster follower",
            name, service, queue, share * 100, lat, s->pipelined, s->depth_n,
            s->pipelined_conns, s->pipelined_conns == 1 ? "" : "s", kt_split_mean_depth(s));
    kt_finding_metric(f, "service_p50_ms", service);
    kt_finding_metric(f, "queue_wait_p50_ms", queue);
    kt_finding_metric(f, "latency_p50_ms", lat);
    kt_finding_metric(f, "queue_share", share);
    kt_finding_metric(f, "split_requests", (double)s->queue.count);
    kt_finding_metric(f, "pipelined_requests", (double)s->pipelined);
    kt_finding_metric(f, "pipelined_connections", (double)s->pipelined_conns);
    kt_finding_metric(f, "mean_inflight", kt_split_mean_depth(s));
}

void kt_rules_queueing(kt_finding_list *l, const kt_findings_input *in)
{
    if (!in->stats)
        return;
    for (size_t i = 0; i < in->stats->nbrokers; i++)
        if (!in->stats->brokers[i]->is_other)
            queueing_of(l, in->stats->brokers[i]);
}
