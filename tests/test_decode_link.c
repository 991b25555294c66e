/* test_decode_link.c - link/IP/TCP decoding and the capture front end.
 *
 * Ground truth: tshark's reading of the same packets.  Third-party captures
 * (tests/data/third-party, see SOURCES.md there) give real Linux-cooked,
 * VLAN-tagged Ethernet and pcapng packets; tests/data/synthetic.pcap (made
 * by tests/data/make-synthetic.py) gives the shapes they lack (IPv4
 * fragments, snap-length cuts, IPv6 extension headers, QinQ, padding).
 * The expected numbers below were copied by hand from
 *   tshark -r FILE -T fields -e tcp.srcport -e tcp.dstport -e tcp.seq_raw
 *          -e tcp.ack_raw -e tcp.flags -e tcp.len ...
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <zlib.h>

#include "common/anomaly.h"
#include "capture/capture.h"
#include "capture/decode_link.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif

static char path_buf[4096];

static const char *data_path(const char *name)
{
    const char *srcdir = getenv("srcdir");
    snprintf(path_buf, sizeof path_buf, "%s/tests/data/%s", srcdir ? srcdir : ".", name);
    return path_buf;
}

typedef struct pkt {
    uint8_t data[70000];
    uint32_t caplen, len;
    uint64_t ts;
    int dlt;
} pkt;

/* Frame number n (1-based, as tshark counts) of a capture file. */
static void read_frame(const char *name, int n, pkt *p)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *d;
    pcap_t *pc = pcap_open_offline(data_path(name), err);
    int i;

    assert_non_null(pc);
    for (i = 1; i <= n; i++)
        assert_int_equal(pcap_next_ex(pc, &h, &d), 1);
    memcpy(p->data, d, h->caplen);
    p->caplen = h->caplen;
    p->len = h->len;
    p->ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
    p->dlt = pcap_datalink(pc);
    pcap_close(pc);
}

static int decode_frame(const char *name, int n, kt_segment *s, pkt *p)
{
    read_frame(name, n, p);
    return kt_decode_packet(p->dlt, p->data, p->caplen, p->len, p->ts, s, NULL);
}

static void check_v4(const kt_segment *s, const char *src, const char *dst,
                     uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len)
{
    char a[KT_ENDPOINT_STRLEN], b[KT_ENDPOINT_STRLEN];
    assert_string_equal(kt_endpoint_format(&s->src, a, sizeof a), src);
    assert_string_equal(kt_endpoint_format(&s->dst, b, sizeof b), dst);
    assert_int_equal(s->seq, seq);
    assert_int_equal(s->ack, ack);
    assert_int_equal(s->flags, flags);
    assert_int_equal(s->len, len);
    assert_int_equal(s->missing, 0);
}

#define GO_SNIFFER "third-party/40t__go-sniffer__kafka.pcap"
#define ARKIME "third-party/arkime__arkime__kafka.pcap"
#define NDPI_NG "third-party/ntop__nDPI__kafka.pcapng"
#define NDPI_NG_2023 "third-party/ntop__nDPI__kafka-v2023.pcapng"

static pkt P;

static void test_linux_cooked(void **state)
{
    kt_segment s;
    (void)state;
    kt_anomaly_reset();
    /* frame 4 carries 16 bytes after its IP total length (99): cut off */
    assert_int_equal(decode_frame(GO_SNIFFER, 4, &s, &P), KT_DEC_TCP);
    assert_int_equal(P.dlt, DLT_LINUX_SLL);
    check_v4(&s, "127.0.0.1:57372", "127.0.0.1:9092", 3782245893u, 770131150u, 0x18, 47);
    /* first bytes of a Kafka request: size 43 = 47 - 4 */
    assert_int_equal(s.payload[0], 0);
    assert_int_equal(s.payload[3], 43);
    assert_int_equal(decode_frame(GO_SNIFFER, 6, &s, &P), KT_DEC_TCP);
    check_v4(&s, "127.0.0.1:9092", "127.0.0.1:57372", 770131150u, 3782245940u, 0x18, 79);
    assert_int_equal(decode_frame(GO_SNIFFER, 14, &s, &P), KT_DEC_TCP);
    check_v4(&s, "127.0.0.1:57373", "127.0.0.1:9092", 576151707u, 769092631u, 0x18, 1124);
    assert_int_equal(kt_anomaly.count[KT_AN_TRUNCATED_PACKET], 0);
}

static void test_vlan_ethernet(void **state)
{
    kt_segment s;
    (void)state;
    assert_int_equal(decode_frame(ARKIME, 1, &s, &P), KT_DEC_TCP);
    assert_int_equal(P.dlt, DLT_EN10MB);
    check_v4(&s, "10.10.10.10:65056", "10.176.192.13:9092", 1987580851u, 0, 0x02, 0);
    assert_int_equal(decode_frame(ARKIME, 4, &s, &P), KT_DEC_TCP);
    check_v4(&s, "10.10.10.10:65056", "10.176.192.13:9092", 1987580852u, 3834383208u, 0x18, 79);
}

static void test_pcapng(void **state)
{
    kt_segment s;
    (void)state;
    assert_int_equal(decode_frame(NDPI_NG_2023, 4, &s, &P), KT_DEC_TCP);
    check_v4(&s, "127.0.0.1:46136", "127.0.0.1:9092", 3271226924u, 1170107468u, 0x18, 56);
    assert_int_equal(decode_frame(NDPI_NG_2023, 2, &s, &P), KT_DEC_TCP);
    check_v4(&s, "127.0.0.1:9092", "127.0.0.1:46136", 1170107467u, 3271226924u, 0x12, 0);
}

/* The IP datagram of go-sniffer frame 4 behind every other link header. */
static void test_other_link_types(void **state)
{
    static const struct {
        int dlt;
        uint8_t hdr[24];
        int hlen;
    } links[] = {
        { DLT_EN10MB, { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 }, 14 },
        { DLT_EN10MB, { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0, 5, 0x08, 0x00 }, 18 },
        { DLT_LINUX_SLL2, { 0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0 }, 20 },
        { DLT_NULL, { 2, 0, 0, 0 }, 4 },             /* little-endian host */
        { DLT_NULL, { 0, 0, 0, 2 }, 4 },             /* big-endian host */
        { DLT_LOOP, { 0, 0, 0, 2 }, 4 },
        { DLT_RAW, { 0 }, 0 },
        { DLT_IPV4, { 0 }, 0 },
    };
    uint8_t buf[256];
    kt_segment s;
    size_t i;
    (void)state;
    read_frame(GO_SNIFFER, 4, &P);
    for (i = 0; i < sizeof links / sizeof links[0]; i++) {
        memcpy(buf, links[i].hdr, (size_t)links[i].hlen);
        memcpy(buf + links[i].hlen, P.data + 16, 99);
        assert_int_equal(kt_decode_packet(links[i].dlt, buf, (uint32_t)links[i].hlen + 99,
                                          (uint32_t)links[i].hlen + 99, 1, &s, NULL),
                         KT_DEC_TCP);
        check_v4(&s, "127.0.0.1:57372", "127.0.0.1:9092", 3782245893u, 770131150u, 0x18, 47);
        assert_memory_equal(s.payload, P.data + 16 + 20 + 32, 47);
    }
    /* ARP over Ethernet is not an error, just not ours */
    buf[12] = 0x08;
    buf[13] = 0x06;
    assert_int_equal(kt_decode_packet(DLT_EN10MB, buf, 60, 60, 1, &s, NULL), KT_DEC_OTHER);
    kt_anomaly_reset();
    assert_int_equal(kt_decode_packet(147, buf, 60, 60, 1, &s, NULL), KT_DEC_BAD);
    assert_int_equal(kt_anomaly.count[KT_AN_UNKNOWN_LINKTYPE], 1);
}

#define SYNTH "synthetic.pcap"

static void test_synthetic_shapes(void **state)
{
    kt_segment s;
    char a[KT_ENDPOINT_STRLEN];
    (void)state;
    kt_anomaly_reset();
    /* frames 1-3: fragments of one datagram; decoded alone they are handed
     * to defragmentation */
    assert_int_equal(decode_frame(SYNTH, 1, &s, &P), KT_DEC_FRAGMENT);
    assert_int_equal(decode_frame(SYNTH, 2, &s, &P), KT_DEC_FRAGMENT);
    assert_int_equal(decode_frame(SYNTH, 3, &s, &P), KT_DEC_FRAGMENT);
    /* frame 4: tcp.len 100, 104 of 154 bytes captured: 50 of payload */
    assert_int_equal(decode_frame(SYNTH, 4, &s, &P), KT_DEC_TCP);
    assert_int_equal(s.seq, 4020);
    assert_int_equal(s.len, 50);
    assert_int_equal(s.missing, 50);
    assert_int_equal(kt_anomaly.count[KT_AN_TRUNCATED_PACKET], 1);
    /* frame 5: IPv6 with hop-by-hop and destination options */
    assert_int_equal(decode_frame(SYNTH, 5, &s, &P), KT_DEC_TCP);
    assert_string_equal(kt_endpoint_format(&s.src, a, sizeof a), "[2001:db8::1]:40002");
    assert_string_equal(kt_endpoint_format(&s.dst, a, sizeof a), "[2001:db8::2]:9092");
    assert_int_equal(s.seq, 77);
    assert_int_equal(s.ack, 88);
    assert_int_equal(s.len, 5);
    assert_memory_equal(s.payload, "hello", 5);
    /* frame 6: an IPv6 fragment: counted, not reassembled */
    assert_int_equal(decode_frame(SYNTH, 6, &s, &P), KT_DEC_OTHER);
    assert_int_equal(kt_anomaly.count[KT_AN_IP_FRAGMENTS], 1);
    /* frame 7: QinQ */
    assert_int_equal(decode_frame(SYNTH, 7, &s, &P), KT_DEC_TCP);
    assert_int_equal(s.src.port, 40004);
    assert_int_equal(s.len, 7);
    assert_memory_equal(s.payload, "qinqabc", 7);
    /* frame 8: Ethernet padding is not payload */
    assert_int_equal(decode_frame(SYNTH, 8, &s, &P), KT_DEC_TCP);
    assert_int_equal(s.len, 1);
    assert_int_equal(s.missing, 0);
    assert_int_equal(kt_anomaly.count[KT_AN_TRUNCATED_PACKET], 1);
    assert_int_equal(kt_anomaly.count[KT_AN_BAD_IP], 0);
    assert_int_equal(kt_anomaly.count[KT_AN_BAD_TCP], 0);
}

/* ---- the capture front end --------------------------------------------- */

typedef struct got {
    kt_segment seg[64];
    uint8_t first_payload[64][4];
    uint32_t sum_len;
    int n;
    uint8_t big[3000];              /* payload of a 3000-byte segment */
    int have_big;
} got;

static void collect(void *ctx, const kt_segment *s, uint64_t now)
{
    got *g = ctx;
    (void)now;
    if (!s)
        return;
    assert_true(g->n < 64);
    g->seg[g->n] = *s;
    g->sum_len += s->len;
    if (s->len == 3000) {
        memcpy(g->big, s->payload, 3000);
        g->have_big = 1;
    }
    g->seg[g->n].payload = NULL;     /* not valid after the callback */
    g->n++;
}

static int run_file(const char *path, const char *bpf, got *g, char *err, size_t errlen)
{
    kt_capture_config cfg;
    kt_capture *c;
    int r;
    kt_capture_config_defaults(&cfg);
    cfg.read_file = path;
    cfg.bpf = bpf;
    memset(g, 0, sizeof *g);
    c = kt_capture_open(&cfg, err, errlen);
    if (!c)
        return -1;
    r = kt_capture_run(c, collect, g, NULL, err, errlen);
    kt_capture_close(c);
    return r;
}

static void test_capture_defragments(void **state)
{
    char err[512];
    got *g = malloc(sizeof *g);
    int i;
    (void)state;
    kt_anomaly_reset();
    assert_int_equal(run_file(data_path(SYNTH), NULL, g, err, sizeof err), 0);
    /* tshark: frame 3 completes a datagram, tcp.seq 1000, tcp.len 3000 */
    assert_int_equal(g->n, 5);
    assert_int_equal(g->seg[0].seq, 1000);
    assert_int_equal(g->seg[0].ack, 2000);
    assert_int_equal(g->seg[0].len, 3000);
    assert_true(g->have_big);
    for (i = 0; i < 3000; i++)       /* make-synthetic.py's payload */
        assert_int_equal(g->big[i], (uint8_t)((i * 7 + 3) & 0xff));
    assert_int_equal(g->seg[1].seq, 4020);
    assert_int_equal(g->seg[1].missing, 50);
    assert_int_equal(g->seg[2].len, 5);
    assert_int_equal(g->seg[3].len, 7);
    assert_int_equal(g->seg[4].len, 1);
    assert_int_equal(kt_anomaly.count[KT_AN_IP_FRAGMENTS], 2);   /* v4 + v6 */
    assert_int_equal(kt_anomaly.count[KT_AN_NIDS_WARNING], 0);
    free(g);
}

static void test_capture_gzip_bpf_errors(void **state)
{
    char err[512], gzpath[] = "/tmp/kt-test-XXXXXX";
    got *g = malloc(sizeof *g), *plain = malloc(sizeof *plain);
    FILE *in;
    gzFile out;
    char buf[4096];
    size_t n;
    int fd, i;
    (void)state;

    assert_int_equal(run_file(data_path(NDPI_NG), NULL, plain, err, sizeof err), 0);
    assert_int_equal(plain->n, 41);                  /* every frame is TCP */

    fd = mkstemp(gzpath);
    assert_true(fd >= 0);
    out = gzdopen(fd, "wb");
    in = fopen(data_path(NDPI_NG), "rb");
    assert_non_null(in);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(gzwrite(out, buf, (unsigned)n), (int)n);
    fclose(in);
    gzclose(out);
    assert_int_equal(run_file(gzpath, NULL, g, err, sizeof err), 0);
    unlink(gzpath);
    assert_int_equal(g->n, plain->n);
    for (i = 0; i < g->n; i++) {
        assert_int_equal(g->seg[i].seq, plain->seg[i].seq);
        assert_int_equal(g->seg[i].len, plain->seg[i].len);
        assert_int_equal(g->seg[i].ts_us, plain->seg[i].ts_us);
    }

    /* tshark -Y 'tcp.port == 46136' counts frames 23..41 */
    assert_int_equal(run_file(data_path(NDPI_NG), "tcp port 46136", g, err, sizeof err), 0);
    assert_int_equal(g->n, 19);

    assert_int_equal(run_file(data_path(NDPI_NG), "tcp port", g, err, sizeof err), -1);
    assert_non_null(strstr(err, "filter"));
    assert_int_equal(run_file("/nonexistent/x.pcap", NULL, g, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(run_file(data_path("make-synthetic.py"), NULL, g, err, sizeof err), -1);
    assert_non_null(strstr(err, "make-synthetic.py"));
    free(g);
    free(plain);
}

static void test_no_such_interface(void **state)
{
    kt_capture_config cfg;
    char err[512] = "";
    (void)state;
    kt_capture_config_defaults(&cfg);
    cfg.interface = "kt-no-such0";
    assert_null(kt_capture_open(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "kt-no-such0"));
}

/* Random bytes under every link type: no crash, no read out of bounds
 * (run under the sanitizers with --enable-sanitizers). */
static void test_garbage(void **state)
{
    static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,
                                DLT_LOOP, DLT_RAW, DLT_IPV4 };
    kt_segment s;
    kt_l3 l3;
    uint8_t *b;
    int i, j, k;
    (void)state;
    srand(1234);
    for (i = 0; i < 20000; i++) {
        uint32_t len = (uint32_t)rand() % 120;
        b = malloc(len ? len : 1);
        for (j = 0; j < (int)len; j++)
            b[j] = (uint8_t)rand();
        if (len > 20 && (rand() & 1))
            b[rand() % 20] = (rand() & 1) ? 0x45 : 0x60;     /* look like IP */
        for (k = 0; k < (int)(sizeof dlts / sizeof dlts[0]); k++)
            if (kt_decode_packet(dlts[k], b, len, len + (uint32_t)(rand() % 3), 1, &s, &l3) == KT_DEC_TCP) {
                assert_true(s.len <= len);
                assert_true(s.len == 0 || (s.payload >= b && s.payload + s.len <= b + len));
            }
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linux_cooked),
        cmocka_unit_test(test_vlan_ethernet),
        cmocka_unit_test(test_pcapng),
        cmocka_unit_test(test_other_link_types),
        cmocka_unit_test(test_synthetic_shapes),
        cmocka_unit_test(test_capture_defragments),
        cmocka_unit_test(test_capture_gzip_bpf_errors),
        cmocka_unit_test(test_no_such_interface),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
