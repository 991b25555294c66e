/* labels.h - printable labels of the statistics' keys (client ids,
 * brokers, topics), shared by the report model, the
 * findings and the loggers: client ids and topic names with odd bytes
 * escaped the way JSON escapes them, a topic known only by its id shown as
 * that id and marked unresolved, and the one spelling of every overflow
 * entry.  Plain string functions: nothing here writes JSON.
 *
 * Labels that do not fit their buffer are cut; a buffer always ends with a
 * NUL (len > 0). */
#ifndef KT_STATS_LABELS_H
#define KT_STATS_LABELS_H

#include <stddef.h>
#include "common/endpoint.h"
#include "common/intern.h"

struct kt_topic;   /* kafka/topics.h */

/* The overflow entries of the statistics, spelled here and nowhere else:
 * the brokers beyond the broker table, and the topic every name or id
 * beyond --max-topics maps to.  (Client ids beyond --max-client-ids are
 * interned as "(too many distinct)" by the intern table itself.) */
#define KT_LABEL_OTHER_BROKER "(other)"
#define KT_LABEL_OTHER_TOPICS "(other topics)"
#define KT_LABEL_OTHER_TXN "(other)"   /* transactional ids beyond their table */

/* s escaped as in a JSON string (the escapes of json_writer.h's
 * kt_json_escape), without quotes, cut to fit (even inside an escape). */
void kt_label_escaped(char *buf, size_t len, const char *s, size_t n);
/* "(null)", "\"\"" for an empty id, else the escaped id. */
void kt_label_client_id(char *buf, size_t len, const kt_istr *id);
/* A transactional id as kt_label_client_id() spells a client id, or
 * KT_LABEL_OTHER_TXN for the overflow entry (is_other or id NULL). */
void kt_label_txn_id(char *buf, size_t len, const kt_istr *id, int is_other);
/* "host:port", or KT_LABEL_OTHER_BROKER for the overflow broker. */
void kt_label_broker(char *buf, size_t len, const kt_endpoint *broker, int is_other);

/* A topic as the outputs name it. */
typedef struct kt_topic_label {
    const char *name;        /* name_len raw bytes: the topic's name, or
                                KT_LABEL_OTHER_TOPICS for the overflow topic;
                                NULL when no name is known */
    size_t name_len;
    int resolved;            /* a real name: not the overflow topic */
    int has_id;              /* id holds the text of a non-zero topic id */
    char id[23];
} kt_topic_label;

/* A topic label as the text report shows it: its escaped name, "ID
 * (unresolved id)", or "(unknown topic)". */
void kt_topic_label_text(char *buf, size_t len, const kt_topic_label *t);

/* The label of a topic (any half of a name/id pair; NULL for none). */
void kt_topic_label_of(kt_topic_label *l, const struct kt_topic *tp);
/* The topic's escaped name; "ID (unresolved id)" for one known only by its
 * id; KT_LABEL_OTHER_TOPICS for the overflow topic; "(unknown topic)". */
void kt_label_topic(char *buf, size_t len, const struct kt_topic *tp);

#endif
