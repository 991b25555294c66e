/* kafka_session.c - roles, framing and correlation of Kafka connections
 * (see kafka_session.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "kafka/correlation.h"
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_frame_header.h"
#include "kafka/kafka_framing.h"
#include "dissectors/kafka_walk.h"
#include "kafka/kafka_session.h"
#include "kafka/message_detail.h"
#include "kafka/response_summary.h"

typedef struct kt_conn kt_conn;

typedef struct kt_dirctx {
    kt_conn *conn;
    int dir;
} kt_dirctx;

struct kt_conn {
    kt_kafka *k;
    const kt_tcp_conn_info *info;
    kt_conn *prev, *next;          /* all live connections, for timeouts */
    int client_dir;                /* direction that carries requests, -1 unknown */
    int confirmed;                 /* known to be Kafka */
    int want_ignore;               /* not Kafka: ignore at the next chance */
    int ignored;                   /* given up: KT_TCP_IGNORE answered */
    uint64_t seen_bytes;           /* before confirmation */
    uint64_t missed;               /* bytes never captured (confirmed) */
    uint64_t requests;             /* exchanges reported */
    uint64_t last_ts;
    const kt_istr *client_id;      /* of the last request */
    kt_dirctx dctx[2];
    kt_framer framer[2];
    kt_pending_queue pq[2];        /* requests sent by each direction; once
                                      the roles are confirmed only the
                                      client's is used */
};

struct kt_kafka {
    kt_session_config cfg;
    kt_exchange_fn emit;
    void *emit_ctx;
    kt_intern client_ids;
    kt_topics topics;
    kt_conn_summary *closed;       /* closed Kafka connections kept */
    size_t nclosed, capclosed;
    uint64_t closed_not_kept;
    size_t detail_bytes;           /* pending details, against cfg.detail_budget */
    uint64_t pending_total;        /* pending requests, all connections */
    kt_conn *conns;
    uint64_t last_sweep_us;
    kt_session_totals totals;
};

void kt_session_config_defaults(kt_session_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->broker_ports[0] = 9092;
    cfg->nports = 1;
    cfg->autodetect = 1;
    cfg->max_frame = 100u * 1024 * 1024;
    cfg->max_pending = 1024;
    cfg->max_pending_total = 1000000;
    cfg->request_timeout_us = 120ull * 1000000;
    cfg->max_client_ids = 10000;
    cfg->max_topics = 100000;
    cfg->detail_budget = 256u * 1024 * 1024;
}

kt_kafka *kt_kafka_new(const kt_session_config *cfg, kt_exchange_fn fn, void *ctx)
{
    kt_kafka *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->cfg = *cfg;
    k->emit = fn;
    k->emit_ctx = ctx;
    if (kt_intern_init(&k->client_ids, cfg->max_client_ids) < 0 ||
        kt_topics_init(&k->topics, cfg->max_topics) < 0) {
        kt_intern_free(&k->client_ids);
        kt_topics_free(&k->topics);
        free(k);
        return NULL;
    }
    k->client_ids.full_anomaly = KT_AN_CLIENT_ID_TABLE_FULL;
    return k;
}

const kt_session_totals *kt_kafka_totals(const kt_kafka *k)
{
    return &k->totals;
}

kt_topics *kt_kafka_topics(kt_kafka *k)
{
    return &k->topics;
}

/* Every pending request of every connection is counted in
 * k->pending_total, against cfg.max_pending_total. */
static int pending_pop(kt_kafka *k, kt_pending_queue *q, kt_pending *out)
{
    if (!kt_pending_pop(q, out))
        return 0;
    k->pending_total--;
    return 1;
}

static void free_detail(kt_kafka *k, kt_request_detail *d)
{
    if (!d)
        return;
    k->detail_bytes -= d->budget_bytes;
    free(d);
}

static int is_broker_port(const kt_kafka *k, uint16_t port)
{
    for (int i = 0; i < k->cfg.nports; i++)
        if (k->cfg.broker_ports[i] == port)
            return 1;
    return 0;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ---- exchanges ---------------------------------------------------------- */

static void fill_exchange(kt_conn *c, const kt_pending *p, kt_exchange *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->client = &c->info->ep[c->client_dir];
    ex->broker = &c->info->ep[1 - c->client_dir];
    ex->client_id = p->client_id;
    ex->api_key = p->api_key;
    ex->api_version = p->api_version;
    ex->correlation_id = p->correlation_id;
    ex->request_ts_us = p->request_ts_us;
    ex->latency_us = -1;
    ex->throttle_ms = -1;
    ex->truncated = p->truncated;
}

/* A request whose response never came (or was never expected). */
static void emit_unanswered(kt_conn *c, const kt_pending *p)
{
    kt_exchange ex;
    if (!c->confirmed) {
        free_detail(c->k, p->detail);
        return;
    }
    fill_exchange(c, p, &ex);
    ex.detail = p->detail;
    c->requests++;
    c->client_id = ex.client_id;
    c->k->totals.requests++;
    if (p->no_response_expected) {
        ex.status = KT_STATUS_NO_RESPONSE_EXPECTED;
        c->k->totals.no_response_expected++;
    } else {
        ex.status = KT_STATUS_UNANSWERED;
        c->k->totals.unanswered++;
    }
    c->k->emit(c->k->emit_ctx, &ex);
    free_detail(c->k, ex.detail);
}

static void drop_all(kt_kafka *k, kt_pending_queue *q)
{
    kt_pending p;
    while (pending_pop(k, q, &p))
        free_detail(k, p.detail);
}

/* The roles are known: client_dir sends the requests. */
static void confirm(kt_conn *c, int client_dir)
{
    if (c->confirmed)
        return;
    c->client_dir = client_dir;
    c->confirmed = 1;
    drop_all(c->k, &c->pq[1 - client_dir]);
    c->k->totals.connections++;
    if (c->info->midstream) {
        c->k->totals.midstream_connections++;
        kt_anomaly_add(KT_AN_MIDSTREAM, 1);
    }
}

/* ---- whole-frame checks ------------------------------------------------- */

/* A whole request frame whose header decodes: does its body decode by the
 * schema?  (Versions beyond the schema cannot be checked: yes.)  Bytes
 * after a complete body are tolerated, as brokers do: librdkafka sends
 * ApiVersions v0 with four of them. */
static int request_body_ok(const uint8_t *frame, size_t len)
{
    kt_request_header h;
    kt_cursor c;
    kt_walk_result r;
    int st = kt_parse_request_header(frame, len, &h);
    if (st == KT_HDR_UNKNOWN_VERSION)
        return 1;
    if (st != KT_HDR_OK)
        return 0;
    kt_cur_init(&c, frame + h.body_offset, len - h.body_offset);
    kt_walk(h.api_key, h.api_version, 0, &c, 0, NULL, NULL, &r);
    return r.status == KT_WALK_OK ||
           (r.status == KT_WALK_MALFORMED && r.cur_err == KT_CUR_TRAILING &&
            (r.field == NULL || strcmp(r.field, "(body)") == 0));
}

/* Does a whole response frame decode as the answer to pending request pd?
 * (Versions beyond the schema cannot be checked: yes.) */
static int response_body_ok(const kt_pending *pd, const uint8_t *frame, size_t len)
{
    kt_response_header rh;
    kt_cursor cur;
    if (kt_parse_response_header(frame, len, pd->response_header_version, &rh) != KT_HDR_OK)
        return 0;
    if (!kt_walk_known(pd->api_key, pd->api_version, 1))
        return 1;
    kt_cur_init(&cur, frame + rh.body_offset, len - rh.body_offset);
    if (kt_walk(pd->api_key, pd->api_version, 1, &cur, 0, NULL, NULL, NULL) == KT_WALK_OK)
        return 1;
    /* A broker rejecting the requested ApiVersions version answers in
     * version 0 (librdkafka's mock cluster gets even that wrong), and the
     * error code comes first in every version: UNSUPPORTED_VERSION there
     * is the answer. */
    if (pd->api_key == 18 && len - rh.body_offset >= 2 &&
        frame[rh.body_offset] == 0 && frame[rh.body_offset + 1] == 35)
        return 1;
    return 0;
}

/* ---- requests ----------------------------------------------------------- */

/* A request frame sent by direction dir. */
static int on_request(kt_conn *c, int dir, const kt_frame *f)
{
    kt_kafka *k = c->k;
    kt_request_header h;
    kt_pending p, evicted;
    kt_pending_queue *q = &c->pq[dir];
    int st = kt_parse_request_header(f->data, f->len, &h);

    if (st == KT_HDR_MALFORMED) {
        if (c->confirmed) {
            k->totals.malformed++;
            kt_anomaly_add(KT_AN_MALFORMED_FRAME, 1);
        }
        return f->truncated ? KT_FRAME_OK : KT_FRAME_DESYNC;
    }
    /* auto-detection: until a response confirms the roles, a request must
     * be plausible and decode */
    if (!c->confirmed &&
        (!kt_request_header_plausible(f->data, f->len) ||
         (!f->truncated && !request_body_ok(f->data, f->len))))
        return KT_FRAME_DESYNC;
    if (c->confirmed) {
        if (st == KT_HDR_UNKNOWN_API)
            kt_anomaly_add(KT_AN_UNKNOWN_API, 1);
        else if (st == KT_HDR_UNKNOWN_VERSION)
            kt_anomaly_add(KT_AN_UNKNOWN_VERSION, 1);
    }

    memset(&p, 0, sizeof p);
    p.correlation_id = h.correlation_id;
    p.api_key = h.api_key;
    p.api_version = h.api_version;
    p.response_header_version = h.api ? (int8_t)kt_response_header_version(h.api, h.api_version) : 0;
    p.truncated = (int8_t)f->truncated;
    p.request_ts_us = f->last_ts_us;
    p.client_id = kt_intern_get(&k->client_ids, h.client_id);

    /* acks=0 requests still wait in the queue: a real broker never answers
     * them, but some implementations do (librdkafka's mock cluster), so a
     * response is matched if it comes; if not they end as
     * no_response_expected instead of unanswered. */
    if (h.api_key == KT_API_PRODUCE && st == KT_HDR_OK &&
        kt_produce_acks(f->data + h.body_offset, f->len - h.body_offset, h.api_version) == 0)
        p.no_response_expected = 1;
    if (kt_detail_wanted(h.api_key) && st == KT_HDR_OK && !f->truncated) {
        if (k->detail_bytes >= k->cfg.detail_budget) {
            kt_anomaly_add(KT_AN_DETAIL_BUDGET, 1);
        } else {
            p.detail = kt_detail_from_request(h.api_key, h.api_version, f->data + h.body_offset,
                                              f->len - h.body_offset, &k->topics);
            if (p.detail) {
                p.detail->budget_bytes = kt_detail_size(p.detail);
                k->detail_bytes += p.detail->budget_bytes;
                if (p.detail->parts_dropped)
                    kt_anomaly_add(KT_AN_DETAIL_PARTS_DROPPED, p.detail->parts_dropped);
            }
        }
    }
    if (c->confirmed && kt_pending_find(q, p.correlation_id) >= 0)
        kt_anomaly_add(KT_AN_DUPLICATE_CORRELATION, 1);
    /* all connections together: the oldest request of this one makes room,
     * or, if it has none, this request is not followed */
    if (k->pending_total >= k->cfg.max_pending_total) {
        kt_anomaly_add(KT_AN_PENDING_TOTAL, 1);
        if (pending_pop(k, q, &evicted)) {
            emit_unanswered(c, &evicted);
        } else {
            free_detail(k, p.detail);
            return KT_FRAME_OK;
        }
    }
    k->pending_total++;
    switch (kt_pending_push(q, &p, &evicted)) {
    case 1:
        k->pending_total--;
        if (c->confirmed && !evicted.no_response_expected)
            kt_anomaly_add(KT_AN_PENDING_OVERFLOW, 1);
        emit_unanswered(c, &evicted);
        break;
    case -1:
        k->pending_total--;
        kt_anomaly_add(KT_AN_PENDING_OVERFLOW, 1);
        free_detail(k, p.detail);
        break;
    default:
        break;
    }
    return KT_FRAME_OK;
}

/* ---- responses ---------------------------------------------------------- */

/* A response frame sent by direction dir, answering a request of 1 - dir;
 * idx is the matching entry in that direction's queue. */
static int on_response(kt_conn *c, int dir, const kt_frame *f, int idx)
{
    kt_kafka *k = c->k;
    kt_pending_queue *q = &c->pq[1 - dir];
    kt_response_header rh;
    kt_pending p;
    kt_exchange ex;

    confirm(c, 1 - dir);
    /* the broker answers in order: older requests lost their responses */
    while (idx-- > 0) {
        pending_pop(k, q, &p);
        emit_unanswered(c, &p);
    }
    pending_pop(k, q, &p);
    fill_exchange(c, &p, &ex);
    ex.detail = p.detail;
    ex.latency_us = f->first_ts_us >= p.request_ts_us ? (int64_t)(f->first_ts_us - p.request_ts_us) : 0;
    ex.status = KT_STATUS_OK;
    ex.truncated |= f->truncated;
    if (kt_parse_response_header(f->data, f->len, p.response_header_version, &rh) == KT_HDR_OK &&
        !f->truncated)
        kt_summarize_response(p.api_key, p.api_version, f->data + rh.body_offset,
                              f->len - rh.body_offset, &k->topics, &ex);
    if (ex.nerrors > 0)
        ex.status = KT_STATUS_ERROR;
    c->requests++;
    c->client_id = ex.client_id;
    k->totals.requests++;
    k->totals.matched++;
    k->emit(k->emit_ctx, &ex);
    free_detail(k, ex.detail);
    return KT_FRAME_OK;
}

/* Index of the request of 1 - dir that a frame of dir answers, or -1. */
static int find_request(kt_conn *c, int dir, const kt_frame *f, int check_body)
{
    kt_pending_queue *q = &c->pq[1 - dir];
    int idx;
    if (f->len < 4)
        return -1;
    idx = kt_pending_find(q, (int32_t)be32(f->data));
    if (idx >= 0 && check_body && !f->truncated &&
        !response_body_ok(kt_pending_at(q, (uint32_t)idx), f->data, f->len))
        return -1;
    return idx;
}

/* ---- framer hooks ------------------------------------------------------- */

static int frame_cb(void *ctx, const kt_frame *f)
{
    kt_dirctx *d = ctx;
    kt_conn *c = d->conn;
    int idx;

    if (!c->confirmed) {
        /* detection: an answer to the other side's requests settles the
         * roles; otherwise this side may be sending requests */
        idx = find_request(c, d->dir, f, 1);
        if (idx >= 0)
            return on_response(c, d->dir, f, idx);
        return on_request(c, d->dir, f);
    }
    if (d->dir == c->client_dir)
        return on_request(c, d->dir, f);
    idx = find_request(c, d->dir, f, 0);
    if (idx >= 0)
        return on_response(c, d->dir, f, idx);
    if (f->len < 4) {
        c->k->totals.malformed++;
        kt_anomaly_add(KT_AN_MALFORMED_FRAME, 1);
        return KT_FRAME_OK;
    }
    c->k->totals.orphan_responses++;
    kt_anomaly_add(KT_AN_ORPHAN_RESPONSE, 1);
    return KT_FRAME_OK;
}

/* Does a request start at p?  The header must be plausible; a frame up to
 * KT_CANDIDATE_MAX bytes is waited for and its body must decode; and the
 * next frame's header must be plausible too when its bytes are here. */
#define KT_TAGGED_WAIT 64   /* bytes of header tagged fields worth waiting for */

static int request_candidate(const kt_kafka *k, const uint8_t *p, size_t avail)
{
    const kt_api_info *api;
    int16_t version;
    int hv;
    uint32_t size;
    size_t hdr, need;
    if (avail < 4 + KT_MIN_REQUEST_FRAME)
        return KT_CAND_MORE;
    size = be32(p);
    if (size < KT_MIN_REQUEST_FRAME || size > k->cfg.max_frame)
        return KT_CAND_NO;
    /* the fixed part is here: an unknown API key, a version out of range or
     * a negative correlation id rule a boundary out at once, before waiting
     * for a client id whose length is read off garbage */
    api = kt_api_lookup((int16_t)((p[4] << 8) | p[5]));
    version = (int16_t)((p[6] << 8) | p[7]);
    if (!api || version < api->min_version ||
        version > api->max_version + KT_VERSION_SLACK || (p[8] & 0x80))
        return KT_CAND_NO;
    /* wait for the whole header: fixed part, client id length, client id,
     * and in header v2 the tagged-field count */
    hv = kt_request_header_version(api, version);
    if (hv >= 1 && avail < 4 + 10)
        return KT_CAND_MORE;
    need = 4 + 8;
    if (hv >= 1)
        need += 2 + (size_t)(p[12] & 0x80 ? 0 : ((p[12] << 8) | p[13]));
    if (hv >= 2)
        need += 1;
    if (need <= 4 + (size_t)size && avail < need)
        return KT_CAND_MORE;
    hdr = avail - 4 < size ? avail - 4 : size;
    if (!kt_request_header_plausible(p + 4, hdr)) {
        kt_request_header h;
        /* tagged fields of a v2 header (rare) not all here yet */
        if (hv >= 2 && hdr < size && hdr < need - 4 + KT_TAGGED_WAIT &&
            kt_parse_request_header(p + 4, hdr, &h) == KT_HDR_MALFORMED)
            return KT_CAND_MORE;
        return KT_CAND_NO;
    }
    if (avail - 4 < size)
        return avail < KT_CANDIDATE_MAX ? KT_CAND_MORE : KT_CAND_YES;
    if (!request_body_ok(p + 4, size))
        return KT_CAND_NO;
    if (avail - 4 - size >= 4 + KT_MIN_REQUEST_FRAME) {
        const uint8_t *n = p + 4 + size;
        uint32_t nsize = be32(n);
        size_t navail = avail - 4 - size - 4;
        if (nsize < KT_MIN_REQUEST_FRAME || nsize > k->cfg.max_frame)
            return KT_CAND_NO;
        if (!kt_request_header_plausible(n + 4, navail < nsize ? navail : nsize)) {
            kt_request_header h;
            if (navail < nsize && kt_parse_request_header(n + 4, navail, &h) == KT_HDR_MALFORMED)
                return KT_CAND_YES; /* next header not all here yet: accept on the first */
            return KT_CAND_NO;
        }
    }
    return KT_CAND_YES;
}

/* Does a response to one of the other side's pending requests start at p?
 * Its correlation id must be pending, and a frame up to KT_CANDIDATE_MAX
 * bytes is waited for and its body must decode. */
static int response_candidate(kt_conn *c, int dir, const uint8_t *p, size_t avail)
{
    kt_pending_queue *q = &c->pq[1 - dir];
    uint32_t size;
    int idx;

    if (avail < 8)
        return KT_CAND_MORE;
    size = be32(p);
    if (size < KT_MIN_RESPONSE_FRAME || size > c->k->cfg.max_frame)
        return KT_CAND_NO;
    idx = kt_pending_find(q, (int32_t)be32(p + 4));
    if (idx < 0)
        return KT_CAND_NO;
    if (avail - 4 < size)
        return avail < KT_CANDIDATE_MAX ? KT_CAND_MORE : KT_CAND_YES;
    return response_body_ok(kt_pending_at(q, (uint32_t)idx), p + 4, size) ? KT_CAND_YES
                                                                          : KT_CAND_NO;
}

static int candidate_cb(void *ctx, const uint8_t *p, size_t avail)
{
    kt_dirctx *d = ctx;
    kt_conn *c = d->conn;
    int a, r;
    if (c->confirmed)
        return d->dir == c->client_dir ? request_candidate(c->k, p, avail)
                                       : response_candidate(c, d->dir, p, avail);
    /* detection: either an answer to the other side, or a request */
    a = response_candidate(c, d->dir, p, avail);
    if (a == KT_CAND_YES)
        return a;
    r = request_candidate(c->k, p, avail);
    if (r == KT_CAND_YES)
        return r;
    return (a == KT_CAND_MORE || r == KT_CAND_MORE) ? KT_CAND_MORE : KT_CAND_NO;
}

static const kt_framer_ops framer_ops = { frame_cb, candidate_cb };

/* ---- reassembler callbacks ---------------------------------------------- */

static void *conn_open(void *ctx, const kt_tcp_conn_info *info)
{
    kt_kafka *k = ctx;
    kt_conn *c = calloc(1, sizeof *c);
    int b0, b1, synced;
    if (!c)
        return NULL;
    c->k = k;
    c->info = info;
    b0 = is_broker_port(k, info->ep[0].port);
    b1 = is_broker_port(k, info->ep[1].port);
    c->client_dir = -1;
    if (!(b0 ^ b1) && !k->cfg.autodetect)
        c->want_ignore = 1;
    synced = !info->midstream;
    for (int d = 0; d < 2; d++) {
        c->dctx[d].conn = c;
        c->dctx[d].dir = d;
        kt_framer_init(&c->framer[d], &framer_ops, &c->dctx[d], k->cfg.max_frame, synced);
    }
    kt_pending_init(&c->pq[0], k->cfg.max_pending);
    kt_pending_init(&c->pq[1], k->cfg.max_pending);
    if (b0 ^ b1)
        confirm(c, b1 ? 0 : 1);   /* one end on a broker port */
    c->next = k->conns;
    if (k->conns)
        k->conns->prev = c;
    k->conns = c;
    return c;
}

/* Not Kafka: the reassembler is told to drop the connection. */
static kt_tcp_verdict give_up(kt_conn *c)
{
    c->ignored = 1;
    if (!c->confirmed)
        c->k->totals.ignored_connections++;
    return KT_TCP_IGNORE;
}

static kt_tcp_verdict conn_data(void *ctx, void *conn, int dir, const uint8_t *p,
                                size_t len, uint64_t ts)
{
    kt_conn *c = conn;
    (void)ctx;
    if (!c)
        return KT_TCP_CONTINUE;
    if (c->ignored)
        return KT_TCP_IGNORE;
    c->last_ts = ts;
    if (c->want_ignore)
        return give_up(c);
    if (!c->confirmed) {
        c->seen_bytes += len;
        if ((c->pq[0].count == 0 && c->pq[1].count == 0 && c->seen_bytes > KT_DETECT_BYTES) ||
            c->seen_bytes > KT_CONFIRM_BYTES)
            return give_up(c);
    }
    kt_framer_data(&c->framer[dir], p, len, ts);
    return KT_TCP_CONTINUE;
}

static void conn_gap(void *ctx, void *conn, int dir, uint64_t missed, uint64_t ts)
{
    kt_conn *c = conn;
    (void)ctx;
    if (!c || c->ignored)
        return;
    if (c->confirmed)
        c->k->totals.missed_bytes += missed;
    c->missed += missed;
    kt_framer_gap(&c->framer[dir], missed, ts);
}

static void summarize(const kt_conn *c, kt_conn_summary *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->client = c->info->ep[c->client_dir];
    cs->broker = c->info->ep[1 - c->client_dir];
    cs->client_id = c->client_id;
    cs->midstream = c->info->midstream;
    cs->missed_bytes = c->missed;
    cs->requests = c->requests;
    cs->first_ts_us = c->info->first_ts_us;
    cs->last_ts_us = c->last_ts;
}

/* Keeps the summary of a closed Kafka connection for the report. */
static void keep_closed(kt_kafka *k, const kt_conn *c)
{
    if (k->nclosed == k->capclosed) {
        size_t ncap = k->capclosed ? k->capclosed * 2 : 64;
        kt_conn_summary *n;
        if (ncap > KT_MAX_CONN_SUMMARIES)
            ncap = KT_MAX_CONN_SUMMARIES;
        n = k->nclosed < ncap ? realloc(k->closed, ncap * sizeof *n) : NULL;
        if (!n) {
            k->closed_not_kept++;
            return;
        }
        k->closed = n;
        k->capclosed = ncap;
    }
    summarize(c, &k->closed[k->nclosed++]);
}

static int cmp_summary(const void *a, const void *b)
{
    const kt_conn_summary *x = a, *y = b;
    if (x->missed_bytes != y->missed_bytes)
        return x->missed_bytes < y->missed_bytes ? 1 : -1;
    if (x->midstream != y->midstream)
        return x->midstream ? -1 : 1;
    if (x->requests != y->requests)
        return x->requests < y->requests ? 1 : -1;
    if (x->first_ts_us != y->first_ts_us)
        return x->first_ts_us < y->first_ts_us ? -1 : 1;
    return memcmp(&x->client, &y->client, sizeof x->client);
}

size_t kt_kafka_connections(kt_kafka *k, kt_conn_summary **out, uint64_t *not_kept)
{
    size_t n = k->nclosed, i = 0;
    kt_conn *c;
    for (c = k->conns; c; c = c->next)
        if (c->confirmed)
            n++;
    *not_kept = k->closed_not_kept;
    *out = malloc((n + 1) * sizeof **out);
    if (!*out)
        return 0;
    if (k->nclosed)
        memcpy(*out, k->closed, k->nclosed * sizeof **out);
    i = k->nclosed;
    for (c = k->conns; c; c = c->next) {
        if (!c->confirmed)
            continue;
        summarize(c, &(*out)[i]);
        (*out)[i++].open = 1;
    }
    qsort(*out, i, sizeof **out, cmp_summary);
    return i;
}

static void conn_close(void *ctx, void *conn, int reason, uint64_t ts)
{
    kt_kafka *k = ctx;
    kt_conn *c = conn;
    kt_pending p;
    (void)reason;
    (void)ts;
    if (!c)
        return;
    if (c->confirmed)
        while (pending_pop(k, &c->pq[c->client_dir], &p))
            emit_unanswered(c, &p);
    drop_all(k, &c->pq[0]);
    drop_all(k, &c->pq[1]);
    if (c->confirmed)
        keep_closed(k, c);
    kt_pending_free(&c->pq[0]);
    kt_pending_free(&c->pq[1]);
    kt_framer_free(&c->framer[0]);
    kt_framer_free(&c->framer[1]);
    if (c->prev)
        c->prev->next = c->next;
    else
        k->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

const kt_tcp_callbacks kt_kafka_tcp_callbacks = { conn_open, conn_data, conn_gap, conn_close };

void kt_kafka_tick(kt_kafka *k, uint64_t now)
{
    kt_pending p;
    if (now < k->last_sweep_us + 1000000)
        return;
    k->last_sweep_us = now;
    for (kt_conn *c = k->conns; c; c = c->next) {
        kt_pending_queue *q;
        if (!c->confirmed)
            continue;
        q = &c->pq[c->client_dir];
        while (q->count > 0 &&
               kt_pending_at(q, 0)->request_ts_us + k->cfg.request_timeout_us < now) {
            pending_pop(k, q, &p);
            emit_unanswered(c, &p);
        }
    }
}

void kt_kafka_free(kt_kafka *k)
{
    if (!k)
        return;
    while (k->conns)
        conn_close(k, k->conns, KT_CLOSE_END, 0);
    kt_intern_free(&k->client_ids);
    kt_topics_free(&k->topics);
    free(k->closed);
    free(k);
}
