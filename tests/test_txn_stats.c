/* test_txn_stats.c - unit tests of the transaction statistics
 * (src/stats/txn_stats.c) and the transaction findings
 * (src/findings/findings_txn.c).
 *
 * Exchanges are made by hand the way the session hands them over (a
 * request detail with its kt_txn_detail and partitions, a status, error
 * codes), so the truth is the sequence chosen here: which transactions a
 * producer ended how, and how many records it wrote in each.  The rules
 * fire past their thresholds (10 ended, 20% aborted; critical 50%) and stay
 * silent on near misses just short of each.
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
#include "dissectors/kafka_apis.h"
#include "findings/findings.h"
#include "kafka/message_detail.h"
#include "stats/txn_stats.h"

typedef struct world {
    kt_txn_stats *t;
    kt_intern ids;
} world;

static world *world_new(void)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->t = kt_txn_stats_new();
    assert_non_null(w->t);
    assert_int_equal(kt_intern_init(&w->ids, 100), 0);
    return w;
}

static void world_free(world *w)
{
    kt_txn_stats_free(w->t);
    kt_intern_free(&w->ids);
    free(w);
}

static const kt_istr *id_of(world *w, const char *s)
{
    kt_slice sl = { (const uint8_t *)s, strlen(s), 0 };
    return kt_intern_get(&w->ids, sl);
}

static kt_request_detail *detail(uint32_t nparts)
{
    kt_request_detail *d = calloc(1, sizeof *d + nparts * sizeof d->parts[0]);
    assert_non_null(d);
    d->nparts = nparts;
    d->txn.producer_id = -1;
    d->txn.producer_epoch = -1;
    d->txn.result = -1;
    d->txn.resp_producer_id = -1;
    d->txn.resp_producer_epoch = -1;
    for (uint32_t i = 0; i < nparts; i++)
        kt_part_init(&d->parts[i], NULL, (int32_t)i);
    return d;
}

static void add(world *w, int api, kt_request_detail *d, int status, int16_t error)
{
    kt_exchange ex;
    memset(&ex, 0, sizeof ex);
    ex.api_key = (int16_t)api;
    ex.status = status;
    ex.detail = d;
    if (error) {
        ex.nerrors = 1;
        ex.errors[0].code = error;
        ex.errors[0].count = 1;
    }
    kt_txn_stats_add(w->t, &ex);
    free(d);
}

/* A Produce of `records` transactional records in one partition, answered
 * with partition error `error`. */
static void produce(world *w, const char *tid, int64_t pid, int64_t records, int16_t error)
{
    kt_request_detail *d = detail(1);
    d->txn.txn_id = tid ? id_of(w, tid) : NULL;
    d->txn.producer_id = pid;
    d->parts[0].records = records;
    d->parts[0].txn_records = records;
    d->parts[0].answered = 1;
    d->parts[0].error = error;
    add(w, KT_API_PRODUCE, d, error ? KT_STATUS_ERROR : KT_STATUS_OK, error);
}

static void end_txn(world *w, const char *tid, int64_t pid, int commit, int16_t error)
{
    kt_request_detail *d = detail(0);
    d->txn.txn_id = id_of(w, tid);
    d->txn.producer_id = pid;
    d->txn.result = (int8_t)commit;
    add(w, KT_API_END_TXN, d, error ? KT_STATUS_ERROR : KT_STATUS_OK, error);
}

static void init_pid(world *w, const char *tid, int64_t pid)
{
    kt_request_detail *d = detail(0);
    d->txn.txn_id = id_of(w, tid);
    d->txn.resp_producer_id = pid;
    add(w, KT_API_INIT_PRODUCER_ID, d, KT_STATUS_OK, 0);
}

static const kt_txn_id_stats *entry(world *w, const char *tid)
{
    const kt_istr *id = id_of(w, tid);
    for (size_t i = 0; i < w->t->ids.n; i++) {
        const kt_txn_id_stats *e = w->t->ids.entries[i];
        if (e->txn_id == id)
            return e;
    }
    return NULL;
}

/* commits and aborts transactions of `per` records each, the aborts spread
 * among the commits as the harness producer does */
static void run(world *w, const char *tid, int64_t pid, int commits, int aborts, int per)
{
    int total = commits + aborts;
    init_pid(w, tid, pid);
    for (int i = 0; i < total; i++) {
        int abort = (i + 1) * aborts / total > i * aborts / total;
        produce(w, tid, pid, per - 1, 0);
        produce(w, tid, pid, 1, 0);
        end_txn(w, tid, pid, !abort, 0);
    }
}

static void test_records_follow_their_transaction(void **state)
{
    world *w = world_new();
    const kt_txn_id_stats *e;
    (void)state;
    run(w, "pay", 7, 10, 10, 5);
    e = entry(w, "pay");
    assert_non_null(e);
    assert_int_equal(e->committed, 10);
    assert_int_equal(e->aborted, 10);
    assert_int_equal(e->records_committed, 50);
    assert_int_equal(e->records_aborted, 50);
    assert_int_equal(e->end_txn, 20);
    assert_int_equal(e->init_producer_id, 1);
    assert_int_equal(w->t->txn_records_produced, 100);
    world_free(w);
}

/* Records a partition refused are not in the transaction; an EndTxn that
 * failed ends nothing (the records wait for the next EndTxn). */
static void test_refused_records_and_failed_end(void **state)
{
    world *w = world_new();
    const kt_txn_id_stats *e;
    (void)state;
    init_pid(w, "t", 3);
    produce(w, "t", 3, 4, 0);
    produce(w, "t", 3, 9, 6 /* NOT_LEADER_OR_FOLLOWER */);
    end_txn(w, "t", 3, 1, KT_ERR_CONCURRENT_TRANSACTIONS);
    end_txn(w, "t", 3, 1, 0);
    e = entry(w, "t");
    assert_int_equal(e->committed, 1);
    assert_int_equal(e->end_txn_failed, 1);
    assert_int_equal(e->records_committed, 4);
    assert_int_equal(e->fenced, 0);   /* CONCURRENT_TRANSACTIONS is a retry */
    assert_int_equal(e->nerrors, 2);  /* NOT_LEADER_OR_FOLLOWER on its Produce too */
    world_free(w);
}

/* A second instance takes the producer id over: the open transaction is
 * aborted by the coordinator, the first instance's commit is fenced. */
static void test_fenced_instance(void **state)
{
    world *w = world_new();
    const kt_txn_id_stats *e;
    (void)state;
    init_pid(w, "f", 11);
    produce(w, "f", 11, 5, 0);
    init_pid(w, "f", 11);
    end_txn(w, "f", 11, 1, KT_ERR_PRODUCER_FENCED);
    produce(w, "f", 11, 5, 0);
    end_txn(w, "f", 11, 1, 0);
    e = entry(w, "f");
    assert_int_equal(e->committed, 1);
    assert_int_equal(e->aborted, 0);
    assert_int_equal(e->aborted_by_coordinator, 1);
    assert_int_equal(e->records_aborted, 5);
    assert_int_equal(e->records_aborted_by_coordinator, 5);
    assert_int_equal(e->records_committed, 5);
    assert_int_equal(e->fenced, 1);
    assert_int_equal(e->end_txn_failed, 1);
    world_free(w);
}

/* Markers and control records are totals; an idempotent producer's
 * InitProducerId (no transactional id) adds no entry. */
static void test_markers_and_control(void **state)
{
    world *w = world_new();
    kt_request_detail *d;
    (void)state;
    d = detail(0);
    d->txn.markers_commit = 3;
    d->txn.markers_abort = 2;
    add(w, KT_API_WRITE_TXN_MARKERS, d, KT_STATUS_OK, 0);
    d = detail(2);
    d->parts[0].records = 5;
    d->parts[0].control_records = 1;
    d->parts[1].control_records = 2;
    add(w, KT_API_FETCH, d, KT_STATUS_OK, 0);
    d = detail(0);
    d->txn.resp_producer_id = 99;
    add(w, KT_API_INIT_PRODUCER_ID, d, KT_STATUS_OK, 0);
    produce(w, NULL, -1, 10, 0);   /* not transactional: no producer id */
    assert_int_equal(w->t->marker_requests, 1);
    assert_int_equal(w->t->markers_commit, 3);
    assert_int_equal(w->t->markers_abort, 2);
    assert_int_equal(w->t->control_records_fetched, 3);
    assert_int_equal(w->t->ids.n, 0);
    assert_int_equal(w->t->txn_records_produced, 0);
    world_free(w);
}

/* Past KT_TXN_MAX_IDS, ids share "(other)"; the memory account counts the
 * keyed entries. */
static void test_bounded(void **state)
{
    kt_txn_stats *t = kt_txn_stats_new();
    kt_intern ids;
    char name[32];
    (void)state;
    assert_int_equal(kt_intern_init(&ids, KT_TXN_MAX_IDS + 10), 0);
    for (int i = 0; i < KT_TXN_MAX_IDS + 5; i++) {
        kt_request_detail *d = detail(0);
        kt_exchange ex;
        kt_slice sl;
        snprintf(name, sizeof name, "tx-%d", i);
        sl.ptr = (const uint8_t *)name;
        sl.len = strlen(name);
        sl.is_null = 0;
        d->txn.txn_id = kt_intern_get(&ids, sl);
        memset(&ex, 0, sizeof ex);
        ex.api_key = KT_API_ADD_OFFSETS_TO_TXN;
        ex.status = KT_STATUS_OK;
        ex.detail = d;
        kt_txn_stats_add(t, &ex);
        free(d);
    }
    assert_int_equal(t->ids.nkeyed, KT_TXN_MAX_IDS);
    assert_int_equal(t->ids.n, KT_TXN_MAX_IDS + 1);
    assert_true(((kt_txn_id_stats *)t->ids.entries[KT_TXN_MAX_IDS])->is_other);
    assert_int_equal(((kt_txn_id_stats *)t->ids.entries[KT_TXN_MAX_IDS])->add_offsets, 5);
    assert_int_equal(t->mem.used, KT_TXN_MAX_IDS * (sizeof(kt_txn_id_stats) + KT_TABLE_OVERHEAD_PER_ENTRY));
#if defined(__x86_64__)
    assert_int_equal(sizeof(kt_txn_id_stats), 136);   /* the figures of txn_stats.h */
    assert_int_equal(sizeof(kt_txn_producer), 16);
#endif
    kt_txn_stats_free(t);
    kt_intern_free(&ids);
}

/* ---- the rules ----------------------------------------------------------- */

static size_t findings_of(world *w, kt_finding **out)
{
    kt_findings_input in;
    size_t n, count;
    const kt_txn_id_stats **v = kt_txn_stats_sorted(w->t, &n);
    kt_stats *empty = kt_stats_new();   /* the other rules find nothing in it */
    assert_non_null(empty);
    memset(&in, 0, sizeof in);
    in.stats = empty;
    in.txns = v;
    in.ntxns = n;
    count = kt_findings_compute(&in, out);
    kt_stats_free(empty);
    free(v);
    return count;
}

static const kt_finding *find(kt_finding *f, size_t n, const char *kind, const char *subject)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f[i].kind, kind) && !strcmp(f[i].subject, subject))
            return &f[i];
    return NULL;
}

static void test_abort_rule(void **state)
{
    world *w = world_new();
    kt_finding *f = NULL;
    size_t n;
    const kt_finding *x;
    (void)state;
    run(w, "half", 1, 10, 10, 5);     /* 10 of 20 = 50%: critical */
    run(w, "fifth", 2, 8, 2, 1);      /* 2 of 10 = 20%: warning */
    run(w, "few", 3, 5, 4, 1);        /* 4 of 9: too few ended */
    run(w, "rare", 4, 20, 1, 5);      /* 1 of 21 = 4.8%: near miss */
    run(w, "under", 5, 41, 10, 1);    /* 10 of 51 = 19.6%: near miss */
    run(w, "almost", 6, 11, 9, 1);    /* 9 of 20 = 45%: warning, not critical */
    n = findings_of(w, &f);
    x = find(f, n, "transaction_aborts", "transactional id half");
    assert_non_null(x);
    assert_int_equal(x->severity, KT_SEV_CRITICAL);
    x = find(f, n, "transaction_aborts", "transactional id fifth");
    assert_non_null(x);
    assert_int_equal(x->severity, KT_SEV_WARNING);
    x = find(f, n, "transaction_aborts", "transactional id almost");
    assert_non_null(x);
    assert_int_equal(x->severity, KT_SEV_WARNING);
    assert_null(find(f, n, "transaction_aborts", "transactional id few"));
    assert_null(find(f, n, "transaction_aborts", "transactional id rare"));
    assert_null(find(f, n, "transaction_aborts", "transactional id under"));
    assert_null(find(f, n, "transaction_fenced", "transactional id half"));
    x = find(f, n, "transaction_aborts", "transactional id half");
    assert_non_null(strstr(x->summary, "aborted 10 of 20 transactions (50.0%"));
    assert_non_null(strstr(x->summary, "50 records were written in aborted transactions"));
    free(f);
    world_free(w);
}

static void test_fenced_rule(void **state)
{
    world *w = world_new();
    kt_finding *f = NULL;
    size_t n;
    const kt_finding *x;
    (void)state;
    init_pid(w, "f", 11);
    produce(w, "f", 11, 5, 0);
    init_pid(w, "f", 11);
    end_txn(w, "f", 11, 1, KT_ERR_PRODUCER_FENCED);
    /* retriable errors only: no finding */
    init_pid(w, "calm", 12);
    end_txn(w, "calm", 12, 1, KT_ERR_CONCURRENT_TRANSACTIONS);
    end_txn(w, "calm", 12, 1, 0);
    /* ten fencing errors: critical */
    init_pid(w, "storm", 13);
    for (int i = 0; i < 10; i++)
        produce(w, "storm", 13, 1, KT_ERR_INVALID_PRODUCER_EPOCH);
    n = findings_of(w, &f);
    x = find(f, n, "transaction_fenced", "transactional id f");
    assert_non_null(x);
    assert_int_equal(x->severity, KT_SEV_WARNING);
    assert_non_null(strstr(x->summary, "PRODUCER_FENCED x1"));
    x = find(f, n, "transaction_fenced", "transactional id storm");
    assert_non_null(x);
    assert_int_equal(x->severity, KT_SEV_CRITICAL);
    assert_null(find(f, n, "transaction_fenced", "transactional id calm"));
    free(f);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_follow_their_transaction),
        cmocka_unit_test(test_refused_records_and_failed_end),
        cmocka_unit_test(test_fenced_instance),
        cmocka_unit_test(test_markers_and_control),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_abort_rule),
        cmocka_unit_test(test_fenced_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
