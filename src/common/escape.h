/* escape.h - how kafkatap prints bytes that came off the wire (client ids,
 * topic names): the one rule shared by the JSON writer and the text labels.
 *
 * Valid UTF-8 is printed as it is; '"', '\\', '\n', '\r' and '\t' get their
 * JSON escapes; every other control byte, DEL and every byte that does not
 * start a valid UTF-8 sequence (overlong forms, surrogates and code points
 * past U+10FFFF are invalid) is printed as \u00XX.  The result is valid
 * JSON string content and safe on a terminal.
 */
#ifndef KT_ESCAPE_H
#define KT_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One step over s (n > 0 bytes left): *piece and *len say what to print
 * (pointing into s or into esc, which must hold 8 bytes); returns how many
 * bytes of s that covers (>= 1). */
size_t kt_escape_step(const uint8_t *s, size_t n, char esc[8],
                      const char **piece, size_t *len);

/* The same rule for HTML text and attribute values: '&', '<', '>', '"' and
 * '\'' become entities (&amp; &lt; &gt; &quot; &#39;); valid UTF-8 is
 * printed as it is except the C1 controls (U+0080 to U+009F), which, like
 * the other control bytes, DEL and invalid bytes, are printed as the text
 * \u00XX.  Tab and newline stay as they are.  esc must hold 8 bytes. */
size_t kt_html_escape_step(const uint8_t *s, size_t n, char esc[8],
                           const char **piece, size_t *len);
/* n bytes of s escaped for HTML onto out. */
void kt_html_escape(FILE *out, const char *s, size_t n);

#endif
