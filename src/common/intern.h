/* intern.h - a bounded table of interned byte strings (client ids, topic
 * names).  Each distinct string is stored once; callers keep the returned
 * pointer, which stays valid until the table is freed, and compare strings
 * by pointer.  The table is keyed with SipHash and holds at most `limit`
 * strings; past that every new string maps to one shared overflow entry
 * (is_overflow set), so a flood of distinct ids costs bounded memory. */
#ifndef KT_INTERN_H
#define KT_INTERN_H

#include <stddef.h>
#include <stdint.h>
#include "common/cursor.h"

typedef struct kt_istr {
    struct kt_istr *next;    /* hash chain */
    uint64_t hash;
    uint32_t len;
    uint8_t is_null;         /* a Kafka null string */
    uint8_t is_overflow;     /* the table was full */
    char s[];                /* len bytes, then a NUL */
} kt_istr;

typedef struct kt_intern {
    kt_istr **bucket;
    size_t nbuckets, count, limit;
    kt_istr *null_str, *overflow;
    int full_anomaly;        /* anomaly kind counted when a new string finds
                                the table full; -1 for none */
} kt_intern;

int kt_intern_init(kt_intern *t, size_t limit);
/* NULL only when memory runs out. */
const kt_istr *kt_intern_get(kt_intern *t, kt_slice s);
void kt_intern_free(kt_intern *t);

#endif
