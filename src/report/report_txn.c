/* report_txn.c - the "Transactions" section of the summary report, as text
 * and as the --json "transactions" object (report_txn.h). */
#include <inttypes.h>
#include "common/json_writer.h"
#include "dissectors/kafka_names.h"
#include "report/json_labels.h"
#include "report/report_txn.h"
#include "stats/labels.h"

#define TXN_ROWS 20   /* rows of the text table; --json lists them all */

static int any_txn(const kt_report_model *m)
{
    const kt_txn_stats *t = m->txn;
    return t && (m->ntxns || t->marker_requests || t->control_records_fetched ||
                 t->txn_records_produced);
}

void kt_report_text_txn(FILE *out, const kt_report_model *m)
{
    const kt_txn_stats *t = m->txn;
    char label[160], nb[64];

    if (!any_txn(m))
        return;
    fprintf(out, "\nTransactions (per transactional id, most aborted first; records: "
                 "transactional records acknowledged, by how their transaction ended)\n");
    fprintf(out, "  %-28s %9s %9s %7s %9s %9s %7s %6s  %s\n", "transactional_id", "committed",
            "aborted", "abort%", "rec_comm", "rec_abort", "fenced", "init", "error codes (its requests)");
    for (size_t i = 0; i < m->ntxns && i < TXN_ROWS; i++) {
        const kt_txn_id_stats *e = m->txns[i];
        uint64_t ended = kt_txn_ended(e);
        const char *sep = "";
        kt_label_txn_id(label, sizeof label, e->txn_id, e->is_other);
        fprintf(out, "  %-28s %9" PRIu64 " %9" PRIu64 " ", label, e->committed, e->aborted);
        if (ended)
            fprintf(out, "%7.1f", 100.0 * (double)e->aborted / (double)ended);
        else
            fprintf(out, "%7s", "-");
        fprintf(out, " %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %6" PRIu64 "  ", e->records_committed,
                e->records_aborted, e->fenced, e->init_producer_id);
        for (int k = 0; k < e->nerrors; k++) {
            fprintf(out, "%s%s=%" PRIu64, sep, kt_error_label(e->errors[k].code, nb, sizeof nb),
                    e->errors[k].count);
            sep = " ";
        }
        fputc('\n', out);
    }
    if (m->ntxns > TXN_ROWS)
        fprintf(out, "  ... %zu more (--json lists them)\n", m->ntxns - TXN_ROWS);
    fprintf(out, "  transaction markers (WriteTxnMarkers, broker to broker): %" PRIu64
                 " requests, %" PRIu64 " commit and %" PRIu64 " abort markers, %" PRIu64
                 " partition errors\n", t->marker_requests, t->markers_commit, t->markers_abort,
            t->marker_errors);
    fprintf(out, "  control records (markers) in Fetch responses: %" PRIu64
                 " (not counted as records fetched)\n", t->control_records_fetched);
}

static void id_json(kt_json *j, const kt_txn_id_stats *e)
{
    uint64_t ended = kt_txn_ended(e);
    char nb[64];

    kt_json_object_begin(j);
    kt_json_key(j, "transactional_id");
    if (e->is_other || !e->txn_id) {
        kt_json_string(j, KT_LABEL_OTHER_TXN);
    } else {
        kt_json_client_id(j, e->txn_id);
    }
    kt_json_kv_uint(j, "committed", e->committed);
    kt_json_kv_uint(j, "aborted", e->aborted);
    kt_json_key(j, "abort_share");
    if (ended)
        kt_json_fixed(j, (double)e->aborted / (double)ended, 4);
    else
        kt_json_null(j);
    kt_json_kv_uint(j, "records_committed", e->records_committed);
    kt_json_kv_uint(j, "records_aborted", e->records_aborted);
    kt_json_kv_uint(j, "aborted_by_coordinator", e->aborted_by_coordinator);
    kt_json_kv_uint(j, "records_aborted_by_coordinator", e->records_aborted_by_coordinator);
    kt_json_kv_uint(j, "end_txn", e->end_txn);
    kt_json_kv_uint(j, "end_txn_failed", e->end_txn_failed);
    kt_json_kv_uint(j, "fenced", e->fenced);
    kt_json_kv_uint(j, "init_producer_id", e->init_producer_id);
    kt_json_kv_uint(j, "add_partitions_to_txn", e->add_partitions);
    kt_json_kv_uint(j, "add_offsets_to_txn", e->add_offsets);
    kt_json_kv_uint(j, "txn_offset_commit", e->txn_offset_commit);
    kt_json_key(j, "errors");
    kt_json_object_begin(j);
    for (int k = 0; k < e->nerrors; k++) {
        kt_json_key(j, kt_error_label(e->errors[k].code, nb, sizeof nb));
        kt_json_uint(j, e->errors[k].count);
    }
    kt_json_object_end(j);
    kt_json_object_end(j);
}

void kt_report_json_txn(kt_json *j, const kt_report_model *m)
{
    const kt_txn_stats *t = m->txn;

    kt_json_key(j, "transactions");
    kt_json_object_begin(j);
    kt_json_key(j, "transactional_ids");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->ntxns; i++)
        id_json(j, m->txns[i]);
    kt_json_array_end(j);
    kt_json_kv_uint(j, "transactional_records_produced", t ? t->txn_records_produced : 0);
    kt_json_kv_uint(j, "producers_untracked", t ? t->producers_dropped : 0);
    kt_json_kv_uint(j, "marker_requests", t ? t->marker_requests : 0);
    kt_json_kv_uint(j, "markers_commit", t ? t->markers_commit : 0);
    kt_json_kv_uint(j, "markers_abort", t ? t->markers_abort : 0);
    kt_json_kv_uint(j, "marker_errors", t ? t->marker_errors : 0);
    kt_json_kv_uint(j, "control_records_fetched", t ? t->control_records_fetched : 0);
    kt_json_object_end(j);
}
