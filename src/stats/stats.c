/* stats.c - per API, broker and client aggregates of exchanges. */
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "common/anomaly.h"
#include "common/table.h"
#include "common/siphash.h"
#include "kafka/client_role.h"
#include "stats/stats.h"

void kt_code_counts_add(kt_code_count **list, int *n, int *cap, int16_t code, uint64_t count)
{
    for (int i = 0; i < *n; i++) {
        if ((*list)[i].code == code) {
            (*list)[i].count += count;
            return;
        }
    }
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 4;
        kt_code_count *ne = realloc(*list, (size_t)ncap * sizeof *ne);
        if (!ne)
            return;
        *list = ne;
        *cap = ncap;
    }
    (*list)[*n].code = code;
    (*list)[*n].count = count;
    (*n)++;
}

static void agg_error(kt_agg *a, int16_t code, uint64_t n)
{
    kt_code_counts_add(&a->errors, &a->nerrors, &a->caperrors, code, n);
}

void kt_agg_add(kt_agg *a, const kt_exchange *ex)
{
    a->requests++;
    kt_split_add(&a->split, ex);
    switch (ex->status) {
    case KT_STATUS_UNANSWERED:
        a->unanswered++;
        return;
    case KT_STATUS_NO_RESPONSE_EXPECTED:
        a->no_response++;
        return;
    case KT_STATUS_UNKNOWN_CAPTURE_LOSS:
        return;                 /* in requests only (see kt_agg) */
    case KT_STATUS_ERROR:
        a->errored++;
        /* fall through */
    default:
        a->matched++;
        break;
    }
    if (ex->latency_us >= 0)
        kt_hist_add(&a->latency, (uint64_t)ex->latency_us);
    for (int i = 0; i < ex->nerrors; i++)
        agg_error(a, ex->errors[i].code, ex->errors[i].count);
    if (ex->throttle_ms > 0) {
        a->throttled++;
        a->throttle_ms_total += (uint64_t)ex->throttle_ms;
        if ((uint64_t)ex->throttle_ms > a->throttle_ms_max)
            a->throttle_ms_max = (uint64_t)ex->throttle_ms;
    }
}

static void sasl_add(kt_sasl_logins *l, const kt_exchange *ex)
{
    int failed = ex->status == KT_STATUS_ERROR;
    if (ex->status != KT_STATUS_OK && !failed)
        return;                 /* not answered: no outcome */
    if (ex->api_key == KT_API_SASL_HANDSHAKE && !failed)
        return;                 /* the login goes on */
    l->logins++;
    l->failed += (uint64_t)failed;
    for (int i = 0; i < ex->nerrors; i++)
        kt_code_counts_add(&l->errors, &l->nerrors, &l->caperrors, ex->errors[i].code,
                           ex->errors[i].count);
}

void kt_agg_free(kt_agg *a)
{
    kt_hist_free(&a->latency);
    kt_split_free(&a->split);
    free(a->errors);
    memset(a, 0, sizeof *a);
}

/* ---- keyed tables (table.h) --------------------------------------------- */

static uint64_t broker_hash(const void *e)
{
    const kt_broker_stats *b = e;
    return kt_hash(&b->broker, sizeof b->broker);
}

static int broker_match(const void *e, const void *key)
{
    return memcmp(&((const kt_broker_stats *)e)->broker, key, sizeof(kt_endpoint)) == 0;
}

static void *broker_create(const void *key, uint64_t h)
{
    kt_broker_stats *b = calloc(1, sizeof *b);
    (void)h;
    if (b)
        memcpy(&b->broker, key, sizeof b->broker);   /* padding too */
    return b;
}

static void broker_destroy(void *e)
{
    kt_broker_stats *b = e;
    kt_agg_free(&b->agg);
    kt_agg_free(&b->produce);
    kt_hist_free(&b->fetch_data);
    free(b);
}

static const kt_table_type broker_type = {
    .hash = broker_hash, .match = broker_match,
    .create = broker_create, .destroy = broker_destroy,
};

static uint64_t client_hash(const void *e)
{
    const kt_client_stats *c = e;
    return kt_hash(&c->client_id, sizeof c->client_id);
}

static int client_match(const void *e, const void *key)
{
    return ((const kt_client_stats *)e)->client_id == *(const kt_istr *const *)key;
}

static void *client_create(const void *key, uint64_t h)
{
    kt_client_stats *c = calloc(1, sizeof *c);
    (void)h;
    if (c)
        c->client_id = *(const kt_istr *const *)key;
    return c;
}

static void client_destroy(void *e)
{
    kt_client_stats *c = e;
    kt_agg_free(&c->agg);
    kt_agg_free(&c->produce);
    kt_hist_free(&c->fetch_data);
    free(c->sasl.errors);
    free(c);
}

static const kt_table_type client_type = {
    .hash = client_hash, .match = client_match,
    .create = client_create, .destroy = client_destroy,
};

/* (client id, broker) as hashed and matched: padding zeroed. */
struct throttle_key {
    const kt_istr *client_id;
    kt_endpoint broker;
};

static uint64_t throttle_hash(const void *e)
{
    const kt_throttle_stats *t = e;
    struct throttle_key k;
    memset(&k, 0, sizeof k);
    k.client_id = t->client_id;
    k.broker = kt_endpoint_key(&t->broker);
    return kt_hash(&k, sizeof k);
}

static int throttle_match(const void *e, const void *key)
{
    const kt_throttle_stats *t = e;
    const struct throttle_key *k = key;
    return t->client_id == k->client_id &&
           memcmp(&t->broker, &k->broker, sizeof t->broker) == 0;
}

static void *throttle_create(const void *key, uint64_t h)
{
    const struct throttle_key *k = key;
    kt_throttle_stats *t = calloc(1, sizeof *t);
    (void)h;
    if (t) {
        t->client_id = k->client_id;
        memcpy(&t->broker, &k->broker, sizeof t->broker);   /* padding too */
    }
    return t;
}

static const kt_table_type throttle_type = {
    .hash = throttle_hash, .match = throttle_match,
    .create = throttle_create, .destroy = free,
};

kt_stats *kt_stats_new(void)
{
    kt_stats *s = calloc(1, sizeof *s);
    kt_broker_stats *other = calloc(1, sizeof *other);
    if (!s || !other) {
        free(s);
        free(other);
        return NULL;
    }
    other->is_other = 1;
    kt_table_init(&s->broker_table, &broker_type, KT_STATS_MAX_BROKERS, other,
                  KT_AN_BROKER_TABLE_FULL);
    kt_table_init(&s->client_table, &client_type, 0, NULL, -1);
    kt_table_init(&s->throttle_table, &throttle_type, KT_STATS_MAX_THROTTLE, NULL, -1);
    kt_memcap_init(&s->mem, "statistics_tables", 0, KT_AN_BROKER_TABLE_FULL);
    kt_table_account(&s->broker_table, &s->mem,
                     sizeof(kt_broker_stats) + KT_TABLE_OVERHEAD_PER_ENTRY);
    kt_table_account(&s->client_table, &s->mem,
                     sizeof(kt_client_stats) + KT_TABLE_OVERHEAD_PER_ENTRY);
    kt_table_account(&s->throttle_table, &s->mem,
                     sizeof(kt_throttle_stats) + KT_TABLE_OVERHEAD_PER_ENTRY);
    return s;
}

/* The typed views of the tables' entries (stats.h). */
static void refresh_views(kt_stats *s)
{
    s->brokers = (kt_broker_stats **)s->broker_table.entries;
    s->nbrokers = s->broker_table.n;
    s->clients = (kt_client_stats **)s->client_table.entries;
    s->nclients = s->client_table.n;
}

static kt_broker_stats *broker_entry(kt_stats *s, const kt_endpoint *ep)
{
    kt_endpoint key = kt_endpoint_key(ep);
    return kt_table_find_or_add(&s->broker_table, &key, kt_hash(&key, sizeof key));
}

static kt_client_stats *client_entry(kt_stats *s, const kt_istr *id)
{
    return kt_table_find_or_add(&s->client_table, &id, kt_hash(&id, sizeof id));
}

static kt_throttle_stats *throttle_entry(kt_stats *s, const kt_istr *id, const kt_endpoint *ep)
{
    struct throttle_key key;
    memset(&key, 0, sizeof key);   /* hashed as bytes: padding must be zero */
    key.client_id = id;
    key.broker = kt_endpoint_key(ep);
    return kt_table_find_or_add(&s->throttle_table, &key, kt_hash(&key, sizeof key));
}

static kt_api_stats *api_entry(kt_stats *s, int16_t key, int follower)
{
    kt_api_stats **slot = follower ? &s->follower_fetch
                          : (key >= 0 && key < KT_STATS_API_SLOTS) ? &s->api[key] : &s->api_other;
    if (!*slot) {
        *slot = calloc(1, sizeof **slot);
        if (*slot) {
            (*slot)->api_key = key;
            (*slot)->follower = follower;
        }
    }
    return *slot;
}

kt_api_stats *kt_stats_api(kt_stats *s, int16_t api_key, int follower)
{
    return api_entry(s, api_key, follower);
}

kt_broker_stats *kt_stats_broker(kt_stats *s, const kt_endpoint *ep)
{
    kt_broker_stats *b = broker_entry(s, ep);
    refresh_views(s);
    return b;
}

kt_client_stats *kt_stats_client(kt_stats *s, const kt_istr *id)
{
    kt_client_stats *c = client_entry(s, id);
    refresh_views(s);
    return c;
}

kt_throttle_stats *kt_stats_throttle(kt_stats *s, const kt_istr *id, const kt_endpoint *ep)
{
    return throttle_entry(s, id, ep);
}

/* A consumer's answered Fetch that returned at least one record (stats.h). */
static int fetch_with_data(const kt_exchange *ex)
{
    if (ex->api_key != KT_API_FETCH || !ex->detail || kt_exchange_is_follower_fetch(ex) ||
        (ex->status != KT_STATUS_OK && ex->status != KT_STATUS_ERROR) || ex->latency_us < 0)
        return 0;
    for (uint32_t i = 0; i < ex->detail->nparts; i++)
        if (ex->detail->parts[i].answered && ex->detail->parts[i].records > 0)
            return 1;
    return 0;
}

/* The broker's last answer, and the requests left unanswered after it
 * (exchanges arrive as they end, not in request order: an answer that ends
 * later than the last one moves it and forgets the unanswered before it). */
static void silence_add(kt_broker_stats *b, const kt_exchange *ex)
{
    if (ex->latency_us >= 0) {
        uint64_t at = ex->request_ts_us + (uint64_t)ex->latency_us;
        if (at > b->last_answer_us) {
            b->last_answer_us = at;
            b->unanswered_after = 0;
        }
    } else if (ex->status == KT_STATUS_UNANSWERED && ex->request_ts_us >= b->last_answer_us) {
        b->unanswered_after++;
    }
}

void kt_stats_add(kt_stats *s, const kt_exchange *ex)
{
    int data = fetch_with_data(ex);
    kt_api_stats *a = api_entry(s, ex->api_key, kt_exchange_is_follower_fetch(ex));
    kt_broker_stats *b = broker_entry(s, ex->broker);
    kt_client_stats *c = ex->client_id ? client_entry(s, ex->client_id) : NULL;

    if (a) {
        if (ex->api_version >= 0 && ex->api_version < 128)
            a->versions[ex->api_version / 64] |= 1ull << (ex->api_version % 64);
        kt_agg_add(&a->agg, ex);
    }
    if (b) {
        kt_agg_add(&b->agg, ex);
        if (ex->api_key == KT_API_PRODUCE)
            kt_agg_add(&b->produce, ex);
        if (data)
            kt_hist_add(&b->fetch_data, (uint64_t)ex->latency_us);
        silence_add(b, ex);
    }
    if (c) {
        kt_agg_add(&c->agg, ex);
        if (ex->api_key == KT_API_PRODUCE)
            kt_agg_add(&c->produce, ex);
        else if (ex->api_key == KT_API_SASL_HANDSHAKE ||
                 ex->api_key == KT_API_SASL_AUTHENTICATE)
            sasl_add(&c->sasl, ex);
        if (data)
            kt_hist_add(&c->fetch_data, (uint64_t)ex->latency_us);
        kt_batch_agg_add(&c->batching, ex);
        c->roles |= kt_client_role_of(ex);
    }
    refresh_views(s);
    kt_agg_add(&s->total, ex);
    if (ex->throttle_ms >= 0 && ex->client_id) {
        kt_throttle_stats *t = throttle_entry(s, ex->client_id, ex->broker);
        if (t) {
            t->responses++;
            if (ex->throttle_ms > 0) {
                t->throttled++;
                t->throttle_ms_total += (uint64_t)ex->throttle_ms;
                if ((uint64_t)ex->throttle_ms > t->throttle_ms_max)
                    t->throttle_ms_max = (uint64_t)ex->throttle_ms;
            }
        }
    }
}

void kt_stats_free(kt_stats *s)
{
    if (!s)
        return;
    for (int i = 0; i < KT_STATS_API_SLOTS; i++) {
        if (s->api[i]) {
            kt_agg_free(&s->api[i]->agg);
            free(s->api[i]);
        }
    }
    if (s->follower_fetch) {
        kt_agg_free(&s->follower_fetch->agg);
        free(s->follower_fetch);
    }
    if (s->api_other) {
        kt_agg_free(&s->api_other->agg);
        free(s->api_other);
    }
    kt_table_free(&s->broker_table);
    kt_table_free(&s->client_table);
    kt_table_free(&s->throttle_table);
    kt_agg_free(&s->total);
    free(s);
}

/* ---- ordering for reports ---------------------------------------------- */

static int cmp_code_count(const void *a, const void *b)
{
    const kt_code_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->code - y->code;
}

void kt_code_counts_sort(kt_code_count *list, int n)
{
    if (n > 1)
        qsort(list, (size_t)n, sizeof *list, cmp_code_count);
}

void kt_agg_sort_errors(kt_agg *a)
{
    kt_code_counts_sort(a->errors, a->nerrors);
}

static int cmp_agg(const kt_agg *x, const kt_agg *y)
{
    uint64_t fx = x->errored + x->unanswered, fy = y->errored + y->unanswered;
    uint64_t px, py;
    if (fx != fy)
        return fx < fy ? 1 : -1;
    px = kt_hist_percentile(&x->latency, 99);
    py = kt_hist_percentile(&y->latency, 99);
    if (px != py)
        return px < py ? 1 : -1;
    if (x->requests != y->requests)
        return x->requests < y->requests ? 1 : -1;
    return 0;
}

static int cmp_api(const void *a, const void *b)
{
    const kt_api_stats *x = *(kt_api_stats *const *)a, *y = *(kt_api_stats *const *)b;
    int c = cmp_agg(&x->agg, &y->agg);
    if (c)
        return c;
    return x->api_key != y->api_key ? x->api_key - y->api_key : x->follower - y->follower;
}

static int cmp_broker(const void *a, const void *b)
{
    const kt_broker_stats *x = *(kt_broker_stats *const *)a, *y = *(kt_broker_stats *const *)b;
    int c = cmp_agg(&x->agg, &y->agg);
    return c ? c : memcmp(&x->broker, &y->broker, sizeof x->broker);
}

static int cmp_client(const void *a, const void *b)
{
    const kt_client_stats *x = *(kt_client_stats *const *)a, *y = *(kt_client_stats *const *)b;
    int c = cmp_agg(&x->agg, &y->agg);
    if (c)
        return c;
    if (x->client_id->is_null != y->client_id->is_null)
        return x->client_id->is_null ? 1 : -1;
    return strcmp(x->client_id->s, y->client_id->s);
}

const kt_api_stats **kt_stats_apis_sorted(const kt_stats *s, size_t *n)
{
    const kt_api_stats **out = malloc((KT_STATS_API_SLOTS + 2) * sizeof *out);
    *n = 0;
    if (!out)
        return NULL;
    for (int i = 0; i < KT_STATS_API_SLOTS; i++)
        if (s->api[i])
            out[(*n)++] = s->api[i];
    if (s->api_other)
        out[(*n)++] = s->api_other;
    if (s->follower_fetch)
        out[(*n)++] = s->follower_fetch;
    qsort(out, *n, sizeof *out, cmp_api);
    return out;
}

const kt_broker_stats **kt_stats_brokers_sorted(const kt_stats *s, size_t *n)
{
    const kt_broker_stats **out = malloc((s->nbrokers + 1) * sizeof *out);
    *n = 0;
    if (!out)
        return NULL;
    if (s->nbrokers)                /* brokers is NULL while empty */
        memcpy(out, s->brokers, s->nbrokers * sizeof *out);
    *n = s->nbrokers;
    qsort(out, *n, sizeof *out, cmp_broker);
    return out;
}

const kt_client_stats **kt_stats_clients_sorted(const kt_stats *s, size_t *n)
{
    const kt_client_stats **out = malloc((s->nclients + 1) * sizeof *out);
    *n = 0;
    if (!out)
        return NULL;
    if (s->nclients)                /* clients is NULL while empty */
        memcpy(out, s->clients, s->nclients * sizeof *out);
    *n = s->nclients;
    qsort(out, *n, sizeof *out, cmp_client);
    return out;
}

static int cmp_throttle(const void *a, const void *b)
{
    const kt_throttle_stats *x = *(kt_throttle_stats *const *)a, *y = *(kt_throttle_stats *const *)b;
    if (x->throttle_ms_total != y->throttle_ms_total)
        return x->throttle_ms_total < y->throttle_ms_total ? 1 : -1;
    if (x->client_id->is_null != y->client_id->is_null)
        return x->client_id->is_null ? 1 : -1;
    if (x->client_id != y->client_id)
        return strcmp(x->client_id->s, y->client_id->s);
    return memcmp(&x->broker, &y->broker, sizeof x->broker);
}

const kt_throttle_stats **kt_stats_throttled_sorted(const kt_stats *s, size_t *n)
{
    const kt_table *tt = &s->throttle_table;
    const kt_throttle_stats **out = malloc((tt->n + 1) * sizeof *out);
    *n = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < tt->n; i++) {
        kt_throttle_stats *t = tt->entries[i];
        if (t->throttled)
            out[(*n)++] = t;
    }
    qsort(out, *n, sizeof *out, cmp_throttle);
    return out;
}
