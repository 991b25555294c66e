/* replication_stats.c - the followers' Fetch requests per (follower,
 * leader, topic-partition) (replication_stats.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "stats/replication_stats.h"

/* The key as hashed and matched: every byte set (padding zeroed). */
struct replica_key {
    const kt_topic *tp;
    int64_t partition;
    int64_t follower_id;
    kt_endpoint leader;
};

static struct replica_key key_of(int32_t follower_id, const kt_endpoint *leader,
                                 const kt_topic *tp, int32_t partition)
{
    struct replica_key k;
    memset(&k, 0, sizeof k);
    k.tp = tp;
    k.partition = partition;
    k.follower_id = follower_id;
    k.leader.family = leader->family;
    memcpy(k.leader.addr, leader->addr, sizeof k.leader.addr);
    k.leader.port = leader->port;
    return k;
}

static uint64_t row_hash(const void *e)
{
    const kt_replica_stats *r = e;
    struct replica_key k = key_of(r->follower_id, &r->leader, r->topic, r->partition);
    return kt_hash(&k, sizeof k);
}

static int row_match(const void *e, const void *key)
{
    const kt_replica_stats *r = e;
    const struct replica_key *k = key;
    return r->topic == k->tp && r->partition == k->partition &&
           r->follower_id == k->follower_id && kt_endpoint_equal(&r->leader, &k->leader);
}

static void *row_create(const void *key, uint64_t h)
{
    const struct replica_key *k = key;
    kt_replica_stats *r = calloc(1, sizeof *r);
    (void)h;
    if (!r)
        return NULL;
    r->topic = k->tp;
    r->partition = (int32_t)k->partition;
    r->follower_id = (int32_t)k->follower_id;
    r->leader = k->leader;
    r->fetch_offset = -1;
    r->high_watermark = -1;
    r->lag = -1;
    r->lag_max = -1;
    r->behind_lag = -1;
    return r;
}

static void row_free(void *e)
{
    kt_replica_stats *r = e;
    kt_hist_free(&r->latency_data);
    free(r);
}

static const kt_table_type replica_type = {
    .hash = row_hash, .match = row_match, .create = row_create, .destroy = row_free,
};

void kt_replicas_init(kt_table *t)
{
    kt_table_init(t, &replica_type, KT_MAX_REPLICAS, NULL, KT_AN_PARTITION_TABLE_FULL);
}

/* The request: counts, and the silence it ends. */
static void add_request(kt_replica_stats *r, const kt_exchange *ex, const kt_part_result *p,
                        kt_produced_since_fn produced, void *ctx)
{
    uint64_t ts = ex->request_ts_us;
    if (r->fetches && ts > r->last_ts_us && ts - r->last_ts_us > r->silence_max_us &&
        produced && produced(ctx, r->topic, r->partition, &r->leader, r->last_ts_us)) {
        r->silence_max_us = ts - r->last_ts_us;
        r->silence_end_us = ts;
    }
    if (!r->fetches) {
        r->first_ts_us = ts;
        r->caught_up_ts_us = ts;
    }
    if (ts >= r->last_ts_us)
        r->last_ts_us = ts;
    r->fetches++;
    if (ex->client)
        r->follower = *ex->client;
    if (p->fetch_offset >= 0)
        r->fetch_offset = p->fetch_offset;
}

/* The answer: records replicated, lag, and how long it has been behind. */
static void add_answer(kt_replica_stats *r, const kt_exchange *ex, const kt_part_result *p)
{
    if (ex->status == KT_STATUS_UNKNOWN_CAPTURE_LOSS)
        return;
    if (ex->status == KT_STATUS_UNANSWERED || ex->latency_us < 0) {
        r->unanswered++;
        return;
    }
    r->answered++;
    if (!p->answered)
        return;
    r->records += p->records > 0 ? (uint64_t)p->records : 0;
    r->bytes += p->bytes;
    if (p->records > 0)
        kt_hist_add(&r->latency_data, (uint64_t)ex->latency_us);
    if (p->high_watermark < 0 || p->fetch_offset < 0)
        return;
    r->high_watermark = p->high_watermark;
    r->lag = p->high_watermark > p->fetch_offset ? p->high_watermark - p->fetch_offset : 0;
    if (r->lag > r->lag_max)
        r->lag_max = r->lag;
    if (r->lag < KT_REPLICA_BEHIND_RECORDS) {
        r->caught_up_ts_us = ex->request_ts_us;
        return;
    }
    if (ex->request_ts_us >= r->caught_up_ts_us &&
        ex->request_ts_us - r->caught_up_ts_us >= r->behind_max_us) {
        r->behind_max_us = ex->request_ts_us - r->caught_up_ts_us;
        r->behind_lag = r->lag;
        r->behind_at_us = ex->request_ts_us;
    }
}

uint64_t kt_replicas_add(kt_table *t, const kt_exchange *ex, kt_produced_since_fn produced,
                         void *ctx)
{
    const kt_request_detail *d = ex->detail;
    uint64_t dropped = 0;
    kt_endpoint none;
    memset(&none, 0, sizeof none);
    if (!kt_exchange_is_follower_fetch(ex))
        return 0;
    for (uint32_t i = 0; i < d->nparts; i++) {
        const kt_part_result *p = &d->parts[i];
        struct replica_key k = key_of(d->replica_id, ex->broker ? ex->broker : &none, p->topic,
                                      p->partition);
        kt_replica_stats *r = kt_table_find_or_add(t, &k, kt_hash(&k, sizeof k));
        if (!r) {
            dropped++;
            continue;
        }
        add_request(r, ex, p, produced, ctx);
        add_answer(r, ex, p);
    }
    return dropped;
}

/* ---- broker ids and addresses (Metadata) -------------------------------- */

static uint64_t node_hash_of(int32_t id)
{
    int64_t k = id;
    return kt_hash(&k, sizeof k);
}

static uint64_t node_hash(const void *e)
{
    return node_hash_of(((const kt_node_stats *)e)->node_id);
}

static int node_match(const void *e, const void *key)
{
    return ((const kt_node_stats *)e)->node_id == *(const int32_t *)key;
}

static void *node_create(const void *key, uint64_t h)
{
    kt_node_stats *n = calloc(1, sizeof *n);
    (void)h;
    if (n) {
        n->node_id = *(const int32_t *)key;
        n->port = -1;
    }
    return n;
}

static const kt_table_type node_type = {
    .hash = node_hash, .match = node_match, .create = node_create, .destroy = free,
};

void kt_nodes_init(kt_table *t)
{
    kt_table_init(t, &node_type, KT_MAX_NODES, NULL, -1);
}

void kt_nodes_add(kt_table *t, const kt_exchange *ex)
{
    for (uint32_t i = 0; i < ex->nnodes; i++) {
        const kt_broker_node *b = &ex->nodes[i];
        kt_node_stats *n = kt_table_find_or_add(t, &b->node_id, node_hash_of(b->node_id));
        if (!n)
            continue;
        n->port = b->port;
        n->host_len = b->host_len;
        memcpy(n->host, b->host, b->host_len);
    }
}

int kt_nodes_set(kt_table *t, int32_t node_id, const char *host, size_t host_len, int32_t port)
{
    kt_node_stats *n;
    if (kt_nodes_find(t, node_id))
        return 0;
    if (!(n = kt_table_find_or_add(t, &node_id, node_hash_of(node_id))))
        return -1;
    n->port = port;
    n->host_len = (uint8_t)(host_len < KT_NODE_HOST_MAX ? host_len : KT_NODE_HOST_MAX);
    memcpy(n->host, host, n->host_len);
    return 0;
}

kt_replica_stats *kt_replicas_entry(kt_table *t, int32_t follower_id, const kt_endpoint *leader,
                                    const kt_topic *tp, int32_t partition)
{
    struct replica_key k = key_of(follower_id, leader, tp, partition);
    return kt_table_find_or_add(t, &k, kt_hash(&k, sizeof k));
}

void kt_replica_merge_maxima(kt_replica_stats *into, const kt_replica_stats *from)
{
    if (from->lag_max > into->lag_max)
        into->lag_max = from->lag_max;
    if (from->behind_max_us > into->behind_max_us ||
        (from->behind_max_us == into->behind_max_us && into->behind_lag < 0)) {
        into->behind_max_us = from->behind_max_us;
        into->behind_lag = from->behind_lag;
        into->behind_at_us = from->behind_at_us;
    }
    if (from->silence_max_us > into->silence_max_us) {
        into->silence_max_us = from->silence_max_us;
        into->silence_end_us = from->silence_end_us;
    }
}

void kt_replica_merge(kt_replica_stats *into, const kt_replica_stats *from)
{
    int later = !into->fetches || from->last_ts_us >= into->last_ts_us;
    into->answered += from->answered;
    into->unanswered += from->unanswered;
    into->records += from->records;
    into->bytes += from->bytes;
    kt_hist_merge(&into->latency_data, &from->latency_data);
    if (later) {
        into->follower = from->follower;
        into->fetch_offset = from->fetch_offset;
        into->high_watermark = from->high_watermark;
        into->lag = from->lag;
    }
    kt_replica_merge_maxima(into, from);
    if (from->fetches && (!into->fetches || from->first_ts_us < into->first_ts_us))
        into->first_ts_us = from->first_ts_us;
    if (from->last_ts_us > into->last_ts_us)
        into->last_ts_us = from->last_ts_us;
    into->fetches += from->fetches;
}

const kt_node_stats *kt_nodes_find(const kt_table *t, int32_t node_id)
{
    return kt_table_find(t, &node_id, node_hash_of(node_id));
}
