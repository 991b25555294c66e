/* report_merge.c - adds loaded reports together, each connection once
 * (see report_merge.h). */
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "report/report_merge.h"

static uint64_t minus(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

static void merge_stats(kt_stats *out, const kt_stats *in, int *oom)
{
    for (int i = 0; i <= KT_STATS_API_SLOTS + 1; i++) {
        const kt_api_stats *a = i < KT_STATS_API_SLOTS ? in->api[i]
                                : i == KT_STATS_API_SLOTS ? in->api_other : in->follower_fetch;
        kt_api_stats *o = a ? kt_stats_api(out, a->api_key, a->follower) : NULL;
        if (!a)
            continue;
        if (!o) {
            *oom = 1;
            continue;
        }
        o->versions[0] |= a->versions[0];
        o->versions[1] |= a->versions[1];
        kt_agg_merge(&o->agg, &a->agg);
    }
    for (size_t i = 0; i < in->nbrokers; i++) {
        const kt_broker_stats *b = in->brokers[i];
        kt_broker_stats *o = b->is_other ? out->broker_table.overflow
                                         : kt_stats_broker(out, &b->broker);
        if (!o) {
            *oom = 1;
            continue;
        }
        kt_agg_merge(&o->agg, &b->agg);
        kt_agg_merge(&o->produce, &b->produce);
    }
    for (size_t i = 0; i < in->nclients; i++) {
        kt_client_stats *o = kt_stats_client(out, in->clients[i]->client_id);
        if (!o) {
            *oom = 1;
            continue;
        }
        kt_agg_merge(&o->agg, &in->clients[i]->agg);
        kt_agg_merge(&o->produce, &in->clients[i]->produce);
        o->roles |= in->clients[i]->roles;
        kt_batch_agg_merge(&o->batching, &in->clients[i]->batching);
    }
    for (size_t i = 0; i < in->throttle_table.n; i++) {
        const kt_throttle_stats *t = in->throttle_table.entries[i];
        kt_throttle_stats *o = kt_stats_throttle(out, t->client_id, &t->broker);
        if (!o) {
            *oom = 1;
            continue;
        }
        o->responses += t->responses;
        o->throttled += t->throttled;
        o->throttle_ms_total += t->throttle_ms_total;
        if (t->throttle_ms_max > o->throttle_ms_max)
            o->throttle_ms_max = t->throttle_ms_max;
    }
    kt_agg_merge(&out->total, &in->total);
}

static void merge_partitions(kt_partitions *out, const kt_partitions *in, int *oom)
{
    for (size_t i = 0; i < in->table.n; i++) {
        const kt_partition_stats *e = in->table.entries[i];
        kt_partition_stats *o = kt_partitions_entry(out, e->topic, e->partition);
        if (!o) {
            *oom = 1;
            continue;
        }
        kt_partition_merge(o, e);
    }
    out->dropped += in->dropped;
}

/* TLS connections per broker: sums (not de-duplicated). */
static void merge_tls(kt_tls_brokers *out, const kt_tls_brokers *in, int *oom)
{
    size_t n;
    const kt_tls_broker *const *all = kt_tls_brokers_all(in, &n);
    for (size_t i = 0; i < n; i++) {
        kt_tls_broker *o = all[i]->is_other ? kt_table_overflow(&out->table)
                                            : kt_tls_brokers_entry(out, &all[i]->broker);
        if (!o) {
            *oom = 1;
            continue;
        }
        o->connections += all[i]->connections;
        o->midstream += all[i]->midstream;
        o->bytes += all[i]->bytes;
    }
}

/* Per-client delivery: sums per client id and per (client id, topic,
 * partition), the "(other)" entry into the merged one. */
static void merge_deliveries(kt_client_parts *out, const kt_client_parts *in, int *oom)
{
    for (size_t i = 0; i < in->clients.n; i++) {
        const kt_client_delivery *c = in->clients.entries[i];
        kt_delivery *o = kt_client_parts_totals(out, c->client_id);
        if (!o) {
            *oom = 1;
            continue;
        }
        kt_delivery_merge(o, &c->d);
    }
    for (size_t i = 0; i < in->parts.n; i++) {
        const kt_client_partition *e = in->parts.entries[i];
        kt_client_partition *o = e->is_other ? kt_client_parts_other(out)
                                 : kt_client_parts_entry(out, e->client_id, e->topic, e->partition);
        if (!o) {
            *oom = 1;
            continue;
        }
        kt_delivery_merge(&o->d, &e->d);
    }
}

static void merge_counters(kt_loaded_report *out, const kt_loaded_report *in)
{
    kt_capture_stats *c = &out->capture;
    kt_session_totals *t = &out->totals;
    c->packets += in->capture.packets;
    c->bytes += in->capture.bytes;
    c->dropped += in->capture.dropped;
    c->if_dropped += in->capture.if_dropped;
    c->tcp_segments += in->capture.tcp_segments;
    if (in->capture.first_ts_us && (!c->first_ts_us || in->capture.first_ts_us < c->first_ts_us))
        c->first_ts_us = in->capture.first_ts_us;
    if (in->capture.last_ts_us > c->last_ts_us)
        c->last_ts_us = in->capture.last_ts_us;
    t->requests += in->totals.requests;
    t->matched += in->totals.matched;
    t->unanswered += in->totals.unanswered;
    t->no_response_expected += in->totals.no_response_expected;
    t->unknown_capture_loss += in->totals.unknown_capture_loss;
    t->orphan_responses += in->totals.orphan_responses;
    t->lost_request_responses += in->totals.lost_request_responses;
    t->malformed += in->totals.malformed;
    t->connections += in->totals.connections;
    t->midstream_connections += in->totals.midstream_connections;
    t->missed_bytes += in->totals.missed_bytes;
    t->ignored_connections += in->totals.ignored_connections;
    t->tls_connections += in->totals.tls_connections;
    t->tls_bytes += in->totals.tls_bytes;
    for (int k = 0; k < KT_AN__COUNT; k++)
        out->anomalies.count[k] += in->anomalies.count[k];
    out->conns_not_listed += in->conns_not_listed;
    out->conn_stats_not_tracked += in->conn_stats_not_tracked;
}

/* ---- connections seen in several inputs -------------------------------- */

typedef struct copy {
    const kt_conn_stats_entry *e;
    size_t input;
    uint64_t requests;
    int kept;
} copy;

static int cmp_key(const kt_endpoint *c1, const kt_endpoint *b1,
                   const kt_endpoint *c2, const kt_endpoint *b2)
{
    int c = memcmp(c1, c2, sizeof *c1);
    return c ? c : memcmp(b1, b2, sizeof *b1);
}

static int cmp_copy(const void *a, const void *b)
{
    const copy *x = a, *y = b;
    int c = cmp_key(&x->e->client, &x->e->broker, &y->e->client, &y->e->broker);
    if (c)
        return c;
    return x->input < y->input ? -1 : x->input > y->input;
}

/* A duplicate copy's contribution out of the sums. */
static void take_out(kt_loaded_report *out, const kt_conn_stats_entry *e)
{
    kt_stats *s = out->stats;
    kt_session_totals *t = &out->totals;
    for (size_t i = 0; i < e->napis; i++) {
        const kt_conn_api *a = &e->apis[i];
        const kt_agg *g = &a->agg;
        kt_api_stats *api = kt_stats_api(s, a->api_key, a->follower);
        kt_broker_stats *b = kt_stats_broker(s, &e->broker);
        if (api)
            kt_agg_subtract(&api->agg, g);
        if (b) {
            kt_agg_subtract(&b->agg, g);
            if (a->api_key == KT_API_PRODUCE)
                kt_agg_subtract(&b->produce, g);
        }
        if (a->client_id) {
            kt_client_stats *cl = kt_stats_client(s, a->client_id);
            kt_throttle_stats *th = kt_stats_throttle(s, a->client_id, &e->broker);
            if (cl) {
                kt_agg_subtract(&cl->agg, g);
                if (a->api_key == KT_API_PRODUCE)
                    kt_agg_subtract(&cl->produce, g);
            }
            if (th) {
                th->responses = minus(th->responses, a->throttle_responses);
                th->throttled = minus(th->throttled, g->throttled);
                th->throttle_ms_total = minus(th->throttle_ms_total, g->throttle_ms_total);
            }
        }
        kt_agg_subtract(&s->total, g);
        t->requests = minus(t->requests, g->requests);
        t->matched = minus(t->matched, g->matched);
        t->unanswered = minus(t->unanswered, g->unanswered);
        t->no_response_expected = minus(t->no_response_expected, g->no_response);
        t->unknown_capture_loss = minus(t->unknown_capture_loss,
                                        minus(g->requests, g->matched + g->unanswered + g->no_response));
    }
    t->connections = minus(t->connections, 1);
    for (size_t i = 0; e->parts && i < e->parts->table.n; i++) {
        const kt_partition_stats *p = e->parts->table.entries[i];
        kt_partition_stats *o = kt_partitions_entry(out->partitions, p->topic, p->partition);
        if (o)
            kt_partition_subtract(o, p);
    }
}

/* The kept copy into the merged connection statistics. */
static int keep(kt_conn_stats *cs, const kt_conn_stats_entry *e)
{
    kt_conn_stats_entry *o = kt_conn_stats_entry_of(cs, &e->client, &e->broker);
    if (!o)
        return -1;
    for (size_t i = 0; i < e->napis; i++) {
        kt_conn_api *a = kt_conn_stats_api(cs, o, e->apis[i].api_key, e->apis[i].follower,
                                          e->apis[i].client_id);
        if (!a)
            return -1;
        kt_agg_merge(&a->agg, &e->apis[i].agg);
        a->throttle_responses += e->apis[i].throttle_responses;
    }
    o->parts_incomplete |= e->parts_incomplete;
    if (e->parts && !kt_conn_stats_parts(cs, o))
        return -1;
    for (size_t i = 0; e->parts && i < e->parts->table.n; i++) {
        const kt_partition_stats *p = e->parts->table.entries[i];
        kt_partition_stats *op = kt_partitions_entry(o->parts, p->topic, p->partition);
        if (!op)
            return -1;
        kt_partition_merge(op, p);
    }
    return 0;
}

/* Is the connection (client, broker) of input i a copy taken out? */
static int dropped(const copy *copies, size_t n, const kt_endpoint *client,
                   const kt_endpoint *broker, size_t input)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {                   /* the first copy of the key */
        size_t mid = (lo + hi) / 2;
        if (cmp_key(&copies[mid].e->client, &copies[mid].e->broker, client, broker) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && !cmp_key(&copies[lo].e->client, &copies[lo].e->broker, client, broker);
         lo++)
        if (copies[lo].input == input)
            return !copies[lo].kept;
    return 0;
}

/* The replication rows summed (kt_replica_merge), but for the rows whose
 * follower's connection to the leader is a copy taken out (the same
 * fetches seen at both ends): of those only the maxima (lag, time behind,
 * silence: the other end may have seen the Produce requests that make a
 * silence); the broker ids' addresses, first known first. */
static void merge_replicas(kt_partitions *out, const kt_loaded_report *in, size_t n,
                           const copy *copies, size_t ncopies, int *oom)
{
    for (size_t i = 0; i < n; i++) {
        const kt_partitions *p = in[i].partitions;
        for (size_t k = 0; k < p->replicas.n; k++) {
            const kt_replica_stats *x = p->replicas.entries[k];
            kt_replica_stats *o = kt_replicas_entry(&out->replicas, x->follower_id, &x->leader,
                                                    x->topic, x->partition);
            if (!o) {
                *oom = 1;
                continue;
            }
            if (dropped(copies, ncopies, &x->follower, &x->leader, i))
                kt_replica_merge_maxima(o, x);
            else
                kt_replica_merge(o, x);
        }
        out->replicas_dropped += p->replicas_dropped;
        for (size_t k = 0; k < p->nodes.n; k++) {
            const kt_node_stats *nd = p->nodes.entries[k];
            if (kt_nodes_set(&out->nodes, nd->node_id, nd->host, nd->host_len, nd->port) < 0)
                *oom = 1;
        }
    }
}

static int dedup(kt_loaded_report *out, const kt_loaded_report *in, size_t n, kt_merge_info *info)
{
    size_t ncopies = 0, k = 0, nconns = 0;
    copy *copies;
    int rc = 0, oom = 0;

    for (size_t i = 0; i < n; i++)
        ncopies += in[i].conn_stats ? in[i].conn_stats->table.n : 0;
    for (size_t i = 0; i < n; i++)
        nconns += in[i].nconns;
    copies = calloc(ncopies + 1, sizeof *copies);
    out->conn_stats = kt_conn_stats_new();
    out->conns = calloc(nconns + 1, sizeof *out->conns);
    if (!copies || !out->conn_stats || !out->conns) {
        free(copies);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const kt_table *t = in[i].conn_stats ? &in[i].conn_stats->table : NULL;
        for (size_t j = 0; t && j < t->n; j++) {
            const kt_conn_stats_entry *e = t->entries[j];
            copies[k].e = e;
            copies[k].input = i;
            for (size_t a = 0; a < e->napis; a++)
                copies[k].requests += e->apis[a].agg.requests;
            k++;
        }
    }
    qsort(copies, ncopies, sizeof *copies, cmp_copy);
    for (size_t g = 0; g < ncopies;) {
        size_t end = g + 1, best = g;
        while (end < ncopies && !cmp_key(&copies[end].e->client, &copies[end].e->broker,
                                         &copies[g].e->client, &copies[g].e->broker))
            end++;
        for (size_t x = g + 1; x < end; x++)
            if (copies[x].requests > copies[best].requests)
                best = x;
        copies[best].kept = 1;
        if (keep(out->conn_stats, copies[best].e) < 0)
            rc = -1;
        for (size_t x = g; x < end; x++) {
            if (x == best)
                continue;
            take_out(out, copies[x].e);
            info->duplicate_connections++;
            if (copies[x].e->parts_incomplete)
                info->partitions_unchecked++;
        }
        g = end;
    }
    /* the listed connections, a dropped copy's left out */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < in[i].nconns; j++) {
            const kt_conn_summary *cs = &in[i].conns[j];
            if (dropped(copies, ncopies, &cs->client, &cs->broker, i)) {
                out->totals.midstream_connections =
                    minus(out->totals.midstream_connections, (uint64_t)cs->midstream);
                out->totals.missed_bytes = minus(out->totals.missed_bytes, cs->missed_bytes);
                continue;
            }
            out->conns[out->nconns++] = *cs;
        }
    }
    merge_replicas(out->partitions, in, n, copies, ncopies, &oom);
    if (oom)
        rc = -1;
    free(copies);
    return rc;
}

int kt_report_merge(kt_loaded_report *out, const kt_loaded_report *in, size_t n,
                    kt_merge_info *info)
{
    int oom = 0;
    memset(out, 0, sizeof *out);
    memset(info, 0, sizeof *info);
    info->inputs = n;
    out->stats = kt_stats_new();
    out->partitions = kt_partitions_new();
    out->client_parts = kt_client_parts_new();
    out->tls = kt_report_tls_new();
    out->txn = kt_txn_stats_new();
    if (!out->stats || !out->partitions || !out->client_parts || !out->tls || !out->txn)
        return -1;
    for (size_t i = 0; i < n; i++) {
        merge_stats(out->stats, in[i].stats, &oom);
        merge_partitions(out->partitions, in[i].partitions, &oom);
        merge_deliveries(out->client_parts, in[i].client_parts, &oom);
        merge_tls(out->tls, in[i].tls, &oom);
        if (kt_txn_stats_merge(out->txn, in[i].txn) < 0)
            oom = 1;
        merge_counters(out, &in[i]);
    }
    if (dedup(out, in, n, info) < 0)
        oom = 1;
    info->unchecked_exchanges = out->conn_stats_not_tracked;
    if (out->conn_stats)
        out->conn_stats->not_tracked = out->conn_stats_not_tracked;
    return oom ? -1 : 0;
}
