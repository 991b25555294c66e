/* test_escape.c - the HTML escaper (common/escape.h): markup characters
 * become entities, valid UTF-8 passes, control bytes (C0, DEL, C1) and
 * invalid bytes become the visible text \u00XX, and every one of the 256
 * bytes alone gives output with no markup character left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/escape.h"

static char *html_of(const char *s, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    kt_html_escape(f, s, n);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void test_html_escapes(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } t[] = {
        { "plain", "plain" },
        { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "a&b \"q\" 'x'", "a&amp;b &quot;q&quot; &#39;x&#39;" },
        { "tab\tnl\n", "tab\tnl\n" },
        { "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
        { "c1 \xc2\x85 nbsp \xc2\xa0", "c1 \\u0085 nbsp \xc2\xa0" },
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e" },
        { "bad \xff \xc3 \xed\xa0\x80", "bad \\u00ff \\u00c3 \\u00ed\\u00a0\\u0080" },
        { "", "" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *got = html_of(t[i].in, strlen(t[i].in));
        assert_string_equal(got, t[i].want);
        free(got);
    }
}

static void test_every_byte(void **state)
{
    (void)state;
    for (int b = 0; b < 256; b++) {
        char c = (char)b;
        char *got = html_of(&c, 1);
        assert_true(strlen(got) >= 1);
        assert_null(strpbrk(got, "<>\"'"));
        if (strchr("&<>\"'", b) && b)
            assert_true(got[0] == '&' && got[strlen(got) - 1] == ';');
        else
            assert_null(strchr(got, '&'));
        if ((b < 0x20 && b != '\t' && b != '\n') || b >= 0x7f)
            assert_int_equal(got[0], '\\');
        free(got);
    }
}

/* An embedded NUL is a byte like the others, not the end. */
static void test_nul(void **state)
{
    char *got = html_of("a\0<", 3);
    (void)state;
    assert_string_equal(got, "a\\u0000&lt;");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escapes),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
