/* report_split.h - the "Where the time goes" section of the text report:
 * per API, broker, client id and topic-partition (Produce), how much of
 * the latency of answered requests was queue wait behind earlier requests
 * of the same connection and how much broker service time
 * (kafka/queue_clock.h), with how deep the connections' pipelines were. */
#ifndef KT_REPORT_SPLIT_H
#define KT_REPORT_SPLIT_H

#include <stdio.h>
#include "report/report_model.h"

/* Writes nothing when no answered request was split. */
void kt_report_split_text(FILE *out, const kt_report_model *m);

#endif
