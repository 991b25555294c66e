/* tcp_reassembly.h - TCP segments in, ordered byte streams out.
 *
 * kafkatap's own reassembler (libnids loses connections after one missing
 * segment, see README).  It keeps a bounded table of connections and, per
 * direction, delivers payload bytes in sequence order exactly once:
 *   - retransmissions and overlaps are trimmed (counted);
 *   - segments ahead of the next expected byte wait in an out-of-order
 *     queue of at most cfg.ooo_budget bytes per direction;
 *   - a hole is skipped as soon as the other direction acknowledges bytes
 *     past its start (an ACK number beyond the next expected byte): the
 *     peer received what the capture missed, so it is a capture loss, not
 *     reordering.  The `gap` callback reports the missed byte count and
 *     delivery continues after it.  An acknowledgement that ends inside a
 *     hole skips the hole up to it; one that reaches past everything seen
 *     reports the unseen bytes at once (but not a lone sequence number,
 *     which is most likely a missed FIN);
 *   - a hole without such evidence is taken for reordering: it waits until
 *     the budget is exceeded, or cfg.hole_timeout_us of capture time, and
 *     is then skipped the same way;
 *   - a connection whose handshake was not seen is picked up from its first
 *     segment that carries data (midstream = 1); a bare ACK, FIN or RST
 *     opens nothing (so the last ACK after a close does not resurrect it);
 *   - connections idle for cfg.idle_timeout_us are closed and forgotten;
 *     when the table is full the least recently used one is evicted;
 *   - the consumer drops a connection by what its data callback returns
 *     (kt_tcp_verdict); callbacks never call back into the reassembler.
 * Callbacks are given the capture timestamp of the segment that carried the
 * delivered bytes.  IPv4 and IPv6 share all of this: endpoints carry the
 * address family.
 */
#ifndef KT_TCP_REASSEMBLY_H
#define KT_TCP_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/memcap.h"

/* One TCP segment as decoded from a packet. */
typedef struct kt_segment {
    kt_endpoint src, dst;
    uint32_t seq, ack;
    uint8_t flags;            /* TCP flags: KT_TCP_FIN ... */
    const uint8_t *payload;   /* captured payload bytes */
    uint32_t len;             /* captured payload length */
    uint32_t missing;         /* payload bytes on the wire but not captured
                                 (snaplen): reassembly treats them as a hole */
    uint64_t ts_us;           /* capture time, microseconds since the epoch */
} kt_segment;

#define KT_TCP_FIN 0x01
#define KT_TCP_SYN 0x02
#define KT_TCP_RST 0x04
#define KT_TCP_PSH 0x08
#define KT_TCP_ACK 0x10

/* Direction within a connection: 0 = from the initiator (SYN sender when the
 * handshake was seen, the receiver of a SYN-ACK seen without its SYN, else
 * the sender of the first data segment seen) to the other side, 1 = back. */
typedef struct kt_tcp_conn_info {
    kt_endpoint ep[2];        /* ep[0] = initiator as above */
    int midstream;            /* handshake not seen */
    uint64_t first_ts_us;
} kt_tcp_conn_info;

enum kt_close_reason {
    KT_CLOSE_FIN = 0,    /* both FINs, or FIN then idle */
    KT_CLOSE_RST,
    KT_CLOSE_IDLE,       /* idle timeout */
    KT_CLOSE_EVICTED,    /* table full */
    KT_CLOSE_END,        /* end of capture */
    KT_CLOSE_IGNORED,    /* the data callback answered KT_TCP_IGNORE */
};

/* What the consumer wants after a data callback. */
typedef enum kt_tcp_verdict {
    KT_TCP_CONTINUE = 0,  /* keep delivering */
    KT_TCP_IGNORE,        /* not wanted: no more data or gap callbacks; once
                             the delivery in progress returns the connection
                             is closed with KT_CLOSE_IGNORED, and later
                             segments of the same 4-tuple are dropped
                             cheaply until it goes idle */
} kt_tcp_verdict;

typedef struct kt_tcp_callbacks {
    /* A new connection.  Returns the consumer's per-connection state (may be
     * NULL).  The info pointer stays valid until conn_close returns. */
    void *(*conn_open)(void *ctx, const kt_tcp_conn_info *info);
    /* In-order payload bytes of one direction.  Returns a kt_tcp_verdict. */
    kt_tcp_verdict (*data)(void *ctx, void *conn, int dir, const uint8_t *p,
                           size_t len, uint64_t ts_us);
    /* `missed` bytes of direction dir were skipped (never seen); ts_us is
     * that of the first segment after them, or of the acknowledgement that
     * proved them lost when no segment after them has been seen. */
    void (*gap)(void *ctx, void *conn, int dir, uint64_t missed, uint64_t ts_us);
    /* The connection is over; free the consumer state. */
    void (*conn_close)(void *ctx, void *conn, int reason, uint64_t ts_us);
} kt_tcp_callbacks;

typedef struct kt_tcp_config {
    size_t ooo_budget;          /* bytes per direction, default 4 MiB */
    uint64_t hole_timeout_us;   /* default 5 s of capture time */
    uint64_t idle_timeout_us;   /* default 600 s */
    size_t max_connections;     /* default 65536 */
    size_t ooo_max_segments;    /* queued segments per direction, default
                                   8192 (bounds the sorted-insert walk) */
    size_t ooo_total_budget;    /* bytes queued out of order in all
                                   directions together, default 256 MiB
                                   (0: no total cap); past it a direction
                                   that needs to queue skips its hole */
} kt_tcp_config;

void kt_tcp_config_defaults(kt_tcp_config *cfg);

typedef struct kt_tcp_reassembler kt_tcp_reassembler;

kt_tcp_reassembler *kt_tcp_new(const kt_tcp_config *cfg,
                               const kt_tcp_callbacks *cb, void *ctx);
/* Feed one segment.  now = its ts_us drives hole and idle timeouts. */
void kt_tcp_segment(kt_tcp_reassembler *r, const kt_segment *seg);
/* Run timeouts without a packet (live capture on a quiet link). */
void kt_tcp_tick(kt_tcp_reassembler *r, uint64_t now_us);
/* Close everything (end of capture), delivering what is buffered. */
void kt_tcp_flush(kt_tcp_reassembler *r, uint64_t now_us);
void kt_tcp_free(kt_tcp_reassembler *r);

size_t kt_tcp_connection_count(const kt_tcp_reassembler *r);
/* The out-of-order bytes of all connections: their account (use, peak,
 * cap = cfg.ooo_total_budget). */
const kt_memcap *kt_tcp_memory(const kt_tcp_reassembler *r);

#endif
