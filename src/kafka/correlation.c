/* correlation.c - pending request queue per connection (correlation.h). */
#include <stdlib.h>
#include <string.h>
#include "kafka/correlation.h"

void kt_pending_init(kt_pending_queue *q, uint32_t max)
{
    memset(q, 0, sizeof *q);
    q->max = max ? max : 1;
}

void kt_pending_free(kt_pending_queue *q)
{
    free(q->e);
    memset(q, 0, sizeof *q);
}

kt_pending *kt_pending_at(kt_pending_queue *q, uint32_t i)
{
    return &q->e[(q->head + i) % q->cap];
}

int kt_pending_pop(kt_pending_queue *q, kt_pending *out)
{
    if (q->count == 0)
        return 0;
    *out = q->e[q->head];
    q->awaiting -= !out->no_response_expected;
    q->head = (q->head + 1) % q->cap;
    q->count--;
    return 1;
}

static int grow(kt_pending_queue *q)
{
    uint32_t ncap = q->cap ? q->cap * 2 : 8;
    kt_pending *ne;
    if (ncap > q->max)
        ncap = q->max;
    ne = malloc((size_t)ncap * sizeof *ne);
    if (!ne)
        return -1;
    for (uint32_t i = 0; i < q->count; i++)
        ne[i] = q->e[(q->head + i) % q->cap];
    free(q->e);
    q->e = ne;
    q->cap = ncap;
    q->head = 0;
    return 0;
}

int kt_pending_push(kt_pending_queue *q, const kt_pending *p, kt_pending *evicted)
{
    int ev = 0;
    if (q->count == q->cap && q->cap < q->max && grow(q) < 0)
        return -1;
    if (q->count == q->cap) {
        kt_pending_pop(q, evicted);
        ev = 1;
    }
    q->e[(q->head + q->count) % q->cap] = *p;
    q->count++;
    q->awaiting += !p->no_response_expected;
    return ev;
}

int kt_pending_find(const kt_pending_queue *q, int32_t correlation_id)
{
    for (uint32_t i = 0; i < q->count; i++)
        if (q->e[(q->head + i) % q->cap].correlation_id == correlation_id)
            return (int)i;
    return -1;
}
