/* topics.c - topics by name and by topic id, and their pairing (topics.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "kafka/topics.h"

int kt_topics_init(kt_topics *t, size_t limit)
{
    memset(t, 0, sizeof *t);
    t->limit = limit;
    t->nbuckets = 256;
    t->bucket = calloc(t->nbuckets, sizeof *t->bucket);
    t->overflow = calloc(1, sizeof *t->overflow);
    if (kt_intern_init(&t->names, limit) < 0 || !t->bucket || !t->overflow)
        return -1;
    t->overflow->is_overflow = 1;
    t->overflow->name = t->names.overflow;
    t->names.full_anomaly = KT_AN_TOPIC_TABLE_FULL;
    return 0;
}

void kt_topics_free(kt_topics *t)
{
    if (t->bucket) {
        for (size_t i = 0; i < t->nbuckets; i++) {
            kt_topic *tp = t->bucket[i], *next;
            for (; tp; tp = next) {
                next = tp->next;
                free(tp);
            }
        }
    }
    free(t->bucket);
    free(t->overflow);
    kt_intern_free(&t->names);
    memset(t, 0, sizeof *t);
}

static void grow(kt_topics *t)
{
    size_t n = t->nbuckets * 2;
    kt_topic **nb = calloc(n, sizeof *nb);
    if (!nb)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        kt_topic *tp = t->bucket[i], *next;
        for (; tp; tp = next) {
            next = tp->next;
            tp->next = nb[tp->hash & (n - 1)];
            nb[tp->hash & (n - 1)] = tp;
        }
    }
    free(t->bucket);
    t->bucket = nb;
    t->nbuckets = n;
}

static kt_topic *insert(kt_topics *t, uint64_t h)
{
    kt_topic *tp;
    if (t->count >= t->limit) {
        kt_anomaly_add(KT_AN_TOPIC_TABLE_FULL, 1);
        return t->overflow;
    }
    tp = calloc(1, sizeof *tp);
    if (!tp)
        return t->overflow;
    tp->hash = h;
    tp->next = t->bucket[h & (t->nbuckets - 1)];
    t->bucket[h & (t->nbuckets - 1)] = tp;
    if (++t->count > t->nbuckets)
        grow(t);
    return tp;
}

kt_topic *kt_topic_by_name(kt_topics *t, kt_slice name)
{
    const kt_istr *s;
    uint64_t h;
    kt_topic *tp;
    if (name.is_null)
        name.len = 0;
    s = kt_intern_get(&t->names, name);
    if (!s || s->is_overflow)
        return t->overflow;
    /* names are interned: hash and compare the pointer */
    h = kt_hash(&s, sizeof s) ^ 0x6e616d65u;
    for (tp = t->bucket[h & (t->nbuckets - 1)]; tp; tp = tp->next)
        if (tp->name == s && !tp->has_id)
            return tp;
    tp = insert(t, h);
    if (tp != t->overflow)
        tp->name = s;
    return tp;
}

kt_topic *kt_topic_by_id(kt_topics *t, const uint8_t id[16])
{
    uint64_t h = kt_hash(id, 16);
    kt_topic *tp;
    for (tp = t->bucket[h & (t->nbuckets - 1)]; tp; tp = tp->next)
        if (tp->has_id && memcmp(tp->id, id, 16) == 0)
            return tp;
    tp = insert(t, h);
    if (tp != t->overflow) {
        memcpy(tp->id, id, 16);
        tp->has_id = 1;
    }
    return tp;
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
