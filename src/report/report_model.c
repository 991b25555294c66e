/* report_model.c - builds the report model (report_model.h) from the
 * statistics: every table's rows sorted and labelled, the partitions
 * merged, the findings computed, the counters copied, once per report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kafka/kafka_session.h"
#include "dissectors/kafka_names.h"
#include "report/report_model.h"
#include "report/report_delivery.h"
#include "report/report_replication.h"
#include "report/report_acks.h"

/* A copy of n error codes, sorted, kept by the model; NULL when n is 0 or
 * memory runs out (the row then shows no codes). */
static const kt_code_count *sorted_codes(kt_report_model *m, const kt_code_count *c, int n)
{
    kt_code_count *copy;
    if (n <= 0)
        return NULL;
    if (m->ncodes_ == m->capcodes_) {
        size_t ncap = m->capcodes_ ? 2 * m->capcodes_ : 64;
        kt_code_count **grown = realloc(m->codes_, ncap * sizeof *grown);
        if (!grown)
            return NULL;
        m->codes_ = grown;
        m->capcodes_ = ncap;
    }
    copy = malloc((size_t)n * sizeof *copy);
    if (!copy)
        return NULL;
    memcpy(copy, c, (size_t)n * sizeof *copy);
    kt_code_counts_sort(copy, n);
    m->codes_[m->ncodes_++] = copy;
    return copy;
}

static void agg_of(kt_report_model *m, kt_report_agg *r, const kt_agg *a)
{
    r->requests = a->requests;
    r->matched = a->matched;
    r->unanswered = a->unanswered;
    r->errored = a->errored;
    r->no_response = a->no_response;
    r->throttled = a->throttled;
    r->throttle_ms_total = a->throttle_ms_total;
    r->throttle_ms_max = a->throttle_ms_max;
    r->latency = &a->latency;
    r->split = &a->split;
    r->errors = sorted_codes(m, a->errors, a->nerrors);
    r->nerrors = r->errors ? a->nerrors : 0;
}

static void totals_of(kt_report_totals *r, const kt_session_totals *t)
{
    if (!t)
        return;
    r->requests = t->requests;
    r->matched = t->matched;
    r->unanswered = t->unanswered;
    r->no_response_expected = t->no_response_expected;
    r->unknown_capture_loss = t->unknown_capture_loss;
    r->orphan_responses = t->orphan_responses;
    r->lost_request_responses = t->lost_request_responses;
    r->malformed = t->malformed;
    r->connections = t->connections;
    r->midstream_connections = t->midstream_connections;
    r->missed_bytes = t->missed_bytes;
    r->ignored_connections = t->ignored_connections;
    r->tls_connections = t->tls_connections;
    r->tls_bytes = t->tls_bytes;
}

static int cmp_tls(const void *a, const void *b)
{
    const kt_report_tls *x = a, *y = b;
    if (x->connections != y->connections)
        return x->connections < y->connections ? 1 : -1;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return strcmp(x->broker, y->broker);
}

/* The model's rows of the TLS brokers. */
static int tls_of(kt_report_model *m, const kt_tls_brokers *t)
{
    size_t n = 0;
    const kt_tls_broker *const *all = t ? kt_tls_brokers_all(t, &n) : NULL;
    if (!n)
        return 0;
    m->tls = calloc(n, sizeof *m->tls);
    if (!m->tls)
        return -1;
    for (size_t i = 0; i < n; i++) {
        kt_label_broker(m->tls[i].broker, sizeof m->tls[i].broker, &all[i]->broker,
                        all[i]->is_other);
        m->tls[i].connections = all[i]->connections;
        m->tls[i].midstream = all[i]->midstream;
        m->tls[i].bytes = all[i]->bytes;
    }
    m->ntls = n;
    qsort(m->tls, n, sizeof *m->tls, cmp_tls);
    return 0;
}

/* Worst first: most missed bytes, mid-stream ones, most requests, the
 * earliest, then by client address (a total order). */
static int cmp_conn(const void *a, const void *b)
{
    const kt_report_conn *x = a, *y = b;
    if (x->missed_bytes != y->missed_bytes)
        return x->missed_bytes < y->missed_bytes ? 1 : -1;
    if (x->midstream != y->midstream)
        return x->midstream ? -1 : 1;
    if (x->requests != y->requests)
        return x->requests < y->requests ? 1 : -1;
    if (x->first_ts_us != y->first_ts_us)
        return x->first_ts_us < y->first_ts_us ? -1 : 1;
    return memcmp(&x->client, &y->client, sizeof x->client);
}

static int conns_of(kt_report_model *m, const kt_report_input *in)
{
    m->conns_not_kept = in->conns_not_kept;
    if (!in->conns || !in->nconns)
        return 0;
    m->conns = calloc(in->nconns, sizeof *m->conns);
    if (!m->conns)
        return -1;
    for (size_t i = 0; i < in->nconns; i++) {
        const kt_conn_summary *c = &in->conns[i];
        kt_report_conn *r = &m->conns[i];
        r->client = c->client;
        r->broker = c->broker;
        r->client_id = c->client_id;
        r->midstream = c->midstream;
        r->open = c->open;
        r->missed_bytes = c->missed_bytes;
        r->requests = c->requests;
        r->roles = c->roles;
        r->first_ts_us = c->first_ts_us;
        r->last_ts_us = c->last_ts_us;
    }
    m->nconns = in->nconns;
    qsort(m->conns, m->nconns, sizeof *m->conns, cmp_conn);
    return 0;
}

/* What capture_loss reads: the capture's drops, the session's losses,
 * the connections that missed bytes (m's rows: most missed first). */
static void loss_of(const kt_report_model *m, kt_findings_loss *l)
{
    l->packets = m->capture.packets;
    l->dropped = m->capture.dropped;
    l->if_dropped = m->capture.if_dropped;
    l->requests = m->totals.requests;
    l->unknown = m->totals.unknown_capture_loss;
    l->lost_request_responses = m->totals.lost_request_responses;
    l->missed_bytes = m->totals.missed_bytes;
    l->connections = m->totals.connections;
    for (size_t i = 0; i < m->nconns && m->conns[i].missed_bytes; i++) {
        l->lossy_connections++;
        if (l->nworst < KT_FINDINGS_LOSS_CONNS) {
            l->worst[l->nworst].client = m->conns[i].client;
            l->worst[l->nworst].broker = m->conns[i].broker;
            l->worst[l->nworst].missed_bytes = m->conns[i].missed_bytes;
            l->nworst++;
        }
    }
}

/* The per API, broker and client rows, and the lists the findings read. */
static int tables_of(kt_report_model *m, const kt_stats *s, kt_findings_input *fi)
{
    size_t n = 0, i;
    const kt_api_stats **apis = kt_stats_apis_sorted(s, &n);
    const kt_broker_stats **brokers = NULL;
    const kt_client_stats **clients = NULL;
    int rc = -1;

    if (!apis)
        goto out;
    m->apis = calloc(n + 1, sizeof *m->apis);
    if (!m->apis)
        goto out;
    for (i = 0; i < n; i++) {
        kt_report_api *r = &m->apis[i];
        char nb[32];
        r->api_key = apis[i]->api_key;
        snprintf(r->name, sizeof r->name, "%s%s", kt_api_name(r->api_key, nb, sizeof nb),
                 apis[i]->follower ? " (follower)" : "");
        r->follower = apis[i]->follower;
        memcpy(r->versions, apis[i]->versions, sizeof r->versions);
        agg_of(m, &r->agg, &apis[i]->agg);
    }
    m->napis = n;
    fi->apis = (const kt_api_stats *const *)apis;
    fi->napis = n;
    apis = NULL;                        /* the caller frees fi->apis */

    brokers = kt_stats_brokers_sorted(s, &n);
    if (!brokers || !(m->brokers = calloc(n + 1, sizeof *m->brokers)))
        goto out;
    for (i = 0; i < n; i++) {
        kt_label_broker(m->brokers[i].label, sizeof m->brokers[i].label, &brokers[i]->broker,
                        brokers[i]->is_other);
        agg_of(m, &m->brokers[i].agg, &brokers[i]->agg);
        agg_of(m, &m->brokers[i].produce, &brokers[i]->produce);
        m->brokers[i].fetch_data = &brokers[i]->fetch_data;
    }
    m->nbrokers = n;

    clients = kt_stats_clients_sorted(s, &n);
    if (!clients || !(m->clients = calloc(n + 1, sizeof *m->clients)))
        goto out;
    for (i = 0; i < n; i++) {
        m->clients[i].client_id = clients[i]->client_id;
        m->clients[i].batching = &clients[i]->batching;
        m->clients[i].roles = clients[i]->roles;
        agg_of(m, &m->clients[i].agg, &clients[i]->agg);
        agg_of(m, &m->clients[i].produce, &clients[i]->produce);
        m->clients[i].fetch_data = &clients[i]->fetch_data;
    }
    m->nclients = n;
    rc = 0;
out:
    free(apis);
    free(brokers);
    free(clients);
    return rc;
}

static int throttled_of(kt_report_model *m, const kt_stats *s, kt_findings_input *fi)
{
    size_t n = 0;
    const kt_throttle_stats **t = kt_stats_throttled_sorted(s, &n);

    if (!t || !(m->throttled = calloc(n + 1, sizeof *m->throttled))) {
        free(t);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        kt_report_throttle *r = &m->throttled[i];
        r->client_id = t[i]->client_id;
        kt_endpoint_format(&t[i]->broker, r->broker, sizeof r->broker);
        r->responses = t[i]->responses;
        r->throttled = t[i]->throttled;
        r->throttle_ms_total = t[i]->throttle_ms_total;
        r->throttle_ms_max = t[i]->throttle_ms_max;
    }
    m->nthrottled = n;
    fi->throttled = (const kt_throttle_stats *const *)t;
    fi->nthrottled = n;
    return 0;
}

static const char *const sort_names[] = { "records", "bytes", "time", "errors", "lag" };

int kt_partition_sort_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof sort_names / sizeof sort_names[0]; i++)
        if (!strcmp(name, sort_names[i]))
            return (int)i;
    return -1;
}

const char *kt_partition_sort_name(int sort)
{
    return sort >= 0 && (size_t)sort < sizeof sort_names / sizeof sort_names[0]
               ? sort_names[sort] : "records";
}

static uint64_t code_sum(const kt_code_count *c, int n)
{
    uint64_t t = 0;
    for (int i = 0; i < n; i++)
        t += c[i].count;
    return t;
}

/* The sort keys of a row, most significant first (larger first). */
static void sort_keys(const kt_partition_stats *e, int sort, int64_t k[2])
{
    switch (sort) {
    case KT_SORT_BYTES:
        k[0] = (int64_t)e->produce.bytes;
        k[1] = (int64_t)e->fetch.bytes;
        break;
    case KT_SORT_TIME:
        k[0] = (int64_t)(e->produce.latency_total_us + e->fetch.latency_total_us);
        k[1] = 0;
        break;
    case KT_SORT_ERRORS:
        k[0] = (int64_t)(code_sum(e->produce.errors, e->produce.nerrors) +
                         code_sum(e->fetch.errors, e->fetch.nerrors));
        k[1] = 0;
        break;
    case KT_SORT_LAG:
        k[0] = e->fetch.lag;             /* -1, unknown, last */
        k[1] = e->fetch.lag_max;
        break;
    default:
        k[0] = (int64_t)e->produce.records;
        k[1] = (int64_t)e->fetch.records;
        break;
    }
}

/* By the --sort keys, then by broker time (the merged order). */
static int cmp_partition(const void *a, const void *b)
{
    const kt_report_partition *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x->key_[i] != y->key_[i])
            return x->key_[i] < y->key_[i] ? 1 : -1;
    return x->rank_time_ < y->rank_time_ ? -1 : x->rank_time_ > y->rank_time_;
}

static int partitions_of(kt_report_model *m, const kt_partitions *p, int sort,
                         kt_findings_input *fi)
{
    size_t n = 0;

    if (!p)
        return 0;
    m->partitions_dropped = p->dropped;
    m->merged_ = kt_partitions_merged(p, &n);
    m->npartitions = n;                 /* how many kt_report_model_free() frees */
    if (!m->merged_ || !(m->partitions = calloc(n + 1, sizeof *m->partitions)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        kt_partition_stats *e = m->merged_[i];    /* the model's own merged copy */
        kt_code_counts_sort(e->produce.errors, e->produce.nerrors);
        kt_code_counts_sort(e->fetch.errors, e->fetch.nerrors);
        m->partitions[i].stats = e;
        m->partitions[i].rank_time_ = i;
        kt_topic_label_of(&m->partitions[i].topic, e->topic);
        m->produced_records += e->produce.records;
        m->produced_bytes += e->produce.bytes;
    }
    for (size_t i = 0; i < n; i++) {
        kt_report_partition *r = &m->partitions[i];
        const kt_produce_agg *a = &r->stats->produce;
        if (m->produced_records)
            r->records_share = (double)a->records / (double)m->produced_records;
        if (m->produced_bytes)
            r->bytes_share = (double)a->bytes / (double)m->produced_bytes;
        if (a->last_ts_us > a->first_ts_us)
            r->records_per_s = (double)a->records * 1e6 / (double)(a->last_ts_us - a->first_ts_us);
    }
    m->sort = kt_partition_sort_parse(kt_partition_sort_name(sort));
    for (size_t i = 0; i < n; i++)
        sort_keys(m->partitions[i].stats, m->sort, m->partitions[i].key_);
    qsort(m->partitions, n, sizeof *m->partitions, cmp_partition);
    fi->partitions = (const kt_partition_stats *const *)m->merged_;
    fi->npartitions = n;
    return 0;
}


kt_report_model *kt_report_build(const kt_report_input *in)
{
    kt_report_model *m = calloc(1, sizeof *m);
    kt_findings_input fi;
    int ok;

    if (!m)
        return NULL;
    memset(&fi, 0, sizeof fi);
    m->source = in->source;
    m->not_merged = in->not_merged;
    m->final = in->final;
    m->inputs = in->inputs;
    m->ninputs = in->ninputs;
    m->since_us = in->since_us;
    m->until_us = in->until_us;
    m->conn_stats = in->conn_stats;
    m->top_n = in->top_n;
    if (in->capture)
        m->capture = *in->capture;
    totals_of(&m->totals, in->totals);
    m->anomalies = kt_anomaly;
    for (size_t i = 0; i < in->nmemory && i < KT_REPORT_MAX_MEMORY; i++)
        m->memory[m->nmemory++] = *in->memory[i];
    fi.stats = in->stats;
    m->txn = in->txn;
    if (in->txn)
        m->txns = kt_txn_stats_sorted(in->txn, &m->ntxns);
    fi.txns = m->txns;
    fi.ntxns = m->ntxns;
    fi.slow_produce_ms = in->slow_produce_ms;
    fi.slow_fetch_ms = in->slow_fetch_ms;
    ok = conns_of(m, in) == 0 && tls_of(m, in->tls) == 0 &&
         partitions_of(m, in->partitions, in->sort, &fi) == 0 &&
         kt_report_replicas_of(m, in->partitions, &fi) == 0 &&
         kt_report_acks_of(m, in->partitions, &fi) == 0;
    if (ok)
        loss_of(m, &fi.loss);
    if (ok && in->stats) {
        ok = tables_of(m, in->stats, &fi) == 0 && throttled_of(m, in->stats, &fi) == 0 &&
             kt_report_deliveries_of(m, in->client_parts) == 0;
        if (ok) {
            fi.deliveries = m->deliveries;
            fi.ndeliveries = m->ndeliveries;
        }
        if (ok)
            m->nfindings = kt_findings_compute(&fi, &m->findings);
    }
    m->ascii = in->ascii;
    if (ok)
        ok = kt_report_timeline_build(&m->timeline, in->timeline, m->findings,
                                      m->nfindings) == 0;
    free((void *)fi.apis);
    free((void *)fi.throttled);
    if (!ok) {
        kt_report_model_free(m);
        return NULL;
    }
    return m;
}

void kt_report_model_free(kt_report_model *m)
{
    if (!m)
        return;
    free(m->apis);
    free(m->brokers);
    free(m->clients);
    free(m->partitions);
    free(m->replicas);
    free(m->replica_list_);
    free(m->replica_unfetched_);
    free(m->replica_names_);
    kt_report_acks_free(m);
    kt_partitions_merged_free(m->merged_, m->npartitions);
    kt_report_deliveries_free(m);
    free(m->throttled);
    kt_report_timeline_free(&m->timeline);
    free(m->txns);
    free(m->findings);
    free(m->conns);
    free(m->tls);
    for (size_t i = 0; i < m->ncodes_; i++)
        free(m->codes_[i]);
    free(m->codes_);
    free(m);
}
