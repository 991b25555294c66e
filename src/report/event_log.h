/* event_log.h - the --events output: one record per request, written when
 * the request is answered or given up, as a text line or as NDJSON. */
#ifndef KT_EVENT_LOG_H
#define KT_EVENT_LOG_H

#include <stdio.h>
#include "kafka/exchange.h"

void kt_event_write_text(FILE *out, const kt_exchange *ex);
void kt_event_write_json(FILE *out, const kt_exchange *ex);
/* "ok", "error", "unanswered", "no_response_expected" */
const char *kt_status_name(int status);

#endif
