/* kafka_framing.h - one direction of a TCP stream cut into Kafka frames.
 *
 * Kafka frames are an int32 size followed by that many bytes.  The framer
 * takes in-order bytes (and holes) from TCP reassembly and hands complete
 * frames to its owner, across any segmentation:
 *   - frames wholly inside one delivery are handed on in place (no copy);
 *     a frame that spans deliveries is gathered in a buffer that never holds
 *     more than one frame plus a header's worth of bytes;
 *   - a size prefix above max_frame (or below the smallest header) marks the
 *     stream desynchronised; it is never allocated;
 *   - out of sync (a connection picked up mid-stream, after a hole, or after
 *     a bad frame) the framer looks for the next frame boundary byte by byte,
 *     asking the owner's `candidate` test, and counts the bytes it skips.
 *     A candidate that asks for more bytes waits (a few at a time) while
 *     the search goes on past it, and is asked again when the stream has
 *     reached the length it named, with exactly that many bytes; every
 *     question is asked with the stream cut where it would have been had
 *     the bytes come one at a time, never with whatever a delivery happened
 *     to bring.  So the search, and where it ends, depend only on the bytes
 *     of the stream, not on how they were segmented;
 *   - a hole inside a frame of known size keeps the framer in sync: the
 *     frame is handed on truncated (what was captured of it) and the rest
 *     of it is skipped.
 * Each frame carries the capture time of the delivery that held its first
 * byte and of the one that completed it.
 */
#ifndef KT_KAFKA_FRAMING_H
#define KT_KAFKA_FRAMING_H

#include <stddef.h>
#include <stdint.h>
#include "common/memcap.h"

typedef struct kt_frame {
    const uint8_t *data;     /* the bytes after the size prefix */
    size_t len;              /* bytes present in data */
    size_t size;             /* the frame's size prefix (len < size if truncated) */
    uint64_t first_ts_us;    /* capture time of the first byte (size prefix) */
    uint64_t last_ts_us;     /* capture time of the last byte */
    int truncated;           /* a hole cut it: only its first len bytes exist */
} kt_frame;

enum kt_candidate_answer { KT_CAND_NO = 0, KT_CAND_YES, KT_CAND_MORE };

enum kt_frame_answer { KT_FRAME_OK = 0, KT_FRAME_DESYNC };

typedef struct kt_framer_ops {
    /* A frame.  Return KT_FRAME_DESYNC if its content shows the stream is
     * not really at a frame boundary (the framer then searches again from
     * the byte after this frame's start). */
    int (*frame)(void *ctx, const kt_frame *f);
    /* Out of sync: does a frame (size prefix included) start at p?  avail
     * bytes are readable.  KT_CAND_MORE asks for more bytes: *need (more
     * than avail; else avail + 1) is how many to wait for before asking
     * again.  The framer only honours it below KT_CANDIDATE_MAX bytes.  The
     * answer must depend only on the avail bytes at p (and the owner's
     * state), and a yes or no must not turn back into KT_CAND_MORE. */
    int (*candidate)(void *ctx, const uint8_t *p, size_t avail, size_t *need);
} kt_framer_ops;

/* How far ahead a candidate may ask to see: a frame up to this size is
 * checked whole (its body must decode) before the framer trusts it; larger
 * ones are taken on their header.  Also the most a direction buffers while
 * out of sync. */
#define KT_CANDIDATE_MAX (1024 * 1024)

#define KT_FRAMER_MARKS 64
#define KT_FRAMER_WAITS 8

typedef struct kt_framer {
    const kt_framer_ops *ops;
    void *ctx;
    size_t max_frame;
    int synced;
    uint8_t *buf;            /* gathered bytes not yet handed on */
    size_t len, cap;
    uint64_t discard;        /* bytes still to skip (rest of a cut frame) */
    struct { size_t off; uint64_t ts; } mark[KT_FRAMER_MARKS]; /* buf offset -> capture time */
    int nmarks;
    struct { size_t off, need; } wait[KT_FRAMER_WAITS]; /* out of sync:
                                candidates waiting for buf to reach off + need
                                bytes, in offset order */
    int nwait;
    size_t scan_pos;         /* out of sync: first offset not yet ruled out
                                nor sent to wait */
    size_t scan_need;        /* bytes from scan_pos its candidate waits for
                                (0: not asked yet) */
    size_t clock;            /* out of sync: buffer length at which the search
                                last asked (questions are asked in the order
                                of the lengths they wait for) */
    uint64_t frames;         /* frames handed on */
    uint64_t skipped;        /* bytes skipped while out of sync */
    uint64_t desyncs;
    kt_memcap *mem;          /* charged with cap; NULL: not accounted */
} kt_framer;

/* Default cap of the account that all framers of a session charge for
 * their buffers (frames that span deliveries, bytes searched while out of
 * sync): a framer whose buffer would grow past it hands its frame on
 * truncated and skips the rest of it (or, out of sync, drops what it
 * holds), counted as KT_AN_FRAME_BUFFER_TOTAL. */
#define KT_FRAMER_TOTAL_BUDGET ((size_t)256 << 20)

/* mem: the account the buffer's capacity is charged to (shared by the
 * framers of a session; its anomaly should be KT_AN_FRAME_BUFFER_TOTAL);
 * NULL: none, no cap. */
void kt_framer_init(kt_framer *f, const kt_framer_ops *ops, void *ctx,
                    size_t max_frame, int synced, kt_memcap *mem);
void kt_framer_data(kt_framer *f, const uint8_t *p, size_t len, uint64_t ts_us);
void kt_framer_gap(kt_framer *f, uint64_t missed, uint64_t ts_us);
/* Forget everything buffered and search for a boundary again (counted as
 * a desync when the framer was in sync). */
void kt_framer_desync(kt_framer *f);
/* Forget everything buffered, silently: the owner changed its mind about
 * what the stream is. */
void kt_framer_reset(kt_framer *f, int synced);
void kt_framer_free(kt_framer *f);

#endif
