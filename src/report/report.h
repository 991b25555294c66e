/* report.h - the summary report, as text for a person or as one JSON
 * document.  Both render a report model (report_model.h), built once per
 * report with kt_report_build(); they only read it. */
#ifndef KT_REPORT_H
#define KT_REPORT_H

#include <stdio.h>
#include "common/json_writer.h"
#include "report/report_model.h"

void kt_report_text(FILE *out, const kt_report_model *m);
void kt_report_json(FILE *out, const kt_report_model *m);


#endif
