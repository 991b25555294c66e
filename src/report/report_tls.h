/* report_tls.h - the TLS section of the summary report: the connections on
 * broker ports that spoke TLS, per broker, as text lines and as the JSON
 * "tls" array.  Both read the model's rows (report_model.h). */
#ifndef KT_REPORT_TLS_H
#define KT_REPORT_TLS_H

#include <stdio.h>
#include "common/json_writer.h"
#include "report/report_model.h"

/* "  TLS: 3 connections to 10.0.0.1:9093 (not decoded; 5120 bytes)", one
 * line per broker (the first few); nothing when there were none. */
void kt_report_tls_text(FILE *out, const kt_report_model *m);
/* "tls": [{"broker", "connections", "midstream_connections", "bytes"}]. */
void kt_report_tls_json(kt_json *j, const kt_report_model *m);

#endif
