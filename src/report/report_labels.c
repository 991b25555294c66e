/* report_labels.c - printable labels of client ids, brokers and topics for
 * the report model, the findings and the loggers (see report_labels.h). */
#include <stdio.h>
#include <string.h>
#include "kafka/topics.h"
#include "report/report_labels.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
    static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    uint32_t cp = s[0] & (0x7f >> len);

    if (len <= 1 || len > n)
        return len > n ? 0 : len;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void kt_label_escaped(char *buf, size_t len, const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t o = 0, i = 0;

    if (!len)
        return;
    while (i < n) {
        char esc[8];
        const char *piece = esc;
        size_t k = 1, step = 1;
        switch (u[i]) {
        case '"': piece = "\\\""; k = 2; break;
        case '\\': piece = "\\\\"; k = 2; break;
        case '\n': piece = "\\n"; k = 2; break;
        case '\r': piece = "\\r"; k = 2; break;
        case '\t': piece = "\\t"; k = 2; break;
        default:
            step = u[i] < 0x20 || u[i] == 0x7f ? 0 : utf8_seq(u + i, n - i);
            if (step) {
                piece = s + i;
                k = step;
            } else {
                k = (size_t)snprintf(esc, sizeof esc, "\\u%04x", u[i]);
                step = 1;
            }
        }
        if (k > len - 1 - o)
            k = len - 1 - o;         /* cut, even inside an escape */
        memcpy(buf + o, piece, k);
        o += k;
        i += step;
        if (o == len - 1)
            break;
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
