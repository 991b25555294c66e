/* findings_acks.c - the rule on the follower acks=all Produce waits for:
 * one follower whose fetches confirm the leader's appends last, and late,
 * so that every acks=all write to its partitions waits for it
 * (stats/acks_wait.h says how each write is matched to the followers'
 * Fetch requests).
 *
 * Rule (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * slow_follower_acks  Per topic and follower broker id, over the topic's
 *                  partitions it follows: at least ACKS_MIN_MATCHED (20)
 *                  acks=all Produce writes matched to the followers'
 *                  fetches; this follower's fetch came last in at least
 *                  ACKS_MIN_SHARE (60%) of them (two equally fast
 *                  followers share about half each); its p50 wait when
 *                  last (its confirming fetch after the leader's append)
 *                  at least ACKS_MIN_WAIT_MS (10 ms); and at least
 *                  ACKS_RATIO (2) times the other followers' p50 fetch
 *                  after the append on the same writes (a partition
 *                  with no other follower is not judged: nothing to
 *                  compare with).  Warning; critical when that p50 wait
 *                  is ACKS_CRIT_MS (500 ms) or more.  It names the
 *                  partitions (as ranges), the share, the p50 and p99
 *                  waits and the others' p50.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/rules.h"
#include "stats/labels.h"

#define ACKS_MIN_MATCHED 20
#define ACKS_MIN_SHARE 0.60
#define ACKS_MIN_WAIT_MS 10.0
#define ACKS_RATIO 2.0
#define ACKS_CRIT_MS 500.0
#define ACKS_NAMED_PARTS 64

/* A row with the place of its topic in the input's order (the report's,
 * by topic label: the findings come out in a stable order). */
typedef struct ranked {
    kt_acks_row r;
    size_t topic_rank;
} ranked;

/* (topic, follower id, partition): a follower's rows of one topic next to
 * each other, by partition. */
static int cmp_row(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    const kt_acks_row *x = &p->r, *y = &q->r;
    if (p->topic_rank != q->topic_rank)
        return p->topic_rank < q->topic_rank ? -1 : 1;
    if (x->f->id != y->f->id)
        return x->f->id < y->f->id ? -1 : 1;
    return x->part->partition < y->part->partition ? -1 : x->part->partition > y->part->partition;
}

static int same_group(const kt_acks_row *x, const kt_acks_row *y)
{
    return kt_topic_canon(x->part->topic) == kt_topic_canon(y->part->topic) && x->f->id == y->f->id;
}

typedef struct group_sum {
    uint64_t matched, last;
    kt_histogram wait;            /* this follower's, when last */
    kt_histogram others;          /* the other followers' fetch after the append */
    int32_t parts[ACKS_NAMED_PARTS];
    size_t nparts;
} group_sum;

static void add_row(group_sum *s, const kt_acks_row *r)
{
    const kt_acks_partition *p = r->part;
    if (!p->resolved)
        return;
    s->matched += p->resolved;
    s->last += r->f->last_count;
    kt_hist_merge(&s->wait, &r->f->wait_last);
    for (uint32_t i = 0; i < p->nfollowers; i++)
        if (&p->f[i] != r->f)
            kt_hist_merge(&s->others, &p->f[i].confirm);
    if (s->nparts < ACKS_NAMED_PARTS)
        s->parts[s->nparts] = p->partition;
    s->nparts++;
}

/* "0-2,5" of ascending partitions (cut with ",..." when long). */
static void ranges(char *buf, size_t len, const group_sum *s)
{
    size_t n = s->nparts < ACKS_NAMED_PARTS ? s->nparts : ACKS_NAMED_PARTS;
    buf[0] = 0;
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k + 1 < n && s->parts[k + 1] == s->parts[k] + 1)
            k++;
        if (k > i)
            kt_finding_append(buf, len, "%s%" PRId32 "-%" PRId32, i ? "," : "", s->parts[i],
                              s->parts[k]);
        else
            kt_finding_append(buf, len, "%s%" PRId32, i ? "," : "", s->parts[i]);
        i = k + 1;
    }
    if (s->nparts > n)
        kt_finding_append(buf, len, ",...");
}

static void judge(kt_finding_list *l, const group_sum *s, const kt_acks_row *r)
{
    double share = kt_frac(s->last, s->matched);
    double wait, wait99, others;
    char topic[300], parts[300], leader[KT_ENDPOINT_STRLEN];
    kt_finding *f;

    if (s->matched < ACKS_MIN_MATCHED || share < ACKS_MIN_SHARE || !s->wait.count ||
        !s->others.count)
        return;
    wait = kt_ms_of(kt_hist_percentile(&s->wait, 50));
    wait99 = kt_ms_of(kt_hist_percentile(&s->wait, 99));
    others = kt_ms_of(kt_hist_percentile(&s->others, 50));
    if (wait < ACKS_MIN_WAIT_MS || wait < ACKS_RATIO * others)
        return;
    f = kt_finding_add(l, "slow_follower_acks",
                       wait >= ACKS_CRIT_MS ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                       share / ACKS_MIN_SHARE);
    if (!f)
        return;
    kt_label_topic(topic, sizeof topic, r->part->topic);
    ranges(parts, sizeof parts, s);
    kt_endpoint_format(&r->part->leader, leader, sizeof leader);
    kt_subject(f, "follower broker %" PRId32 "%s%s%s of topic %s", r->f->id, r->name ? " (" : "",
               r->name ? r->name : "", r->name ? ")" : "", topic);
    kt_summary(f, "Slow follower for acks=all: Produce to %s/%s waited on follower broker %"
               PRId32 "%s%s%s in %.0f%% of %" PRIu64 " writes, p50 %.3f ms (p99 %.3f ms) after "
               "leader %s appended, while the other followers fetched past the same writes in "
               "%.3f ms at p50: that follower's fetches set these producers' latency",
               topic, parts, r->f->id, r->name ? " (" : "", r->name ? r->name : "",
               r->name ? ")" : "", share * 100, s->matched, wait, wait99, leader, others);
    kt_finding_metric(f, "follower_id", r->f->id);
    kt_finding_metric(f, "partitions", (double)s->nparts);
    kt_finding_metric(f, "matched_writes", (double)s->matched);
    kt_finding_metric(f, "waited_writes", (double)s->last);
    kt_finding_metric(f, "waited_share", share);
    kt_finding_metric(f, "wait_p50_ms", wait);
    kt_finding_metric(f, "wait_p99_ms", wait99);
    kt_finding_metric(f, "others_p50_ms", others);
    kt_finding_metric(f, "threshold_share", ACKS_MIN_SHARE);
    kt_finding_metric(f, "threshold_wait_ms", ACKS_MIN_WAIT_MS);
}

void kt_rules_acks(kt_finding_list *l, const kt_findings_input *in)
{
    ranked *rows = in->nacks ? malloc(in->nacks * sizeof *rows) : NULL;
    if (!rows)
        return;
    for (size_t i = 0; i < in->nacks; i++) {
        rows[i].r = in->acks[i];
        rows[i].topic_rank = i && kt_topic_canon(in->acks[i].part->topic) ==
                                      kt_topic_canon(in->acks[i - 1].part->topic)
                                 ? rows[i - 1].topic_rank : i;
    }
    qsort(rows, in->nacks, sizeof *rows, cmp_row);
    for (size_t i = 0; i < in->nacks;) {
        group_sum s;
        size_t k = i;
        memset(&s, 0, sizeof s);
        for (; k < in->nacks && same_group(&rows[i].r, &rows[k].r); k++)
            add_row(&s, &rows[k].r);
        judge(l, &s, &rows[i].r);
        kt_hist_free(&s.wait);
        kt_hist_free(&s.others);
        i = k;
    }
    free(rows);
}
