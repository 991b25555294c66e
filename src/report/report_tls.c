/* report_tls.c - the TLS connections per broker, as text and JSON (see
 * report_tls.h). */
#include <inttypes.h>
#include "report/report_tls.h"

#define TLS_ROWS 10        /* brokers shown in the text (--json lists all) */

void kt_report_tls_text(FILE *out, const kt_report_model *m)
{
    size_t n = m->ntls < TLS_ROWS ? m->ntls : TLS_ROWS;
    for (size_t i = 0; i < n; i++) {
        const kt_report_tls *t = &m->tls[i];
        fprintf(out, "  TLS: %" PRIu64 " connection%s to %s (", t->connections,
                t->connections == 1 ? "" : "s", t->broker);
        if (t->midstream)
            fprintf(out, "%" PRIu64 " picked up mid-stream; ", t->midstream);
        fprintf(out, "not decoded; %" PRIu64 " bytes)\n", t->bytes);
    }
    if (m->ntls > n)
        fprintf(out, "  TLS: ... %zu more brokers (--json lists them)\n", m->ntls - n);
}

void kt_report_tls_json(kt_json *j, const kt_report_model *m)
{
    kt_json_key(j, "tls");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->ntls; i++) {
        const kt_report_tls *t = &m->tls[i];
        kt_json_object_begin(j);
        kt_json_key(j, "broker");
        kt_json_string(j, t->broker);
        kt_json_kv_uint(j, "connections", t->connections);
        kt_json_kv_uint(j, "midstream_connections", t->midstream);
        kt_json_kv_uint(j, "bytes", t->bytes);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
}
