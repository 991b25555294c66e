/* txn_stats.h - transactions per transactional id.
 *
 * Fed every exchange (kt_txn_stats_add), it counts per transactional id the
 * requests of the transaction APIs (InitProducerId, AddPartitionsToTxn,
 * AddOffsetsToTxn, TxnOffsetCommit, EndTxn), the transactions that ended
 * (EndTxn answered without error, by its `committed` field) and the EndTxn
 * requests that failed, by error code.
 *
 * Records in transactions: a Produce request's records in transactional
 * batches whose partition was acknowledged (error 0) are added to the open
 * transaction of their producer id (kt_txn_detail.producer_id).  An EndTxn
 * answered without error ends it: its records count as committed or aborted
 * records of the EndTxn's transactional id, and the producer's count starts
 * again.  An InitProducerId answered with a producer id that still has an
 * open transaction means the coordinator aborted it (a new producer
 * instance, a fenced one, or a timeout): that transaction counts in
 * aborted_by_coordinator (not in `aborted`, which counts EndTxn), its
 * records as aborted (and in records_aborted_by_coordinator).
 *
 * Fencing and timeouts: responses to a transactional id's requests (the
 * transaction APIs, and Produce requests that name it) carrying
 * PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED,
 * INVALID_TXN_STATE, INVALID_PRODUCER_ID_MAPPING or TRANSACTION_ABORTABLE
 * count in `fenced` (kt_txn_fencing_error()): Kafka 4.x has no "timed out"
 * code; a transaction the coordinator aborted for its timeout shows to its
 * producer as one of these.
 *
 * Broker traffic (transaction coordinators writing markers): WriteTxnMarkers
 * requests and their commit / abort markers (one per partition), in totals
 * only: markers name producer ids, not transactional ids.  Fetch responses'
 * control records (the markers as consumers receive them) are counted in
 * control_records_fetched, never as data records.
 *
 * Bounds: at most KT_TXN_MAX_IDS transactional ids (then "(other)", and
 * txn_table_full); at most KT_TXN_MAX_PRODUCERS producer ids with an open
 * transaction followed (past that a new producer's records are not followed:
 * producers_dropped, and txn_table_full).  Both tables charge their entries
 * to the "txn_table" memory account (no cap: their limits bound them):
 * sizeof(kt_txn_id_stats) and sizeof(kt_txn_producer), plus
 * KT_TABLE_OVERHEAD_PER_ENTRY each (measured on x86-64: 136 + 32 and
 * 16 + 32 bytes, so the full tables cost 1.7 MB and 0.96 MB; checked by
 * tests/test_txn_stats.c), and 16 bytes per distinct error code.
 */
#ifndef KT_TXN_STATS_H
#define KT_TXN_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "common/intern.h"
#include "common/memcap.h"
#include "common/table.h"
#include "kafka/exchange.h"
#include "stats/stats.h"

#define KT_TXN_MAX_IDS 10000
#define KT_TXN_MAX_PRODUCERS 20000

typedef struct kt_txn_id_stats {
    const kt_istr *txn_id;        /* NULL for "(other)" */
    int is_other;
    uint64_t init_producer_id;    /* requests */
    uint64_t add_partitions;
    uint64_t add_offsets;
    uint64_t txn_offset_commit;
    uint64_t end_txn;
    uint64_t committed;           /* EndTxn answered without error, committed */
    uint64_t aborted;             /* the same, aborted */
    uint64_t end_txn_failed;      /* EndTxn answered with an error */
    uint64_t records_committed;   /* records of its committed transactions */
    uint64_t records_aborted;     /* of its aborted ones (coordinator aborts
                                     included) */
    uint64_t aborted_by_coordinator;  /* open transactions aborted when an
                                     InitProducerId took their producer id */
    uint64_t records_aborted_by_coordinator;
    uint64_t fenced;              /* responses with a fencing error (above) */
    kt_code_count *errors;        /* error codes of its requests' responses */
    int nerrors, caperrors;
} kt_txn_id_stats;

/* A producer id's open transaction. */
typedef struct kt_txn_producer {
    int64_t producer_id;
    uint64_t records;             /* transactional records acknowledged since
                                     its last EndTxn */
} kt_txn_producer;

typedef struct kt_txn_stats {
    kt_table ids;                 /* kt_txn_id_stats, first seen first */
    kt_table producers;           /* kt_txn_producer */
    kt_memcap mem;                /* "txn_table" */
    uint64_t producers_dropped;   /* Produce requests whose producer id found
                                     the producer table full */
    uint64_t txn_records_produced;    /* transactional records acknowledged */
    uint64_t marker_requests;         /* WriteTxnMarkers requests */
    uint64_t markers_commit, markers_abort;
    uint64_t marker_errors;           /* partition errors in their responses */
    uint64_t control_records_fetched; /* Fetch responses */
} kt_txn_stats;

kt_txn_stats *kt_txn_stats_new(void);
void kt_txn_stats_add(kt_txn_stats *t, const kt_exchange *ex);
void kt_txn_stats_free(kt_txn_stats *t);

/* The entry of a transactional id (NULL: the "(other)" entry), created
 * when new; NULL when memory runs out.  For merged reports, with
 * kt_txn_stats_merge (into += from: every count and error code; the open
 * transactions are not carried).  The loop of kt_txn_stats_add is never
 * run on a merged table. */
kt_txn_id_stats *kt_txn_stats_entry(kt_txn_stats *t, const kt_istr *id);
int kt_txn_stats_merge(kt_txn_stats *into, const kt_txn_stats *from);   /* -1: no memory */

/* Is this error code a transaction fenced / aborted by the coordinator
 * (list above)? */
int kt_txn_fencing_error(int16_t code);

/* Ended transactions of an entry: committed + aborted. */
static inline uint64_t kt_txn_ended(const kt_txn_id_stats *e)
{
    return e->committed + e->aborted;
}

/* The entries, most aborted transactions first (then most ended, then by
 * name).  Caller frees the array; NULL when there are none. */
const kt_txn_id_stats **kt_txn_stats_sorted(const kt_txn_stats *t, size_t *n);

#endif
