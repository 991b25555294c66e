/* cursor.h - the one bounds-checked reader for bytes that came off the wire.
 *
 * Every read of packet or frame bytes goes through a kt_cursor.  Invariants:
 *   - ptr <= end always; kt_cur_left() is the number of readable bytes.
 *   - a read that does not fit sets `err` (sticky) and returns 0 / an empty
 *     slice; once err is set every later read does nothing and returns 0.
 *   - lengths are compared with the bytes remaining (len > left), never by
 *     forming ptr + len first.
 *   - strings and byte fields are returned as kt_slice: a pointer into the
 *     frame plus a length, never a copy.
 *   - a count read off the wire (array length) is checked against the bytes
 *     left, given a minimum element size, before any caller loops on it.
 *   - a peek (kt_cur_peek_*) reads ahead without moving the cursor and
 *     without setting err; it says whether the bytes were there.
 *
 * Multi-byte values are assembled from bytes here and nowhere else in the
 * Kafka and capture code: tests/check-raw-reads.sh fails the build's tests
 * when a shift-and-or byte read appears outside this file (the files it
 * excuses, for bytes that are not packet fields, are listed there with
 * their reason).
 */
#ifndef KT_CURSOR_H
#define KT_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum kt_cur_error {
    KT_CUR_OK = 0,
    KT_CUR_SHORT,        /* a read went past the end */
    KT_CUR_BAD_VARINT,   /* varint longer than its type allows */
    KT_CUR_BAD_LENGTH,   /* negative length that is not the null marker */
    KT_CUR_BAD_COUNT,    /* array count larger than the bytes left allow */
    KT_CUR_LIMIT,        /* a decoder limit (nesting depth, element budget) */
    KT_CUR_TRAILING,     /* bytes left over inside a sized value */
} kt_cur_error;

typedef struct kt_cursor {
    const uint8_t *ptr;
    const uint8_t *end;
    int err;             /* kt_cur_error; sticky */
} kt_cursor;

/* A view of bytes inside a frame.  is_null marks a Kafka null string/bytes. */
typedef struct kt_slice {
    const uint8_t *ptr;
    size_t len;
    int is_null;
} kt_slice;

static inline void kt_cur_init(kt_cursor *c, const uint8_t *p, size_t len)
{
    c->ptr = p;
    c->end = p + len;
    c->err = KT_CUR_OK;
}

static inline size_t kt_cur_left(const kt_cursor *c)
{
    return c->err ? 0 : (size_t)(c->end - c->ptr);
}

static inline int kt_cur_ok(const kt_cursor *c) { return c->err == KT_CUR_OK; }

static inline void kt_cur_fail(kt_cursor *c, int why)
{
    if (!c->err)
        c->err = why;
}

/* Returns a pointer to n readable bytes and advances, or NULL (and err). */
static inline const uint8_t *kt_cur_take(kt_cursor *c, size_t n)
{
    const uint8_t *p;
    if (c->err)
        return NULL;
    if (n > (size_t)(c->end - c->ptr)) {
        kt_cur_fail(c, KT_CUR_SHORT);
        return NULL;
    }
    p = c->ptr;
    c->ptr += n;
    return p;
}

static inline void kt_cur_skip(kt_cursor *c, size_t n) { (void)kt_cur_take(c, n); }

static inline uint8_t kt_cur_u8(kt_cursor *c)
{
    const uint8_t *p = kt_cur_take(c, 1);
    return p ? p[0] : 0;
}

static inline uint16_t kt_cur_u16(kt_cursor *c)
{
    const uint8_t *p = kt_cur_take(c, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

static inline uint32_t kt_cur_u32(kt_cursor *c)
{
    const uint8_t *p = kt_cur_take(c, 4);
    return p ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
               ((uint32_t)p[2] << 8) | (uint32_t)p[3]
             : 0;
}

static inline uint64_t kt_cur_u64(kt_cursor *c)
{
    uint64_t hi = kt_cur_u32(c);
    uint64_t lo = kt_cur_u32(c);
    return c->err ? 0 : (hi << 32) | lo;
}

static inline int8_t kt_cur_i8(kt_cursor *c) { return (int8_t)kt_cur_u8(c); }
static inline int16_t kt_cur_i16(kt_cursor *c) { return (int16_t)kt_cur_u16(c); }
static inline int32_t kt_cur_i32(kt_cursor *c) { return (int32_t)kt_cur_u32(c); }
static inline int64_t kt_cur_i64(kt_cursor *c) { return (int64_t)kt_cur_u64(c); }

/* Peeks: the value `off` bytes past the cursor, read without consuming it
 * and without touching err (the cursor is const).  Each returns 1 and
 * stores the value when all its bytes are there; else it returns 0 and
 * stores 0.  A cursor in error peeks nothing.  For deciding how to read
 * what is ahead: a size prefix before its frame is whole, a first field
 * that selects the layout.  kt_cur_ahead is the copy they read from: the
 * cursor moved on by off (in error if fewer bytes are left). */
static inline kt_cursor kt_cur_ahead(const kt_cursor *c, size_t off)
{
    kt_cursor a = *c;
    kt_cur_skip(&a, off);
    return a;
}

static inline int kt_cur_peek_u8(const kt_cursor *c, size_t off, uint8_t *v)
{
    kt_cursor a = kt_cur_ahead(c, off);
    *v = kt_cur_u8(&a);
    return kt_cur_ok(&a);
}

static inline int kt_cur_peek_i16(const kt_cursor *c, size_t off, int16_t *v)
{
    kt_cursor a = kt_cur_ahead(c, off);
    *v = kt_cur_i16(&a);
    return kt_cur_ok(&a);
}

static inline int kt_cur_peek_u32(const kt_cursor *c, size_t off, uint32_t *v)
{
    kt_cursor a = kt_cur_ahead(c, off);
    *v = kt_cur_u32(&a);
    return kt_cur_ok(&a);
}

/* Unsigned LEB128 varint of at most max_bytes bytes (5 for 32 bits,
 * 10 for 64 bits). */
static inline uint64_t kt_cur_uvarint_n(kt_cursor *c, int max_bytes)
{
    uint64_t v = 0;
    int shift = 0, i;
    for (i = 0; i < max_bytes; i++) {
        uint8_t b = kt_cur_u8(c);
        if (c->err)
            return 0;
        if (shift == 63 && (b & 0x7e)) {   /* bits beyond 64 */
            kt_cur_fail(c, KT_CUR_BAD_VARINT);
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
        shift += 7;
    }
    kt_cur_fail(c, KT_CUR_BAD_VARINT);
    return 0;
}

static inline uint32_t kt_cur_uvarint(kt_cursor *c)
{
    uint64_t v = kt_cur_uvarint_n(c, 5);
    if (v > UINT32_MAX) {
        kt_cur_fail(c, KT_CUR_BAD_VARINT);
        return 0;
    }
    return (uint32_t)v;
}

/* Zig-zag signed varint (record fields). */
static inline int32_t kt_cur_varint(kt_cursor *c)
{
    uint32_t v = kt_cur_uvarint(c);
    return (int32_t)((v >> 1) ^ (~(v & 1) + 1));
}

static inline int64_t kt_cur_varlong(kt_cursor *c)
{
    uint64_t v = kt_cur_uvarint_n(c, 10);
    return (int64_t)((v >> 1) ^ (~(v & 1) + 1));
}

/* A slice of n bytes at the cursor (n already checked by kt_cur_take). */
static inline kt_slice kt_cur_slice(kt_cursor *c, size_t n)
{
    kt_slice s = { NULL, 0, 0 };
    const uint8_t *p = kt_cur_take(c, n);
    if (p) {
        s.ptr = p;
        s.len = n;
    }
    return s;
}

static inline kt_slice kt_null_slice(void)
{
    kt_slice s = { NULL, 0, 1 };
    return s;
}

/* Classic string: int16 length, -1 = null. */
static inline kt_slice kt_cur_string(kt_cursor *c)
{
    int16_t n = kt_cur_i16(c);
    if (c->err)
        return kt_cur_slice(c, 0);
    if (n == -1)
        return kt_null_slice();
    if (n < 0) {
        kt_cur_fail(c, KT_CUR_BAD_LENGTH);
        return kt_cur_slice(c, 0);
    }
    return kt_cur_slice(c, (size_t)n);
}

/* Compact string/bytes: uvarint length + 1, 0 = null. */
static inline kt_slice kt_cur_compact_bytes(kt_cursor *c)
{
    uint32_t n = kt_cur_uvarint(c);
    if (c->err)
        return kt_cur_slice(c, 0);
    if (n == 0)
        return kt_null_slice();
    return kt_cur_slice(c, (size_t)n - 1);
}

/* Classic bytes: int32 length, -1 = null. */
static inline kt_slice kt_cur_bytes(kt_cursor *c)
{
    int32_t n = kt_cur_i32(c);
    if (c->err)
        return kt_cur_slice(c, 0);
    if (n == -1)
        return kt_null_slice();
    if (n < 0) {
        kt_cur_fail(c, KT_CUR_BAD_LENGTH);
        return kt_cur_slice(c, 0);
    }
    return kt_cur_slice(c, (size_t)n);
}

/* Array counts.  Return -1 for a null array, else the count, which has been
 * checked: count * min_elem_size <= bytes left (min_elem_size >= 1). */
static inline int64_t kt_cur_check_count(kt_cursor *c, uint64_t n, size_t min_elem_size)
{
    if (min_elem_size == 0)
        min_elem_size = 1;
    if (n > kt_cur_left(c) / min_elem_size) {
        kt_cur_fail(c, KT_CUR_BAD_COUNT);
        return 0;
    }
    return (int64_t)n;
}

static inline int64_t kt_cur_array_count(kt_cursor *c, size_t min_elem_size)
{
    int32_t n = kt_cur_i32(c);
    if (c->err)
        return 0;
    if (n == -1)
        return -1;
    if (n < 0) {
        kt_cur_fail(c, KT_CUR_BAD_LENGTH);
        return 0;
    }
    return kt_cur_check_count(c, (uint64_t)n, min_elem_size);
}

static inline int64_t kt_cur_compact_array_count(kt_cursor *c, size_t min_elem_size)
{
    uint32_t n = kt_cur_uvarint(c);
    if (c->err)
        return 0;
    if (n == 0)
        return -1;
    return kt_cur_check_count(c, (uint64_t)n - 1, min_elem_size);
}

/* Skip a tagged-field section (flexible versions): uvarint count, then
 * (uvarint tag, uvarint size, size bytes) per field. */
static inline void kt_cur_skip_tagged_fields(kt_cursor *c)
{
    int64_t n = kt_cur_check_count(c, kt_cur_uvarint(c), 2);
    int64_t i;
    for (i = 0; i < n && !c->err; i++) {
        (void)kt_cur_uvarint(c);
        kt_cur_skip(c, kt_cur_uvarint(c));
    }
}

/* A cursor over the next n bytes, which the parent skips.  If they do not
 * fit, the parent fails (KT_CUR_SHORT) and the sub-cursor is empty and
 * carries the same error. */
static inline kt_cursor kt_cur_sub(kt_cursor *c, size_t n)
{
    kt_cursor sub;
    const uint8_t *p = kt_cur_take(c, n);
    if (p) {
        sub.ptr = p;
        sub.end = p + n;
        sub.err = KT_CUR_OK;
    } else {
        sub.ptr = sub.end = c->ptr;
        sub.err = c->err;
    }
    return sub;
}

/* Name of a kt_cur_error, for reports ("short", "bad_varint", ...). */
static inline const char *kt_cur_error_name(int err)
{
    switch (err) {
    case KT_CUR_OK: return "ok";
    case KT_CUR_SHORT: return "short";
    case KT_CUR_BAD_VARINT: return "bad_varint";
    case KT_CUR_BAD_LENGTH: return "bad_length";
    case KT_CUR_BAD_COUNT: return "bad_count";
    case KT_CUR_LIMIT: return "limit";
    case KT_CUR_TRAILING: return "trailing";
    }
    return "unknown";
}

static inline int kt_slice_eq(kt_slice s, const char *lit)
{
    size_t n = strlen(lit);
    return !s.is_null && s.len == n && (n == 0 || memcmp(s.ptr, lit, n) == 0);
}

#endif
