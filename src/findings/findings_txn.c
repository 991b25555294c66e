/* findings_txn.c - the rules on transactions, per transactional id
 * (txn_stats.h): many transactions aborted, transactions fenced or aborted
 * by the coordinator.
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * transaction_aborts  A transactional id with at least TXN_MIN_ENDED (10)
 *                 transactions ended by EndTxn in the capture, of which at
 *                 least TXN_ABORT_WARN_SHARE (20%) aborted: warning;
 *                 critical from TXN_ABORT_CRIT_SHARE (50%).  Cites the
 *                 committed and aborted transactions and the records in
 *                 aborted ones (produced, then thrown away).
 *
 * transaction_fenced  A transactional id whose requests were answered with
 *                 a fencing error (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH,
 *                 TRANSACTION_COORDINATOR_FENCED, INVALID_TXN_STATE,
 *                 INVALID_PRODUCER_ID_MAPPING, TRANSACTION_ABORTABLE: a
 *                 second instance with the same transactional.id, or a
 *                 transaction the coordinator aborted for its timeout),
 *                 or whose open transaction the coordinator aborted when a
 *                 new producer instance initialized: warning; critical from
 *                 TXN_FENCED_CRIT (10) such responses.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include "dissectors/kafka_names.h"
#include "findings/rules.h"
#include "stats/labels.h"

#define TXN_MIN_ENDED 10
#define TXN_ABORT_WARN_SHARE 0.20
#define TXN_ABORT_CRIT_SHARE 0.50
#define TXN_FENCED_CRIT 10

/* The entry's label, in a buffer of the caller's. */
#define txn_label(e) (kt_label_txn_id(label, sizeof label, (e)->txn_id, (e)->is_other), label)

static void transaction_aborts(kt_finding_list *l, const kt_txn_id_stats *e)
{
    uint64_t ended = kt_txn_ended(e);
    char label[160];
    double share = kt_frac(e->aborted, ended);
    kt_finding *f;

    if (ended < TXN_MIN_ENDED || share < TXN_ABORT_WARN_SHARE)
        return;
    f = kt_finding_add(l, "transaction_aborts",
                       share >= TXN_ABORT_CRIT_SHARE ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                       share / TXN_ABORT_WARN_SHARE);
    if (!f)
        return;
    kt_subject(f, "transactional id %s", txn_label(e));
    kt_summary(f, "Transactional id %s aborted %" PRIu64 " of %" PRIu64 " transactions (%.1f%%,"
               " %" PRIu64 " committed); %" PRIu64 " records were written in aborted transactions"
               " (%" PRIu64 " in committed ones)", txn_label(e), e->aborted, ended, share * 100,
               e->committed, e->records_aborted, e->records_committed);
    kt_finding_metric(f, "transactions_ended", (double)ended);
    kt_finding_metric(f, "committed", (double)e->committed);
    kt_finding_metric(f, "aborted", (double)e->aborted);
    kt_finding_metric(f, "abort_share", share);
    kt_finding_metric(f, "records_committed", (double)e->records_committed);
    kt_finding_metric(f, "records_aborted", (double)e->records_aborted);
}

static void transaction_fenced(kt_finding_list *l, const kt_txn_id_stats *e)
{
    char codes[200] = "", nb[64], label[160];
    kt_finding *f;

    if (!e->fenced && !e->aborted_by_coordinator)
        return;
    f = kt_finding_add(l, "transaction_fenced",
                       e->fenced >= TXN_FENCED_CRIT ? KT_SEV_CRITICAL : KT_SEV_WARNING,
                       (double)e->fenced + 1);
    if (!f)
        return;
    for (int i = 0; i < e->nerrors; i++) {
        if (!kt_txn_fencing_error(e->errors[i].code))
            continue;
        kt_finding_append(codes, sizeof codes, "%s%s x%" PRIu64, codes[0] ? ", " : "",
                          kt_error_label(e->errors[i].code, nb, sizeof nb), e->errors[i].count);
    }
    kt_subject(f, "transactional id %s", txn_label(e));
    kt_summary(f, "Transactional id %s was fenced or aborted by its coordinator: %" PRIu64
               " response%s with a fencing error%s%s%s; %" PRIu64 " open transaction%s (%" PRIu64
               " records) aborted when a new producer instance initialized (two instances with"
               " one transactional.id, or a transaction past its timeout)", txn_label(e),
               e->fenced, e->fenced == 1 ? "" : "s", codes[0] ? " (" : "", codes,
               codes[0] ? ")" : "", e->aborted_by_coordinator,
               e->aborted_by_coordinator == 1 ? "" : "s", e->records_aborted_by_coordinator);
    kt_finding_metric(f, "fenced_responses", (double)e->fenced);
    kt_finding_metric(f, "aborted_by_coordinator", (double)e->aborted_by_coordinator);
    kt_finding_metric(f, "records_aborted_by_coordinator", (double)e->records_aborted_by_coordinator);
    kt_finding_metric(f, "end_txn_failed", (double)e->end_txn_failed);
    kt_finding_metric(f, "committed", (double)e->committed);
    kt_finding_metric(f, "aborted", (double)e->aborted);
}

void kt_rules_txn(kt_finding_list *l, const kt_findings_input *in)
{
    for (size_t i = 0; i < in->ntxns; i++) {
        transaction_aborts(l, in->txns[i]);
        transaction_fenced(l, in->txns[i]);
    }
}
