/* table.c - the keyed table with a limit and an overflow entry (table.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/keyed_index.h"
#include "common/table.h"

void kt_table_init(kt_table *t, const kt_table_type *type, size_t limit, void *overflow,
                   int full_anomaly)
{
    memset(t, 0, sizeof *t);
    t->type = type;
    t->limit = limit;
    t->overflow = overflow;
    t->full_anomaly = full_anomaly;
}

static int push(kt_table *t, void *e)
{
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        void **ne = realloc(t->entries, ncap * sizeof *ne);
        if (!ne)
            return -1;
        t->entries = ne;
        t->cap = ncap;
    }
    t->entries[t->n++] = e;
    return 0;
}

int kt_table_reserve(kt_table *t, size_t n)
{
    size_t icap = 64;
    while (icap <= 2 * n)
        icap *= 2;
    if (n + 1 > t->cap) {   /* room for the overflow entry too */
        void **ne = realloc(t->entries, (n + 1) * sizeof *ne);
        if (!ne)
            return -1;
        t->entries = ne;
        t->cap = n + 1;
    }
    if (icap > t->index_cap)
        return kt_index_rebuild(&t->index, &t->index_cap, icap, t->nkeyed, t->entries,
                                t->type->hash);
    return 0;
}

static void *absorb(kt_table *t)
{
    if (t->full_anomaly >= 0)
        kt_anomaly_add((kt_anomaly_kind)t->full_anomaly, 1);
    if (t->overflow && t->n == t->nkeyed && push(t, t->overflow) < 0)
        return NULL;
    return t->overflow;
}

void *kt_table_overflow(kt_table *t)
{
    if (t->overflow && t->n == t->nkeyed && push(t, t->overflow) < 0)
        return NULL;
    return t->overflow;
}

void kt_table_account(kt_table *t, kt_memcap *mem, size_t entry_bytes)
{
    t->mem = mem;
    t->entry_bytes = entry_bytes;
}

void *kt_table_find_or_add(kt_table *t, const void *key, uint64_t h)
{
    size_t slot;
    int found;
    void *e;

    /* the index only ever holds the keyed entries */
    if (t->nkeyed * 2 >= t->index_cap &&
        kt_index_grow(&t->index, &t->index_cap, t->nkeyed, t->entries, t->type->hash) < 0 &&
        t->nkeyed + 1 >= t->index_cap)
        return NULL;   /* no memory, and no empty slot to spare */
    slot = kt_index_slot(t->index, t->index_cap, h, t->entries, t->type->match, key, &found);
    if (found)
        return t->entries[t->index[slot] - 1];
    if (kt_table_is_full(t))
        return absorb(t);
    if (t->mem && !kt_memcap_reserve(t->mem, t->entry_bytes))
        return absorb(t);
    e = t->type->create(key, h);
    if (!e || push(t, e) < 0) {
        if (e)
            t->type->destroy(e);
        if (t->mem)
            kt_memcap_release(t->mem, t->entry_bytes);
        return NULL;
    }
    t->nkeyed++;
    t->index[slot] = (uint32_t)t->nkeyed;
    return e;
}

void *kt_table_find(const kt_table *t, const void *key, uint64_t h)
{
    size_t slot;
    int found = 0;
    if (!t->nkeyed || !t->index_cap)
        return NULL;
    slot = kt_index_slot(t->index, t->index_cap, h, t->entries, t->type->match, key, &found);
    return found ? t->entries[t->index[slot] - 1] : NULL;
}

static void free_index(kt_table *t)
{
    kt_memcap *mem = t->mem;
    size_t entry_bytes = t->entry_bytes;
    free(t->index);
    if (t->overflow && t->n == t->nkeyed)   /* never joined the entries */
        t->type->destroy(t->overflow);
    if (mem)                                /* the keyed entries leave */
        kt_memcap_release(mem, t->nkeyed * entry_bytes);
    kt_table_init(t, t->type, t->limit, NULL, t->full_anomaly);
    kt_table_account(t, mem, entry_bytes);
}

void kt_table_free(kt_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        t->type->destroy(t->entries[i]);
    free(t->entries);
    free_index(t);
}

void **kt_table_take(kt_table *t, size_t *n)
{
    void **entries = t->entries;
    *n = t->n;
    free_index(t);
    return entries;
}
