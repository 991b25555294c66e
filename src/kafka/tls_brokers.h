/* tls_brokers.h - the TLS connections on broker ports, per broker.
 *
 * A connection on a broker port whose first bytes are a TLS record
 * (tls_detect.h) is not framed: its bytes are only counted.  This table
 * keeps, per broker endpoint, how many such connections there were (of
 * which picked up mid-stream) and how many TCP payload bytes they carried,
 * both directions.  It is a bounded kt_table (table.h): at most
 * KT_TLS_MAX_BROKERS brokers, past which connections count in one
 * "(other)" entry (broker_table_full); each entry is charged to the
 * account `mem` ("tls_brokers" in --json memory).  Counts are of the whole
 * run: like the connection list, they are not cut into -I windows.
 */
#ifndef KT_TLS_BROKERS_H
#define KT_TLS_BROKERS_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/memcap.h"
#include "common/table.h"

#define KT_TLS_MAX_BROKERS 4096

typedef struct kt_tls_broker {
    kt_endpoint broker;         /* zeroed in the overflow entry */
    int is_other;               /* the overflow entry */
    uint64_t connections;
    uint64_t midstream;         /* of which picked up mid-stream */
    uint64_t bytes;             /* TCP payload, both directions */
} kt_tls_broker;

typedef struct kt_tls_brokers {
    kt_table table;
    kt_memcap mem;
} kt_tls_brokers;

/* -1 when out of memory. */
int kt_tls_brokers_init(kt_tls_brokers *t);
/* The entry of broker (the overflow entry when full); NULL only when
 * memory runs out. */
kt_tls_broker *kt_tls_brokers_entry(kt_tls_brokers *t, const kt_endpoint *broker);
/* The entries, in the order first seen (the overflow entry last, once
 * used); n of them. */
static inline const kt_tls_broker *const *kt_tls_brokers_all(const kt_tls_brokers *t,
                                                           size_t *n)
{
    *n = t->table.n;
    return (const kt_tls_broker *const *)t->table.entries;
}
void kt_tls_brokers_free(kt_tls_brokers *t);

#endif
