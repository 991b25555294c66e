/* queue_clock.c - queue wait and service time of a request on its
 * connection (queue_clock.h). */
#include "kafka/queue_clock.h"

void kt_clock_response(kt_queue_clock *c, uint64_t first_us)
{
    if (first_us > c->last_response_us)
        c->last_response_us = first_us;
    c->end_unknown = 0;
}

void kt_clock_end_unknown(kt_queue_clock *c)
{
    c->end_unknown = 1;
}

int kt_clock_split(const kt_queue_clock *c, uint64_t request_us, uint64_t response_us,
                   int64_t *queue_us, int64_t *service_us)
{
    uint64_t start = request_us;
    *queue_us = *service_us = -1;
    if (c->end_unknown)
        return 0;
    if (c->last_response_us > start)
        start = c->last_response_us;
    if (response_us < start)        /* clock steps in the capture */
        start = response_us < request_us ? request_us : response_us;
    *queue_us = (int64_t)(start - request_us);
    *service_us = response_us > start ? (int64_t)(response_us - start) : 0;
    return 1;
}
