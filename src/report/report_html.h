/* report_html.h - the summary report as one self-contained HTML page
 * (--html): findings first, then inline SVG plots of the timeline, the
 * load shares and the per-client delivery.  It only reads the model
 * (report_model.h); text from the wire is escaped for HTML. */
#ifndef KT_REPORT_HTML_H
#define KT_REPORT_HTML_H

#include <stdio.h>
#include "report/report_model.h"

void kt_report_html(FILE *out, const kt_report_model *m);

#endif
