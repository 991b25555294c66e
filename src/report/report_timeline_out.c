/* report_timeline_out.c - the timeline in the reports: the --json
 * "timeline" section (one array per series and number, for plots) and the
 * text report's "When" section (each finding's episode and sparklines of
 * p99 latency and errors per broker). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dissectors/kafka_names.h"
#include "report/json_labels.h"
#include "report/report_timeline_out.h"
#include "common/utc.h"

/* ---- JSON --------------------------------------------------------------- */

enum num { N_REQUESTS, N_ERRORED, N_UNANSWERED, N_RECORDS, N_BYTES, N_THROTTLED,
           N_THROTTLE_MS, N_P50, N_P99, N_MAX, N__COUNT };
static const char *const num_key[N__COUNT] = {
    "requests", "errors", "unanswered", "records", "bytes", "throttled",
    "throttle_ms", "p50_ms", "p99_ms", "max_ms",
};

static void num_array(kt_json *j, const kt_timeline *tl, const kt_tl_series *s, int what)
{
    kt_json_key(j, num_key[what]);
    kt_json_array_begin_compact(j);
    for (size_t i = 0; i < tl->nbuckets; i++) {
        const kt_tl_cell *c = s->cell[i];
        uint64_t v = 0;
        if (what >= N_P50) {
            if (!c || !c->latency.count) {
                kt_json_null(j);
                continue;
            }
            v = what == N_P50 ? kt_tl_percentile(&c->latency, 50)
              : what == N_P99 ? kt_tl_percentile(&c->latency, 99) : c->latency.max;
            kt_json_fixed(j, (double)v / 1000.0, 3);
            continue;
        }
        if (c)
            v = what == N_REQUESTS ? c->requests : what == N_ERRORED ? c->errored
              : what == N_UNANSWERED ? c->unanswered : what == N_RECORDS ? c->records
              : what == N_BYTES ? c->bytes : what == N_THROTTLED ? c->throttled
              : c->throttle_ms_total;
        kt_json_uint(j, v);
    }
    kt_json_array_end(j);
}

/* Error codes of the series: {"NAME": [count per bucket], ...}. */
static void code_arrays(kt_json *j, const kt_timeline *tl, const kt_tl_series *s)
{
    int16_t seen[64];
    int nseen = 0;
    char buf[64];

    for (size_t i = 0; i < tl->nbuckets; i++)
        for (int k = 0; s->cell[i] && k < s->cell[i]->nerrors; k++) {
            int16_t code = s->cell[i]->errors[k].code;
            int have = 0;
            for (int x = 0; x < nseen; x++)
                have |= seen[x] == code;
            if (!have && nseen < 64)
                seen[nseen++] = code;
        }
    kt_json_key(j, "error_codes");
    kt_json_object_begin(j);
    for (int x = 0; x < nseen; x++) {
        kt_json_key(j, kt_error_label(seen[x], buf, sizeof buf));
        kt_json_array_begin_compact(j);
        for (size_t i = 0; i < tl->nbuckets; i++) {
            uint64_t n = 0;
            for (int k = 0; s->cell[i] && k < s->cell[i]->nerrors; k++)
                if (s->cell[i]->errors[k].code == seen[x])
                    n = s->cell[i]->errors[k].count;
            kt_json_uint(j, n);
        }
        kt_json_array_end(j);
    }
    kt_json_object_end(j);
}

static void series_fields(kt_json *j, const kt_timeline *tl, const kt_tl_series *s)
{
    for (int n = 0; n < N__COUNT; n++)
        num_array(j, tl, s, n);
    code_arrays(j, tl, s);
}

static void row_key(kt_json *j, int kind, const kt_report_tl_row *r)
{
    switch (kind) {
    case KT_TL_BROKER:
    case KT_TL_BROKER_PRODUCE:
        kt_json_key(j, "broker");
        kt_json_string(j, r->label);
        break;
    case KT_TL_API:
        kt_json_key(j, "api");
        kt_json_string(j, r->label);
        break;
    case KT_TL_CLIENT:
        kt_json_key(j, "client_id");
        if (r->is_other)
            kt_json_string(j, r->label);
        else
            kt_json_client_id(j, r->client_id);
        break;
    default:
        kt_json_key(j, "topic");
        if (r->is_other)
            kt_json_string(j, r->label);
        else if (r->topic.name)
            kt_json_string_n(j, (const uint8_t *)r->topic.name, r->topic.name_len);
        else if (r->topic.has_id)
            kt_json_string(j, r->topic.id);
        else
            kt_json_null(j);
        kt_json_key(j, "partition");
        if (r->is_other)
            kt_json_null(j);
        else
            kt_json_int(j, r->partition);
        break;
    }
}

static const char *const kind_key[KT_TL__KINDS] = {
    [KT_TL_BROKER] = "brokers", [KT_TL_BROKER_PRODUCE] = "brokers_produce",
    [KT_TL_API] = "apis", [KT_TL_CLIENT] = "clients",
    [KT_TL_PART_PRODUCE] = "partitions_produce", [KT_TL_PART_FETCH] = "partitions_fetch",
};

void kt_report_json_timeline(kt_json *j, const kt_report_timeline *r)
{
    const kt_timeline *tl = r->tl;
    kt_json_key(j, "timeline");
    if (!tl) {
        kt_json_null(j);
        return;
    }
    kt_json_object_begin(j);
    kt_json_key(j, "bucket_width_s");
    kt_json_fixed(j, (double)tl->width_ns / 1e9, 9);
    kt_json_key(j, "start_ts");
    kt_json_fixed(j, (double)(tl->start_ns / 1000) / 1e6, 6);
    kt_json_kv_uint(j, "buckets", tl->nbuckets);
    kt_json_kv_bool(j, "auto_width", !tl->fixed);
    kt_json_kv_uint(j, "merges", tl->merges);
    kt_json_key(j, "total");
    kt_json_object_begin(j);
    series_fields(j, tl, &tl->total);
    kt_json_object_end(j);
    for (int k = 1; k < KT_TL__KINDS; k++) {
        kt_json_key(j, kind_key[k]);
        kt_json_array_begin(j);
        for (size_t i = 0; i < r->nrows[k]; i++) {
            kt_json_object_begin(j);
            row_key(j, k, &r->rows[k][i]);
            series_fields(j, tl, r->rows[k][i].s);
            kt_json_object_end(j);
        }
        kt_json_array_end(j);
    }
    kt_json_object_end(j);
}

void kt_report_json_when(kt_json *j, const kt_report_timeline *r, size_t finding)
{
    const kt_report_when *w = r->when ? &r->when[finding] : NULL;
    int held = w && w->known && w->buckets;
    kt_json_key(j, "started");
    if (held)
        kt_json_fixed(j, (double)(w->started_ns / 1000) / 1e6, 6);
    else
        kt_json_null(j);
    kt_json_key(j, "ended");
    if (held)
        kt_json_fixed(j, (double)(w->ended_ns / 1000) / 1e6, 6);
    else
        kt_json_null(j);
    kt_json_key(j, "ongoing");
    if (held)
        kt_json_bool(j, w->ongoing);
    else
        kt_json_null(j);
}

/* ---- text --------------------------------------------------------------- */

void kt_report_clock(char *buf, size_t len, uint64_t ns, int ms)
{
    kt_utc_clock(buf, len, ns / 1000u, ms);
}

void kt_report_text_since(char *buf, size_t len, const kt_report_timeline *r, size_t finding)
{
    const kt_report_when *w = r->when ? &r->when[finding] : NULL;
    char t[32];
    buf[0] = 0;
    if (!w || !w->known || !w->buckets)
        return;
    kt_report_clock(t, sizeof t, w->started_ns, r->tl->width_ns < 1000000000u);
    snprintf(buf, len, " (since %s UTC)", t);
}

#define SPARK_COLUMNS 60

static const char *const blocks[8] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char ascii_levels[] = "_.,-=+*#";

/* value per column of the sparkline: the highest p99 (what 0) or the
 * errors and unanswered requests (what 1) of the buckets it covers; -1
 * where no bucket had a request. */
static size_t spark_values(const kt_timeline *tl, const kt_tl_series *s, int what,
                           double *v)
{
    size_t per = (tl->nbuckets + SPARK_COLUMNS - 1) / SPARK_COLUMNS, ncol = 0;
    if (!per)
        per = 1;
    for (size_t i = 0; i < tl->nbuckets; i += per, ncol++) {
        v[ncol] = -1;
        for (size_t k = i; k < i + per && k < tl->nbuckets; k++) {
            const kt_tl_cell *c = s->cell[k];
            if (!c || !c->requests)
                continue;
            double x = what ? (double)(c->errored + c->unanswered)
                            : (double)kt_tl_percentile(&c->latency, 99) / 1000.0;
            if (what && v[ncol] >= 0)
                v[ncol] += x;
            else if (x > v[ncol])
                v[ncol] = x;
        }
    }
    return ncol;
}

static void sparkline(FILE *out, const double *v, size_t n, double max, int ascii)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] < 0) {
            fputc(' ', out);
            continue;
        }
        int lvl = max > 0 ? (int)(v[i] / max * 7.0 + 0.5) : 0;
        if (lvl > 7)
            lvl = 7;
        if (ascii)
            fputc(ascii_levels[lvl], out);
        else
            fputs(blocks[lvl], out);
    }
}

static void spark_rows(FILE *out, const kt_report_timeline *r, int what, int ascii)
{
    const kt_timeline *tl = r->tl;
    double v[SPARK_COLUMNS + 1];
    for (size_t i = 0; i < r->nrows[KT_TL_BROKER]; i++) {
        const kt_report_tl_row *row = &r->rows[KT_TL_BROKER][i];
        size_t n = spark_values(tl, row->s, what, v);
        double max = 0, sum = 0;
        for (size_t k = 0; k < n; k++) {
            if (v[k] > max)
                max = v[k];
            if (v[k] > 0)
                sum += v[k];
        }
        fprintf(out, "    %-21s |", row->label);
        sparkline(out, v, n, max, ascii);
        if (what)
            fprintf(out, "| %.0f\n", sum);
        else
            fprintf(out, "| max %.3f ms\n", max);
    }
}

void kt_report_text_when(FILE *out, const kt_report_timeline *r, const kt_finding *f,
                         size_t nfindings, int ascii)
{
    const kt_timeline *tl = r->tl;
    char a[32], b[32];
    int ms;

    if (!tl || !tl->nbuckets)
        return;
    ms = tl->width_ns < 1000000000u;
    kt_report_clock(a, sizeof a, tl->start_ns, ms);
    kt_report_clock(b, sizeof b, kt_tl_bucket_start(tl, tl->nbuckets), ms);
    if (ms)
        fprintf(out, "\nWhen (%zu buckets of %g ms, %s to %s UTC):\n", tl->nbuckets,
                (double)tl->width_ns / 1e6, a, b);
    else
        fprintf(out, "\nWhen (%zu buckets of %g s, %s to %s UTC):\n", tl->nbuckets,
                (double)tl->width_ns / 1e9, a, b);
    for (size_t i = 0; i < nfindings; i++) {
        const kt_report_when *w = r->when ? &r->when[i] : NULL;
        if (!w || !w->known)
            continue;
        if (!w->buckets) {
            fprintf(out, "  %-19s %s: in no single bucket\n", f[i].kind, f[i].subject);
            continue;
        }
        kt_report_clock(a, sizeof a, w->started_ns, ms);
        kt_report_clock(b, sizeof b, w->ended_ns, ms);
        fprintf(out, "  %-19s %s: %s to %s%s, in %zu bucket%s\n", f[i].kind, f[i].subject, a, b,
                w->ongoing ? " (still at the end)" : "", w->buckets, w->buckets == 1 ? "" : "s");
    }
    if (!r->nrows[KT_TL_BROKER])
        return;
    fprintf(out, "  p99 latency per broker (%s):\n",
            (tl->nbuckets + SPARK_COLUMNS - 1) / SPARK_COLUMNS > 1
                ? "each column the highest of its buckets" : "one column per bucket");
    spark_rows(out, r, 0, ascii);
    fprintf(out, "  errors and unanswered requests per broker:\n");
    spark_rows(out, r, 1, ascii);
}
