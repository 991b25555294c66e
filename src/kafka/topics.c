/* topics.c - topics by name and by topic id, and their pairing (topics.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "kafka/topics.h"

/* A topic's key: its interned name, or (name NULL) its id; and its hash,
 * compared first. */
struct topic_key {
    const kt_istr *name;
    const uint8_t *id;
    uint64_t hash;
};

static uint64_t topic_hash(const void *e)
{
    return ((const kt_topic *)e)->hash;
}

static int topic_match(const void *e, const void *key)
{
    const kt_topic *tp = e;
    const struct topic_key *k = key;
    if (tp->hash != k->hash)
        return 0;
    if (k->name)
        return tp->name == k->name && !tp->has_id;
    return tp->has_id && memcmp(tp->id, k->id, 16) == 0;
}

static void *topic_create(const void *key, uint64_t h)
{
    const struct topic_key *k = key;
    kt_topic *tp = calloc(1, sizeof *tp);
    if (!tp)
        return NULL;
    tp->hash = h;
    if (k->name) {
        tp->name = k->name;
    } else {
        memcpy(tp->id, k->id, 16);
        tp->has_id = 1;
    }
    return tp;
}

static const kt_table_type topic_type = {
    .hash = topic_hash, .match = topic_match, .create = topic_create, .destroy = free,
};

int kt_topics_init(kt_topics *t, size_t limit)
{
    memset(t, 0, sizeof *t);
    t->overflow = calloc(1, sizeof *t->overflow);
    kt_table_init(&t->topics, &topic_type, limit, t->overflow, KT_AN_TOPIC_TABLE_FULL);
    if (kt_intern_init(&t->names, limit) < 0 || !t->overflow)
        return -1;
    t->overflow->is_overflow = 1;
    t->overflow->name = t->names.overflow;
    t->names.full_anomaly = KT_AN_TOPIC_TABLE_FULL;
    return 0;
}

void kt_topics_free(kt_topics *t)
{
    kt_table_free(&t->topics);
    kt_intern_free(&t->names);
    memset(t, 0, sizeof *t);
}

static kt_topic *find_or_add(kt_topics *t, const struct topic_key *k)
{
    kt_topic *tp = kt_table_find_or_add(&t->topics, k, k->hash);
    return tp ? tp : t->overflow;
}

kt_topic *kt_topic_by_name(kt_topics *t, kt_slice name)
{
    struct topic_key k = { NULL, NULL, 0 };
    if (name.is_null)
        name.len = 0;
    k.name = kt_intern_get(&t->names, name);
    if (!k.name || k.name->is_overflow)
        return t->overflow;
    /* names are interned: hash the pointer */
    k.hash = kt_hash(&k.name, sizeof k.name) ^ 0x6e616d65u;
    return find_or_add(t, &k);
}

kt_topic *kt_topic_by_id(kt_topics *t, const uint8_t id[16])
{
    struct topic_key k = { NULL, id, kt_hash(id, 16) };
    return find_or_add(t, &k);
}

void kt_topics_pair(kt_topics *t, kt_slice name, const uint8_t id[16])
{
    kt_topic *by_name, *by_id;
    if (name.is_null || name.len == 0 || kt_topic_id_is_zero(id))
        return;
    by_name = kt_topic_by_name(t, name);
    by_id = kt_topic_by_id(t, id);
    if (by_name->is_overflow || by_id->is_overflow || by_id->link == by_name)
        return;
    /* a topic deleted and created again gets a new id: the newest pairing
     * wins for both halves */
    if (by_name->link)
        by_name->link->link = NULL;
    if (by_id->link)
        by_id->link->link = NULL;
    by_name->link = by_id;
    by_id->link = by_name;
    memcpy(by_name->id, id, 16);   /* the name's id, for reports (has_id stays 0) */
}

const kt_topic *kt_topic_canon(const kt_topic *tp)
{
    if (tp && tp->has_id && tp->link)
        return tp->link;
    return tp;
}

const kt_istr *kt_topic_name(const kt_topic *tp)
{
    tp = kt_topic_canon(tp);
    return tp ? tp->name : NULL;
}

int kt_topic_id_is_zero(const uint8_t id[16])
{
    for (int i = 0; i < 16; i++)
        if (id[i])
            return 0;
    return 1;
}

void kt_topic_id_text(const uint8_t id[16], char out[23])
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int o = 0, i;
    for (i = 0; i + 3 <= 15; i += 3) {
        uint32_t v = ((uint32_t)id[i] << 16) | ((uint32_t)id[i + 1] << 8) | id[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = b64[v & 63];
    }
    /* one byte left (16 = 5 * 3 + 1) */
    out[o++] = b64[id[15] >> 2];
    out[o++] = b64[(id[15] & 3) << 4];
    out[o] = 0;
}
