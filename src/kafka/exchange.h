/* exchange.h - one request and what became of it: the unit that the
 * correlation stage produces and that statistics and the event log consume
 * (the parser/logger split: nothing downstream looks at bytes). */
#ifndef KT_EXCHANGE_H
#define KT_EXCHANGE_H

#include <stdint.h>
#include "common/endpoint.h"
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
} kt_part_result;

#define KT_PART_NO_ANSWER INT16_MIN

/* The Produce/Fetch details of a request, kept with it until it is answered
 * or given up (allocated in one piece; see message_detail.h). */
typedef struct kt_request_detail {
    int16_t acks;             /* Produce; -2 when not a Produce */
    int32_t timeout_ms;       /* Produce TimeoutMs; -1 */
    int32_t max_wait_ms;      /* Fetch MaxWaitMs; -1 */
    uint32_t nparts;
    uint32_t parts_dropped;   /* partitions beyond KT_MAX_DETAIL_PARTS */
    size_t budget_bytes;      /* what it was charged to the memory budget */
    kt_part_result parts[];
} kt_request_detail;

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
    /* Produce and Fetch: per topic-partition results (NULL otherwise); the
     * detail belongs to the correlation stage and lives until the
     * exchange's consumers return. */
    kt_request_detail *detail;
} kt_exchange;

typedef void (*kt_exchange_fn)(void *ctx, const kt_exchange *ex);

#endif
