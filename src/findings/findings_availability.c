/* findings_availability.c - the rule on a broker that stopped answering
 * while the others went on (broker_silent): a broker down, hung or cut off.
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * broker_silent   Among 2+ brokers that answered something: a broker that
 *                 had answered at least SILENT_MIN_ANSWERED (10) requests
 *                 (it was serving), whose
 *                 last response came SILENT_MIN_S (5 s) or more before the
 *                 last response of any other broker, with at least
 *                 SILENT_MIN_UNANSWERED (1) request sent to it after that
 *                 last response and left unanswered: critical.  A broker
 *                 nobody asked anything after its last answer is idle, not
 *                 silent; long polls still open at the end of a capture
 *                 are sent after the last answers and do not make a gap.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include "common/utc.h"
#include "findings/rules.h"
#include "stats/labels.h"

#define SILENT_MIN_S 5.0
#define SILENT_MIN_UNANSWERED 1
#define SILENT_MIN_ANSWERED 10

void kt_rules_availability(kt_finding_list *l, const kt_findings_input *in)
{
    const kt_stats *s = in->stats;
    size_t answering = 0;
    char name[KT_ENDPOINT_STRLEN], at[32], other_at[32];

    if (!s)
        return;
    for (size_t i = 0; i < s->nbrokers; i++)
        if (!s->brokers[i]->is_other && s->brokers[i]->last_answer_us)
            answering++;
    if (answering < 2)
        return;
    for (size_t i = 0; i < s->nbrokers; i++) {
        const kt_broker_stats *b = s->brokers[i];
        uint64_t others = 0;
        if (b->is_other || !b->last_answer_us || b->unanswered_after < SILENT_MIN_UNANSWERED ||
            b->agg.matched < SILENT_MIN_ANSWERED)
            continue;
        for (size_t k = 0; k < s->nbrokers; k++)
            if (k != i && !s->brokers[k]->is_other && s->brokers[k]->last_answer_us > others)
                others = s->brokers[k]->last_answer_us;
        double gap = others > b->last_answer_us ? (double)(others - b->last_answer_us) / 1e6 : 0;
        if (gap < SILENT_MIN_S)
            continue;
        kt_finding *f = kt_finding_add(l, "broker_silent", KT_SEV_CRITICAL, gap / SILENT_MIN_S);
        if (!f)
            return;
        kt_endpoint_format(&b->broker, name, sizeof name);
        kt_utc_clock(at, sizeof at, b->last_answer_us, 1);
        kt_utc_clock(other_at, sizeof other_at, others, 1);
        kt_subject(f, "broker %s", name);
        kt_summary(f, "Broker stopped answering: %s answered last at %s UTC, %.1f s before "
                   "the other brokers' last answer (%s UTC); %" PRIu64 " request%s sent to it "
                   "after that got no response: a broker down, hung or cut off (clients "
                   "retry elsewhere once leadership moves)",
                   name, at, gap, other_at, b->unanswered_after,
                   b->unanswered_after == 1 ? "" : "s");
        kt_finding_metric(f, "silent_s", gap);
        kt_finding_metric(f, "unanswered_after", (double)b->unanswered_after);
        kt_finding_metric(f, "last_answer_ts", (double)b->last_answer_us / 1e6);
        kt_finding_metric(f, "threshold_s", SILENT_MIN_S);
    }
}
