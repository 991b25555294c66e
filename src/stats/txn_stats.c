/* txn_stats.c - transactions per transactional id, and the open
 * transaction of each producer id (txn_stats.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "dissectors/kafka_apis.h"
#include "stats/txn_stats.h"

/* ---- the tables ---------------------------------------------------------- */

static uint64_t id_hash(const void *e)
{
    const kt_txn_id_stats *s = e;
    return kt_hash(&s->txn_id, sizeof s->txn_id);
}

static int id_match(const void *e, const void *key)
{
    return ((const kt_txn_id_stats *)e)->txn_id == *(const kt_istr *const *)key;
}

static void *id_create(const void *key, uint64_t h)
{
    kt_txn_id_stats *s = calloc(1, sizeof *s);
    (void)h;
    if (s)
        s->txn_id = *(const kt_istr *const *)key;
    return s;
}

static void id_destroy(void *e)
{
    kt_txn_id_stats *s = e;
    free(s->errors);
    free(s);
}

static const kt_table_type id_type = {
    .hash = id_hash, .match = id_match, .create = id_create, .destroy = id_destroy,
};

static uint64_t producer_hash(const void *e)
{
    const kt_txn_producer *p = e;
    return kt_hash(&p->producer_id, sizeof p->producer_id);
}

static int producer_match(const void *e, const void *key)
{
    return ((const kt_txn_producer *)e)->producer_id == *(const int64_t *)key;
}

static void *producer_create(const void *key, uint64_t h)
{
    kt_txn_producer *p = calloc(1, sizeof *p);
    (void)h;
    if (p)
        p->producer_id = *(const int64_t *)key;
    return p;
}

static const kt_table_type producer_type = {
    .hash = producer_hash, .match = producer_match, .create = producer_create, .destroy = free,
};

kt_txn_stats *kt_txn_stats_new(void)
{
    kt_txn_stats *t = calloc(1, sizeof *t);
    kt_txn_id_stats *other = calloc(1, sizeof *other);
    if (!t || !other) {
        free(t);
        free(other);
        return NULL;
    }
    other->is_other = 1;
    kt_table_init(&t->ids, &id_type, KT_TXN_MAX_IDS, other, KT_AN_TXN_TABLE_FULL);
    kt_table_init(&t->producers, &producer_type, KT_TXN_MAX_PRODUCERS, NULL, KT_AN_TXN_TABLE_FULL);
    kt_memcap_init(&t->mem, "txn_table", 0, KT_AN_TXN_TABLE_FULL);
    kt_table_account(&t->ids, &t->mem, sizeof(kt_txn_id_stats) + KT_TABLE_OVERHEAD_PER_ENTRY);
    kt_table_account(&t->producers, &t->mem, sizeof(kt_txn_producer) + KT_TABLE_OVERHEAD_PER_ENTRY);
    return t;
}

void kt_txn_stats_free(kt_txn_stats *t)
{
    if (!t)
        return;
    kt_table_free(&t->ids);
    kt_table_free(&t->producers);
    free(t);
}

int kt_txn_fencing_error(int16_t code)
{
    switch (code) {
    case KT_ERR_PRODUCER_FENCED:
    case KT_ERR_INVALID_PRODUCER_EPOCH:
    case KT_ERR_TRANSACTION_COORDINATOR_FENCED:
    case KT_ERR_INVALID_TXN_STATE:
    case KT_ERR_INVALID_PRODUCER_ID_MAPPING:
    case KT_ERR_TRANSACTION_ABORTABLE:
        return 1;
    default:
        return 0;
    }
}

/* ---- adding exchanges ---------------------------------------------------- */

static kt_txn_id_stats *id_entry(kt_txn_stats *t, const kt_istr *id)
{
    uint64_t h;
    if (!id)
        return NULL;
    h = kt_hash(&id, sizeof id);
    return kt_table_find_or_add(&t->ids, &id, h);
}

kt_txn_id_stats *kt_txn_stats_entry(kt_txn_stats *t, const kt_istr *id)
{
    return id ? id_entry(t, id) : kt_table_overflow(&t->ids);
}

static void id_merge(kt_txn_id_stats *a, const kt_txn_id_stats *b)
{
    a->init_producer_id += b->init_producer_id;
    a->add_partitions += b->add_partitions;
    a->add_offsets += b->add_offsets;
    a->txn_offset_commit += b->txn_offset_commit;
    a->end_txn += b->end_txn;
    a->committed += b->committed;
    a->aborted += b->aborted;
    a->end_txn_failed += b->end_txn_failed;
    a->records_committed += b->records_committed;
    a->records_aborted += b->records_aborted;
    a->aborted_by_coordinator += b->aborted_by_coordinator;
    a->records_aborted_by_coordinator += b->records_aborted_by_coordinator;
    a->fenced += b->fenced;
    for (int i = 0; i < b->nerrors; i++)
        kt_code_counts_add(&a->errors, &a->nerrors, &a->caperrors, b->errors[i].code,
                           b->errors[i].count);
}

int kt_txn_stats_merge(kt_txn_stats *into, const kt_txn_stats *from)
{
    int rc = 0;
    for (size_t i = 0; i < from->ids.n; i++) {
        const kt_txn_id_stats *e = from->ids.entries[i];
        kt_txn_id_stats *o = kt_txn_stats_entry(into, e->is_other ? NULL : e->txn_id);
        if (o)
            id_merge(o, e);
        else
            rc = -1;
    }
    into->producers_dropped += from->producers_dropped;
    into->txn_records_produced += from->txn_records_produced;
    into->marker_requests += from->marker_requests;
    into->markers_commit += from->markers_commit;
    into->markers_abort += from->markers_abort;
    into->marker_errors += from->marker_errors;
    into->control_records_fetched += from->control_records_fetched;
    return rc;
}

/* The producer id's entry (added when new: the table has no lookup
 * without adding; an EndTxn of a producer never seen producing costs one
 * empty entry). */
static kt_txn_producer *producer_entry(kt_txn_stats *t, int64_t producer_id)
{
    return kt_table_find_or_add(&t->producers, &producer_id,
                                kt_hash(&producer_id, sizeof producer_id));
}

static void count_errors(kt_txn_id_stats *e, const kt_exchange *ex)
{
    for (int i = 0; i < ex->nerrors; i++) {
        kt_code_counts_add(&e->errors, &e->nerrors, &e->caperrors, ex->errors[i].code,
                           ex->errors[i].count);
        if (kt_txn_fencing_error(ex->errors[i].code))
            e->fenced += ex->errors[i].count;
    }
}

/* Produce: transactional records acknowledged join their producer's open
 * transaction. */
static void add_produce(kt_txn_stats *t, const kt_exchange *ex, const kt_request_detail *d)
{
    uint64_t acked = 0;
    kt_txn_producer *p;
    for (uint32_t i = 0; i < d->nparts; i++) {
        const kt_part_result *r = &d->parts[i];
        if (r->answered && r->error == 0 && r->txn_records > 0)
            acked += (uint64_t)r->txn_records;
    }
    if (d->txn.txn_id && ex->status != KT_STATUS_UNANSWERED) {
        kt_txn_id_stats *e = id_entry(t, d->txn.txn_id);
        if (e)
            count_errors(e, ex);
    }
    if (!acked || d->txn.producer_id < 0)
        return;
    t->txn_records_produced += acked;
    p = producer_entry(t, d->txn.producer_id);
    if (!p) {
        t->producers_dropped++;
        return;
    }
    p->records += acked;
}

/* The open transaction of a producer id ends: its records go to e. */
static void end_open(kt_txn_stats *t, kt_txn_id_stats *e, int64_t producer_id, int committed,
                     int by_coordinator)
{
    kt_txn_producer *p;
    if (producer_id < 0)
        return;
    p = producer_entry(t, producer_id);
    if (!p || !p->records)
        return;
    if (e) {
        if (committed) {
            e->records_committed += p->records;
        } else {
            e->records_aborted += p->records;
            if (by_coordinator) {
                e->aborted_by_coordinator++;
                e->records_aborted_by_coordinator += p->records;
            }
        }
    }
    p->records = 0;
}

void kt_txn_stats_add(kt_txn_stats *t, const kt_exchange *ex)
{
    const kt_request_detail *d = ex->detail;
    kt_txn_id_stats *e;
    int answered_ok = ex->status == KT_STATUS_OK;

    if (!d)
        return;
    switch (ex->api_key) {
    case KT_API_PRODUCE:
        add_produce(t, ex, d);
        return;
    case KT_API_FETCH:
        for (uint32_t i = 0; i < d->nparts; i++)
            t->control_records_fetched += (uint64_t)d->parts[i].control_records;
        return;
    case KT_API_WRITE_TXN_MARKERS:
        t->marker_requests++;
        t->markers_commit += d->txn.markers_commit;
        t->markers_abort += d->txn.markers_abort;
        for (int i = 0; i < ex->nerrors; i++)
            t->marker_errors += ex->errors[i].count;
        return;
    default:
        break;
    }
    e = id_entry(t, d->txn.txn_id);
    if (!e)
        return;   /* an idempotent producer's InitProducerId: no transactions */
    if (ex->status != KT_STATUS_UNANSWERED)
        count_errors(e, ex);
    switch (ex->api_key) {
    case KT_API_INIT_PRODUCER_ID:
        e->init_producer_id++;
        /* a new or fenced-out instance: the coordinator aborted what the
         * producer id had open */
        if (answered_ok)
            end_open(t, e, d->txn.resp_producer_id, 0, 1);
        break;
    case KT_API_ADD_PARTITIONS_TO_TXN:
        e->add_partitions++;
        break;
    case KT_API_ADD_OFFSETS_TO_TXN:
        e->add_offsets++;
        break;
    case KT_API_TXN_OFFSET_COMMIT:
        e->txn_offset_commit++;
        break;
    case KT_API_END_TXN:
        e->end_txn++;
        if (answered_ok && d->txn.result >= 0) {
            if (d->txn.result)
                e->committed++;
            else
                e->aborted++;
            end_open(t, e, d->txn.producer_id, d->txn.result, 0);
        } else if (ex->status == KT_STATUS_ERROR) {
            e->end_txn_failed++;
        }
        break;
    default:
        break;
    }
}

/* ---- for reports ----------------------------------------------------------- */

static int cmp_ids(const void *a, const void *b)
{
    const kt_txn_id_stats *x = *(const kt_txn_id_stats *const *)a;
    const kt_txn_id_stats *y = *(const kt_txn_id_stats *const *)b;
    if (x->aborted != y->aborted)
        return x->aborted > y->aborted ? -1 : 1;
    if (kt_txn_ended(x) != kt_txn_ended(y))
        return kt_txn_ended(x) > kt_txn_ended(y) ? -1 : 1;
    if (x->is_other != y->is_other)
        return x->is_other ? 1 : -1;
    if (!x->txn_id || !y->txn_id)
        return 0;
    return strcmp(x->txn_id->s, y->txn_id->s);
}

const kt_txn_id_stats **kt_txn_stats_sorted(const kt_txn_stats *t, size_t *n)
{
    const kt_txn_id_stats **v;
    *n = t->ids.n;
    if (!*n)
        return NULL;
    v = malloc(*n * sizeof *v);
    if (!v) {
        *n = 0;
        return NULL;
    }
    for (size_t i = 0; i < *n; i++)
        v[i] = t->ids.entries[i];
    qsort(v, *n, sizeof *v, cmp_ids);
    return v;
}
