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

/* Silence from the row's last fetch to the last Produce request for its
 * partition at the same leader (the capture saw it written, not fetched). */
static uint64_t silence_at_end(const kt_replica_stats *r, const kt_findings_input *in)
{
    const kt_topic *canon = kt_topic_canon(r->topic);
    for (size_t i = 0; i < in->npartitions; i++) {
        const kt_partition_stats *p = in->partitions[i];
        if (p->topic != canon || p->partition != r->partition)
            continue;
        if (kt_endpoint_equal(&p->produce.leader, &r->leader) &&
            p->produce.last_ts_us > r->last_ts_us)
            return p->produce.last_ts_us - r->last_ts_us;
        return 0;
    }
    return 0;
}

typedef struct follower_sum {
    size_t first;                 /* its first row in in->replicas */
    size_t nparts;                /* rows past a threshold */
    double behind_s, silence_s;   /* longest */
    int64_t lag_max;              /* largest lag when behind */
    uint64_t records;             /* replicated on those rows */
    char parts[200];
} follower_sum;

static int same_follower(const kt_replica_stats *a, const kt_replica_stats *b)
{
    return a->follower_id == b->follower_id && kt_endpoint_equal(&a->leader, &b->leader);
}

static void judge_row(follower_sum *s, const kt_replica_stats *r, const kt_findings_input *in)
{
    double behind = r->behind_lag >= KT_REPLICA_BEHIND_RECORDS ? (double)r->behind_max_us / 1e6 : 0;
    uint64_t end = silence_at_end(r, in);
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

static void report_follower(kt_finding_list *l, const follower_sum *s, const kt_replica_stats *r)
{
    int lagged = s->behind_s >= REPL_MIN_S;
    double worst = s->behind_s > s->silence_s ? s->behind_s : s->silence_s;
    char leader[KT_ENDPOINT_STRLEN], from[KT_ENDPOINT_STRLEN], *colon;
    kt_finding *f = kt_finding_add(l, lagged ? "replication_lag" : "slow_follower",
                                   worst >= REPL_CRIT_S ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                                   worst / REPL_MIN_S);
    if (!f)
        return;
    kt_endpoint_format(&r->leader, leader, sizeof leader);
    kt_endpoint_format(&r->follower, from, sizeof from);
    colon = strrchr(from, ':');     /* its port is an ephemeral one */
    if (colon)
        *colon = 0;
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
    char *done = in->nreplicas ? calloc(in->nreplicas, 1) : NULL;
    if (!done)
        return;
    /* one finding per (follower, leader): its rows gathered */
    for (size_t i = 0; i < in->nreplicas; i++) {
        follower_sum s;
        if (done[i])
            continue;
        memset(&s, 0, sizeof s);
        s.first = i;
        for (size_t k = i; k < in->nreplicas; k++) {
            if (done[k] || !same_follower(in->replicas[i], in->replicas[k]))
                continue;
            done[k] = 1;
            judge_row(&s, in->replicas[k], in);
        }
        if (s.nparts)
            report_follower(l, &s, in->replicas[i]);
    }
    free(done);
}
