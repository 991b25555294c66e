/* report_inputs.c - the window and the input files, as text and JSON (see
 * report_inputs.h). */
#include <inttypes.h>
#include "report/report_inputs.h"
#include "common/utc.h"

static int any_gap(const kt_report_model *m)
{
    for (size_t i = 0; i < m->ninputs; i++)
        if (m->inputs[i].gap != KT_GAP_NONE)
            return 1;
    return 0;
}

void kt_report_inputs_text(FILE *out, const kt_report_model *m)
{
    char a[40], b[40];

    if (m->since_us || m->until_us) {
        snprintf(a, sizeof a, "the start");
        snprintf(b, sizeof b, "the end");
        if (m->since_us)
            kt_utc_iso(a, sizeof a, m->since_us);
        if (m->until_us)
            kt_utc_iso(b, sizeof b, m->until_us);
        fprintf(out, "  window (--since/--until): requests sent from %s until %s\n", a, b);
    }
    if (m->ninputs < 2)
        return;
    fprintf(out, "  %zu files read as one stream, in time order%s\n", m->ninputs,
            any_gap(m) ? "; TIME MISSING OR OVERLAPPING between files:" : "");
    for (size_t i = 0; i < m->ninputs; i++) {
        const kt_input_file *f = &m->inputs[i];
        if (f->gap == KT_GAP_LATE)
            fprintf(out, "    -- gap: %.3f s with no packets --\n", (double)f->gap_us / 1e6);
        else if (f->gap == KT_GAP_OVERLAP)
            fprintf(out, "    -- overlap: starts %.3f s before the file above ends --\n",
                    (double)-f->gap_us / 1e6);
        if (f->packets) {
            kt_utc_iso(a, sizeof a, f->first_ts_us);
            kt_utc_iso(b, sizeof b, f->last_ts_us);
            fprintf(out, "    %s: %" PRIu64 " packets, %s to %s\n", f->path, f->packets, a, b);
        } else {
            fprintf(out, "    %s: no packets read\n", f->path);
        }
    }
}

static void ts_or_null(kt_json *j, const char *key, int known, uint64_t us)
{
    kt_json_key(j, key);
    if (known)
        kt_json_fixed(j, (double)us / 1e6, 6);
    else
        kt_json_null(j);
}

void kt_report_inputs_json(kt_json *j, const kt_report_model *m)
{
    if (m->since_us || m->until_us) {
        kt_json_key(j, "window");
        kt_json_object_begin(j);
        ts_or_null(j, "since", m->since_us != 0, m->since_us);
        ts_or_null(j, "until", m->until_us != 0, m->until_us);
        kt_json_object_end(j);
    }
    if (m->ninputs < 2)
        return;
    kt_json_key(j, "inputs");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->ninputs; i++) {
        const kt_input_file *f = &m->inputs[i];
        kt_json_object_begin(j);
        kt_json_key(j, "file");
        kt_json_string(j, f->path);
        ts_or_null(j, "first_ts", f->packets != 0, f->first_ts_us);
        ts_or_null(j, "last_ts", f->packets != 0, f->last_ts_us);
        kt_json_kv_uint(j, "packets", f->packets);
        kt_json_kv_uint(j, "bytes", f->size);
        kt_json_key(j, "linktype");
        kt_json_int(j, f->linktype);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    kt_json_key(j, "gaps");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->ninputs; i++) {
        const kt_input_file *f = &m->inputs[i];
        if (f->gap == KT_GAP_NONE)
            continue;
        kt_json_object_begin(j);
        kt_json_key(j, "kind");
        kt_json_string(j, f->gap == KT_GAP_LATE ? "gap" : "overlap");
        kt_json_key(j, "after");
        kt_json_string(j, m->inputs[f->gap_after].path);
        kt_json_key(j, "before");
        kt_json_string(j, f->path);
        kt_json_key(j, "seconds");
        kt_json_fixed(j, (double)f->gap_us / 1e6, 6);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
}
