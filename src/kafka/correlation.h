/* correlation.h - the requests of one connection that await a response.
 *
 * A FIFO of pending requests, matched by correlation id.  Kafka brokers
 * answer in request order on a connection, so the match is almost always
 * the oldest entry; entries older than the matched one were skipped by the
 * broker's answers (their responses were lost in a capture hole) and are
 * handed back to the session, which decides what became of them.  The queue never holds more than `max`
 * entries: pushing onto a full queue first evicts the oldest. */
#ifndef KT_CORRELATION_H
#define KT_CORRELATION_H

#include <stddef.h>
#include <stdint.h>
#include "kafka/exchange.h"
#include "common/intern.h"

typedef struct kt_pending {
    int32_t correlation_id;
    int16_t api_key;
    int16_t api_version;
    int8_t response_header_version;
    int8_t truncated;               /* the request was cut by a hole */
    int8_t no_response_expected;    /* Produce acks=0: a real broker does not
                                       answer, librdkafka's mock does */
    int8_t after_loss;              /* the capture lost bytes of the request
                                       direction just before this request:
                                       requests may have been lost there */
    uint64_t request_ts_us;         /* when the request was complete */
    uint32_t inflight;              /* see kt_exchange */
    int8_t first_pipelined;
    const kt_istr *client_id;
    kt_request_detail *detail;      /* Produce/Fetch partitions, or NULL;
                                       owned by the queue's user */
} kt_pending;

typedef struct kt_pending_queue {
    kt_pending *e;
    uint32_t head, count, cap, max;
    uint32_t awaiting;              /* entries that expect a response (not
                                       no_response_expected) */
} kt_pending_queue;

void kt_pending_init(kt_pending_queue *q, uint32_t max);
void kt_pending_free(kt_pending_queue *q);

/* Adds p.  If the queue is full, the oldest entry is copied to *evicted and
 * 1 is returned; else 0.  Returns -1 if memory ran out (p is dropped). */
int kt_pending_push(kt_pending_queue *q, const kt_pending *p, kt_pending *evicted);

/* Index (0 = oldest) of the entry with this correlation id, or -1. */
int kt_pending_find(const kt_pending_queue *q, int32_t correlation_id);

/* Entry at index i (0 = oldest). */
kt_pending *kt_pending_at(kt_pending_queue *q, uint32_t i);

/* Removes and copies out the oldest entry; 0 if the queue is empty. */
int kt_pending_pop(kt_pending_queue *q, kt_pending *out);

#endif
