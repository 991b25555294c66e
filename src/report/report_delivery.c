/* report_delivery.c - the per-client delivery rows of the report model
 * (report_model.h): each client id's totals with its partitions, worst
 * first, linked to its row of the per client id table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "report/report_delivery.h"

static uint64_t failed_records(const kt_delivery *d)
{
    return d->records_failed + d->records_unanswered;
}

static int cmp_delivery(const void *a, const void *b)
{
    const kt_report_delivery *x = a, *y = b;
    if (failed_records(&x->d) != failed_records(&y->d))
        return failed_records(&x->d) < failed_records(&y->d) ? 1 : -1;
    if (x->d.records_sent != y->d.records_sent)
        return x->d.records_sent < y->d.records_sent ? 1 : -1;
    if (x->d.records_fetched != y->d.records_fetched)
        return x->d.records_fetched < y->d.records_fetched ? 1 : -1;
    if (x->client_id->is_null != y->client_id->is_null)
        return x->client_id->is_null ? 1 : -1;
    return strcmp(x->client_id->s, y->client_id->s);
}

/* By the client id's address: a lookup table of the rows. */
static int cmp_by_id(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)(*(kt_report_delivery *const *)a)->client_id;
    uintptr_t y = (uintptr_t)(*(kt_report_delivery *const *)b)->client_id;
    return x < y ? -1 : x > y;
}

static kt_report_delivery *find(kt_report_delivery **by_id, size_t n, const kt_istr *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)by_id[mid]->client_id < (uintptr_t)id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && by_id[lo]->client_id == id ? by_id[lo] : NULL;
}

int kt_report_deliveries_of(kt_report_model *m, const kt_client_parts *p)
{
    const kt_table *ct;
    size_t n = 0;
    kt_report_delivery **by_id;

    if (!p)
        return 0;
    ct = &p->clients;
    m->client_merged_ = kt_client_parts_merged(p, &n);
    m->nclient_merged_ = n;
    if (!m->client_merged_ || !(m->deliveries = calloc(ct->n + 1, sizeof *m->deliveries)))
        return -1;
    for (size_t i = 0; i < n; i++)
        kt_code_counts_sort(m->client_merged_[i]->d.failed, m->client_merged_[i]->d.nfailed);
    if (n && m->client_merged_[n - 1]->is_other)
        m->delivery_other = m->client_merged_[--n];
    for (size_t i = 0; i < ct->n; i++) {
        const kt_client_delivery *c = ct->entries[i];
        kt_report_delivery *r = &m->deliveries[m->ndeliveries++];
        r->client_id = c->client_id;
        r->d = c->d;
        r->d.failed = NULL;
        r->d.nfailed = r->d.capfailed = 0;
        kt_delivery_merge(&r->d, &(kt_delivery){ .failed = c->d.failed, .nfailed = c->d.nfailed });
        kt_code_counts_sort(r->d.failed, r->d.nfailed);
    }
    qsort(m->deliveries, m->ndeliveries, sizeof *m->deliveries, cmp_delivery);
    by_id = malloc((m->ndeliveries + 1) * sizeof *by_id);
    if (!by_id)
        return -1;
    for (size_t i = 0; i < m->ndeliveries; i++)
        by_id[i] = &m->deliveries[i];
    qsort(by_id, m->ndeliveries, sizeof *by_id, cmp_by_id);
    /* the merged partitions come in runs of one client id each */
    for (size_t k = 0; k < n;) {
        kt_report_delivery *r = find(by_id, m->ndeliveries, m->client_merged_[k]->client_id);
        size_t start = k;
        while (k < n && m->client_merged_[k]->client_id == m->client_merged_[start]->client_id)
            k++;
        if (r) {
            r->parts = (const kt_client_partition *const *)m->client_merged_ + start;
            r->nparts = k - start;
        }
    }
    for (size_t i = 0; i < m->nclients; i++)
        m->clients[i].delivery = find(by_id, m->ndeliveries, m->clients[i].client_id);
    free(by_id);
    return 0;
}

void kt_report_deliveries_free(kt_report_model *m)
{
    for (size_t i = 0; i < m->ndeliveries; i++)
        free(m->deliveries[i].d.failed);
    free(m->deliveries);
    kt_client_parts_merged_free(m->client_merged_, m->nclient_merged_);
}
