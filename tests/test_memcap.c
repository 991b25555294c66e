/* test_memcap.c - unit tests of the memory account (src/common/memcap.h):
 * a reservation past the cap is refused, counted and changes nothing; the
 * peak follows the use; releases bring the use back to 0; no cap counts
 * without refusing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "common/memcap.h"

static void test_cap(void **state)
{
    kt_memcap m;
    (void)state;
    kt_anomaly_reset();
    kt_memcap_init(&m, "t", 100, KT_AN_DETAIL_BUDGET);
    assert_true(kt_memcap_reserve(&m, 60));
    assert_true(kt_memcap_reserve(&m, 40));          /* exactly full */
    assert_int_equal(m.used, 100);
    assert_false(kt_memcap_reserve(&m, 1));         /* one byte past */
    assert_int_equal(m.used, 100);
    assert_int_equal(m.refused, 1);
    assert_int_equal(kt_anomaly.count[KT_AN_DETAIL_BUDGET], 1);
    kt_memcap_release(&m, 60);
    assert_false(kt_memcap_reserve(&m, 61));
    assert_true(kt_memcap_reserve(&m, 60));
    kt_memcap_release(&m, 100);
    assert_int_equal(m.used, 0);
    assert_int_equal(m.peak, 100);
    assert_int_equal(m.refused, 2);
    assert_int_equal(kt_anomaly.count[KT_AN_DETAIL_BUDGET], 2);
}

static void test_no_cap(void **state)
{
    kt_memcap m;
    (void)state;
    kt_anomaly_reset();
    kt_memcap_init(&m, "t", 0, KT_AN_DETAIL_BUDGET);
    assert_true(kt_memcap_reserve(&m, SIZE_MAX / 2));
    assert_true(kt_memcap_reserve(&m, 10));
    assert_int_equal(m.peak, SIZE_MAX / 2 + 10);
    assert_int_equal(m.refused, 0);
    assert_int_equal(kt_anomaly.count[KT_AN_DETAIL_BUDGET], 0);
}

static void test_huge_request(void **state)
{
    kt_memcap m;
    (void)state;
    kt_memcap_init(&m, "t", 1000, KT_AN_DETAIL_BUDGET);
    assert_true(kt_memcap_reserve(&m, 10));
    /* n near SIZE_MAX must not wrap around the comparison */
    assert_false(kt_memcap_reserve(&m, SIZE_MAX));
    assert_false(kt_memcap_reserve(&m, SIZE_MAX - 5));
    assert_int_equal(m.used, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_no_cap),
        cmocka_unit_test(test_huge_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
