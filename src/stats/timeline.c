/* timeline.c - statistics of exchanges in time buckets (see timeline.h for
 * the buckets, series, cells and memory rules). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "dissectors/kafka_apis.h"
#include "stats/timeline.h"

/* ---- memory: every allocation goes through the account (NULL: none) ---- */

static void *tl_alloc(kt_memcap *m, size_t n)
{
    if (m && !kt_memcap_reserve(m, n))
        return NULL;
    void *p = calloc(1, n);
    if (!p && m)
        kt_memcap_release(m, n);
    return p;
}

static void tl_release(kt_memcap *m, size_t n)
{
    if (m)
        kt_memcap_release(m, n);
}

/* Grows *arr (elem bytes each) from *cap to at least want; 0 or -1. */
static int tl_grow(kt_memcap *m, void **arr, uint32_t *cap, uint32_t want, size_t elem)
{
    if (want <= *cap)
        return 0;
    uint32_t ncap = *cap ? *cap * 2 : 4;
    while (ncap < want)
        ncap *= 2;
    size_t more = (size_t)(ncap - *cap) * elem;
    if (m && !kt_memcap_reserve(m, more))
        return -1;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p) {
        tl_release(m, more);
        return -1;
    }
    *arr = p;
    *cap = ncap;
    return 0;
}

/* ---- the compact histogram --------------------------------------------- */

#define TL_SUB_BITS 3
#define TL_SUB (1u << TL_SUB_BITS)
#define TL_MAX_US (1ull << 40)

static unsigned bin_of(uint64_t v)
{
    if (v >= TL_MAX_US)
        v = TL_MAX_US - 1;
    if (v < TL_SUB)
        return (unsigned)v;
    unsigned r = 63u - (unsigned)__builtin_clzll(v);      /* >= TL_SUB_BITS */
    unsigned sub = (unsigned)(v >> (r - TL_SUB_BITS)) & (TL_SUB - 1);
    return TL_SUB + (r - TL_SUB_BITS) * TL_SUB + sub;
}

static uint64_t bin_mid(unsigned b)
{
    if (b < TL_SUB)
        return b;
    unsigned r = (b - TL_SUB) / TL_SUB + TL_SUB_BITS, sub = (b - TL_SUB) % TL_SUB;
    uint64_t lo = (uint64_t)(TL_SUB + sub) << (r - TL_SUB_BITS);
    return lo + ((1ull << (r - TL_SUB_BITS)) >> 1);
}

static uint64_t clip(const kt_tl_hist *h, uint64_t v)
{
    return v < h->min ? h->min : v > h->max ? h->max : v;
}

/* Adds count values of bin b; -1 when the account refuses. */
static int hist_add_bin(kt_memcap *m, kt_tl_hist *h, unsigned b, uint32_t count)
{
    uint32_t lo = 0, hi = h->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (h->bins[mid].bin < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < h->n && h->bins[lo].bin == b) {
        h->bins[lo].count += count;
        return 0;
    }
    if (tl_grow(m, (void **)&h->bins, &h->cap, h->n + 1, sizeof *h->bins) < 0)
        return -1;
    memmove(h->bins + lo + 1, h->bins + lo, (h->n - lo) * sizeof *h->bins);
    h->bins[lo].bin = (uint16_t)b;
    h->bins[lo].count = count;
    h->n++;
    return 0;
}

static void hist_add(kt_memcap *m, kt_tl_hist *h, uint64_t v)
{
    if (hist_add_bin(m, h, bin_of(v), 1) < 0)
        return;
    if (!h->count || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->count++;
}

static int hist_merge(kt_memcap *m, kt_tl_hist *into, const kt_tl_hist *from)
{
    int rc = 0;
    uint64_t kept = 0;
    for (uint32_t i = 0; i < from->n; i++) {
        if (hist_add_bin(m, into, from->bins[i].bin, from->bins[i].count) < 0)
            rc = -1;
        else
            kept += from->bins[i].count;
    }
    if (!kept)
        return rc;
    if (!into->count || from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
    into->count += kept;
    return rc;
}

uint64_t kt_tl_percentile(const kt_tl_hist *h, double p)
{
    if (!h->count)
        return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->count + 0.999999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        seen += h->bins[i].count;
        if (seen >= rank)
            return clip(h, bin_mid(h->bins[i].bin));
    }
    return h->max;
}

uint64_t kt_tl_count_at_least(const kt_tl_hist *h, uint64_t v)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < h->n; i++)
        if (clip(h, bin_mid(h->bins[i].bin)) >= v)
            n += h->bins[i].count;
    return n;
}

/* ---- cells ------------------------------------------------------------- */

static int cell_error(kt_memcap *m, kt_tl_cell *c, int16_t code, uint64_t n)
{
    for (int i = 0; i < c->nerrors; i++)
        if (c->errors[i].code == code) {
            c->errors[i].count += n;
            return 0;
        }
    uint32_t cap = (uint32_t)c->caperrors;
    if (tl_grow(m, (void **)&c->errors, &cap, (uint32_t)c->nerrors + 1, sizeof *c->errors) < 0)
        return -1;
    c->caperrors = (int)cap;
    c->errors[c->nerrors].code = code;
    c->errors[c->nerrors].count = n;
    c->nerrors++;
    return 0;
}

static int cell_merge(kt_memcap *m, kt_tl_cell *into, const kt_tl_cell *from)
{
    int rc = 0;
    into->requests += from->requests;
    into->errored += from->errored;
    into->unanswered += from->unanswered;
    into->records += from->records;
    into->bytes += from->bytes;
    into->throttled += from->throttled;
    into->throttle_ms_total += from->throttle_ms_total;
    if (from->throttle_ms_max > into->throttle_ms_max)
        into->throttle_ms_max = from->throttle_ms_max;
    if (hist_merge(m, &into->latency, &from->latency) < 0)
        rc = -1;
    for (int i = 0; i < from->nerrors; i++)
        if (cell_error(m, into, from->errors[i].code, from->errors[i].count) < 0)
            rc = -1;
    return rc;
}

static size_t cell_bytes(const kt_tl_cell *c)
{
    return sizeof *c + (size_t)c->latency.cap * sizeof *c->latency.bins +
           (size_t)c->caperrors * sizeof *c->errors;
}

static void cell_free(kt_memcap *m, kt_tl_cell *c)
{
    if (!c)
        return;
    tl_release(m, cell_bytes(c));
    free(c->latency.bins);
    free(c->errors);
    free(c);
}

int kt_tl_cell_merge(kt_tl_cell *into, const kt_tl_cell *from)
{
    return cell_merge(NULL, into, from);
}

void kt_tl_cell_clear(kt_tl_cell *c)
{
    free(c->latency.bins);
    free(c->errors);
    memset(c, 0, sizeof *c);
}

/* ---- series and their tables ------------------------------------------- */

/* The account and the bucket count every series' cell array is made for,
 * set by kt_timeline_new() before any series exists (kt_table's create
 * gets no context; kafkatap is single threaded). */
static kt_timeline *creating;

static size_t series_bytes(const kt_timeline *t)
{
    return sizeof(kt_tl_series) + t->max_buckets * sizeof(kt_tl_cell *) +
           KT_TABLE_OVERHEAD_PER_ENTRY;
}

static uint64_t series_hash(const void *e)
{
    const kt_tl_series *s = e;
    return kt_hash(&s->key, sizeof s->key);
}

static int series_match(const void *e, const void *key)
{
    return memcmp(&((const kt_tl_series *)e)->key, key, sizeof(kt_tl_key)) == 0;
}

static void *series_create(const void *key, uint64_t h)
{
    (void)h;
    kt_tl_series *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cell = calloc(creating->max_buckets, sizeof *s->cell);
    if (!s->cell) {
        free(s);
        return NULL;
    }
    if (key)
        memcpy(&s->key, key, sizeof s->key);
    return s;
}

static void series_clear(kt_timeline *t, kt_tl_series *s)
{
    for (size_t i = 0; s->cell && i < t->max_buckets; i++)
        cell_free(&t->mem, s->cell[i]);
    free(s->cell);
}

static void series_destroy(void *e)
{
    kt_tl_series *s = e;
    series_clear(creating, s);
    free(s);
}

static const kt_table_type series_type = {
    .hash = series_hash, .match = series_match,
    .create = series_create, .destroy = series_destroy,
};

static const size_t kind_limit[KT_TL__KINDS] = {
    [KT_TL_BROKER] = KT_TL_MAX_BROKERS, [KT_TL_BROKER_PRODUCE] = KT_TL_MAX_BROKERS,
    [KT_TL_API] = KT_TL_MAX_APIS, [KT_TL_CLIENT] = KT_TL_MAX_CLIENTS,
    [KT_TL_PART_PRODUCE] = KT_TL_MAX_PARTITIONS, [KT_TL_PART_FETCH] = KT_TL_MAX_PARTITIONS,
};

kt_timeline *kt_timeline_new(double bucket_s, size_t mem_cap)
{
    kt_timeline *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    kt_memcap_init(&t->mem, "timeline", mem_cap ? mem_cap : KT_TL_MEMCAP_DEFAULT,
                   KT_AN_TIMELINE_MEMORY);
    if (bucket_s > 0) {
        t->fixed = 1;
        t->width_ns = (uint64_t)(bucket_s * 1e9 + 0.5);
        if (t->width_ns < 1000)
            t->width_ns = 1000;
        t->max_buckets = KT_TL_MAX_BUCKETS_FIXED;
    } else {
        t->width_ns = KT_TL_BASE_NS;
        t->max_buckets = KT_TL_MAX_BUCKETS;
    }
    creating = t;
    t->total.kind = KT_TL_TOTAL;
    t->total.cell = calloc(t->max_buckets, sizeof *t->total.cell);
    if (!t->total.cell) {
        free(t);
        return NULL;
    }
    for (int k = 1; k < KT_TL__KINDS; k++) {
        kt_tl_series *other = series_create(NULL, 0);
        if (!other) {
            kt_timeline_free(t);
            return NULL;
        }
        other->kind = k;
        other->is_other = 1;
        kt_table_init(&t->kinds[k], &series_type, kind_limit[k], other,
                      KT_AN_TIMELINE_SERIES_FULL);
        kt_table_account(&t->kinds[k], &t->mem, series_bytes(t));
    }
    return t;
}

void kt_timeline_free(kt_timeline *t)
{
    if (!t)
        return;
    creating = t;
    series_clear(t, &t->total);
    for (int k = 1; k < KT_TL__KINDS; k++)
        kt_table_free(&t->kinds[k]);
    free(t);
}

kt_tl_series *const *kt_timeline_series(const kt_timeline *t, int kind, size_t *n)
{
    if (kind <= KT_TL_TOTAL || kind >= KT_TL__KINDS) {
        *n = 0;
        return NULL;
    }
    *n = t->kinds[kind].n;
    return (kt_tl_series *const *)t->kinds[kind].entries;
}

/* Calls fn on every series. */
static void each_series(kt_timeline *t, void (*fn)(kt_timeline *, kt_tl_series *, void *),
                        void *arg)
{
    fn(t, &t->total, arg);
    for (int k = 1; k < KT_TL__KINDS; k++)
        for (size_t i = 0; i < t->kinds[k].n; i++)
            fn(t, t->kinds[k].entries[i], arg);
}

/* ---- buckets: merging pairs, shifting right ----------------------------- */

static void merge_pairs(kt_timeline *t, kt_tl_series *s, void *arg)
{
    (void)arg;
    for (size_t j = 0; 2 * j < t->max_buckets; j++) {
        kt_tl_cell *a = s->cell[2 * j];
        kt_tl_cell *b = 2 * j + 1 < t->max_buckets ? s->cell[2 * j + 1] : NULL;
        s->cell[2 * j] = NULL;
        if (2 * j + 1 < t->max_buckets)
            s->cell[2 * j + 1] = NULL;
        if (a && b) {
            cell_merge(&t->mem, a, b);   /* a refusal drops part of b: counted */
            cell_free(&t->mem, b);
        } else if (!a) {
            a = b;
        }
        s->cell[j] = a;
    }
}

/* Halves the number of buckets in use: the width doubles. */
static void merge_buckets(kt_timeline *t)
{
    each_series(t, merge_pairs, NULL);
    t->width_ns *= 2;
    t->nbuckets = (t->nbuckets + 1) / 2;
    t->merges++;
}

static void shift_right(kt_timeline *t, kt_tl_series *s, void *arg)
{
    size_t k = *(size_t *)arg;
    memmove(s->cell + k, s->cell, (t->max_buckets - k) * sizeof *s->cell);
    memset(s->cell, 0, k * sizeof *s->cell);
}

/* The bucket of request time ts_ns, making room for it. */
static size_t bucket_of(kt_timeline *t, uint64_t ts_ns)
{
    if (!t->started) {
        uint64_t align = t->fixed ? t->width_ns : KT_TL_BASE_NS;
        t->start_ns = ts_ns - ts_ns % align;
        t->started = 1;
    }
    while (ts_ns < t->start_ns) {
        uint64_t need = (t->start_ns - ts_ns + t->width_ns - 1) / t->width_ns;
        if (t->nbuckets + need > t->max_buckets) {
            merge_buckets(t);
            continue;
        }
        size_t k = (size_t)need;
        each_series(t, shift_right, &k);
        t->start_ns -= need * t->width_ns;
        t->nbuckets += k;
    }
    for (;;) {
        uint64_t i = (ts_ns - t->start_ns) / t->width_ns;
        if (i < t->max_buckets) {
            if (i + 1 > t->nbuckets)
                t->nbuckets = (size_t)i + 1;
            return (size_t)i;
        }
        merge_buckets(t);
    }
}

/* ---- adding an exchange ------------------------------------------------ */

static kt_tl_cell *cell_at(kt_timeline *t, kt_tl_series *s, size_t i)
{
    if (!s->cell[i])
        s->cell[i] = tl_alloc(&t->mem, sizeof(kt_tl_cell));
    return s->cell[i];
}

static void add_request(kt_timeline *t, kt_tl_series *s, size_t i, const kt_exchange *ex,
                        uint64_t records, uint64_t bytes)
{
    kt_tl_cell *c;
    if (!s || !(c = cell_at(t, s, i)))
        return;
    s->requests++;
    s->records += records;
    c->requests++;
    c->records += records;
    c->bytes += bytes;
    if (ex->status == KT_STATUS_UNANSWERED) {
        c->unanswered++;
        return;
    }
    if (ex->status != KT_STATUS_OK && ex->status != KT_STATUS_ERROR)
        return;
    if (ex->status == KT_STATUS_ERROR)
        c->errored++;
    if (ex->latency_us >= 0)
        hist_add(&t->mem, &c->latency, (uint64_t)ex->latency_us);
    for (int k = 0; k < ex->nerrors; k++)
        cell_error(&t->mem, c, ex->errors[k].code, ex->errors[k].count);
    if (ex->throttle_ms > 0) {
        c->throttled++;
        c->throttle_ms_total += (uint64_t)ex->throttle_ms;
        if ((uint64_t)ex->throttle_ms > c->throttle_ms_max)
            c->throttle_ms_max = (uint64_t)ex->throttle_ms;
    }
}

/* One topic-partition of a Produce or Fetch. */
static void add_part(kt_timeline *t, kt_tl_series *s, size_t i, const kt_exchange *ex,
                     const kt_part_result *r, int fetch)
{
    kt_tl_cell *c;
    if (!s || !(c = cell_at(t, s, i)))
        return;
    uint64_t records = r->records > 0 ? (uint64_t)r->records : 0;
    if (fetch && !r->answered)
        records = 0;
    s->requests++;
    s->records += records;
    c->requests++;
    c->records += records;
    c->bytes += fetch && !r->answered ? 0 : r->bytes;
    if (ex->status == KT_STATUS_UNANSWERED) {
        c->unanswered++;
        return;
    }
    if (ex->latency_us < 0 || (ex->status != KT_STATUS_OK && ex->status != KT_STATUS_ERROR))
        return;
    if (r->answered && r->error != 0 && r->error != KT_PART_NO_ANSWER) {
        c->errored++;
        cell_error(&t->mem, c, r->error, 1);
    }
    if (!fetch || records > 0)
        hist_add(&t->mem, &c->latency, (uint64_t)ex->latency_us);
}

static kt_tl_series *series_of(kt_timeline *t, int kind, const kt_tl_key *key)
{
    kt_tl_series *s = kt_table_find_or_add(&t->kinds[kind], key, kt_hash(key, sizeof *key));
    if (s)
        s->kind = kind;
    return s;
}

void kt_timeline_add(kt_timeline *t, const kt_exchange *ex)
{
    kt_tl_key key;
    uint64_t records = 0, bytes = 0;
    int produce = ex->api_key == KT_API_PRODUCE, fetch = ex->api_key == KT_API_FETCH;
    size_t i = bucket_of(t, ex->request_ts_us * 1000);

    creating = t;
    if (ex->detail && (produce || fetch))
        for (uint32_t k = 0; k < ex->detail->nparts; k++) {
            const kt_part_result *r = &ex->detail->parts[k];
            if (fetch && !r->answered)
                continue;
            records += r->records > 0 ? (uint64_t)r->records : 0;
            bytes += r->bytes;
        }
    add_request(t, &t->total, i, ex, records, bytes);

    memset(&key, 0, sizeof key);
    key.api_key = ex->api_key;
    add_request(t, series_of(t, KT_TL_API, &key), i, ex, records, bytes);
    memset(&key, 0, sizeof key);
    if (ex->broker) {
        key.broker.family = ex->broker->family;
        memcpy(key.broker.addr, ex->broker->addr, sizeof key.broker.addr);
        key.broker.port = ex->broker->port;
        add_request(t, series_of(t, KT_TL_BROKER, &key), i, ex, records, bytes);
        if (produce)
            add_request(t, series_of(t, KT_TL_BROKER_PRODUCE, &key), i, ex, records, bytes);
    }
    memset(&key, 0, sizeof key);
    key.client_id = ex->client_id;
    add_request(t, series_of(t, KT_TL_CLIENT, &key), i, ex, records, bytes);
    if (!ex->detail || !(produce || fetch))
        return;
    for (uint32_t k = 0; k < ex->detail->nparts; k++) {
        const kt_part_result *r = &ex->detail->parts[k];
        memset(&key, 0, sizeof key);
        key.topic = r->topic;
        key.partition = r->partition;
        add_part(t, series_of(t, produce ? KT_TL_PART_PRODUCE : KT_TL_PART_FETCH, &key), i,
                 ex, r, fetch);
    }
}
