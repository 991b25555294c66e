/* findings.c - the findings: what an expert would say about the statistics
 * of a capture, each citing the numbers behind it.  The rules live in one
 * file per family (findings_load.c, findings_latency.c, findings_errors.c,
 * findings_capture.c, findings_clients.c, findings_batching.c,
 * findings_txn.c, findings_replication.c; rules.h); this file runs them, folds a per-peer rule
 * that fires for many peers into one finding and orders the result.
 *
 * Grouping: a per-peer rule (hot_partition, hot_broker, slow_broker,
 * slow_produce, slow_fetch, throttling, failing_client, sasl_auth_failure,
 * tiny_batches, transaction_aborts, transaction_fenced)
 * firing for GROUP_MIN (4) subjects
 * or more is one finding, the worst, naming GROUP_NAMED (3) more.
 *
 * Order: most severe first, then by how far the rule's main number is past
 * its threshold, then kind and subject (for a stable output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/rules.h"

const char *kt_severity_name(int severity)
{
    switch (severity) {
    case KT_SEV_CRITICAL: return "critical";
    case KT_SEV_WARNING: return "warning";
    default: return "info";
    }
}

#define GROUP_MIN 4
#define GROUP_NAMED 3

/* ---- all of them ------------------------------------------------------ */

static int cmp_entry(const void *a, const void *b)
{
    const kt_finding_entry *x = a, *y = b;
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
                                         "slow_fetch", "throttling", "failing_client",
                                         "sasl_auth_failure", "tiny_batches", "transaction_aborts",
                                         "transaction_fenced", "replication_lag", "slow_follower",
                                         "slow_follower_acks", "broker_silent" };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kind, kinds[i]))
            return 1;
    return 0;
}

static size_t group_peers(kt_finding_entry *e, size_t n)
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
            kt_finding_metric(f, "more_like_it", (double)like);
        }
        e[o++] = e[i];
    }
    return o;
}

size_t kt_findings_compute(const kt_findings_input *in, kt_finding **out)
{
    static void (*const families[])(kt_finding_list *, const kt_findings_input *) = {
        kt_rules_load, kt_rules_latency, kt_rules_errors, kt_rules_txn, kt_rules_replication,
        kt_rules_capture, kt_rules_clients, kt_rules_batching, kt_rules_queueing, kt_rules_acks,
        kt_rules_availability,
    };
    kt_finding_list l = { 0 };

    *out = NULL;
    if (!in->stats)
        return 0;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        families[i](&l, in);
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
