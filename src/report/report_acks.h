/* report_acks.h - which follower acks=all Produce waited for
 * (stats/acks_wait.h) in the report model, the text report and --json. */
#ifndef KT_REPORT_ACKS_H
#define KT_REPORT_ACKS_H

#include <stdio.h>
#include "common/json_writer.h"
#include "findings/findings.h"
#include "report/report_model.h"

/* Fills m->acks (by topic, partition, follower id) from p's rows, naming
 * followers from p's Metadata brokers, and points the findings' input at
 * them; -1 when memory runs out. */
int kt_report_acks_of(kt_report_model *m, const kt_partitions *p, kt_findings_input *fi);
void kt_report_acks_free(kt_report_model *m);

/* Text: the section, printed only when there are rows. */
void kt_report_text_acks(FILE *out, const kt_report_model *m);
/* JSON: "acks_waits": [...] (always) and "acks_waits_dropped". */
void kt_report_json_acks(kt_json *j, const kt_report_model *m);

#endif
