/* client_role.h - what kind of client a connection or client id is, told
 * from the requests it sends: an application producer or consumer, a
 * follower broker replicating (Fetch with a replica id), or a broker's own
 * client (transaction markers, AddPartitionsToTxn verification, controller
 * and KRaft APIs).  Roles are bit sets that accumulate over the requests;
 * kt_client_role_name() names the set. */
#ifndef KT_CLIENT_ROLE_H
#define KT_CLIENT_ROLE_H

#include "kafka/exchange.h"

enum {
    KT_CROLE_PRODUCER = 1,    /* sent Produce */
    KT_CROLE_CONSUMER = 2,    /* sent a consumer's Fetch (no replica id) */
    KT_CROLE_FOLLOWER = 4,    /* sent a follower Fetch (replica id >= 0) */
    KT_CROLE_BROKER = 8,      /* sent an API that only brokers send */
};

/* The role bits one exchange shows (0: it says nothing). */
unsigned kt_client_role_of(const kt_exchange *ex);

/* "follower" when it replicates, else "broker" for a broker's own client,
 * else "producer" or "consumer" when it did only one of those, else
 * "client". */
const char *kt_client_role_name(unsigned roles);

#endif
