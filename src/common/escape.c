/* escape.c - printing bytes off the wire safely, in JSON strings and text
 * or in HTML (see escape.h). */
#include <stdio.h>
#include "common/escape.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
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

/* A valid UTF-8 sequence as it is; a control byte, DEL, an invalid byte
 * (and with c1 a C1 control, U+0080 to U+009F) as the text \u00XX. */
static size_t plain_or_hex(const uint8_t *s, size_t n, char esc[8], int c1,
                           const char **piece, size_t *len)
{
    size_t step = s[0] < 0x20 || s[0] == 0x7f ? 0 : utf8_seq(s, n);
    if (c1 && step == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
        *len = (size_t)snprintf(esc, 8, "\\u%04x", (unsigned)s[1]);
        *piece = esc;
        return 2;
    }
    if (step) {
        *piece = (const char *)s;
        *len = step;
        return step;
    }
    *len = (size_t)snprintf(esc, 8, "\\u%04x", s[0]);
    *piece = esc;
    return 1;
}

size_t kt_escape_step(const uint8_t *s, size_t n, char esc[8],
                      const char **piece, size_t *len)
{
    switch (s[0]) {
    case '"': *piece = "\\\""; *len = 2; return 1;
    case '\\': *piece = "\\\\"; *len = 2; return 1;
    case '\n': *piece = "\\n"; *len = 2; return 1;
    case '\r': *piece = "\\r"; *len = 2; return 1;
    case '\t': *piece = "\\t"; *len = 2; return 1;
    default: break;
    }
    return plain_or_hex(s, n, esc, 0, piece, len);
}

size_t kt_html_escape_step(const uint8_t *s, size_t n, char esc[8],
                           const char **piece, size_t *len)
{
    switch (s[0]) {
    case '&': *piece = "&amp;"; *len = 5; return 1;
    case '<': *piece = "&lt;"; *len = 4; return 1;
    case '>': *piece = "&gt;"; *len = 4; return 1;
    case '"': *piece = "&quot;"; *len = 6; return 1;
    case '\'': *piece = "&#39;"; *len = 5; return 1;
    case '\t': case '\n': *piece = (const char *)s; *len = 1; return 1;
    default: break;
    }
    return plain_or_hex(s, n, esc, 1, piece, len);
}

void kt_html_escape(FILE *out, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    char esc[8];
    while (n) {
        const char *piece;
        size_t len, step = kt_html_escape_step(p, n, esc, &piece, &len);
        fwrite(piece, 1, len, out);
        p += step;
        n -= step;
    }
}
