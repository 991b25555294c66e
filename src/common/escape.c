/* escape.c - printing bytes off the wire safely (see escape.h). */
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

size_t kt_escape_step(const uint8_t *s, size_t n, char esc[8],
                      const char **piece, size_t *len)
{
    size_t step;
    switch (s[0]) {
    case '"': *piece = "\\\""; *len = 2; return 1;
    case '\\': *piece = "\\\\"; *len = 2; return 1;
    case '\n': *piece = "\\n"; *len = 2; return 1;
    case '\r': *piece = "\\r"; *len = 2; return 1;
    case '\t': *piece = "\\t"; *len = 2; return 1;
    default: break;
    }
    step = s[0] < 0x20 || s[0] == 0x7f ? 0 : utf8_seq(s, n);
    if (step) {
        *piece = (const char *)s;
        *len = step;
        return step;
    }
    *len = (size_t)snprintf(esc, 8, "\\u%04x", s[0]);
    *piece = esc;
    return 1;
}
