/* findings_errors.c - the rules on what brokers answer: error storms and
 * error rates, throttling, unanswered requests; each names the brokers
 * and client ids with the most of it.
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
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
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_names.h"
#include "findings/rules.h"
#include "kafka/client_role.h"
#include "stats/labels.h"

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
#define TOP_INVOLVED 3

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

/* Ties between peers in the order of their keys (broker address, client
 * id), not the order the capture met them: a merged report of several
 * hosts (report_merge.h) names them as the single capture does. */
typedef int (*tie_fn)(const kt_stats *s, size_t a, size_t b);

static int broker_before(const kt_stats *s, size_t a, size_t b)
{
    const kt_broker_stats *x = s->brokers[a], *y = s->brokers[b];
    int c;
    if (x->is_other != y->is_other)
        return x->is_other ? 1 : -1;
    if (x->broker.family != y->broker.family)
        return x->broker.family < y->broker.family ? -1 : 1;
    c = memcmp(x->broker.addr, y->broker.addr, sizeof x->broker.addr);
    return c ? c : (int)x->broker.port - (int)y->broker.port;
}

static int client_before(const kt_stats *s, size_t a, size_t b)
{
    const kt_istr *x = s->clients[a]->client_id, *y = s->clients[b]->client_id;
    if (x->is_null != y->is_null)
        return x->is_null ? 1 : -1;
    return strcmp(x->s, y->s);
}

/* Keeps the TOP_INVOLVED largest (v, idx) in top[], largest first, ties in
 * the order of tie. */
static size_t rank(ranked *top, size_t n, size_t idx, uint64_t v, const kt_stats *s, tie_fn tie)
{
    if (!v)
        return n;
    size_t at = n;
    while (at > 0 && (top[at - 1].v < v ||
                      (top[at - 1].v == v && tie(s, idx, top[at - 1].idx) < 0)))
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
        nb = rank(tb, nb, i, fn(use_produce ? &s->brokers[i]->produce : &s->brokers[i]->agg, code),
                  s, broker_before);
    for (size_t i = 0; i < s->nclients; i++)
        if (api_key != KT_API_FETCH || !(s->clients[i]->roles & KT_CROLE_FOLLOWER))
            nc = rank(tc, nc, i, fn(&s->clients[i]->agg, code), s, client_before);
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

/* Codes that the coordinator APIs answer while a coordinator loads, moves
 * or still completes the previous transaction, and that clients retry
 * (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
 * CONCURRENT_TRANSACTIONS): a storm of them is info, not a warning, unless
 * other codes come with them.  A coordinator that stays unavailable shows as
 * such a storm that lasts (the When section) and in the clients' other
 * findings. */
static int coordinator_step(int api_key, int code)
{
    switch (api_key) {
    case KT_API_FIND_COORDINATOR: case KT_API_INIT_PRODUCER_ID:
    case KT_API_ADD_PARTITIONS_TO_TXN: case KT_API_ADD_OFFSETS_TO_TXN:
    case KT_API_END_TXN: case KT_API_TXN_OFFSET_COMMIT:
    case KT_API_JOIN_GROUP: case KT_API_SYNC_GROUP: case KT_API_HEARTBEAT:
    case KT_API_LEAVE_GROUP: case KT_API_OFFSET_COMMIT: case KT_API_OFFSET_FETCH:
    case KT_API_CONSUMER_GROUP_HEARTBEAT:
        break;
    default:
        return 0;
    }
    return code == KT_ERR_COORDINATOR_LOAD_IN_PROGRESS || code == KT_ERR_COORDINATOR_NOT_AVAILABLE ||
           code == KT_ERR_NOT_COORDINATOR || code == KT_ERR_CONCURRENT_TRANSACTIONS;
}

#define RETRIED_NOTE "; clients retry this code (a coordinator loading or moving, a transaction " \
    "still completing): a problem when it lasts"

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
static void error_rate(kt_finding_list *l, const kt_stats *s, const kt_api_stats *api,
                       const kt_code_count *errs)
{
    const kt_agg *a = &api->agg;
    char apib[32], errb[32], codes[300], who[300];
    size_t o = 0;
    double share;
    int unexpected = 0, retried = 1;

    for (int k = 0; k < a->nerrors; k++) {
        if (!expected_step(api->api_key, errs[k].code))
            unexpected = 1;
        if (!coordinator_step(api->api_key, errs[k].code) && !expected_step(api->api_key, errs[k].code))
            retried = 0;
    }
    if (!unexpected || a->errored < RATE_MIN_ERRORED)
        return;
    share = (double)a->errored / (double)a->matched;
    if (share < RATE_SHARE)
        return;
    kt_finding *f = kt_finding_add(l, "error_storm",
                        retried ? KT_SEV_INFO : share >= RATE_CRIT_SHARE ? KT_SEV_CRITICAL : KT_SEV_WARNING,
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
    kt_subject(f, "%s errors", name);
    kt_summary(f, "Errors: %s answered %" PRIu64 " of %" PRIu64 " responses with an error code "
               "(%.1f%%): %s%s%s",
            name, a->errored, a->matched, share * 100, codes, who, retried ? RETRIED_NOTE : "");
    kt_finding_metric(f, "errored", (double)a->errored);
    kt_finding_metric(f, "responses", (double)a->matched);
    kt_finding_metric(f, "share", share);
    kt_finding_metric(f, "api_key", api->api_key);
}

static void error_storms(kt_finding_list *l, const kt_stats *s, const kt_api_stats *const *apis,
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
            int retried = coordinator_step(apis[i]->api_key, code);
            kt_finding *f = kt_finding_add(l, "error_storm",
                                retried ? KT_SEV_INFO
                                : share >= STORM_CRIT_SHARE ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                                share / STORM_SHARE);
            if (!f) {
                free(errs);
                return;
            }
            const char *api = kt_api_name(apis[i]->api_key, apib, sizeof apib);
            const char *err = kt_error_label(code, errb, sizeof errb);
            involved(who, sizeof who, s, apis[i]->api_key, count_code, code);
            kt_subject(f, "%s %s", api, err);
            kt_summary(f, "Error storm: %s answered %s %" PRIu64 " times in %" PRIu64
                       " responses (%.1f%%)%s%s",
                    api, err, c, a->matched, share * 100, who, retried ? RETRIED_NOTE : "");
            kt_finding_metric(f, "count", (double)c);
            kt_finding_metric(f, "responses", (double)a->matched);
            kt_finding_metric(f, "share", share);
            kt_finding_metric(f, "error_code", code);
            kt_finding_metric(f, "api_key", apis[i]->api_key);
            stormed = 1;
        }
        if (!stormed)
            error_rate(l, s, apis[i], errs);
        free(errs);
    }
}

/* ---- throttling ------------------------------------------------------- */

static void throttling(kt_finding_list *l, const kt_throttle_stats *const *t, size_t n)
{
    char client[128], broker[KT_ENDPOINT_STRLEN];
    for (size_t i = 0; t && i < n; i++) {
        const kt_throttle_stats *x = t[i];
        if (!x->throttled)
            continue;
        kt_finding *f = kt_finding_add(l, "throttling",
                            x->throttle_ms_max >= THROTTLE_CRIT_MS ? KT_SEV_CRITICAL
                                                                  : KT_SEV_WARNING,
                            (double)x->throttle_ms_total / THROTTLE_CRIT_MS);
        if (!f)
            break;
        kt_label_client_id(client, sizeof client, x->client_id);
        kt_endpoint_format(&x->broker, broker, sizeof broker);
        kt_subject(f, "client id %s on broker %s", client, broker);
        kt_summary(f, "Throttling: broker %s throttled client id %s in %" PRIu64 " of %" PRIu64
                   " responses, %" PRIu64 " ms in all, at most %" PRIu64 " ms",
                broker, client, x->throttled, x->responses, x->throttle_ms_total,
                x->throttle_ms_max);
        kt_finding_metric(f, "throttled", (double)x->throttled);
        kt_finding_metric(f, "responses", (double)x->responses);
        kt_finding_metric(f, "throttle_ms_total", (double)x->throttle_ms_total);
        kt_finding_metric(f, "throttle_ms_max", (double)x->throttle_ms_max);
    }
}

/* ---- unanswered_requests ---------------------------------------------- */

static void unanswered(kt_finding_list *l, const kt_stats *s, const kt_api_stats *const *apis,
                       size_t napis)
{
    char apib[32], who[300];
    for (size_t i = 0; i < napis; i++) {
        const kt_agg *a = &apis[i]->agg;
        int fetch = apis[i]->api_key == KT_API_FETCH;
        if (apis[i]->follower)
            continue;               /* replication: findings_replication.c */
        if (!a->requests || a->unanswered < UNANS_MIN)
            continue;
        double share = (double)a->unanswered / (double)a->requests;
        if (share < UNANS_SHARE)
            continue;
        int sev = fetch && share < UNANS_FETCH_WARN_SHARE ? KT_SEV_INFO : KT_SEV_WARNING;
        kt_finding *f = kt_finding_add(l, "unanswered_requests", sev, share / UNANS_SHARE);
        if (!f)
            return;
        const char *api = kt_api_name(apis[i]->api_key, apib, sizeof apib);
        involved(who, sizeof who, s, apis[i]->api_key, count_unanswered, 0);
        kt_subject(f, "%s", api);
        kt_summary(f, "Unanswered requests: %" PRIu64 " of %" PRIu64 " %s requests (%.1f%%) got "
                   "no response%s%s",
                a->unanswered, a->requests, api, share * 100, who,
                fetch ? "; long-poll Fetch requests still in flight when a capture ends are "
                        "normal"
                      : "");
        kt_finding_metric(f, "unanswered", (double)a->unanswered);
        kt_finding_metric(f, "requests", (double)a->requests);
        kt_finding_metric(f, "share", share);
        kt_finding_metric(f, "api_key", apis[i]->api_key);
    }
}

void kt_rules_errors(kt_finding_list *l, const kt_findings_input *in)
{
    if (in->apis) {
        error_storms(l, in->stats, in->apis, in->napis);
        unanswered(l, in->stats, in->apis, in->napis);
    }
    throttling(l, in->throttled, in->nthrottled);
}
