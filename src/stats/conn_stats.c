/* conn_stats.c - per-connection contributions to the statistics (see
 * conn_stats.h). */
#include <stdlib.h>
#include <string.h>
#include "common/siphash.h"
#include "dissectors/kafka_apis.h"
#include "stats/conn_stats.h"

struct conn_key {
    kt_endpoint client, broker;
};

static struct conn_key key_of(const kt_endpoint *client, const kt_endpoint *broker)
{
    struct conn_key k;
    memset(&k, 0, sizeof k);       /* hashed as bytes: padding zeroed */
    k.client.family = client->family;
    memcpy(k.client.addr, client->addr, sizeof k.client.addr);
    k.client.port = client->port;
    k.broker.family = broker->family;
    memcpy(k.broker.addr, broker->addr, sizeof k.broker.addr);
    k.broker.port = broker->port;
    return k;
}

static uint64_t entry_hash(const void *e)
{
    const kt_conn_stats_entry *c = e;
    struct conn_key k = key_of(&c->client, &c->broker);
    return kt_hash(&k, sizeof k);
}

static int entry_match(const void *e, const void *key)
{
    const kt_conn_stats_entry *c = e;
    const struct conn_key *k = key;
    return memcmp(&c->client, &k->client, sizeof c->client) == 0 &&
           memcmp(&c->broker, &k->broker, sizeof c->broker) == 0;
}

static void *entry_create(const void *key, uint64_t h)
{
    const struct conn_key *k = key;
    kt_conn_stats_entry *c = calloc(1, sizeof *c);
    (void)h;
    if (c) {
        memcpy(&c->client, &k->client, sizeof c->client);
        memcpy(&c->broker, &k->broker, sizeof c->broker);
    }
    return c;
}

static void entry_destroy(void *e)
{
    kt_conn_stats_entry *c = e;
    for (size_t i = 0; i < c->napis; i++)
        kt_agg_free(&c->apis[i].agg);
    free(c->apis);
    kt_partitions_free(c->parts);
    free(c);
}

static const kt_table_type conn_type = {
    .hash = entry_hash, .match = entry_match,
    .create = entry_create, .destroy = entry_destroy,
};

kt_conn_stats *kt_conn_stats_new(void)
{
    kt_conn_stats *cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    kt_table_init(&cs->table, &conn_type, KT_MAX_CONN_STATS, NULL, -1);
    kt_memcap_init(&cs->mem, "connection_stats", 0, KT_AN_BROKER_TABLE_FULL);
    kt_table_account(&cs->table, &cs->mem,
                     sizeof(kt_conn_stats_entry) + KT_TABLE_OVERHEAD_PER_ENTRY);
    return cs;
}

kt_conn_stats_entry *kt_conn_stats_entry_of(kt_conn_stats *cs, const kt_endpoint *client,
                                            const kt_endpoint *broker)
{
    struct conn_key k = key_of(client, broker);
    return kt_table_find_or_add(&cs->table, &k, kt_hash(&k, sizeof k));
}

kt_conn_api *kt_conn_stats_api(kt_conn_stats *cs, kt_conn_stats_entry *e, int16_t api_key,
                               int follower, const kt_istr *client_id)
{
    for (size_t i = 0; i < e->napis; i++)
        if (e->apis[i].api_key == api_key && e->apis[i].follower == !!follower &&
            e->apis[i].client_id == client_id)
            return &e->apis[i];
    if (e->napis == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 2;
        kt_conn_api *n = realloc(e->apis, ncap * sizeof *n);
        if (!n)
            return NULL;
        e->apis = n;
        e->cap = ncap;
    }
    memset(&e->apis[e->napis], 0, sizeof e->apis[e->napis]);
    e->apis[e->napis].api_key = api_key;
    e->apis[e->napis].follower = (int8_t)!!follower;
    e->apis[e->napis].client_id = client_id;
    return &e->apis[e->napis++];
}

kt_partitions *kt_conn_stats_parts(kt_conn_stats *cs, kt_conn_stats_entry *e)
{
    (void)cs;
    if (!e->parts)
        e->parts = kt_partitions_new();
    return e->parts;
}

/* The exchange's partitions into the connection's, within KT_MAX_CONN_PARTS
 * (an exchange may pass it by its own partitions, KT_MAX_DETAIL_PARTS). */
static void add_parts(kt_conn_stats *cs, kt_conn_stats_entry *e, const kt_exchange *ex)
{
    size_t before;
    if (!ex->detail || (ex->api_key != KT_API_PRODUCE && ex->api_key != KT_API_FETCH) ||
        kt_exchange_is_follower_fetch(ex))
        return;                 /* follower fetches are not in the partition rows */
    if (cs->nparts >= KT_MAX_CONN_PARTS || !kt_conn_stats_parts(cs, e)) {
        e->parts_incomplete = 1;
        return;
    }
    before = e->parts->table.nkeyed;
    kt_partitions_add(e->parts, ex);
    if (e->parts->table.nkeyed > before) {
        size_t added = e->parts->table.nkeyed - before;
        cs->nparts += added;
        kt_memcap_reserve(&cs->mem, added * KT_PARTITION_ENTRY_BYTES);
    }
    if (e->parts->dropped)
        e->parts_incomplete = 1;
}

void kt_conn_stats_add(kt_conn_stats *cs, const kt_exchange *ex)
{
    kt_conn_stats_entry *e;
    kt_conn_api *a;

    if (!ex->client || !ex->broker)
        return;
    e = kt_conn_stats_entry_of(cs, ex->client, ex->broker);
    a = e ? kt_conn_stats_api(cs, e, ex->api_key, kt_exchange_is_follower_fetch(ex),
                                   ex->client_id) : NULL;
    if (!a) {
        cs->not_tracked++;
        return;
    }
    kt_agg_add(&a->agg, ex);
    if (ex->throttle_ms >= 0)
        a->throttle_responses++;
    add_parts(cs, e, ex);
}

void kt_conn_stats_free(kt_conn_stats *cs)
{
    if (!cs)
        return;
    kt_memcap_release(&cs->mem, cs->nparts * KT_PARTITION_ENTRY_BYTES);
    kt_table_free(&cs->table);
    free(cs);
}
