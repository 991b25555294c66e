/* findings_load.c - the rules on where the produced load goes: a partition or
 * topic carrying most of it (hot_partition, too few partitions) and a broker
 * leading most of it (hot_broker).
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * hot_partition   From load (first): with at least LOAD_MIN_RECORDS (100)
 *                 produced records over 2+ partitions, a partition with a
 *                 dominant share of the records: at least LOAD_SHARE (50%)
 *                 and LOAD_REST_FACTOR (3) times the mean share of the other
 *                 partitions; failing that, a topic of 2+ partitions whose
 *                 records pass the same test per partition.  Warning;
 *                 critical when it is also worse than the rest
 *                 (load_worse: p50 LOAD_WORSE_FACTOR (2) times and
 *                 LOAD_WORSE_GAP_MS (5 ms) above, or partition errors
 *                 LOAD_ERR_SHARE (5%) of its answers and 2 times the rest's
 *                 rate, or its one leader throttling 5% and 2 times the other
 *                 brokers).  A topic with a load finding skips the latency
 *                 rules below.
 *                 From latency: in a topic where at least 2 partitions saw Produce
 *                 requests, and at least HOT_MIN_REQUESTS in all, the
 *                 partition with the most produce broker time carries at
 *                 least HOT_SHARE (50%) of the topic's produce broker time
 *                 and at least HOT_FAIR_FACTOR (2) times its fair share (1
 *                 over the partitions): warning; critical when it carries at
 *                 least HOT_CRIT_SHARE (80%) and its produce p99 is at least
 *                 HOT_CRIT_P99_MS (100 ms).
 *                 Too few partitions: a topic of which one partition was seen,
 *                 with at least FEW_MIN_ANSWERED (10) answered produce
 *                 requests, whose produce p50 is at least FEW_FACTOR (5) times
 *                 the median produce p50 of the other topics with as many
 *                 answered produce requests, and at least FEW_MIN_GAP_MS
 *                 (5 ms) above it: warning.
 * hot_broker      Among 2+ brokers leading Produce partitions (100+
 *                 records): one that took BROKER_SHARE (70%) of the records
 *                 as their leader and BROKER_REST_FACTOR (2) times the
 *                 others' mean share, not counting a partition named by a
 *                 partition-level load finding: warning; critical as
 *                 load_worse.
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

#define HOT_MIN_REQUESTS 10
#define HOT_SHARE 0.50
#define HOT_FAIR_FACTOR 2.0
#define HOT_CRIT_SHARE 0.80
#define HOT_CRIT_P99_MS 100.0
#define FEW_MIN_ANSWERED 10
#define LOAD_MIN_RECORDS 100
#define LOAD_SHARE 0.50
#define LOAD_REST_FACTOR 3.0
#define LOAD_WORSE_FACTOR 2.0
#define LOAD_WORSE_GAP_MS 5.0
#define LOAD_ERR_SHARE 0.05
#define BROKER_SHARE 0.70
#define BROKER_REST_FACTOR 2.0
enum { WORSE_LATENCY = 1, WORSE_ERRORS, WORSE_THROTTLING };
#define LOADED_TOPIC 1       /* loaded[t]: the topic has a load finding */
#define LOADED_PART 2        /* loaded[t]: LOADED_PART + i, its partition i */
#define FEW_FACTOR 5.0
#define FEW_MIN_GAP_MS 5.0

/* ---- hot_partition --------------------------------------------------- */

typedef struct topic_group {
    const kt_partition_stats **p; /* its partitions, in the sorted array */
    size_t n;
    double p50_ms;               /* produce p50 over its partitions */
    uint64_t answered;           /* answered produce requests, summed */
} topic_group;

static int cmp_by_topic(const void *a, const void *b)
{
    const kt_partition_stats *x = *(const kt_partition_stats *const *)a;
    const kt_partition_stats *y = *(const kt_partition_stats *const *)b;
    uintptr_t tx = (uintptr_t)x->topic, ty = (uintptr_t)y->topic;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x->partition < y->partition ? -1 : x->partition > y->partition;
}

static void hot_in_topic(kt_finding_list *l, const topic_group *g)
{
    uint64_t total_us = 0, requests = 0;
    size_t np = 0;
    const kt_partition_stats *hot = NULL;
    char topic[200];

    for (size_t i = 0; i < g->n; i++) {
        const kt_produce_agg *pa = &g->p[i]->produce;
        if (!pa->requests)
            continue;
        np++;
        requests += pa->requests;
        total_us += pa->latency_total_us;
        if (!hot || pa->latency_total_us > hot->produce.latency_total_us)
            hot = g->p[i];
    }
    if (np < 2 || requests < HOT_MIN_REQUESTS || !total_us)
        return;
    double share = (double)hot->produce.latency_total_us / (double)total_us;
    double fair = 1.0 / (double)np;
    if (share < HOT_SHARE || share < HOT_FAIR_FACTOR * fair)
        return;
    double p99 = kt_ms_of(kt_hist_percentile(&hot->produce.latency, 99));
    int crit = share >= HOT_CRIT_SHARE && p99 >= HOT_CRIT_P99_MS;
    kt_finding *f = kt_finding_add(l, "hot_partition", crit ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                        share / HOT_SHARE);
    if (!f)
        return;
    kt_label_topic(topic, sizeof topic, g->p[0]->topic);
    kt_subject(f, "topic %s partition %" PRId32, topic, hot->partition);
    kt_summary(f, "Hot partition: %s partition %" PRId32 " carries %.1f%% of the topic's produce "
               "broker time (%.3f of %.3f ms; %zu partitions with Produce, fair share %.1f%%), "
               "%" PRIu64 " of %" PRIu64 " produce requests, p99 %.3f ms",
            topic, hot->partition, share * 100, kt_ms_of(hot->produce.latency_total_us),
            kt_ms_of(total_us), np, fair * 100, hot->produce.requests, requests, p99);
    kt_finding_metric(f, "share", share);
    kt_finding_metric(f, "fair_share", fair);
    kt_finding_metric(f, "partitions", (double)np);
    kt_finding_metric(f, "broker_time_ms", kt_ms_of(hot->produce.latency_total_us));
    kt_finding_metric(f, "topic_broker_time_ms", kt_ms_of(total_us));
    kt_finding_metric(f, "requests", (double)hot->produce.requests);
    kt_finding_metric(f, "p99_ms", p99);
}

/* A topic seen with one partition whose produce p50 stands apart from the
 * other topics'. */
static void too_few_partitions(kt_finding_list *l, topic_group *g, size_t ng, const int *loaded)
{
    double *others = malloc((ng ? ng : 1) * sizeof *others);
    char topic[200];
    if (!others)
        return;
    for (size_t t = 0; t < ng; t++) {
        if (g[t].n != 1 || g[t].answered < FEW_MIN_ANSWERED || loaded[t])
            continue;
        size_t n = 0;
        for (size_t o = 0; o < ng; o++)
            if (o != t && g[o].answered >= FEW_MIN_ANSWERED)
                others[n++] = g[o].p50_ms;
        if (!n)
            continue;
        double med = kt_median(others, n);
        double p50 = g[t].p50_ms;
        if (p50 < FEW_FACTOR * med || p50 - med < FEW_MIN_GAP_MS)
            continue;
        double ratio = med > 0 ? p50 / med : p50 * 1000;
        kt_finding *f = kt_finding_add(l, "hot_partition", KT_SEV_WARNING, ratio / FEW_FACTOR);
        if (!f)
            break;
        kt_label_topic(topic, sizeof topic, g[t].p[0]->topic);
        kt_subject(f, "topic %s", topic);
        kt_summary(f, "Too few partitions: topic %s was seen with one partition (%" PRId32
                   ") and its produce p50 is %.3f ms, %.1fx the median p50 of the %zu other "
                   "topic%s with as many answered (%.3f ms); %" PRIu64
                   " answered produce requests",
                topic, g[t].p[0]->partition, p50, ratio, n, n == 1 ? "" : "s", med,
                g[t].answered);
        kt_finding_metric(f, "p50_ms", p50);
        kt_finding_metric(f, "median_other_p50_ms", med);
        kt_finding_metric(f, "ratio", ratio);
        kt_finding_metric(f, "other_topics", (double)n);
        kt_finding_metric(f, "answered", (double)g[t].answered);
    }
    free(others);
}

/* ---- hot_partition from load: share of the capture's produced load ---- */

/* The produce load of a set of partitions (one, or a topic's). */
typedef struct load {
    uint64_t records, bytes, requests, answered, errored;
    uint64_t first_us, last_us;
    size_t partitions;           /* with Produce requests */
    kt_endpoint leader;          /* the broker all of them were led by last;
                                    family 0 when none or several */
    int leaders_mixed;
    kt_histogram latency;        /* merged; kt_hist_free() it */
} load;

static void load_add(load *l, const kt_partition_stats *p)
{
    const kt_produce_agg *a = &p->produce;
    if (!a->requests)
        return;
    if (!l->partitions)
        l->leader = a->leader;
    else if (!kt_endpoint_equal(&l->leader, &a->leader))
        l->leaders_mixed = 1;
    l->partitions++;
    l->records += a->records;
    l->bytes += a->bytes;
    l->requests += a->requests;
    l->answered += a->latency.count;
    for (int i = 0; i < a->nerrors; i++)
        l->errored += a->errors[i].count;
    if (a->first_ts_us && (!l->first_us || a->first_ts_us < l->first_us))
        l->first_us = a->first_ts_us;
    if (a->last_ts_us > l->last_us)
        l->last_us = a->last_ts_us;
    kt_hist_merge(&l->latency, &a->latency);
}

/* Its load against the whole capture's: its share of the records (bytes
 * are cited, not judged: a codec alone moves them). */
static double load_share(const load *u, const load *all)
{
    return kt_frac(u->records, all->records);
}

/* Of the throttle-carrying responses of one broker (or, other set, of all
 * the others), the share that was throttled. */
static double throttled_share(const kt_findings_input *in, const kt_endpoint *ep, int other)
{
    uint64_t resp = 0, thr = 0;
    for (size_t i = 0; in->throttled && i < in->nthrottled; i++) {
        const kt_throttle_stats *t = in->throttled[i];
        if (kt_endpoint_equal(&t->broker, ep) == !other) {
            resp += t->responses;
            thr += t->throttled;
        }
    }
    return kt_frac(thr, resp);
}

/* What makes a loaded unit worse than the rest, for the severity: its
 * produce p50 LOAD_WORSE_FACTOR times the rest's and LOAD_WORSE_GAP_MS
 * above it; or its produce partition errors at least LOAD_ERR_SHARE of its
 * answers and LOAD_WORSE_FACTOR times the rest's rate; or, when one broker
 * leads all of it, that broker throttled at least LOAD_ERR_SHARE of its
 * responses and LOAD_WORSE_FACTOR times the other brokers' share.  rest:
 * everything else, its latency merged by the caller.  Returns 0, or
 * WORSE_LATENCY, WORSE_ERRORS or WORSE_THROTTLING. */
static int load_worse(const kt_findings_input *in, const load *u, const load *rest,
                      double *p50, double *rest_p50)
{
    double err = kt_frac(u->errored, u->answered), rest_err = kt_frac(rest->errored, rest->answered);
    *p50 = kt_ms_of(kt_hist_percentile(&u->latency, 50));
    *rest_p50 = kt_ms_of(kt_hist_percentile(&rest->latency, 50));
    if (u->latency.count && rest->latency.count && *p50 >= LOAD_WORSE_FACTOR * *rest_p50 &&
        *p50 - *rest_p50 >= LOAD_WORSE_GAP_MS)
        return WORSE_LATENCY;
    if (err >= LOAD_ERR_SHARE && err >= LOAD_WORSE_FACTOR * rest_err)
        return WORSE_ERRORS;
    if (u->leader.family && !u->leaders_mixed) {
        double thr = throttled_share(in, &u->leader, 0);
        if (thr >= LOAD_ERR_SHARE && thr >= LOAD_WORSE_FACTOR * throttled_share(in, &u->leader, 1))
            return WORSE_THROTTLING;
    }
    return 0;
}

static const char *worse_text(int why)
{
    switch (why) {
    case WORSE_LATENCY: return " (worse than the rest: latency)";
    case WORSE_ERRORS: return " (worse than the rest: partition errors)";
    case WORSE_THROTTLING: return " (worse than the rest: its broker throttles)";
    default: return "";
    }
}

/* The finding for a unit carrying a dominant share.  part: its partition
 * number, or -1 for a whole topic; seen: the topic's partitions seen. */
static void load_finding(kt_finding_list *l, const kt_findings_input *in, const char *topic, int32_t part,
                         size_t seen, load *u, const load *all,
                         const kt_partition_stats *const *m, size_t n, const kt_topic *tp)
{
    load rest;
    double p50, rest_p50, share = load_share(u, all), fair = 1.0 / (double)all->partitions;
    double span = u->last_us > u->first_us ? (double)(u->last_us - u->first_us) / 1e6 : 0;
    double rate = span > 0 ? (double)u->records / span : 0;
    char what[240], tail[200];

    memset(&rest, 0, sizeof rest);
    for (size_t i = 0; i < n; i++)
        if (!(m[i]->topic == tp && (part < 0 || m[i]->partition == part)))
            load_add(&rest, m[i]);
    int worse = load_worse(in, u, &rest, &p50, &rest_p50);
    kt_hist_free(&rest.latency);
    kt_finding *f = kt_finding_add(l, "hot_partition", worse ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                        share / LOAD_SHARE);
    if (!f)
        return;
    if (part >= 0 && seen == 1) {
        kt_subject(f, "topic %s", topic);
        snprintf(what, sizeof what, "Too few partitions: topic %s, seen with one partition "
                 "(%" PRId32 "),", topic, part);
    } else if (part >= 0) {
        kt_subject(f, "topic %s partition %" PRId32, topic, part);
        snprintf(what, sizeof what, "Load skew: %s partition %" PRId32 " (of %zu seen)",
                 topic, part, seen);
    } else {
        kt_subject(f, "topic %s", topic);
        snprintf(what, sizeof what, "Too few partitions: topic %s, seen with %zu partitions,",
                 topic, seen);
    }
    if (u->latency.count)
        snprintf(tail, sizeof tail, "; produce p50 %.3f ms, the rest %.3f ms%s", p50,
                 rest_p50, worse_text(worse));
    else
        snprintf(tail, sizeof tail, "; no answered produce requests%s", worse_text(worse));
    kt_summary(f, "%s carries %.1f%% of the capture's produced records (%" PRIu64 " of %" PRIu64
               ") and %.1f%% of its bytes (%" PRIu64 " of %" PRIu64 "), %" PRIu64 " of %" PRIu64
               " partition produce requests, %.1f records/s over %.3f s; %zu partitions "
               "took Produce, fair share %.1f%%%s",
            what, kt_frac(u->records, all->records) * 100, u->records, all->records,
            kt_frac(u->bytes, all->bytes) * 100, u->bytes, all->bytes, u->requests, all->requests,
            rate, span, all->partitions, fair * 100, tail);
    kt_finding_metric(f, "records_share", kt_frac(u->records, all->records));
    kt_finding_metric(f, "bytes_share", kt_frac(u->bytes, all->bytes));
    kt_finding_metric(f, "requests_share", kt_frac(u->requests, all->requests));
    kt_finding_metric(f, "records", (double)u->records);
    kt_finding_metric(f, "bytes", (double)u->bytes);
    kt_finding_metric(f, "records_per_s", rate);
    kt_finding_metric(f, "seconds", span);
    kt_finding_metric(f, "topic_partitions_seen", (double)seen);
    kt_finding_metric(f, "partitions", (double)all->partitions);
    kt_finding_metric(f, "fair_share", fair);
    if (u->latency.count) {
        kt_finding_metric(f, "p50_ms", p50);
        kt_finding_metric(f, "rest_p50_ms", rest_p50);
    }
    kt_finding_metric(f, "errored", (double)u->errored);
}

/* A share of the load carried by k of the np partitions that took Produce
 * is dominant: at least LOAD_SHARE, and per partition at least
 * LOAD_REST_FACTOR times the mean share of the other partitions. */
static int dominant(double share, size_t k, size_t np)
{
    if (share < LOAD_SHARE || k >= np)
        return 0;
    double rest_mean = (1 - share) / (double)(np - k);
    return share / (double)k >= LOAD_REST_FACTOR * rest_mean;
}

/* Sets loaded[t] for each topic group with a load finding: LOADED_TOPIC
 * for the whole topic, LOADED_PART + i for its partition i. */
static void load_skew(kt_finding_list *l, const kt_findings_input *in, const topic_group *g, size_t ng, const kt_partition_stats *const *m,
                      size_t n, int *loaded)
{
    load all;
    char topic[200];

    memset(&all, 0, sizeof all);
    for (size_t t = 0; t < ng; t++)
        for (size_t i = 0; i < g[t].n; i++)
            load_add(&all, g[t].p[i]);
    kt_hist_free(&all.latency);       /* only the totals are needed */
    if (all.records < LOAD_MIN_RECORDS || all.partitions < 2)
        return;
    for (size_t t = 0; t < ng; t++) {
        load u;
        size_t best = 0;
        double best_share = -1;
        kt_label_topic(topic, sizeof topic, g[t].p[0]->topic);
        /* its most loaded partition */
        for (size_t i = 0; i < g[t].n; i++) {
            memset(&u, 0, sizeof u);
            load_add(&u, g[t].p[i]);
            kt_hist_free(&u.latency);
            if (u.partitions && load_share(&u, &all) > best_share) {
                best_share = load_share(&u, &all);
                best = i;
            }
        }
        if (dominant(best_share, 1, all.partitions)) {
            memset(&u, 0, sizeof u);
            load_add(&u, g[t].p[best]);
            load_finding(l, in, topic, g[t].p[best]->partition, g[t].n, &u, &all, m, n,
                         g[t].p[0]->topic);
            kt_hist_free(&u.latency);
            loaded[t] = LOADED_PART + (int)best;
            continue;
        }
        /* the topic as a whole, spread over too few partitions */
        memset(&u, 0, sizeof u);
        for (size_t i = 0; i < g[t].n; i++)
            load_add(&u, g[t].p[i]);
        double share = load_share(&u, &all);
        if (u.partitions >= 2 && dominant(share, u.partitions, all.partitions)) {
            load_finding(l, in, topic, -1, g[t].n, &u, &all, m, n, g[t].p[0]->topic);
            loaded[t] = LOADED_TOPIC;
        }
        kt_hist_free(&u.latency);
    }
}

/* ---- hot_broker: a broker that leads most of the produced load -------- */

typedef struct broker_load {
    kt_endpoint ep;
    load u;                      /* the partitions it leads last */
    uint64_t led;                /* their records sent while it led them */
} broker_load;

/* The partition named by a partition-level load finding, or NULL. */
static const kt_partition_stats *named_part(const topic_group *g, int loaded)
{
    return loaded >= LOADED_PART ? g->p[loaded - LOADED_PART] : NULL;
}

/* The topics of 2+ partitions with Produce that all were led by ep:
 * "; topics with every partition seen on it: a (6), b (2)". */
static void topics_on(char *buf, size_t len, const topic_group *g, size_t ng,
                      const kt_endpoint *ep)
{
    size_t o = 0, k = 0;
    char topic[200];
    buf[0] = 0;
    for (size_t t = 0; t < ng && o < len; t++) {
        size_t np = 0, on = 0;
        for (size_t i = 0; i < g[t].n; i++) {
            const kt_produce_agg *a = &g[t].p[i]->produce;
            if (!a->requests)
                continue;
            np++;
            on += kt_endpoint_equal(&a->leader, ep);
        }
        if (np < 2 || on != np)
            continue;
        kt_label_topic(topic, sizeof topic, g[t].p[0]->topic);
        o += (size_t)snprintf(buf + o, len - o, "%s%s (%zu)",
                              k++ ? ", " : "; topics with every partition on it: ", topic, np);
    }
}

/* Among the brokers that led Produce partitions (at least 2), one that
 * took a dominant share of the records as their leader: at least
 * BROKER_SHARE, and at least BROKER_REST_FACTOR times the mean share of the
 * other brokers.  A partition is counted for the broker of its last
 * Produce request, with the records sent to it since it became that
 * broker (records sent to an earlier leader count for no broker).  The
 * partitions named by a partition-level load finding are left out of the
 * count: that partition is the cause, its leader only follows. */
static void hot_brokers(kt_finding_list *l, const kt_findings_input *in, const topic_group *g, size_t ng,
                        const int *loaded)
{
    broker_load *b = NULL;
    size_t nb = 0, cap = 0;
    load all;
    char name[KT_ENDPOINT_STRLEN], topics[300];

    memset(&all, 0, sizeof all);
    for (size_t t = 0; t < ng; t++) {
        const kt_partition_stats *skip = named_part(&g[t], loaded[t]);
        for (size_t i = 0; i < g[t].n; i++) {
            const kt_partition_stats *p = g[t].p[i];
            size_t k;
            if (p == skip || !p->produce.requests || !p->produce.leader.family)
                continue;
            for (k = 0; k < nb && !kt_endpoint_equal(&b[k].ep, &p->produce.leader); k++)
                ;
            if (k == nb) {
                if (nb == cap) {
                    size_t nc = cap ? cap * 2 : 8;
                    broker_load *nbp = realloc(b, nc * sizeof *b);
                    if (!nbp)
                        goto out;
                    b = nbp;
                    cap = nc;
                }
                memset(&b[nb], 0, sizeof b[nb]);
                b[nb++].ep = p->produce.leader;
            }
            load_add(&b[k].u, p);
            b[k].led += p->produce.leader_records;
            load_add(&all, p);
        }
    }
    if (nb < 2 || all.records < LOAD_MIN_RECORDS)
        goto out;
    for (size_t k = 0; k < nb; k++) {
        double share = kt_frac(b[k].led, all.records);
        double rest_mean = (1 - share) / (double)(nb - 1);
        if (share < BROKER_SHARE || share < BROKER_REST_FACTOR * rest_mean)
            continue;
        load rest;
        double p50, rest_p50;
        memset(&rest, 0, sizeof rest);
        for (size_t o = 0; o < nb; o++)
            if (o != k) {
                rest.records += b[o].u.records;
                rest.answered += b[o].u.answered;
                rest.errored += b[o].u.errored;
                kt_hist_merge(&rest.latency, &b[o].u.latency);
            }
        int worse = load_worse(in, &b[k].u, &rest, &p50, &rest_p50);
        kt_hist_free(&rest.latency);
        kt_finding *f = kt_finding_add(l, "hot_broker", worse ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                            share / LOAD_SHARE);
        if (!f)
            break;
        kt_endpoint_format(&b[k].ep, name, sizeof name);
        topics_on(topics, sizeof topics, g, ng, &b[k].ep);
        kt_subject(f, "broker %s", name);
        kt_summary(f, "Hot broker: %s leads %zu of the %zu partitions that took Produce and "
                   "%.1f%% of their records (%" PRIu64 " of %" PRIu64 "), %.1f%% of the bytes; "
                   "the other %zu broker%s %.1f%% each on average; produce p50 %.3f ms, the "
                   "rest %.3f ms%s%s",
                name, b[k].u.partitions, all.partitions, share * 100, b[k].led, all.records, kt_frac(b[k].u.bytes, all.bytes) * 100, nb - 1, nb == 2 ? "" : "s",
                rest_mean * 100, p50, rest_p50, worse_text(worse), topics);
        kt_finding_metric(f, "records_share", share);
        kt_finding_metric(f, "bytes_share", kt_frac(b[k].u.bytes, all.bytes));
        kt_finding_metric(f, "records", (double)b[k].led);
        kt_finding_metric(f, "partitions", (double)b[k].u.partitions);
        kt_finding_metric(f, "brokers", (double)nb);
        kt_finding_metric(f, "rest_mean_share", rest_mean);
        kt_finding_metric(f, "p50_ms", p50);
        kt_finding_metric(f, "rest_p50_ms", rest_p50);
    }
out:
    for (size_t k = 0; k < nb; k++)
        kt_hist_free(&b[k].u.latency);
    kt_hist_free(&all.latency);
    free(b);
}

/* m: the partitions merged by canonical topic. */
static void hot_partitions(kt_finding_list *l, const kt_findings_input *in)
{
    const kt_partition_stats *const *m = in->partitions;
    size_t n = in->npartitions;
    size_t ng = 0;
    const kt_partition_stats **byt;
    topic_group *g;
    int *loaded = NULL;

    if (!m || !n)
        return;
    byt = malloc(n * sizeof *byt);
    g = calloc(n, sizeof *g);
    if (!byt || !g)
        goto out;
    memcpy(byt, m, n * sizeof *byt);
    qsort(byt, n, sizeof *byt, cmp_by_topic);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && byt[j]->topic == byt[i]->topic)
            j++;
        topic_group *t = &g[ng++];
        t->p = byt + i;
        t->n = j - i;
        if (!byt[i]->topic || byt[i]->topic->is_overflow) {
            ng--;                /* the overflow topic is no topic */
            i = j;
            continue;
        }
        kt_histogram h;
        kt_hist_init(&h);
        for (size_t k = i; k < j; k++) {
            kt_hist_merge(&h, &byt[k]->produce.latency);
            t->answered += byt[k]->produce.latency.count;
        }
        t->p50_ms = kt_ms_of(kt_hist_percentile(&h, 50));
        kt_hist_free(&h);
        i = j;
    }
    loaded = calloc(ng + 1, sizeof *loaded);
    if (!loaded)
        goto out;
    load_skew(l, in, g, ng, m, n, loaded);
    for (size_t t = 0; t < ng; t++)
        if (!loaded[t])
            hot_in_topic(l, &g[t]);
    too_few_partitions(l, g, ng, loaded);
    hot_brokers(l, in, g, ng, loaded);
out:
    free(loaded);
    free(g);
    free(byt);
}

void kt_rules_load(kt_finding_list *l, const kt_findings_input *in)
{
    hot_partitions(l, in);
}
