/* client_role.c - the kind of client a request shows (client_role.h). */
#include "dissectors/kafka_apis.h"
#include "kafka/client_role.h"

/* APIs that only brokers (and controllers) send to each other: the old
 * controller-to-broker requests, transaction markers, KRaft quorum and
 * broker lifecycle traffic, producer id blocks, directory assignment. */
static int broker_only_api(int api_key, int api_version)
{
    switch (api_key) {
    case KT_API_LEADER_AND_ISR:
    case KT_API_STOP_REPLICA:
    case KT_API_UPDATE_METADATA:
    case KT_API_CONTROLLED_SHUTDOWN:
    case KT_API_WRITE_TXN_MARKERS:
    case KT_API_VOTE:
    case KT_API_BEGIN_QUORUM_EPOCH:
    case KT_API_END_QUORUM_EPOCH:
    case KT_API_ALTER_PARTITION:
    case KT_API_ENVELOPE:
    case KT_API_FETCH_SNAPSHOT:
    case KT_API_BROKER_REGISTRATION:
    case KT_API_BROKER_HEARTBEAT:
    case KT_API_ALLOCATE_PRODUCER_IDS:
    case KT_API_CONTROLLER_REGISTRATION:
    case KT_API_ASSIGN_REPLICAS_TO_DIRS:
        return 1;
    case KT_API_ADD_PARTITIONS_TO_TXN:
        /* versions 4+ are the brokers' verification requests (KIP-890);
         * clients send 3 and below */
        return api_version >= 4;
    default:
        return 0;
    }
}

unsigned kt_client_role_of(const kt_exchange *ex)
{
    if (ex->api_key == KT_API_FETCH)
        return kt_exchange_is_follower_fetch(ex) ? KT_CROLE_FOLLOWER | KT_CROLE_BROKER
                                                 : KT_CROLE_CONSUMER;
    if (ex->api_key == KT_API_PRODUCE)
        return KT_CROLE_PRODUCER;
    return broker_only_api(ex->api_key, ex->api_version) ? KT_CROLE_BROKER : 0;
}

const char *kt_client_role_name(unsigned roles)
{
    if (roles & KT_CROLE_FOLLOWER)
        return "follower";
    if (roles & KT_CROLE_BROKER)
        return "broker";
    if ((roles & (KT_CROLE_PRODUCER | KT_CROLE_CONSUMER)) == KT_CROLE_PRODUCER)
        return "producer";
    if ((roles & (KT_CROLE_PRODUCER | KT_CROLE_CONSUMER)) == KT_CROLE_CONSUMER)
        return "consumer";
    return "client";
}
