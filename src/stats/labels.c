/* labels.c - printable labels of client ids, brokers and topics for
 * the report model, the findings and the loggers (see labels.h). */
#include <stdio.h>
#include <string.h>
#include "common/escape.h"
#include "kafka/topics.h"
#include "stats/labels.h"

void kt_label_escaped(char *buf, size_t len, const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t o = 0;

    if (!len)
        return;
    for (size_t i = 0; i < n && o < len - 1;) {
        char esc[8];
        const char *piece;
        size_t k;
        i += kt_escape_step(u + i, n - i, esc, &piece, &k);
        if (k > len - 1 - o)
            k = len - 1 - o;         /* cut, even inside an escape */
        memcpy(buf + o, piece, k);
        o += k;
    }
    buf[o] = 0;
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

void kt_label_txn_id(char *buf, size_t len, const kt_istr *id, int is_other)
{
    if (is_other || !id)
        snprintf(buf, len, "%s", KT_LABEL_OTHER_TXN);
    else
        kt_label_client_id(buf, len, id);
}

void kt_label_broker(char *buf, size_t len, const kt_endpoint *broker, int is_other)
{
    if (is_other)
        snprintf(buf, len, "%s", KT_LABEL_OTHER_BROKER);
    else
        kt_endpoint_format(broker, buf, len);
}

void kt_topic_label_of(kt_topic_label *l, const kt_topic *tp)
{
    const kt_topic *t = tp ? kt_topic_canon(tp) : NULL;
    const kt_istr *name = t ? kt_topic_name(t) : NULL;
    const kt_topic *with_id = t;

    memset(l, 0, sizeof *l);
    if (t && t->is_overflow) {
        l->name = KT_LABEL_OTHER_TOPICS;
        l->name_len = strlen(KT_LABEL_OTHER_TOPICS);
    } else if (name) {
        l->name = name->s;
        l->name_len = name->len;
        l->resolved = 1;
    }
    if (with_id && (!with_id->has_id || kt_topic_id_is_zero(with_id->id)))
        with_id = with_id->link;
    if (with_id && with_id->has_id && !kt_topic_id_is_zero(with_id->id)) {
        kt_topic_id_text(with_id->id, l->id);
        l->has_id = 1;
    }
}

void kt_label_topic(char *buf, size_t len, const kt_topic *tp)
{
    kt_topic_label l;

    kt_topic_label_of(&l, tp);
    if (l.name)
        kt_label_escaped(buf, len, l.name, l.name_len);
    else if (l.has_id)
        snprintf(buf, len, "%s (unresolved id)", l.id);
    else
        snprintf(buf, len, "(unknown topic)");
}

void kt_topic_label_text(char *buf, size_t len, const kt_topic_label *t)
{
    if (t->name)
        kt_label_escaped(buf, len, t->name, t->name_len);
    else if (t->has_id)
        snprintf(buf, len, "%s (unresolved id)", t->id);
    else
        snprintf(buf, len, "(unknown topic)");
}
