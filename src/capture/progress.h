/* progress.h - a progress line on standard error while files are read:
 * bytes and packets done, rate, and time left from the files' total size.
 * Shown only when standard error is a terminal, only once reading has
 * taken a second (small inputs never show it), redrawn at most
 * KT_PROGRESS_HZ times a second, and erased at the end. */
#ifndef KT_PROGRESS_H
#define KT_PROGRESS_H

#include <stdint.h>

#define KT_PROGRESS_HZ 4

typedef struct kt_progress {
    int on;
    uint64_t total_bytes;      /* of all files; 0 when unknown (no ETA) */
    double start, last;        /* monotonic seconds */
    unsigned calls;
    int shown;                 /* a line is on the terminal */
} kt_progress;

/* enabled: asked for (not -q); turned off unless stderr is a terminal. */
void kt_progress_init(kt_progress *p, int enabled, uint64_t total_bytes);
/* Cheap to call per packet: looks at the clock every few hundred calls. */
void kt_progress_update(kt_progress *p, uint64_t bytes_done, uint64_t packets);
/* Erases the line. */
void kt_progress_end(kt_progress *p);

#endif
