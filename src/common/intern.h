/* intern.h - a bounded table of interned byte strings (client ids, topic
 * names).  Each distinct string is stored once; callers keep the returned
 * pointer, which stays valid until the table is freed, and compare strings
 * by pointer.  The strings are a kt_table (table.h) keyed with SipHash and
 * hold at most `limit` strings; past that every new string maps to one
 * shared overflow entry (is_overflow set), so a flood of distinct ids
 * costs bounded memory: sizeof(kt_istr) + the string + 1, plus
 * KT_TABLE_OVERHEAD_PER_ENTRY, per string (malloc's own overhead aside). */
#ifndef KT_INTERN_H
#define KT_INTERN_H

#include <stddef.h>
#include <stdint.h>
#include "common/cursor.h"
#include "common/table.h"

typedef struct kt_istr {
    uint64_t hash;           /* SipHash of the bytes */
    uint32_t len;
    uint8_t is_null;         /* a Kafka null string */
    uint8_t is_overflow;     /* the table was full */
    char s[];                /* len bytes, then a NUL */
} kt_istr;

typedef struct kt_intern {
    kt_table strings;
    kt_istr *null_str, *overflow;
    int full_anomaly;        /* anomaly kind counted when a new string finds
                                the table full; -1 for none (the default,
                                set it after kt_intern_init()) */
} kt_intern;

int kt_intern_init(kt_intern *t, size_t limit);
/* NULL only when memory runs out. */
const kt_istr *kt_intern_get(kt_intern *t, kt_slice s);
void kt_intern_free(kt_intern *t);

#endif
