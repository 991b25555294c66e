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

/* A time bound of --since / --until: absolute (microseconds since the
 * epoch) or an offset from the first packet of the input. */
typedef struct kt_time_bound {
    int set;
    int relative;              /* us is an offset from the first packet */
    int64_t us;
} kt_time_bound;

/* Between two input files, the next one's first packet more than this
 * after the last one's last packet is reported as a gap (--file-gap). */
#define KT_FILE_GAP_DEFAULT_S 10

typedef struct kt_capture_config {
    const char *read_file;     /* -r: path, "-" for stdin; NULL for live */
    const char *const *read_files; /* several -r, globs and file operands:
                                  when set (nread_files >= 1) it replaces
                                  read_file; "-" only alone */
    size_t nread_files;
    double file_gap_s;         /* --file-gap */
    kt_time_bound since, until;/* --since, --until: packets at or after
                                  until end the input; packets before since
                                  are fed on but not counted */
    int quiet;                 /* -q: no progress line on a terminal's
                                  stderr, no notices of gaps between files */
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
    uint64_t write_file_size;  /* -C: bytes, 0 = no size rotation */
    uint32_t rotate_s;         /* -G: seconds, 0 = no time rotation */
    uint32_t file_count;       /* -W: ring of files (-C), files (-G) */
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

/* One input file, in the order read (time order of first packets). */
enum kt_gap_kind { KT_GAP_NONE = 0, KT_GAP_LATE, KT_GAP_OVERLAP };
typedef struct kt_input_file {
    char *path;
    uint64_t size;             /* bytes on disk */
    int linktype;
    int has_packets;           /* it holds at least one packet */
    uint64_t first_ts_us;      /* its first packet (whether counted or not) */
    uint64_t last_ts_us;       /* the last packet read from it */
    uint64_t packets;          /* packets read from it */
    int gap;                   /* enum kt_gap_kind, from the last file with
                                  packets before it */
    int64_t gap_us;            /* first_ts_us minus that file's last_ts_us */
    size_t gap_after;          /* index of that file */
    int fd;                    /* several files: opened before privileges
                                  are dropped (-Z), until read; else -1 */
} kt_input_file;

typedef struct kt_capture kt_capture;

/* Called for every TCP segment, and with seg == NULL and now_us (the wall
 * clock) at least every KT_CAPTURE_TICK_MS while a live capture is quiet,
 * and after a signal interrupts the wait (so timers run on a quiet link). */
typedef void (*kt_segment_fn)(void *ctx, const kt_segment *seg, uint64_t now_us);

/* Fills the defaults above (file and interface NULL). */
void kt_capture_config_defaults(kt_capture_config *cfg);

/* How long a live capture waits for packets before ticking. */
#define KT_CAPTURE_TICK_MS 200

/* Opens the file or interface (and the -w file, unless it rotates).  On
 * failure returns NULL and writes one human-readable line to err. */
kt_capture *kt_capture_open(const kt_capture_config *cfg, char *err, size_t errlen);
/* Once privileges are dropped: -w with -C or -G creates its first file
 * (live) or checks its directory (files), as the user it now runs as, the
 * user every later file is created by.  -1 with err. */
int kt_capture_start_output(kt_capture *c, char *err, size_t errlen);
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
/* The input files in the order read (one for a single -r, none live);
 * their counts are final once kt_capture_run has returned. */
size_t kt_capture_inputs(const kt_capture *c, const kt_input_file **out);
/* The --since / --until bounds in microseconds since the epoch, resolved
 * at the first packet (0: unset or not yet known). */
void kt_capture_window(const kt_capture *c, uint64_t *since_us, uint64_t *until_us);
void kt_capture_close(kt_capture *c);

#endif
