/* test_correlation.c - unit tests of the pending-request queue
 * (src/correlation.[ch]): FIFO order, lookup by correlation id, eviction of
 * the oldest entry when the queue is at its cap, growth past the initial
 * allocation with a wrapped ring, and the "answer skips older requests"
 * rule that kafka_session.c builds on it (checked through the same calls).
 *
 * The expectations are the queue's contract as correlation.h states it,
 * checked against a plain array model of a FIFO kept beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kafka/correlation.h"

static kt_pending req(int32_t corr)
{
    kt_pending p;
    memset(&p, 0, sizeof p);
    p.correlation_id = corr;
    p.api_key = (int16_t)(corr % 70);
    p.api_version = (int16_t)(corr % 13);
    p.request_ts_us = 1000000ull + (uint64_t)corr;
    return p;
}

static void test_empty(void **state)
{
    kt_pending_queue q;
    kt_pending out;
    (void)state;
    kt_pending_init(&q, 16);
    assert_int_equal(q.count, 0);
    assert_int_equal(kt_pending_find(&q, 0), -1);
    assert_int_equal(kt_pending_pop(&q, &out), 0);
    kt_pending_free(&q);
    /* max 0 is taken as 1, not as "no room" */
    kt_pending_init(&q, 0);
    kt_pending p = req(5), ev;
    assert_int_equal(kt_pending_push(&q, &p, &ev), 0);
    assert_int_equal(kt_pending_find(&q, 5), 0);
    kt_pending_free(&q);
}

static void test_fifo_order(void **state)
{
    kt_pending_queue q;
    kt_pending p, out, ev;
    (void)state;
    kt_pending_init(&q, 1024);
    for (int32_t i = 0; i < 5; i++) {
        p = req(100 + i);
        assert_int_equal(kt_pending_push(&q, &p, &ev), 0);
    }
    assert_int_equal(q.count, 5);
    for (int32_t i = 0; i < 5; i++) {
        assert_int_equal(kt_pending_find(&q, 100 + i), i);
        assert_int_equal(kt_pending_at(&q, (uint32_t)i)->correlation_id, 100 + i);
    }
    assert_int_equal(kt_pending_find(&q, 99), -1);
    assert_int_equal(kt_pending_find(&q, 105), -1);
    for (int32_t i = 0; i < 5; i++) {
        assert_int_equal(kt_pending_pop(&q, &out), 1);
        assert_int_equal(out.correlation_id, 100 + i);
        assert_int_equal(out.api_key, (100 + i) % 70);
        assert_int_equal(out.api_version, (100 + i) % 13);
        assert_true(out.request_ts_us == 1000000ull + 100 + (uint64_t)i);
    }
    assert_int_equal(kt_pending_pop(&q, &out), 0);
    kt_pending_free(&q);
}

/* A response that matches the third pending request: the session pops the
 * two older ones as unanswered, then the matched one; the rest stay in
 * order. */
static void test_out_of_order_match(void **state)
{
    kt_pending_queue q;
    kt_pending p, out, ev;
    int idx;
    (void)state;
    kt_pending_init(&q, 64);
    for (int32_t i = 1; i <= 6; i++) {
        p = req(i * 10);
        kt_pending_push(&q, &p, &ev);
    }
    idx = kt_pending_find(&q, 30);
    assert_int_equal(idx, 2);
    int32_t skipped[8];
    int nskipped = 0;
    while (idx-- > 0) {
        assert_int_equal(kt_pending_pop(&q, &out), 1);
        skipped[nskipped++] = out.correlation_id;
    }
    assert_int_equal(nskipped, 2);
    assert_int_equal(skipped[0], 10);
    assert_int_equal(skipped[1], 20);
    assert_int_equal(kt_pending_pop(&q, &out), 1);
    assert_int_equal(out.correlation_id, 30);
    assert_int_equal(q.count, 3);
    assert_int_equal(kt_pending_find(&q, 40), 0);
    assert_int_equal(kt_pending_find(&q, 60), 2);
    assert_int_equal(kt_pending_find(&q, 10), -1);
    assert_int_equal(kt_pending_find(&q, 30), -1);
    kt_pending_free(&q);
}

/* Duplicate correlation ids: find returns the oldest. */
static void test_duplicate_ids(void **state)
{
    kt_pending_queue q;
    kt_pending p, ev;
    (void)state;
    kt_pending_init(&q, 8);
    p = req(7);
    kt_pending_push(&q, &p, &ev);
    p = req(8);
    kt_pending_push(&q, &p, &ev);
    p = req(7);
    p.api_key = 42;
    kt_pending_push(&q, &p, &ev);
    assert_int_equal(kt_pending_find(&q, 7), 0);
    assert_int_equal(kt_pending_at(&q, 0)->api_key, 7);
    assert_int_equal(kt_pending_at(&q, 2)->api_key, 42);
    kt_pending_free(&q);
}

static void test_eviction_at_max(void **state)
{
    kt_pending_queue q;
    kt_pending p, ev, out;
    (void)state;
    kt_pending_init(&q, 3);
    for (int32_t i = 0; i < 3; i++) {
        p = req(i);
        assert_int_equal(kt_pending_push(&q, &p, &ev), 0);
    }
    assert_int_equal(q.count, 3);
    /* the fourth push evicts the oldest (0), then 1, then 2 */
    for (int32_t i = 3; i < 10; i++) {
        memset(&ev, 0xab, sizeof ev);
        p = req(i);
        assert_int_equal(kt_pending_push(&q, &p, &ev), 1);
        assert_int_equal(ev.correlation_id, i - 3);
        assert_true(ev.request_ts_us == 1000000ull + (uint64_t)(i - 3));
        assert_int_equal(q.count, 3);
        assert_true(q.cap <= 3);
    }
    for (int32_t i = 7; i < 10; i++) {
        assert_int_equal(kt_pending_pop(&q, &out), 1);
        assert_int_equal(out.correlation_id, i);
    }
    assert_int_equal(q.count, 0);
    kt_pending_free(&q);
}

/* Growth from the first allocation to many times it, with pops in between
 * so that the ring has wrapped when it grows; checked against a model. */
static void test_growth_with_wrap(void **state)
{
    enum { MAX = 1000 };
    static int32_t model[20000];
    size_t mhead = 0, mtail = 0;
    kt_pending_queue q;
    kt_pending p, ev, out;
    int32_t next = 0;
    (void)state;
    kt_pending_init(&q, MAX);
    for (int round = 0; round < 200; round++) {
        int pushes = 1 + (round * 7) % 13, pops = (round * 5) % 7;
        for (int i = 0; i < pushes; i++) {
            p = req(next);
            int r = kt_pending_push(&q, &p, &ev);
            if (mtail - mhead == MAX) {
                assert_int_equal(r, 1);
                assert_int_equal(ev.correlation_id, model[mhead]);
                mhead++;
            } else {
                assert_int_equal(r, 0);
            }
            model[mtail++] = next++;
        }
        for (int i = 0; i < pops && mtail > mhead; i++) {
            assert_int_equal(kt_pending_pop(&q, &out), 1);
            assert_int_equal(out.correlation_id, model[mhead]);
            mhead++;
        }
        assert_int_equal(q.count, mtail - mhead);
        assert_true(q.cap <= MAX);
        for (size_t i = mhead; i < mtail; i += 17)
            assert_int_equal(kt_pending_find(&q, model[i]), (int)(i - mhead));
        if (mtail > mhead)
            assert_int_equal(kt_pending_at(&q, (uint32_t)(mtail - mhead - 1))->correlation_id,
                             model[mtail - 1]);
    }
    /* drain */
    while (kt_pending_pop(&q, &out)) {
        assert_int_equal(out.correlation_id, model[mhead]);
        mhead++;
    }
    assert_int_equal(mhead, mtail);
    kt_pending_free(&q);
}

/* Fill to exactly the cap: all kept, nothing evicted, capacity == cap. */
static void test_fill_to_cap_keeps_all(void **state)
{
    kt_pending_queue q;
    kt_pending p, ev;
    (void)state;
    kt_pending_init(&q, 100);
    for (int32_t i = 0; i < 100; i++) {
        p = req(i);
        assert_int_equal(kt_pending_push(&q, &p, &ev), 0);
    }
    assert_int_equal(q.count, 100);
    assert_int_equal(q.cap, 100);
    for (int32_t i = 0; i < 100; i++)
        assert_int_equal(kt_pending_find(&q, i), i);
    p = req(100);
    assert_int_equal(kt_pending_push(&q, &p, &ev), 1);
    assert_int_equal(ev.correlation_id, 0);
    kt_pending_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_out_of_order_match),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_eviction_at_max),
        cmocka_unit_test(test_growth_with_wrap),
        cmocka_unit_test(test_fill_to_cap_keeps_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
