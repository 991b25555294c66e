/* test_reassembly.c - unit tests of the TCP reassembler (tcp_reassembly.h).
 *
 * The ground truth is the byte stream each test sends: a known pattern cut
 * into segments, reordered, duplicated or partly dropped; what comes out
 * must be exactly the pattern (minus the bytes dropped on purpose, which
 * must be reported as missed with their exact count).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/anomaly.h"
#include "reassembly/tcp_reassembly.h"

#define MAXC 16
#define BUF 8192

static uint8_t pattern[BUF];            /* the stream every test sends */

typedef struct rconn {
    kt_tcp_conn_info info;          /* copy */
    uint8_t out[2][BUF];
    uint64_t ts[2][BUF];            /* capture time each byte came with */
    size_t n[2];
    uint64_t missed[2];
    int gaps[2];
    uint64_t gap_ts[2];
    int data_calls[2];
    int closed, reason;
    uint64_t pos[2];                /* stream offset: data plus gaps */
    int mismatch;                   /* a byte differed from pattern[pos] */
} rconn;

typedef struct rec {
    rconn c[MAXC];
    int nconn;
    kt_tcp_reassembler *r;
    int ignore_on_data;             /* on_data answers KT_TCP_IGNORE */
} rec;

static void *on_open(void *ctx, const kt_tcp_conn_info *info)
{
    rec *t = ctx;
    rconn *c;
    assert_true(t->nconn < MAXC);
    c = &t->c[t->nconn++];
    c->info = *info;
    return c;
}

static kt_tcp_verdict on_data(void *ctx, void *cp, int dir, const uint8_t *p,
                              size_t len, uint64_t ts)
{
    rec *t = ctx;
    rconn *c = cp;
    size_t i;
    assert_false(c->closed);
    assert_true(c->n[dir] + len <= BUF);
    for (i = 0; i < len; i++) {
        c->ts[dir][c->n[dir] + i] = ts;
        if (c->pos[dir] + i >= BUF || p[i] != pattern[c->pos[dir] + i])
            c->mismatch = 1;
    }
    c->pos[dir] += len;
    memcpy(c->out[dir] + c->n[dir], p, len);
    c->n[dir] += len;
    c->data_calls[dir]++;
    return t->ignore_on_data ? KT_TCP_IGNORE : KT_TCP_CONTINUE;
}

static void on_gap(void *ctx, void *cp, int dir, uint64_t missed, uint64_t ts)
{
    rconn *c = cp;
    (void)ctx;
    assert_false(c->closed);
    c->missed[dir] += missed;
    c->pos[dir] += missed;
    c->gaps[dir]++;
    c->gap_ts[dir] = ts;
}

static void on_close(void *ctx, void *cp, int reason, uint64_t ts)
{
    rconn *c = cp;
    (void)ctx; (void)ts;
    assert_false(c->closed);
    c->closed = 1;
    c->reason = reason;
}

static const kt_tcp_callbacks CB = { on_open, on_data, on_gap, on_close };

static rec *setup_rec(const kt_tcp_config *cfg)
{
    rec *t = calloc(1, sizeof *t);
    kt_tcp_config d;
    size_t i;
    assert_non_null(t);
    for (i = 0; i < BUF; i++)
        pattern[i] = (uint8_t)(i * 7 + (i >> 8) * 13 + 1);
    if (!cfg) {
        kt_tcp_config_defaults(&d);
        cfg = &d;
    }
    t->r = kt_tcp_new(cfg, &CB, t);
    assert_non_null(t->r);
    kt_anomaly_reset();
    return t;
}

static void done(rec *t)
{
    kt_tcp_free(t->r);
    free(t);
}

/* Client 10.0.0.1:40000+cport_off, server 10.0.0.2:9092. */
static kt_segment seg_c(int from_server, int cport_off, uint32_t seq,
                        uint32_t ack, uint8_t flags, const uint8_t *p,
                        uint32_t len, uint64_t ts)
{
    kt_segment s;
    kt_endpoint cl, sv;
    memset(&s, 0, sizeof s);
    memset(&cl, 0, sizeof cl);
    memset(&sv, 0, sizeof sv);
    cl.family = sv.family = 4;
    cl.addr[0] = 10; cl.addr[3] = 1;
    sv.addr[0] = 10; sv.addr[3] = 2;
    cl.port = (uint16_t)(40000 + cport_off);
    sv.port = 9092;
    s.src = from_server ? sv : cl;
    s.dst = from_server ? cl : sv;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = p;
    s.len = len;
    s.ts_us = ts;
    return s;
}

static void feed(rec *t, int from_server, int cport_off, uint32_t seq,
                 uint8_t flags, const uint8_t *p, uint32_t len, uint64_t ts)
{
    kt_segment s = seg_c(from_server, cport_off, seq, 0, flags, p, len, ts);
    kt_tcp_segment(t->r, &s);
}

#define ISN_C 1000u
#define ISN_S 500000u

/* SYN, SYN-ACK at t=1..2 for client port offset k. */
static void handshake(rec *t, int k, uint32_t isn_c)
{
    kt_segment s = seg_c(0, k, isn_c, 0, KT_TCP_SYN, NULL, 0, 1);
    kt_tcp_segment(t->r, &s);
    s = seg_c(1, k, ISN_S, isn_c + 1, KT_TCP_SYN | KT_TCP_ACK, NULL, 0, 2);
    kt_tcp_segment(t->r, &s);
}

/* Client data: stream offset off (from the first data byte), len bytes of
 * the pattern. */
static void cdata(rec *t, uint32_t isn, uint32_t off, uint32_t len, uint64_t ts)
{
    feed(t, 0, 0, isn + 1 + off, KT_TCP_ACK | KT_TCP_PSH, pattern + off, len, ts);
}

static void test_split_every_point(void **state)
{
    uint32_t k, n = 200;
    int order;
    (void)state;
    for (order = 0; order < 2; order++)
        for (k = 1; k < n; k++) {
            rec *t = setup_rec(NULL);
            handshake(t, 0, ISN_C);
            if (order == 0) {
                cdata(t, ISN_C, 0, k, 10);
                cdata(t, ISN_C, k, n - k, 11);
            } else {                     /* second piece first */
                cdata(t, ISN_C, k, n - k, 10);
                assert_int_equal(t->c[0].n[0], 0);
                cdata(t, ISN_C, 0, k, 11);
            }
            assert_int_equal(t->nconn, 1);
            assert_false(t->c[0].info.midstream);
            assert_int_equal(t->c[0].n[0], n);
            assert_memory_equal(t->c[0].out[0], pattern, n);
            assert_int_equal(t->c[0].gaps[0], 0);
            assert_int_equal(kt_anomaly.count[KT_AN_TCP_RETRANSMITTED], 0);
            done(t);
        }
}

static void test_one_byte_per_segment(void **state)
{
    rec *t = setup_rec(NULL);
    uint32_t i, n = 500;
    (void)state;
    handshake(t, 0, ISN_C);
    for (i = 0; i < n; i++)
        cdata(t, ISN_C, i, 1, 100 + i);
    assert_int_equal(t->c[0].n[0], n);
    assert_memory_equal(t->c[0].out[0], pattern, n);
    assert_int_equal(t->c[0].data_calls[0], n);   /* straight from each packet */
    for (i = 0; i < n; i++)
        assert_int_equal(t->c[0].ts[0][i], 100 + i);
    done(t);
}

static void shuffle(uint32_t *a, uint32_t n, unsigned seed)
{
    uint32_t i, j, x;
    srand(seed);
    for (i = n - 1; i > 0; i--) {
        j = (uint32_t)rand() % (i + 1);
        x = a[i]; a[i] = a[j]; a[j] = x;
    }
}

/* The server acknowledges client stream offset `off` (bytes before it). */
static void sack(rec *t, uint32_t isn, uint32_t off, uint64_t ts)
{
    kt_segment s = seg_c(1, 0, ISN_S + 1, isn + 1 + off, KT_TCP_ACK, NULL, 0, ts);
    kt_tcp_segment(t->r, &s);
}

/* 60 segments in a shuffled order, all delivered in order with their own
 * timestamps and no gap.  with_acks: after each one the server
 * acknowledges what was delivered (never a byte past a hole), so holes wait
 * for reordering as they do without acknowledgements. */
static void reorder_run(int with_acks)
{
    uint32_t order[60], i, seglen = 37, n = 60;
    unsigned seed;
    for (seed = 1; seed <= 20; seed++) {
        rec *t = setup_rec(NULL);
        handshake(t, 0, ISN_C);
        for (i = 0; i < n; i++)
            order[i] = i;
        shuffle(order, n, seed);
        for (i = 0; i < n; i++) {       /* segment k carries timestamp 1000+k */
            cdata(t, ISN_C, order[i] * seglen, seglen, 1000 + order[i]);
            if (with_acks)
                sack(t, ISN_C, (uint32_t)t->c[0].n[0], 2000 + i);
        }
        assert_int_equal(t->c[0].n[0], n * seglen);
        assert_memory_equal(t->c[0].out[0], pattern, n * seglen);
        for (i = 0; i < n * seglen; i++)
            assert_int_equal(t->c[0].ts[0][i], 1000 + i / seglen);
        assert_int_equal(t->c[0].gaps[0], 0);
        done(t);
    }
}

static void test_reordered_within_budget(void **state)
{
    (void)state;
    reorder_run(0);
}

static void test_reorder_with_acks(void **state)
{
    (void)state;
    reorder_run(1);
}

static void test_overlapping_retransmissions(void **state)
{
    rec *t = setup_rec(NULL);
    (void)state;
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 100, 10);        /* new 100 */
    cdata(t, ISN_C, 50, 100, 11);       /* 50 old, 50 new */
    cdata(t, ISN_C, 20, 60, 12);        /* 60 old */
    cdata(t, ISN_C, 140, 160, 13);      /* 10 old, 150 new: up to 300 */
    cdata(t, ISN_C, 0, 300, 14);        /* 300 old */
    cdata(t, ISN_C, 400, 100, 15);      /* queued */
    cdata(t, ISN_C, 350, 100, 16);      /* queued, overlaps the one above */
    cdata(t, ISN_C, 420, 20, 17);       /* inside a queued one: 20 old */
    cdata(t, ISN_C, 300, 50, 18);       /* fills: 300..500, 50 overlap */
    assert_int_equal(t->c[0].n[0], 500);
    assert_memory_equal(t->c[0].out[0], pattern, 500);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_RETRANSMITTED],
                     50 + 60 + 10 + 300 + 20 + 50);
    assert_int_equal(t->c[0].gaps[0], 0);
    /* bytes 350..449 came with the segment of t=16, 450..499 with t=15 */
    assert_int_equal(t->c[0].ts[0][349], 18);
    assert_int_equal(t->c[0].ts[0][350], 16);
    assert_int_equal(t->c[0].ts[0][449], 16);
    assert_int_equal(t->c[0].ts[0][450], 15);
    done(t);
}

static void test_hole_skipped_by_budget(void **state)
{
    kt_tcp_config cfg;
    rec *t;
    (void)state;
    kt_tcp_config_defaults(&cfg);
    cfg.ooo_budget = 1000;              /* two 400-byte segments fit, not three */
    t = setup_rec(&cfg);
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 100, 10);
    /* 100..173 lost */
    cdata(t, ISN_C, 173, 400, 11);
    cdata(t, ISN_C, 573, 400, 12);
    assert_int_equal(t->c[0].n[0], 100);
    cdata(t, ISN_C, 973, 400, 13);      /* over budget: the hole is skipped */
    assert_int_equal(t->c[0].gaps[0], 1);
    assert_int_equal(t->c[0].missed[0], 73);
    assert_int_equal(t->c[0].gap_ts[0], 11);
    assert_int_equal(t->c[0].n[0], 100 + 1200);
    assert_memory_equal(t->c[0].out[0], pattern, 100);
    assert_memory_equal(t->c[0].out[0] + 100, pattern + 173, 1200);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_OOO_BUDGET], 1);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_HOLES], 1);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_MISSED_BYTES], 73);
    done(t);
}

static void test_hole_skipped_by_segment_cap(void **state)
{
    kt_tcp_config cfg;
    rec *t;
    uint32_t i;
    (void)state;
    kt_tcp_config_defaults(&cfg);
    cfg.ooo_max_segments = 3;
    t = setup_rec(&cfg);
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 10, 10);
    /* 10..14 lost, and later 45..49 */
    cdata(t, ISN_C, 15, 10, 11);
    cdata(t, ISN_C, 25, 10, 12);
    cdata(t, ISN_C, 35, 10, 13);
    assert_int_equal(t->c[0].n[0], 10);
    cdata(t, ISN_C, 50, 10, 14);        /* a 4th queued segment: over the cap */
    assert_int_equal(t->c[0].gaps[0], 1);
    assert_int_equal(t->c[0].missed[0], 5);
    assert_int_equal(t->c[0].n[0], 40);
    for (i = 1; i < 3; i++)             /* 60..80 join 50..60 in the queue */
        cdata(t, ISN_C, 50 + 10 * i, 10, 14 + i);
    assert_int_equal(t->c[0].n[0], 40);
    cdata(t, ISN_C, 80, 10, 17);        /* over the cap again */
    assert_int_equal(t->c[0].gaps[0], 2);
    assert_int_equal(t->c[0].missed[0], 5 + 5);
    assert_int_equal(t->c[0].n[0], 80);
    assert_memory_equal(t->c[0].out[0] + 10, pattern + 15, 30);
    assert_memory_equal(t->c[0].out[0] + 40, pattern + 50, 40);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_OOO_BUDGET], 2);
    done(t);
}

static void test_hole_skipped_by_timeout(void **state)
{
    kt_tcp_config cfg;
    rec *t;
    (void)state;
    kt_tcp_config_defaults(&cfg);
    cfg.hole_timeout_us = 1000000;
    t = setup_rec(&cfg);
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 100, 1000000);
    cdata(t, ISN_C, 130, 70, 2000000);  /* 100..129 lost */
    cdata(t, ISN_C, 200, 50, 2500000);
    kt_tcp_tick(t->r, 2999999);
    assert_int_equal(t->c[0].gaps[0], 0);
    assert_int_equal(t->c[0].n[0], 100);
    kt_tcp_tick(t->r, 3000000);         /* the hole opened at t=2 s */
    assert_int_equal(t->c[0].gaps[0], 1);
    assert_int_equal(t->c[0].missed[0], 30);
    assert_int_equal(t->c[0].gap_ts[0], 2000000);
    assert_int_equal(t->c[0].n[0], 220);
    assert_memory_equal(t->c[0].out[0] + 100, pattern + 130, 120);
    assert_int_equal(t->c[0].ts[0][219], 2500000);
    /* a second hole, skipped when a later packet (of another connection)
     * brings the clock past its timeout */
    cdata(t, ISN_C, 260, 10, 3100000);  /* 250..259 lost */
    feed(t, 1, 5, 7, KT_TCP_ACK, pattern, 10, 4100000);
    assert_int_equal(t->c[0].gaps[0], 2);
    assert_int_equal(t->c[0].missed[0], 40);
    assert_int_equal(t->c[0].n[0], 230);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_OOO_BUDGET], 0);
    done(t);
}

static void test_hole_closed_by_ack(void **state)
{
    rec *t = setup_rec(NULL);
    (void)state;
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 100, 10);
    cdata(t, ISN_C, 130, 70, 11);       /* 100..129 lost */
    cdata(t, ISN_C, 200, 50, 12);
    sack(t, ISN_C, 100, 13);            /* acknowledges nothing past the hole */
    assert_int_equal(t->c[0].gaps[0], 0);
    assert_int_equal(t->c[0].n[0], 100);
    sack(t, ISN_C, 250, 14);            /* the peer got 100..129: lost */
    assert_int_equal(t->c[0].gaps[0], 1);
    assert_int_equal(t->c[0].missed[0], 30);
    assert_int_equal(t->c[0].gap_ts[0], 11);
    assert_int_equal(t->c[0].n[0], 220);
    assert_false(t->c[0].mismatch);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_HOLES], 1);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_MISSED_BYTES], 30);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_OOO_BUDGET], 0);
    done(t);

    /* an ACK that ends inside the hole skips the hole up to it; the rest
     * of the hole still waits (it may be reordered), then fills */
    t = setup_rec(NULL);
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 100, 10);
    cdata(t, ISN_C, 150, 50, 11);       /* 100..149 not seen yet */
    sack(t, ISN_C, 120, 12);
    assert_int_equal(t->c[0].missed[0], 20);
    assert_int_equal(t->c[0].n[0], 100);
    cdata(t, ISN_C, 120, 30, 13);       /* the rest arrives late */
    assert_int_equal(t->c[0].gaps[0], 1);
    assert_int_equal(t->c[0].n[0], 180);
    assert_false(t->c[0].mismatch);
    done(t);

    /* the last bytes sent were lost: reported as soon as they are
     * acknowledged, and what follows them is in order */
    t = setup_rec(NULL);
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 100, 10);
    sack(t, ISN_C, 160, 11);            /* 100..159 never seen */
    assert_int_equal(t->c[0].gaps[0], 1);
    assert_int_equal(t->c[0].missed[0], 60);
    assert_int_equal(t->c[0].gap_ts[0], 11);
    cdata(t, ISN_C, 160, 40, 12);
    assert_int_equal(t->c[0].n[0], 140);
    assert_false(t->c[0].mismatch);
    /* one unseen sequence number past everything seen is left alone (a
     * missed FIN), and so is an ACK from the past */
    sack(t, ISN_C, 201, 13);
    sack(t, ISN_C, 50, 14);
    assert_int_equal(t->c[0].gaps[0], 1);
    kt_tcp_flush(t->r, 20);
    assert_int_equal(t->c[0].missed[0], 60);
    done(t);
}

static void test_snaplen_missing_bytes(void **state)
{
    rec *t = setup_rec(NULL);
    kt_segment s;
    (void)state;
    handshake(t, 0, ISN_C);
    s = seg_c(0, 0, ISN_C + 1, 0, KT_TCP_ACK, pattern, 60, 10);
    s.missing = 40;                     /* 100 on the wire, 60 captured */
    kt_tcp_segment(t->r, &s);
    cdata(t, ISN_C, 100, 50, 11);
    assert_int_equal(t->c[0].n[0], 110);
    assert_int_equal(t->c[0].missed[0], 40);
    assert_int_equal(t->c[0].gaps[0], 1);
    assert_memory_equal(t->c[0].out[0] + 60, pattern + 100, 50);
    done(t);
}

static void test_sequence_wraparound(void **state)
{
    uint32_t isn = 0xffffff00u, order[20], i;
    rec *t = setup_rec(NULL);
    (void)state;
    handshake(t, 0, isn);
    for (i = 0; i < 20; i++)
        order[i] = i;
    shuffle(order, 20, 7);
    for (i = 0; i < 20; i++)            /* 20 x 50 bytes across 2^32 */
        cdata(t, isn, order[i] * 50, 50, 10 + i);
    cdata(t, isn, 230, 100, 40);        /* retransmission across the wrap */
    assert_int_equal(t->c[0].n[0], 1000);
    assert_memory_equal(t->c[0].out[0], pattern, 1000);
    assert_int_equal(t->c[0].gaps[0], 0);
    /* a hole across the wrap, skipped at the end */
    t->c[0].n[0] = 0;
    done(t);

    t = setup_rec(NULL);
    handshake(t, 0, isn);
    cdata(t, isn, 0, 200, 10);          /* up to 0xffffffc9 */
    cdata(t, isn, 300, 100, 11);        /* 200..299 lost, spanning 2^32 */
    kt_tcp_flush(t->r, 20);
    assert_int_equal(t->c[0].missed[0], 100);
    assert_int_equal(t->c[0].n[0], 300);
    assert_memory_equal(t->c[0].out[0] + 200, pattern + 300, 100);
    assert_int_equal(t->c[0].reason, KT_CLOSE_END);
    done(t);
}

static void test_midstream_pickup(void **state)
{
    rec *t = setup_rec(NULL);
    kt_segment s;
    (void)state;
    /* first segment seen comes from the broker side */
    feed(t, 1, 0, 777777, KT_TCP_ACK | KT_TCP_PSH, pattern, 30, 10);
    feed(t, 0, 0, 123, KT_TCP_ACK | KT_TCP_PSH, pattern + 100, 20, 11);
    feed(t, 1, 0, 777777 + 30, KT_TCP_ACK, pattern + 30, 10, 12);
    assert_int_equal(t->nconn, 1);
    assert_true(t->c[0].info.midstream);
    assert_int_equal(t->c[0].info.ep[0].port, 9092);      /* first sender */
    assert_int_equal(t->c[0].info.ep[1].port, 40000);
    assert_int_equal(t->c[0].info.first_ts_us, 10);
    assert_int_equal(t->c[0].n[0], 40);
    assert_memory_equal(t->c[0].out[0], pattern, 40);
    assert_int_equal(t->c[0].n[1], 20);
    assert_memory_equal(t->c[0].out[1], pattern + 100, 20);
    done(t);

    /* a bare ACK opens nothing */
    t = setup_rec(NULL);
    feed(t, 0, 0, 5, KT_TCP_ACK, NULL, 0, 10);
    assert_int_equal(t->nconn, 0);
    assert_int_equal(kt_tcp_connection_count(t->r), 0);
    /* SYN-ACK seen without its SYN: the receiver is the initiator, and the
     * ack gives its next sequence number */
    s = seg_c(1, 0, ISN_S, ISN_C + 1, KT_TCP_SYN | KT_TCP_ACK, NULL, 0, 11);
    kt_tcp_segment(t->r, &s);
    cdata(t, ISN_C, 20, 10, 12);        /* ahead: must wait */
    assert_int_equal(t->c[0].n[0], 0);
    cdata(t, ISN_C, 0, 20, 13);
    assert_false(t->c[0].info.midstream);
    assert_int_equal(t->c[0].info.ep[0].port, 40000);
    assert_int_equal(t->c[0].n[0], 30);
    assert_memory_equal(t->c[0].out[0], pattern, 30);
    done(t);
}

static void test_rst_and_fin(void **state)
{
    rec *t = setup_rec(NULL);
    (void)state;
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 10, 10);
    cdata(t, ISN_C, 20, 10, 11);        /* 10..19 lost */
    feed(t, 1, 0, ISN_S + 1, KT_TCP_RST, NULL, 0, 12);
    assert_true(t->c[0].closed);
    assert_int_equal(t->c[0].reason, KT_CLOSE_RST);
    assert_int_equal(t->c[0].missed[0], 10);   /* buffered data delivered */
    assert_int_equal(t->c[0].n[0], 20);
    assert_int_equal(kt_tcp_connection_count(t->r), 0);
    feed(t, 0, 0, ISN_C + 31, KT_TCP_ACK, NULL, 0, 13);
    assert_int_equal(kt_tcp_connection_count(t->r), 0);

    /* FIN both ways closes once all data is in */
    handshake(t, 1, ISN_C);
    feed(t, 0, 1, ISN_C + 1, KT_TCP_ACK, pattern, 10, 20);
    feed(t, 0, 1, ISN_C + 11, KT_TCP_ACK | KT_TCP_FIN, NULL, 0, 21);
    feed(t, 1, 1, ISN_S + 1, KT_TCP_ACK | KT_TCP_FIN, NULL, 0, 22);
    assert_true(t->c[1].closed);
    assert_int_equal(t->c[1].reason, KT_CLOSE_FIN);
    assert_int_equal(kt_tcp_connection_count(t->r), 0);
    feed(t, 0, 1, ISN_C + 12, KT_TCP_ACK, NULL, 0, 23);   /* last ACK */
    assert_int_equal(kt_tcp_connection_count(t->r), 0);
    assert_int_equal(t->nconn, 2);

    /* FINs after a hole: the close waits for the hole to be given up */
    handshake(t, 2, ISN_C);
    feed(t, 0, 2, ISN_C + 1, KT_TCP_ACK, pattern, 10, 30);
    feed(t, 0, 2, ISN_C + 21, KT_TCP_ACK | KT_TCP_FIN, pattern + 20, 10, 31);
    feed(t, 1, 2, ISN_S + 1, KT_TCP_ACK | KT_TCP_FIN, NULL, 0, 32);
    assert_false(t->c[2].closed);
    kt_tcp_tick(t->r, 31 + 5000000);    /* default hole timeout: 5 s */
    assert_true(t->c[2].closed);
    assert_int_equal(t->c[2].reason, KT_CLOSE_FIN);
    assert_int_equal(t->c[2].missed[0], 10);
    assert_int_equal(t->c[2].n[0], 20);
    assert_int_equal(kt_tcp_connection_count(t->r), 0);
    done(t);
}

static void test_table_full_lru(void **state)
{
    kt_tcp_config cfg;
    rec *t;
    int k;
    (void)state;
    kt_tcp_config_defaults(&cfg);
    cfg.max_connections = 4;
    t = setup_rec(&cfg);
    for (k = 0; k < 4; k++)
        feed(t, 0, k, 100, KT_TCP_ACK, pattern, 10, 10 + k);
    assert_int_equal(kt_tcp_connection_count(t->r), 4);
    feed(t, 1, 0, 900, KT_TCP_ACK, pattern, 10, 20);      /* touch conn 0 */
    feed(t, 0, 4, 100, KT_TCP_ACK, pattern, 10, 21);      /* evicts conn 1 */
    assert_int_equal(kt_tcp_connection_count(t->r), 4);
    assert_int_equal(kt_anomaly.count[KT_AN_FLOW_TABLE_FULL], 1);
    assert_false(t->c[0].closed);
    assert_true(t->c[1].closed);
    assert_int_equal(t->c[1].reason, KT_CLOSE_EVICTED);
    assert_false(t->c[2].closed);
    feed(t, 0, 5, 100, KT_TCP_ACK, pattern, 10, 22);      /* evicts conn 2 */
    assert_true(t->c[2].closed);
    assert_false(t->c[0].closed);
    kt_tcp_flush(t->r, 30);
    for (k = 0; k < t->nconn; k++)
        assert_true(t->c[k].closed);
    assert_int_equal(t->c[0].reason, KT_CLOSE_END);
    done(t);
}

static void test_idle_expiry(void **state)
{
    kt_tcp_config cfg;
    rec *t;
    (void)state;
    kt_tcp_config_defaults(&cfg);
    cfg.idle_timeout_us = 1000;
    t = setup_rec(&cfg);
    feed(t, 0, 0, 100, KT_TCP_ACK, pattern, 10, 10);
    feed(t, 0, 1, 100, KT_TCP_ACK, pattern, 10, 500);
    kt_tcp_tick(t->r, 1009);
    assert_false(t->c[0].closed);
    kt_tcp_tick(t->r, 1010);
    assert_true(t->c[0].closed);
    assert_int_equal(t->c[0].reason, KT_CLOSE_IDLE);
    assert_false(t->c[1].closed);
    assert_int_equal(kt_tcp_connection_count(t->r), 1);
    done(t);
}

static void test_ignore_from_callback(void **state)
{
    kt_tcp_config cfg;
    rec *t;
    (void)state;
    kt_tcp_config_defaults(&cfg);
    cfg.idle_timeout_us = 1000;
    t = setup_rec(&cfg);
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 10, 10, 10);        /* queued */
    cdata(t, ISN_C, 20, 10, 11);        /* queued */
    t->ignore_on_data = 1;
    cdata(t, ISN_C, 0, 10, 12);         /* delivered; the consumer ignores */
    assert_int_equal(t->c[0].n[0], 10); /* nothing after the ignore */
    assert_int_equal(t->c[0].data_calls[0], 1);
    assert_true(t->c[0].closed);
    assert_int_equal(t->c[0].reason, KT_CLOSE_IGNORED);
    t->ignore_on_data = 0;
    cdata(t, ISN_C, 30, 10, 13);        /* dropped, no new connection */
    feed(t, 1, 0, ISN_S + 1, KT_TCP_ACK, pattern, 10, 14);
    assert_int_equal(t->nconn, 1);
    assert_int_equal(kt_tcp_connection_count(t->r), 1);
    kt_tcp_tick(t->r, 2000);            /* idle: forgotten, no second close */
    assert_int_equal(kt_tcp_connection_count(t->r), 0);
    cdata(t, ISN_C, 40, 10, 2001);      /* now a new (midstream) connection */
    assert_int_equal(t->nconn, 2);
    assert_true(t->c[1].info.midstream);
    kt_tcp_flush(t->r, 2002);
    done(t);
}

static void test_port_reuse(void **state)
{
    rec *t = setup_rec(NULL);
    (void)state;
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 0, 10, 10);
    handshake(t, 0, 99999);             /* new SYN, other ISN: new connection */
    assert_int_equal(t->nconn, 2);
    assert_true(t->c[0].closed);
    assert_false(t->c[1].closed);
    cdata(t, 99999, 0, 5, 11);
    assert_int_equal(t->c[1].n[0], 5);
    done(t);
}

static void test_ipv6_same_path(void **state)
{
    rec *t = setup_rec(NULL);
    kt_segment s = seg_c(0, 0, 1, 0, KT_TCP_ACK, pattern, 10, 10);
    (void)state;
    s.src.family = s.dst.family = 6;
    s.src.addr[15] = 1;
    kt_tcp_segment(t->r, &s);
    s = seg_c(0, 0, 1, 0, KT_TCP_ACK, pattern, 10, 11);  /* same, IPv4 */
    kt_tcp_segment(t->r, &s);
    assert_int_equal(t->nconn, 2);
    assert_int_equal(t->c[0].info.ep[0].family, 6);
    assert_int_equal(t->c[0].n[0], 10);
    done(t);
}

/* A queued segment replaced by a longer retransmission of it keeps the
 * hole's clock and bookkeeping right. */
static void test_queued_segment_replaced(void **state)
{
    kt_tcp_config cfg;
    rec *t;
    (void)state;
    kt_tcp_config_defaults(&cfg);
    cfg.hole_timeout_us = 100;
    t = setup_rec(&cfg);
    handshake(t, 0, ISN_C);
    cdata(t, ISN_C, 20, 10, 10);        /* 0..19 missing */
    cdata(t, ISN_C, 20, 30, 50);        /* covers the queued one */
    kt_tcp_tick(t->r, 109);
    assert_int_equal(t->c[0].gaps[0], 0);
    kt_tcp_tick(t->r, 110);             /* the hole opened at 10 */
    assert_int_equal(t->c[0].missed[0], 20);
    assert_int_equal(t->c[0].n[0], 30);
    assert_int_equal(t->c[0].ts[0][0], 50);
    assert_false(t->c[0].mismatch);
    done(t);
}

/* Random segments of a 6000-byte stream (random starts and lengths, so
 * overlaps, duplicates, reordering and holes), small budgets: every byte
 * delivered must be the pattern byte at its stream offset, counting the
 * reported gaps; nothing is delivered twice; data + gaps reach the end. */
static void test_random_consistency(void **state)
{
    unsigned seed;
    int with_gaps = 0, over_budget = 0, clean = 0;
    (void)state;
    for (seed = 1; seed <= 300; seed++) {
        kt_tcp_config cfg;
        rec *t;
        int i, nseg;
        uint32_t total = 6000, covered_end = 0;
        kt_tcp_config_defaults(&cfg);
        srand(seed);
        if (seed % 2) {                 /* tight: holes get skipped */
            cfg.ooo_budget = 200 + (size_t)(rand() % 3000);
            cfg.ooo_max_segments = 1 + (size_t)(rand() % 20);
            cfg.hole_timeout_us = 50 + (uint64_t)(rand() % 200);
        }
        t = setup_rec(&cfg);
        handshake(t, 0, ISN_C);
        nseg = 100 + rand() % 400;
        for (i = 0; i < nseg; i++) {
            uint32_t off = (uint32_t)rand() % total;
            uint32_t len = 1 + (uint32_t)rand() % 120;
            if (rand() % 3 == 0 && covered_end < total)
                off = covered_end;      /* mostly forward, like real traffic */
            if (off + len > total)
                len = total - off;
            if (off + len > covered_end)
                covered_end = off + len;
            cdata(t, ISN_C, off, len, 10 + (uint64_t)i * 3);
            if (rand() % 50 == 0)
                kt_tcp_tick(t->r, 10 + (uint64_t)i * 3 + 1);
        }
        cdata(t, ISN_C, total - 1, 1, 10 + (uint64_t)nseg * 3);   /* the last byte */
        if (seed % 2 == 0)              /* roomy: a full resend fills every hole */
            for (i = 0; i < (int)total; i += 100)
                cdata(t, ISN_C, (uint32_t)i, 100, 20000);
        kt_tcp_flush(t->r, 100000);
        if (seed % 2 == 0) {
            assert_int_equal(t->c[0].gaps[0], 0);
            assert_int_equal(t->c[0].n[0], total);
        }
        assert_false(t->c[0].mismatch);
        assert_true(t->c[0].closed);
        assert_int_equal(t->c[0].pos[0], total);
        assert_int_equal(t->c[0].n[0] + t->c[0].missed[0], total);
        with_gaps += t->c[0].gaps[0] > 0;
        clean += t->c[0].gaps[0] == 0;
        over_budget += kt_anomaly.count[KT_AN_TCP_OOO_BUDGET] > 0;
        done(t);
    }
    /* the runs did exercise what they are meant to */
    print_message("random runs: %d with gaps, %d without, %d over budget\n",
                  with_gaps, clean, over_budget);
    assert_true(with_gaps > 0 && over_budget > 0 && clean > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_every_point),
        cmocka_unit_test(test_one_byte_per_segment),
        cmocka_unit_test(test_reordered_within_budget),
        cmocka_unit_test(test_overlapping_retransmissions),
        cmocka_unit_test(test_hole_skipped_by_budget),
        cmocka_unit_test(test_hole_skipped_by_segment_cap),
        cmocka_unit_test(test_hole_skipped_by_timeout),
        cmocka_unit_test(test_hole_closed_by_ack),
        cmocka_unit_test(test_reorder_with_acks),
        cmocka_unit_test(test_snaplen_missing_bytes),
        cmocka_unit_test(test_sequence_wraparound),
        cmocka_unit_test(test_midstream_pickup),
        cmocka_unit_test(test_rst_and_fin),
        cmocka_unit_test(test_table_full_lru),
        cmocka_unit_test(test_idle_expiry),
        cmocka_unit_test(test_ignore_from_callback),
        cmocka_unit_test(test_port_reuse),
        cmocka_unit_test(test_ipv6_same_path),
        cmocka_unit_test(test_queued_segment_replaced),
        cmocka_unit_test(test_random_consistency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
