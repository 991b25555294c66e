/* test_limits.c - limits that bound memory across all connections, not
 * per connection: the reassembler's total out-of-order budget
 * (kt_tcp_config.ooo_total_budget) and the framers' total buffer budget
 * (a kt_memcap shared by the framers).
 *
 * Ground truth: the bytes each test sends.  Two connections each lose their
 * first byte and then send data behind the hole.  Under a total budget that
 * holds the first connection's queue but not both, the second connection
 * must not queue: its hole is skipped at once (1 byte reported missed) and
 * its data delivered whole, the anomaly counted; the first connection keeps
 * waiting for its hole and gets everything when the byte arrives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/anomaly.h"
#include "kafka/kafka_framing.h"
#include "reassembly/tcp_reassembly.h"

typedef struct lconn {
    size_t delivered;
    uint64_t missed;
} lconn;

typedef struct lrec {
    lconn c[4];
    int n;
} lrec;

static void *on_open(void *ctx, const kt_tcp_conn_info *info)
{
    lrec *t = ctx;
    (void)info;
    assert_true(t->n < 4);
    return &t->c[t->n++];
}

static kt_tcp_verdict on_data(void *ctx, void *cp, int dir, const uint8_t *p,
                              size_t len, uint64_t ts)
{
    lconn *c = cp;
    (void)ctx; (void)dir; (void)p; (void)ts;
    c->delivered += len;
    return KT_TCP_CONTINUE;
}

static void on_gap(void *ctx, void *cp, int dir, uint64_t missed, uint64_t ts)
{
    lconn *c = cp;
    (void)ctx; (void)dir; (void)ts;
    c->missed += missed;
}

static void on_close(void *ctx, void *cp, int reason, uint64_t ts)
{
    (void)ctx; (void)cp; (void)reason; (void)ts;
}

static const kt_tcp_callbacks cbs = { on_open, on_data, on_gap, on_close };

static void seg(kt_tcp_reassembler *r, int port, uint32_t seq, const uint8_t *p,
                uint32_t len, uint8_t flags, uint64_t ts)
{
    kt_segment s;
    memset(&s, 0, sizeof s);
    s.src.family = s.dst.family = 4;
    s.src.addr[0] = 10; s.src.addr[3] = 1;
    s.dst.addr[0] = 10; s.dst.addr[3] = 2;
    s.src.port = (uint16_t)port;
    s.dst.port = 9092;
    s.seq = seq;
    s.flags = flags;
    s.payload = p;
    s.len = len;
    s.ts_us = ts;
    kt_tcp_segment(r, &s);
}

/* Two connections whose first data byte is lost, each then sending 1000
 * bytes behind the hole, under a total out-of-order budget. */
static kt_tcp_reassembler *two_holes(lrec *t, size_t total_budget)
{
    static uint8_t data[1000];
    kt_tcp_config cfg;
    kt_tcp_reassembler *r;

    memset(t, 0, sizeof *t);
    kt_anomaly_reset();
    kt_tcp_config_defaults(&cfg);
    assert_int_equal(cfg.ooo_total_budget, 256u << 20);
    cfg.ooo_total_budget = total_budget;
    r = kt_tcp_new(&cfg, &cbs, t);
    assert_non_null(r);
    seg(r, 40001, 100, NULL, 0, KT_TCP_SYN, 1);
    seg(r, 40002, 500, NULL, 0, KT_TCP_SYN, 2);
    seg(r, 40001, 102, data, 1000, KT_TCP_ACK, 3);
    assert_int_equal(t->c[0].delivered, 0);
    assert_int_equal(kt_anomaly.count[KT_AN_TCP_OOO_TOTAL], 0);
    seg(r, 40002, 502, data, 1000, KT_TCP_ACK, 4);
    return r;
}

static void test_total_budget(void **state)
{
    static const uint8_t byte[1] = { 0 };
    lrec t;
    /* room for one connection's 1000 queued bytes, not two */
    kt_tcp_reassembler *r = two_holes(&t, 1500);
    (void)state;

    assert_int_equal(kt_anomaly.count[KT_AN_TCP_OOO_TOTAL], 1);
    assert_int_equal(t.c[1].missed, 1);
    assert_int_equal(t.c[1].delivered, 1000);
    /* the first connection still waits; its byte arrives */
    assert_int_equal(t.c[0].delivered, 0);
    seg(r, 40001, 101, byte, 1, KT_TCP_ACK, 5);
    assert_int_equal(t.c[0].delivered, 1001);
    assert_int_equal(t.c[0].missed, 0);
    kt_tcp_free(r);
}

static void test_total_budget_off(void **state)
{
    static const uint8_t byte[1] = { 0 };
    lrec t;
    kt_tcp_reassembler *r = two_holes(&t, 0);     /* 0: no total cap */
    (void)state;

    assert_int_equal(kt_anomaly.count[KT_AN_TCP_OOO_TOTAL], 0);
    assert_int_equal(t.c[0].delivered + t.c[1].delivered, 0);
    seg(r, 40001, 101, byte, 1, KT_TCP_ACK, 5);
    seg(r, 40002, 501, byte, 1, KT_TCP_ACK, 6);
    assert_int_equal(t.c[0].delivered, 1001);
    assert_int_equal(t.c[1].delivered, 1001);
    kt_tcp_free(r);
}

/* Framers: frames seen by the owner. */
typedef struct fseen {
    size_t n, len[8], size[8];
    int truncated[8];
} fseen;

static int on_frame(void *ctx, const kt_frame *f)
{
    fseen *s = ctx;
    assert_true(s->n < 8);
    s->len[s->n] = f->len;
    s->size[s->n] = f->size;
    s->truncated[s->n] = f->truncated;
    s->n++;
    return KT_FRAME_OK;
}

static int no_candidate(void *ctx, const uint8_t *p, size_t avail, size_t *need)
{
    (void)ctx; (void)p; (void)avail; (void)need;
    return KT_CAND_NO;
}

static const kt_framer_ops fops = { on_frame, no_candidate };

/* A frame of `size` bytes after its 4-byte prefix, bytes all 0x5a. */
static void frame_bytes(uint8_t *out, uint32_t size)
{
    out[0] = (uint8_t)(size >> 24); out[1] = (uint8_t)(size >> 16);
    out[2] = (uint8_t)(size >> 8); out[3] = (uint8_t)size;
    memset(out + 4, 0x5a, size);
}

static void test_framer_total_budget(void **state)
{
    static uint8_t a[4 + 3000], b[4 + 3000], c[4 + 100];
    kt_framer fa, fb;
    fseen sa, sb;
    kt_memcap mem;
    (void)state;

    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    kt_anomaly_reset();
    frame_bytes(a, 3000);
    frame_bytes(b, 3000);
    frame_bytes(c, 100);
    /* a's frame fits alone (4096 allocated in the end), a and b's
     * together do not */
    kt_memcap_init(&mem, "frame_buffers", 4096, KT_AN_FRAME_BUFFER_TOTAL);
    kt_framer_init(&fa, &fops, &sa, 1 << 20, 1, &mem);
    kt_framer_init(&fb, &fops, &sb, 1 << 20, 1, &mem);
    /* a buffers 2000 bytes of its frame (2048 allocated) */
    kt_framer_data(&fa, a, 2000, 1);
    assert_int_equal(sa.n, 0);
    assert_true(mem.used >= 2000);
    /* b starts a frame: 1000 bytes fit (1024 allocated), 2000 more do not */
    kt_framer_data(&fb, b, 1000, 2);
    assert_int_equal(kt_anomaly.count[KT_AN_FRAME_BUFFER_TOTAL], 0);
    kt_framer_data(&fb, b + 1000, 2000, 3);
    assert_int_equal(kt_anomaly.count[KT_AN_FRAME_BUFFER_TOTAL], 1);
    assert_int_equal(mem.refused, 1);
    assert_true(mem.used <= mem.cap && mem.peak <= mem.cap);
    assert_int_equal(sb.n, 1);                  /* handed on cut */
    assert_int_equal(sb.truncated[0], 1);
    assert_int_equal(sb.len[0], 1000 - 4);
    assert_int_equal(sb.size[0], 3000);
    /* the rest of b's frame is skipped, and b stays in sync */
    kt_framer_data(&fb, b + 3000, sizeof b - 3000, 4);
    kt_framer_data(&fb, c, sizeof c, 5);
    assert_int_equal(sb.n, 2);
    assert_int_equal(sb.truncated[1], 0);
    assert_int_equal(sb.size[1], 100);
    /* a was not disturbed: it completes its frame (b gave its memory back) */
    kt_framer_data(&fa, a + 2000, sizeof a - 2000, 6);
    assert_int_equal(sa.n, 1);
    assert_int_equal(sa.truncated[0], 0);
    assert_int_equal(sa.len[0], 3000);
    kt_framer_free(&fa);
    kt_framer_free(&fb);
    assert_int_equal(mem.used, 0);              /* every byte given back */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_total_budget),
        cmocka_unit_test(test_total_budget_off),
        cmocka_unit_test(test_framer_total_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
