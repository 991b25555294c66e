/* json_labels.h - labels as JSON values, shared by the JSON report and the
 * JSON event log: the raw bytes (the writer escapes them), null for what
 * has none.  The text forms are in stats/labels.h. */
#ifndef KT_JSON_LABELS_H
#define KT_JSON_LABELS_H

#include "common/intern.h"
#include "common/json_writer.h"

/* A client id: null for a Kafka null string. */
static inline void kt_json_client_id(kt_json *j, const kt_istr *id)
{
    if (!id || id->is_null)
        kt_json_null(j);
    else
        kt_json_string_n(j, (const uint8_t *)id->s, id->len);
}

#endif
