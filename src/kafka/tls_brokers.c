/* tls_brokers.c - per-broker counts of the TLS connections on broker
 * ports (see tls_brokers.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "kafka/tls_brokers.h"

static uint64_t entry_hash(const void *e)
{
    const kt_tls_broker *b = e;
    return kt_hash(&b->broker, sizeof b->broker);
}

static int entry_match(const void *e, const void *key)
{
    return memcmp(&((const kt_tls_broker *)e)->broker, key, sizeof(kt_endpoint)) == 0;
}

static void *entry_create(const void *key, uint64_t h)
{
    kt_tls_broker *b = calloc(1, sizeof *b);
    (void)h;
    if (b)
        memcpy(&b->broker, key, sizeof b->broker);   /* padding too */
    return b;
}

static const kt_table_type tls_broker_type = {
    .hash = entry_hash, .match = entry_match, .create = entry_create, .destroy = free,
};

int kt_tls_brokers_init(kt_tls_brokers *t)
{
    kt_tls_broker *other = calloc(1, sizeof *other);
    if (!other)
        return -1;
    other->is_other = 1;
    kt_memcap_init(&t->mem, "tls_brokers", 0, KT_AN_BROKER_TABLE_FULL);
    kt_table_init(&t->table, &tls_broker_type, KT_TLS_MAX_BROKERS, other,
                  KT_AN_BROKER_TABLE_FULL);
    kt_table_account(&t->table, &t->mem, sizeof(kt_tls_broker) + KT_TABLE_OVERHEAD_PER_ENTRY);
    return 0;
}

kt_tls_broker *kt_tls_brokers_entry(kt_tls_brokers *t, const kt_endpoint *broker)
{
    kt_endpoint key = kt_endpoint_key(broker);
    return kt_table_find_or_add(&t->table, &key, kt_hash(&key, sizeof key));
}

void kt_tls_brokers_free(kt_tls_brokers *t)
{
    kt_table_free(&t->table);
}
