/* time_window.c - the counts of a --since/--until report (see
 * time_window.h). */
#include <string.h>
#include "common/anomaly.h"
#include "cli/time_window.h"

#define SINCE(field) w.field = now->field - then->field

kt_session_totals kt_totals_since(const kt_session_totals *now,
                                  const kt_session_totals *then)
{
    kt_session_totals w;
    SINCE(requests);
    SINCE(matched);
    SINCE(unanswered);
    SINCE(no_response_expected);
    SINCE(unknown_capture_loss);
    SINCE(orphan_responses);
    SINCE(lost_request_responses);
    SINCE(malformed);
    SINCE(connections);
    SINCE(midstream_connections);
    SINCE(missed_bytes);
    SINCE(ignored_connections);
    SINCE(tls_connections);
    SINCE(tls_bytes);
    return w;
}

#undef SINCE

void kt_window_segment(kt_time_window *w, uint64_t since_us, uint64_t ts_us,
                       const kt_session_totals *now)
{
    if (w->started || ts_us < since_us)
        return;
    w->started = 1;
    w->at_start = *now;
    memset(&w->outside, 0, sizeof w->outside);
    if (since_us)
        kt_anomaly_reset();
}

int kt_window_exchange(kt_time_window *w, uint64_t since_us, const kt_exchange *ex)
{
    if (ex->request_ts_us >= since_us)
        return 1;
    if (!w->started)
        return 0;
    /* counted by the session after the window opened: take it off */
    w->outside.requests++;
    switch (ex->status) {
    case KT_STATUS_OK:
    case KT_STATUS_ERROR:
        w->outside.matched++;
        break;
    case KT_STATUS_UNANSWERED:
        w->outside.unanswered++;
        break;
    case KT_STATUS_NO_RESPONSE_EXPECTED:
        w->outside.no_response_expected++;
        break;
    case KT_STATUS_UNKNOWN_CAPTURE_LOSS:
        w->outside.unknown_capture_loss++;
        break;
    }
    return 0;
}

kt_session_totals kt_window_totals(const kt_time_window *w,
                                   const kt_session_totals *now)
{
    kt_session_totals t, zero;

    memset(&zero, 0, sizeof zero);
    if (!w->started)
        return zero;
    t = kt_totals_since(now, &w->at_start);
    t.requests -= w->outside.requests;
    t.matched -= w->outside.matched;
    t.unanswered -= w->outside.unanswered;
    t.no_response_expected -= w->outside.no_response_expected;
    t.unknown_capture_loss -= w->outside.unknown_capture_loss;
    return t;
}
