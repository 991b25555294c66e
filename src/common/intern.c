/* intern.c - bounded interned-string table (see intern.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/intern.h"
#include "common/siphash.h"

static kt_istr *make(const uint8_t *p, size_t n, uint64_t h)
{
    kt_istr *s = malloc(sizeof *s + n + 1);
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->hash = h;
    s->len = (uint32_t)n;
    if (n)
        memcpy(s->s, p, n);
    s->s[n] = 0;
    return s;
}

int kt_intern_init(kt_intern *t, size_t limit)
{
    memset(t, 0, sizeof *t);
    t->nbuckets = 256;
    t->limit = limit;
    t->full_anomaly = -1;
    t->bucket = calloc(t->nbuckets, sizeof *t->bucket);
    t->null_str = make(NULL, 0, 0);
    t->overflow = make((const uint8_t *)"(too many distinct)", 19, 0);
    if (!t->bucket || !t->null_str || !t->overflow)
        return -1;
    t->null_str->is_null = 1;
    t->overflow->is_overflow = 1;
    return 0;
}

static void grow(kt_intern *t)
{
    size_t n = t->nbuckets * 2;
    kt_istr **nb = calloc(n, sizeof *nb);
    if (!nb)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        kt_istr *s = t->bucket[i], *next;
        for (; s; s = next) {
            next = s->next;
            s->next = nb[s->hash & (n - 1)];
            nb[s->hash & (n - 1)] = s;
        }
    }
    free(t->bucket);
    t->bucket = nb;
    t->nbuckets = n;
}

const kt_istr *kt_intern_get(kt_intern *t, kt_slice sl)
{
    uint64_t h;
    kt_istr *s;
    if (sl.is_null)
        return t->null_str;
    h = kt_hash(sl.ptr, sl.len);
    for (s = t->bucket[h & (t->nbuckets - 1)]; s; s = s->next)
        if (s->hash == h && s->len == sl.len && memcmp(s->s, sl.ptr, sl.len) == 0)
            return s;
    if (t->count >= t->limit) {
        if (t->full_anomaly >= 0)
            kt_anomaly_add((kt_anomaly_kind)t->full_anomaly, 1);
        return t->overflow;
    }
    s = make(sl.ptr, sl.len, h);
    if (!s)
        return t->overflow;
    s->next = t->bucket[h & (t->nbuckets - 1)];
    t->bucket[h & (t->nbuckets - 1)] = s;
    t->count++;
    if (t->count > t->nbuckets)
        grow(t);
    return s;
}

void kt_intern_free(kt_intern *t)
{
    if (t->bucket) {
        for (size_t i = 0; i < t->nbuckets; i++) {
            kt_istr *s = t->bucket[i], *next;
            for (; s; s = next) {
                next = s->next;
                free(s);
            }
        }
    }
    free(t->bucket);
    free(t->null_str);
    free(t->overflow);
    memset(t, 0, sizeof *t);
}
