/* table.h - the one keyed table of kafkatap: entries found or added by key,
 * at most `limit` of them, with an overflow entry for what does not fit.
 *
 * Every table of things seen on the wire is one of these: the interned
 * client ids and topic names (intern.h), the topics (topics.h), the
 * brokers, client ids and throttle pairs of the statistics (stats.h) and
 * the topic-partitions (partition_stats.h).  Their owners say only what an
 * entry is (a kt_table_type) and how many they keep.
 *
 * Invariants:
 *
 *   - entries[0 .. nkeyed) are the keyed entries, in the order their keys
 *     were first seen; each key has exactly one.  Owners may read entries
 *     and walk them, never write them.
 *
 *   - Entries are allocated one by one (type->create), so a pointer to an
 *     entry stays valid until kt_table_free(), however the table grows.
 *
 *   - nkeyed <= limit (limit 0: no limit).  A new key that finds the table
 *     full gets the overflow entry, or NULL when there is none (the key is
 *     dropped), and counts the anomaly full_anomaly (-1: none).  Keys are
 *     never added after that, so the same key always gets the same entry.
 *
 *   - The overflow entry has no key and belongs to the table (it is freed
 *     with it).  It joins the entries, as entries[nkeyed], the first time
 *     it absorbs a key, so a walk over entries[0 .. n) counts everything
 *     the table was given.  n is nkeyed, or nkeyed + 1 from then on.
 *
 *   - Lookups go through a keyed_index.h index, at most half full.  The
 *     caller hashes the key with SipHash (siphash.h), keyed per process, so
 *     keys read off the wire cannot be made to collide on purpose;
 *     type->hash must give the same value for the entry's key.
 *
 * Memory: sizeof an entry plus what its entry allocates, plus up to 16
 * bytes of entry pointers (the array doubles) and up to 16 bytes of index
 * (4-byte slots, at most half full, doubling) per entry. */
#ifndef KT_TABLE_H
#define KT_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "common/memcap.h"

/* Bytes a table spends per entry beyond the entry itself, at most: an
 * entry pointer in an array that doubles (2 x 8) and index slots at most
 * half full that double too (4 x 4). */
#define KT_TABLE_OVERHEAD_PER_ENTRY (2 * sizeof(void *) + 4 * sizeof(uint32_t))

typedef struct kt_table_type {
    /* The hash of the entry's key, as kt_table_find_or_add() is given it. */
    uint64_t (*hash)(const void *entry);
    /* Non-zero when the entry has this key. */
    int (*match)(const void *entry, const void *key);
    /* A new entry for key (hash h); NULL when memory runs out. */
    void *(*create)(const void *key, uint64_t h);
    /* Frees an entry and what it holds. */
    void (*destroy)(void *entry);
} kt_table_type;

typedef struct kt_table {
    const kt_table_type *type;
    void **entries;
    size_t n;                 /* entries, the overflow entry included */
    size_t nkeyed;            /* keyed entries */
    size_t cap;               /* of entries */
    uint32_t *index;          /* positions + 1 (0: empty slot) */
    size_t index_cap;
    size_t limit;             /* keyed entries kept at most; 0: no limit */
    void *overflow;           /* what new keys get once full; NULL: dropped */
    int full_anomaly;         /* kt_anomaly_kind counted then, or -1 */
    kt_memcap *mem;           /* charged entry_bytes per keyed entry; NULL: none */
    size_t entry_bytes;
} kt_table;

/* An empty table; overflow may be NULL and is owned by the table from now
 * on.  Allocates nothing. */
void kt_table_init(kt_table *t, const kt_table_type *type, size_t limit, void *overflow,
                   int full_anomaly);

/* Charges each keyed entry entry_bytes (its size and the table's
 * KT_TABLE_OVERHEAD_PER_ENTRY, say) to mem from now on; an entry the account
 * refuses is treated as past the limit (overflow entry or NULL, and
 * full_anomaly).  The entries go back to the account when the table frees
 * them or hands them over (kt_table_take).  Call on an empty table. */
void kt_table_account(kt_table *t, kt_memcap *mem, size_t entry_bytes);

/* The entry of key (hash h), added when new.  Past the limit: the overflow
 * entry, or NULL.  NULL also when memory runs out. */
void *kt_table_find_or_add(kt_table *t, const void *key, uint64_t h);

/* The entry of key (hash h), or NULL when it has none; adds nothing. */
void *kt_table_find(const kt_table *t, const void *key, uint64_t h);

/* Makes room for n keyed entries in one allocation each (entries and
 * index) rather than by doubling; for a table whose size is known ahead.
 * Returns -1 when memory runs out (the table is unchanged and works). */
int kt_table_reserve(kt_table *t, size_t n);

/* The overflow entry, joined to the entries if it was not yet (no anomaly
 * counted): what a merged report adds another table's overflow into.
 * NULL when there is none, or memory runs out. */
void *kt_table_overflow(kt_table *t);

/* Non-zero once the limit is reached: new keys go to the overflow entry. */
static inline int kt_table_is_full(const kt_table *t)
{
    return t->limit && t->nkeyed >= t->limit;
}

/* Frees every entry (the overflow entry too) and the table's arrays; the
 * table is empty again. */
void kt_table_free(kt_table *t);

/* Hands the entries array over to the caller (who frees it and the entries
 * in it; NULL when there are none) and frees the rest; the table is empty
 * again. */
void **kt_table_take(kt_table *t, size_t *n);

#endif
