/* test_queue_clock.c - unit tests of the queue wait / service split of a
 * connection (src/kafka/queue_clock.[ch]) on orderings built here: one
 * request at a time, pipelined requests, a request that arrives after the
 * previous answer, responses of requests the capture never saw, an acks=0
 * Produce in between, clock steps.  The expectations are the definitions
 * in queue_clock.h worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kafka/queue_clock.h"

/* Splits the request and records its response, as the session does. */
static void answer(kt_queue_clock *c, uint64_t req, uint64_t resp, int64_t want_queue,
                   int64_t want_service)
{
    int64_t q, s;
    int known = kt_clock_split(c, req, resp, &q, &s);
    assert_int_equal(known, want_queue >= 0);
    assert_true(q == want_queue);
    assert_true(s == want_service);
    if (known)
        assert_true((uint64_t)(q + s) == resp - req);
    kt_clock_response(c, resp);
}

static void test_one_at_a_time(void **state)
{
    kt_queue_clock c;
    (void)state;
    memset(&c, 0, sizeof c);
    answer(&c, 100, 400, 0, 300);
    answer(&c, 500, 550, 0, 50);
    answer(&c, 550, 9550, 0, 9000);     /* sent the instant the answer came */
}

/* Five requests sent together at 1000..1040, the broker takes 100 us each:
 * each waits for the ones before it. */
static void test_pipelined(void **state)
{
    kt_queue_clock c;
    (void)state;
    memset(&c, 0, sizeof c);
    int64_t q, s;
    /* all arrive before any answer; the split is taken at each answer */
    answer(&c, 1000, 1100, 0, 100);
    answer(&c, 1010, 1200, 90, 100);
    answer(&c, 1020, 1300, 180, 100);
    answer(&c, 1030, 1400, 270, 100);
    answer(&c, 1040, 1500, 360, 100);
    /* the next one comes after the queue drained */
    assert_int_equal(kt_clock_split(&c, 1600, 1650, &q, &s), 1);
    assert_true(q == 0 && s == 50);
}

/* Overlap: a request arriving while the previous one is being served
 * waits only the rest of it. */
static void test_overlapping(void **state)
{
    kt_queue_clock c;
    (void)state;
    memset(&c, 0, sizeof c);
    answer(&c, 0, 1000, 0, 1000);
    answer(&c, 800, 1300, 200, 300);
    answer(&c, 1299, 1301, 1, 1);
}

/* Mid-stream: the first response seen answers a request the capture
 * never saw; it still ends the wait of the first request seen. */
static void test_unseen_request_response(void **state)
{
    kt_queue_clock c;
    (void)state;
    memset(&c, 0, sizeof c);
    kt_clock_response(&c, 700);         /* orphan */
    answer(&c, 500, 900, 200, 200);
}

/* acks=0 (or unanswered, or a hole) between two answered requests: the
 * split of the next answer is unknown; the one after it is known again. */
static void test_acks0_between(void **state)
{
    kt_queue_clock c;
    (void)state;
    memset(&c, 0, sizeof c);
    answer(&c, 100, 200, 0, 100);
    kt_clock_end_unknown(&c);           /* the acks=0 Produce sent at 150 */
    answer(&c, 160, 500, -1, -1);
    answer(&c, 170, 600, 330, 100);
    /* acks=0 sent after the queue drained: still unknown (its duration
     * is not on the wire) */
    kt_clock_end_unknown(&c);
    answer(&c, 5000, 5100, -1, -1);
}

/* Time going backwards in the capture never gives a negative part. */
static void test_clock_steps(void **state)
{
    kt_queue_clock c;
    (void)state;
    memset(&c, 0, sizeof c);
    kt_clock_response(&c, 1000);
    int64_t q, s;
    assert_int_equal(kt_clock_split(&c, 500, 800, &q, &s), 1);  /* answer before prev */
    assert_true(q == 300 && s == 0);
    assert_int_equal(kt_clock_split(&c, 900, 850, &q, &s), 1);  /* answer before request */
    assert_true(q == 0 && s == 0);
    kt_clock_response(&c, 10);                                  /* never moves back */
    assert_true(c.last_response_us == 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_at_a_time),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_overlapping),
        cmocka_unit_test(test_unseen_request_response),
        cmocka_unit_test(test_acks0_between),
        cmocka_unit_test(test_clock_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
