/* fuzz_pipeline.c - libFuzzer target: the whole pipeline, from bytes to the
 * reports: link/IP/TCP decoding, IPv4 defragmentation (libnids), TCP
 * reassembly, Kafka framing, roles and correlation, statistics, the event
 * log and the text, JSON and HTML reports (with the timeline).
 *
 * Two input forms:
 *   - a pcap or pcapng file (it starts with one of their magic numbers): it
 *     is read through kt_capture_open() from an in-memory file, exactly as
 *     `kafkatap -r` reads a capture;
 *   - anything else is a conversation: byte 0 holds options (bit 0: the
 *     handshake is seen; bit 1: the broker is on port 9092, else on 19092
 *     so auto-detection decides; bit 2: IPv6; bit 3: tiny memory budgets,
 *     4 KiB for all framers' buffers and for all out-of-order queues, so
 *     that the code that cuts frames and skips holes under them runs),
 *     then chunks of
 *         [control] [length, 1 byte] [length bytes]
 *     where control bit 0 is the direction (0 client -> broker), bit 1
 *     leaves a hole of 1..16 bytes before the chunk (bits 4-7 + 1), bit 2
 *     sends the chunk again with its first half overlapping (a
 *     retransmission with other boundaries), bit 3 lets 200 s of capture
 *     time pass (request timeouts, hole and idle expiry).  Each chunk is one
 *     TCP segment; the last byte of the input may end with a FIN.
 */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common/anomaly.h"
#include "capture/capture.h"
#include "report/event_log.h"
#include "kafka/kafka_framing.h"
#include "kafka/kafka_session.h"
#include "stats/partition_stats.h"
#include "stats/client_partition_stats.h"
#include "report/report.h"
#include "report/report_html.h"
#include "stats/timeline.h"
#include "stats/stats.h"
#include "reassembly/tcp_reassembly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct pipe_state {
    kt_tcp_reassembler *tcp;
    kt_kafka *kafka;
    kt_stats *stats;
    kt_partitions *partitions;
    kt_client_parts *client_parts;
    kt_timeline *timeline;
    FILE *out;
    uint64_t last_ts;
} pipe_state;

static FILE *devnull(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    return f;
}

static void on_exchange(void *ctx, const kt_exchange *ex)
{
    pipe_state *s = ctx;
    kt_stats_add(s->stats, ex);
    kt_partitions_add(s->partitions, ex);
    kt_client_parts_add(s->client_parts, ex);
    kt_timeline_add(s->timeline, ex);
    kt_event_write_text(s->out, ex);
    kt_event_write_json(s->out, ex);
}

static void on_segment(void *ctx, const kt_segment *seg, uint64_t now_us)
{
    pipe_state *s = ctx;
    if (seg) {
        kt_tcp_segment(s->tcp, seg);
        now_us = seg->ts_us;
    }
    if (now_us > s->last_ts)
        s->last_ts = now_us;
    kt_kafka_tick(s->kafka, s->last_ts);
}

static int start(pipe_state *s, int tiny)
{
    kt_session_config sc;
    kt_tcp_config tc;

    memset(s, 0, sizeof *s);
    kt_anomaly_reset();
    kt_session_config_defaults(&sc);
    kt_tcp_config_defaults(&tc);
    if (tiny) {
        tc.ooo_total_budget = 4096;
        sc.frame_buffer_total = 4096;
    }
    s->out = devnull();
    s->stats = kt_stats_new();
    s->partitions = kt_partitions_new();
    s->client_parts = kt_client_parts_new();
    s->timeline = kt_timeline_new(0, 0);
    s->kafka = kt_kafka_new(&sc, on_exchange, s);
    s->tcp = kt_tcp_new(&tc, &kt_kafka_tcp_callbacks, s->kafka);
    if (!s->out || !s->stats || !s->partitions || !s->client_parts || !s->timeline || !s->kafka || !s->tcp)
        abort();
    return 0;
}

static void finish(pipe_state *s, kt_capture_stats *cs)
{
    kt_report_input in;
    kt_conn_summary *conns = NULL;
    uint64_t not_kept = 0;

    kt_tcp_flush(s->tcp, s->last_ts);
    memset(&in, 0, sizeof in);
    in.nconns = kt_kafka_connections(s->kafka, &conns, &not_kept);
    in.conns = conns;
    in.conns_not_kept = not_kept;
    in.source = "fuzz";
    in.capture = cs;
    in.totals = kt_kafka_totals(s->kafka);
    in.stats = s->stats;
    in.partitions = s->partitions;
    in.client_parts = s->client_parts;
    in.timeline = s->timeline;
    in.top_n = 20;
    in.final = 1;
    kt_report_model *m = kt_report_build(&in);
    if (m) {
        kt_report_json(s->out, m);
        kt_report_text(s->out, m);
        kt_report_html(s->out, m);
    }
    kt_report_model_free(m);
    free(conns);
    kt_tcp_free(s->tcp);            /* closes every connection */
    {
        const kt_memcap *mem[4];
        size_t n = kt_kafka_memory(s->kafka, mem, 4);
        for (size_t i = 0; i < n; i++)
            if (mem[i]->used != 0 || (mem[i]->cap && mem[i]->peak > mem[i]->cap))
                abort();            /* every byte given back, no cap crossed */
    }
    kt_kafka_free(s->kafka);
    kt_stats_free(s->stats);
    kt_partitions_free(s->partitions);
    kt_client_parts_free(s->client_parts);
    kt_timeline_free(s->timeline);
}

static int is_capture(const uint8_t *d, size_t n)
{
    static const uint8_t magic[][4] = {
        { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },
        { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
        { 0x0a, 0x0d, 0x0d, 0x0a },
    };
    size_t i;
    if (n < 4)
        return 0;
    for (i = 0; i < sizeof magic / sizeof magic[0]; i++)
        if (memcmp(d, magic[i], 4) == 0)
            return 1;
    return 0;
}

static void run_capture(const uint8_t *data, size_t size)
{
    kt_capture_config cfg;
    kt_capture_stats cs;
    kt_capture *cap;
    pipe_state s;
    char path[64], err[256];
    int fd = memfd_create("fuzz.pcap", 0);

    if (fd < 0)
        abort();
    if (write(fd, data, size) != (ssize_t)size)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    kt_capture_config_defaults(&cfg);
    cfg.read_file = path;
    cap = kt_capture_open(&cfg, err, sizeof err);
    if (cap) {
        start(&s, 0);
        kt_capture_run(cap, on_segment, &s, NULL, err, sizeof err);
        kt_capture_get_stats(cap, &cs);
        finish(&s, &cs);
        kt_capture_close(cap);
    }
    close(fd);
}

static void set_ep(kt_endpoint *e, int v6, uint8_t last, uint16_t port)
{
    memset(e, 0, sizeof *e);
    e->family = v6 ? 6 : 4;
    if (v6) {
        e->addr[0] = 0xfd;
        e->addr[15] = last;
    } else {
        e->addr[0] = 10;
        e->addr[3] = last;
    }
    e->port = port;
}

static void send_seg(pipe_state *s, const kt_endpoint *src, const kt_endpoint *dst,
                     uint32_t seq, uint8_t flags, const uint8_t *p, uint32_t len,
                     uint64_t ts)
{
    kt_segment g;
    memset(&g, 0, sizeof g);
    g.src = *src;
    g.dst = *dst;
    g.seq = seq;
    g.flags = flags;
    g.payload = p;
    g.len = len;
    g.ts_us = ts;
    on_segment(s, &g, ts);
}

static void run_conversation(const uint8_t *data, size_t size)
{
    kt_capture_stats cs;
    kt_endpoint ep[2];
    uint32_t seq[2] = { 1000, 5000000 };
    uint64_t ts = 1700000000000000ull;
    unsigned opt = data[0];
    size_t i = 1;
    pipe_state s;

    start(&s, opt & 8);
    set_ep(&ep[0], opt & 4, 1, 40000);
    set_ep(&ep[1], opt & 4, 2, (opt & 2) ? 9092 : 19092);
    if (opt & 1) {
        send_seg(&s, &ep[0], &ep[1], seq[0] - 1, KT_TCP_SYN, NULL, 0, ts);
        send_seg(&s, &ep[1], &ep[0], seq[1] - 1, KT_TCP_SYN | KT_TCP_ACK, NULL, 0, ts + 1);
    }
    while (i + 2 <= size) {
        unsigned ctl = data[i];
        size_t len = data[i + 1];
        int d = ctl & 1;
        i += 2;
        if (len > size - i)
            len = size - i;
        ts += 1000;
        if (ctl & 8)
            ts += 200ull * 1000000;
        if (ctl & 2)
            seq[d] += (ctl >> 4) + 1;
        send_seg(&s, &ep[d], &ep[!d], seq[d], KT_TCP_ACK | KT_TCP_PSH,
                 data + i, (uint32_t)len, ts);
        if ((ctl & 4) && len > 1) {
            size_t half = len / 2;
            send_seg(&s, &ep[d], &ep[!d], seq[d] + (uint32_t)half / 2,
                     KT_TCP_ACK, data + i + half / 2, (uint32_t)(len - half / 2), ts);
        }
        seq[d] += (uint32_t)len;
        i += len;
    }
    if (size > 1 && (data[size - 1] & 0x80)) {
        send_seg(&s, &ep[0], &ep[1], seq[0], KT_TCP_FIN | KT_TCP_ACK, NULL, 0, ts + 1);
        send_seg(&s, &ep[1], &ep[0], seq[1], KT_TCP_FIN | KT_TCP_ACK, NULL, 0, ts + 2);
    }
    memset(&cs, 0, sizeof cs);
    finish(&s, &cs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (is_capture(data, size))
        run_capture(data, size);
    else
        run_conversation(data, size);
    return 0;
}
