/* test_streams_dump.c - runs capture -> TCP reassembly on one capture file
 * and prints, per connection and direction, "SRC DST BYTES MISSED" (bytes
 * delivered in order, bytes reported missing).  Used by
 * test_streams_tshark.sh to compare with tshark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/capture.h"
#include "reassembly/tcp_reassembly.h"

typedef struct conn {
    kt_tcp_conn_info info;
    uint64_t bytes[2], missed[2];
} conn;

static void *on_open(void *ctx, const kt_tcp_conn_info *info)
{
    conn *c = calloc(1, sizeof *c);
    (void)ctx;
    if (c)
        c->info = *info;
    return c;
}

static kt_tcp_verdict on_data(void *ctx, void *cp, int dir, const uint8_t *p,
                              size_t len, uint64_t ts)
{
    conn *c = cp;
    (void)ctx; (void)p; (void)ts;
    if (c)
        c->bytes[dir] += len;
    return KT_TCP_CONTINUE;
}

static void on_gap(void *ctx, void *cp, int dir, uint64_t missed, uint64_t ts)
{
    conn *c = cp;
    (void)ctx; (void)ts;
    if (c)
        c->missed[dir] += missed;
}

static void on_close(void *ctx, void *cp, int reason, uint64_t ts)
{
    conn *c = cp;
    char a[KT_ENDPOINT_STRLEN], b[KT_ENDPOINT_STRLEN];
    int d;
    (void)ctx; (void)reason; (void)ts;
    if (!c)
        return;
    kt_endpoint_format(&c->info.ep[0], a, sizeof a);
    kt_endpoint_format(&c->info.ep[1], b, sizeof b);
    for (d = 0; d < 2; d++)
        printf("%s %s %llu %llu\n", d ? b : a, d ? a : b,
               (unsigned long long)c->bytes[d], (unsigned long long)c->missed[d]);
    free(c);
}

static void on_segment(void *ctx, const kt_segment *seg, uint64_t now)
{
    if (seg)
        kt_tcp_segment(ctx, seg);
    else
        kt_tcp_tick(ctx, now);
}

int main(int argc, char **argv)
{
    kt_capture_config cc;
    kt_tcp_config tc;
    kt_tcp_callbacks cb = { on_open, on_data, on_gap, on_close };
    kt_capture_stats st;
    kt_tcp_reassembler *r;
    kt_capture *cap;
    char err[512];

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [BPF] [--all-ipv4-through-libnids]\n", argv[0]);
        return 2;
    }
    kt_capture_config_defaults(&cc);
    cc.read_file = argv[1];
    if (argc > 2 && strcmp(argv[2], "--all-ipv4-through-libnids") != 0)
        cc.bpf = argv[2];
    if (argc > 2 && strcmp(argv[argc - 1], "--all-ipv4-through-libnids") == 0)
        cc.defrag_all_ipv4 = 1;
    kt_tcp_config_defaults(&tc);
    if (!(cap = kt_capture_open(&cc, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    r = kt_tcp_new(&tc, &cb, NULL);
    if (kt_capture_run(cap, on_segment, r, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    kt_capture_get_stats(cap, &st);
    kt_tcp_flush(r, st.last_ts_us);
    kt_tcp_free(r);
    fprintf(stderr, "packets %llu tcp_segments %llu non_tcp %llu\n",
            (unsigned long long)st.packets, (unsigned long long)st.tcp_segments,
            (unsigned long long)st.non_tcp);
    kt_capture_close(cap);
    return 0;
}
