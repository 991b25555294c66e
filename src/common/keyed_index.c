/* keyed_index.c - open-addressing index over an entry array (keyed_index.h). */
#include <stdlib.h>
#include "common/keyed_index.h"

size_t kt_index_slot(const uint32_t *index, size_t cap, uint64_t h, void *const *entries,
                     kt_index_match_fn match, const void *key, int *found)
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

int kt_index_grow(uint32_t **index, size_t *cap, size_t n, void *const *entries,
                  kt_index_hash_fn hash)
{
    size_t ncap = *cap ? *cap * 2 : 64;
    uint32_t *ni;
    if (n * 2 < *cap)
        return 0;
    ni = calloc(ncap, sizeof *ni);
    if (!ni)
        return -1;
    for (size_t e = 0; e < n; e++) {
        size_t i = hash(entries[e]) & (ncap - 1);
        while (ni[i])
            i = (i + 1) & (ncap - 1);
        ni[i] = (uint32_t)(e + 1);
    }
    free(*index);
    *index = ni;
    *cap = ncap;
    return 0;
}
