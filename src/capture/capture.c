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
#include "capture/capture_inputs.h"
#include "capture/capture_writer.h"
#include "capture/decode_link.h"
#include "capture/ip_defrag.h"
#include "capture/progress.h"

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
    kt_writer *out;                 /* -w, or NULL */
    char out_err[512];              /* -w: a file that could not be created */
    uint64_t count;                 /* -c, 0 = no limit */
    uint64_t duration_us;           /* --duration, 0 = no limit */
    uint64_t start_us;              /* live: wall clock at the start */
    int done;                       /* -c or --duration reached */
    int failed;                     /* ended by out_err */
    /* files (-r): read one after the other as one stream */
    kt_input_file *files;
    size_t nfiles, cur;
    const char *bpf;
    uint64_t gap_us;                /* --file-gap */
    int quiet;
    uint64_t bytes_before;          /* sizes of the files already read */
    uint64_t cur_read;              /* estimate of the current file's bytes read */
    kt_progress progress;
    /* --since / --until */
    kt_time_bound since, until;
    int seen;                       /* a packet was read */
    uint64_t stream_first_us;       /* the first packet's time */
    uint64_t since_us, until_us;    /* resolved, 0: none */
    int warm;                       /* this packet is before --since */
};

void kt_capture_config_defaults(kt_capture_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->snaplen = KT_SNAPLEN_MAX;
    cfg->promisc = 1;
    cfg->buffer_mb = 64;
    cfg->file_gap_s = KT_FILE_GAP_DEFAULT_S;
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

/* path, or when fd >= 0 the file open on fd, read from its start. */
static FILE *open_input(const char *path, int fd_open, char *err, size_t errlen)
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
    if (fd_open >= 0) {
        fd = dup(fd_open);
        fp = fd < 0 || lseek(fd, 0, SEEK_SET) < 0 ? NULL : fdopen(fd, "rb");
        if (!fp && fd >= 0)
            close(fd);
    } else {
        fp = fopen(path, "rb");
    }
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

/* Sets the BPF filter (none when bpf is NULL or empty).  Returns -1 with
 * err. */
static int set_filter(pcap_t *p, const char *bpf, char *err, size_t errlen)
{
    struct bpf_program prog;

    if (!bpf || !bpf[0])
        return 0;
    if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, errlen, "bad filter expression \"%s\": %s", bpf, pcap_geterr(p));
        return -1;
    }
    if (pcap_setfilter(p, &prog) < 0) {
        snprintf(err, errlen, "cannot set filter \"%s\": %s", bpf, pcap_geterr(p));
        pcap_freecode(&prog);
        return -1;
    }
    pcap_freecode(&prog);
    return 0;
}

/* Opens a file (or standard input) for reading, with the filter set.
 * Returns NULL with err written. */
static pcap_t *open_file(const char *path, int fd, const char *bpf, char *err,
                         size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    const char *name = strcmp(path, "-") ? path : "standard input";
    pcap_t *p;
    FILE *fp;
    int dlt;

    if (!(fp = open_input(path, fd, err, errlen)))
        return NULL;
    if (!(p = pcap_fopen_offline(fp, ebuf))) {
        fclose(fp);
        snprintf(err, errlen, "cannot read %s: %s", name, ebuf);
        return NULL;
    }
    dlt = pcap_datalink(p);
    if (!kt_decode_link_supported(dlt)) {
        const char *n = pcap_datalink_val_to_name(dlt);
        snprintf(err, errlen, "%s: link type %s (%d) is not supported", name,
                 n ? n : "unknown", dlt);
        pcap_close(p);
        return NULL;
    }
    if (set_filter(p, bpf, err, errlen) < 0) {
        pcap_close(p);
        return NULL;
    }
    return p;
}

/* Several files: reads each one's first packet and link type, then puts
 * them in the order of their first packets.  Returns -1 with err. */
static int survey_files(kt_capture *c, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    size_t i;

    for (i = 0; i < c->nfiles; i++) {
        kt_input_file *f = &c->files[i];
        pcap_t *p;

        /* kept open: after -Z the files may not be readable any more */
        f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
        if (f->fd < 0) {
            snprintf(err, errlen, "cannot open %s: %s", f->path, strerror(errno));
            return -1;
        }
        if (!(p = open_file(f->path, f->fd, NULL, err, errlen)))
            return -1;
        f->linktype = pcap_datalink(p);
        if (pcap_next_ex(p, &h, &data) == 1) {
            f->has_packets = 1;
            f->first_ts_us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
        }
        pcap_close(p);
    }
    kt_inputs_order(c->files, c->nfiles);
    return 0;
}

/* -w: one pcap for all the packets read, so several files must share a
 * link type; its header takes the link type and snap length of the input
 * (of the longest packets for several files). */
static kt_writer *open_output(kt_capture *c, const kt_capture_config *cfg,
                              char *err, size_t errlen)
{
    kt_writer_config wc = { cfg->write_file, cfg->write_file_size, cfg->rotate_s,
                            cfg->file_count, cfg->quiet };
    size_t i;

    for (i = 1; i < c->nfiles; i++)
        if (c->files[i].linktype != c->files[0].linktype) {
            snprintf(err, errlen, "cannot write %s: %s and %s have different link "
                     "types (one pcap holds one)", cfg->write_file, c->files[0].path,
                     c->files[i].path);
            return NULL;
        }
    return kt_writer_open(&wc, pcap_datalink(c->p),
                          c->nfiles > 1 ? KT_SNAPLEN_MAX : pcap_snapshot(c->p),
                          err, errlen);
}

int kt_capture_start_output(kt_capture *c, char *err, size_t errlen)
{
    if (!c->out)
        return 0;
    /* live: the wall clock names the first file, as tcpdump; files: their
     * first packet will */
    return kt_writer_start(c->out, c->live ? (int64_t)(wall_us() / 1000000) : -1,
                           err, errlen);
}

kt_capture *kt_capture_open(const kt_capture_config *cfg, char *err, size_t errlen)
{
    kt_capture *c = calloc(1, sizeof *c);

    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->bpf = cfg->bpf;
    if (cfg->read_file || cfg->nread_files) {
        const char *const *names = cfg->nread_files ? cfg->read_files : &cfg->read_file;
        size_t n = cfg->nread_files ? cfg->nread_files : 1;
        uint64_t total = 0;

        if (kt_inputs_expand(names, n, &c->files, &c->nfiles, err, errlen) < 0)
            goto fail;
        if (c->nfiles > 1 && survey_files(c, err, errlen) < 0)
            goto fail;
        if (!(c->p = open_file(c->files[0].path, c->files[0].fd, c->bpf, err, errlen)))
            goto fail;
        c->files[0].linktype = pcap_datalink(c->p);
        c->name = strdup(strcmp(c->files[0].path, "-") ? c->files[0].path
                                                       : "standard input");
        for (size_t i = 0; i < c->nfiles; i++)
            total += c->files[i].size;
        kt_progress_init(&c->progress, !cfg->quiet && strcmp(c->files[0].path, "-"),
                         total);
    } else if (cfg->interface) {
        c->name = strdup(cfg->interface);
        c->live = 1;
        if (!(c->p = open_live(cfg, err, errlen)))
            goto fail;
        c->dlt = pcap_datalink(c->p);
        if (!kt_decode_link_supported(c->dlt)) {
            const char *n = pcap_datalink_val_to_name(c->dlt);
            snprintf(err, errlen, "%s: link type %s (%d) is not supported", c->name,
                     n ? n : "unknown", c->dlt);
            goto fail;
        }
        if (set_filter(c->p, cfg->bpf, err, errlen) < 0)
            goto fail;
    } else {
        snprintf(err, errlen, "no capture file or interface given");
        goto fail;
    }
    c->dlt = pcap_datalink(c->p);
    if (cfg->write_file && !(c->out = open_output(c, cfg, err, errlen)))
        goto fail;
    c->gap_us = (uint64_t)((cfg->file_gap_s > 0 ? cfg->file_gap_s
                                                : KT_FILE_GAP_DEFAULT_S) * 1e6);
    c->quiet = cfg->quiet;
    c->since = cfg->since;
    c->until = cfg->until;
    if (kt_ipdefrag_open(on_datagram, c, err, errlen) < 0)
        goto fail;
    c->defrag_all = cfg->defrag_all_ipv4;
    c->count = cfg->count;
    c->duration_us = (uint64_t)(cfg->duration_s * 1e6);
    return c;
fail:
    kt_writer_close(c->out, -1);
    if (c->p)
        pcap_close(c->p);
    kt_inputs_free(c->files, c->nfiles);
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
        if (!c->warm)
            c->st.tcp_segments++;
        c->fn(c->ctx, &seg, ts);
        break;
    case KT_DEC_FRAGMENT:
        if (l3->caplen == l3->wirelen) {
            kt_ipdefrag_feed(l3->p, l3->caplen, ts);
        } else {                    /* a cut fragment cannot be reassembled */
            kt_anomaly_add(KT_AN_TRUNCATED_PACKET, 1);
            c->st.non_tcp += !c->warm;
        }
        break;
    default:
        c->st.non_tcp += !c->warm;
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

/* --since / --until in microseconds since the epoch, once the first
 * packet's time is known. */
static uint64_t resolve_bound(const kt_time_bound *b, uint64_t first_us)
{
    int64_t v;
    if (!b->set)
        return 0;
    v = b->relative ? (int64_t)first_us + b->us : b->us;
    return v > 0 ? (uint64_t)v : 1;
}

/* Files: how far through the input we are, in bytes. */
static uint64_t bytes_read(kt_capture *c)
{
    FILE *fp = pcap_file(c->p);
    long pos = fp ? ftell(fp) : -1;
    if (pos < 0)                    /* compressed: its size says nothing */
        c->progress.total_bytes = 0;
    return c->bytes_before + (pos >= 0 ? (uint64_t)pos : c->cur_read);
}

/* -w: saves the packet, rotating on -G's clock (live: the wall clock, as
 * tcpdump; files: the packet's own time, so a file is cut by the times
 * it holds).  -1 ends the input: the -W file limit, or a file that could
 * not be created (kt_capture_run then fails with its message). */
static int write_packet(kt_capture *c, const struct pcap_pkthdr *h, const u_char *data)
{
    int64_t now_s = c->live ? (int64_t)(wall_us() / 1000000) : (int64_t)h->ts.tv_sec;

    switch (kt_writer_packet(c->out, h, data, now_s, c->out_err, sizeof c->out_err)) {
    case KT_WRITE_OK:
        return 0;
    case KT_WRITE_LIMIT:
        break;
    case KT_WRITE_ERROR:
        c->failed = 1;
        break;
    }
    c->done = 1;
    pcap_breakloop(c->p);
    return -1;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    kt_capture *c = (kt_capture *)user;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
    kt_l3 l3;

    if (c->done)
        return;                     /* the rest of a batch after -c */
    if (!c->seen) {
        c->seen = 1;
        c->stream_first_us = ts;
        c->since_us = resolve_bound(&c->since, ts);
        c->until_us = resolve_bound(&c->until, ts);
    }
    if (c->until_us && ts >= c->until_us) {
        c->done = 1;                /* --until: the input ends here */
        pcap_breakloop(c->p);
        return;
    }
    if (c->nfiles) {
        kt_input_file *f = &c->files[c->cur];
        if (!f->packets++) {
            f->has_packets = 1;
            f->first_ts_us = ts;
        }
        f->last_ts_us = ts;
        c->cur_read += 16 + h->caplen;
        kt_progress_update(&c->progress, bytes_read(c), c->st.packets);
    }
    /* before --since: fed on (connections and pending requests), counted
     * nowhere */
    c->warm = c->since_us && ts < c->since_us;
    if (!c->warm && c->duration_us && !c->live && c->st.packets &&
        ts - c->st.first_ts_us >= c->duration_us) {
        c->done = 1;                /* a file: --duration of capture time */
        pcap_breakloop(c->p);
        return;
    }
    if (c->out && write_packet(c, h, data) < 0)
        return;                     /* -W reached, or a file not created */
    if (!c->warm) {
        if (!c->st.packets)
            c->st.first_ts_us = ts;
        c->st.packets++;
        if (c->count && c->st.packets >= c->count) {
            c->done = 1;
            pcap_breakloop(c->p);
        }
        c->st.bytes += h->len > h->caplen ? h->len : h->caplen;
        c->st.last_ts_us = ts;
    }
    if (kt_decode_link(c->dlt, data, h->caplen, h->len, &l3) != KT_DEC_TCP) {
        c->st.non_tcp += !c->warm;
        return;
    }
    if (c->defrag_all && l3.version == 4) {
        kt_ipdefrag_feed(l3.p, l3.caplen, ts);
        return;
    }
    emit(c, &l3, ts);
}

/* Several files: the next one in time order replaces the handle (the
 * reassembly and the session do not notice).  Returns 1 when there is a
 * next file, 0 at the end, -1 with err. */
static int next_file(kt_capture *c, char *err, size_t errlen)
{
    kt_input_file *f;
    FILE *fp = pcap_file(c->p);
    char ebuf[64];
    long pos = fp ? ftell(fp) : -1;

    if (c->cur + 1 >= c->nfiles)
        return 0;
    c->bytes_before += c->files[c->cur].size ? c->files[c->cur].size
                       : pos >= 0 ? (uint64_t)pos : c->cur_read;
    c->cur_read = 0;
    pcap_close(c->p);
    c->p = NULL;
    if (c->files[c->cur].fd >= 0)
        close(c->files[c->cur].fd);
    c->files[c->cur].fd = -1;
    c->cur++;
    f = &c->files[c->cur];
    if (!(c->p = open_file(f->path, f->fd, c->bpf, err, errlen)))
        return -1;
    c->dlt = f->linktype = pcap_datalink(c->p);
    free(c->name);
    c->name = strdup(f->path);
    switch (kt_inputs_check_gap(c->files, c->cur, c->gap_us)) {
    case KT_GAP_LATE:
        kt_anomaly_add(KT_AN_FILE_GAP, 1);
        break;
    case KT_GAP_OVERLAP:
        kt_anomaly_add(KT_AN_FILE_OVERLAP, 1);
        break;
    default:
        return 1;
    }
    if (!c->quiet) {
        double g = (double)f->gap_us / 1e6;
        kt_progress_end(&c->progress);
        snprintf(ebuf, sizeof ebuf, g >= 0 ? "%.3f s missing" : "overlapping by %.3f s",
                 g >= 0 ? g : -g);
        fprintf(stderr, "kafkatap: notice: %s between %s and %s\n", ebuf,
                c->files[f->gap_after].path, f->path);
    }
    return 1;
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
            if (!c->live && c->files[c->cur].packets) {
                /* A capture cut off mid-packet (tcpdump killed): keep what
                 * was read, count it, say so once. */
                kt_anomaly_add(KT_AN_TRUNCATED_PACKET, 1);
                kt_progress_end(&c->progress);
                fprintf(stderr, "kafkatap: warning: %s: %s; stopped reading there\n",
                        c->name, pcap_geterr(c->p));
                n = 0;              /* on to the next file, if any */
            } else {
                snprintf(err, errlen, "error reading %s: %s", c->name,
                         pcap_geterr(c->p));
                kt_progress_end(&c->progress);
                return -1;
            }
        }
        if (!c->live) {
            if (n == 0) {           /* end of file */
                int more = next_file(c, err, errlen);
                if (more < 0) {
                    kt_progress_end(&c->progress);
                    return -1;
                }
                if (more)
                    continue;
                break;
            }
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
    kt_progress_end(&c->progress);
    if (c->failed) {
        snprintf(err, errlen, "%s", c->out_err);
        return -1;
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

size_t kt_capture_inputs(const kt_capture *c, const kt_input_file **out)
{
    *out = c->files;
    return c->nfiles;
}

void kt_capture_window(const kt_capture *c, uint64_t *since_us, uint64_t *until_us)
{
    *since_us = c->since_us;
    *until_us = c->until_us;
}

void kt_capture_close(kt_capture *c)
{
    if (!c)
        return;
    kt_ipdefrag_close();
    kt_writer_close(c->out, (int64_t)((c->live || !c->seen ? wall_us()
                                       : c->st.last_ts_us) / 1000000));
    if (c->p)
        pcap_close(c->p);
    kt_inputs_free(c->files, c->nfiles);
    free(c->name);
    free(c);
}
