/* topics.h - the topics seen on the wire, by name and by topic id.
 *
 * Produce and Metadata name topics; Fetch v13+ and other newer APIs name
 * them only by a 16-byte topic id.  Each distinct name and each distinct id
 * gets one kt_topic; when a response pairs a name with an id (Metadata v10+,
 * DescribeTopicPartitions, CreateTopics v7+) the two are linked, and
 * kt_topic_canon() of either gives the same topic from then on.  Statistics
 * keep the kt_topic they were given and merge by canonical topic when they
 * report, so data seen before the mapping is not lost.
 *
 * Invariants: pointers stay valid until kt_topics_free(); the table (a
 * kt_table, table.h) holds at most `limit` topics, past which every new
 * name or id maps to one shared overflow topic (is_overflow) and counts
 * topic_table_full; keys are hashed with SipHash.  The names are interned
 * in a table of their own with the same limit.
 *
 * Memory per topic: sizeof(kt_topic) + KT_TABLE_OVERHEAD_PER_ENTRY, plus
 * its interned name (intern.h) when it has one.
 */
#ifndef KT_TOPICS_H
#define KT_TOPICS_H

#include <stddef.h>
#include <stdint.h>
#include "common/cursor.h"
#include "common/intern.h"

typedef struct kt_topic {
    struct kt_topic *link;       /* the other half of a name/id pair, or NULL */
    const kt_istr *name;         /* NULL for a topic known only by id */
    uint8_t id[16];
    uint8_t has_id;
    uint8_t is_overflow;
    uint64_t hash;               /* of the name's interned pointer, or of the id */
} kt_topic;

typedef struct kt_topics {
    kt_intern names;
    kt_table topics;             /* by name and by id */
    kt_topic *overflow;
} kt_topics;

int kt_topics_init(kt_topics *t, size_t limit);
void kt_topics_free(kt_topics *t);

/* NULL only when memory runs out. */
kt_topic *kt_topic_by_name(kt_topics *t, kt_slice name);
kt_topic *kt_topic_by_id(kt_topics *t, const uint8_t id[16]);
/* A response said that this name has this id. */
void kt_topics_pair(kt_topics *t, kt_slice name, const uint8_t id[16]);

/* The topic as it should be reported: the named half when a pair is known. */
const kt_topic *kt_topic_canon(const kt_topic *tp);
/* The name, or NULL when only the id is known. */
const kt_istr *kt_topic_name(const kt_topic *tp);
/* Kafka's text form of a topic id (base64url, no padding, 22 chars). */
void kt_topic_id_text(const uint8_t id[16], char out[23]);
int kt_topic_id_is_zero(const uint8_t id[16]);

#endif
