/* intern.c - bounded interned-string table (see intern.h). */
#include <stdlib.h>
#include <string.h>
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

static uint64_t istr_hash(const void *e)
{
    return ((const kt_istr *)e)->hash;
}

/* The bytes and their hash, compared first: a probe that passes other
 * strings reads no bytes of theirs. */
struct istr_key {
    kt_slice bytes;
    uint64_t hash;
};

static int istr_match(const void *e, const void *key)
{
    const kt_istr *s = e;
    const struct istr_key *k = key;
    return s->hash == k->hash && s->len == k->bytes.len &&
           memcmp(s->s, k->bytes.ptr, k->bytes.len) == 0;
}

static void *istr_create(const void *key, uint64_t h)
{
    const struct istr_key *k = key;
    return make(k->bytes.ptr, k->bytes.len, h);
}

static const kt_table_type istr_type = {
    .hash = istr_hash, .match = istr_match, .create = istr_create, .destroy = free,
};

int kt_intern_init(kt_intern *t, size_t limit)
{
    memset(t, 0, sizeof *t);
    t->full_anomaly = -1;
    t->null_str = make(NULL, 0, 0);
    t->overflow = make((const uint8_t *)"(too many distinct)", 19, 0);
    kt_table_init(&t->strings, &istr_type, limit, t->overflow, -1);
    if (!t->null_str || !t->overflow)
        return -1;
    t->null_str->is_null = 1;
    t->overflow->is_overflow = 1;
    return 0;
}

const kt_istr *kt_intern_get(kt_intern *t, kt_slice sl)
{
    struct istr_key k;
    const kt_istr *s;
    if (sl.is_null)
        return t->null_str;
    /* full_anomaly is the owner's to set at any time after init */
    t->strings.full_anomaly = t->full_anomaly;
    k.bytes = sl;
    k.hash = kt_hash(sl.ptr, sl.len);
    s = kt_table_find_or_add(&t->strings, &k, k.hash);
    return s ? s : t->overflow;
}

void kt_intern_free(kt_intern *t)
{
    kt_table_free(&t->strings);
    free(t->null_str);
    memset(t, 0, sizeof *t);
}
