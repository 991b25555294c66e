/* kafka_session.c - roles, framing and correlation of Kafka connections
 * (see kafka_session.h). */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "kafka/correlation.h"
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_frame_header.h"
#include "dissectors/kafka_records.h"
#include "kafka/kafka_detect.h"
#include "kafka/kafka_framing.h"
#include "kafka/client_role.h"
#include "kafka/kafka_session.h"
#include "kafka/message_detail.h"
#include "kafka/queue_clock.h"
#include "kafka/response_summary.h"
#include "kafka/tls_brokers.h"
#include "kafka/tls_detect.h"

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
    int port_client_dir;           /* one end on a broker port: the direction
                                      from the other end, else -1 */
    int decided;                   /* on a broker port: Kafka or TLS, told by
                                      its first bytes */
    kt_tls_broker *tls;            /* a TLS connection: its broker's counts */
    int confirmed;                 /* known to be Kafka */
    int want_ignore;               /* not Kafka: ignore at the next chance */
    int ignored;                   /* given up: KT_TCP_IGNORE answered */
    uint64_t seen_bytes;           /* before confirmation */
    uint64_t missed;               /* bytes never captured (confirmed) */
    int8_t req_loss[2];            /* a gap in this direction since it last
                                      sent a request */
    int8_t resp_loss[2];           /* a gap in this direction since it last
                                      sent a response that matched */
    uint64_t requests;             /* exchanges reported */
    unsigned client_roles;         /* KT_CROLE_* bits of its requests (client_role.h) */
    uint64_t last_ts;
    const kt_istr *client_id;      /* of the last request */
    kt_dirctx dctx[2];
    kt_framer framer[2];
    kt_pending_queue pq[2];        /* requests sent by each direction; once
                                      the roles are confirmed only the
                                      client's is used */
    int8_t pipelined[2];           /* a request of this direction found
                                      another in flight */
    kt_queue_clock clock;          /* queue wait / service split */
};

struct kt_kafka {
    kt_session_config cfg;
    kt_exchange_fn emit;
    void *emit_ctx;
    kt_intern client_ids;
    kt_intern txn_ids;             /* transactional ids (message_detail.h) */
    kt_topics topics;
    kt_closed_conns closed;        /* closed Kafka connections kept */
    kt_tls_brokers tls;            /* TLS connections on broker ports */
    kt_memcap frame_mem;           /* framers' buffers, against cfg.frame_buffer_total */
    kt_memcap detail_mem;          /* pending details, against cfg.detail_budget */
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
    cfg->frame_buffer_total = KT_FRAMER_TOTAL_BUDGET;
    cfg->max_inflate = KT_RECORDS_MAX_INFLATE;
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
        kt_intern_init(&k->txn_ids, KT_MAX_TXN_IDS) < 0 ||
        kt_topics_init(&k->topics, cfg->max_topics) < 0 || kt_tls_brokers_init(&k->tls) < 0) {
        kt_intern_free(&k->client_ids);
        kt_intern_free(&k->txn_ids);
        kt_topics_free(&k->topics);
        kt_tls_brokers_free(&k->tls);
        free(k);
        return NULL;
    }
    k->client_ids.full_anomaly = KT_AN_CLIENT_ID_TABLE_FULL;
    k->txn_ids.full_anomaly = KT_AN_TXN_TABLE_FULL;
    kt_memcap_init(&k->frame_mem, "frame_buffers", cfg->frame_buffer_total,
                   KT_AN_FRAME_BUFFER_TOTAL);
    kt_memcap_init(&k->detail_mem, "request_details", cfg->detail_budget,
                   KT_AN_DETAIL_BUDGET);
    return k;
}

size_t kt_kafka_memory(const kt_kafka *k, const kt_memcap **out, size_t max)
{
    const kt_memcap *all[] = { &k->frame_mem, &k->detail_mem, &k->tls.mem };
    size_t n = 0;
    for (; n < max && n < sizeof all / sizeof all[0]; n++)
        out[n] = all[n];
    return n;
}

const kt_session_totals *kt_kafka_totals(const kt_kafka *k)
{
    return &k->totals;
}

kt_topics *kt_kafka_topics(kt_kafka *k)
{
    return &k->topics;
}

const kt_tls_brokers *kt_kafka_tls(const kt_kafka *k)
{
    return &k->tls;
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
    kt_memcap_release(&k->detail_mem, d->budget_bytes);
    free(d);
}

static int is_broker_port(const kt_kafka *k, uint16_t port)
{
    for (int i = 0; i < k->cfg.nports; i++)
        if (k->cfg.broker_ports[i] == port)
            return 1;
    return 0;
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
    ex->queue_wait_us = -1;
    ex->service_us = -1;
    ex->inflight = p->inflight;
    ex->first_pipelined = p->first_pipelined;
    ex->throttle_ms = -1;
    ex->truncated = p->truncated;
}

/* A request whose response never came (or was never expected).  lost:
 * the response may have been in a capture gap. */
static void emit_unanswered(kt_conn *c, const kt_pending *p, int lost)
{
    kt_exchange ex;
    if (!c->confirmed) {
        free_detail(c->k, p->detail);
        return;
    }
    fill_exchange(c, p, &ex);
    ex.detail = p->detail;
    kt_clock_end_unknown(&c->clock);   /* when the broker was done: unknown */
    c->requests++;
    c->client_roles |= kt_client_role_of(&ex);
    c->client_id = ex.client_id;
    c->k->totals.requests++;
    if (p->no_response_expected) {
        ex.status = KT_STATUS_NO_RESPONSE_EXPECTED;
        c->k->totals.no_response_expected++;
    } else if (lost) {
        ex.status = KT_STATUS_UNKNOWN_CAPTURE_LOSS;
        c->k->totals.unknown_capture_loss++;
        kt_anomaly_add(KT_AN_UNKNOWN_CAPTURE_LOSS, 1);
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
         (!f->truncated && !kt_request_body_ok(f->data, f->len))))
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
    p.after_loss = c->req_loss[dir];
    c->req_loss[dir] = 0;
    p.inflight = q->awaiting + 1;
    if (p.inflight > 1 && !c->pipelined[dir]) {
        p.first_pipelined = 1;
        c->pipelined[dir] = 1;
    }

    /* acks=0 requests still wait in the queue: a real broker never answers
     * them, but some implementations do (librdkafka's mock cluster), so a
     * response is matched if it comes; if not they end as
     * no_response_expected instead of unanswered. */
    if (h.api_key == KT_API_PRODUCE && st == KT_HDR_OK &&
        kt_produce_request_acks(f->data + h.body_offset, f->len - h.body_offset, h.api_version) == 0)
        p.no_response_expected = 1;
    if (kt_detail_wanted(h.api_key) && st == KT_HDR_OK && !f->truncated) {
        p.detail = kt_detail_from_request(h.api_key, h.api_version, f->data + h.body_offset,
                                          f->len - h.body_offset, &k->topics,
                                          &k->txn_ids, k->cfg.max_inflate);
        if (p.detail) {
            p.detail->budget_bytes = kt_detail_size(p.detail);
            /* a full account refuses it (counting KT_AN_DETAIL_BUDGET) */
            if (!kt_memcap_reserve(&k->detail_mem, p.detail->budget_bytes)) {
                free(p.detail);
                p.detail = NULL;
            } else if (p.detail->parts_dropped) {
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
            emit_unanswered(c, &evicted, 0);
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
        emit_unanswered(c, &evicted, 0);
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
    /* the broker answers in order: older requests lost their responses,
     * to a capture gap if there was one since the last response */
    while (idx-- > 0) {
        pending_pop(k, q, &p);
        emit_unanswered(c, &p, c->resp_loss[dir]);
    }
    if (c->resp_loss[dir])
        kt_clock_end_unknown(&c->clock);   /* a response may be in the hole */
    c->resp_loss[dir] = 0;
    pending_pop(k, q, &p);
    fill_exchange(c, &p, &ex);
    ex.detail = p.detail;
    ex.latency_us = f->first_ts_us >= p.request_ts_us ? (int64_t)(f->first_ts_us - p.request_ts_us) : 0;
    kt_clock_split(&c->clock, p.request_ts_us, f->first_ts_us, &ex.queue_wait_us, &ex.service_us);
    kt_clock_response(&c->clock, f->first_ts_us);
    ex.status = KT_STATUS_OK;
    ex.truncated |= f->truncated;
    if (kt_parse_response_header(f->data, f->len, p.response_header_version, &rh) == KT_HDR_OK &&
        !f->truncated)
        kt_summarize_response(p.api_key, p.api_version, f->data + rh.body_offset,
                              f->len - rh.body_offset, &k->topics,
                              k->cfg.max_inflate, &ex);
    if (ex.nerrors > 0)
        ex.status = KT_STATUS_ERROR;
    c->requests++;
    c->client_roles |= kt_client_role_of(&ex);
    c->client_id = ex.client_id;
    k->totals.requests++;
    k->totals.matched++;
    k->emit(k->emit_ctx, &ex);
    free_detail(k, ex.detail);
    free(ex.nodes);
    return KT_FRAME_OK;
}

/* Index of the request of 1 - dir that a frame of dir answers, or -1. */
static int find_request(kt_conn *c, int dir, const kt_frame *f, int check_body)
{
    kt_pending_queue *q = &c->pq[1 - dir];
    int idx = kt_response_pending_index(q, f->data, f->len);
    if (idx >= 0 && check_body && !f->truncated &&
        !kt_response_body_ok(kt_pending_at(q, (uint32_t)idx), f->data, f->len))
        return -1;
    return idx;
}

/* Could a response that matches no pending request answer one that the
 * capture lost?  Yes if the request direction had a gap before one of the
 * pending requests, or since the last one. */
static int request_maybe_lost(kt_conn *c)
{
    kt_pending_queue *q = &c->pq[c->client_dir];
    if (c->req_loss[c->client_dir])
        return 1;
    for (uint32_t i = 0; i < q->count; i++)
        if (kt_pending_at(q, i)->after_loss)
            return 1;
    return 0;
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
    if (f->len < KT_MIN_RESPONSE_FRAME) {
        c->k->totals.malformed++;
        kt_anomaly_add(KT_AN_MALFORMED_FRAME, 1);
        return KT_FRAME_OK;
    }
    /* the broker answered something: the next request's wait ends here */
    kt_clock_response(&c->clock, f->first_ts_us);
    if (request_maybe_lost(c)) {
        c->k->totals.lost_request_responses++;
        kt_anomaly_add(KT_AN_LOST_REQUEST_RESPONSE, 1);
        return KT_FRAME_OK;
    }
    c->k->totals.orphan_responses++;
    kt_anomaly_add(KT_AN_ORPHAN_RESPONSE, 1);
    return KT_FRAME_OK;
}

static int candidate_cb(void *ctx, const uint8_t *p, size_t avail, size_t *need)
{
    kt_dirctx *d = ctx;
    kt_conn *c = d->conn;
    kt_pending_queue *asked = &c->pq[1 - d->dir];   /* what this side may answer */
    size_t max_frame = c->k->cfg.max_frame;
    size_t na = 0, nr = 0;
    int a, r;
    if (c->confirmed)
        return d->dir == c->client_dir ? kt_request_candidate(p, avail, max_frame, need)
                                       : kt_response_candidate(asked, p, avail, max_frame, need);
    /* detection: either an answer to the other side, or a request */
    a = kt_response_candidate(asked, p, avail, max_frame, &na);
    if (a == KT_CAND_YES)
        return a;
    r = kt_request_candidate(p, avail, max_frame, &nr);
    if (r == KT_CAND_YES)
        return r;
    if (a == KT_CAND_MORE && r == KT_CAND_MORE)
        *need = na < nr ? na : nr;
    else if (a == KT_CAND_MORE || r == KT_CAND_MORE)
        *need = a == KT_CAND_MORE ? na : nr;
    else
        return KT_CAND_NO;
    return KT_CAND_MORE;
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
        kt_framer_init(&c->framer[d], &framer_ops, &c->dctx[d], k->cfg.max_frame, synced,
                       &k->frame_mem);
    }
    kt_pending_init(&c->pq[0], k->cfg.max_pending);
    kt_pending_init(&c->pq[1], k->cfg.max_pending);
    /* one end on a broker port: Kafka, or TLS, as its first bytes say */
    c->port_client_dir = b0 ^ b1 ? (b1 ? 0 : 1) : -1;
    c->next = k->conns;
    if (k->conns)
        k->conns->prev = c;
    k->conns = c;
    return c;
}

/* A connection on a broker port whose first bytes (p, len; NULL at its
 * close, when none came) tell Kafka from TLS.  A TLS connection is
 * counted, never framed. */
static void decide(kt_conn *c, const uint8_t *p, size_t len)
{
    kt_kafka *k = c->k;
    int where = c->info->midstream || c->missed ? KT_TLS_ANYWHERE : KT_TLS_AT_START;
    c->decided = 1;
    if (!p || !kt_tls_record_start(p, len, where)) {
        confirm(c, c->port_client_dir);
        k->totals.missed_bytes += c->missed;    /* holes before the first bytes */
        return;
    }
    c->tls = kt_tls_brokers_entry(&k->tls, &c->info->ep[1 - c->port_client_dir]);
    k->totals.tls_connections++;
    if (c->tls) {
        c->tls->connections++;
        c->tls->midstream += c->info->midstream != 0;
    }
}

/* Bytes of a TLS connection: counted. */
static void tls_bytes(kt_conn *c, size_t len)
{
    c->k->totals.tls_bytes += len;
    if (c->tls)
        c->tls->bytes += len;
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
    if (c->port_client_dir >= 0 && !c->decided)
        decide(c, p, len);
    if (c->port_client_dir >= 0 && !c->confirmed) {
        tls_bytes(c, len);
        return KT_TCP_CONTINUE;
    }
    /* TLS on another port is not Kafka */
    if (!c->confirmed && c->seen_bytes == 0 &&
        kt_tls_record_start(p, len, c->info->midstream ? KT_TLS_ANYWHERE : KT_TLS_AT_START))
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
    c->missed += missed;
    if (c->port_client_dir >= 0 && c->decided && !c->confirmed)
        return;                 /* TLS: not framed */
    if (c->confirmed)           /* not decided yet: decide() counts it */
        c->k->totals.missed_bytes += missed;
    kt_framer_gap(&c->framer[dir], missed, ts);
    /* after the framer: a response it hands on cut by this gap does not
     * clear the mark, the gap may have held more */
    c->req_loss[dir] = 1;
    c->resp_loss[dir] = 1;
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
    cs->roles = c->client_roles;
    cs->first_ts_us = c->info->first_ts_us;
    cs->last_ts_us = c->last_ts;
}

/* Summarises the open Kafka connections into out[0..max) (open = 1);
 * returns how many there are, which may be more than max. */
static size_t open_conns(const kt_kafka *k, kt_conn_summary *out, size_t max)
{
    size_t n = 0;
    for (const kt_conn *c = k->conns; c; c = c->next) {
        if (!c->confirmed)
            continue;
        if (n < max) {
            summarize(c, &out[n]);
            out[n].open = 1;
        }
        n++;
    }
    return n;
}

size_t kt_kafka_connections(const kt_kafka *k, kt_conn_summary **out, uint64_t *not_kept)
{
    const kt_closed_conns *closed = &k->closed;
    size_t nopen = open_conns(k, NULL, 0);
    *not_kept = closed->not_kept;
    *out = malloc((closed->n + nopen + 1) * sizeof **out);
    if (!*out)
        return 0;
    if (closed->n)
        memcpy(*out, closed->e, closed->n * sizeof **out);
    return closed->n + open_conns(k, *out + closed->n, nopen);
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
    if (c->port_client_dir >= 0 && !c->decided)
        decide(c, NULL, 0);     /* no bytes: a Kafka connection, as before */
    if (c->confirmed)
        while (pending_pop(k, &c->pq[c->client_dir], &p))
            emit_unanswered(c, &p, c->resp_loss[1 - c->client_dir]);
    drop_all(k, &c->pq[0]);
    drop_all(k, &c->pq[1]);
    if (c->confirmed) {
        kt_conn_summary cs;
        summarize(c, &cs);
        kt_closed_conns_keep(&k->closed, &cs);
    }
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
            emit_unanswered(c, &p, c->resp_loss[1 - c->client_dir]);
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
    kt_intern_free(&k->txn_ids);
    kt_topics_free(&k->topics);
    kt_closed_conns_free(&k->closed);
    kt_tls_brokers_free(&k->tls);
    free(k);
}
