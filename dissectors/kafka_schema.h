/* kafka_schema.h - the format of the generated Kafka message tables.
 *
 * tools/gen-kafka-tables.py flattens every request and response of the
 * official schema into three static tables (kafka_schema_gen.c):
 *   - kt_schema_requests[key] / kt_schema_responses[key]: the version
 *     segments of each message (valid versions, first flexible version and
 *     root struct; older versions that Kafka 4 removed come from a legacy
 *     schema with their own root struct);
 *   - kt_schema_structs[]: a struct is a run of consecutive fields;
 *   - kt_schema_fields[]: one entry per field with the versions in which it
 *     exists, is nullable or is tagged, its type, its semantic role and, for
 *     structs and arrays of structs, the index of the child struct.
 * The walker (kafka_walk.c) interprets them; there is no per-version code.
 */
#ifndef KT_KAFKA_SCHEMA_H
#define KT_KAFKA_SCHEMA_H

#include <stdint.h>

#include "dissectors/kafka_schema_gen.h"

/* Field types.  An array is the element type plus KT_FF_ARRAY. */
enum kt_ftype {
    KT_FT_BOOL,
    KT_FT_INT8,
    KT_FT_INT16,
    KT_FT_UINT16,
    KT_FT_INT32,
    KT_FT_UINT32,
    KT_FT_INT64,
    KT_FT_FLOAT64,
    KT_FT_UUID,
    KT_FT_STRING,
    KT_FT_BYTES,
    KT_FT_RECORDS,
    KT_FT_STRUCT,
};

/* Field flags. */
#define KT_FF_ARRAY  0x01   /* an array of the type */
#define KT_FF_NOFLEX 0x02   /* "flexibleVersions": "none": never compact */

/* Semantic roles, given by the generator from field names, types and
 * entityType (see field_role() in the generator).  The walker reports the
 * role with every event so consumers need not know field names. */
enum kt_role {
    KT_ROLE_NONE,
    KT_ROLE_TOPIC_NAME,         /* string, entityType topicName */
    KT_ROLE_TOPIC_ID,           /* uuid TopicId */
    KT_ROLE_PARTITION_INDEX,    /* int32 PartitionIndex/Partition/PartitionId,
                                   Index inside a partition struct; also the
                                   elements of []int32 Partitions */
    KT_ROLE_ERROR_CODE,         /* int16 ErrorCode / PartitionErrorCode */
    KT_ROLE_ERROR_MESSAGE,      /* string ErrorMessage */
    KT_ROLE_THROTTLE_TIME_MS,   /* int32 ThrottleTimeMs */
    KT_ROLE_RECORDS,            /* records */
    KT_ROLE_ACKS,               /* int16 Acks (Produce) */
    KT_ROLE_TIMEOUT_MS,         /* int32 TimeoutMs */
    KT_ROLE_MAX_WAIT_MS,        /* int32 MaxWaitMs (Fetch) */
    KT_ROLE_FETCH_OFFSET,       /* int64 FetchOffset */
    KT_ROLE_HIGH_WATERMARK,     /* int64 HighWatermark */
    KT_ROLE_LOG_START_OFFSET,   /* int64 LogStartOffset */
    KT_ROLE_LAST_STABLE_OFFSET, /* int64 LastStableOffset */
    KT_ROLE_BASE_OFFSET,        /* int64 BaseOffset (Produce response) */
    KT_ROLE_GROUP_ID,           /* string, entityType groupId */
    KT_ROLE_MEMBER_ID,          /* string MemberId */
    KT_ROLE_GROUP_INSTANCE_ID,  /* string GroupInstanceId */
    KT_ROLE_GENERATION_ID,      /* int32 GenerationId,
                                   GenerationIdOrMemberEpoch */
    KT_ROLE_PROTOCOL_TYPE,      /* string ProtocolType */
    KT_ROLE_PROTOCOL_NAME,      /* string ProtocolName; JoinGroup request
                                   Protocols[].Name */
    KT_ROLE_TRANSACTIONAL_ID,   /* string, entityType transactionalId */
    KT_ROLE_PRODUCER_ID,        /* int64 ProducerId, V3AndBelowProducerId */
    KT_ROLE_PRODUCER_EPOCH,     /* int16 ProducerEpoch,
                                   V3AndBelowProducerEpoch */
    KT_ROLE_TXN_RESULT,         /* bool: EndTxn Committed, WriteTxnMarkers
                                   TransactionResult (true = commit) */
    KT_ROLE_REPLICA_ID,         /* int32 ReplicaId, entityType brokerId (Fetch
                                   v<15 top level, v15+ in the tagged
                                   ReplicaState; ListOffsets): >= 0 names a
                                   broker */
    KT_ROLE_BROKER_NODE_ID,     /* Metadata response Brokers[]: NodeId, */
    KT_ROLE_BROKER_HOST,        /*   Host */
    KT_ROLE_BROKER_PORT,        /*   and Port of each broker */
    KT_ROLE_COUNT
};

/* What a struct stands for, from the roles of its own scalar fields. */
enum kt_scope {
    KT_SCOPE_ROOT,       /* the message body itself */
    KT_SCOPE_TOPIC,      /* has a topic name or id, no partition index */
    KT_SCOPE_PARTITION,  /* has a partition index */
    KT_SCOPE_GROUP,      /* has a group id (and no topic/partition) */
    KT_SCOPE_OTHER,
};

#define KT_VERSION_OPEN 127  /* vmax of an "N+" range */

typedef struct kt_sfield {
    const char *name;      /* schema name: "PartitionIndex" */
    uint16_t child;        /* struct index for KT_FT_STRUCT */
    uint8_t type;          /* enum kt_ftype */
    uint8_t flags;         /* KT_FF_* */
    uint8_t role;          /* enum kt_role */
    int8_t vmin, vmax;     /* versions the field exists in; -1: none */
    int8_t nmin, nmax;     /* nullable versions; -1: none */
    int8_t tmin, tmax;     /* tagged versions; -1: none */
    int32_t tag;           /* tag number when tagged, else -1 */
} kt_sfield;

typedef struct kt_sstruct {
    const char *name;      /* schema type name: "PartitionProduceData" */
    uint16_t first;        /* index of its first field in kt_schema_fields */
    uint16_t nfields;
    uint8_t scope;         /* enum kt_scope */
    uint8_t ntagged;       /* number of fields with a tag */
    uint16_t min_size;     /* lower bound of one encoded element, >= 1 */
    uint16_t min_size_flex;/* the same in flexible versions */
} kt_sstruct;

/* A run of versions described by one schema file: the current schema's
 * validVersions, or the older versions a legacy schema still describes. */
typedef struct kt_sseg {
    int8_t vmin, vmax;     /* the versions this segment decodes */
    int8_t flex_min;       /* first flexible version of its schema, -1: none */
    uint16_t root;         /* struct index of the body */
} kt_sseg;

typedef struct kt_smsg {
    uint8_t nseg;          /* 0: no decodable version with this api key */
    kt_sseg seg[KT_SCHEMA_MAX_SEGS];   /* ascending versions */
} kt_smsg;

extern const kt_sfield kt_schema_fields[KT_SCHEMA_NFIELDS];
extern const kt_sstruct kt_schema_structs[KT_SCHEMA_NSTRUCTS];
extern const kt_smsg kt_schema_requests[KT_SCHEMA_MAX_KEY + 1];
extern const kt_smsg kt_schema_responses[KT_SCHEMA_MAX_KEY + 1];

static inline int kt_in_versions(int v, int lo, int hi)
{
    return lo >= 0 && v >= lo && v <= hi;
}

#endif
