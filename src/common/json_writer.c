/* json_writer.c - streaming JSON writer (see json_writer.h). */
#include <math.h>
#include <string.h>
#include "common/escape.h"
#include "common/json_writer.h"

void kt_json_init(kt_json *j, FILE *out, int pretty)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->pretty = pretty;
    j->first[0] = 1;
}

/* Inside a compact array (kt_json_array_begin_compact) nothing is indented. */
static int compact(const kt_json *j)
{
    return j->compact_from && j->depth >= j->compact_from;
}

static void newline(kt_json *j)
{
    if (!j->pretty || compact(j))
        return;
    fputc('\n', j->out);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->out);
}

/* Punctuation before a value or a key. */
static void before(kt_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0) {
        if (!j->first[j->depth])
            fputc(',', j->out);
        newline(j);
    }
    j->first[j->depth] = 0;
}

static void open(kt_json *j, char c)
{
    before(j);
    fputc(c, j->out);
    if (j->depth + 1 < KT_JSON_MAX_DEPTH) {
        j->depth++;
        j->first[j->depth] = 1;
    }
}

static void close_(kt_json *j, char c)
{
    int empty = j->first[j->depth], inline_ = compact(j);
    if (j->depth > 0)
        j->depth--;
    if (j->depth < j->compact_from)
        j->compact_from = 0;
    if (!empty && !inline_)
        newline(j);
    fputc(c, j->out);
}

void kt_json_object_begin(kt_json *j) { open(j, '{'); }
void kt_json_object_end(kt_json *j) { close_(j, '}'); }
void kt_json_array_begin(kt_json *j) { open(j, '['); }
void kt_json_array_end(kt_json *j) { close_(j, ']'); }

void kt_json_array_begin_compact(kt_json *j)
{
    open(j, '[');
    if (!j->compact_from)
        j->compact_from = j->depth;
}

void kt_json_escape(FILE *out, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        char esc[8];
        const char *piece;
        size_t len;
        i += kt_escape_step(s + i, n - i, esc, &piece, &len);
        fwrite(piece, 1, len, out);
    }
}

void kt_json_key(kt_json *j, const char *key)
{
    before(j);
    fputc('"', j->out);
    kt_json_escape(j->out, (const uint8_t *)key, strlen(key));
    fputs(j->pretty ? "\": " : "\":", j->out);
    j->after_key = 1;
}

void kt_json_string_n(kt_json *j, const uint8_t *s, size_t n)
{
    before(j);
    fputc('"', j->out);
    kt_json_escape(j->out, s, n);
    fputc('"', j->out);
}

void kt_json_string(kt_json *j, const char *s)
{
    if (!s) {
        kt_json_null(j);
        return;
    }
    kt_json_string_n(j, (const uint8_t *)s, strlen(s));
}

void kt_json_int(kt_json *j, int64_t v)
{
    before(j);
    fprintf(j->out, "%lld", (long long)v);
}

void kt_json_uint(kt_json *j, uint64_t v)
{
    before(j);
    fprintf(j->out, "%llu", (unsigned long long)v);
}

void kt_json_fixed(kt_json *j, double v, int decimals)
{
    before(j);
    if (!isfinite(v))
        fputs("null", j->out);
    else
        fprintf(j->out, "%.*f", decimals, v);
}

void kt_json_bool(kt_json *j, int v)
{
    before(j);
    fputs(v ? "true" : "false", j->out);
}

void kt_json_null(kt_json *j)
{
    before(j);
    fputs("null", j->out);
}

void kt_json_kv_uint(kt_json *j, const char *key, uint64_t v)
{
    kt_json_key(j, key);
    kt_json_uint(j, v);
}

void kt_json_kv_bool(kt_json *j, const char *key, int v)
{
    kt_json_key(j, key);
    kt_json_bool(j, v);
}

void kt_json_finish(kt_json *j)
{
    fputc('\n', j->out);
    fflush(j->out);
}
