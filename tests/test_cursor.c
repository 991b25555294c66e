/* test_cursor.c - unit tests of the bounds-checked reader (src/common/cursor.h).
 *
 * Expected values are the Kafka wire encodings as the protocol guide defines
 * them (big-endian integers, unsigned LEB128 varints, zig-zag signed varints,
 * int16/int32/compact length prefixes with their null markers), written out
 * by hand here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cursor.h"

#define CUR(c, ...)                                                    \
    static const uint8_t c##_buf[] = { __VA_ARGS__ };                  \
    kt_cursor c;                                                       \
    kt_cur_init(&c, c##_buf, sizeof c##_buf)

static void test_fixed_ints(void **state)
{
    (void)state;
    CUR(c, 0x80, 0x01, 0x02, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x01,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0x80, 0, 0, 0, 0, 0, 0, 0);
    assert_int_equal(kt_cur_i8(&c), -128);
    assert_int_equal(kt_cur_u16(&c), 0x0102);
    assert_int_equal(kt_cur_i16(&c), -2);            /* 0xfffe */
    assert_int_equal(kt_cur_i32(&c), INT32_MIN + 1); /* 0x80000001 */
    assert_true(kt_cur_i64(&c) == -2);
    assert_true(kt_cur_i64(&c) == INT64_MIN);
    assert_int_equal(kt_cur_left(&c), 0);
    assert_true(kt_cur_ok(&c));
    /* One more byte does not fit. */
    assert_int_equal(kt_cur_u8(&c), 0);
    assert_int_equal(c.err, KT_CUR_SHORT);
}

static void test_unsigned_widths(void **state)
{
    (void)state;
    CUR(c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08);
    assert_int_equal(kt_cur_u16(&c), 0xffff);
    assert_true(kt_cur_u32(&c) == 0xffffffffu);
    assert_true(kt_cur_u64(&c) == 0x0102030405060708ull);
}

static void test_short_read_is_sticky(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x01, 0x02);
    assert_int_equal(kt_cur_u32(&c), 0);     /* 4 > 3 bytes */
    assert_int_equal(c.err, KT_CUR_SHORT);
    /* The failed read did not move the cursor, but every later read,
     * even one that would fit, now returns 0. */
    assert_ptr_equal(c.ptr, c_buf);
    assert_int_equal(kt_cur_u8(&c), 0);
    assert_int_equal(kt_cur_u16(&c), 0);
    assert_int_equal(kt_cur_left(&c), 0);
    assert_null(kt_cur_take(&c, 0));
    assert_false(kt_cur_ok(&c));
    /* The first error is kept. */
    kt_cur_fail(&c, KT_CUR_BAD_COUNT);
    assert_int_equal(c.err, KT_CUR_SHORT);
}

static void test_u64_half_short(void **state)
{
    (void)state;
    CUR(c, 1, 2, 3, 4, 5, 6, 7);
    assert_true(kt_cur_u64(&c) == 0);
    assert_int_equal(c.err, KT_CUR_SHORT);
}

static void test_take_huge_length(void **state)
{
    (void)state;
    CUR(c, 1, 2, 3, 4);
    kt_cur_skip(&c, 1);
    /* SIZE_MAX must not wrap around when compared with the end. */
    assert_null(kt_cur_take(&c, SIZE_MAX));
    assert_int_equal(c.err, KT_CUR_SHORT);
}

static void test_uvarint(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x7f, 0x80, 0x01, 0xac, 0x02,
        0xff, 0xff, 0xff, 0xff, 0x0f);
    assert_int_equal(kt_cur_uvarint(&c), 0);
    assert_int_equal(kt_cur_uvarint(&c), 127);
    assert_int_equal(kt_cur_uvarint(&c), 128);
    assert_int_equal(kt_cur_uvarint(&c), 300);
    assert_true(kt_cur_uvarint(&c) == UINT32_MAX);
    assert_true(kt_cur_ok(&c));
    assert_int_equal(kt_cur_left(&c), 0);
}

static void test_uvarint_too_big_for_32(void **state)
{
    (void)state;
    /* 5 bytes but the value needs 33 bits. */
    CUR(c, 0xff, 0xff, 0xff, 0xff, 0x1f);
    assert_int_equal(kt_cur_uvarint(&c), 0);
    assert_int_equal(c.err, KT_CUR_BAD_VARINT);
}

static void test_uvarint_too_long(void **state)
{
    (void)state;
    /* A sixth continuation byte: not a 32-bit varint. */
    CUR(c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    assert_int_equal(kt_cur_uvarint(&c), 0);
    assert_int_equal(c.err, KT_CUR_BAD_VARINT);
}

static void test_uvarint_truncated(void **state)
{
    (void)state;
    CUR(c, 0x80, 0x80);
    assert_int_equal(kt_cur_uvarint(&c), 0);
    assert_int_equal(c.err, KT_CUR_SHORT);
}

static void test_zigzag_varint(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x01, 0x02, 0x03, 0x96, 0x01,
        0xfe, 0xff, 0xff, 0xff, 0x0f,     /* 0xfffffffe -> INT32_MAX */
        0xff, 0xff, 0xff, 0xff, 0x0f);    /* 0xffffffff -> INT32_MIN */
    assert_int_equal(kt_cur_varint(&c), 0);
    assert_int_equal(kt_cur_varint(&c), -1);
    assert_int_equal(kt_cur_varint(&c), 1);
    assert_int_equal(kt_cur_varint(&c), -2);
    assert_int_equal(kt_cur_varint(&c), 75);  /* 150 zig-zag */
    assert_int_equal(kt_cur_varint(&c), INT32_MAX);
    assert_int_equal(kt_cur_varint(&c), INT32_MIN);
    assert_true(kt_cur_ok(&c));
}

static void test_varlong(void **state)
{
    (void)state;
    CUR(c, 0x01,
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    assert_true(kt_cur_varlong(&c) == -1);
    assert_true(kt_cur_varlong(&c) == INT64_MAX);
    assert_true(kt_cur_varlong(&c) == INT64_MIN);
    assert_true(kt_cur_ok(&c));
}

static void test_varlong_overflow(void **state)
{
    (void)state;
    /* Ten bytes whose last byte carries bits beyond 64. */
    CUR(c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
    assert_true(kt_cur_varlong(&c) == 0);
    assert_int_equal(c.err, KT_CUR_BAD_VARINT);
}

static void test_varlong_too_long(void **state)
{
    (void)state;
    CUR(c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    assert_true(kt_cur_varlong(&c) == 0);
    assert_int_equal(c.err, KT_CUR_BAD_VARINT);
}

static void test_string(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x03, 'a', 'b', 'c', 0xff, 0xff, 0x00, 0x00);
    kt_slice s = kt_cur_string(&c);
    assert_int_equal(s.len, 3);
    assert_false(s.is_null);
    assert_ptr_equal(s.ptr, c_buf + 2);      /* zero-copy */
    assert_true(kt_slice_eq(s, "abc"));
    assert_false(kt_slice_eq(s, "ab"));
    s = kt_cur_string(&c);
    assert_true(s.is_null);
    assert_false(kt_slice_eq(s, ""));
    s = kt_cur_string(&c);
    assert_false(s.is_null);
    assert_int_equal(s.len, 0);
    assert_true(kt_slice_eq(s, ""));
    assert_true(kt_cur_ok(&c));
}

static void test_string_bad_length(void **state)
{
    (void)state;
    CUR(c, 0xff, 0xfe, 'a', 'b');             /* -2 */
    kt_slice s = kt_cur_string(&c);
    assert_int_equal(c.err, KT_CUR_BAD_LENGTH);
    assert_int_equal(s.len, 0);
    assert_false(s.is_null);
}

static void test_string_too_long(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x05, 'a', 'b');
    kt_slice s = kt_cur_string(&c);
    assert_int_equal(c.err, KT_CUR_SHORT);
    assert_int_equal(s.len, 0);
    assert_null(s.ptr);
}

static void test_bytes(void **state)
{
    (void)state;
    CUR(c, 0, 0, 0, 2, 0xaa, 0xbb, 0xff, 0xff, 0xff, 0xff,
        0x80, 0, 0, 0);
    kt_slice s = kt_cur_bytes(&c);
    assert_int_equal(s.len, 2);
    assert_ptr_equal(s.ptr, c_buf + 4);
    s = kt_cur_bytes(&c);
    assert_true(s.is_null);
    s = kt_cur_bytes(&c);                     /* INT32_MIN */
    assert_int_equal(c.err, KT_CUR_BAD_LENGTH);
}

static void test_bytes_huge(void **state)
{
    (void)state;
    CUR(c, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3);
    kt_slice s = kt_cur_bytes(&c);
    assert_int_equal(c.err, KT_CUR_SHORT);
    assert_int_equal(s.len, 0);
}

static void test_compact_bytes(void **state)
{
    (void)state;
    CUR(c, 0x04, 'x', 'y', 'z', 0x00, 0x01,
        0xff, 0xff, 0xff, 0xff, 0x0f, 'q');
    kt_slice s = kt_cur_compact_bytes(&c);      /* length 4 - 1 = 3 */
    assert_true(kt_slice_eq(s, "xyz"));
    assert_ptr_equal(s.ptr, c_buf + 1);
    s = kt_cur_compact_bytes(&c);               /* 0 = null */
    assert_true(s.is_null);
    s = kt_cur_compact_bytes(&c);               /* 1 = empty */
    assert_false(s.is_null);
    assert_int_equal(s.len, 0);
    /* UINT32_MAX - 1 bytes announced, 1 present. */
    s = kt_cur_compact_bytes(&c);
    assert_int_equal(c.err, KT_CUR_SHORT);
    assert_int_equal(s.len, 0);
}

static void test_compact_bytes_bad_varint(void **state)
{
    (void)state;
    CUR(c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    kt_slice s = kt_cur_compact_bytes(&c);
    assert_int_equal(c.err, KT_CUR_BAD_VARINT);
    assert_int_equal(s.len, 0);
}

static void test_array_count(void **state)
{
    (void)state;
    CUR(c, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8);
    /* 2 elements of at least 4 bytes: 8 bytes left, fits. */
    assert_int_equal(kt_cur_array_count(&c, 4), 2);
    assert_true(kt_cur_ok(&c));
}

static void test_array_count_null_and_negative(void **state)
{
    (void)state;
    CUR(c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe);
    assert_int_equal(kt_cur_array_count(&c, 1), -1);
    assert_true(kt_cur_ok(&c));
    assert_int_equal(kt_cur_array_count(&c, 1), 0);
    assert_int_equal(c.err, KT_CUR_BAD_LENGTH);
}

static void test_array_count_too_big(void **state)
{
    (void)state;
    /* 3 elements of at least 4 bytes cannot fit in 8 bytes. */
    CUR(c, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8);
    assert_int_equal(kt_cur_array_count(&c, 4), 0);
    assert_int_equal(c.err, KT_CUR_BAD_COUNT);
}

static void test_array_count_huge(void **state)
{
    (void)state;
    /* INT32_MAX elements announced with nothing after. */
    CUR(c, 0x7f, 0xff, 0xff, 0xff);
    assert_int_equal(kt_cur_array_count(&c, 1), 0);
    assert_int_equal(c.err, KT_CUR_BAD_COUNT);
}

static void test_array_count_min_size_zero(void **state)
{
    (void)state;
    /* A minimum element size of 0 is taken as 1. */
    CUR(c, 0, 0, 0, 2, 9);
    assert_int_equal(kt_cur_array_count(&c, 0), 0);
    assert_int_equal(c.err, KT_CUR_BAD_COUNT);
}

static void test_compact_array_count(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x01, 0x03, 0xaa, 0xbb);
    assert_int_equal(kt_cur_compact_array_count(&c, 1), -1);  /* null */
    assert_int_equal(kt_cur_compact_array_count(&c, 1), 0);   /* empty */
    assert_int_equal(kt_cur_compact_array_count(&c, 1), 2);
    assert_true(kt_cur_ok(&c));
}

static void test_compact_array_count_huge(void **state)
{
    (void)state;
    CUR(c, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00);
    assert_int_equal(kt_cur_compact_array_count(&c, 1), 0);
    assert_int_equal(c.err, KT_CUR_BAD_COUNT);
}

static void test_check_count_after_error(void **state)
{
    (void)state;
    CUR(c, 0x01);
    (void)kt_cur_u16(&c);
    assert_int_equal(kt_cur_check_count(&c, 1, 1), 0);
    assert_int_equal(c.err, KT_CUR_SHORT);
}

static void test_tagged_fields(void **state)
{
    (void)state;
    /* Two tagged fields: tag 0 with 2 bytes, tag 5 with 0 bytes; then 0x42. */
    CUR(c, 0x02, 0x00, 0x02, 0xaa, 0xbb, 0x05, 0x00, 0x42);
    kt_cur_skip_tagged_fields(&c);
    assert_true(kt_cur_ok(&c));
    assert_int_equal(kt_cur_u8(&c), 0x42);
}

static void test_tagged_fields_empty(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x42);
    kt_cur_skip_tagged_fields(&c);
    assert_int_equal(kt_cur_u8(&c), 0x42);
    assert_true(kt_cur_ok(&c));
}

static void test_tagged_fields_bad(void **state)
{
    (void)state;
    {
        /* A field whose size runs past the end. */
        CUR(c, 0x01, 0x00, 0x09, 0xaa);
        kt_cur_skip_tagged_fields(&c);
        assert_int_equal(c.err, KT_CUR_SHORT);
    }
    {
        /* More fields announced than bytes could hold. */
        CUR(d, 0x7f, 0x00, 0x00);
        kt_cur_skip_tagged_fields(&d);
        assert_int_equal(d.err, KT_CUR_BAD_COUNT);
    }
}

static void test_sub_cursor(void **state)
{
    (void)state;
    CUR(c, 1, 2, 3, 4, 5);
    kt_cursor s = kt_cur_sub(&c, 3);
    assert_int_equal(kt_cur_left(&s), 3);
    assert_int_equal(kt_cur_left(&c), 2);
    assert_int_equal(kt_cur_u16(&s), 0x0102);
    assert_int_equal(kt_cur_u16(&s), 0);           /* only 1 byte left */
    assert_int_equal(s.err, KT_CUR_SHORT);
    assert_true(kt_cur_ok(&c));                    /* parent unaffected */
    assert_int_equal(kt_cur_u8(&c), 4);
    kt_cursor t = kt_cur_sub(&c, 2);               /* 1 byte left */
    assert_int_equal(c.err, KT_CUR_SHORT);
    assert_int_equal(t.err, KT_CUR_SHORT);
    assert_int_equal(kt_cur_left(&t), 0);
}

static void test_empty_cursor(void **state)
{
    (void)state;
    static const uint8_t b[1];
    kt_cursor c;
    kt_cur_init(&c, b, 0);
    assert_int_equal(kt_cur_left(&c), 0);
    assert_non_null(kt_cur_take(&c, 0));
    assert_true(kt_cur_ok(&c));
    kt_slice s = kt_cur_string(&c);
    assert_int_equal(c.err, KT_CUR_SHORT);
    assert_int_equal(s.len, 0);
}

/* Peeks read ahead at an offset without moving the cursor or setting err,
 * and say whether the bytes were all there. */
static void test_peek(void **state)
{
    (void)state;
    CUR(c, 0x00, 0x00, 0x01, 0x02, 0xff, 0xdd, 0x80, 0x00, 0x00, 0x01);
    uint8_t u8;
    int16_t i16;
    uint32_t u32;

    assert_true(kt_cur_peek_u32(&c, 0, &u32));
    assert_true(u32 == 0x00000102u);
    assert_true(kt_cur_peek_u8(&c, 4, &u8));
    assert_int_equal(u8, 0xff);
    assert_true(kt_cur_peek_i16(&c, 4, &i16));
    assert_int_equal(i16, -35);
    assert_true(kt_cur_peek_u32(&c, 6, &u32));     /* the last 4 bytes */
    assert_true(u32 == 0x80000001u);
    /* nothing moved */
    assert_ptr_equal(c.ptr, c_buf);
    assert_int_equal(kt_cur_left(&c), sizeof c_buf);
    /* the next read sees what the peek saw */
    assert_int_equal(kt_cur_u32(&c), 0x102);
    assert_true(kt_cur_peek_i16(&c, 0, &i16));
    assert_int_equal(i16, -35);
    assert_int_equal(kt_cur_i16(&c), -35);
}

static void test_peek_past_end(void **state)
{
    (void)state;
    CUR(c, 0x01, 0x02, 0x03, 0x04, 0x05);
    uint8_t u8 = 9;
    int16_t i16 = 9;
    uint32_t u32 = 9;

    /* one byte short, at 0 and at an offset: 0, and no error */
    kt_cur_skip(&c, 2);
    assert_false(kt_cur_peek_u32(&c, 0, &u32));
    assert_true(u32 == 0);
    assert_false(kt_cur_peek_i16(&c, 2, &i16));
    assert_int_equal(i16, 0);
    assert_false(kt_cur_peek_u8(&c, 3, &u8));
    assert_int_equal(u8, 0);
    assert_false(kt_cur_peek_u32(&c, SIZE_MAX, &u32));   /* no wrap */
    assert_true(u32 == 0);
    assert_true(kt_cur_ok(&c));
    assert_int_equal(kt_cur_left(&c), 3);
    /* exactly what is left fits */
    assert_true(kt_cur_peek_u8(&c, 2, &u8));
    assert_int_equal(u8, 0x05);
    assert_true(kt_cur_peek_i16(&c, 1, &i16));
    assert_int_equal(i16, 0x0405);
    /* a cursor in error peeks nothing */
    kt_cur_fail(&c, KT_CUR_BAD_LENGTH);
    assert_false(kt_cur_peek_u8(&c, 0, &u8));
    assert_int_equal(u8, 0);
    assert_int_equal(c.err, KT_CUR_BAD_LENGTH);
}

static void test_error_names(void **state)
{
    (void)state;
    assert_string_equal(kt_cur_error_name(KT_CUR_OK), "ok");
    assert_string_equal(kt_cur_error_name(KT_CUR_SHORT), "short");
    assert_string_equal(kt_cur_error_name(KT_CUR_BAD_COUNT), "bad_count");
    assert_string_equal(kt_cur_error_name(99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_ints),
        cmocka_unit_test(test_unsigned_widths),
        cmocka_unit_test(test_short_read_is_sticky),
        cmocka_unit_test(test_u64_half_short),
        cmocka_unit_test(test_take_huge_length),
        cmocka_unit_test(test_uvarint),
        cmocka_unit_test(test_uvarint_too_big_for_32),
        cmocka_unit_test(test_uvarint_too_long),
        cmocka_unit_test(test_uvarint_truncated),
        cmocka_unit_test(test_zigzag_varint),
        cmocka_unit_test(test_varlong),
        cmocka_unit_test(test_varlong_overflow),
        cmocka_unit_test(test_varlong_too_long),
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_string_bad_length),
        cmocka_unit_test(test_string_too_long),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_bytes_huge),
        cmocka_unit_test(test_compact_bytes),
        cmocka_unit_test(test_compact_bytes_bad_varint),
        cmocka_unit_test(test_array_count),
        cmocka_unit_test(test_array_count_null_and_negative),
        cmocka_unit_test(test_array_count_too_big),
        cmocka_unit_test(test_array_count_huge),
        cmocka_unit_test(test_array_count_min_size_zero),
        cmocka_unit_test(test_compact_array_count),
        cmocka_unit_test(test_compact_array_count_huge),
        cmocka_unit_test(test_check_count_after_error),
        cmocka_unit_test(test_tagged_fields),
        cmocka_unit_test(test_tagged_fields_empty),
        cmocka_unit_test(test_tagged_fields_bad),
        cmocka_unit_test(test_sub_cursor),
        cmocka_unit_test(test_empty_cursor),
        cmocka_unit_test(test_peek),
        cmocka_unit_test(test_peek_past_end),
        cmocka_unit_test(test_error_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
