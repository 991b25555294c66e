/* finding_list.c - the list the rules add their findings to, and the
 * helpers they write them with (rules.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/rules.h"

kt_finding *kt_finding_add(kt_finding_list *l, const char *kind, int severity, double weight)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        kt_finding_entry *ne = realloc(l->e, ncap * sizeof *ne);
        if (!ne)
            return NULL;
        l->e = ne;
        l->cap = ncap;
    }
    kt_finding_entry *e = &l->e[l->n++];
    memset(e, 0, sizeof *e);
    e->f.kind = kind;
    e->f.severity = severity;
    e->weight = weight;
    return &e->f;
}

void kt_finding_metric(kt_finding *f, const char *key, double v)
{
    if (f->nmetrics < KT_FINDING_MAX_METRICS) {
        f->metric[f->nmetrics].key = key;
        f->metric[f->nmetrics].value = v;
        f->nmetrics++;
    }
}

void kt_finding_put(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

void kt_finding_append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    if (used + 1 >= len)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double kt_median(double *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
