/* time_window.h - what a report of --since/--until counts.
 *
 * The capture feeds packets before --since on to reassembly and the Kafka
 * session (so connections and pending requests are in step when the window
 * opens) and ends the input at --until.  Here, on the way to the
 * statistics: an exchange counts only when its request (the packet that
 * completed it) is at or after --since; the session's totals count from
 * the first segment at or after --since, less the exchanges reported after
 * that whose request came before it; the anomaly counters restart there.
 * The same "since" arithmetic gives the live -I windows their totals. */
#ifndef KT_TIME_WINDOW_H
#define KT_TIME_WINDOW_H

#include <stdint.h>
#include "kafka/exchange.h"
#include "kafka/kafka_session.h"

typedef struct kt_time_window {
    int started;                    /* a segment at or after since came */
    kt_session_totals at_start;     /* the session's totals then */
    kt_session_totals outside;      /* exchanges reported since then whose
                                       request came before since */
} kt_time_window;

/* The totals counted between then and now, field by field. */
kt_session_totals kt_totals_since(const kt_session_totals *now,
                                  const kt_session_totals *then);

/* Before a segment at ts_us is processed: opens the window at the first
 * one at or after since_us (0: none). */
void kt_window_segment(kt_time_window *w, uint64_t since_us, uint64_t ts_us,
                       const kt_session_totals *now);
/* 1 when the exchange belongs in the report; otherwise 0 (and, when the
 * window is open, it is taken off the totals). */
int kt_window_exchange(kt_time_window *w, uint64_t since_us, const kt_exchange *ex);
/* The window's totals (all zero when it never opened). */
kt_session_totals kt_window_totals(const kt_time_window *w,
                                   const kt_session_totals *now);

#endif
