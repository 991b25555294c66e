/* findings.c - the findings: what an expert would say about the statistics
 * of a capture, each citing the numbers behind it.
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
 * slow_produce, slow_fetch  Per broker and topic-partition Produce, per
 *                 topic-partition Fetch that returned data: at least
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
 * error_storm     Per API and error code: at least STORM_MIN_COUNT (10)
 *                 occurrences and at least STORM_SHARE (5%) of the API's
 *                 answered responses: warning; critical at STORM_CRIT_SHARE
 *                 (50%).  Partition-level codes count once per partition, so
 *                 the share can pass 100%.  The steps of version and member
 *                 id negotiation are not storms: ApiVersions answered
 *                 UNSUPPORTED_VERSION, JoinGroup answered MEMBER_ID_REQUIRED.
 *                 The summary names the brokers and client ids with the most
 *                 of that code (for Produce, the brokers' Produce counts;
 *                 otherwise counts over all their APIs).
 *                 Error rate: an API with no storm of one code, whose
 *                 responses carried an error at least RATE_MIN_ERRORED (5)
 *                 times and in at least RATE_SHARE (20%) of them, whatever
 *                 the codes (not counting the negotiation steps above):
 *                 error_storm too, warning; critical at RATE_CRIT_SHARE
 *                 (50%).  Retriable errors that clients retry through are
 *                 still lost time and the sign of a sick partition.
 * throttling      Per (client id, broker) with a throttled response: warning
 *                 with the count, total and max throttle time; critical when
 *                 the max is at least THROTTLE_CRIT_MS (1000 ms), a delay a
 *                 client's own timeouts start to feel.
 * unanswered_requests  Per API: at least UNANS_MIN (3) unanswered requests
 *                 that are at least UNANS_SHARE (1%) of its requests:
 *                 warning.  Fetch: info below UNANS_FETCH_WARN_SHARE (10%),
 *                 as long-poll Fetch requests still in flight when a capture
 *                 ends are normal and cannot be told apart from lost ones.
 *                 Requests whose response the capture may have lost
 *                 (unknown) are not unanswered, nor counted by error_storm.
 * capture_loss    The capture lost something: packets dropped by the
 *                 kernel or the interface, bytes of Kafka connections never
 *                 captured, requests unknown (capture loss) or responses to
 *                 lost requests: warning, saying that request counts,
 *                 records and error rates are lower bounds, with the
 *                 connections that missed the most bytes; critical when at
 *                 least LOSS_CRIT_SHARE (1%) of the packets were dropped or
 *                 of the requests are unknown.
 *
 * Grouping: a per-peer rule (hot_partition, hot_broker, slow_broker,
 * slow_produce, slow_fetch, throttling) firing for GROUP_MIN (4) subjects
 * or more is one finding, the worst, naming GROUP_NAMED (3) more.
 *
 * Order: most severe first, then by how far the rule's main number is past
 * its threshold, then kind and subject (for a stable output).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "findings/findings.h"
#include "dissectors/kafka_names.h"
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
#define SLOW_MIN_ANSWERED 10
#define SLOW_FACTOR 3.0
#define SLOW_CRIT_FACTOR 10.0
#define SLOW_MIN_GAP_MS 5.0
#define STORM_MIN_COUNT 10
#define STORM_SHARE 0.05
#define STORM_CRIT_SHARE 0.50
#define THROTTLE_CRIT_MS 1000
#define UNANS_MIN 3
#define UNANS_SHARE 0.01
#define RATE_MIN_ERRORED 5
#define RATE_SHARE 0.20
#define RATE_CRIT_SHARE 0.50
#define UNANS_FETCH_WARN_SHARE 0.10
#define LOSS_CRIT_SHARE 0.01

#define ABS_MIN_ANSWERED 10
#define ABS_SHARE 0.50
#define ABS_CRIT_FACTOR 5.0
#define GROUP_MIN 4
#define GROUP_NAMED 3

#define TOP_INVOLVED 3

typedef struct entry {
    kt_finding f;
    double weight;     /* main number over its threshold */
} entry;

typedef struct list {
    entry *e;
    size_t n, cap;
} list;

const char *kt_severity_name(int severity)
{
    switch (severity) {
    case KT_SEV_CRITICAL: return "critical";
    case KT_SEV_WARNING: return "warning";
    default: return "info";
    }
}

static double ms_of(uint64_t us)
{
    return (double)us / 1000.0;
}

static kt_finding *add(list *l, const char *kind, int severity, double weight)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        entry *ne = realloc(l->e, ncap * sizeof *ne);
        if (!ne)
            return NULL;
        l->e = ne;
        l->cap = ncap;
    }
    entry *e = &l->e[l->n++];
    memset(e, 0, sizeof *e);
    e->f.kind = kind;
    e->f.severity = severity;
    e->weight = weight;
    return &e->f;
}

static void metric(kt_finding *f, const char *key, double v)
{
    if (f->nmetrics < KT_FINDING_MAX_METRICS) {
        f->metric[f->nmetrics].key = key;
        f->metric[f->nmetrics].value = v;
        f->nmetrics++;
    }
}

/* Formats into a fixed buffer of the finding (subject or summary). */
static void put(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

#define subject(f, ...) put((f)->subject, sizeof (f)->subject, __VA_ARGS__)
#define summary(f, ...) put((f)->summary, sizeof (f)->summary, __VA_ARGS__)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorts v); 0 when n is 0. */
static double median(double *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

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

static void hot_in_topic(list *l, const topic_group *g)
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
    double p99 = ms_of(kt_hist_percentile(&hot->produce.latency, 99));
    int crit = share >= HOT_CRIT_SHARE && p99 >= HOT_CRIT_P99_MS;
    kt_finding *f = add(l, "hot_partition", crit ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                        share / HOT_SHARE);
    if (!f)
        return;
    kt_label_topic(topic, sizeof topic, g->p[0]->topic);
    subject(f, "topic %s partition %" PRId32, topic, hot->partition);
    summary(f, "Hot partition: %s partition %" PRId32 " carries %.1f%% of the topic's produce "
               "broker time (%.3f of %.3f ms; %zu partitions with Produce, fair share %.1f%%), "
               "%" PRIu64 " of %" PRIu64 " produce requests, p99 %.3f ms",
            topic, hot->partition, share * 100, ms_of(hot->produce.latency_total_us),
            ms_of(total_us), np, fair * 100, hot->produce.requests, requests, p99);
    metric(f, "share", share);
    metric(f, "fair_share", fair);
    metric(f, "partitions", (double)np);
    metric(f, "broker_time_ms", ms_of(hot->produce.latency_total_us));
    metric(f, "topic_broker_time_ms", ms_of(total_us));
    metric(f, "requests", (double)hot->produce.requests);
    metric(f, "p99_ms", p99);
}

/* A topic seen with one partition whose produce p50 stands apart from the
 * other topics'. */
static void too_few_partitions(list *l, topic_group *g, size_t ng, const int *loaded)
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
        double med = median(others, n);
        double p50 = g[t].p50_ms;
        if (p50 < FEW_FACTOR * med || p50 - med < FEW_MIN_GAP_MS)
            continue;
        double ratio = med > 0 ? p50 / med : p50 * 1000;
        kt_finding *f = add(l, "hot_partition", KT_SEV_WARNING, ratio / FEW_FACTOR);
        if (!f)
            break;
        kt_label_topic(topic, sizeof topic, g[t].p[0]->topic);
        subject(f, "topic %s", topic);
        summary(f, "Too few partitions: topic %s was seen with one partition (%" PRId32
                   ") and its produce p50 is %.3f ms, %.1fx the median p50 of the %zu other "
                   "topic%s with as many answered (%.3f ms); %" PRIu64
                   " answered produce requests",
                topic, g[t].p[0]->partition, p50, ratio, n, n == 1 ? "" : "s", med,
                g[t].answered);
        metric(f, "p50_ms", p50);
        metric(f, "median_other_p50_ms", med);
        metric(f, "ratio", ratio);
        metric(f, "other_topics", (double)n);
        metric(f, "answered", (double)g[t].answered);
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

static double frac(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0;
}

/* Its load against the whole capture's: its share of the records (bytes
 * are cited, not judged: a codec alone moves them). */
static double load_share(const load *u, const load *all)
{
    return frac(u->records, all->records);
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
    return frac(thr, resp);
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
    double err = frac(u->errored, u->answered), rest_err = frac(rest->errored, rest->answered);
    *p50 = ms_of(kt_hist_percentile(&u->latency, 50));
    *rest_p50 = ms_of(kt_hist_percentile(&rest->latency, 50));
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
static void load_finding(list *l, const kt_findings_input *in, const char *topic, int32_t part,
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
    kt_finding *f = add(l, "hot_partition", worse ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                        share / LOAD_SHARE);
    if (!f)
        return;
    if (part >= 0 && seen == 1) {
        subject(f, "topic %s", topic);
        snprintf(what, sizeof what, "Too few partitions: topic %s, seen with one partition "
                 "(%" PRId32 "),", topic, part);
    } else if (part >= 0) {
        subject(f, "topic %s partition %" PRId32, topic, part);
        snprintf(what, sizeof what, "Load skew: %s partition %" PRId32 " (of %zu seen)",
                 topic, part, seen);
    } else {
        subject(f, "topic %s", topic);
        snprintf(what, sizeof what, "Too few partitions: topic %s, seen with %zu partitions,",
                 topic, seen);
    }
    if (u->latency.count)
        snprintf(tail, sizeof tail, "; produce p50 %.3f ms, the rest %.3f ms%s", p50,
                 rest_p50, worse_text(worse));
    else
        snprintf(tail, sizeof tail, "; no answered produce requests%s", worse_text(worse));
    summary(f, "%s carries %.1f%% of the capture's produced records (%" PRIu64 " of %" PRIu64
               ") and %.1f%% of its bytes (%" PRIu64 " of %" PRIu64 "), %" PRIu64 " of %" PRIu64
               " partition produce requests, %.1f records/s over %.3f s; %zu partitions "
               "took Produce, fair share %.1f%%%s",
            what, frac(u->records, all->records) * 100, u->records, all->records,
            frac(u->bytes, all->bytes) * 100, u->bytes, all->bytes, u->requests, all->requests,
            rate, span, all->partitions, fair * 100, tail);
    metric(f, "records_share", frac(u->records, all->records));
    metric(f, "bytes_share", frac(u->bytes, all->bytes));
    metric(f, "requests_share", frac(u->requests, all->requests));
    metric(f, "records", (double)u->records);
    metric(f, "bytes", (double)u->bytes);
    metric(f, "records_per_s", rate);
    metric(f, "seconds", span);
    metric(f, "topic_partitions_seen", (double)seen);
    metric(f, "partitions", (double)all->partitions);
    metric(f, "fair_share", fair);
    if (u->latency.count) {
        metric(f, "p50_ms", p50);
        metric(f, "rest_p50_ms", rest_p50);
    }
    metric(f, "errored", (double)u->errored);
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
static void load_skew(list *l, const kt_findings_input *in, const topic_group *g, size_t ng, const kt_partition_stats *const *m,
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
static void hot_brokers(list *l, const kt_findings_input *in, const topic_group *g, size_t ng,
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
        double share = frac(b[k].led, all.records);
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
        kt_finding *f = add(l, "hot_broker", worse ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                            share / LOAD_SHARE);
        if (!f)
            break;
        kt_endpoint_format(&b[k].ep, name, sizeof name);
        topics_on(topics, sizeof topics, g, ng, &b[k].ep);
        subject(f, "broker %s", name);
        summary(f, "Hot broker: %s leads %zu of the %zu partitions that took Produce and "
                   "%.1f%% of their records (%" PRIu64 " of %" PRIu64 "), %.1f%% of the bytes; "
                   "the other %zu broker%s %.1f%% each on average; produce p50 %.3f ms, the "
                   "rest %.3f ms%s%s",
                name, b[k].u.partitions, all.partitions, share * 100, b[k].led, all.records, frac(b[k].u.bytes, all.bytes) * 100, nb - 1, nb == 2 ? "" : "s",
                rest_mean * 100, p50, rest_p50, worse_text(worse), topics);
        metric(f, "records_share", share);
        metric(f, "bytes_share", frac(b[k].u.bytes, all.bytes));
        metric(f, "records", (double)b[k].led);
        metric(f, "partitions", (double)b[k].u.partitions);
        metric(f, "brokers", (double)nb);
        metric(f, "rest_mean_share", rest_mean);
        metric(f, "p50_ms", p50);
        metric(f, "rest_p50_ms", rest_p50);
    }
out:
    for (size_t k = 0; k < nb; k++)
        kt_hist_free(&b[k].u.latency);
    kt_hist_free(&all.latency);
    free(b);
}

/* m: the partitions merged by canonical topic. */
static void hot_partitions(list *l, const kt_findings_input *in)
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
        t->p50_ms = ms_of(kt_hist_percentile(&h, 50));
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

/* ---- slow_broker ------------------------------------------------------ */

static const kt_agg *broker_basis(const kt_broker_stats *b, int produce)
{
    return produce ? &b->produce : &b->agg;
}

static void slow_brokers(list *l, const kt_stats *s)
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
    if (!produce && s->api[KT_API_FETCH] && s->api[KT_API_FETCH]->agg.requests)
        goto out;                /* long-polls: all-APIs latency says nothing */
    for (size_t i = 0; i < s->nbrokers; i++) {
        const kt_broker_stats *x = s->brokers[i];
        const kt_agg *a = broker_basis(x, produce);
        if (x->is_other || a->latency.count < SLOW_MIN_ANSWERED)
            continue;
        b[nb] = x;
        p50[nb++] = ms_of(kt_hist_percentile(&a->latency, 50));
    }
    if (nb < 2)
        goto out;
    for (size_t i = 0; i < nb; i++) {
        size_t n = 0;
        for (size_t k = 0; k < nb; k++)
            if (k != i)
                peers[n++] = p50[k];
        double med = median(peers, n);
        if (p50[i] < SLOW_FACTOR * med || p50[i] - med < SLOW_MIN_GAP_MS)
            continue;
        double ratio = med > 0 ? p50[i] / med : p50[i] * 1000;
        const kt_agg *a = broker_basis(b[i], produce);
        kt_finding *f = add(l, "slow_broker",
                            ratio >= SLOW_CRIT_FACTOR ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                            ratio / SLOW_FACTOR);
        if (!f)
            break;
        kt_endpoint_format(&b[i]->broker, name, sizeof name);
        subject(f, "broker %s", name);
        summary(f, "Slow broker: %s answers %s in %.3f ms at p50 (p99 %.3f ms, %" PRIu64
                   " answered), %.1fx the median p50 of its %zu peer%s (%.3f ms)",
                name, produce ? "Produce" : "requests (all APIs)", p50[i],
                ms_of(kt_hist_percentile(&a->latency, 99)), a->latency.count, ratio, n,
                n == 1 ? "" : "s", med);
        metric(f, "p50_ms", p50[i]);
        metric(f, "p99_ms", ms_of(kt_hist_percentile(&a->latency, 99)));
        metric(f, "peers_median_p50_ms", med);
        metric(f, "ratio", ratio);
        metric(f, "peers", (double)n);
        metric(f, "answered", (double)a->latency.count);
        metric(f, "produce_only", produce);
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
static void slow_abs(list *l, const char *kind, const char *what, const char *subj,
                     const kt_histogram *h, int threshold_ms)
{
    if (h->count < ABS_MIN_ANSWERED)
        return;
    uint64_t over = kt_hist_count_at_least(h, (uint64_t)threshold_ms * 1000);
    double share = frac(over, h->count);
    if (share < ABS_SHARE)
        return;
    double p50 = ms_of(kt_hist_percentile(h, 50)), p99 = ms_of(kt_hist_percentile(h, 99));
    kt_finding *f = add(l, kind,
                        p50 >= ABS_CRIT_FACTOR * threshold_ms ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                        p50 / threshold_ms);
    if (!f)
        return;
    subject(f, "%s", subj);
    summary(f, "Slow %s: %s: %" PRIu64 " of %" PRIu64 " answered (%.1f%%) took %d ms or more; "
               "p50 %.3f ms, p99 %.3f ms, max %.3f ms",
            what, subj, over, h->count, share * 100, threshold_ms, p50, p99, ms_of(h->max));
    metric(f, "threshold_ms", threshold_ms);
    metric(f, "over", (double)over);
    metric(f, "answered", (double)h->count);
    metric(f, "share", share);
    metric(f, "p50_ms", p50);
    metric(f, "p99_ms", p99);
    metric(f, "max_ms", ms_of(h->max));
}

static void slow_absolute(list *l, const kt_findings_input *in)
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

/* ---- who is involved: the brokers and client ids with the most of a
 * count, written as " (brokers: A 12, B 3; client ids: c 15)" ----------- */

typedef uint64_t (*agg_count_fn)(const kt_agg *a, int16_t code);

static uint64_t count_code(const kt_agg *a, int16_t code)
{
    for (int i = 0; i < a->nerrors; i++)
        if (a->errors[i].code == code)
            return a->errors[i].count;
    return 0;
}

static uint64_t count_errored(const kt_agg *a, int16_t code)
{
    (void)code;
    return a->errored;
}

static uint64_t count_unanswered(const kt_agg *a, int16_t code)
{
    (void)code;
    return a->unanswered;
}

typedef struct ranked {
    size_t idx;
    uint64_t v;
} ranked;

/* Keeps the TOP_INVOLVED largest (v, idx) in top[], largest first. */
static size_t rank(ranked *top, size_t n, size_t idx, uint64_t v)
{
    if (!v)
        return n;
    size_t at = n;
    while (at > 0 && top[at - 1].v < v)
        at--;
    if (at >= TOP_INVOLVED)
        return n;
    if (n < TOP_INVOLVED)
        n++;
    memmove(&top[at + 1], &top[at], (n - 1 - at) * sizeof *top);
    top[at].idx = idx;
    top[at].v = v;
    return n;
}

static void involved(char *buf, size_t len, const kt_stats *s, int api_key, agg_count_fn fn,
                     int16_t code)
{
    ranked tb[TOP_INVOLVED + 1], tc[TOP_INVOLVED + 1];
    size_t nb = 0, nc = 0, o = 0;
    char label[128];
    /* a broker's Produce aggregate is exact for Produce; for other APIs
     * only the broker's total over all APIs is kept */
    int use_produce = api_key == KT_API_PRODUCE;

    for (size_t i = 0; i < s->nbrokers; i++)
        nb = rank(tb, nb, i, fn(use_produce ? &s->brokers[i]->produce : &s->brokers[i]->agg, code));
    for (size_t i = 0; i < s->nclients; i++)
        nc = rank(tc, nc, i, fn(&s->clients[i]->agg, code));
    buf[0] = 0;
    if (!nb && !nc)
        return;
#define PUT(...) do { if (o < len) o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); } while (0)
    PUT(" (");
    if (nb) {
        PUT("brokers%s:", use_produce ? "" : ", all APIs");
        for (size_t i = 0; i < nb; i++) {
            const kt_broker_stats *b = s->brokers[tb[i].idx];
            kt_label_broker(label, sizeof label, &b->broker, b->is_other);
            PUT("%s %s %" PRIu64, i ? "," : "", label, tb[i].v);
        }
    }
    if (nc) {
        PUT("%sclient ids, all APIs:", nb ? "; " : "");
        for (size_t i = 0; i < nc; i++) {
            kt_label_client_id(label, 64, s->clients[tc[i].idx]->client_id);
            PUT("%s %s %" PRIu64, i ? "," : "", label, tc[i].v);
        }
    }
    PUT(")");
#undef PUT
}

/* ---- error_storm ------------------------------------------------------ */

static int expected_step(int api_key, int code)
{
    return (api_key == KT_API_API_VERSIONS && code == KT_ERR_UNSUPPORTED_VERSION) ||
           (api_key == KT_API_JOIN_GROUP && code == KT_ERR_MEMBER_ID_REQUIRED);
}

/* The agg's error codes, most frequent first: a copy, the statistics stay
 * as they are.  NULL when there are none or memory runs out. */
static kt_code_count *sorted_codes(const kt_agg *a)
{
    kt_code_count *c = a->nerrors > 0 ? malloc((size_t)a->nerrors * sizeof *c) : NULL;
    if (!c)
        return NULL;
    memcpy(c, a->errors, (size_t)a->nerrors * sizeof *c);
    kt_code_counts_sort(c, a->nerrors);
    return c;
}

/* An API whose responses carry errors often, whatever the codes (errs:
 * its codes, sorted). */
static void error_rate(list *l, const kt_stats *s, const kt_api_stats *api,
                       const kt_code_count *errs)
{
    const kt_agg *a = &api->agg;
    char apib[32], errb[32], codes[300], who[300];
    size_t o = 0;
    double share;
    int unexpected = 0;

    for (int k = 0; k < a->nerrors; k++)
        if (!expected_step(api->api_key, errs[k].code))
            unexpected = 1;
    if (!unexpected || a->errored < RATE_MIN_ERRORED)
        return;
    share = (double)a->errored / (double)a->matched;
    if (share < RATE_SHARE)
        return;
    kt_finding *f = add(l, "error_storm", share >= RATE_CRIT_SHARE ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                        share / RATE_SHARE);
    if (!f)
        return;
    codes[0] = 0;
    for (int k = 0; k < a->nerrors && o < sizeof codes; k++)
        o += (size_t)snprintf(codes + o, sizeof codes - o, "%s%s %" PRIu64, k ? ", " : "",
                              kt_error_label(errs[k].code, errb, sizeof errb),
                              errs[k].count);
    const char *name = kt_api_name(api->api_key, apib, sizeof apib);
    involved(who, sizeof who, s, api->api_key, count_errored, 0);
    subject(f, "%s errors", name);
    summary(f, "Errors: %s answered %" PRIu64 " of %" PRIu64 " responses with an error code "
               "(%.1f%%): %s%s",
            name, a->errored, a->matched, share * 100, codes, who);
    metric(f, "errored", (double)a->errored);
    metric(f, "responses", (double)a->matched);
    metric(f, "share", share);
    metric(f, "api_key", api->api_key);
}

static void error_storms(list *l, const kt_stats *s, const kt_api_stats *const *apis,
                         size_t napis)
{
    char apib[32], errb[32], who[300];
    for (size_t i = 0; i < napis; i++) {
        const kt_agg *a = &apis[i]->agg;
        kt_code_count *errs;
        int stormed = 0;
        if (!a->matched || !a->nerrors)
            continue;
        if (!(errs = sorted_codes(a)))
            return;
        for (int k = 0; k < a->nerrors; k++) {
            uint64_t c = errs[k].count;
            int16_t code = errs[k].code;
            double share = (double)c / (double)a->matched;
            if (!code || c < STORM_MIN_COUNT || share < STORM_SHARE ||
                expected_step(apis[i]->api_key, code))
                continue;
            kt_finding *f = add(l, "error_storm",
                                share >= STORM_CRIT_SHARE ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                                share / STORM_SHARE);
            if (!f) {
                free(errs);
                return;
            }
            const char *api = kt_api_name(apis[i]->api_key, apib, sizeof apib);
            const char *err = kt_error_label(code, errb, sizeof errb);
            involved(who, sizeof who, s, apis[i]->api_key, count_code, code);
            subject(f, "%s %s", api, err);
            summary(f, "Error storm: %s answered %s %" PRIu64 " times in %" PRIu64
                       " responses (%.1f%%)%s",
                    api, err, c, a->matched, share * 100, who);
            metric(f, "count", (double)c);
            metric(f, "responses", (double)a->matched);
            metric(f, "share", share);
            metric(f, "error_code", code);
            metric(f, "api_key", apis[i]->api_key);
            stormed = 1;
        }
        if (!stormed)
            error_rate(l, s, apis[i], errs);
        free(errs);
    }
}

/* ---- throttling ------------------------------------------------------- */

static void throttling(list *l, const kt_throttle_stats *const *t, size_t n)
{
    char client[128], broker[KT_ENDPOINT_STRLEN];
    for (size_t i = 0; t && i < n; i++) {
        const kt_throttle_stats *x = t[i];
        if (!x->throttled)
            continue;
        kt_finding *f = add(l, "throttling",
                            x->throttle_ms_max >= THROTTLE_CRIT_MS ? KT_SEV_CRITICAL
                                                                  : KT_SEV_WARNING,
                            (double)x->throttle_ms_total / THROTTLE_CRIT_MS);
        if (!f)
            break;
        kt_label_client_id(client, sizeof client, x->client_id);
        kt_endpoint_format(&x->broker, broker, sizeof broker);
        subject(f, "client id %s on broker %s", client, broker);
        summary(f, "Throttling: broker %s throttled client id %s in %" PRIu64 " of %" PRIu64
                   " responses, %" PRIu64 " ms in all, at most %" PRIu64 " ms",
                broker, client, x->throttled, x->responses, x->throttle_ms_total,
                x->throttle_ms_max);
        metric(f, "throttled", (double)x->throttled);
        metric(f, "responses", (double)x->responses);
        metric(f, "throttle_ms_total", (double)x->throttle_ms_total);
        metric(f, "throttle_ms_max", (double)x->throttle_ms_max);
    }
}

/* ---- unanswered_requests ---------------------------------------------- */

static void unanswered(list *l, const kt_stats *s, const kt_api_stats *const *apis,
                       size_t napis)
{
    char apib[32], who[300];
    for (size_t i = 0; i < napis; i++) {
        const kt_agg *a = &apis[i]->agg;
        int fetch = apis[i]->api_key == KT_API_FETCH;
        if (!a->requests || a->unanswered < UNANS_MIN)
            continue;
        double share = (double)a->unanswered / (double)a->requests;
        if (share < UNANS_SHARE)
            continue;
        int sev = fetch && share < UNANS_FETCH_WARN_SHARE ? KT_SEV_INFO : KT_SEV_WARNING;
        kt_finding *f = add(l, "unanswered_requests", sev, share / UNANS_SHARE);
        if (!f)
            return;
        const char *api = kt_api_name(apis[i]->api_key, apib, sizeof apib);
        involved(who, sizeof who, s, apis[i]->api_key, count_unanswered, 0);
        subject(f, "%s", api);
        summary(f, "Unanswered requests: %" PRIu64 " of %" PRIu64 " %s requests (%.1f%%) got "
                   "no response%s%s",
                a->unanswered, a->requests, api, share * 100, who,
                fetch ? "; long-poll Fetch requests still in flight when a capture ends are "
                        "normal"
                      : "");
        metric(f, "unanswered", (double)a->unanswered);
        metric(f, "requests", (double)a->requests);
        metric(f, "share", share);
        metric(f, "api_key", apis[i]->api_key);
    }
}

/* ---- capture_loss ------------------------------------------------------ */

/* Appends to buf (always terminated; cut when full). */
static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    if (used + 1 >= len)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static void capture_loss(list *l, const kt_findings_loss *x)
{
    uint64_t drops = x->dropped + x->if_dropped;
    double pkt_share = drops ? (double)drops / (double)(x->packets + drops) : 0;
    double req_share = x->requests ? (double)x->unknown / (double)x->requests : 0;
    double share = pkt_share > req_share ? pkt_share : req_share;
    char text[sizeof ((kt_finding *)0)->summary] = "", cl[KT_ENDPOINT_STRLEN], br[KT_ENDPOINT_STRLEN];

    if (!drops && !x->missed_bytes && !x->unknown && !x->lost_request_responses)
        return;
    kt_finding *f = add(l, "capture_loss", share >= LOSS_CRIT_SHARE ? KT_SEV_CRITICAL
                                                                      : KT_SEV_WARNING,
                        share / LOSS_CRIT_SHARE + 1);
    if (!f)
        return;
    subject(f, "capture");
    if (drops)
        append(text, sizeof text, "; %" PRIu64 " packets dropped by the kernel and %" PRIu64
               " by the interface (%.2f%% of %" PRIu64 ")", x->dropped, x->if_dropped,
               pkt_share * 100, x->packets + drops);
    if (x->missed_bytes) {
        append(text, sizeof text, "; %" PRIu64 " bytes never captured on %" PRIu64 " of %" PRIu64
               " Kafka connections", x->missed_bytes, x->lossy_connections, x->connections);
        for (size_t i = 0; i < x->nworst; i++) {
            kt_endpoint_format(&x->worst[i].client, cl, sizeof cl);
            kt_endpoint_format(&x->worst[i].broker, br, sizeof br);
            append(text, sizeof text, "%s%s -> %s %" PRIu64 " bytes", i ? ", " : " (most: ",
                   cl, br, x->worst[i].missed_bytes);
        }
        if (x->nworst)
            append(text, sizeof text, ")");
    }
    if (x->unknown)
        append(text, sizeof text, "; %" PRIu64 " of %" PRIu64 " requests unknown (their response"
               " may be in a gap)", x->unknown, x->requests);
    if (x->lost_request_responses)
        append(text, sizeof text, "; %" PRIu64 " responses to requests the capture lost",
               x->lost_request_responses);
    /* every part starts with "; " */
    summary(f, "Capture loss: %s: request counts, records and error rates are lower bounds"
               " (latencies and errors are those of what was captured)", text + 2);
    metric(f, "dropped", (double)x->dropped);
    metric(f, "if_dropped", (double)x->if_dropped);
    metric(f, "packet_loss_share", pkt_share);
    metric(f, "missed_bytes", (double)x->missed_bytes);
    metric(f, "lossy_connections", (double)x->lossy_connections);
    metric(f, "unknown_requests", (double)x->unknown);
    metric(f, "unknown_share", req_share);
    metric(f, "lost_request_responses", (double)x->lost_request_responses);
}

/* ---- all of them ------------------------------------------------------ */

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->f.severity != y->f.severity)
        return x->f.severity > y->f.severity ? -1 : 1;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    int c = strcmp(x->f.kind, y->f.kind);
    return c ? c : strcmp(x->f.subject, y->f.subject);
}

/* Rules that judge many peers one by one (brokers, partitions, client
 * ids): when one of them fires for GROUP_MIN subjects or more, the
 * report keeps one finding, the worst, naming the next GROUP_NAMED and
 * counting the rest.  e is sorted, most severe first. */
static int grouped_kind(const char *kind)
{
    static const char *const kinds[] = { "hot_partition", "hot_broker", "slow_broker", "slow_produce",
                                         "slow_fetch", "throttling" };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kind, kinds[i]))
            return 1;
    return 0;
}

static size_t group_peers(entry *e, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t like = 0;
        if (!e[i].f.kind) {
            continue;                   /* folded into an earlier one */
        }
        if (grouped_kind(e[i].f.kind))
            for (size_t k = i + 1; k < n; k++)
                if (e[k].f.kind && !strcmp(e[k].f.kind, e[i].f.kind))
                    like++;
        if (like + 1 >= GROUP_MIN) {
            kt_finding *f = &e[i].f;
            size_t len = strlen(f->summary), named = 0;
            len += (size_t)snprintf(f->summary + len, sizeof f->summary - len,
                                    "; and %zu more like it:", like);
            for (size_t k = i + 1; k < n; k++) {
                if (!e[k].f.kind || strcmp(e[k].f.kind, f->kind))
                    continue;
                if (named < GROUP_NAMED && len < sizeof f->summary)
                    len += (size_t)snprintf(f->summary + len, sizeof f->summary - len,
                                            "%s %s (%s)", named ? "," : "", e[k].f.subject,
                                            kt_severity_name(e[k].f.severity));
                named++;
                e[k].f.kind = NULL;
            }
            if (like > GROUP_NAMED && len < sizeof f->summary)
                snprintf(f->summary + len, sizeof f->summary - len, ", and %zu others",
                         like - GROUP_NAMED);
            metric(f, "more_like_it", (double)like);
        }
        e[o++] = e[i];
    }
    return o;
}

size_t kt_findings_compute(const kt_findings_input *in, kt_finding **out)
{
    list l = { 0 };
    const kt_stats *s = in->stats;

    *out = NULL;
    if (!s)
        return 0;
    hot_partitions(&l, in);
    slow_brokers(&l, s);
    slow_absolute(&l, in);
    if (in->apis) {
        error_storms(&l, s, in->apis, in->napis);
        unanswered(&l, s, in->apis, in->napis);
    }
    throttling(&l, in->throttled, in->nthrottled);
    capture_loss(&l, &in->loss);
    if (!l.n) {
        free(l.e);
        return 0;
    }
    qsort(l.e, l.n, sizeof *l.e, cmp_entry);
    l.n = group_peers(l.e, l.n);
    kt_finding *f = malloc(l.n * sizeof *f);
    if (!f) {
        free(l.e);
        return 0;
    }
    for (size_t i = 0; i < l.n; i++)
        f[i] = l.e[i].f;
    free(l.e);
    *out = f;
    return l.n;
}
