/* time_bound.c - parsing --since / --until (see time_bound.h). */
#define _GNU_SOURCE                 /* timegm */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "capture/time_bound.h"

/* "12", "1.5": a non-negative decimal number, nothing after it. */
static int parse_number(const char *s, const char **end, double *out)
{
    char *e;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    *out = strtod(s, &e);
    if (errno || !isfinite(*out))
        return -1;
    *end = e;
    return 0;
}

/* "2026-11-29T10:00:00.25+01:00" -> microseconds since the epoch. */
static int parse_iso(const char *s, int64_t *us)
{
    struct tm tm;
    int n = 0, zh = 0, zm = 0;
    double frac = 0;
    const char *p;
    time_t t;

    memset(&tm, 0, sizeof tm);
    if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || !n)
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    p = s + n;
    if (*p == '.') {
        const char *e;
        char *end;
        e = p + 1;
        if (!isdigit((unsigned char)*e))
            return -1;
        frac = strtod(p, &end);
        p = end;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &zh, &zm, &k) != 2 || k != 5 || zh > 23 || zm > 59)
            return -1;
        zh *= sign;
        zm *= sign;
        p += 1 + k;
    }
    if (*p)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    t -= (time_t)zh * 3600 + (time_t)zm * 60;
    *us = (int64_t)t * 1000000 + (int64_t)llround(frac * 1e6);
    return 0;
}

int kt_time_bound_parse(const char *s, kt_time_bound *b)
{
    const char *end;
    double v;

    memset(b, 0, sizeof *b);
    if (*s == '+') {
        double unit = 1;
        if (parse_number(s + 1, &end, &v) < 0)
            return -1;
        if (*end == 's')
            end++;
        else if (*end == 'm')
            unit = 60, end++;
        else if (*end == 'h')
            unit = 3600, end++;
        if (*end || v * unit > 1e9)
            return -1;
        b->relative = 1;
        b->us = (int64_t)llround(v * unit * 1e6);
    } else if (parse_number(s, &end, &v) == 0 && !*end) {
        if (v > 1e11)
            return -1;
        b->us = (int64_t)llround(v * 1e6);
    } else if (parse_iso(s, &b->us) < 0) {
        return -1;
    }
    b->set = 1;
    return 0;
}
