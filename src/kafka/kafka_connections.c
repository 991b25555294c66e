/* kafka_connections.c - summaries of the Kafka connections for the report:
 * the bounded store of closed ones (see kafka_connections.h). */
#include <stdlib.h>
#include <string.h>
#include "kafka/kafka_connections.h"

void kt_closed_conns_keep(kt_closed_conns *s, const kt_conn_summary *cs)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        kt_conn_summary *n;
        if (ncap > KT_MAX_CONN_SUMMARIES)
            ncap = KT_MAX_CONN_SUMMARIES;
        n = s->n < ncap ? realloc(s->e, ncap * sizeof *n) : NULL;
        if (!n) {
            s->not_kept++;
            return;
        }
        s->e = n;
        s->cap = ncap;
    }
    s->e[s->n++] = *cs;
}

void kt_closed_conns_free(kt_closed_conns *s)
{
    free(s->e);
    memset(s, 0, sizeof *s);
}
