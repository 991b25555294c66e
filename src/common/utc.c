/* utc.c - capture times as UTC text (utc.h). */
#include <stdio.h>
#include <time.h>
#include "common/utc.h"

static struct tm utc_tm(uint64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm;
}

void kt_utc_date_time(char *buf, size_t len, uint64_t us)
{
    struct tm tm = utc_tm(us);
    if (len && !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
        buf[0] = 0;
}

void kt_utc_iso(char *buf, size_t len, uint64_t us)
{
    struct tm tm = utc_tm(us);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000));
}

void kt_utc_clock(char *buf, size_t len, uint64_t us, int ms)
{
    struct tm tm = utc_tm(us);
    if (ms)
        snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(us % 1000000 / 1000));
    else
        snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}
