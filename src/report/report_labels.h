/* report_labels.h - printable labels shared by the text report, the JSON
 * report and the findings: client ids and topic names with odd bytes
 * escaped the way JSON escapes them, a topic known only by its id shown as
 * that id and marked unresolved. */
#ifndef KT_REPORT_LABELS_H
#define KT_REPORT_LABELS_H

#include <stddef.h>
#include "common/intern.h"
#include "common/json_writer.h"
#include "kafka/topics.h"

/* s escaped as in a JSON string, without quotes, truncated to fit. */
void kt_label_escaped(char *buf, size_t len, const char *s, size_t n);
/* "(null)", "\"\"" for an empty id, else the escaped id. */
void kt_label_client_id(char *buf, size_t len, const kt_istr *id);
/* A client id as a JSON value: null for a Kafka null string. */
void kt_json_client_id(kt_json *j, const kt_istr *id);
/* The topic's escaped name; "ID (unresolved id)" for one known only by its
 * id; "(other topics)" for the overflow topic.  Pass the canonical topic. */
void kt_label_topic(char *buf, size_t len, const kt_topic *canon);
/* The text form of the topic's id (its own or its linked half's) into
 * out; 0 when no non-zero id is known. */
int kt_label_topic_id(const kt_topic *canon, char out[23]);

#endif
