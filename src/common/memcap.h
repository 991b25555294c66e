/* memcap.h - one memory account: the bytes a part of kafkatap holds against
 * its budget, as Suricata keeps a memcap and a memuse counter per subsystem.
 *
 * Every byte budget that input can push on (out-of-order TCP data, partial
 * Kafka frames, the details of pending requests, the statistics tables) is
 * one kt_memcap, set from the command line like every other limit, and
 * reported in --json with its use and peak.
 *
 * Invariants:
 *   - used <= cap whenever cap != 0: kt_memcap_reserve() refuses, counts the
 *     refusal and the account's anomaly, and changes nothing, rather than
 *     cross the cap;
 *   - peak is the largest value used has had;
 *   - every kt_memcap_reserve() that succeeded is matched by a
 *     kt_memcap_release() of the same size when the bytes are freed, so
 *     used is 0 again once everything is freed;
 *   - cap == 0 means no cap (use and peak are still kept).
 * A kt_memcap holds no memory itself: it only counts.  kafkatap is single
 * threaded, so there is no locking.
 */
#ifndef KT_MEMCAP_H
#define KT_MEMCAP_H

#include <stddef.h>
#include <stdint.h>
#include "common/anomaly.h"

typedef struct kt_memcap {
    const char *name;           /* snake_case, for the reports */
    size_t cap;                 /* bytes; 0: no cap */
    size_t used;
    size_t peak;
    uint64_t refused;           /* reservations refused */
    kt_anomaly_kind anomaly;    /* counted once per refusal */
} kt_memcap;

static inline void kt_memcap_init(kt_memcap *m, const char *name, size_t cap,
                                  kt_anomaly_kind anomaly)
{
    m->name = name;
    m->cap = cap;
    m->used = m->peak = 0;
    m->refused = 0;
    m->anomaly = anomaly;
}

/* Would n more bytes fit?  Counts nothing. */
static inline int kt_memcap_fits(const kt_memcap *m, size_t n)
{
    return m->cap == 0 || (m->used <= m->cap && n <= m->cap - m->used);
}

/* Takes n bytes from the account: 1 when they fit, else 0 after counting
 * the refusal and the account's anomaly. */
static inline int kt_memcap_reserve(kt_memcap *m, size_t n)
{
    if (!kt_memcap_fits(m, n)) {
        m->refused++;
        kt_anomaly_add(m->anomaly, 1);
        return 0;
    }
    m->used += n;
    if (m->used > m->peak)
        m->peak = m->used;
    return 1;
}

/* Gives n bytes back (n never more than used). */
static inline void kt_memcap_release(kt_memcap *m, size_t n)
{
    m->used = n <= m->used ? m->used - n : 0;
}

#endif
