/* partition_stats.c - per topic-partition Produce and Fetch statistics
 * (partition_stats.h). */
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "common/anomaly.h"
#include "common/table.h"
#include "stats/partition_stats.h"
#include "common/siphash.h"


static void fetch_init(kt_fetch_agg *f)
{
    f->fetch_offset = -1;
    f->high_watermark = -1;
    f->lag = -1;
    f->lag_max = -1;
}

static kt_partition_stats *entry_new(const kt_topic *tp, int32_t partition)
{
    kt_partition_stats *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->topic = tp;
    e->partition = partition;
    e->produce.timeout_ms_max = -1;
    fetch_init(&e->fetch);
    return e;
}

/* (topic, partition) as hashed and matched; no padding to hash. */
struct part_key {
    const kt_topic *tp;
    int64_t partition;
};

static uint64_t key_hash(const kt_topic *tp, int32_t partition)
{
    struct part_key k = { tp, partition };
    return kt_hash(&k, sizeof k);
}

static uint64_t entry_hash(const void *e)
{
    const kt_partition_stats *x = e;
    return key_hash(x->topic, x->partition);
}

static int entry_match(const void *e, const void *key)
{
    const kt_partition_stats *x = e;
    const struct part_key *k = key;
    return x->topic == k->tp && x->partition == k->partition;
}

static void *entry_create(const void *key, uint64_t h)
{
    const struct part_key *k = key;
    (void)h;
    return entry_new(k->tp, (int32_t)k->partition);
}

static void entry_free(void *entry);

/* Keyed by (topic, partition); the merged view uses it too, keyed by the
 * canonical topic. */
static const kt_table_type partition_type = {
    .hash = entry_hash, .match = entry_match, .create = entry_create, .destroy = entry_free,
};

kt_partitions *kt_partitions_new(void)
{
    kt_partitions *p = calloc(1, sizeof *p);
    if (p) {
        kt_table_init(&p->table, &partition_type, KT_MAX_PARTITIONS, NULL,
                      KT_AN_PARTITION_TABLE_FULL);
        kt_memcap_init(&p->mem, "partition_table", 0, KT_AN_PARTITION_TABLE_FULL);
        kt_table_account(&p->table, &p->mem, KT_PARTITION_ENTRY_BYTES);
        kt_replicas_init(&p->replicas);
        kt_table_account(&p->replicas, &p->mem, KT_REPLICA_ENTRY_BYTES);
        kt_nodes_init(&p->nodes);
        kt_table_account(&p->nodes, &p->mem, KT_NODE_ENTRY_BYTES);
        kt_acks_init(&p->acks);
        kt_table_account(&p->acks, &p->mem, KT_ACKS_ENTRY_BYTES);
    }
    return p;
}

static kt_partition_stats *find_or_add(kt_table *t, const kt_topic *tp, int32_t partition)
{
    struct part_key key = { tp, partition };
    return kt_table_find_or_add(t, &key, key_hash(tp, partition));
}

kt_partition_stats *kt_partitions_entry(kt_partitions *p, const kt_topic *tp, int32_t partition)
{
    return find_or_add(&p->table, tp, partition);
}

static void add_produce(kt_produce_agg *a, const kt_exchange *ex, const kt_request_detail *d,
                        const kt_part_result *r)
{
    a->requests++;
    a->records += r->records > 0 ? (uint64_t)r->records : 0;
    a->bytes += r->bytes;
    if (d->acks == -1)
        a->acks[0]++;
    else if (d->acks == 0)
        a->acks[1]++;
    else if (d->acks == 1)
        a->acks[2]++;
    if (d->timeout_ms > a->timeout_ms_max)
        a->timeout_ms_max = d->timeout_ms;
    if (!a->first_ts_us || ex->request_ts_us < a->first_ts_us)
        a->first_ts_us = ex->request_ts_us;
    if (ex->request_ts_us >= a->last_ts_us)
        a->last_ts_us = ex->request_ts_us;
    if (ex->broker && !kt_endpoint_equal(&a->leader, ex->broker)) {
        a->leader = *ex->broker;
        a->leader_records = 0;
    }
    a->leader_records += r->records > 0 ? (uint64_t)r->records : 0;
    a->batches += r->batches;
    for (int c = 0; c < KT_CODECS; c++)
        a->codec_batches[c] += r->codec_batches[c];
    if (ex->status != KT_STATUS_NO_RESPONSE_EXPECTED && !a->split)
        a->split = calloc(1, sizeof *a->split);   /* none: not split */
    if (a->split)
        kt_split_add(a->split, ex);
    if (ex->status == KT_STATUS_UNANSWERED) {
        a->unanswered++;
        return;
    }
    if (ex->latency_us < 0)
        return;                     /* acks=0: no response, no latency */
    a->latency_total_us += (uint64_t)ex->latency_us;
    kt_hist_add(&a->latency, (uint64_t)ex->latency_us);
    if (!r->answered)
        return;
    if (r->error == KT_ERR_NONE)
        a->acked_records += r->records > 0 ? (uint64_t)r->records : 0;
    else
        kt_code_counts_add(&a->errors, &a->nerrors, &a->caperrors, r->error, 1);
}

static void add_fetch(kt_fetch_agg *a, const kt_exchange *ex, const kt_part_result *r)
{
    if (r->fetch_offset >= 0)
        a->fetch_offset = r->fetch_offset;
    a->requests++;
    if (ex->status == KT_STATUS_UNKNOWN_CAPTURE_LOSS)
        return;                     /* the capture may have lost its answer */
    if (ex->status == KT_STATUS_UNANSWERED || ex->latency_us < 0) {
        a->unanswered++;
        return;
    }
    a->latency_total_us += (uint64_t)ex->latency_us;
    if (!r->answered) {
        /* a partition the response left out: nothing for it, an empty wait */
        a->empty++;
        kt_hist_add(&a->latency_empty, (uint64_t)ex->latency_us);
        return;
    }
    if (r->error != 0)
        kt_code_counts_add(&a->errors, &a->nerrors, &a->caperrors, r->error, 1);
    a->records += r->records > 0 ? (uint64_t)r->records : 0;
    a->control_records += r->control_records > 0 ? (uint64_t)r->control_records : 0;
    a->bytes += r->bytes;
    a->batches += r->batches;
    for (int c = 0; c < KT_CODECS; c++)
        if (r->codec_batches[c])
            a->codecs |= 1u << c;
    if (r->records > 0) {
        a->with_data++;
        kt_hist_add(&a->latency_data, (uint64_t)ex->latency_us);
    } else {
        a->empty++;
        kt_hist_add(&a->latency_empty, (uint64_t)ex->latency_us);
    }
    if (r->high_watermark >= 0) {
        /* the consumer's position after this fetch */
        int64_t pos = r->last_offset >= 0 && r->last_offset + 1 > r->fetch_offset
                          ? r->last_offset + 1 : r->fetch_offset;
        a->high_watermark = r->high_watermark;
        if (pos >= 0) {
            a->lag = r->high_watermark > pos ? r->high_watermark - pos : 0;
            if (a->lag > a->lag_max)
                a->lag_max = a->lag;
        }
    }
}

/* The Produce statistics of a partition as a follower names it: under the
 * same topic (name or id), else under its canonical one; NULL when none. */
static const kt_produce_agg *produce_of(const kt_partitions *p, const kt_topic *tp,
                                        int32_t partition)
{
    for (int i = 0; i < 2; i++, tp = kt_topic_canon(tp)) {
        struct part_key key = { tp, partition };
        const kt_partition_stats *e = kt_table_find(&p->table, &key, key_hash(tp, partition));
        if (e && e->produce.requests)
            return &e->produce;
    }
    return NULL;
}

/* Did Produce requests for the partition reach this leader after ts? */
static int produced_since(void *ctx, const kt_topic *tp, int32_t partition,
                          const kt_endpoint *leader, uint64_t ts_us)
{
    const kt_produce_agg *a = produce_of(ctx, tp, partition);
    return a && a->last_ts_us > ts_us && kt_endpoint_equal(&a->leader, leader);
}

uint64_t kt_partitions_unfetched_us(const kt_partitions *p, const kt_replica_stats *r)
{
    const kt_produce_agg *a = produce_of(p, r->topic, r->partition);
    if (!a || a->last_ts_us <= r->last_ts_us || !kt_endpoint_equal(&a->leader, &r->leader))
        return 0;
    return a->last_ts_us - r->last_ts_us;
}

void kt_partitions_add(kt_partitions *p, const kt_exchange *ex)
{
    const kt_request_detail *d = ex->detail;
    if (ex->nnodes)
        kt_nodes_add(&p->nodes, ex);
    if (!d || (ex->api_key != KT_API_PRODUCE && ex->api_key != KT_API_FETCH))
        return;
    p->acks_dropped += kt_acks_add(&p->acks, ex);
    if (kt_exchange_is_follower_fetch(ex)) {
        p->replicas_dropped += kt_replicas_add(&p->replicas, ex, produced_since, p);
        return;
    }
    for (uint32_t i = 0; i < d->nparts; i++) {
        const kt_part_result *r = &d->parts[i];
        kt_partition_stats *e = find_or_add(&p->table, r->topic, r->partition);
        if (!e) {
            if (kt_table_is_full(&p->table))
                p->dropped++;
            continue;
        }
        if (ex->api_key == KT_API_PRODUCE)
            add_produce(&e->produce, ex, d, r);
        else
            add_fetch(&e->fetch, ex, r);
    }
}

static void entry_free(void *entry)
{
    kt_partition_stats *e = entry;
    kt_hist_free(&e->produce.latency);
    if (e->produce.split) {
        kt_split_free(e->produce.split);
        free(e->produce.split);
    }
    free(e->produce.errors);
    kt_hist_free(&e->fetch.latency_data);
    kt_hist_free(&e->fetch.latency_empty);
    free(e->fetch.errors);
    free(e);
}

void kt_partitions_free(kt_partitions *p)
{
    if (!p)
        return;
    kt_table_free(&p->table);
    kt_table_free(&p->replicas);
    kt_table_free(&p->nodes);
    kt_table_free(&p->acks);
    free(p);
}

/* ---- merged view for reports ------------------------------------------- */

static void merge_codes(kt_code_count **into, int *n, int *cap, const kt_code_count *from, int nf)
{
    for (int i = 0; i < nf; i++)
        kt_code_counts_add(into, n, cap, from[i].code, from[i].count);
}

void kt_partition_merge(kt_partition_stats *m, const kt_partition_stats *e)
{
    kt_produce_agg *a = &m->produce;
    const kt_produce_agg *b = &e->produce;
    kt_fetch_agg *f = &m->fetch;
    const kt_fetch_agg *g = &e->fetch;

    a->requests += b->requests;
    a->records += b->records;
    a->bytes += b->bytes;
    a->acked_records += b->acked_records;
    a->unanswered += b->unanswered;
    for (int i = 0; i < 3; i++)
        a->acks[i] += b->acks[i];
    if (b->timeout_ms_max > a->timeout_ms_max)
        a->timeout_ms_max = b->timeout_ms_max;
    if (b->first_ts_us && (!a->first_ts_us || b->first_ts_us < a->first_ts_us))
        a->first_ts_us = b->first_ts_us;
    /* the leader of the later entry; counts of one leader add up */
    if (kt_endpoint_equal(&a->leader, &b->leader))
        a->leader_records += b->leader_records;
    else if (b->leader.family && (!a->leader.family || b->last_ts_us > a->last_ts_us)) {
        a->leader = b->leader;
        a->leader_records = b->leader_records;
    }
    if (b->last_ts_us > a->last_ts_us)
        a->last_ts_us = b->last_ts_us;
    a->batches += b->batches;
    for (int c = 0; c < KT_CODECS; c++)
        a->codec_batches[c] += b->codec_batches[c];
    a->latency_total_us += b->latency_total_us;
    kt_hist_merge(&a->latency, &b->latency);
    if (b->split && !a->split)
        a->split = calloc(1, sizeof *a->split);
    if (b->split && a->split)
        kt_split_merge(a->split, b->split);
    merge_codes(&a->errors, &a->nerrors, &a->caperrors, b->errors, b->nerrors);

    f->requests += g->requests;
    f->records += g->records;
    f->control_records += g->control_records;
    f->bytes += g->bytes;
    f->with_data += g->with_data;
    f->batches += g->batches;
    f->codecs |= g->codecs;
    f->empty += g->empty;
    f->unanswered += g->unanswered;
    f->latency_total_us += g->latency_total_us;
    kt_hist_merge(&f->latency_data, &g->latency_data);
    kt_hist_merge(&f->latency_empty, &g->latency_empty);
    merge_codes(&f->errors, &f->nerrors, &f->caperrors, g->errors, g->nerrors);
    /* offsets only grow: the largest is the latest */
    if (g->fetch_offset > f->fetch_offset)
        f->fetch_offset = g->fetch_offset;
    if (g->high_watermark > f->high_watermark)
        f->high_watermark = g->high_watermark;
    if (g->lag_max > f->lag_max)
        f->lag_max = g->lag_max;
    if (g->lag >= 0)
        f->lag = g->lag;
}

static int cmp_broker_time(const void *x, const void *y)
{
    const kt_partition_stats *a = *(kt_partition_stats *const *)x;
    const kt_partition_stats *b = *(kt_partition_stats *const *)y;
    uint64_t ta = a->produce.latency_total_us + a->fetch.latency_total_us;
    uint64_t tb = b->produce.latency_total_us + b->fetch.latency_total_us;
    const kt_istr *na, *nb;
    if (ta != tb)
        return ta < tb ? 1 : -1;
    na = kt_topic_name(a->topic);
    nb = kt_topic_name(b->topic);
    if (na && nb && na != nb)
        return strcmp(na->s, nb->s);
    if (!na != !nb)
        return na ? -1 : 1;
    if (!na && !nb && a->topic != b->topic)
        return memcmp(a->topic->id, b->topic->id, 16);
    return a->partition - b->partition;
}

kt_partition_stats **kt_partitions_merged(const kt_partitions *p, size_t *n)
{
    kt_table merged;
    kt_partition_stats **out;
    kt_table_init(&merged, &partition_type, 0, NULL, -1);
    kt_table_reserve(&merged, p->table.n);      /* at most one each */
    for (size_t i = 0; i < p->table.n; i++) {
        const kt_partition_stats *e = p->table.entries[i];
        kt_partition_stats *into = find_or_add(&merged, kt_topic_canon(e->topic), e->partition);
        if (into)
            kt_partition_merge(into, e);
    }
    out = (kt_partition_stats **)kt_table_take(&merged, n);
    if (!out)                       /* none: an empty list, not a failure */
        out = calloc(1, sizeof *out);
    if (out)
        qsort(out, *n, sizeof *out, cmp_broker_time);
    return out;
}

void kt_partitions_merged_free(kt_partition_stats **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        entry_free(list[i]);
    free(list);
}
