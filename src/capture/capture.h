/* capture.h - packets in: libpcap (files, pcapng, stdin, gzip, live
 * interfaces, BPF), link-layer and IP decoding, IPv4 defragmentation through
 * libnids, TCP header decoding.  Out: kt_segment values for the reassembler.
 */
#ifndef KT_CAPTURE_H
#define KT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
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

/* Called for every TCP segment, and with seg == NULL and now_us set when a
 * live capture's read times out (so timers can run on a quiet link). */
typedef void (*kt_segment_fn)(void *ctx, const kt_segment *seg, uint64_t now_us);

/* Fills the defaults above (file and interface NULL). */
void kt_capture_config_defaults(kt_capture_config *cfg);

/* Opens the file or interface.  On failure returns NULL and writes one
 * human-readable line to err. */
kt_capture *kt_capture_open(const kt_capture_config *cfg, char *err, size_t errlen);
/* Reads until end of file, *stop becomes non-zero, or an error (returns -1
 * and writes err).  Returns 0 at end of input or on stop. */
int kt_capture_run(kt_capture *c, kt_segment_fn fn, void *ctx,
                   volatile sig_atomic_t *stop, char *err, size_t errlen);
/* Counters so far (live: includes pcap_stats drops). */
void kt_capture_get_stats(kt_capture *c, kt_capture_stats *out);
int kt_capture_is_live(const kt_capture *c);
void kt_capture_close(kt_capture *c);

#endif
