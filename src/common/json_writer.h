/* json_writer.h - a small streaming JSON writer for reports and events.
 *
 * The writer tracks nesting and commas itself: callers say what comes next
 * (object, key, value) and never print punctuation.  Strings are escaped as
 * JSON requires; bytes that are not valid UTF-8 (client ids come off the
 * wire) are written as \u00XX of the byte, so the output is always valid
 * JSON.  Output goes to a FILE*.  Nesting deeper than KT_JSON_MAX_DEPTH is a
 * programming error and is ignored.
 */
#ifndef KT_JSON_WRITER_H
#define KT_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KT_JSON_MAX_DEPTH 32

typedef struct kt_json {
    FILE *out;
    int depth;
    int pretty;                       /* indent with two spaces */
    unsigned char first[KT_JSON_MAX_DEPTH]; /* no element yet at this level */
    int after_key;                    /* a key was written, value follows */
    int compact_from;                 /* depth of an open compact array, 0: none */
} kt_json;

void kt_json_init(kt_json *j, FILE *out, int pretty);
void kt_json_object_begin(kt_json *j);
void kt_json_object_end(kt_json *j);
void kt_json_array_begin(kt_json *j);
/* An array written on one line even when pretty (long lists of numbers),
 * closed by kt_json_array_end(). */
void kt_json_array_begin_compact(kt_json *j);
void kt_json_array_end(kt_json *j);
void kt_json_key(kt_json *j, const char *key);
void kt_json_string(kt_json *j, const char *s);
void kt_json_string_n(kt_json *j, const uint8_t *s, size_t n);
void kt_json_int(kt_json *j, int64_t v);
void kt_json_uint(kt_json *j, uint64_t v);
/* Fixed-point number with `decimals` digits after the point. */
void kt_json_fixed(kt_json *j, double v, int decimals);
void kt_json_bool(kt_json *j, int v);
void kt_json_null(kt_json *j);
/* A key and its value in one call. */
void kt_json_kv_uint(kt_json *j, const char *key, uint64_t v);
void kt_json_kv_bool(kt_json *j, const char *key, int v);

/* Ends the document with a newline. */
void kt_json_finish(kt_json *j);

/* Writes the escaped form of s (without quotes) to out. */
void kt_json_escape(FILE *out, const uint8_t *s, size_t n);

#endif
