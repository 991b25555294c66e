/* exchange.h - one request and what became of it: the unit that the
 * correlation stage produces and that statistics and the event log consume
 * (the parser/logger split: nothing downstream looks at bytes). */
#ifndef KT_EXCHANGE_H
#define KT_EXCHANGE_H

#include <stdint.h>
#include "common/endpoint.h"
#include "dissectors/kafka_records.h"
#include "common/intern.h"

enum kt_exchange_status {
    KT_STATUS_OK = 0,                 /* answered, no error code */
    KT_STATUS_ERROR,                  /* answered with a non-zero error code */
    KT_STATUS_UNANSWERED,             /* no response seen */
    KT_STATUS_NO_RESPONSE_EXPECTED,   /* Produce with acks=0 */
    KT_STATUS_UNKNOWN_CAPTURE_LOSS,   /* no response seen, but the capture lost
                                         bytes of the response direction where
                                         it would have been: answered or not,
                                         nobody can tell (never the broker's
                                         fault) */
};

#define KT_MAX_EXCHANGE_ERRORS 16

struct kt_topic;

/* What one request and its response said about one topic-partition
 * (Produce and Fetch).  Filled from the request, completed from the
 * response. */
typedef struct kt_part_result {
    const struct kt_topic *topic;  /* as named on the wire (name or id) */
    int32_t partition;
    int16_t error;            /* partition error code; KT_PART_NO_ANSWER when
                                 the response did not mention it (or none came) */
    int8_t answered;          /* the response carried this partition */
    int64_t records;          /* Produce: records sent; Fetch: records returned */
    uint64_t bytes;           /* bytes of record data, same sense */
    int64_t fetch_offset;     /* Fetch request; -1 otherwise */
    int64_t high_watermark;   /* Fetch response; -1 otherwise */
    int64_t last_offset;      /* Fetch response: offset of the last record
                                 returned; -1 when none */
    int64_t base_offset;      /* Produce response: the offset the leader
                                 gave the first record sent (its last is
                                 base_offset + records - 1); -1 otherwise */
    uint32_t batches;         /* record batches (legacy: top-level messages),
                                 same sense as records */
    uint32_t codec_batches[KT_CODECS]; /* of them, per compression codec
                                 (enum kt_codec; invalid codecs 5..7 in
                                 batches only) */
    int64_t txn_records;      /* Produce: of `records`, those in
                                 transactional batches */
    int64_t control_records;  /* Fetch response: control records
                                 (transaction markers) returned, never
                                 counted in `records` */
} kt_part_result;

#define KT_PART_NO_ANSWER INT16_MIN

/* What a request (and its response) says about transactions: Produce, and
 * InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
 * WriteTxnMarkers, TxnOffsetCommit (see message_detail.h). */
typedef struct kt_txn_detail {
    const kt_istr *txn_id;    /* the request's transactional id; NULL when
                                 it names none (or a null one) */
    int64_t producer_id;      /* the request's (Produce: of its first
                                 transactional batch); -1 when none */
    int16_t producer_epoch;   /* -1 when none */
    int8_t result;            /* EndTxn: 1 commit, 0 abort; -1 otherwise */
    uint32_t markers_commit;  /* WriteTxnMarkers: commit markers, one per */
    uint32_t markers_abort;   /* partition they are written to */
    int64_t resp_producer_id; /* InitProducerId response; -1 when none */
    int16_t resp_producer_epoch;
} kt_txn_detail;

/* The Produce/Fetch details of a request, kept with it until it is answered
 * or given up (allocated in one piece; see message_detail.h). */
typedef struct kt_request_detail {
    int16_t acks;             /* Produce; -2 when not a Produce */
    int32_t timeout_ms;       /* Produce TimeoutMs; -1 */
    int32_t max_wait_ms;      /* Fetch MaxWaitMs; -1 */
    int32_t replica_id;       /* Fetch: the follower broker's id (ReplicaId
                                 before v15, ReplicaState.ReplicaId from
                                 v15) when >= 0: a follower fetch, which
                                 replicates and is no consumer's; -1 for a
                                 consumer's fetch and other APIs */
    uint32_t nparts;
    uint32_t parts_dropped;   /* partitions beyond KT_MAX_DETAIL_PARTS */
    size_t budget_bytes;      /* what it was charged to the memory budget */
    kt_txn_detail txn;
    kt_part_result parts[];
} kt_request_detail;

/* A broker as a Metadata response lists it: node id, host (raw bytes off
 * the wire, cut to KT_NODE_HOST_MAX) and port. */
#define KT_NODE_HOST_MAX 64
#define KT_MAX_EXCHANGE_NODES 1024     /* brokers kept per response */
typedef struct kt_broker_node {
    int32_t node_id;
    int32_t port;
    uint8_t host_len;
    char host[KT_NODE_HOST_MAX];
} kt_broker_node;

typedef struct kt_error_count {
    int16_t code;
    uint32_t count;
} kt_error_count;

typedef struct kt_exchange {
    const kt_endpoint *client;
    const kt_endpoint *broker;
    const kt_istr *client_id;
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    uint64_t request_ts_us;    /* capture time of the packet completing the request */
    int64_t latency_us;        /* to the first byte of the response; -1 if none */
    /* latency = queue_wait_us + service_us (kafka/queue_clock.h): waiting
     * behind the earlier requests of the connection, then being served;
     * both -1 when not answered or when the request before it ended
     * unseen (acks=0, unanswered, a capture hole) */
    int64_t queue_wait_us;
    int64_t service_us;
    uint32_t inflight;         /* requests awaiting a response on the
                                  connection when it arrived, itself
                                  included (acks=0 Produce not counted) */
    int first_pipelined;       /* the first request of its connection to
                                  find another one in flight */
    int status;                /* enum kt_exchange_status */
    int32_t throttle_ms;       /* -1 when the response carries none */
    int body_decoded;          /* the response body was decoded */
    int truncated;             /* part of the request or response was never captured */
    int nerrors;               /* distinct non-zero error codes, counts summed */
    kt_error_count errors[KT_MAX_EXCHANGE_ERRORS];
    /* Produce and Fetch: per topic-partition results; the transaction APIs:
     * detail->txn only (NULL for other APIs); the
     * detail belongs to the correlation stage and lives until the
     * exchange's consumers return. */
    kt_request_detail *detail;
    /* Metadata responses: the brokers they list (NULL otherwise; at most
     * KT_MAX_EXCHANGE_NODES), owned by the session like detail. */
    kt_broker_node *nodes;
    uint32_t nnodes;
} kt_exchange;

/* Is this exchange a follower's (inter-broker replication) Fetch? */
static inline int kt_exchange_is_follower_fetch(const kt_exchange *ex)
{
    return ex->api_key == 1 /* Fetch */ && ex->detail && ex->detail->replica_id >= 0;
}

typedef void (*kt_exchange_fn)(void *ctx, const kt_exchange *ex);

#endif
