/* findings_latency.c - the rules on how long brokers take: a broker slower
 * than its peers (slow_broker) and Produce or Fetch slower than an absolute
 * threshold (slow_produce, slow_fetch).
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * slow_produce, slow_fetch  Per broker, client id and topic-partition
 *                 Produce, and Fetch that returned data (consumers' only:
 *                 follower fetches and empty long-poll waits never count,
 *                 stats.h, partition_stats.h): at least
 *                 ABS_MIN_ANSWERED (10) answered and ABS_SHARE (50%) of them
 *                 at the threshold or above (--slow-produce-ms 100,
 *                 --slow-fetch-ms 1000): warning; critical at a p50 of
 *                 ABS_CRIT_FACTOR (5) times the threshold.  Partitions that
 *                 saw only acks=0 and empty fetches are never judged.
 * slow_broker     At least 2 brokers with SLOW_MIN_ANSWERED (10) answered
 *                 requests each: a broker whose p50 latency is at least
 *                 SLOW_FACTOR (3) times the median p50 of the others and at
 *                 least SLOW_MIN_GAP_MS (5 ms) above it: warning; critical at
 *                 SLOW_CRIT_FACTOR (10) times.  Produce latency is compared
 *                 when at least 2 brokers answered enough Produce requests,
 *                 else the latency of all APIs, but only in a capture without
 *                 Fetch requests: Fetch long-polls wait for data by design
 *                 and would make a broker that serves consumers look slow.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_names.h"
#include "findings/rules.h"
#include "stats/labels.h"

#define SLOW_MIN_ANSWERED 10
#define SLOW_FACTOR 3.0
#define SLOW_CRIT_FACTOR 10.0
#define SLOW_MIN_GAP_MS 5.0
#define ABS_MIN_ANSWERED 10
#define ABS_SHARE 0.50
#define ABS_CRIT_FACTOR 5.0

/* ---- slow_broker ------------------------------------------------------ */

static const kt_agg *broker_basis(const kt_broker_stats *b, int produce)
{
    return produce ? &b->produce : &b->agg;
}

static void slow_brokers(kt_finding_list *l, const kt_stats *s)
{
    size_t nprod = 0, nb = 0;
    double *p50 = malloc((s->nbrokers + 1) * sizeof *p50);
    double *peers = malloc((s->nbrokers + 1) * sizeof *peers);
    const kt_broker_stats **b = malloc((s->nbrokers + 1) * sizeof *b);
    char name[KT_ENDPOINT_STRLEN];

    if (!p50 || !peers || !b)
        goto out;
    for (size_t i = 0; i < s->nbrokers; i++)
        if (!s->brokers[i]->is_other && s->brokers[i]->produce.latency.count >= SLOW_MIN_ANSWERED)
            nprod++;
    int produce = nprod >= 2;
    if (!produce && ((s->api[KT_API_FETCH] && s->api[KT_API_FETCH]->agg.requests) ||
                     (s->follower_fetch && s->follower_fetch->agg.requests)))
        goto out;                /* long-polls: all-APIs latency says nothing */
    for (size_t i = 0; i < s->nbrokers; i++) {
        const kt_broker_stats *x = s->brokers[i];
        const kt_agg *a = broker_basis(x, produce);
        if (x->is_other || a->latency.count < SLOW_MIN_ANSWERED)
            continue;
        b[nb] = x;
        p50[nb++] = kt_ms_of(kt_hist_percentile(&a->latency, 50));
    }
    if (nb < 2)
        goto out;
    for (size_t i = 0; i < nb; i++) {
        size_t n = 0;
        for (size_t k = 0; k < nb; k++)
            if (k != i)
                peers[n++] = p50[k];
        double med = kt_median(peers, n);
        if (p50[i] < SLOW_FACTOR * med || p50[i] - med < SLOW_MIN_GAP_MS)
            continue;
        double ratio = med > 0 ? p50[i] / med : p50[i] * 1000;
        const kt_agg *a = broker_basis(b[i], produce);
        kt_finding *f = kt_finding_add(l, "slow_broker",
                            ratio >= SLOW_CRIT_FACTOR ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                            ratio / SLOW_FACTOR);
        if (!f)
            break;
        kt_endpoint_format(&b[i]->broker, name, sizeof name);
        kt_subject(f, "broker %s", name);
        kt_summary(f, "Slow broker: %s answers %s in %.3f ms at p50 (p99 %.3f ms, %" PRIu64
                   " answered), %.1fx the median p50 of its %zu peer%s (%.3f ms)",
                name, produce ? "Produce" : "requests (all APIs)", p50[i],
                kt_ms_of(kt_hist_percentile(&a->latency, 99)), a->latency.count, ratio, n,
                n == 1 ? "" : "s", med);
        kt_finding_metric(f, "p50_ms", p50[i]);
        kt_finding_metric(f, "p99_ms", kt_ms_of(kt_hist_percentile(&a->latency, 99)));
        kt_finding_metric(f, "peers_median_p50_ms", med);
        kt_finding_metric(f, "ratio", ratio);
        kt_finding_metric(f, "peers", (double)n);
        kt_finding_metric(f, "answered", (double)a->latency.count);
        kt_finding_metric(f, "produce_only", produce);
    }
out:
    free(p50);
    free(peers);
    free(b);
}

/* ---- slow_produce, slow_fetch: latency against an absolute threshold -- */

/* One subject's latency against threshold_ms: a finding when at least
 * ABS_MIN_ANSWERED answered and at least ABS_SHARE of them took the
 * threshold or longer. */
static void slow_abs(kt_finding_list *l, const char *kind, const char *what, const char *subj,
                     const kt_histogram *h, int threshold_ms)
{
    if (h->count < ABS_MIN_ANSWERED)
        return;
    uint64_t over = kt_hist_count_at_least(h, (uint64_t)threshold_ms * 1000);
    double share = kt_frac(over, h->count);
    if (share < ABS_SHARE)
        return;
    double p50 = kt_ms_of(kt_hist_percentile(h, 50)), p99 = kt_ms_of(kt_hist_percentile(h, 99));
    kt_finding *f = kt_finding_add(l, kind,
                        p50 >= ABS_CRIT_FACTOR * threshold_ms ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                        p50 / threshold_ms);
    if (!f)
        return;
    kt_subject(f, "%s", subj);
    kt_summary(f, "Slow %s: %s: %" PRIu64 " of %" PRIu64 " answered (%.1f%%) took %d ms or more; "
               "p50 %.3f ms, p99 %.3f ms, max %.3f ms",
            what, subj, over, h->count, share * 100, threshold_ms, p50, p99, kt_ms_of(h->max));
    kt_finding_metric(f, "threshold_ms", threshold_ms);
    kt_finding_metric(f, "over", (double)over);
    kt_finding_metric(f, "answered", (double)h->count);
    kt_finding_metric(f, "share", share);
    kt_finding_metric(f, "p50_ms", p50);
    kt_finding_metric(f, "p99_ms", p99);
    kt_finding_metric(f, "max_ms", kt_ms_of(h->max));
}

static void slow_absolute(kt_finding_list *l, const kt_findings_input *in)
{
    int prod_ms = in->slow_produce_ms > 0 ? in->slow_produce_ms : KT_SLOW_PRODUCE_MS_DEFAULT;
    int fetch_ms = in->slow_fetch_ms > 0 ? in->slow_fetch_ms : KT_SLOW_FETCH_MS_DEFAULT;
    const kt_stats *s = in->stats;
    char name[KT_ENDPOINT_STRLEN], topic[200], subj[260];

    for (size_t i = 0; i < s->nbrokers; i++) {
        const kt_broker_stats *b = s->brokers[i];
        if (b->is_other)
            continue;
        kt_endpoint_format(&b->broker, name, sizeof name);
        snprintf(subj, sizeof subj, "broker %s", name);
        slow_abs(l, "slow_produce", "Produce", subj, &b->produce.latency, prod_ms);
        slow_abs(l, "slow_fetch", "Fetch (with data)", subj, &b->fetch_data, fetch_ms);
    }
    for (size_t i = 0; i < s->nclients; i++) {
        const kt_client_stats *c = s->clients[i];
        char id[160];
        kt_label_client_id(id, sizeof id, c->client_id);
        snprintf(subj, sizeof subj, "client id %s", id);
        slow_abs(l, "slow_produce", "Produce", subj, &c->produce.latency, prod_ms);
        slow_abs(l, "slow_fetch", "Fetch (with data)", subj, &c->fetch_data, fetch_ms);
    }
    for (size_t i = 0; in->partitions && i < in->npartitions; i++) {
        const kt_partition_stats *p = in->partitions[i];
        if (!p->topic || p->topic->is_overflow)
            continue;
        kt_label_topic(topic, sizeof topic, p->topic);
        snprintf(subj, sizeof subj, "topic %s partition %" PRId32, topic, p->partition);
        if (p->produce.acks[1] < p->produce.requests)     /* not all acks=0 */
            slow_abs(l, "slow_produce", "Produce", subj, &p->produce.latency, prod_ms);
        slow_abs(l, "slow_fetch", "Fetch (with data)", subj, &p->fetch.latency_data, fetch_ms);
    }
}

void kt_rules_latency(kt_finding_list *l, const kt_findings_input *in)
{
    if (!in->stats)
        return;
    slow_brokers(l, in->stats);
    slow_absolute(l, in);
}
