/* client_partition_stats.c - per-client delivery, in total and per
 * topic-partition (client_partition_stats.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "dissectors/kafka_apis.h"
#include "stats/client_partition_stats.h"
#include "stats/labels.h"

/* ---- counting ----------------------------------------------------------- */

static uint64_t nonneg(int64_t v)
{
    return v > 0 ? (uint64_t)v : 0;
}

static void add_produce(kt_delivery *d, const kt_exchange *ex, const kt_request_detail *det,
                        const kt_part_result *r)
{
    uint64_t n = nonneg(r->records);
    d->produce_requests++;
    d->records_sent += n;
    d->bytes_sent += r->bytes;
    if (ex->status == KT_STATUS_NO_RESPONSE_EXPECTED || det->acks == 0)
        d->records_acks0 += n;
    else if (ex->status == KT_STATUS_UNKNOWN_CAPTURE_LOSS)
        return;                       /* answered or not: nobody can tell */
    else if (ex->status == KT_STATUS_UNANSWERED || !r->answered)
        d->records_unanswered += n;
    else if (r->error == 0)
        d->records_acked += n;
    else {
        d->records_failed += n;
        kt_code_counts_add(&d->failed, &d->nfailed, &d->capfailed, r->error, n);
    }
}

static void add_fetch(kt_delivery *d, const kt_exchange *ex, const kt_part_result *r)
{
    d->fetch_requests++;
    if (ex->latency_us < 0 || !r->answered)
        return;
    d->records_fetched += nonneg(r->records);
    d->bytes_fetched += r->bytes;
}

void kt_delivery_merge(kt_delivery *a, const kt_delivery *b)
{
    a->produce_requests += b->produce_requests;
    a->records_sent += b->records_sent;
    a->bytes_sent += b->bytes_sent;
    a->records_acked += b->records_acked;
    a->records_failed += b->records_failed;
    a->records_unanswered += b->records_unanswered;
    a->records_acks0 += b->records_acks0;
    for (int i = 0; i < b->nfailed; i++)
        kt_code_counts_add(&a->failed, &a->nfailed, &a->capfailed, b->failed[i].code,
                           b->failed[i].count);
    a->fetch_requests += b->fetch_requests;
    a->records_fetched += b->records_fetched;
    a->bytes_fetched += b->bytes_fetched;
}

/* ---- the tables ----------------------------------------------------------- */

static uint64_t client_hash(const void *e)
{
    const kt_client_delivery *c = e;
    return kt_hash(&c->client_id, sizeof c->client_id);
}

static int client_match(const void *e, const void *key)
{
    return ((const kt_client_delivery *)e)->client_id == *(const kt_istr *const *)key;
}

static void *client_create(const void *key, uint64_t h)
{
    kt_client_delivery *c = calloc(1, sizeof *c);
    (void)h;
    if (c)
        c->client_id = *(const kt_istr *const *)key;
    return c;
}

static void client_destroy(void *e)
{
    kt_client_delivery *c = e;
    free(c->d.failed);
    free(c);
}

static const kt_table_type client_type = {
    .hash = client_hash, .match = client_match,
    .create = client_create, .destroy = client_destroy,
};

/* (client id, topic, partition) as hashed and matched; no padding. */
struct part_key {
    const kt_istr *client_id;
    const kt_topic *tp;
    int64_t partition;
};

static uint64_t key_hash(const struct part_key *k)
{
    return kt_hash(k, sizeof *k);
}

static uint64_t part_hash(const void *e)
{
    const kt_client_partition *x = e;
    struct part_key k = { x->client_id, x->topic, x->partition };
    return key_hash(&k);
}

static int part_match(const void *e, const void *key)
{
    const kt_client_partition *x = e;
    const struct part_key *k = key;
    return !x->is_other && x->client_id == k->client_id && x->topic == k->tp &&
           x->partition == k->partition;
}

static void *part_create(const void *key, uint64_t h)
{
    const struct part_key *k = key;
    kt_client_partition *x = calloc(1, sizeof *x);
    (void)h;
    if (x) {
        x->client_id = k->client_id;
        x->topic = k->tp;
        x->partition = (int32_t)k->partition;
    }
    return x;
}

static void part_destroy(void *e)
{
    kt_client_partition *x = e;
    free(x->d.failed);
    free(x);
}

static const kt_table_type part_type = {
    .hash = part_hash, .match = part_match,
    .create = part_create, .destroy = part_destroy,
};

kt_client_parts *kt_client_parts_new(void)
{
    kt_client_parts *p = calloc(1, sizeof *p);
    kt_client_partition *other = calloc(1, sizeof *other);
    if (!p || !other) {
        free(p);
        free(other);
        return NULL;
    }
    other->is_other = 1;
    other->partition = -1;
    kt_memcap_init(&p->mem, "client_partition_table", 0, KT_AN_CLIENT_PARTITION_TABLE_FULL);
    kt_table_init(&p->clients, &client_type, 0, NULL, -1);
    kt_table_account(&p->clients, &p->mem,
                     sizeof(kt_client_delivery) + KT_TABLE_OVERHEAD_PER_ENTRY);
    kt_table_init(&p->parts, &part_type, KT_MAX_CLIENT_PARTITIONS, other,
                  KT_AN_CLIENT_PARTITION_TABLE_FULL);
    kt_table_account(&p->parts, &p->mem, KT_CLIENT_PARTITION_ENTRY_BYTES);
    return p;
}

static kt_client_partition *part_entry(kt_table *t, const kt_istr *id, const kt_topic *tp,
                                       int32_t partition)
{
    struct part_key k = { id, tp, partition };
    return kt_table_find_or_add(t, &k, key_hash(&k));
}

void kt_client_parts_add(kt_client_parts *p, const kt_exchange *ex)
{
    const kt_request_detail *d = ex->detail;
    kt_client_delivery *c;
    if (!p || !d || !ex->client_id || (ex->api_key != KT_API_PRODUCE && ex->api_key != KT_API_FETCH))
        return;
    c = kt_table_find_or_add(&p->clients, &ex->client_id,
                             kt_hash(&ex->client_id, sizeof ex->client_id));
    for (uint32_t i = 0; i < d->nparts; i++) {
        const kt_part_result *r = &d->parts[i];
        kt_client_partition *e = part_entry(&p->parts, ex->client_id, r->topic, r->partition);
        if (ex->api_key == KT_API_PRODUCE) {
            if (c)
                add_produce(&c->d, ex, d, r);
            if (e)
                add_produce(&e->d, ex, d, r);
        } else {
            if (c)
                add_fetch(&c->d, ex, r);
            if (e)
                add_fetch(&e->d, ex, r);
        }
    }
}

kt_delivery *kt_client_parts_totals(kt_client_parts *p, const kt_istr *id)
{
    kt_client_delivery *c = kt_table_find_or_add(&p->clients, &id, kt_hash(&id, sizeof id));
    return c ? &c->d : NULL;
}

kt_client_partition *kt_client_parts_entry(kt_client_parts *p, const kt_istr *id,
                                           const kt_topic *tp, int32_t partition)
{
    return part_entry(&p->parts, id, tp, partition);
}

kt_client_partition *kt_client_parts_other(kt_client_parts *p)
{
    return kt_table_overflow(&p->parts);
}

void kt_client_parts_free(kt_client_parts *p)
{
    if (!p)
        return;
    kt_table_free(&p->clients);
    kt_table_free(&p->parts);
    free(p);
}

/* ---- merged view ------------------------------------------------------------ */

static int cmp_merged(const void *x, const void *y)
{
    const kt_client_partition *a = *(kt_client_partition *const *)x;
    const kt_client_partition *b = *(kt_client_partition *const *)y;
    char ta[200], tb[200];
    int c;
    if (a->is_other != b->is_other)
        return a->is_other ? 1 : -1;
    if (a->client_id != b->client_id) {
        if (a->client_id->is_null != b->client_id->is_null)
            return a->client_id->is_null ? 1 : -1;
        c = strcmp(a->client_id->s, b->client_id->s);
        if (c)
            return c;
    }
    if (a->topic != b->topic) {
        kt_label_topic(ta, sizeof ta, a->topic);
        kt_label_topic(tb, sizeof tb, b->topic);
        c = strcmp(ta, tb);
        if (c)
            return c;
    }
    return a->partition < b->partition ? -1 : a->partition > b->partition;
}

kt_client_partition **kt_client_parts_merged(const kt_client_parts *p, size_t *n)
{
    kt_table merged;
    kt_client_partition **out;
    kt_client_partition *other = calloc(1, sizeof *other);

    *n = 0;
    if (!other)
        return NULL;
    other->is_other = 1;
    other->partition = -1;
    kt_table_init(&merged, &part_type, 0, NULL, -1);
    kt_table_reserve(&merged, p->parts.n);
    for (size_t i = 0; i < p->parts.n; i++) {
        const kt_client_partition *e = p->parts.entries[i];
        kt_client_partition *into = e->is_other ? other
            : part_entry(&merged, e->client_id, kt_topic_canon(e->topic), e->partition);
        if (into)
            kt_delivery_merge(&into->d, &e->d);
    }
    out = (kt_client_partition **)kt_table_take(&merged, n);
    if (other->d.produce_requests || other->d.fetch_requests) {
        kt_client_partition **grown = realloc(out, (*n + 1) * sizeof *grown);
        if (grown) {
            out = grown;
            out[(*n)++] = other;
            other = NULL;
        }
    }
    if (other)
        part_destroy(other);
    if (!out)
        out = calloc(1, sizeof *out);
    if (out)
        qsort(out, *n, sizeof *out, cmp_merged);
    return out;
}

void kt_client_parts_merged_free(kt_client_partition **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        part_destroy(list[i]);
    free(list);
}
