/* findings_clients.c - the rules on what a client id gets done: a producer
 * whose records the brokers refuse (failing_client) and a client whose SASL
 * logins fail (sasl_auth_failure).
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * failing_client     A client id with at least FAIL_MIN_RECORDS (10) records
 *                    refused by a partition error in Produce responses, and
 *                    those at least FAIL_SHARE (5%) of its answered records
 *                    (acknowledged + refused): warning; critical at
 *                    FAIL_CRIT_SHARE (50%).  Names the error codes and the
 *                    partitions with the most refused records.  Records of
 *                    unanswered requests are cited, not judged (see
 *                    unanswered_requests); acks=0 records are never judged.
 * sasl_auth_failure  A client id with at least SASL_MIN_FAILED (3) failed
 *                    SASL logins (SaslAuthenticate answered with an error,
 *                    or SaslHandshake answered with one, which ends the
 *                    login), at least SASL_SHARE (50%) of its logins
 *                    (answered SaslAuthenticate + failed SaslHandshake):
 *                    warning; critical when none succeeded.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_names.h"
#include "findings/rules.h"
#include "stats/labels.h"

#define FAIL_MIN_RECORDS 10
#define FAIL_SHARE 0.05
#define FAIL_CRIT_SHARE 0.50
#define FAIL_PARTS_NAMED 3
#define SASL_MIN_FAILED 3
#define SASL_SHARE 0.50

/* " CODE=n CODE=n" for up to 3 codes of c[0..n), most frequent first
 * (c is sorted). */
static void append_codes(char *buf, size_t len, const kt_code_count *c, int n)
{
    char eb[32];
    for (int i = 0; i < n && i < 3; i++)
        kt_finding_append(buf, len, "%s%s=%" PRIu64, i ? ", " : "",
                          kt_error_label(c[i].code, eb, sizeof eb), c[i].count);
    if (n > 3)
        kt_finding_append(buf, len, " and %d more codes", n - 3);
}

static int cmp_failed(const void *a, const void *b)
{
    const kt_client_partition *x = *(const kt_client_partition *const *)a;
    const kt_client_partition *y = *(const kt_client_partition *const *)b;
    char tx[200], ty[200];
    int c;
    if (x->d.records_failed != y->d.records_failed)
        return x->d.records_failed < y->d.records_failed ? 1 : -1;
    kt_label_topic(tx, sizeof tx, x->topic);
    kt_label_topic(ty, sizeof ty, y->topic);
    c = strcmp(tx, ty);
    return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* "; partitions: T/P n, ..." the FAIL_PARTS_NAMED with the most refused
 * records (ties by topic and partition); returns how many partitions refused any. */
static size_t append_parts(char *buf, size_t len, const kt_delivery_row *r)
{
    const kt_client_partition **p = malloc((r->nparts + 1) * sizeof *p);
    size_t n = 0;
    char topic[200];
    if (!p)
        return 0;
    for (size_t i = 0; i < r->nparts; i++)
        if (r->parts[i]->d.records_failed)
            p[n++] = r->parts[i];
    qsort(p, n, sizeof *p, cmp_failed);
    for (size_t i = 0; i < n && i < FAIL_PARTS_NAMED; i++) {
        kt_label_topic(topic, sizeof topic, p[i]->topic);
        kt_finding_append(buf, len, "%s%s/%" PRId32 " %" PRIu64, i ? ", " : "; partitions: ",
                          topic, p[i]->partition, p[i]->d.records_failed);
    }
    if (n > FAIL_PARTS_NAMED)
        kt_finding_append(buf, len, " and %zu more", n - FAIL_PARTS_NAMED);
    free(p);
    return n;
}

static void failing_clients(kt_finding_list *l, const kt_findings_input *in)
{
    char id[160];
    for (size_t i = 0; in->deliveries && i < in->ndeliveries; i++) {
        const kt_delivery_row *r = &in->deliveries[i];
        const kt_delivery *d = &r->d;
        uint64_t answered = d->records_acked + d->records_failed;
        double share = kt_frac(d->records_failed, answered);
        if (d->records_failed < FAIL_MIN_RECORDS || share < FAIL_SHARE)
            continue;
        kt_finding *f = kt_finding_add(l, "failing_client",
                            share >= FAIL_CRIT_SHARE ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                            share / FAIL_SHARE);
        if (!f)
            return;
        kt_label_client_id(id, sizeof id, r->client_id);
        kt_subject(f, "client id %s", id);
        kt_summary(f, "Failing client: client id %s: brokers refused %" PRIu64 " of the %" PRIu64
                   " records they answered (%.1f%%; per attempt, a retried record counts again): ",
                   id, d->records_failed, answered, share * 100);
        append_codes(f->summary, sizeof f->summary, d->failed, d->nfailed);
        size_t nparts = append_parts(f->summary, sizeof f->summary, r);
        if (d->records_unanswered)
            kt_finding_append(f->summary, sizeof f->summary,
                              "; %" PRIu64 " more records unanswered", d->records_unanswered);
        kt_finding_metric(f, "failed_records", (double)d->records_failed);
        kt_finding_metric(f, "answered_records", (double)answered);
        kt_finding_metric(f, "acked_records", (double)d->records_acked);
        kt_finding_metric(f, "share", share);
        kt_finding_metric(f, "sent_records", (double)d->records_sent);
        kt_finding_metric(f, "unanswered_records", (double)d->records_unanswered);
        kt_finding_metric(f, "partitions_failing", (double)nparts);
        if (d->nfailed)
            kt_finding_metric(f, "top_error_code", d->failed[0].code);
    }
}

static void sasl_failures(kt_finding_list *l, const kt_stats *s)
{
    char id[160];
    for (size_t i = 0; i < s->nclients; i++) {
        const kt_client_stats *c = s->clients[i];
        const kt_sasl_logins *sl = &c->sasl;
        uint64_t failed = sl->failed, logins = sl->logins;
        double share = kt_frac(failed, logins);
        if (failed < SASL_MIN_FAILED || share < SASL_SHARE)
            continue;
        kt_finding *f = kt_finding_add(l, "sasl_auth_failure",
                            failed == logins ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                            share / SASL_SHARE);
        if (!f)
            return;
        kt_code_count codes[8];
        int n = sl->nerrors < 8 ? sl->nerrors : 8;
        memcpy(codes, sl->errors, (size_t)n * sizeof *codes);
        kt_code_counts_sort(codes, n);
        kt_label_client_id(id, sizeof id, c->client_id);
        kt_subject(f, "client id %s", id);
        kt_summary(f, "SASL authentication failing: client id %s: %" PRIu64 " of %" PRIu64
                   " logins (%.1f%%) failed (", id, failed, logins, share * 100);
        append_codes(f->summary, sizeof f->summary, codes, n);
        kt_finding_append(f->summary, sizeof f->summary, ")%s",
                          failed == logins ? "; none succeeded" : "");
        kt_finding_metric(f, "failed_logins", (double)failed);
        kt_finding_metric(f, "logins", (double)logins);
        kt_finding_metric(f, "share", share);
    }
}

void kt_rules_clients(kt_finding_list *l, const kt_findings_input *in)
{
    if (!in->stats)
        return;
    failing_clients(l, in);
    sasl_failures(l, in->stats);
}
