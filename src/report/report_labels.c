/* report_labels.c - printable labels of client ids and topics for the
 * reports and the findings (see report_labels.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/json_writer.h"
#include "report/report_labels.h"

void kt_label_escaped(char *buf, size_t len, const char *s, size_t n)
{
    char *p = NULL;
    size_t sz = 0;
    FILE *m;

    if (!len)
        return;
    buf[0] = 0;
    m = open_memstream(&p, &sz);
    if (!m)
        return;
    kt_json_escape(m, (const uint8_t *)s, n);
    fclose(m);
    if (p) {
        size_t k = sz < len - 1 ? sz : len - 1;
        memcpy(buf, p, k);
        buf[k] = 0;
    }
    free(p);
}

void kt_label_client_id(char *buf, size_t len, const kt_istr *id)
{
    if (!id || id->is_null)
        snprintf(buf, len, "(null)");
    else if (!id->len)
        snprintf(buf, len, "\"\"");
    else
        kt_label_escaped(buf, len, id->s, id->len);
}

void kt_json_client_id(kt_json *j, const kt_istr *id)
{
    if (!id || id->is_null)
        kt_json_null(j);
    else
        kt_json_string_n(j, (const uint8_t *)id->s, id->len);
}

int kt_label_topic_id(const kt_topic *canon, char out[23])
{
    const kt_topic *t = canon;
    out[0] = 0;
    if (!t)
        return 0;
    if (!t->has_id || kt_topic_id_is_zero(t->id))
        t = t->link;
    if (!t || !t->has_id || kt_topic_id_is_zero(t->id))
        return 0;
    kt_topic_id_text(t->id, out);
    return 1;
}

void kt_label_topic(char *buf, size_t len, const kt_topic *canon)
{
    const kt_istr *name = canon ? kt_topic_name(canon) : NULL;
    char id[23];

    if (canon && canon->is_overflow)
        snprintf(buf, len, "(other topics)");
    else if (name)
        kt_label_escaped(buf, len, name->s, name->len);
    else if (kt_label_topic_id(canon, id))
        snprintf(buf, len, "%s (unresolved id)", id);
    else
        snprintf(buf, len, "(unknown topic)");
}
