/* report_timeline.c - the timeline's rows and the findings' "when" (see
 * report_timeline.h for the rules). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_names.h"
#include "kafka/topics.h"
#include "report/report_timeline.h"

/* ---- rows -------------------------------------------------------------- */

static kt_tl_series *own_new(const kt_timeline *tl, int kind)
{
    kt_tl_series *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->kind = kind;
    s->cell = calloc(tl->nbuckets ? tl->nbuckets : 1, sizeof *s->cell);
    if (!s->cell) {
        free(s);
        return NULL;
    }
    return s;
}

static void own_free(const kt_timeline *tl, kt_tl_series *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < tl->nbuckets; i++)
        if (s->cell[i]) {
            kt_tl_cell_clear(s->cell[i]);
            free(s->cell[i]);
        }
    free(s->cell);
    free(s);
}

static int own_fold(const kt_timeline *tl, kt_tl_series *into, const kt_tl_series *from)
{
    into->requests += from->requests;
    into->records += from->records;
    for (size_t i = 0; i < tl->nbuckets; i++) {
        if (!from->cell[i])
            continue;
        if (!into->cell[i] && !(into->cell[i] = calloc(1, sizeof(kt_tl_cell))))
            return -1;
        if (kt_tl_cell_merge(into->cell[i], from->cell[i]) < 0)
            return -1;
    }
    return 0;
}

/* The row's series made the report's own copy, then from folded in. */
static int row_fold(const kt_timeline *tl, kt_report_tl_row *r, const kt_tl_series *from)
{
    if (!r->own) {
        if (!(r->own = own_new(tl, from->kind)))
            return -1;
        if (r->s && own_fold(tl, r->own, r->s) < 0)
            return -1;
        r->s = r->own;
    }
    return own_fold(tl, r->own, from);
}

static void label_row(kt_report_tl_row *r, const kt_tl_series *s)
{
    char buf[260];
    r->is_other = s->is_other;
    if (s->is_other) {
        snprintf(r->label, sizeof r->label, "%s", KT_LABEL_OTHER_BROKER);
        return;
    }
    switch (s->kind) {
    case KT_TL_BROKER:
    case KT_TL_BROKER_PRODUCE:
        kt_label_broker(r->label, sizeof r->label, &s->key.broker, 0);
        break;
    case KT_TL_API:
        r->api_key = s->key.api_key;
        snprintf(r->label, sizeof r->label, "%s", kt_api_name(s->key.api_key, buf, sizeof buf));
        break;
    case KT_TL_CLIENT:
        r->client_id = s->key.client_id;
        kt_label_client_id(r->label, sizeof r->label, s->key.client_id);
        break;
    default: {
        const kt_topic *tp = kt_topic_canon(s->key.topic);
        kt_topic_label_of(&r->topic, tp);
        r->partition = s->key.partition;
        kt_label_topic(buf, sizeof buf, tp);
        snprintf(r->label, sizeof r->label, "topic %s partition %" PRId32, buf, s->key.partition);
        break;
    }
    }
}

static int cmp_busiest(const void *a, const void *b)
{
    const kt_report_tl_row *x = a, *y = b;
    if (x->is_other != y->is_other)
        return x->is_other ? 1 : -1;
    if (x->s->records != y->s->records)
        return x->s->records < y->s->records ? 1 : -1;
    if (x->s->requests != y->s->requests)
        return x->s->requests < y->s->requests ? 1 : -1;
    return strcmp(x->label, y->label);
}

static int rows_of(kt_report_timeline *r, int kind)
{
    const kt_timeline *tl = r->tl;
    size_t n, nr = 0;
    kt_tl_series *const *s = kt_timeline_series(tl, kind, &n);
    int parts = kind == KT_TL_PART_PRODUCE || kind == KT_TL_PART_FETCH;
    kt_report_tl_row *rows = calloc(n + 1, sizeof *rows);

    if (!rows)
        return -1;
    r->rows[kind] = rows;
    for (size_t i = 0; i < n; i++) {
        kt_report_tl_row row;
        memset(&row, 0, sizeof row);
        label_row(&row, s[i]);
        size_t k = 0;
        if (parts)      /* one row per canonical topic-partition */
            while (k < nr && strcmp(rows[k].label, row.label))
                k++;
        else
            k = nr;
        if (k == nr) {
            row.s = s[i];
            rows[nr++] = row;
        } else if (row_fold(tl, &rows[k], s[i]) < 0) {
            r->nrows[kind] = nr;
            return -1;
        }
    }
    r->nrows[kind] = nr;
    if (!parts || nr <= KT_REPORT_TL_PARTITIONS + 1)
        return 0;
    qsort(rows, nr, sizeof *rows, cmp_busiest);
    /* fold the rest into the last kept row, made "(other)" */
    kt_report_tl_row *other = &rows[KT_REPORT_TL_PARTITIONS];
    for (size_t i = KT_REPORT_TL_PARTITIONS + 1; i < nr; i++) {
        if (row_fold(tl, other, rows[i].s) < 0)
            return -1;
        own_free(tl, rows[i].own);
        rows[i].own = NULL;
    }
    other->is_other = 1;
    snprintf(other->label, sizeof other->label, "%s", KT_LABEL_OTHER_BROKER);
    r->nrows[kind] = KT_REPORT_TL_PARTITIONS + 1;
    return 0;
}

/* ---- when: a finding's condition per bucket ---------------------------- */

typedef struct when_ctx {
    const kt_finding *f;
    const kt_report_timeline *r;
    const uint64_t *produced;    /* records produced per bucket (the kind's sum) */
    int16_t code;                /* error_storm: the code, or INT16_MIN for any */
} when_ctx;

static double metric(const kt_finding *f, const char *key, double def)
{
    for (int i = 0; i < f->nmetrics; i++)
        if (!strcmp(f->metric[i].key, key))
            return f->metric[i].value;
    return def;
}

static uint64_t code_count(const kt_tl_cell *c, int16_t code)
{
    for (int i = 0; i < c->nerrors; i++)
        if (c->errors[i].code == code)
            return c->errors[i].count;
    return 0;
}

/* Does the condition of w->f hold in cell c (bucket i)? */
static int holds(const when_ctx *w, const kt_tl_cell *c, size_t i)
{
    const kt_finding *f = w->f;
    uint64_t answered = c->requests - c->unanswered;
    if (!strcmp(f->kind, "slow_broker")) {
        double peers = metric(f, "peers_median_p50_ms", 0);
        double p50 = (double)kt_tl_percentile(&c->latency, 50) / 1000.0;
        return c->latency.count && p50 >= 3.0 * peers && p50 - peers >= 5.0;
    }
    if (!strcmp(f->kind, "slow_produce") || !strcmp(f->kind, "slow_fetch")) {
        double thr = metric(f, "threshold_ms", 0);
        uint64_t over = kt_tl_count_at_least(&c->latency, (uint64_t)(thr * 1000));
        return c->latency.count && over * 2 >= c->latency.count;
    }
    if (!strcmp(f->kind, "error_storm")) {
        if (w->code == INT16_MIN)
            return answered && c->errored * 5 >= answered && c->errored;
        uint64_t n = code_count(c, w->code);
        return answered && n && n * 20 >= answered;
    }
    if (!strcmp(f->kind, "throttling"))
        return c->throttled > 0;
    if (!strcmp(f->kind, "unanswered_requests"))
        return c->unanswered > 0;
    if (!strcmp(f->kind, "hot_partition"))
        return w->produced[i] && c->records * 2 >= w->produced[i];
    if (!strcmp(f->kind, "hot_broker"))
        return w->produced[i] && c->records * 10 >= w->produced[i] * 7;
    return 0;
}

static const kt_tl_series *row_by_label(const kt_report_timeline *r, int kind, const char *label,
                                        size_t len)
{
    for (size_t i = 0; i < r->nrows[kind]; i++)
        if (!r->rows[kind][i].is_other && strlen(r->rows[kind][i].label) == len &&
            !strncmp(r->rows[kind][i].label, label, len))
            return r->rows[kind][i].s;
    return NULL;
}

/* The series a finding is about, and the code of an error storm. */
static const kt_tl_series *subject_series(const kt_report_timeline *r, const kt_finding *f,
                                          int *kind_out, int16_t *code)
{
    const char *subj = f->subject, *sp;
    int broker = !strncmp(subj, "broker ", 7), topic = !strncmp(subj, "topic ", 6);
    int kind = -1;
    size_t skip = 0, len;

    *code = INT16_MIN;
    if (!strcmp(f->kind, "slow_broker")) {
        kind = metric(f, "produce_only", 0) ? KT_TL_BROKER_PRODUCE : KT_TL_BROKER;
        skip = 7;
    } else if (!strcmp(f->kind, "slow_produce")) {
        kind = broker ? KT_TL_BROKER_PRODUCE : topic ? KT_TL_PART_PRODUCE : -1;
        skip = broker ? 7 : 0;
    } else if (!strcmp(f->kind, "slow_fetch") && topic) {
        kind = KT_TL_PART_FETCH;
    } else if (!strcmp(f->kind, "hot_partition") && strstr(subj, " partition ")) {
        kind = KT_TL_PART_PRODUCE;
    } else if (!strcmp(f->kind, "hot_broker") && broker) {
        kind = KT_TL_BROKER_PRODUCE;
        skip = 7;
    } else if (!strcmp(f->kind, "throttling") && (sp = strstr(subj, " on broker "))) {
        subj = sp;
        skip = 11;
        kind = KT_TL_BROKER;
    } else if (!strcmp(f->kind, "unanswered_requests")) {
        kind = KT_TL_API;
    } else if (!strcmp(f->kind, "error_storm") && (sp = strchr(subj, ' '))) {
        char buf[64];
        len = (size_t)(sp - subj);
        if (strcmp(sp + 1, "errors")) {
            for (int c = -1; c < 200; c++)
                if (!strcmp(sp + 1, kt_error_label(c, buf, sizeof buf)))
                    *code = (int16_t)c;
            if (*code == INT16_MIN)
                return NULL;
        }
        *kind_out = KT_TL_API;
        return row_by_label(r, KT_TL_API, subj, len);
    }
    if (kind < 0)
        return NULL;
    *kind_out = kind;
    subj += skip;
    return row_by_label(r, kind, subj, strlen(subj));
}

/* Records produced per bucket over a kind's rows; NULL when out of memory. */
static uint64_t *produced_of(const kt_report_timeline *r, int kind)
{
    uint64_t *p = calloc(r->tl->nbuckets + 1, sizeof *p);
    for (size_t k = 0; p && k < r->nrows[kind]; k++)
        for (size_t i = 0; i < r->tl->nbuckets; i++)
            if (r->rows[kind][k].s->cell[i])
                p[i] += r->rows[kind][k].s->cell[i]->records;
    return p;
}

static void when_of(const kt_report_timeline *r, const kt_finding *f, kt_report_when *w)
{
    when_ctx ctx = { .f = f, .r = r };
    int kind = 0;
    const kt_tl_series *s = subject_series(r, f, &kind, &ctx.code);
    size_t best_n = 0, run_n = 0, run_first = 0, last_data = 0;
    uint64_t *produced = NULL;

    memset(w, 0, sizeof *w);
    if (!s)
        return;
    if (kind == KT_TL_PART_PRODUCE || kind == KT_TL_BROKER_PRODUCE) {
        if (!(produced = produced_of(r, kind)))
            return;
        ctx.produced = produced;
    }
    w->known = 1;
    for (size_t i = 0; i < r->tl->nbuckets; i++) {
        const kt_tl_cell *c = s->cell[i];
        if (!c || !c->requests)
            continue;
        last_data = i;
        if (!holds(&ctx, c, i)) {
            run_n = 0;
            continue;
        }
        w->buckets++;
        if (!run_n)
            run_first = i;
        run_n++;
        if (run_n > best_n) {
            best_n = run_n;
            w->first = run_first;
            w->last = i;
        }
    }
    free(produced);
    if (!w->buckets)
        return;
    w->ongoing = w->last == last_data;
    w->started_ns = kt_tl_bucket_start(r->tl, w->first);
    w->ended_ns = kt_tl_bucket_start(r->tl, w->last + 1);
}

int kt_report_timeline_build(kt_report_timeline *r, const kt_timeline *tl,
                             const kt_finding *findings, size_t nfindings)
{
    memset(r, 0, sizeof *r);
    if (!tl || !tl->started)
        return 0;
    r->tl = tl;
    for (int k = 1; k < KT_TL__KINDS; k++)
        if (rows_of(r, k) < 0)
            return -1;
    if (!nfindings)
        return 0;
    if (!(r->when = calloc(nfindings, sizeof *r->when)))
        return -1;
    for (size_t i = 0; i < nfindings; i++)
        when_of(r, &findings[i], &r->when[i]);
    return 0;
}

void kt_report_timeline_free(kt_report_timeline *r)
{
    for (int k = 0; k < KT_TL__KINDS; k++) {
        for (size_t i = 0; r->rows[k] && i < r->nrows[k]; i++)
            own_free(r->tl, r->rows[k][i].own);
        free(r->rows[k]);
    }
    free(r->when);
    memset(r, 0, sizeof *r);
}
