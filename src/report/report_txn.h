/* report_txn.h - the transactions part of the summary report
 * (txn_stats.h): the text section "Transactions", printed only when the
 * capture has transactional traffic, and the --json "transactions" object,
 * always present. */
#ifndef KT_REPORT_TXN_H
#define KT_REPORT_TXN_H

#include <stdio.h>
#include "common/json_writer.h"
#include "report/report_model.h"

void kt_report_text_txn(FILE *out, const kt_report_model *m);
void kt_report_json_txn(kt_json *j, const kt_report_model *m);

#endif
