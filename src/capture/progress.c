/* progress.c - the progress line of a long read (see progress.h). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "capture/progress.h"

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void kt_progress_init(kt_progress *p, int enabled, uint64_t total_bytes)
{
    p->on = enabled && isatty(STDERR_FILENO);
    p->total_bytes = total_bytes;
    p->start = p->last = mono_now();
    p->calls = 0;
    p->shown = 0;
}

/* "12.3 MiB" */
static void human_bytes(double b, char *buf, size_t len)
{
    const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

void kt_progress_update(kt_progress *p, uint64_t bytes_done, uint64_t packets)
{
    char done[32], total[32], rate[32], eta[32] = "";
    double now, el;

    if (!p->on || ++p->calls % 256)
        return;
    now = mono_now();
    if (now - p->start < 1.0 || now - p->last < 1.0 / KT_PROGRESS_HZ)
        return;
    p->last = now;
    el = now - p->start;
    human_bytes((double)bytes_done, done, sizeof done);
    human_bytes(bytes_done / el, rate, sizeof rate);
    if (p->total_bytes && bytes_done <= p->total_bytes) {
        double left = (double)(p->total_bytes - bytes_done) / (bytes_done / el);
        human_bytes((double)p->total_bytes, total, sizeof total);
        snprintf(eta, sizeof eta, ", %d:%02d left", (int)(left / 60), (int)left % 60);
        fprintf(stderr, "\r\033[Kkafkatap: %s of %s (%.0f%%), %llu packets, %s/s%s",
                done, total, 100.0 * bytes_done / p->total_bytes,
                (unsigned long long)packets, rate, eta);
    } else {
        fprintf(stderr, "\r\033[Kkafkatap: %s, %llu packets, %s/s", done,
                (unsigned long long)packets, rate);
    }
    fflush(stderr);
    p->shown = 1;
}

void kt_progress_end(kt_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = 0;
}
