/* report_replication.h - the replication rows of the report model. */
#ifndef KT_REPORT_REPLICATION_H
#define KT_REPORT_REPLICATION_H

#include "findings/findings.h"
#include "report/report_model.h"

/* Fills m->replicas (sorted, see report_model.h) from p's follower rows
 * and points the findings' input at them; -1 when memory runs out. */
/* "host:port" of a broker named by Metadata (host escaped), or "" for
 * none (n NULL, or no host). */
void kt_report_node_name(char *buf, size_t len, const kt_node_stats *n);

int kt_report_replicas_of(kt_report_model *m, const kt_partitions *p, kt_findings_input *fi);

/* "host:port" of a broker named by Metadata (host escaped), "" for
 * none. */
void kt_report_node_name(char *buf, size_t len, const kt_node_stats *n);

#endif
