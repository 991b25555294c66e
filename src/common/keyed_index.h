/* keyed_index.h - an open-addressing index over an array of entries, the
 * lookup structure of every keyed table (table.h).
 *
 * The entries live in the caller's array of pointers; the index holds
 * entry positions + 1 (0 is an empty slot), is a power of two in size and
 * is kept at most half full by kt_index_grow(), which the caller calls
 * before every lookup.  Its one user is the keyed table (table.h).  Hashes come from SipHash (siphash.h) over the key,
 * so keys read off the wire cannot be made to collide on purpose. */
#ifndef KT_KEYED_INDEX_H
#define KT_KEYED_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef int (*kt_index_match_fn)(const void *entry, const void *key);
typedef uint64_t (*kt_index_hash_fn)(const void *entry);

/* The slot of key (hash h): its entry's when *found, else the empty slot
 * where its position + 1 is to be stored.  Inline: it is every lookup. */
static inline size_t kt_index_slot(const uint32_t *index, size_t cap, uint64_t h,
                                   void *const *entries, kt_index_match_fn match,
                                   const void *key, int *found)
{
    size_t i = h & (cap - 1);
    *found = 0;
    while (index[i]) {
        if (match(entries[index[i] - 1], key)) {
            *found = 1;
            return i;
        }
        i = (i + 1) & (cap - 1);
    }
    return i;
}

/* Replaces the index by one of ncap slots (a power of two, more than twice
 * n) holding the n entries.  Returns -1 when memory runs out (the old index
 * stays). */
int kt_index_rebuild(uint32_t **index, size_t *cap, size_t ncap, size_t n,
                     void *const *entries, kt_index_hash_fn hash);

/* Doubles the index (rehashing the n entries) when it is half full or not
 * yet allocated.  Returns -1 when memory runs out (the old index stays). */
int kt_index_grow(uint32_t **index, size_t *cap, size_t n, void *const *entries,
                  kt_index_hash_fn hash);

#endif
