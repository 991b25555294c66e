/* queue_clock.h - where a request's time went on its connection: waiting
 * behind the requests before it (queue wait) or being served (service).
 *
 * A Kafka broker serves the requests of one connection one at a time, in
 * order.  From the wire, per connection: a request whose last packet came
 * at t_req waits until the broker starts answering the request before it,
 * which is taken to be the first byte of that previous response (t_prev);
 * then the broker serves it until the first byte of its own response
 * (t_resp):
 *     queue wait = max(0, t_prev - t_req)
 *     service    = t_resp - max(t_req, t_prev)
 * so queue wait + service = latency.  t_prev is the first byte of the last
 * response seen on the connection, matched or not (a response to a request
 * sent before the capture began still ends that request).
 *
 * When the request before it ended without a response seen (Produce
 * acks=0, unanswered, or a capture hole in the response direction), the
 * broker's end of that request is unknown: the split of the next answered
 * request is unknown too (both -1), until a response is seen again. */
#ifndef KT_QUEUE_CLOCK_H
#define KT_QUEUE_CLOCK_H

#include <stdint.h>

typedef struct kt_queue_clock {
    uint64_t last_response_us;  /* first byte of the last response; 0: none */
    int end_unknown;            /* a request since then ended unseen */
} kt_queue_clock;

/* A response (any) began at first_us. */
void kt_clock_response(kt_queue_clock *c, uint64_t first_us);

/* A request ended without a response seen: when the broker finished it is
 * not known. */
void kt_clock_end_unknown(kt_queue_clock *c);

/* The split of a request sent at request_us and answered at response_us
 * (call before kt_clock_response() for that response).  Returns 1 and sets
 * *queue_us and *service_us, or 0 (both -1) when unknown. */
int kt_clock_split(const kt_queue_clock *c, uint64_t request_us, uint64_t response_us,
                   int64_t *queue_us, int64_t *service_us);

#endif
