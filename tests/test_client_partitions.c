/* test_client_partitions.c - unit tests of the per-client delivery table
 * (src/stats/client_partition_stats.[ch]).
 *
 * Exchanges are made by hand with the outcomes chosen here, so the counts
 * each must land in are known: acknowledged, refused by code, unanswered,
 * acks=0, lost with the capture, fetched.  Checked: every record sent is
 * counted in exactly one outcome (or, for a request the capture may have
 * lost, in none); the table stops at KT_MAX_CLIENT_PARTITIONS keyed entries,
 * past which results go to the one "(other)" entry and count the anomaly,
 * while the client's totals stay exact; the memory account holds the
 * entries; the merged view joins a topic's name and id entries and keeps
 * "(other)" last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/anomaly.h"
#include "common/intern.h"
#include "kafka/topics.h"
#include "stats/client_partition_stats.h"

#define PRODUCE 0
#define FETCH 1
#define MESSAGE_TOO_LARGE 10
#define NOT_ENOUGH_REPLICAS 19

static kt_slice sl(const char *s)
{
    kt_slice x = { (const uint8_t *)s, strlen(s), 0 };
    return x;
}

/* One exchange naming one partition. */
static void one(kt_client_parts *p, const kt_istr *id, int16_t api, int status, int16_t acks,
                const kt_topic *t, int32_t part, int answered, int16_t error, int64_t records)
{
    kt_exchange ex;
    kt_request_detail *d = calloc(1, sizeof *d + sizeof d->parts[0]);
    assert_non_null(d);
    memset(&ex, 0, sizeof ex);
    ex.client_id = id;
    ex.api_key = api;
    ex.status = status;
    ex.latency_us = status == KT_STATUS_OK || status == KT_STATUS_ERROR ? 1000 : -1;
    d->acks = api == PRODUCE ? acks : -2;
    d->nparts = 1;
    d->parts[0].topic = t;
    d->parts[0].partition = part;
    d->parts[0].answered = (int8_t)answered;
    d->parts[0].error = answered ? error : KT_PART_NO_ANSWER;
    d->parts[0].records = records;
    d->parts[0].bytes = (uint64_t)records * 100;
    ex.detail = d;
    kt_client_parts_add(p, &ex);
    free(d);
}

static const kt_client_delivery *totals(const kt_client_parts *p, const kt_istr *id)
{
    for (size_t i = 0; i < p->clients.n; i++) {
        const kt_client_delivery *c = p->clients.entries[i];
        if (c->client_id == id)
            return c;
    }
    fail_msg("no totals for %s", id->s);
    return NULL;
}

static uint64_t code_count(const kt_delivery *d, int16_t code)
{
    for (int i = 0; i < d->nfailed; i++)
        if (d->failed[i].code == code)
            return d->failed[i].count;
    return 0;
}

/* Each outcome in its own count: 7 acked, 3 + 2 refused (two codes),
 * 4 unanswered (no response) + 1 left out of a response, 6 acks=0, 5 lost
 * with the capture (sent only), 9 fetched (and 2 of an unanswered fetch,
 * not counted). */
static void test_outcomes(void **state)
{
    (void)state;
    kt_topics topics;
    kt_intern ids;
    assert_int_equal(kt_topics_init(&topics, 100), 0);
    assert_int_equal(kt_intern_init(&ids, 100), 0);
    const kt_topic *t = kt_topic_by_name(&topics, sl("orders"));
    const kt_istr *id = kt_intern_get(&ids, sl("svc"));
    kt_client_parts *p = kt_client_parts_new();
    assert_non_null(p);

    one(p, id, PRODUCE, KT_STATUS_OK, -1, t, 0, 1, 0, 7);
    one(p, id, PRODUCE, KT_STATUS_ERROR, -1, t, 0, 1, MESSAGE_TOO_LARGE, 3);
    one(p, id, PRODUCE, KT_STATUS_ERROR, 1, t, 1, 1, NOT_ENOUGH_REPLICAS, 2);
    one(p, id, PRODUCE, KT_STATUS_UNANSWERED, -1, t, 1, 0, 0, 4);
    one(p, id, PRODUCE, KT_STATUS_OK, -1, t, 1, 0, 0, 1);
    one(p, id, PRODUCE, KT_STATUS_NO_RESPONSE_EXPECTED, 0, t, 2, 0, 0, 6);
    one(p, id, PRODUCE, KT_STATUS_UNKNOWN_CAPTURE_LOSS, -1, t, 2, 0, 0, 5);
    one(p, id, FETCH, KT_STATUS_OK, -2, t, 0, 1, 0, 9);
    one(p, id, FETCH, KT_STATUS_UNANSWERED, -2, t, 0, 0, 0, 2);

    const kt_delivery *d = &totals(p, id)->d;
    assert_int_equal(d->produce_requests, 7);
    assert_int_equal(d->records_sent, 28);
    assert_int_equal(d->bytes_sent, 2800);
    assert_int_equal(d->records_acked, 7);
    assert_int_equal(d->records_failed, 5);
    assert_int_equal(code_count(d, MESSAGE_TOO_LARGE), 3);
    assert_int_equal(code_count(d, NOT_ENOUGH_REPLICAS), 2);
    assert_int_equal(d->records_unanswered, 5);
    assert_int_equal(d->records_acks0, 6);
    /* sent = every outcome + the 5 lost with the capture */
    assert_int_equal(d->records_sent, d->records_acked + d->records_failed +
                     d->records_unanswered + d->records_acks0 + 5);
    assert_int_equal(d->fetch_requests, 2);
    assert_int_equal(d->records_fetched, 9);
    assert_int_equal(d->bytes_fetched, 900);

    /* per partition: 0 holds the acked, the MESSAGE_TOO_LARGE and the fetch */
    size_t n;
    kt_client_partition **m = kt_client_parts_merged(p, &n);
    assert_non_null(m);
    assert_int_equal(n, 3);
    assert_int_equal(m[0]->partition, 0);
    assert_int_equal(m[0]->d.records_acked, 7);
    assert_int_equal(code_count(&m[0]->d, MESSAGE_TOO_LARGE), 3);
    assert_int_equal(m[0]->d.records_fetched, 9);
    assert_int_equal(m[1]->partition, 1);
    assert_int_equal(m[1]->d.records_unanswered, 5);
    assert_int_equal(m[2]->d.records_acks0, 6);
    kt_client_parts_merged_free(m, n);

    /* entries charged to the memory account: 1 client, 3 partitions */
    assert_int_equal(p->mem.used, sizeof(kt_client_delivery) + KT_TABLE_OVERHEAD_PER_ENTRY +
                     3 * KT_CLIENT_PARTITION_ENTRY_BYTES);
    kt_client_parts_free(p);
    kt_intern_free(&ids);
    kt_topics_free(&topics);
}

/* Past KT_MAX_CLIENT_PARTITIONS keyed entries: "(other)" takes the rest,
 * counts the anomaly once per result, and the totals stay exact. */
static void test_limit_and_fold(void **state)
{
    (void)state;
    kt_topics topics;
    kt_intern ids;
    const int extra = 5;
    assert_int_equal(kt_topics_init(&topics, 100), 0);
    assert_int_equal(kt_intern_init(&ids, 100), 0);
    const kt_topic *t = kt_topic_by_name(&topics, sl("wide"));
    const kt_istr *a = kt_intern_get(&ids, sl("a")), *b = kt_intern_get(&ids, sl("b"));
    kt_client_parts *p = kt_client_parts_new();
    assert_non_null(p);
    kt_anomaly_reset();

    for (int32_t i = 0; i < KT_MAX_CLIENT_PARTITIONS; i++)
        one(p, a, PRODUCE, KT_STATUS_OK, -1, t, i, 1, 0, 1);
    assert_int_equal(p->parts.nkeyed, KT_MAX_CLIENT_PARTITIONS);
    assert_int_equal(kt_anomaly.count[KT_AN_CLIENT_PARTITION_TABLE_FULL], 0);
    /* a known key still finds its entry */
    one(p, a, PRODUCE, KT_STATUS_OK, -1, t, 0, 1, 0, 1);
    /* new keys, of another client: folded */
    for (int i = 0; i < extra; i++)
        one(p, b, PRODUCE, KT_STATUS_ERROR, -1, t, i, 1, MESSAGE_TOO_LARGE, 2);
    assert_int_equal(p->parts.nkeyed, KT_MAX_CLIENT_PARTITIONS);
    assert_int_equal(p->parts.n, KT_MAX_CLIENT_PARTITIONS + 1);
    assert_int_equal(kt_anomaly.count[KT_AN_CLIENT_PARTITION_TABLE_FULL], extra);

    assert_int_equal(totals(p, a)->d.records_acked, KT_MAX_CLIENT_PARTITIONS + 1);
    assert_int_equal(totals(p, b)->d.records_failed, 2 * extra);
    assert_int_equal(code_count(&totals(p, b)->d, MESSAGE_TOO_LARGE), 2 * extra);

    size_t n;
    kt_client_partition **m = kt_client_parts_merged(p, &n);
    assert_non_null(m);
    assert_int_equal(n, KT_MAX_CLIENT_PARTITIONS + 1);
    assert_true(m[n - 1]->is_other);
    assert_null(m[n - 1]->client_id);
    assert_int_equal(m[n - 1]->d.records_failed, 2 * extra);
    assert_int_equal(m[0]->d.records_acked, 2);        /* a, wide/0 twice */
    kt_client_parts_merged_free(m, n);

    assert_int_equal(p->mem.used, 2 * (sizeof(kt_client_delivery) + KT_TABLE_OVERHEAD_PER_ENTRY) +
                     (size_t)KT_MAX_CLIENT_PARTITIONS * KT_CLIENT_PARTITION_ENTRY_BYTES);
    kt_client_parts_free(p);
    kt_intern_free(&ids);
    kt_topics_free(&topics);
    kt_anomaly_reset();
}

/* A topic named by id before a Metadata response linked it to its name:
 * the merged view counts both under the name. */
static void test_merged_by_canonical_topic(void **state)
{
    (void)state;
    kt_topics topics;
    kt_intern ids;
    static const uint8_t tid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    assert_int_equal(kt_topics_init(&topics, 100), 0);
    assert_int_equal(kt_intern_init(&ids, 100), 0);
    const kt_istr *id = kt_intern_get(&ids, sl("reader"));
    kt_client_parts *p = kt_client_parts_new();
    assert_non_null(p);
    const kt_topic *by_id = kt_topic_by_id(&topics, tid);
    one(p, id, FETCH, KT_STATUS_OK, -2, by_id, 3, 1, 0, 4);
    const kt_topic *by_name = kt_topic_by_name(&topics, sl("events"));
    kt_topics_pair(&topics, sl("events"), tid);
    one(p, id, FETCH, KT_STATUS_OK, -2, by_name, 3, 1, 0, 6);
    assert_int_equal(p->parts.n, 2);

    size_t n;
    kt_client_partition **m = kt_client_parts_merged(p, &n);
    assert_non_null(m);
    assert_int_equal(n, 1);
    assert_int_equal(m[0]->d.records_fetched, 10);
    assert_ptr_equal(m[0]->topic, kt_topic_canon(by_name));
    kt_client_parts_merged_free(m, n);
    kt_client_parts_free(p);
    kt_intern_free(&ids);
    kt_topics_free(&topics);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_limit_and_fold),
        cmocka_unit_test(test_merged_by_canonical_topic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
