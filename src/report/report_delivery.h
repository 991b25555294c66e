/* report_delivery.h - builds the per-client delivery rows of the report
 * model (report_model.h); internal to src/report/. */
#ifndef KT_REPORT_DELIVERY_H
#define KT_REPORT_DELIVERY_H

#include "report/report_model.h"

/* Fills m->deliveries, m->delivery_other and each m->clients[i].delivery
 * (call after the client rows are built).  -1 when memory runs out. */
int kt_report_deliveries_of(kt_report_model *m, const kt_client_parts *p);
void kt_report_deliveries_free(kt_report_model *m);

#endif
