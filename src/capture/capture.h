/* capture.h - packets in: libpcap (files, pcapng, stdin, gzip, live
 * interfaces, BPF), link-layer and IP decoding, IPv4 defragmentation through
 * libnids, TCP header decoding.  Out: kt_segment values for the reassembler.
 */
#ifndef KT_CAPTURE_H
#define KT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include "reassembly/tcp_reassembly.h"

/* Live capture's snap length: the default, and the largest -s accepts
 * (whole packets; libpcap's own maximum). */
#define KT_SNAPLEN_MAX 262144

typedef struct kt_capture_config {
    const char *read_file;     /* -r: path, "-" for stdin; NULL for live */
    const char *interface;     /* -i */
    const char *bpf;           /* filter expression, or NULL */
    int snaplen;               /* live: default KT_SNAPLEN_MAX */
    int promisc;               /* live: default 1 */
    int buffer_mb;             /* live: kernel buffer size, default 64 */
    int defrag_all_ipv4;       /* route every IPv4 datagram through libnids,
                                  not only fragments (measurement only:
                                  libnids drops snaplen-cut datagrams) */
    uint64_t count;            /* -c: stop after this many packets, 0 = no limit */
    double duration_s;         /* --duration: stop after this long (live: wall
                                  clock; files: capture time since the first
                                  packet), 0 = no limit */
    const char *write_file;    /* -w: save every packet read here (pcap) */
} kt_capture_config;

typedef struct kt_capture_stats {
    uint64_t packets;          /* packets read */
    uint64_t bytes;            /* wire bytes of those packets */
    uint64_t first_ts_us, last_ts_us;
    uint64_t dropped;          /* pcap_stats ps_drop (live) */
    uint64_t if_dropped;       /* pcap_stats ps_ifdrop (live) */
    uint64_t tcp_segments;     /* TCP segments handed on */
    uint64_t non_tcp;          /* packets that were not TCP over IP */
} kt_capture_stats;

typedef struct kt_capture kt_capture;

/* Called for every TCP segment, and with seg == NULL and now_us (the wall
 * clock) at least every KT_CAPTURE_TICK_MS while a live capture is quiet,
 * and after a signal interrupts the wait (so timers run on a quiet link). */
typedef void (*kt_segment_fn)(void *ctx, const kt_segment *seg, uint64_t now_us);

/* Fills the defaults above (file and interface NULL). */
void kt_capture_config_defaults(kt_capture_config *cfg);

/* How long a live capture waits for packets before ticking. */
#define KT_CAPTURE_TICK_MS 200

/* Opens the file or interface (and the -w file).  On failure returns NULL
 * and writes one human-readable line to err. */
kt_capture *kt_capture_open(const kt_capture_config *cfg, char *err, size_t errlen);
/* Reads until end of file, the -c count or --duration is reached, *stop
 * becomes non-zero, or an error (returns -1 and writes err).  Returns 0 at
 * end of input or on stop.  A live capture never blocks longer than
 * KT_CAPTURE_TICK_MS, so *stop is seen within that time even when no
 * packet arrives; kt_capture_breakloop() (async-signal-safe) wakes it at
 * once, and also ends a wait on standard input. */
int kt_capture_run(kt_capture *c, kt_segment_fn fn, void *ctx,
                   volatile sig_atomic_t *stop, char *err, size_t errlen);
/* Counters so far (live: includes pcap_stats drops). */
void kt_capture_get_stats(kt_capture *c, kt_capture_stats *out);
int kt_capture_is_live(const kt_capture *c);
/* From a signal handler: makes kt_capture_run return promptly. */
void kt_capture_breakloop(kt_capture *c);
/* tcpdump's closing lines on out (live only: "N packets captured", "N
 * packets received by filter", "N packets dropped by kernel"). */
void kt_capture_print_counts(kt_capture *c, FILE *out);
void kt_capture_close(kt_capture *c);

#endif
