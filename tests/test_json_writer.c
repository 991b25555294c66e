/* test_json_writer.c - unit tests of the streaming JSON writer
 * (src/json_writer.[ch]).
 *
 * Ground truth is RFC 8259 (JSON) and RFC 3629 (UTF-8): every document the
 * writer produces is parsed by a strict validator written here from the
 * RFC grammar, which also decodes strings; and, when python3 is installed,
 * by Python's json module as an independent second opinion.  Checked:
 * escaping of quotes, backslashes and every control character; valid UTF-8
 * passed through unchanged; bytes that are not valid UTF-8 (overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences, stray
 * continuation bytes) each written as the code point of the byte
 * (\u00XX), as json_writer.h documents; nesting and commas; numbers.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/json_writer.h"

/* ---- a strict JSON validator (RFC 8259) that decodes strings ------------ */

typedef struct jp {
    const char *p, *end;
    int ok;
    /* the last string decoded, as code points */
    uint32_t cp[4096];
    size_t ncp;
} jp;

static void ws(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static int lit(jp *j, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
        return j->ok = 0;
    j->p += n;
    return 1;
}

static int hex4(jp *j, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        if (j->p >= j->end)
            return j->ok = 0;
        char c = *j->p++;
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (uint32_t)(c - 'A' + 10);
        else
            return j->ok = 0;
    }
    return 1;
}

/* One UTF-8 sequence per RFC 3629's grammar (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
static int utf8_decode(jp *j, uint32_t *cp)
{
    const uint8_t *s = (const uint8_t *)j->p;
    size_t left = (size_t)(j->end - j->p);
    uint8_t b0 = s[0];
    if (b0 < 0x80) {
        *cp = b0;
        j->p++;
        return 1;
    }
    size_t n;
    uint8_t lo = 0x80, hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
    else if (b0 == 0xe0) { n = 3; lo = 0xa0; }
    else if (b0 >= 0xe1 && b0 <= 0xec) n = 3;
    else if (b0 == 0xed) { n = 3; hi = 0x9f; }
    else if (b0 >= 0xee && b0 <= 0xef) n = 3;
    else if (b0 == 0xf0) { n = 4; lo = 0x90; }
    else if (b0 >= 0xf1 && b0 <= 0xf3) n = 4;
    else if (b0 == 0xf4) { n = 4; hi = 0x8f; }
    else return j->ok = 0;
    if (left < n)
        return j->ok = 0;
    if (s[1] < lo || s[1] > hi)
        return j->ok = 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return j->ok = 0;
    *cp = n == 2 ? (uint32_t)(b0 & 0x1f) : n == 3 ? (uint32_t)(b0 & 0x0f) : (uint32_t)(b0 & 0x07);
    for (size_t i = 1; i < n; i++)
        *cp = (*cp << 6) | (s[i] & 0x3f);
    j->p += n;
    return 1;
}

static int string(jp *j)
{
    j->ncp = 0;
    if (!lit(j, "\""))
        return 0;
    for (;;) {
        uint32_t cp;
        if (j->p >= j->end)
            return j->ok = 0;
        uint8_t c = (uint8_t)*j->p;
        if (c == '"') {
            j->p++;
            return 1;
        }
        if (c < 0x20)
            return j->ok = 0;            /* raw control characters are not allowed */
        if (c == '\\') {
            j->p++;
            if (j->p >= j->end)
                return j->ok = 0;
            char e = *j->p++;
            switch (e) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = 8; break;
            case 'f': cp = 12; break;
            case 'n': cp = 10; break;
            case 'r': cp = 13; break;
            case 't': cp = 9; break;
            case 'u':
                if (!hex4(j, &cp))
                    return 0;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    uint32_t lo;
                    if (!lit(j, "\\u") || !hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
                        return j->ok = 0;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return j->ok = 0;    /* a lone low surrogate */
                }
                break;
            default:
                return j->ok = 0;
            }
        } else if (!utf8_decode(j, &cp)) {
            return 0;
        }
        if (j->ncp < sizeof j->cp / sizeof j->cp[0])
            j->cp[j->ncp++] = cp;
    }
}

static int number(jp *j)
{
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p >= j->end)
        return j->ok = 0;
    if (*j->p == '0') {
        j->p++;
    } else if (*j->p >= '1' && *j->p <= '9') {
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    } else {
        return j->ok = 0;
    }
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9')
            return j->ok = 0;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9')
            return j->ok = 0;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    }
    return 1;
}

static int value(jp *j, int depth);

static int members(jp *j, int depth, char close, int object)
{
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return 1;
    }
    for (;;) {
        ws(j);
        if (object) {
            if (!string(j))
                return 0;
            ws(j);
            if (!lit(j, ":"))
                return 0;
        }
        if (!value(j, depth + 1))
            return 0;
        ws(j);
        if (j->p >= j->end)
            return j->ok = 0;
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p == close) {
            j->p++;
            return 1;
        }
        return j->ok = 0;
    }
}

static int value(jp *j, int depth)
{
    if (depth > 64)
        return j->ok = 0;
    ws(j);
    if (j->p >= j->end)
        return j->ok = 0;
    switch (*j->p) {
    case '{': return members(j, depth, '}', 1);
    case '[': return members(j, depth, ']', 0);
    case '"': return string(j);
    case 't': return lit(j, "true");
    case 'f': return lit(j, "false");
    case 'n': return lit(j, "null");
    default: return number(j);
    }
}

/* A whole document: one value, then only whitespace. */
static int valid_json(jp *j, const char *s, size_t n)
{
    j->p = s;
    j->end = s + n;
    j->ok = 1;
    if (!value(j, 0))
        return 0;
    ws(j);
    return j->ok && j->p == j->end;
}

/* ---- capture the writer's output ------------------------------------------- */

typedef struct out {
    char *buf;
    size_t len;
    FILE *f;
} out;

static void out_open(out *o)
{
    o->buf = NULL;
    o->len = 0;
    o->f = open_memstream(&o->buf, &o->len);
    assert_non_null(o->f);
}

static void out_close(out *o)
{
    fclose(o->f);
}

/* Python's json module agrees: 0 valid, 77 when python3 is not installed,
 * anything else invalid. */
static int python_status(const char *doc, size_t len)
{
    char tmpl[] = "/tmp/kt-json-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    fwrite(doc, 1, len, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "command -v python3 >/dev/null 2>&1 || exit 77; "
             "python3 -c 'import json,sys; json.loads(open(sys.argv[1],\"rb\").read().decode(\"utf-8\"))' %s 2>/dev/null",
             tmpl);
    int st = system(cmd);
    unlink(tmpl);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);   /* 0 valid, 77 no python3, else invalid */
}

/* ---- tests ------------------------------------------------------------------ */

/* Every single byte as a string: a control character is escaped, a byte
 * that is not UTF-8 on its own (0x80-0xff) becomes U+0080-U+00FF; each
 * decodes back to its code point. */
static void test_every_byte(void **state)
{
    (void)state;
    for (int b = 0; b < 256; b++) {
        out o;
        jp j;
        uint8_t c = (uint8_t)b;
        out_open(&o);
        kt_json json;
        kt_json_init(&json, o.f, 0);
        kt_json_string_n(&json, &c, 1);
        out_close(&o);
        if (!valid_json(&j, o.buf, o.len))
            fail_msg("byte 0x%02x -> invalid JSON %s", b, o.buf);
        assert_int_equal(j.ncp, 1);
        assert_int_equal(j.cp[0], (uint32_t)b);
        if (b < 0x20 || b == '"' || b == '\\')
            assert_true(o.len > 3);                /* escaped */
        free(o.buf);
    }
}

static void test_escapes(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } t[] = {
        { "plain", "\"plain\"" },
        { "say \"hi\"", "\"say \\\"hi\\\"\"" },
        { "back\\slash", "\"back\\\\slash\"" },
        { "line\nfeed\rtab\t", "\"line\\nfeed\\rtab\\t\"" },
        { "\x01\x1f", "\"\\u0001\\u001f\"" },
        { "", "\"\"" },
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        out o;
        jp j;
        kt_json json;
        out_open(&o);
        kt_json_init(&json, o.f, 0);
        kt_json_string(&json, t[i].in);
        out_close(&o);
        assert_string_equal(o.buf, t[i].want);
        assert_true(valid_json(&j, o.buf, o.len));
        free(o.buf);
    }
}

/* Invalid UTF-8: each offending byte becomes its own \u00XX; valid
 * characters around it survive. */
static void test_invalid_utf8(void **state)
{
    static const struct {
        const char *name;
        const char *in;
        size_t n;
        uint32_t want[8];
        size_t nwant;
    } t[] = {
        { "overlong slash", "\xc0\xaf", 2, { 0xc0, 0xaf }, 2 },
        { "overlong 3-byte", "\xe0\x80\xaf", 3, { 0xe0, 0x80, 0xaf }, 3 },
        { "surrogate", "\xed\xa0\x80", 3, { 0xed, 0xa0, 0x80 }, 3 },
        { "above U+10FFFF", "\xf4\x90\x80\x80", 4, { 0xf4, 0x90, 0x80, 0x80 }, 4 },
        { "truncated euro", "a\xe2\x82", 3, { 'a', 0xe2, 0x82 }, 3 },
        { "stray continuation", "\x80x\xbf", 3, { 0x80, 'x', 0xbf }, 3 },
        { "f5..ff", "\xf5\xff\xfe", 3, { 0xf5, 0xff, 0xfe }, 3 },
        { "bad then good", "\xe2\x28\xa1\xc3\xa9", 5, { 0xe2, '(', 0xa1, 0xe9 }, 4 },
        { "NUL inside", "a\0b", 3, { 'a', 0, 'b' }, 3 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        out o;
        jp j;
        kt_json json;
        out_open(&o);
        kt_json_init(&json, o.f, 0);
        kt_json_string_n(&json, (const uint8_t *)t[i].in, t[i].n);
        out_close(&o);
        if (!valid_json(&j, o.buf, o.len))
            fail_msg("%s: invalid JSON %s", t[i].name, o.buf);
        assert_int_equal(j.ncp, t[i].nwant);
        for (size_t k = 0; k < t[i].nwant; k++)
            if (j.cp[k] != t[i].want[k])
                fail_msg("%s: code point %zu is U+%04X, want U+%04X", t[i].name, k,
                         j.cp[k], t[i].want[k]);
        free(o.buf);
    }
}

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static size_t encode_utf8(uint32_t cp, uint8_t *o)
{
    if (cp < 0x80) { o[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { o[0] = (uint8_t)(0xc0 | cp >> 6); o[1] = (uint8_t)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xe0 | cp >> 12); o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (uint8_t)(0x80 | (cp & 0x3f)); return 3;
    }
    o[0] = (uint8_t)(0xf0 | cp >> 18); o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (uint8_t)(0x80 | (cp & 0x3f)); return 4;
}

/* Random valid UTF-8 (all code points but surrogates) comes back exactly;
 * random bytes always make valid JSON.  All of it, as one array, is also
 * checked by Python. */
static void test_random_strings(void **state)
{
    out doc;
    kt_json all;
    (void)state;
    out_open(&doc);
    kt_json_init(&all, doc.f, 0);
    kt_json_array_begin(&all);
    for (int round = 0; round < 3000; round++) {
        uint8_t bytes[256];
        uint32_t cps[64];
        size_t n = 0, ncp = 0;
        int valid = round % 2 == 0;
        if (valid) {
            ncp = next_rand() % 64;
            for (size_t i = 0; i < ncp; i++) {
                uint32_t cp;
                do {
                    uint32_t r = next_rand();
                    cp = r % 4 == 0 ? r % 0x80 : r % 4 == 1 ? r % 0x800 :
                         r % 4 == 2 ? r % 0x10000 : r % 0x110000;
                } while (cp >= 0xd800 && cp <= 0xdfff);
                cps[i] = cp;
                n += encode_utf8(cp, bytes + n);
            }
        } else {
            n = next_rand() % 200;
            for (size_t i = 0; i < n; i++)
                bytes[i] = (uint8_t)next_rand();
        }
        out o;
        jp j;
        kt_json json;
        out_open(&o);
        kt_json_init(&json, o.f, 0);
        kt_json_string_n(&json, bytes, n);
        out_close(&o);
        if (!valid_json(&j, o.buf, o.len))
            fail_msg("round %d: invalid JSON %s", round, o.buf);
        if (valid) {
            assert_int_equal(j.ncp, ncp);
            for (size_t i = 0; i < ncp; i++)
                assert_int_equal(j.cp[i], cps[i]);
        }
        kt_json_string_n(&all, bytes, n);
        free(o.buf);
    }
    kt_json_array_end(&all);
    kt_json_finish(&all);
    out_close(&doc);
    jp j;
    assert_true(valid_json(&j, doc.buf, doc.len));
    int st = python_status(doc.buf, doc.len);
    if (st != 77)
        assert_int_equal(st, 0);
    free(doc.buf);
}

static void write_sample(kt_json *j)
{
    kt_json_object_begin(j);
    kt_json_key(j, "a");
    kt_json_array_begin(j);
    kt_json_int(j, 1);
    kt_json_int(j, -2);
    kt_json_object_begin(j);
    kt_json_key(j, "b");
    kt_json_null(j);
    kt_json_object_end(j);
    kt_json_array_end(j);
    kt_json_key(j, "c");
    kt_json_object_begin(j);
    kt_json_object_end(j);
    kt_json_key(j, "d");
    kt_json_array_begin(j);
    kt_json_array_end(j);
    kt_json_key(j, "e\"q");
    kt_json_string(j, "x");
    kt_json_key(j, "f");
    kt_json_bool(j, 1);
    kt_json_key(j, "g");
    kt_json_bool(j, 0);
    kt_json_key(j, "h");
    kt_json_string(j, NULL);
    kt_json_key(j, "i");
    kt_json_array_begin(j);
    kt_json_array_begin(j);
    kt_json_array_begin(j);
    kt_json_array_end(j);
    kt_json_array_end(j);
    kt_json_uint(j, 7);
    kt_json_array_end(j);
    kt_json_object_end(j);
    kt_json_finish(j);
}

static void test_nesting_and_commas(void **state)
{
    out o;
    jp j;
    kt_json json;
    (void)state;
    out_open(&o);
    kt_json_init(&json, o.f, 0);
    write_sample(&json);
    out_close(&o);
    assert_string_equal(o.buf,
        "{\"a\":[1,-2,{\"b\":null}],\"c\":{},\"d\":[],\"e\\\"q\":\"x\",\"f\":true,"
        "\"g\":false,\"h\":null,\"i\":[[[]],7]}\n");
    assert_true(valid_json(&j, o.buf, o.len));

    /* pretty: valid, and the same document once whitespace outside strings
     * is removed */
    out p;
    out_open(&p);
    kt_json_init(&json, p.f, 1);
    write_sample(&json);
    out_close(&p);
    assert_true(valid_json(&j, p.buf, p.len));
    char *squeezed = malloc(p.len + 1);
    size_t n = 0;
    int in_str = 0;
    for (size_t i = 0; i < p.len; i++) {
        char c = p.buf[i];
        if (in_str) {
            squeezed[n++] = c;
            if (c == '\\')
                squeezed[n++] = p.buf[++i];
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
            squeezed[n++] = c;
        } else if (c != ' ' && c != '\n') {
            squeezed[n++] = c;
        }
    }
    squeezed[n] = 0;
    assert_string_equal(squeezed,
        "{\"a\":[1,-2,{\"b\":null}],\"c\":{},\"d\":[],\"e\\\"q\":\"x\",\"f\":true,"
        "\"g\":false,\"h\":null,\"i\":[[[]],7]}");
    int st = python_status(p.buf, p.len);
    if (st != 77)
        assert_int_equal(st, 0);
    free(squeezed);
    free(o.buf);
    free(p.buf);
}

static void test_numbers(void **state)
{
    out o;
    jp j;
    kt_json json;
    (void)state;
    out_open(&o);
    kt_json_init(&json, o.f, 0);
    kt_json_array_begin(&json);
    kt_json_int(&json, INT64_MIN);
    kt_json_int(&json, INT64_MAX);
    kt_json_uint(&json, UINT64_MAX);
    kt_json_fixed(&json, 1.23456, 3);
    kt_json_fixed(&json, -0.5, 1);
    kt_json_fixed(&json, 2.0, 0);
    kt_json_fixed(&json, NAN, 3);
    kt_json_fixed(&json, INFINITY, 3);
    kt_json_fixed(&json, -INFINITY, 3);
    kt_json_array_end(&json);
    out_close(&o);
    assert_string_equal(o.buf, "[-9223372036854775808,9223372036854775807,"
                               "18446744073709551615,1.235,-0.5,2,null,null,null]");
    assert_true(valid_json(&j, o.buf, o.len));
    free(o.buf);
}

/* Several documents one after another on a stream (NDJSON events): each
 * line is valid on its own. */
static void test_ndjson_lines(void **state)
{
    out o;
    kt_json json;
    (void)state;
    out_open(&o);
    for (int i = 0; i < 3; i++) {
        kt_json_init(&json, o.f, 0);
        kt_json_object_begin(&json);
        kt_json_key(&json, "n");
        kt_json_int(&json, i);
        kt_json_key(&json, "id");
        kt_json_string_n(&json, (const uint8_t *)"\xff\n", 2);
        kt_json_object_end(&json);
        kt_json_finish(&json);
    }
    out_close(&o);
    char *line = o.buf;
    int lines = 0;
    for (char *nl; (nl = memchr(line, '\n', (size_t)(o.buf + o.len - line))); line = nl + 1) {
        jp j;
        assert_true(valid_json(&j, line, (size_t)(nl - line)));
        lines++;
    }
    assert_int_equal(lines, 3);
    assert_string_equal(o.buf, "{\"n\":0,\"id\":\"\\u00ff\\n\"}\n"
                               "{\"n\":1,\"id\":\"\\u00ff\\n\"}\n"
                               "{\"n\":2,\"id\":\"\\u00ff\\n\"}\n");
    free(o.buf);
}

/* Nesting deeper than KT_JSON_MAX_DEPTH is documented as ignored: it must
 * not write out of bounds (run under the sanitizers), and the brackets
 * still balance. */
static void test_too_deep(void **state)
{
    out o;
    kt_json json;
    int depth = 0, maxdepth = 0;
    (void)state;
    out_open(&o);
    kt_json_init(&json, o.f, 0);
    for (int i = 0; i < 2 * KT_JSON_MAX_DEPTH; i++)
        kt_json_array_begin(&json);
    for (int i = 0; i < 2 * KT_JSON_MAX_DEPTH; i++)
        kt_json_array_end(&json);
    out_close(&o);
    for (size_t i = 0; i < o.len; i++) {
        depth += o.buf[i] == '[' ? 1 : o.buf[i] == ']' ? -1 : 0;
        assert_true(depth >= 0);
        if (depth > maxdepth)
            maxdepth = depth;
    }
    assert_int_equal(depth, 0);
    assert_int_equal(maxdepth, 2 * KT_JSON_MAX_DEPTH);
    free(o.buf);
}

/* The validator itself rejects what it must (so that the checks above can
 * fail). */
static void test_validator_rejects(void **state)
{
    static const char *bad[] = {
        "{\"a\":1,}", "[1 2]", "\"\x01\"", "\"\\x41\"", "\"\xc0\xaf\"", "\"\\ud800\"",
        "{\"a\"}", "[", "01", "1.", "\"\xed\xa0\x80\"", "[1],", "nul",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jp j;
        if (valid_json(&j, bad[i], strlen(bad[i])))
            fail_msg("validator accepted %s", bad[i]);
    }
    int st = python_status("{\"a\":1,}", 8);
    if (st != 77)
        assert_int_not_equal(st, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validator_rejects),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_random_strings),
        cmocka_unit_test(test_nesting_and_commas),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_ndjson_lines),
        cmocka_unit_test(test_too_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
