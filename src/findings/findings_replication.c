/* findings_replication.c - the rules on inter-broker replication, judged
 * from the followers' Fetch requests (replication_stats.h): a follower that
 * falls behind its leader, or stops fetching while the leader is written.
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * replication_lag  A follower (replica id of its Fetch requests) whose fetch
 *                  offset trailed the leader's high watermark by
 *                  KT_REPLICA_BEHIND_RECORDS (100) records or more, and
 *                  had been behind for REPL_MIN_S (5 s) or more by then
 *                  (since its last fetch that was not behind): warning;
 *                  critical at REPL_CRIT_S (30 s, Kafka's default
 *                  replica.lag.time.max.ms, when a leader drops a follower
 *                  from the ISR).  One finding per (follower, leader),
 *                  naming its partitions, the largest lag and the longest
 *                  time.
 * slow_follower    A follower that sent no Fetch for a partition for
 *                  REPL_MIN_S or more while Produce requests for it reached
 *                  the same leader (between two of its fetches, or from its
 *                  last fetch to the last such Produce request in the
 *                  capture), without a lag that says the same: a follower
 *                  still in the ISR holds the high watermark back, so its
 *                  lag reads 0 however far behind it is.  Same severities.
 * A follower that fits both is one replication_lag finding citing both.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/rules.h"
#include "stats/labels.h"

#define REPL_MIN_S 5.0
#define REPL_CRIT_S 30.0
#define REPL_NAMED_PARTS 4

/* A row and its silence at the end of the capture (as the report
 * computed it, kt_partitions_unfetched_us). */
typedef struct row {
    const kt_replica_stats *r;
    uint64_t unfetched_us;
    const char *name;             /* the follower's, as the report names it */
    size_t rank;                  /* its place in the report's order */
} row;

typedef struct follower_sum {
    size_t nparts;                /* rows past a threshold */
    double behind_s, silence_s;   /* longest */
    int64_t lag_max;              /* largest lag when behind */
    uint64_t records;             /* replicated on those rows */
    char parts[200];
} follower_sum;

/* (follower id, leader) order: a follower's rows next to each other. */
static int cmp_follower(const void *a, const void *b)
{
    const kt_replica_stats *x = ((const row *)a)->r, *y = ((const row *)b)->r;
    if (x->follower_id != y->follower_id)
        return x->follower_id < y->follower_id ? -1 : 1;
    return memcmp(&x->leader, &y->leader, sizeof x->leader);
}

/* The same, then in the report's order (largest lag first). */
static int cmp_row(const void *a, const void *b)
{
    int c = cmp_follower(a, b);
    if (c)
        return c;
    return ((const row *)a)->rank < ((const row *)b)->rank ? -1 : 1;
}

static void judge_row(follower_sum *s, const kt_replica_stats *r, uint64_t end)
{
    double behind = r->behind_lag >= KT_REPLICA_BEHIND_RECORDS ? (double)r->behind_max_us / 1e6 : 0;
    double silence = (double)(end > r->silence_max_us ? end : r->silence_max_us) / 1e6;
    char tb[300];

    if (behind < REPL_MIN_S && silence < REPL_MIN_S)
        return;
    if (behind >= REPL_MIN_S && r->behind_lag > s->lag_max)
        s->lag_max = r->behind_lag;
    if (behind > s->behind_s)
        s->behind_s = behind;
    if (silence > s->silence_s)
        s->silence_s = silence;
    s->records += r->records;
    if (s->nparts < REPL_NAMED_PARTS) {
        kt_label_topic(tb, sizeof tb, r->topic);
        kt_finding_append(s->parts, sizeof s->parts, "%s%s/%" PRId32, s->nparts ? ", " : "", tb,
                          r->partition);
    }
    s->nparts++;
}

static void report_follower(kt_finding_list *l, const follower_sum *s, const row *w)
{
    const kt_replica_stats *r = w->r;
    int lagged = s->behind_s >= REPL_MIN_S;
    double worst = s->behind_s > s->silence_s ? s->behind_s : s->silence_s;
    char leader[KT_ENDPOINT_STRLEN], from[160], *colon;
    kt_finding *f = kt_finding_add(l, lagged ? "replication_lag" : "slow_follower",
                                   worst >= REPL_CRIT_S ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                                   worst / REPL_MIN_S);
    if (!f)
        return;
    kt_endpoint_format(&r->leader, leader, sizeof leader);
    if (w->name) {
        kt_finding_put(from, sizeof from, "%s", w->name);
    } else {
        kt_endpoint_format(&r->follower, from, sizeof from);
        colon = strrchr(from, ':');     /* its port is an ephemeral one */
        if (colon)
            *colon = 0;
    }
    kt_subject(f, "follower broker %" PRId32 " (%s) of leader %s", r->follower_id, from, leader);
    if (lagged)
        kt_summary(f, "Replication lag: follower broker %" PRId32 " (%s) trailed leader %s's high "
                   "watermark by up to %" PRId64 " records after %.1f s behind",
                   r->follower_id, from, leader, s->lag_max, s->behind_s);
    else
        kt_summary(f, "Slow follower: follower broker %" PRId32 " (%s) sent leader %s no Fetch",
                   r->follower_id, from, leader);
    if (s->silence_s >= REPL_MIN_S)
        kt_finding_append(f->summary, sizeof f->summary, "%s for %.1f s while %s produced to",
                          lagged ? "; it sent no Fetch" : "", s->silence_s,
                          s->nparts == 1 ? "the partition was" : "its partitions were");
    kt_finding_append(f->summary, sizeof f->summary, " (%zu partition%s: %s%s)", s->nparts,
                      s->nparts == 1 ? "" : "s", s->parts,
                      s->nparts > REPL_NAMED_PARTS ? ", ..." : "");
    kt_finding_metric(f, "follower_id", r->follower_id);
    kt_finding_metric(f, "partitions", (double)s->nparts);
    kt_finding_metric(f, "lag_max_records", (double)(s->lag_max > 0 ? s->lag_max : 0));
    kt_finding_metric(f, "behind_s", s->behind_s);
    kt_finding_metric(f, "silence_s", s->silence_s);
    kt_finding_metric(f, "threshold_records", KT_REPLICA_BEHIND_RECORDS);
    kt_finding_metric(f, "threshold_s", REPL_MIN_S);
}

void kt_rules_replication(kt_finding_list *l, const kt_findings_input *in)
{
    /* one finding per (follower, leader): the rows in that order (the
     * rows' leaders have their padding zeroed, replication_stats.c) */
    row *rows = in->nreplicas ? malloc(in->nreplicas * sizeof *rows) : NULL;
    if (!rows)
        return;
    for (size_t i = 0; i < in->nreplicas; i++) {
        rows[i].r = in->replicas[i];
        rows[i].unfetched_us = in->replicas_unfetched_us ? in->replicas_unfetched_us[i] : 0;
        rows[i].rank = i;
        rows[i].name = in->replicas_name ? in->replicas_name[i] : NULL;
    }
    qsort(rows, in->nreplicas, sizeof *rows, cmp_row);
    for (size_t i = 0; i < in->nreplicas;) {
        follower_sum s;
        size_t k = i;
        memset(&s, 0, sizeof s);
        for (; k < in->nreplicas && !cmp_follower(&rows[i], &rows[k]); k++)
            judge_row(&s, rows[k].r, rows[k].unfetched_us);
        if (s.nparts)
            report_follower(l, &s, &rows[i]);
        i = k;
    }
    free(rows);
}
