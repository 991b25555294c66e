/* capture.c - packets in (libpcap: files, pcapng, stdin, gzip, live
 * interfaces, BPF), TCP segments out, through decode_link and, for IPv4
 * fragments, ip_defrag (libnids). */
#include "config.h"                /* first: _GNU_SOURCE for fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <zlib.h>
#include "common/anomaly.h"
#include "capture/capture.h"
#include "capture/decode_link.h"
#include "capture/ip_defrag.h"

/* libpcap's buffer timeout: how long the kernel holds packets before
 * handing a block over. */
#define KT_LIVE_TIMEOUT_MS 200

struct kt_capture {
    pcap_t *p;
    int live;
    int dlt;
    int defrag_all;
    char *name;                     /* file or interface, for messages */
    kt_capture_stats st;
    kt_segment_fn fn;
    void *ctx;
    pcap_dumper_t *dump;            /* -w, or NULL */
    uint64_t count;                 /* -c, 0 = no limit */
    uint64_t duration_us;           /* --duration, 0 = no limit */
    uint64_t start_us;              /* live: wall clock at the start */
    int done;                       /* -c or --duration reached */
};

void kt_capture_config_defaults(kt_capture_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->snaplen = KT_SNAPLEN_MAX;
    cfg->promisc = 1;
    cfg->buffer_mb = 64;
}

static uint64_t wall_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

/* ---- gzip (and pipes) through zlib ---------------------------------- */

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size)
{
    unsigned n = size > (1u << 30) ? (1u << 30) : (unsigned)size;
    int r = gzread((gzFile)cookie, buf, n);
    return r < 0 ? -1 : r;
}

static int gz_cookie_close(void *cookie)
{
    return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

/* A FILE that reads fd through zlib: gzip is inflated, anything else is
 * passed through unchanged.  Takes ownership of fd. */
static FILE *gz_fdopen(int fd)
{
    cookie_io_functions_t io = { gz_cookie_read, NULL, NULL, gz_cookie_close };
    gzFile g = gzdopen(fd, "rb");
    FILE *fp;

    if (!g) {
        close(fd);
        return NULL;
    }
    gzbuffer(g, 256 * 1024);
    fp = fopencookie(g, "r", io);
    if (!fp)
        gzclose(g);
    return fp;
}

static FILE *open_input(const char *path, char *err, size_t errlen)
{
    unsigned char magic[2];
    struct stat sb;
    FILE *fp;
    int fd;

    if (strcmp(path, "-") == 0) {
        fd = dup(STDIN_FILENO);
        if (fd < 0 || !(fp = gz_fdopen(fd))) {
            snprintf(err, errlen, "cannot read standard input: %s", strerror(errno));
            return NULL;
        }
        return fp;
    }
    fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(fp);
        snprintf(err, errlen, "cannot read %s: it is a directory", path);
        return NULL;
    }
    if (S_ISREG(sb.st_mode)) {
        size_t n = fread(magic, 1, 2, fp);
        if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
            /* gzip: fall through to zlib */
        } else if (fseek(fp, 0, SEEK_SET) == 0) {
            return fp;              /* plain file: libpcap reads it directly */
        }
        if (fseek(fp, 0, SEEK_SET) != 0) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            fclose(fp);
            return NULL;
        }
    }
    /* gzip, or a pipe (zlib passes plain data through) */
    fd = dup(fileno(fp));
    fclose(fp);
    if (fd < 0 || !(fp = gz_fdopen(fd))) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    return fp;
}

/* ---- opening ------------------------------------------------------- */

static pcap_t *open_live(const kt_capture_config *cfg, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(cfg->interface, ebuf);
    int rc;

    if (!p) {
        snprintf(err, errlen, "cannot capture on %s: %s", cfg->interface, ebuf);
        return NULL;
    }
    pcap_set_snaplen(p, cfg->snaplen > 0 ? cfg->snaplen : KT_SNAPLEN_MAX);
    pcap_set_promisc(p, cfg->promisc);
    pcap_set_buffer_size(p, (cfg->buffer_mb > 0 ? cfg->buffer_mb : 64) << 20);
    pcap_set_timeout(p, KT_LIVE_TIMEOUT_MS);
    rc = pcap_activate(p);
    if (rc < 0) {
        switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            snprintf(err, errlen, "no such interface: %s", cfg->interface);
            break;
        case PCAP_ERROR_PERM_DENIED:
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            snprintf(err, errlen,
                     "cannot capture on %s: permission denied (run as root or "
                     "grant CAP_NET_RAW and CAP_NET_ADMIN)", cfg->interface);
            break;
        case PCAP_ERROR_IFACE_NOT_UP:
            snprintf(err, errlen, "cannot capture on %s: interface is down",
                     cfg->interface);
            break;
        default:
            snprintf(err, errlen, "cannot capture on %s: %s", cfg->interface,
                     pcap_geterr(p)[0] ? pcap_geterr(p) : pcap_statustostr(rc));
        }
        pcap_close(p);
        return NULL;
    }
    return p;
}

static void on_datagram(void *ctx, const uint8_t *ip, uint32_t len,
                        int reassembled, uint64_t ts_us);

kt_capture *kt_capture_open(const kt_capture_config *cfg, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    kt_capture *c = calloc(1, sizeof *c);
    struct bpf_program prog;
    FILE *fp;

    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (cfg->read_file) {
        c->name = strdup(strcmp(cfg->read_file, "-") ? cfg->read_file : "standard input");
        if (!(fp = open_input(cfg->read_file, err, errlen)))
            goto fail;
        c->p = pcap_fopen_offline(fp, ebuf);
        if (!c->p) {
            fclose(fp);
            snprintf(err, errlen, "cannot read %s: %s", c->name, ebuf);
            goto fail;
        }
    } else if (cfg->interface) {
        c->name = strdup(cfg->interface);
        c->live = 1;
        if (!(c->p = open_live(cfg, err, errlen)))
            goto fail;
    } else {
        snprintf(err, errlen, "no capture file or interface given");
        goto fail;
    }
    c->dlt = pcap_datalink(c->p);
    if (!kt_decode_link_supported(c->dlt)) {
        const char *n = pcap_datalink_val_to_name(c->dlt);
        snprintf(err, errlen, "%s: link type %s (%d) is not supported", c->name,
                 n ? n : "unknown", c->dlt);
        goto fail;
    }
    if (cfg->bpf && cfg->bpf[0]) {
        if (pcap_compile(c->p, &prog, cfg->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(err, errlen, "bad filter expression \"%s\": %s", cfg->bpf,
                     pcap_geterr(c->p));
            goto fail;
        }
        if (pcap_setfilter(c->p, &prog) < 0) {
            snprintf(err, errlen, "cannot set filter \"%s\": %s", cfg->bpf,
                     pcap_geterr(c->p));
            pcap_freecode(&prog);
            goto fail;
        }
        pcap_freecode(&prog);
    }
    if (cfg->write_file) {
        c->dump = pcap_dump_open(c->p, cfg->write_file);
        if (!c->dump) {
            snprintf(err, errlen, "cannot write %s: %s", cfg->write_file,
                     pcap_geterr(c->p));
            goto fail;
        }
    }
    if (kt_ipdefrag_open(on_datagram, c, err, errlen) < 0)
        goto fail;
    c->defrag_all = cfg->defrag_all_ipv4;
    c->count = cfg->count;
    c->duration_us = (uint64_t)(cfg->duration_s * 1e6);
    return c;
fail:
    if (c->dump)
        pcap_dump_close(c->dump);
    if (c->p)
        pcap_close(c->p);
    free(c->name);
    free(c);
    return NULL;
}

/* ---- reading ------------------------------------------------------- */

static void emit(kt_capture *c, kt_l3 *l3, uint64_t ts)
{
    kt_segment seg;

    switch (kt_decode_ip(l3, ts, &seg)) {
    case KT_DEC_TCP:
        c->st.tcp_segments++;
        c->fn(c->ctx, &seg, ts);
        break;
    case KT_DEC_FRAGMENT:
        if (l3->caplen == l3->wirelen) {
            kt_ipdefrag_feed(l3->p, l3->caplen, ts);
        } else {                    /* a cut fragment cannot be reassembled */
            kt_anomaly_add(KT_AN_TRUNCATED_PACKET, 1);
            c->st.non_tcp++;
        }
        break;
    default:
        c->st.non_tcp++;
    }
}

static void on_datagram(void *ctx, const uint8_t *ip, uint32_t len,
                        int reassembled, uint64_t ts_us)
{
    kt_capture *c = ctx;
    kt_l3 l3 = { ip, len, len, 4 };

    (void)reassembled;
    if (c->fn)
        emit(c, &l3, ts_us);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    kt_capture *c = (kt_capture *)user;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
    kt_l3 l3;

    if (c->done)
        return;                     /* the rest of a batch after -c */
    if (c->duration_us && !c->live && c->st.packets &&
        ts - c->st.first_ts_us >= c->duration_us) {
        c->done = 1;                /* a file: --duration of capture time */
        pcap_breakloop(c->p);
        return;
    }
    if (!c->st.packets)
        c->st.first_ts_us = ts;
    c->st.packets++;
    if (c->count && c->st.packets >= c->count) {
        c->done = 1;
        pcap_breakloop(c->p);
    }
    if (c->dump)
        pcap_dump((u_char *)c->dump, h, data);
    c->st.bytes += h->len > h->caplen ? h->len : h->caplen;
    c->st.last_ts_us = ts;
    if (kt_decode_link(c->dlt, data, h->caplen, h->len, &l3) != KT_DEC_TCP) {
        c->st.non_tcp++;
        return;
    }
    if (c->defrag_all && l3.version == 4) {
        kt_ipdefrag_feed(l3.p, l3.caplen, ts);
        return;
    }
    emit(c, &l3, ts);
}

/* Live: waits up to KT_CAPTURE_TICK_MS for the capture to be readable.  A
 * signal ends the wait early (poll is never restarted). */
static void wait_readable(kt_capture *c)
{
    struct pollfd pfd;

    pfd.fd = pcap_get_selectable_fd(c->p);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (pfd.fd >= 0)
        (void)poll(&pfd, 1, KT_CAPTURE_TICK_MS);
}

int kt_capture_run(kt_capture *c, kt_segment_fn fn, void *ctx,
                   volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    uint64_t last_tick, now;
    char ebuf[PCAP_ERRBUF_SIZE];
    int n;

    c->fn = fn;
    c->ctx = ctx;
    c->start_us = last_tick = wall_us();
    /* Live: never block inside libpcap; wait in poll() with a timeout
     * instead, so a quiet link still ticks and sees *stop. */
    if (c->live && pcap_setnonblock(c->p, 1, ebuf) < 0) {
        snprintf(err, errlen, "cannot read %s: %s", c->name, ebuf);
        return -1;
    }
    while (!(stop && *stop) && !c->done) {
        n = pcap_dispatch(c->p, c->live ? -1 : 4096, on_packet, (u_char *)c);
        if (stop && *stop)
            break;                  /* interrupted, maybe inside a read */
        if (n == PCAP_ERROR_BREAK)
            continue;               /* -c, --duration or a signal: the loop test */
        if (n == PCAP_ERROR) {
            if (!c->live && c->st.packets) {
                /* A capture cut off mid-packet (tcpdump killed): keep what
                 * was read, count it, say so once. */
                kt_anomaly_add(KT_AN_TRUNCATED_PACKET, 1);
                fprintf(stderr, "kafkatap: warning: %s: %s; stopped reading there\n",
                        c->name, pcap_geterr(c->p));
                break;
            }
            snprintf(err, errlen, "error reading %s: %s", c->name, pcap_geterr(c->p));
            return -1;
        }
        if (!c->live) {
            if (n == 0)
                break;              /* end of file */
            continue;
        }
        if (n == 0)
            wait_readable(c);
        now = wall_us();
        if (c->duration_us && now - c->start_us >= c->duration_us)
            c->done = 1;
        if (n == 0 || now - last_tick >= KT_CAPTURE_TICK_MS * 1000ull) {
            last_tick = now;
            fn(ctx, NULL, now);
        }
    }
    return 0;
}

void kt_capture_get_stats(kt_capture *c, kt_capture_stats *out)
{
    struct pcap_stat ps;

    if (c->live && pcap_stats(c->p, &ps) == 0) {
        c->st.dropped = ps.ps_drop;
        c->st.if_dropped = ps.ps_ifdrop;
    }
    *out = c->st;
}

int kt_capture_is_live(const kt_capture *c)
{
    return c->live;
}

void kt_capture_breakloop(kt_capture *c)
{
    if (c && c->p)
        pcap_breakloop(c->p);
}

void kt_capture_print_counts(kt_capture *c, FILE *out)
{
    kt_capture_stats st;
    struct pcap_stat ps;

    if (!c->live)
        return;
    kt_capture_get_stats(c, &st);
    fprintf(out, "%llu packet%s captured\n", (unsigned long long)st.packets,
            st.packets == 1 ? "" : "s");
    if (pcap_stats(c->p, &ps) == 0) {
        fprintf(out, "%u packet%s received by filter\n", ps.ps_recv,
                ps.ps_recv == 1 ? "" : "s");
        fprintf(out, "%u packet%s dropped by kernel\n", ps.ps_drop,
                ps.ps_drop == 1 ? "" : "s");
        if (ps.ps_ifdrop)
            fprintf(out, "%u packet%s dropped by interface\n", ps.ps_ifdrop,
                    ps.ps_ifdrop == 1 ? "" : "s");
    }
}

void kt_capture_close(kt_capture *c)
{
    if (!c)
        return;
    kt_ipdefrag_close();
    if (c->dump)
        pcap_dump_close(c->dump);
    pcap_close(c->p);
    free(c->name);
    free(c);
}
