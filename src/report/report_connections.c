/* report_connections.c - the connections part of the reports: for each
 * Kafka connection, whether it was picked up mid-stream and how many of its
 * bytes the capture missed. */
#include <inttypes.h>
#include "common/json_writer.h"
#include "report/report.h"
#include "report/report_labels.h"

#define TEXT_ROWS 10       /* connections shown in the text report */
#define JSON_ROWS 1000     /* connections listed in the JSON report */

void kt_report_connections_text(FILE *out, const kt_report_input *in)
{
    size_t shown = 0, worth = 0;
    char cli[KT_ENDPOINT_STRLEN], brk[KT_ENDPOINT_STRLEN], id[25];

    for (size_t i = 0; i < in->nconns; i++)
        if (in->conns[i].missed_bytes || in->conns[i].midstream)
            worth++;
    if (!worth)
        return;
    fprintf(out, "\nConnections with bytes never captured or picked up mid-stream (%zu of %zu%s)\n",
            worth, in->nconns, in->conns_not_kept ? ", more not kept" : "");
    fprintf(out, "  %-28s %-28s %-24s %9s %12s %8s\n", "client", "broker", "client_id",
            "midstream", "missed_bytes", "requests");
    for (size_t i = 0; i < in->nconns && shown < TEXT_ROWS; i++) {
        const kt_conn_summary *c = &in->conns[i];
        if (!c->missed_bytes && !c->midstream)
            continue;
        shown++;
        fprintf(out, "  %-28s %-28s ", kt_endpoint_format(&c->client, cli, sizeof cli),
                kt_endpoint_format(&c->broker, brk, sizeof brk));
        kt_label_client_id(id, sizeof id, c->client_id);
        fprintf(out, "%-24s %9s %12" PRIu64 " %8" PRIu64 "\n", id, c->midstream ? "yes" : "no",
                c->missed_bytes, c->requests);
    }
    if (worth > shown)
        fprintf(out, "  ... %zu more (--json lists them)\n", worth - shown);
}

void kt_report_connections_json(kt_json *j, const kt_report_input *in)
{
    char buf[KT_ENDPOINT_STRLEN];
    size_t n = in->nconns < JSON_ROWS ? in->nconns : JSON_ROWS;

    kt_json_kv_uint(j, "connections_not_listed", (uint64_t)(in->nconns - n) + in->conns_not_kept);
    kt_json_key(j, "connections");
    kt_json_array_begin(j);
    for (size_t i = 0; i < n; i++) {
        const kt_conn_summary *c = &in->conns[i];
        kt_json_object_begin(j);
        kt_json_key(j, "client");
        kt_json_string(j, kt_endpoint_format(&c->client, buf, sizeof buf));
        kt_json_key(j, "broker");
        kt_json_string(j, kt_endpoint_format(&c->broker, buf, sizeof buf));
        kt_json_key(j, "client_id");
        kt_json_client_id(j, c->client_id);
        kt_json_kv_bool(j, "midstream", c->midstream);
        kt_json_kv_bool(j, "open", c->open);
        kt_json_kv_uint(j, "missed_bytes", c->missed_bytes);
        kt_json_kv_uint(j, "requests", c->requests);
        kt_json_key(j, "first_ts");
        kt_json_fixed(j, (double)c->first_ts_us / 1e6, 6);
        kt_json_key(j, "last_ts");
        kt_json_fixed(j, (double)c->last_ts_us / 1e6, 6);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
}
