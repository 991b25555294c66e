/* exchange.h - one request and what became of it: the unit that the
 * correlation stage produces and that statistics and the event log consume
 * (the parser/logger split: nothing downstream looks at bytes). */
#ifndef KT_EXCHANGE_H
#define KT_EXCHANGE_H

#include <stdint.h>
#include "endpoint.h"
#include "intern.h"

enum kt_exchange_status {
    KT_STATUS_OK = 0,                 /* answered, no error code */
    KT_STATUS_ERROR,                  /* answered with a non-zero error code */
    KT_STATUS_UNANSWERED,             /* no response seen */
    KT_STATUS_NO_RESPONSE_EXPECTED,   /* Produce with acks=0 */
};

#define KT_MAX_EXCHANGE_ERRORS 16

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
    int status;                /* enum kt_exchange_status */
    int32_t throttle_ms;       /* -1 when the response carries none */
    int body_decoded;          /* the response body was decoded */
    int truncated;             /* part of the request or response was never captured */
    int nerrors;               /* distinct non-zero error codes, counts summed */
    kt_error_count errors[KT_MAX_EXCHANGE_ERRORS];
} kt_exchange;

typedef void (*kt_exchange_fn)(void *ctx, const kt_exchange *ex);

#endif
