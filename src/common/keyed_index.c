/* keyed_index.c - open-addressing index over an entry array (keyed_index.h). */
#include <stdlib.h>
#include "common/keyed_index.h"

int kt_index_rebuild(uint32_t **index, size_t *cap, size_t ncap, size_t n,
                     void *const *entries, kt_index_hash_fn hash)
{
    uint32_t *ni = calloc(ncap, sizeof *ni);
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

int kt_index_grow(uint32_t **index, size_t *cap, size_t n, void *const *entries,
                  kt_index_hash_fn hash)
{
    if (n * 2 < *cap)
        return 0;
    return kt_index_rebuild(index, cap, *cap ? *cap * 2 : 64, n, entries, hash);
}
