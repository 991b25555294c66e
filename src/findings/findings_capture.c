/* findings_capture.c - the rule on what the capture itself missed
 * (capture_loss): the counts it reports are lower bounds.
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * capture_loss    The capture lost something: packets dropped by the
 *                 kernel or the interface, bytes of Kafka connections never
 *                 captured, requests unknown (capture loss) or responses to
 *                 lost requests: warning, saying that request counts,
 *                 records and error rates are lower bounds, with the
 *                 connections that missed the most bytes; critical when at
 *                 least LOSS_CRIT_SHARE (1%) of the packets were dropped or
 *                 of the requests are unknown.
 *
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_names.h"
#include "findings/rules.h"
#include "stats/labels.h"

#define LOSS_CRIT_SHARE 0.01

static void capture_loss(kt_finding_list *l, const kt_findings_loss *x)
{
    uint64_t drops = x->dropped + x->if_dropped;
    double pkt_share = drops ? (double)drops / (double)(x->packets + drops) : 0;
    double req_share = x->requests ? (double)x->unknown / (double)x->requests : 0;
    double share = pkt_share > req_share ? pkt_share : req_share;
    char text[sizeof ((kt_finding *)0)->summary] = "", cl[KT_ENDPOINT_STRLEN], br[KT_ENDPOINT_STRLEN];

    if (!drops && !x->missed_bytes && !x->unknown && !x->lost_request_responses)
        return;
    kt_finding *f = kt_finding_add(l, "capture_loss", share >= LOSS_CRIT_SHARE ? KT_SEV_CRITICAL
                                                                      : KT_SEV_WARNING,
                        share / LOSS_CRIT_SHARE + 1);
    if (!f)
        return;
    kt_subject(f, "capture");
    if (drops)
        kt_finding_append(text, sizeof text, "; %" PRIu64 " packets dropped by the kernel and %" PRIu64
               " by the interface (%.2f%% of %" PRIu64 ")", x->dropped, x->if_dropped,
               pkt_share * 100, x->packets + drops);
    if (x->missed_bytes) {
        kt_finding_append(text, sizeof text, "; %" PRIu64 " bytes never captured on %" PRIu64 " of %" PRIu64
               " Kafka connections", x->missed_bytes, x->lossy_connections, x->connections);
        for (size_t i = 0; i < x->nworst; i++) {
            kt_endpoint_format(&x->worst[i].client, cl, sizeof cl);
            kt_endpoint_format(&x->worst[i].broker, br, sizeof br);
            kt_finding_append(text, sizeof text, "%s%s -> %s %" PRIu64 " bytes", i ? ", " : " (most: ",
                   cl, br, x->worst[i].missed_bytes);
        }
        if (x->nworst)
            kt_finding_append(text, sizeof text, ")");
    }
    if (x->unknown)
        kt_finding_append(text, sizeof text, "; %" PRIu64 " of %" PRIu64 " requests unknown (their response"
               " may be in a gap)", x->unknown, x->requests);
    if (x->lost_request_responses)
        kt_finding_append(text, sizeof text, "; %" PRIu64 " responses to requests the capture lost",
               x->lost_request_responses);
    /* every part starts with "; " */
    kt_summary(f, "Capture loss: %s: request counts, records and error rates are lower bounds"
               " (latencies and errors are those of what was captured)", text + 2);
    kt_finding_metric(f, "dropped", (double)x->dropped);
    kt_finding_metric(f, "if_dropped", (double)x->if_dropped);
    kt_finding_metric(f, "packet_loss_share", pkt_share);
    kt_finding_metric(f, "missed_bytes", (double)x->missed_bytes);
    kt_finding_metric(f, "lossy_connections", (double)x->lossy_connections);
    kt_finding_metric(f, "unknown_requests", (double)x->unknown);
    kt_finding_metric(f, "unknown_share", req_share);
    kt_finding_metric(f, "lost_request_responses", (double)x->lost_request_responses);
}

void kt_rules_capture(kt_finding_list *l, const kt_findings_input *in)
{
    capture_loss(l, &in->loss);
}
