/* client_partition_stats.h - per-client delivery: what each client id
 * produced, had acknowledged, had refused and fetched, in total and per
 * topic-partition.
 *
 * Each Produce or Fetch exchange with per-partition details adds, for every
 * partition it names, to the entry of (client id, topic as on the wire,
 * partition) and to the client id's totals:
 *
 *   Produce  records and bytes sent; records acknowledged (the response
 *            carried the partition with error 0); records failed (carried
 *            with an error, counted by error code); records unanswered (no
 *            response to an acks != 0 request, or the response left the
 *            partition out); records sent with acks=0 (never acknowledged,
 *            never failed).  A request whose response the capture may have
 *            lost counts as sent only.
 *   Fetch    records and bytes returned.
 *
 * So for a client: sent = acked + failed + unanswered + acks0 + (records
 * of requests lost with the capture).
 *
 * Bounds: the totals table has one entry per client id the intern table
 * hands out (itself bounded, --max-client-ids); the partition table keeps at
 * most KT_MAX_CLIENT_PARTITIONS (client id, partition) entries, past which
 * results go to one "(other)" entry (is_other; client_partition_table_full
 * counts them), so a client's totals stay exact and only its breakdown is
 * cut.  Both are charged to one memory account, "client_partition_table"
 * (no cap: the limits bound it).
 *
 * Memory, measured on x86-64 (tests/test_table.c checks): an entry is
 * sizeof(kt_client_partition) 120 + KT_TABLE_OVERHEAD_PER_ENTRY 32 bytes,
 * plus 16 bytes per distinct error code; so the 100,000 partition entries
 * cost 15.2 MB; a client id's totals 104 + 32 bytes.  The merged view (kt_client_parts_merged) costs as much
 * again while a report is built. */
#ifndef KT_CLIENT_PARTITION_STATS_H
#define KT_CLIENT_PARTITION_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "common/intern.h"
#include "common/memcap.h"
#include "common/table.h"
#include "kafka/exchange.h"
#include "kafka/topics.h"
#include "stats/stats.h"

#define KT_MAX_CLIENT_PARTITIONS 100000

typedef struct kt_delivery {
    uint64_t produce_requests;        /* Produce requests (one per partition named) */
    uint64_t records_sent, bytes_sent;
    uint64_t records_acked;           /* partition error 0 */
    uint64_t records_failed;          /* partition error != 0 */
    uint64_t records_unanswered;      /* acks != 0, no answer for the partition */
    uint64_t records_acks0;           /* sent with acks=0 */
    kt_code_count *failed;            /* records failed, by error code */
    int nfailed, capfailed;
    uint64_t fetch_requests;          /* (one per partition named) */
    uint64_t records_fetched, bytes_fetched;
} kt_delivery;

typedef struct kt_client_partition {
    const kt_istr *client_id;         /* NULL in the "(other)" entry */
    const kt_topic *topic;            /* as keyed; NULL in "(other)" */
    int32_t partition;
    int is_other;
    kt_delivery d;
} kt_client_partition;

#define KT_CLIENT_PARTITION_ENTRY_BYTES (sizeof(kt_client_partition) + KT_TABLE_OVERHEAD_PER_ENTRY)

typedef struct kt_client_delivery {
    const kt_istr *client_id;
    kt_delivery d;
} kt_client_delivery;

typedef struct kt_client_parts {
    kt_table clients;                 /* of kt_client_delivery, keyed by client id */
    kt_table parts;                   /* of kt_client_partition, keyed
                                         (client id, topic, partition) */
    kt_memcap mem;                    /* both tables' entries */
} kt_client_parts;

kt_client_parts *kt_client_parts_new(void);
void kt_client_parts_add(kt_client_parts *p, const kt_exchange *ex);
void kt_client_parts_free(kt_client_parts *p);

/* A client id's totals, the entry of (client id, topic, partition) and the
 * "(other)" entry, created when new (NULL when the table is full without
 * room, or memory runs out): a merged report rebuilds delivery through
 * these (report_load.h). */
kt_delivery *kt_client_parts_totals(kt_client_parts *p, const kt_istr *id);
kt_client_partition *kt_client_parts_entry(kt_client_parts *p, const kt_istr *id,
                                           const kt_topic *tp, int32_t partition);
kt_client_partition *kt_client_parts_other(kt_client_parts *p);

/* A client id's delivery as reported and judged: its totals and its
 * partitions (merged, a run of kt_client_parts_merged()'s list). */
typedef struct kt_delivery_row {
    const kt_istr *client_id;
    kt_delivery d;
    const kt_client_partition *const *parts;
    size_t nparts;
} kt_delivery_row;

/* Adds b's counts to a (error codes included). */
void kt_delivery_merge(kt_delivery *a, const kt_delivery *b);

/* The partition entries merged by canonical topic (newly allocated; the
 * "(other)" entry last), sorted by client id (null ids last), then topic
 * name, then partition.  Free with kt_client_parts_merged_free(). */
kt_client_partition **kt_client_parts_merged(const kt_client_parts *p, size_t *n);
void kt_client_parts_merged_free(kt_client_partition **list, size_t n);

#endif
