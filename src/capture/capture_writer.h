/* capture_writer.h - the -w savefile, with tcpdump's rotation: -C (a new
 * file when the current one has grown past a size), -G (a new file every N
 * seconds, the -w name formatted by strftime) and -W (a ring of N files
 * with -C; stop after N files with -G).  Names are tcpdump's: FILE, FILE1,
 * FILE2... (zero-padded to the digits of N-1 with -W).
 *
 * Invariants: a file is closed before the next one is opened, so every
 * file on disk is a whole pcap; a packet is never split between files; a
 * -C file holds at most its limit plus the one packet that crossed it.
 */
#ifndef KT_CAPTURE_WRITER_H
#define KT_CAPTURE_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

typedef struct kt_writer_config {
    const char *path;          /* -w: the name, a strftime format with -G */
    uint64_t file_size;        /* -C in bytes, 0: no size rotation */
    uint32_t rotate_s;         /* -G seconds, 0: no time rotation */
    uint32_t file_count;       /* -W, 0: no limit */
    int quiet;                 /* -q: no notices on stderr */
} kt_writer_config;

typedef struct kt_writer kt_writer;

/* What kt_writer_packet did. */
enum kt_write_result {
    KT_WRITE_OK = 0,
    KT_WRITE_LIMIT,            /* -G with -W: the file limit is reached; the
                                  packet was not written, stop reading */
    KT_WRITE_ERROR             /* a file could not be opened (err says) */
};

/* Packets of link type `linktype` cut at `snaplen`.  Without -C and -G the
 * file is created now (as the user who started kafkatap); with them no
 * file is created until kt_writer_start.  NULL with err on failure. */
kt_writer *kt_writer_open(const kt_writer_config *cfg, int linktype, int snaplen,
                          char *err, size_t errlen);

/* Rotation only, once privileges are dropped: every file from here on is
 * created by the user kafkatap now runs as.  `now_s` is the clock of the
 * rotation (live: the wall clock) or -1 when it is the packets' time and
 * not known yet (files: the first file is then created at the first
 * packet, and only the directory is checked here).  -1 with err. */
int kt_writer_start(kt_writer *w, int64_t now_s, char *err, size_t errlen);

/* Writes one packet, rotating first when it is due; now_s is the clock -G
 * follows (live: the wall clock, as tcpdump; files: the packet's time). */
enum kt_write_result kt_writer_packet(kt_writer *w, const struct pcap_pkthdr *h,
                                      const u_char *data, int64_t now_s,
                                      char *err, size_t errlen);

/* Files created so far (a ring counts each reuse). */
uint64_t kt_writer_files(const kt_writer *w);

/* Closes the current file (creating the first one, named by now_s, if no
 * packet came) and frees w.  NULL is fine. */
void kt_writer_close(kt_writer *w, int64_t now_s);

#endif
