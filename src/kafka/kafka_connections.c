/* kafka_connections.c - summaries of the Kafka connections for the report:
 * the store of closed ones and the list of all (see kafka_connections.h). */
#include <stdlib.h>
#include <string.h>
#include "kafka/kafka_connections.h"
#include "kafka/kafka_session.h"

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

size_t kt_kafka_connections(kt_kafka *k, kt_conn_summary **out, uint64_t *not_kept)
{
    const kt_closed_conns *closed = kt_kafka_closed_conns(k);
    size_t nopen = kt_kafka_open_conns(k, NULL, 0), n;
    *not_kept = closed->not_kept;
    *out = malloc((closed->n + nopen + 1) * sizeof **out);
    if (!*out)
        return 0;
    if (closed->n)
        memcpy(*out, closed->e, closed->n * sizeof **out);
    n = closed->n + kt_kafka_open_conns(k, *out + closed->n, nopen);
    return n;
}
