/* agg_merge.c - sums and differences of aggregates (stats.h), for the
 * merged report of several hosts (report_merge.h). */
#include "stats/stats.h"

static uint64_t minus(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

void kt_agg_merge(kt_agg *into, const kt_agg *from)
{
    into->requests += from->requests;
    into->matched += from->matched;
    into->errored += from->errored;
    into->unanswered += from->unanswered;
    into->no_response += from->no_response;
    into->throttled += from->throttled;
    into->throttle_ms_total += from->throttle_ms_total;
    if (from->throttle_ms_max > into->throttle_ms_max)
        into->throttle_ms_max = from->throttle_ms_max;
    kt_hist_merge(&into->latency, &from->latency);
    for (int i = 0; i < from->nerrors; i++)
        kt_code_counts_add(&into->errors, &into->nerrors, &into->caperrors,
                           from->errors[i].code, from->errors[i].count);
}

void kt_agg_subtract(kt_agg *into, const kt_agg *from)
{
    into->requests = minus(into->requests, from->requests);
    into->matched = minus(into->matched, from->matched);
    into->errored = minus(into->errored, from->errored);
    into->unanswered = minus(into->unanswered, from->unanswered);
    into->no_response = minus(into->no_response, from->no_response);
    into->throttled = minus(into->throttled, from->throttled);
    into->throttle_ms_total = minus(into->throttle_ms_total, from->throttle_ms_total);
    kt_hist_subtract(&into->latency, &from->latency);
    for (int i = 0; i < from->nerrors; i++) {
        for (int k = 0; k < into->nerrors; k++) {
            if (into->errors[k].code != from->errors[i].code)
                continue;
            into->errors[k].count = minus(into->errors[k].count, from->errors[i].count);
            if (!into->errors[k].count)      /* gone: drop the code */
                into->errors[k] = into->errors[--into->nerrors];
            break;
        }
    }
}
