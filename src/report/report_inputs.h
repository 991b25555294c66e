/* report_inputs.h - the report's account of what was read: the --since /
 * --until window and, when -r read several files, each file and the gaps
 * or overlaps between them.  Nothing is written for one file without a
 * window, so such reports are as they were. */
#ifndef KT_REPORT_INPUTS_H
#define KT_REPORT_INPUTS_H

#include <stdio.h>
#include "common/json_writer.h"
#include "report/report_model.h"

/* Lines under the report's header. */
void kt_report_inputs_text(FILE *out, const kt_report_model *m);
/* Keys "window", "inputs" and "gaps" of the JSON object being written. */
void kt_report_inputs_json(kt_json *j, const kt_report_model *m);

#endif
