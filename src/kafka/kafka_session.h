/* kafka_session.h - the Kafka layer of every TCP connection: which side is
 * the broker, frames in each direction, and requests matched to responses
 * by correlation id.  It consumes the reassembler's callbacks and produces
 * kt_exchange records.  What looks like Kafka is decided by kafka_detect.h;
 * the connection summaries for the report are kafka_connections.h.
 *
 * Roles: a connection with exactly one endpoint on a broker port (-P) is
 * Kafka, that endpoint being the broker, unless its first bytes (either
 * direction) are a TLS record (tls_detect.h): then it is a TLS connection,
 * counted per broker (tls_brokers.h) and in the totals, its bytes never
 * framed, and it is not one of the Kafka connections.  Such a connection
 * counts from its first bytes (or its close, if none came).  TLS on
 * another port is not Kafka (ignored at once).  Otherwise (auto-detection)
 * the side that sends a frame that decodes as a plausible request is the
 * client, and the connection counts as Kafka once a response matches one of
 * its requests; a connection that shows no plausible request within its
 * first KT_DETECT_BYTES bytes, or no matching response within
 * KT_CONFIRM_BYTES, is dropped: the data callback answers KT_TCP_IGNORE.
 *
 * Capture loss (a gap from the reassembler) costs only what it touches:
 *   - a request cut by a gap is reported truncated; a request lost whole is
 *     never reported, and a response that then finds no request, while a
 *     gap of the request direction could hold it, counts as
 *     lost_request_responses, not as an orphan;
 *   - a request left without a response (a later one was answered, the
 *     connection closed, the request timed out) is KT_STATUS_UNKNOWN_CAPTURE_LOSS
 *     instead of unanswered when the response direction lost bytes since
 *     the last response matched: Kafka answers in order on a connection,
 *     so its response, if any, was in that gap.
 */
#ifndef KT_KAFKA_SESSION_H
#define KT_KAFKA_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "kafka/exchange.h"
#include "common/intern.h"
#include "kafka/kafka_connections.h"
#include "reassembly/tcp_reassembly.h"
#include "kafka/topics.h"
#include "kafka/tls_brokers.h"

#define KT_DETECT_BYTES (64 * 1024)
#define KT_CONFIRM_BYTES (1024 * 1024)
#define KT_MAX_BROKER_PORTS 64

typedef struct kt_session_config {
    uint16_t broker_ports[KT_MAX_BROKER_PORTS];
    int nports;
    int autodetect;                 /* detect Kafka on other ports too */
    size_t max_frame;               /* default 100 MiB */
    uint32_t max_pending;           /* per connection, default 1024 */
    uint64_t max_pending_total;     /* all connections, default 1,000,000 */
    uint64_t request_timeout_us;    /* unanswered after this long, default 120 s */
    size_t max_client_ids;          /* distinct client ids kept, default 10000 */
    size_t max_topics;              /* distinct topic names and ids, default 100000 */
    size_t detail_budget;           /* bytes of pending partition details, default 256 MiB */
    size_t frame_buffer_total;      /* bytes of all framers' buffers, default
                                       KT_FRAMER_TOTAL_BUDGET, 0: no cap */
    size_t max_inflate;             /* gzip output per message body, default
                                       KT_RECORDS_MAX_INFLATE */
} kt_session_config;

typedef struct kt_session_totals {
    uint64_t requests;              /* requests reported (answered + unanswered
                                       + acks=0 + unknown_capture_loss) */
    uint64_t matched;               /* answered */
    uint64_t unanswered;
    uint64_t no_response_expected;  /* acks=0 produce */
    uint64_t unknown_capture_loss;  /* no response seen, but the capture lost
                                       bytes where it would have been
                                       (KT_STATUS_UNKNOWN_CAPTURE_LOSS) */
    uint64_t orphan_responses;      /* responses with no request, that no
                                       capture loss explains */
    uint64_t lost_request_responses;/* responses whose request the capture
                                       lost (not orphans: not the broker's
                                       doing) */
    uint64_t malformed;             /* frames that did not decode */
    uint64_t connections;           /* Kafka connections */
    uint64_t midstream_connections; /* of which picked up mid-stream */
    uint64_t missed_bytes;          /* TCP bytes never captured on Kafka connections */
    uint64_t ignored_connections;   /* TCP connections that were not Kafka */
    uint64_t tls_connections;       /* TLS on a broker port: not decoded, not
                                       among the Kafka connections */
    uint64_t tls_bytes;             /* TCP payload bytes of those */
} kt_session_totals;

typedef struct kt_kafka kt_kafka;

void kt_session_config_defaults(kt_session_config *cfg);

kt_kafka *kt_kafka_new(const kt_session_config *cfg, kt_exchange_fn fn, void *ctx);
/* The reassembler callbacks; their ctx is the kt_kafka. */
extern const kt_tcp_callbacks kt_kafka_tcp_callbacks;
/* Gives up requests older than the timeout; cheap to call per packet. */
void kt_kafka_tick(kt_kafka *k, uint64_t now_us);
const kt_session_totals *kt_kafka_totals(const kt_kafka *k);
/* The session's memory accounts: n (at most max) written to out, the
 * framers' buffers and the pending requests' details. */
size_t kt_kafka_memory(const kt_kafka *k, const kt_memcap **out, size_t max);
/* The Kafka connections: those still open and the closed ones kept (at
 * most KT_MAX_CONN_SUMMARIES; *not_kept says how many more there were),
 * closed ones first, in no particular order: the report orders them.
 * Caller frees *out. */
size_t kt_kafka_connections(const kt_kafka *k, kt_conn_summary **out, uint64_t *not_kept);

/* The TLS connections on broker ports, per broker (whole run). */
const kt_tls_brokers *kt_kafka_tls(const kt_kafka *k);

/* The topics seen so far (names, ids and their pairing). */
kt_topics *kt_kafka_topics(kt_kafka *k);
void kt_kafka_free(kt_kafka *k);

#endif
