/* acks_wait.c - matching acks=all Produce batches to the follower fetches
 * that confirmed them (acks_wait.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "dissectors/kafka_apis.h"
#include "stats/acks_wait.h"

/* The key as hashed and matched: every byte set (padding zeroed). */
struct acks_key {
    const kt_topic *tp;
    int64_t partition;
};

static uint64_t key_hash(const kt_topic *tp, int32_t partition)
{
    struct acks_key k;
    memset(&k, 0, sizeof k);
    k.tp = tp;
    k.partition = partition;
    return kt_hash(&k, sizeof k);
}

static uint64_t row_hash(const void *e)
{
    const kt_acks_partition *r = e;
    return key_hash(r->topic, r->partition);
}

static int row_match(const void *e, const void *key)
{
    const kt_acks_partition *r = e;
    const struct acks_key *k = key;
    return r->topic == k->tp && r->partition == k->partition;
}

static void *row_create(const void *key, uint64_t h)
{
    const struct acks_key *k = key;
    kt_acks_partition *r = calloc(1, sizeof *r);
    (void)h;
    if (!r)
        return NULL;
    r->topic = k->tp;
    r->partition = (int32_t)k->partition;
    return r;
}

static void row_free(void *e)
{
    kt_acks_partition *r = e;
    for (uint32_t i = 0; i < r->nfollowers; i++) {
        kt_hist_free(&r->f[i].wait_last);
        kt_hist_free(&r->f[i].confirm);
    }
    free(r);
}

static const kt_table_type acks_type = {
    .hash = row_hash, .match = row_match, .create = row_create, .destroy = row_free,
};

void kt_acks_init(kt_table *t)
{
    kt_table_init(t, &acks_type, KT_MAX_ACKS_PARTS, NULL, KT_AN_PARTITION_TABLE_FULL);
}

/* ---- resolving a batch --------------------------------------------------- */

/* Has follower i said all it will about the batch: confirmed it, or
 * fetched after its response (then it was not waited for)? */
static int decided(const kt_acks_partition *r, const kt_acks_pending *b, uint32_t i)
{
    return b->confirm_us[i] || r->f[i].last_ts_us > b->response_us;
}

static uint64_t after_append(const kt_acks_pending *b, uint64_t ts)
{
    return ts > b->append_us ? ts - b->append_us : 0;
}

/* Attributes a batch every follower has decided on; 0 while one has not.
 * Forced (its window is full), a follower that has not decided is taken
 * not to be waited for (see acks_wait.h). */
static int try_resolve(kt_acks_partition *r, const kt_acks_pending *b, int force)
{
    uint32_t last = KT_ACKS_MAX_FOLLOWERS;
    if (!r->nfollowers && !force)
        return 0;
    for (uint32_t i = 0; i < r->nfollowers; i++) {
        if (!force && !decided(r, b, i))
            return 0;
        if (b->confirm_us[i] && (last == KT_ACKS_MAX_FOLLOWERS ||
                                 b->confirm_us[i] > b->confirm_us[last]))
            last = i;
    }
    if (last == KT_ACKS_MAX_FOLLOWERS) {
        r->unattributed++;
        if (force && r->nfollowers)
            kt_anomaly_add(KT_AN_ACKS_WINDOW_FULL, 1);
        return 1;
    }
    for (uint32_t i = 0; i < r->nfollowers; i++)
        if (b->confirm_us[i])
            kt_hist_add(&r->f[i].confirm, after_append(b, b->confirm_us[i]));
    r->f[last].last_count++;
    kt_hist_add(&r->f[last].wait_last, after_append(b, b->confirm_us[last]));
    r->resolved++;
    return 1;
}

/* Resolves what can be, keeping the rest in order. */
static void resolve_pending(kt_acks_partition *r)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < r->npending; i++) {
        if (try_resolve(r, &r->pending[i], 0))
            continue;
        if (kept != i)
            r->pending[kept] = r->pending[i];
        kept++;
    }
    r->npending = kept;
}

/* Follower i's confirmation of a batch: the first fetch in its ring with a
 * fetch offset past the batch's last, no later than the response. */
static void confirm_from_recent(const kt_acks_partition *r, uint32_t i, kt_acks_pending *b)
{
    const kt_acks_follower *f = &r->f[i];
    uint32_t start = f->nrecent < KT_ACKS_RECENT ? 0 : f->next;
    for (uint32_t k = 0; k < f->nrecent; k++) {
        const kt_acks_fetch *e = &f->recent[(start + k) % KT_ACKS_RECENT];
        if (e->offset > b->last_offset) {
            if (e->ts_us <= b->response_us)
                b->confirm_us[i] = e->ts_us;
            return;
        }
    }
}

/* ---- Produce ------------------------------------------------------------- */

static void add_batch(kt_acks_partition *r, const kt_exchange *ex, const kt_part_result *p)
{
    kt_acks_pending b;
    memset(&b, 0, sizeof b);
    b.append_us = ex->request_ts_us + (ex->queue_wait_us > 0 ? (uint64_t)ex->queue_wait_us : 0);
    b.response_us = ex->request_ts_us + (uint64_t)ex->latency_us;
    b.last_offset = p->base_offset + p->records - 1;
    r->produced++;
    if (ex->broker)
        r->leader = *ex->broker;
    for (uint32_t i = 0; i < r->nfollowers; i++)
        confirm_from_recent(r, i, &b);
    if (try_resolve(r, &b, 0))
        return;
    if (r->npending == KT_ACKS_PENDING) {
        if (r->nfollowers)
            r->window_full++;
        try_resolve(r, &r->pending[0], 1);
        memmove(&r->pending[0], &r->pending[1], (KT_ACKS_PENDING - 1) * sizeof r->pending[0]);
        r->npending--;
    }
    r->pending[r->npending++] = b;
}

static uint64_t add_produce(kt_table *t, const kt_exchange *ex)
{
    const kt_request_detail *d = ex->detail;
    uint64_t dropped = 0;
    if (d->acks != -1 || ex->latency_us < 0 || ex->status == KT_STATUS_UNANSWERED ||
        ex->status == KT_STATUS_UNKNOWN_CAPTURE_LOSS)
        return 0;
    for (uint32_t i = 0; i < d->nparts; i++) {
        const kt_part_result *p = &d->parts[i];
        const kt_topic *tp = kt_topic_canon(p->topic);
        struct acks_key k;
        kt_acks_partition *r;
        if (!p->answered || p->error != 0 || p->base_offset < 0 || p->records <= 0 ||
            p->base_offset > INT64_MAX - p->records)
            continue;
        memset(&k, 0, sizeof k);
        k.tp = tp;
        k.partition = p->partition;
        r = kt_table_find_or_add(t, &k, key_hash(tp, p->partition));
        if (!r) {
            dropped++;
            continue;
        }
        add_batch(r, ex, p);
    }
    return dropped;
}

/* ---- follower Fetch ------------------------------------------------------ */

static kt_acks_follower *follower_of(kt_acks_partition *r, int32_t id, uint32_t *slot)
{
    for (uint32_t i = 0; i < r->nfollowers; i++)
        if (r->f[i].id == id) {
            *slot = i;
            return &r->f[i];
        }
    if (r->nfollowers == KT_ACKS_MAX_FOLLOWERS)
        return NULL;
    *slot = r->nfollowers;
    r->f[r->nfollowers].id = id;
    return &r->f[r->nfollowers++];
}

static void add_fetch(kt_acks_partition *r, const kt_exchange *ex, int32_t id, int64_t offset)
{
    uint64_t ts = ex->request_ts_us;
    uint32_t slot = 0;
    kt_acks_follower *f = follower_of(r, id, &slot);
    if (!f) {
        r->followers_dropped++;
        return;
    }
    f->recent[f->next] = (kt_acks_fetch){ ts, offset };
    f->next = (f->next + 1) % KT_ACKS_RECENT;
    if (f->nrecent < KT_ACKS_RECENT)
        f->nrecent++;
    for (uint32_t i = 0; i < r->npending; i++) {
        kt_acks_pending *b = &r->pending[i];
        if (!b->confirm_us[slot] && offset > b->last_offset && ts <= b->response_us)
            b->confirm_us[slot] = ts;
    }
    if (ts > f->last_ts_us)
        f->last_ts_us = ts;
    resolve_pending(r);
}

static void add_follower_fetch(kt_table *t, const kt_exchange *ex)
{
    const kt_request_detail *d = ex->detail;
    for (uint32_t i = 0; i < d->nparts; i++) {
        const kt_part_result *p = &d->parts[i];
        const kt_topic *tp = kt_topic_canon(p->topic);
        struct acks_key k;
        kt_acks_partition *r;
        if (p->fetch_offset < 0)
            continue;
        memset(&k, 0, sizeof k);
        k.tp = tp;
        k.partition = p->partition;
        r = kt_table_find(t, &k, key_hash(tp, p->partition));
        if (r)
            add_fetch(r, ex, d->replica_id, p->fetch_offset);
    }
}

uint64_t kt_acks_add(kt_table *t, const kt_exchange *ex)
{
    if (!ex->detail)
        return 0;
    if (kt_exchange_is_follower_fetch(ex)) {
        add_follower_fetch(t, ex);
        return 0;
    }
    if (ex->api_key == KT_API_PRODUCE)
        return add_produce(t, ex);
    return 0;
}
