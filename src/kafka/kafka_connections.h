/* kafka_connections.h - the Kafka connections of a capture, summarised for
 * the report: which client and broker, picked up mid-stream or not, how
 * many bytes were never captured, how many exchanges.
 *
 * The session keeps the summaries of closed connections here (a bounded
 * store) and summarises its open ones on demand; kt_kafka_connections()
 * (kafka_session.h) puts the two together.
 */
#ifndef KT_KAFKA_CONNECTIONS_H
#define KT_KAFKA_CONNECTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/intern.h"

/* One Kafka connection, for the report. */
typedef struct kt_conn_summary {
    kt_endpoint client, broker;
    const kt_istr *client_id;       /* the last one its requests carried */
    int midstream;
    int open;                       /* still open when asked */
    uint64_t missed_bytes;          /* both directions */
    uint64_t requests;              /* reported exchanges */
    unsigned roles;                 /* KT_CROLE_* bits its requests showed
                                       (client_role.h) */
    uint64_t first_ts_us, last_ts_us;
} kt_conn_summary;

#define KT_MAX_CONN_SUMMARIES 10000  /* closed connections kept for the report */

/* The summaries of closed connections: at most KT_MAX_CONN_SUMMARIES are
 * kept, the others only counted in not_kept.  Zeroed = empty. */
typedef struct kt_closed_conns {
    kt_conn_summary *e;
    size_t n, cap;
    uint64_t not_kept;
} kt_closed_conns;

void kt_closed_conns_keep(kt_closed_conns *s, const kt_conn_summary *cs);
void kt_closed_conns_free(kt_closed_conns *s);

#endif
