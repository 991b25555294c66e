/* acks_wait.h - which follower an acks=all Produce waited for, per
 * topic-partition and follower broker.
 *
 * A leader answers an acks=all Produce once every follower in the ISR has
 * fetched past the records it appended: a follower's Fetch with a fetch
 * offset above the batch's last offset proves it holds them.  From a
 * capture that has both the Produce traffic and the followers' Fetch
 * requests (taken on the leader's host), per partition:
 *   - the produced batch's last offset = the Produce response's base offset
 *     + records sent - 1 (Produce answered without error, acks=all);
 *   - a follower's confirming fetch = its first Fetch request for the
 *     partition whose fetch offset is above that, sent no later than the
 *     Produce response's first byte (a later one was not waited for: that
 *     follower was not in the ISR then);
 *   - the follower waited for = the one whose confirming fetch came last;
 *     its wait = that fetch's arrival minus the leader's append, taken to
 *     be the Produce's arrival plus its queue wait (queue_clock.h; its
 *     arrival when the split is unknown).
 * Exchanges reach this module when their response arrives, so a Produce is
 * matched both ways: against each follower's KT_ACKS_RECENT last fetches
 * (those answered before the Produce), and, while a follower has not yet
 * fetched past its response time, against the follower's later fetches,
 * from a window of at most KT_ACKS_PENDING unresolved Produce batches per
 * partition.  A batch is resolved once every follower seen for its
 * partition has either confirmed it or fetched after its response.  When
 * the window is full the oldest batch is resolved at once (window_full):
 * KT_ACKS_PENDING later batches have been answered since, so a follower
 * whose confirming fetch (sent before that batch's response) has still not
 * been answered is taken not to be waited for: one that stopped fetching,
 * a dead broker out of the ISR.  A batch so resolved that no follower
 * confirmed is counted unattributed and, when followers fetch the
 * partition, in the acks_window_full anomaly (a capture on the client's
 * host has no follower fetches: nothing is attributed there).
 *
 * Rows are keyed by the canonical topic and partition (not the leader: the
 * followers may fetch on another listener than the clients produce to;
 * leader is the broker of the last Produce), created by an acks=all
 * Produce only; at most KT_ACKS_MAX_FOLLOWERS followers per row (more are
 * counted in followers_dropped).  The table keeps at most KT_MAX_ACKS_PARTS
 * rows (later partitions are counted in kt_partitions.acks_dropped and
 * partition_table_full), charged to the partition table's account
 * KT_ACKS_ENTRY_BYTES each (4,952 + 32 bytes on x86-64: 50 MB for 10,000;
 * tests/test_table.c), plus 512 bytes per histogram row in use. */
#ifndef KT_ACKS_WAIT_H
#define KT_ACKS_WAIT_H

#include <stddef.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/table.h"
#include "kafka/exchange.h"
#include "kafka/topics.h"
#include "stats/histogram.h"

#define KT_MAX_ACKS_PARTS 10000
#define KT_ACKS_MAX_FOLLOWERS 4     /* followers per partition (RF up to 5) */
#define KT_ACKS_RECENT 8            /* fetches remembered per follower */
#define KT_ACKS_PENDING 32          /* unresolved Produce batches per partition */

typedef struct kt_acks_fetch {
    uint64_t ts_us;               /* request time */
    int64_t offset;               /* its fetch offset */
} kt_acks_fetch;

typedef struct kt_acks_follower {
    int32_t id;                   /* replica id of its Fetch requests */
    uint32_t nrecent, next;       /* ring of its last fetches */
    kt_acks_fetch recent[KT_ACKS_RECENT];
    uint64_t last_ts_us;          /* its latest Fetch request */
    uint64_t last_count;          /* batches it was the last to confirm */
    kt_histogram wait_last;       /* their waits after the append, us */
    kt_histogram confirm;         /* every batch it confirmed: its fetch
                                     after the append, us */
} kt_acks_follower;

typedef struct kt_acks_pending {
    uint64_t append_us;           /* Produce arrival + queue wait */
    uint64_t response_us;         /* first byte of its response */
    int64_t last_offset;          /* of the batch */
    uint64_t confirm_us[KT_ACKS_MAX_FOLLOWERS]; /* 0: not yet */
} kt_acks_pending;

typedef struct kt_acks_partition {
    const kt_topic *topic;        /* canonical when the row was made */
    int32_t partition;
    kt_endpoint leader;           /* broker of its last acks=all Produce */
    uint32_t nfollowers;
    kt_acks_follower f[KT_ACKS_MAX_FOLLOWERS];
    uint64_t followers_dropped;   /* fetches of followers past the limit */
    uint32_t npending;            /* oldest first */
    kt_acks_pending pending[KT_ACKS_PENDING];
    uint64_t produced;            /* acks=all batches answered without error */
    uint64_t resolved;            /* of them, attributed to a follower */
    uint64_t unattributed;        /* resolved, but no follower fetched past
                                     them before the response */
    uint64_t window_full;         /* resolved early: the window was full */
} kt_acks_partition;

#define KT_ACKS_ENTRY_BYTES (sizeof(kt_acks_partition) + KT_TABLE_OVERHEAD_PER_ENTRY)

/* One (partition, follower) pair as the report and the findings read it. */
typedef struct kt_acks_row {
    const kt_acks_partition *part;
    const kt_acks_follower *f;
    const char *name;             /* the follower as the report names it */
} kt_acks_row;

/* An empty table of rows (kt_table_init with the row type and limit). */
void kt_acks_init(kt_table *t);

/* Adds one exchange: an acks=all Produce (its answered partitions) or a
 * follower's Fetch (kt_exchange_is_follower_fetch); others are ignored.
 * Returns the Produce partition results not kept (table full). */
uint64_t kt_acks_add(kt_table *t, const kt_exchange *ex);

/* Batches still waiting in a row's window (not attributed). */
static inline uint64_t kt_acks_unresolved(const kt_acks_partition *r)
{
    return r->npending;
}

#endif
