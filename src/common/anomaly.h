/* anomaly.h - counters for everything odd that kafkatap saw on the wire.
 *
 * Every stage counts what it could not handle (a malformed frame, a hole in
 * a TCP stream, a limit that was hit) here instead of crashing or silently
 * dropping it; the reports print every non-zero counter.  The table of
 * names lives in anomaly.c; add a kind there and here together.
 */
#ifndef KT_ANOMALY_H
#define KT_ANOMALY_H

#include <stdint.h>

typedef enum kt_anomaly_kind {
    /* capture and link layer */
    KT_AN_TRUNCATED_PACKET,    /* caplen < wire length: bytes missing */
    KT_AN_UNKNOWN_LINKTYPE,    /* packet of a link type we cannot decode */
    KT_AN_BAD_IP,              /* IP header that does not hold together */
    KT_AN_BAD_TCP,             /* TCP header that does not hold together */
    KT_AN_NIDS_WARNING,        /* libnids reported a problem (IP defrag) */
    KT_AN_IP_FRAGMENTS,        /* IPv4 datagrams that arrived in fragments */
    KT_AN_FILE_GAP,            /* -r files: a file starts later than --file-gap
                                  after the one before it ends */
    KT_AN_FILE_OVERLAP,        /* -r files: a file starts before the one
                                  before it ends */
    /* TCP reassembly */
    KT_AN_TCP_HOLES,           /* holes skipped in a byte stream */
    KT_AN_TCP_MISSED_BYTES,    /* bytes never seen, skipped over */
    KT_AN_TCP_OOO_BUDGET,      /* out-of-order budget exceeded */
    KT_AN_TCP_OOO_TOTAL,       /* out-of-order budget of all connections exceeded */
    KT_AN_TCP_RETRANSMITTED,   /* bytes seen twice and trimmed */
    KT_AN_FLOW_TABLE_FULL,     /* a connection was evicted to make room */
    /* Kafka framing */
    KT_AN_MALFORMED_FRAME,     /* frame whose header does not decode */
    KT_AN_OVERSIZED_FRAME,     /* size prefix above the frame size cap */
    KT_AN_FRAME_BUFFER_TOTAL,  /* frame buffers of all connections full: frame cut */
    KT_AN_DESYNC,              /* stream lost frame sync */
    KT_AN_RESYNC,              /* stream found frame sync again */
    KT_AN_RESYNC_SKIPPED_BYTES,/* bytes skipped while resynchronising */
    KT_AN_MIDSTREAM,           /* connections picked up mid-stream */
    KT_AN_UNKNOWN_API,         /* request with an API key we do not know */
    KT_AN_UNKNOWN_VERSION,     /* request with a version the schema lacks */
    KT_AN_MALFORMED_BODY,      /* message body that does not decode */
    /* correlation */
    KT_AN_ORPHAN_RESPONSE,     /* response with no pending request */
    KT_AN_LOST_REQUEST_RESPONSE, /* response whose request the capture lost */
    KT_AN_UNKNOWN_CAPTURE_LOSS,/* request whose response the capture may have lost */
    KT_AN_PENDING_OVERFLOW,    /* pending request evicted by the per-connection cap */
    KT_AN_PENDING_TOTAL,       /* pending request dropped by the cap over all connections */
    KT_AN_DUPLICATE_CORRELATION, /* a pending correlation id reused */
    KT_AN_DETAIL_BUDGET,       /* partition details not kept: memory budget */
    KT_AN_DETAIL_PARTS_DROPPED,/* partitions beyond the per-request cap */
    /* record data */
    KT_AN_INFLATE_CAPPED,      /* gzip wrapper cut at the output or ratio cap */
    KT_AN_WALKER_LIMIT,        /* a body hit the walker's nesting or element limit */
    KT_AN_CLIENT_ID_TABLE_FULL,/* a client id counted under "(too many distinct)" */
    KT_AN_TOPIC_TABLE_FULL,    /* a topic counted under the overflow topic */
    KT_AN_BROKER_TABLE_FULL,   /* a broker counted under "(other)" */
    KT_AN_PARTITION_TABLE_FULL,/* a partition not kept in the statistics */
    KT_AN_CLIENT_PARTITION_TABLE_FULL, /* a (client id, partition) counted under "(other)" */
    KT_AN_TIMELINE_SERIES_FULL,/* a key counted in a timeline's "(other)" series */
    KT_AN_TIMELINE_MEMORY,     /* timeline data not kept: its memory account refused */
    KT_AN_TXN_TABLE_FULL,      /* a transactional or producer id counted
                                  under "(other)" or not followed */
    KT_AN_ACKS_WINDOW_FULL,    /* an acks=all Produce batch pushed out of its
                                  partition's window before the followers'
                                  fetches resolved it (stats/acks_wait.h) */
    KT_AN__COUNT
} kt_anomaly_kind;

typedef struct kt_anomalies {
    uint64_t count[KT_AN__COUNT];
} kt_anomalies;

/* The process-wide counters (kafkatap is single-threaded). */
extern kt_anomalies kt_anomaly;

static inline void kt_anomaly_add(kt_anomaly_kind k, uint64_t n)
{
    kt_anomaly.count[k] += n;
}

/* Short snake_case name for reports and JSON. */
const char *kt_anomaly_name(kt_anomaly_kind k);
/* One line telling an operator what the counter means. */
const char *kt_anomaly_help(kt_anomaly_kind k);
void kt_anomaly_reset(void);

#endif
