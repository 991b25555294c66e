/* time_bound.h - the arguments of --since and --until: an absolute time
 * (ISO 8601 UTC such as 2026-11-29T10:00:00Z, fractions and a +HH:MM zone
 * allowed, no zone meaning UTC; or seconds since the epoch, fractions
 * allowed) or an offset from the first packet (+30s, +5m, +1h, +90). */
#ifndef KT_TIME_BOUND_H
#define KT_TIME_BOUND_H

#include "capture/capture.h"

/* Returns 0 and fills *b (set = 1), or -1 when s is none of the above. */
int kt_time_bound_parse(const char *s, kt_time_bound *b);

#endif
