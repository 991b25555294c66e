/* test_table.c - unit tests of the keyed table (src/common/table.[ch]) and
 * of the tables built on it: interned strings, topics, the broker table of
 * the statistics, the per-client partitions (sizes).
 *
 * Checked: each key gets one entry, in the order first seen, whose pointer
 * survives growth; keys whose hashes collide (all of them, or all in one
 * probe run) are still told apart; the limit holds, a new key past it gets
 * the overflow entry (which then joins the entries, once) or NULL, and
 * counts the table's anomaly each time; every entry is freed exactly once.
 * Last, the sizes the headers quote in bytes are the measured ones.
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
#include "common/siphash.h"
#include "common/table.h"
#include "kafka/topics.h"
#include "stats/client_partition_stats.h"
#include "stats/partition_stats.h"
#include "stats/stats.h"

/* ---- a test entry: a number, hashed by a chosen function ---------------- */

typedef struct item {
    uint64_t key;
    uint64_t hash;
} item;

static int destroyed;

static uint64_t item_hash(const void *e)
{
    return ((const item *)e)->hash;
}

static int item_match(const void *e, const void *key)
{
    return ((const item *)e)->key == *(const uint64_t *)key;
}

static void *item_create(const void *key, uint64_t h)
{
    item *it = malloc(sizeof *it);
    if (it) {
        it->key = *(const uint64_t *)key;
        it->hash = h;
    }
    return it;
}

static void item_destroy(void *e)
{
    destroyed++;
    free(e);
}

static const kt_table_type item_type = {
    .hash = item_hash, .match = item_match, .create = item_create, .destroy = item_destroy,
};

/* How keys are hashed: keyed SipHash, everything colliding, or hashes
 * that all fall in the same few slots. */
enum hashing { SIP, SAME, NEIGHBOURS };

static uint64_t hash_of(uint64_t key, enum hashing how)
{
    switch (how) {
    case SAME:
        return 42;
    case NEIGHBOURS:
        return key % 3;
    default:
        return kt_hash(&key, sizeof key);
    }
}

static item *get(kt_table *t, uint64_t key, enum hashing how)
{
    return kt_table_find_or_add(t, &key, hash_of(key, how));
}

static item *new_overflow(void)
{
    item *o = malloc(sizeof *o);
    assert_non_null(o);
    o->key = UINT64_MAX;
    o->hash = 0;
    return o;
}

/* ---- the table ---------------------------------------------------------- */

static void one_entry_per_key(enum hashing how, uint64_t nkeys)
{
    kt_table t;
    item **first = calloc(nkeys, sizeof *first);
    assert_non_null(first);
    destroyed = 0;
    kt_table_init(&t, &item_type, 0, NULL, -1);
    for (uint64_t k = 0; k < nkeys; k++) {
        first[k] = get(&t, k * 7919, how);
        assert_non_null(first[k]);
        assert_true(first[k]->key == k * 7919);
    }
    assert_int_equal(t.n, nkeys);
    assert_int_equal(t.nkeyed, nkeys);
    /* every key again, after all the growth: the same entry, in order */
    for (uint64_t k = 0; k < nkeys; k++) {
        assert_ptr_equal(get(&t, k * 7919, how), first[k]);
        assert_ptr_equal(t.entries[k], first[k]);
    }
    assert_int_equal(t.n, nkeys);
    /* the index stays at most half full */
    assert_true(t.index_cap > 2 * t.nkeyed);
    kt_table_free(&t);
    assert_int_equal(destroyed, nkeys);
    assert_int_equal(t.n, 0);
    assert_null(t.entries);
    free(first);
}

static void test_keys_siphash(void **state)
{
    (void)state;
    one_entry_per_key(SIP, 100000);
}

static void test_keys_all_colliding(void **state)
{
    (void)state;
    one_entry_per_key(SAME, 2000);
}

static void test_keys_neighbouring_hashes(void **state)
{
    (void)state;
    one_entry_per_key(NEIGHBOURS, 2000);
}

static void test_limit_with_overflow(void **state)
{
    kt_table t;
    item *o = new_overflow(), *a, *b, *c;
    (void)state;
    kt_anomaly_reset();
    destroyed = 0;
    kt_table_init(&t, &item_type, 3, o, KT_AN_BROKER_TABLE_FULL);
    a = get(&t, 1, SIP);
    b = get(&t, 2, SIP);
    assert_false(kt_table_is_full(&t));
    c = get(&t, 3, SIP);
    assert_true(kt_table_is_full(&t));
    assert_int_equal(kt_anomaly.count[KT_AN_BROKER_TABLE_FULL], 0);
    assert_int_equal(t.n, 3);

    /* new keys get the overflow entry, which joins the entries once */
    assert_ptr_equal(get(&t, 4, SIP), o);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.nkeyed, 3);
    assert_ptr_equal(t.entries[3], o);
    assert_ptr_equal(get(&t, 5, SIP), o);
    assert_ptr_equal(get(&t, 4, SIP), o);
    assert_int_equal(t.n, 4);
    assert_int_equal(kt_anomaly.count[KT_AN_BROKER_TABLE_FULL], 3);

    /* the keys kept are still theirs, and cost no anomaly */
    assert_ptr_equal(get(&t, 1, SIP), a);
    assert_ptr_equal(get(&t, 2, SIP), b);
    assert_ptr_equal(get(&t, 3, SIP), c);
    assert_int_equal(kt_anomaly.count[KT_AN_BROKER_TABLE_FULL], 3);

    kt_table_free(&t);
    assert_int_equal(destroyed, 4);    /* the overflow entry once */
    kt_anomaly_reset();
}

static void test_unused_overflow_freed(void **state)
{
    kt_table t;
    (void)state;
    destroyed = 0;
    kt_table_init(&t, &item_type, 3, new_overflow(), -1);
    get(&t, 1, SIP);
    kt_table_free(&t);
    assert_int_equal(destroyed, 2);
}

static void test_limit_without_overflow(void **state)
{
    kt_table t;
    (void)state;
    kt_anomaly_reset();
    destroyed = 0;
    kt_table_init(&t, &item_type, 2, NULL, KT_AN_PARTITION_TABLE_FULL);
    assert_non_null(get(&t, 1, SAME));
    assert_non_null(get(&t, 2, SAME));
    assert_null(get(&t, 3, SAME));
    assert_null(get(&t, 4, SAME));
    assert_non_null(get(&t, 2, SAME));
    assert_int_equal(t.n, 2);
    assert_int_equal(kt_anomaly.count[KT_AN_PARTITION_TABLE_FULL], 2);
    kt_table_free(&t);
    assert_int_equal(destroyed, 2);
    kt_anomaly_reset();
}

static void test_no_anomaly_kind(void **state)
{
    kt_table t;
    uint64_t before[KT_AN__COUNT];
    (void)state;
    kt_anomaly_reset();
    memcpy(before, kt_anomaly.count, sizeof before);
    kt_table_init(&t, &item_type, 1, NULL, -1);
    get(&t, 1, SIP);
    assert_null(get(&t, 2, SIP));
    assert_memory_equal(before, kt_anomaly.count, sizeof before);
    kt_table_free(&t);
}

static void test_reserve_and_take(void **state)
{
    kt_table t;
    void **entries, **taken;
    size_t icap, n;
    (void)state;
    destroyed = 0;
    kt_table_init(&t, &item_type, 0, new_overflow(), -1);
    get(&t, 1000, SIP);
    assert_int_equal(kt_table_reserve(&t, 5000), 0);
    entries = t.entries;
    icap = t.index_cap;
    assert_true(icap > 2 * 5000);
    for (uint64_t k = 0; k < 5000; k++)
        assert_non_null(get(&t, k, SIP));     /* 1000 was there already */
    assert_int_equal(t.n, 5000);
    assert_ptr_equal(t.entries, entries);     /* no reallocation */
    assert_int_equal(t.index_cap, icap);
    assert_int_equal(((item *)t.entries[0])->key, 1000);

    taken = kt_table_take(&t, &n);
    assert_int_equal(n, 5000);
    assert_int_equal(destroyed, 1);           /* the unused overflow entry */
    assert_int_equal(t.n, 0);
    for (size_t i = 0; i < n; i++)
        item_destroy(taken[i]);
    free(taken);
    assert_null(kt_table_take(&t, &n));
    assert_int_equal(n, 0);
}

/* Charged to a memory account: each keyed entry costs entry_bytes, the
 * overflow entry nothing; an account that refuses is a full table; free
 * and take give every byte back. */
static void test_memory_account(void **state)
{
    kt_table t;
    kt_memcap mem;
    item *o = new_overflow();
    void **taken;
    size_t n;
    (void)state;
    kt_anomaly_reset();
    destroyed = 0;
    kt_memcap_init(&mem, "t", 3 * 100, KT_AN_DETAIL_BUDGET);
    kt_table_init(&t, &item_type, 0, o, KT_AN_BROKER_TABLE_FULL);
    kt_table_account(&t, &mem, 100);
    assert_non_null(get(&t, 1, SIP));
    assert_non_null(get(&t, 2, SIP));
    assert_non_null(get(&t, 3, SIP));
    assert_int_equal(mem.used, 300);
    assert_ptr_equal(get(&t, 4, SIP), o);       /* refused: as if full */
    assert_int_equal(mem.refused, 1);
    assert_int_equal(kt_anomaly.count[KT_AN_BROKER_TABLE_FULL], 1);
    assert_int_equal(mem.used, 300);
    assert_int_equal(t.nkeyed, 3);
    kt_table_free(&t);
    assert_int_equal(mem.used, 0);
    assert_int_equal(mem.peak, 300);
    assert_int_equal(destroyed, 4);

    /* the account stays with the table after a free, and take hands the
     * entries over with their bytes */
    assert_non_null(get(&t, 7, SIP));
    assert_int_equal(mem.used, 100);
    taken = kt_table_take(&t, &n);
    assert_int_equal(n, 1);
    assert_int_equal(mem.used, 0);
    item_destroy(taken[0]);
    free(taken);
    kt_anomaly_reset();
}

/* ---- its users ---------------------------------------------------------- */

static kt_slice sl(const char *s)
{
    kt_slice x = { (const uint8_t *)s, strlen(s), 0 };
    return x;
}

static void test_intern(void **state)
{
    kt_intern t;
    const kt_istr *a, *b, *over;
    kt_slice null = { NULL, 0, 1 };
    char buf[32];
    (void)state;
    kt_anomaly_reset();
    assert_int_equal(kt_intern_init(&t, 100), 0);
    t.full_anomaly = KT_AN_CLIENT_ID_TABLE_FULL;
    a = kt_intern_get(&t, sl("producer-1"));
    b = kt_intern_get(&t, sl("producer-2"));
    assert_ptr_not_equal(a, b);
    assert_string_equal(a->s, "producer-1");
    assert_int_equal(a->len, 10);
    assert_ptr_equal(kt_intern_get(&t, sl("producer-1")), a);
    assert_true(kt_intern_get(&t, null)->is_null);
    assert_ptr_equal(kt_intern_get(&t, null), kt_intern_get(&t, null));
    assert_false(kt_intern_get(&t, sl(""))->is_null);
    for (int i = 0; i < 97; i++) {
        snprintf(buf, sizeof buf, "id-%d", i);
        assert_false(kt_intern_get(&t, sl(buf))->is_overflow);
    }
    assert_int_equal(kt_anomaly.count[KT_AN_CLIENT_ID_TABLE_FULL], 0);
    over = kt_intern_get(&t, sl("one too many"));
    assert_true(over->is_overflow);
    assert_string_equal(over->s, "(too many distinct)");
    assert_ptr_equal(kt_intern_get(&t, sl("another")), over);
    assert_ptr_equal(kt_intern_get(&t, sl("producer-2")), b);
    assert_int_equal(kt_anomaly.count[KT_AN_CLIENT_ID_TABLE_FULL], 2);
    kt_intern_free(&t);
    kt_anomaly_reset();
}

static void test_topics(void **state)
{
    kt_topics t;
    uint8_t id[16] = { 1, 2, 3 }, id2[16] = { 9 };
    kt_topic *byname, *byid;
    (void)state;
    kt_anomaly_reset();
    assert_int_equal(kt_topics_init(&t, 3), 0);
    byname = kt_topic_by_name(&t, sl("orders"));
    byid = kt_topic_by_id(&t, id);
    assert_ptr_equal(kt_topic_by_name(&t, sl("orders")), byname);
    assert_ptr_equal(kt_topic_by_id(&t, id), byid);
    assert_ptr_not_equal(byname, byid);
    assert_null(kt_topic_name(byid));
    kt_topics_pair(&t, sl("orders"), id);
    assert_ptr_equal(kt_topic_canon(byid), byname);
    assert_string_equal(kt_topic_name(byid)->s, "orders");
    /* names and ids share the limit of 3 */
    assert_false(kt_topic_by_name(&t, sl("payments"))->is_overflow);
    assert_int_equal(kt_anomaly.count[KT_AN_TOPIC_TABLE_FULL], 0);
    assert_true(kt_topic_by_id(&t, id2)->is_overflow);
    assert_ptr_equal(kt_topic_by_name(&t, sl("refunds")), kt_topic_by_id(&t, id2));
    assert_int_equal(kt_anomaly.count[KT_AN_TOPIC_TABLE_FULL], 3);
    kt_topics_free(&t);
    kt_anomaly_reset();
}

/* Past KT_STATS_MAX_BROKERS brokers, exchanges go to one "(other)" broker,
 * the last entry, which counts what broker_table_full counts. */
static void test_broker_limit(void **state)
{
    kt_stats *s = kt_stats_new();
    kt_endpoint client = { 4, { 10, 9, 9, 9 }, 40000 };
    (void)state;
    assert_non_null(s);
    kt_anomaly_reset();
    for (int i = 0; i < KT_STATS_MAX_BROKERS + 10; i++) {
        kt_endpoint broker = { 4, { 10, 2, (uint8_t)(i >> 8), (uint8_t)i }, 9092 };
        kt_exchange ex;
        memset(&ex, 0, sizeof ex);
        ex.client = &client;
        ex.broker = &broker;
        ex.api_key = 3;
        ex.status = KT_STATUS_UNANSWERED;
        ex.latency_us = -1;
        ex.throttle_ms = -1;
        kt_stats_add(s, &ex);
        kt_stats_add(s, &ex);
    }
    assert_int_equal(s->nbrokers, KT_STATS_MAX_BROKERS + 1);
    for (size_t i = 0; i < KT_STATS_MAX_BROKERS; i++) {
        assert_false(s->brokers[i]->is_other);
        assert_int_equal(s->brokers[i]->agg.requests, 2);
    }
    assert_true(s->brokers[KT_STATS_MAX_BROKERS]->is_other);
    assert_int_equal(s->brokers[KT_STATS_MAX_BROKERS]->agg.requests, 20);
    assert_int_equal(kt_anomaly.count[KT_AN_BROKER_TABLE_FULL], 20);
    kt_stats_free(s);
    kt_anomaly_reset();
}

/* The byte costs the headers quote (stats.h, partition_stats.h, table.h)
 * are these sizes, measured on a 64-bit build. */
static void test_quoted_sizes(void **state)
{
    (void)state;
    if (sizeof(void *) != 8)
        skip();
    assert_int_equal(KT_TABLE_OVERHEAD_PER_ENTRY, 32);
    assert_int_equal(sizeof(kt_partition_stats), 1256);
    assert_int_equal(KT_PARTITION_ENTRY_BYTES, 1288);
    assert_int_equal(sizeof(kt_broker_stats), 2408);
    assert_int_equal(sizeof(kt_client_stats), 2544);
    assert_int_equal(sizeof(kt_client_partition), 120);
    assert_int_equal(KT_CLIENT_PARTITION_ENTRY_BYTES, 152);
    assert_int_equal(sizeof(kt_client_delivery), 104);
    /* 100,000 (client id, partition) entries: 15.2 MB with their table */
    assert_int_equal(KT_MAX_CLIENT_PARTITIONS * KT_CLIENT_PARTITION_ENTRY_BYTES / 100000, 152);
    assert_int_equal(sizeof(kt_batch_agg), 128);
    assert_int_equal(KT_REPLICA_ENTRY_BYTES, 528);
    assert_int_equal(KT_NODE_ENTRY_BYTES, 108);
    assert_int_equal((KT_MAX_REPLICAS * KT_REPLICA_ENTRY_BYTES + 500000) / 1000000, 106);
    /* the follower acks=all writes waited for (acks_wait.h): 10,000
     * partitions, 50 MB */
    assert_int_equal(KT_ACKS_ENTRY_BYTES, 4984);
    assert_int_equal((KT_MAX_ACKS_PARTS * KT_ACKS_ENTRY_BYTES + 500000) / 1000000, 50);
    assert_int_equal(sizeof(kt_throttle_stats), 64);
    assert_int_equal(sizeof(kt_topic), 48);
    assert_int_equal(sizeof(kt_istr), 16);
    /* a queue wait / service split (queue_split.h) */
    assert_int_equal(sizeof(kt_split), 648);
    /* 4,096 brokers: 10.0 MB; 10,000 client ids: 25.8 MB (with their table) */
    assert_int_equal((KT_STATS_MAX_BROKERS * (sizeof(kt_broker_stats) + 32) + 50000) / 100000, 100);
    assert_int_equal((10000 * (sizeof(kt_client_stats) + 32) + 50000) / 100000, 258);
    /* 200,000 partitions: 251 MB of entries, 257.6 MB with their table */
    assert_int_equal((KT_MAX_PARTITIONS * sizeof(kt_partition_stats) + 500000) / 1000000, 251);
    assert_int_equal(KT_MAX_PARTITIONS * KT_PARTITION_ENTRY_BYTES / 1000000, 257);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_siphash),
        cmocka_unit_test(test_keys_all_colliding),
        cmocka_unit_test(test_keys_neighbouring_hashes),
        cmocka_unit_test(test_limit_with_overflow),
        cmocka_unit_test(test_unused_overflow_freed),
        cmocka_unit_test(test_limit_without_overflow),
        cmocka_unit_test(test_no_anomaly_kind),
        cmocka_unit_test(test_reserve_and_take),
        cmocka_unit_test(test_memory_account),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_topics),
        cmocka_unit_test(test_broker_limit),
        cmocka_unit_test(test_quoted_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
