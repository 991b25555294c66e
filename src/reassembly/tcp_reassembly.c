/* tcp_reassembly.c - kafkatap's TCP reassembler: segments in, per-direction
 * ordered byte streams out (contract in tcp_reassembly.h).
 *
 * Layout: connections live in a hash table keyed by a SipHash-2-4 of the
 * unordered endpoint pair under the random process key (so a flood of
 * chosen 4-tuples cannot pile up in one chain), on an LRU list (head = most
 * recently seen; idle expiry and eviction take from the tail), and, per
 * direction with out-of-order data, on a "holes" list ordered by the time
 * the current hole opened (hole timeouts take from its head).  All timer
 * work per packet is O(1) amortised.
 *
 * In-order payload is delivered straight from the packet; only segments
 * ahead of a hole are copied, into a sorted per-direction queue charged at
 * payload + node size against cfg.ooo_budget (and cfg.ooo_max_segments),
 * which bounds memory per direction, and against cfg.ooo_total_budget for
 * all directions together.
 */
#include <stdlib.h>
#include <string.h>
#include "common/anomaly.h"
#include "common/siphash.h"
#include "reassembly/tcp_reassembly.h"

typedef struct kt_ooo {
    struct kt_ooo *prev, *next;
    uint32_t seq, len, missing;     /* missing: uncaptured bytes after data */
    uint64_t ts_us;
    uint8_t data[];
} kt_ooo;

#define OOO_COST(len) (sizeof(kt_ooo) + (size_t)(len))

struct kt_conn;

typedef struct kt_dir {
    uint32_t next;                  /* next expected sequence number */
    uint32_t fin_seq;               /* sequence number of the FIN */
    uint8_t known;                  /* next is set */
    uint8_t fin;                    /* FIN seen */
    uint8_t idx;                    /* 0 or 1 */
    kt_ooo *head, *tail;            /* out-of-order queue, by sequence */
    size_t ooo_bytes;               /* charged bytes in the queue */
    size_t ooo_count;
    uint64_t hole_since;            /* capture time the current hole opened */
    struct kt_dir *hprev, *hnext;   /* holes list, while head != NULL */
    struct kt_conn *conn;
} kt_dir;

typedef struct kt_conn {
    kt_tcp_conn_info info;
    struct kt_conn *hnext;          /* hash chain */
    struct kt_conn *lprev, *lnext;  /* LRU list */
    void *user;
    kt_dir d[2];
    uint64_t last_ts;
    uint32_t bucket;
    uint8_t ignored;                /* closed for the consumer */
    uint8_t unwanted;               /* the data callback answered
                                       KT_TCP_IGNORE: no more callbacks; the
                                       close follows once the delivery in
                                       progress returns (drop_unwanted) */
} kt_conn;

struct kt_tcp_reassembler {
    kt_tcp_config cfg;
    kt_tcp_callbacks cb;
    void *ctx;
    kt_conn **buckets;
    uint32_t mask;
    size_t count;
    kt_conn *lru_head, *lru_tail;
    kt_dir *holes_head, *holes_tail;
    kt_memcap ooo_mem;              /* charged bytes in all queues, against
                                       cfg.ooo_total_budget */
};

void kt_tcp_config_defaults(kt_tcp_config *cfg)
{
    cfg->ooo_budget = 4u << 20;
    cfg->hole_timeout_us = 5ull * 1000000;
    cfg->idle_timeout_us = 600ull * 1000000;
    cfg->max_connections = 65536;
    cfg->ooo_max_segments = 8192;
    cfg->ooo_total_budget = 256u << 20;
}

/* Endpoint as 19 bytes: address, port, family. */
static void ep_pack(const kt_endpoint *e, uint8_t out[19])
{
    memcpy(out, e->addr, 16);
    out[16] = (uint8_t)(e->port >> 8);
    out[17] = (uint8_t)e->port;
    out[18] = e->family;
}

/* Same value for both directions of a connection. */
static uint32_t pair_hash(const kt_tcp_reassembler *r, const kt_endpoint *a,
                          const kt_endpoint *b)
{
    uint8_t k[38], x[19], y[19];

    ep_pack(a, x);
    ep_pack(b, y);
    if (memcmp(x, y, 19) <= 0) {
        memcpy(k, x, 19);
        memcpy(k + 19, y, 19);
    } else {
        memcpy(k, y, 19);
        memcpy(k + 19, x, 19);
    }
    return (uint32_t)kt_hash(k, sizeof k);
}

static int ep_eq(const kt_endpoint *a, const kt_endpoint *b)
{
    return a->port == b->port && a->family == b->family &&
           memcmp(a->addr, b->addr, 16) == 0;
}

static int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

/* ---- lists ------------------------------------------------------------ */

static void lru_unlink(kt_tcp_reassembler *r, kt_conn *c)
{
    if (c->lprev) c->lprev->lnext = c->lnext; else r->lru_head = c->lnext;
    if (c->lnext) c->lnext->lprev = c->lprev; else r->lru_tail = c->lprev;
    c->lprev = c->lnext = NULL;
}

static void lru_push_head(kt_tcp_reassembler *r, kt_conn *c)
{
    c->lprev = NULL;
    c->lnext = r->lru_head;
    if (r->lru_head) r->lru_head->lprev = c; else r->lru_tail = c;
    r->lru_head = c;
}

static void holes_unlink(kt_tcp_reassembler *r, kt_dir *d)
{
    if (d->hprev) d->hprev->hnext = d->hnext; else if (r->holes_head == d) r->holes_head = d->hnext;
    if (d->hnext) d->hnext->hprev = d->hprev; else if (r->holes_tail == d) r->holes_tail = d->hprev;
    d->hprev = d->hnext = NULL;
}

static int holes_member(const kt_tcp_reassembler *r, const kt_dir *d)
{
    return d->hprev || r->holes_head == d;
}

static void holes_push_tail(kt_tcp_reassembler *r, kt_dir *d, uint64_t now)
{
    d->hole_since = now;
    d->hnext = NULL;
    d->hprev = r->holes_tail;
    if (r->holes_tail) r->holes_tail->hnext = d; else r->holes_head = d;
    r->holes_tail = d;
}

/* ---- delivery ----------------------------------------------------------- */

static void emit_data(kt_tcp_reassembler *r, kt_conn *c, int dir,
                      const uint8_t *p, size_t len, uint64_t ts)
{
    if (c->ignored || c->unwanted || !r->cb.data || !len)
        return;
    if (r->cb.data(r->ctx, c->user, dir, p, len, ts) == KT_TCP_IGNORE)
        c->unwanted = 1;
}

static void emit_gap(kt_tcp_reassembler *r, kt_conn *c, int dir,
                     uint64_t missed, uint64_t ts)
{
    kt_anomaly_add(KT_AN_TCP_HOLES, 1);
    kt_anomaly_add(KT_AN_TCP_MISSED_BYTES, missed);
    if (c->ignored || c->unwanted || !r->cb.gap)
        return;
    r->cb.gap(r->ctx, c->user, dir, missed, ts);
}

/* Bytes [seq, seq+len) captured, then `miss` uncaptured; seq <= d->next. */
static void deliver_inorder(kt_tcp_reassembler *r, kt_conn *c, kt_dir *d,
                            uint32_t seq, const uint8_t *p, uint32_t len,
                            uint32_t miss, uint64_t ts)
{
    uint32_t skip = d->next - seq;

    if ((uint64_t)skip >= (uint64_t)len + miss) {
        kt_anomaly_add(KT_AN_TCP_RETRANSMITTED, len);
        return;
    }
    if (skip < len) {
        kt_anomaly_add(KT_AN_TCP_RETRANSMITTED, skip);
        d->next += len - skip;
        emit_data(r, c, d->idx, p + skip, len - skip, ts);
        skip = 0;
    } else {
        kt_anomaly_add(KT_AN_TCP_RETRANSMITTED, len);
        skip -= len;
    }
    if (miss > skip) {
        d->next += miss - skip;
        emit_gap(r, c, d->idx, miss - skip, ts);
    }
}

static void ooo_unlink(kt_tcp_reassembler *r, kt_dir *d, kt_ooo *n)
{
    kt_memcap_release(&r->ooo_mem, OOO_COST(n->len));
    if (n->prev) n->prev->next = n->next; else d->head = n->next;
    if (n->next) n->next->prev = n->prev; else d->tail = n->prev;
    d->ooo_bytes -= OOO_COST(n->len);
    d->ooo_count--;
}

/* Delivers queued segments that have become in order; keeps the holes list
 * up to date (a new hole starts its clock now). */
static void drain(kt_tcp_reassembler *r, kt_dir *d, uint64_t now)
{
    kt_ooo *n;
    int moved = 0;

    while ((n = d->head) && seq_diff(n->seq, d->next) <= 0) {
        ooo_unlink(r, d, n);
        deliver_inorder(r, d->conn, d, n->seq, n->data, n->len, n->missing,
                        n->ts_us);
        free(n);
        moved = 1;
    }
    if (!moved)
        return;
    holes_unlink(r, d);
    if (d->head)
        holes_push_tail(r, d, now);
}

/* Gives up on the hole before the first queued segment. */
static void skip_hole(kt_tcp_reassembler *r, kt_dir *d, uint32_t to,
                      uint64_t ts, uint64_t now)
{
    uint32_t missed = to - d->next;

    d->next = to;
    emit_gap(r, d->conn, d->idx, missed, ts);
    drain(r, d, now);
}

static void ooo_free_all(kt_tcp_reassembler *r, kt_dir *d)
{
    kt_ooo *n, *nx;

    for (n = d->head; n; n = nx) {
        nx = n->next;
        free(n);
    }
    d->head = d->tail = NULL;
    kt_memcap_release(&r->ooo_mem, d->ooo_bytes);
    d->ooo_bytes = d->ooo_count = 0;
    holes_unlink(r, d);
}

/* Queues a segment that starts after d->next. */
/* Queues a segment whose OOO_COST(len) the caller reserved in
 * r->ooo_mem; a segment that is not queued gives it back. */
static void ooo_insert(kt_tcp_reassembler *r, kt_dir *d, uint32_t seq,
                       const uint8_t *p, uint32_t len, uint32_t miss,
                       uint64_t ts)
{
    uint64_t end = (uint64_t)len + miss;   /* relative to seq */
    kt_ooo *pos, *n, *nx;

    /* Last queued segment starting at or before seq (usually the tail). */
    for (pos = d->tail; pos && seq_diff(pos->seq, seq) > 0; pos = pos->prev)
        ;
    if (pos) {
        uint32_t off = seq - pos->seq;
        if ((uint64_t)pos->len + pos->missing >= off + end) {
            kt_anomaly_add(KT_AN_TCP_RETRANSMITTED, len);   /* covered */
            kt_memcap_release(&r->ooo_mem, OOO_COST(len));
            return;
        }
    }
    /* Queued segments inside the new one are dropped. */
    for (n = pos ? (pos->seq == seq ? pos : pos->next) : d->head; n; n = nx) {
        uint32_t off = n->seq - seq;
        nx = n->next;
        if (seq_diff(n->seq, seq) < 0 || (uint64_t)off + n->len + n->missing > end)
            break;
        if (n == pos)
            pos = n->prev;
        kt_anomaly_add(KT_AN_TCP_RETRANSMITTED, n->len);
        ooo_unlink(r, d, n);
        free(n);
    }
    n = malloc(OOO_COST(len));
    if (!n) {                           /* becomes a hole, reported later */
        kt_memcap_release(&r->ooo_mem, OOO_COST(len));
        if (!d->head)
            holes_unlink(r, d);
        return;
    }
    n->seq = seq;
    n->len = len;
    n->missing = miss;
    n->ts_us = ts;
    if (len)
        memcpy(n->data, p, len);
    n->prev = pos;
    n->next = pos ? pos->next : d->head;
    if (n->next) n->next->prev = n; else d->tail = n;
    if (pos) pos->next = n; else d->head = n;
    if (!holes_member(r, d))            /* the queue was empty: a hole opens */
        holes_push_tail(r, d, ts);
    d->ooo_bytes += OOO_COST(len);
    d->ooo_count++;
}

static void dir_data(kt_tcp_reassembler *r, kt_dir *d, uint32_t seq,
                     const uint8_t *p, uint32_t len, uint32_t miss,
                     uint64_t ts)
{
    if (!d->known) {
        d->next = seq;
        d->known = 1;
    }
    for (;;) {
        if (seq_diff(seq, d->next) <= 0) {
            deliver_inorder(r, d->conn, d, seq, p, len, miss, ts);
            if (d->head)
                drain(r, d, ts);
            return;
        }
        if (d->ooo_bytes + OOO_COST(len) <= r->cfg.ooo_budget &&
            d->ooo_count < r->cfg.ooo_max_segments) {
            /* a refusal counts KT_AN_TCP_OOO_TOTAL */
            if (kt_memcap_reserve(&r->ooo_mem, OOO_COST(len))) {
                ooo_insert(r, d, seq, p, len, miss, ts);
                return;
            }
        } else {
            kt_anomaly_add(KT_AN_TCP_OOO_BUDGET, 1);
        }
        /* Over budget: give up on the first hole and look again. */
        if (d->head && seq_diff(d->head->seq, seq) < 0)
            skip_hole(r, d, d->head->seq, d->head->ts_us, ts);
        else
            skip_hole(r, d, seq, ts, ts);
    }
}

/* The peer acknowledged every byte of d before `ack`: the ones never seen
 * were lost by the capture, not reordered (the peer could not have
 * acknowledged them otherwise), so their holes are skipped now.  A hole
 * that reaches past `ack` is skipped up to it and the rest of it waits as
 * before.  With nothing queued, a single unseen sequence number is left
 * alone: it is most likely a FIN the capture missed, not a byte of data. */
static void ack_evidence(kt_tcp_reassembler *r, kt_dir *d, uint32_t ack,
                         uint64_t now)
{
    kt_conn *c = d->conn;

    if (d->fin && seq_diff(ack, d->fin_seq) > 0)
        ack = d->fin_seq;               /* the FIN's sequence number is no byte */
    while (seq_diff(ack, d->next) > 0 && !c->ignored && !c->unwanted) {
        if (d->head && seq_diff(d->head->seq, ack) <= 0) {
            skip_hole(r, d, d->head->seq, d->head->ts_us, now);
            continue;
        }
        if (!d->head && seq_diff(ack, d->next) == 1)
            return;
        uint32_t missed = ack - d->next;
        d->next = ack;
        emit_gap(r, c, d->idx, missed, now);
        return;
    }
}

/* Skips every hole and delivers everything queued (closing time). */
static void dir_flush(kt_tcp_reassembler *r, kt_dir *d, uint64_t now)
{
    while (d->head && !d->conn->ignored && !d->conn->unwanted)
        skip_hole(r, d, d->head->seq, d->head->ts_us, now);
    ooo_free_all(r, d);
}

/* ---- connections -------------------------------------------------------- */

/* Tells the consumer the connection is over (unless it already knows). */
static void conn_finish(kt_tcp_reassembler *r, kt_conn *c, int reason,
                        uint64_t now)
{
    if (!c->ignored) {
        if (reason != KT_CLOSE_IGNORED) {
            dir_flush(r, &c->d[0], now);
            dir_flush(r, &c->d[1], now);
        }
        if (c->unwanted)
            reason = KT_CLOSE_IGNORED;
        c->ignored = 1;
        if (r->cb.conn_close)
            r->cb.conn_close(r->ctx, c->user, reason, now);
        c->user = NULL;
    }
    ooo_free_all(r, &c->d[0]);
    ooo_free_all(r, &c->d[1]);
}

static void conn_remove(kt_tcp_reassembler *r, kt_conn *c)
{
    kt_conn **pp;

    for (pp = &r->buckets[c->bucket]; *pp; pp = &(*pp)->hnext)
        if (*pp == c) {
            *pp = c->hnext;
            break;
        }
    lru_unlink(r, c);
    r->count--;
    free(c);
}

static void conn_close(kt_tcp_reassembler *r, kt_conn *c, int reason,
                       uint64_t now)
{
    conn_finish(r, c, reason, now);
    conn_remove(r, c);
}

static int idle_reason(const kt_conn *c)
{
    return c->d[0].fin || c->d[1].fin ? KT_CLOSE_FIN : KT_CLOSE_IDLE;
}

/* Acts on a KT_TCP_IGNORE verdict once the delivery that got it has
 * returned: the connection is closed for the consumer but stays in the
 * table, so that its later segments are dropped until it goes idle. */
static void drop_unwanted(kt_tcp_reassembler *r, kt_conn *c, uint64_t now)
{
    if (c->unwanted)
        conn_finish(r, c, KT_CLOSE_IGNORED, now);
}

/* Both sides sent FIN and every byte before each FIN is delivered. */
static int fin_done(const kt_conn *c)
{
    int i;

    for (i = 0; i < 2; i++)
        if (!c->d[i].fin ||
            (c->d[i].known && seq_diff(c->d[i].next, c->d[i].fin_seq) < 0))
            return 0;
    return 1;
}

static void expire(kt_tcp_reassembler *r, uint64_t now)
{
    kt_conn *c;
    kt_dir *d;

    while ((c = r->lru_tail) && c->last_ts + r->cfg.idle_timeout_us <= now)
        conn_close(r, c, idle_reason(c), now);
    while ((d = r->holes_head) && d->hole_since + r->cfg.hole_timeout_us <= now) {
        skip_hole(r, d, d->head->seq, d->head->ts_us, now);
        c = d->conn;
        drop_unwanted(r, c, now);
        if (fin_done(c))                    /* the hole was all that was left */
            conn_close(r, c, KT_CLOSE_FIN, now);
    }
}

static kt_conn *lookup(kt_tcp_reassembler *r, const kt_segment *s,
                       uint32_t *bucket, int *dir)
{
    kt_conn *c;

    *bucket = pair_hash(r, &s->src, &s->dst) & r->mask;
    for (c = r->buckets[*bucket]; c; c = c->hnext) {
        if (ep_eq(&c->info.ep[0], &s->src) && ep_eq(&c->info.ep[1], &s->dst)) {
            *dir = 0;
            return c;
        }
        if (ep_eq(&c->info.ep[0], &s->dst) && ep_eq(&c->info.ep[1], &s->src)) {
            *dir = 1;
            return c;
        }
    }
    return NULL;
}

static kt_conn *conn_new(kt_tcp_reassembler *r, const kt_segment *s,
                         uint32_t bucket, int *dir)
{
    kt_conn *c;
    int syn = s->flags & KT_TCP_SYN, ack = s->flags & KT_TCP_ACK;

    while (r->count >= r->cfg.max_connections && r->lru_tail) {
        kt_anomaly_add(KT_AN_FLOW_TABLE_FULL, 1);
        conn_close(r, r->lru_tail, KT_CLOSE_EVICTED, s->ts_us);
    }
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* The initiator: the SYN sender; the SYN-ACK's receiver; else whoever
     * sent the first segment seen. */
    *dir = syn && ack ? 1 : 0;
    c->info.ep[*dir] = s->src;
    c->info.ep[!*dir] = s->dst;
    c->info.midstream = !syn;
    c->info.first_ts_us = s->ts_us;
    c->d[0].idx = 0;
    c->d[1].idx = 1;
    c->d[0].conn = c->d[1].conn = c;
    c->bucket = bucket;
    c->hnext = r->buckets[bucket];
    r->buckets[bucket] = c;
    lru_push_head(r, c);
    r->count++;
    if (r->cb.conn_open)
        c->user = r->cb.conn_open(r->ctx, &c->info);
    return c;
}

void kt_tcp_segment(kt_tcp_reassembler *r, const kt_segment *s)
{
    uint64_t now = s->ts_us;
    uint32_t bucket, seq = s->seq;
    int di, syn = s->flags & KT_TCP_SYN, ack = s->flags & KT_TCP_ACK;
    kt_conn *c;
    kt_dir *d, *o;

    expire(r, now);
    c = lookup(r, s, &bucket, &di);
    if (c && syn && !ack && c->d[di].known && seq + 1 != c->d[di].next) {
        /* A new connection on the same 4-tuple. */
        conn_close(r, c, idle_reason(c), now);
        c = NULL;
    }
    if (!c) {
        if (s->flags & KT_TCP_RST)
            return;
        if (!syn && !s->len && !s->missing)
            return;                     /* a bare ACK or FIN: nothing to follow */
        c = conn_new(r, s, bucket, &di);
        if (!c)
            return;
    } else if (r->lru_head != c) {
        lru_unlink(r, c);
        lru_push_head(r, c);
    }
    c->last_ts = now;
    if (c->ignored)
        return;                         /* dropped until it goes idle */
    d = &c->d[di];
    o = &c->d[!di];
    if (syn) {
        if (!d->known) {
            d->next = seq + 1;
            d->known = 1;
        }
        if (ack && !o->known) {
            o->next = s->ack;
            o->known = 1;
        }
        seq++;
    }
    if (ack && !syn && !(s->flags & KT_TCP_RST) && o->known) {
        /* what this side acknowledges closes the other side's holes;
         * before this segment's own data, which may answer those bytes */
        ack_evidence(r, o, s->ack, now);
        drop_unwanted(r, c, now);
        if (c->ignored)
            return;
    }
    if (s->len || s->missing) {
        dir_data(r, d, seq, s->payload, s->len, s->missing, now);
        drop_unwanted(r, c, now);
    }
    if ((s->flags & KT_TCP_FIN) && !d->fin) {
        d->fin = 1;
        d->fin_seq = seq + s->len + s->missing;
    }
    if (s->flags & KT_TCP_RST)
        conn_close(r, c, KT_CLOSE_RST, now);
    else if (fin_done(c))
        conn_close(r, c, KT_CLOSE_FIN, now);
}

void kt_tcp_tick(kt_tcp_reassembler *r, uint64_t now_us)
{
    expire(r, now_us);
}

void kt_tcp_flush(kt_tcp_reassembler *r, uint64_t now_us)
{
    while (r->lru_tail)
        conn_close(r, r->lru_tail, KT_CLOSE_END, now_us);
}

kt_tcp_reassembler *kt_tcp_new(const kt_tcp_config *cfg,
                               const kt_tcp_callbacks *cb, void *ctx)
{
    kt_tcp_reassembler *r = calloc(1, sizeof *r);
    size_t n = 16;

    if (!r)
        return NULL;
    if (cfg)
        r->cfg = *cfg;
    else
        kt_tcp_config_defaults(&r->cfg);
    if (r->cfg.max_connections < 1)
        r->cfg.max_connections = 1;
    if (r->cfg.ooo_max_segments < 1)
        r->cfg.ooo_max_segments = 1;
    if (cb)
        r->cb = *cb;
    r->ctx = ctx;
    kt_memcap_init(&r->ooo_mem, "tcp_out_of_order", r->cfg.ooo_total_budget,
                   KT_AN_TCP_OOO_TOTAL);
    while (n < r->cfg.max_connections && n < (1u << 30))
        n <<= 1;
    r->buckets = calloc(n, sizeof *r->buckets);
    if (!r->buckets) {
        free(r);
        return NULL;
    }
    r->mask = (uint32_t)(n - 1);
    return r;
}

void kt_tcp_free(kt_tcp_reassembler *r)
{
    kt_conn *c;

    if (!r)
        return;
    while ((c = r->lru_head)) {
        ooo_free_all(r, &c->d[0]);
        ooo_free_all(r, &c->d[1]);
        conn_remove(r, c);
    }
    free(r->buckets);
    free(r);
}

const kt_memcap *kt_tcp_memory(const kt_tcp_reassembler *r)
{
    return &r->ooo_mem;
}

size_t kt_tcp_connection_count(const kt_tcp_reassembler *r)
{
    return r->count;
}
