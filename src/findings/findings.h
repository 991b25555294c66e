/* findings.h - what an expert would say about the statistics: a partition
 * or topic that carries most of the produced load or of its topic's produce
 * time (hot partition, too few partitions), a broker whose latency stands
 * apart from its peers, Produce or Fetch slower than an absolute threshold,
 * error storms, throttling, unanswered requests, a follower broker that
 * falls behind or stops replicating, a capture that lost packets, a client
 * whose produced records fail, a client whose SASL logins fail, producers
 * that send tiny batches at a high request rate, transactions aborted or
 * fenced.
 * Each finding names its subject
 * and cites the numbers behind it; the rules and thresholds are documented
 * at the top of each findings_*.c and in the man page. */
#ifndef KT_FINDINGS_H
#define KT_FINDINGS_H

#include <stddef.h>
#include "stats/client_partition_stats.h"
#include "stats/partition_stats.h"
#include "stats/stats.h"
#include "stats/txn_stats.h"

enum kt_severity { KT_SEV_INFO = 0, KT_SEV_WARNING, KT_SEV_CRITICAL };

#define KT_FINDING_MAX_METRICS 16

typedef struct kt_finding {
    const char *kind;            /* "hot_partition", "hot_broker", "slow_broker", "slow_produce",
                                    "slow_fetch", "error_storm", "throttling",
                                    "unanswered_requests", "replication_lag",
                                    "slow_follower", "capture_loss",
                                    "failing_client", "sasl_auth_failure",
                                    "tiny_batches", "transaction_aborts",
                                    "transaction_fenced", "queueing",
                                    "slow_follower_acks", "broker_silent" */
    int severity;                /* enum kt_severity */
    char summary[512];           /* one sentence with the numbers */
    char subject[256];           /* what it is about: "topic orders partition 3",
                                    "broker 10.0.0.1:9092", ... */
    int nmetrics;
    struct { const char *key; double value; } metric[KT_FINDING_MAX_METRICS];
} kt_finding;

/* What the capture missed, for capture_loss (all zero: nothing). */
#define KT_FINDINGS_LOSS_CONNS 3
typedef struct kt_findings_loss {
    uint64_t packets;              /* packets read */
    uint64_t dropped, if_dropped;  /* dropped by the kernel, the interface (live) */
    uint64_t requests;             /* Kafka requests reported */
    uint64_t unknown;              /* of them, unknown (capture loss) */
    uint64_t lost_request_responses; /* responses whose request was lost */
    uint64_t missed_bytes;         /* bytes of Kafka connections never captured */
    uint64_t connections;          /* Kafka connections (summaries kept) */
    uint64_t lossy_connections;    /* of them, those that missed bytes */
    size_t nworst;                 /* the ones that missed the most, most first */
    struct { kt_endpoint client, broker; uint64_t missed_bytes; } worst[KT_FINDINGS_LOSS_CONNS];
} kt_findings_loss;

/* What the findings read, all of it read only (the report model,
 * report_model.h, fills it from the lists it reports). */
typedef struct kt_findings_input {
    const kt_stats *stats;                       /* brokers, client ids, APIs */
    const kt_api_stats *const *apis;             /* worst first, as reported */
    size_t napis;
    const kt_throttle_stats *const *throttled;   /* throttled (client id, broker)
                                                    pairs, most throttle time first */
    size_t nthrottled;
    const kt_partition_stats *const *partitions; /* merged by canonical topic */
    size_t npartitions;
    const kt_delivery_row *deliveries;           /* per client id, with partitions */
    size_t ndeliveries;
    const kt_txn_id_stats *const *txns;          /* transactional ids, most
                                                    aborted first */
    size_t ntxns;
    const kt_replica_stats *const *replicas;     /* the followers' rows, as
                                                    reported (replication_stats.h) */
    const uint64_t *replicas_unfetched_us;       /* per row: its silence at the
                                                    end (kt_partitions_unfetched_us) */
    const char *const *replicas_name;            /* per row: the follower's name
                                                    ("host:port" from Metadata,
                                                    else its client address) */
    size_t nreplicas;
    const kt_acks_row *acks;                     /* per (partition, follower): which
                                                    follower acks=all Produce waited
                                                    for (acks_wait.h), by topic,
                                                    partition, follower id */
    size_t nacks;
    int slow_produce_ms;          /* absolute thresholds; 0: the defaults below */
    int slow_fetch_ms;
    kt_findings_loss loss;
} kt_findings_input;

#define KT_SLOW_PRODUCE_MS_DEFAULT 100   /* --slow-produce-ms */
#define KT_SLOW_FETCH_MS_DEFAULT 1000    /* --slow-fetch-ms */

/* Computes the findings, most severe first; never changes its input.
 * Returns the count; *out is allocated (free it). */
size_t kt_findings_compute(const kt_findings_input *in, kt_finding **out);
const char *kt_severity_name(int severity);   /* "info", "warning", "critical" */

#endif
