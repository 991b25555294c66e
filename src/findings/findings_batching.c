/* findings_batching.c - the rule on how producers batch (tiny_batches): a
 * client id whose Produce requests carry a record or two per batch at a
 * high request rate, the sign of a producer that does not linger.
 *
 * Rules (the thresholds are the constants below; the man page, FINDINGS,
 * says the same):
 *
 * tiny_batches    A client id sent at least TINY_MIN_REQUESTS (500) Produce
 *                 requests with record batches, over at least TINY_MIN_SPAN_S
 *                 (5) seconds, at TINY_MIN_RATE (50) requests/s or more
 *                 (over the span from its first to its last such request),
 *                 with TINY_MAX_RECORDS_PER_BATCH (2) records per batch or
 *                 fewer on average: each record pays for a request and a
 *                 batch header of its own (broker request handling, network
 *                 round trips, poor compression).  Info; warning from
 *                 TINY_WARN_RATE (500) requests/s.  The weight is the rate
 *                 over TINY_MIN_RATE.  Cites the requests, requests/s,
 *                 records per batch, batches and records per request, bytes
 *                 of record data per request and the codec; the fix is on
 *                 the producer: linger.ms (a few to 50 ms) so that records
 *                 wait to share a batch, batch.size at its default 16384 or
 *                 more, and compression once batches hold many records.
 *                 A producer at a low rate (a trickle of single records) is
 *                 not named: its requests cost little.
 */
#include <inttypes.h>
#include <stdint.h>
#include "findings/rules.h"
#include "stats/labels.h"

#define TINY_MIN_REQUESTS 500
#define TINY_MIN_SPAN_S 5.0
#define TINY_MIN_RATE 50.0
#define TINY_WARN_RATE 500.0
#define TINY_MAX_RECORDS_PER_BATCH 2.0

static void tiny_batches(kt_finding_list *l, const kt_client_stats *c)
{
    const kt_batch_agg *b = &c->batching;
    double span_s, rate, rpb, bpr, rpr, bypr;
    char id[160];

    if (b->requests < TINY_MIN_REQUESTS || !b->batches || b->last_ts_us <= b->first_ts_us)
        return;
    span_s = (double)(b->last_ts_us - b->first_ts_us) / 1e6;
    rate = kt_batch_agg_request_rate(b);
    rpb = (double)b->records / (double)b->batches;
    if (span_s < TINY_MIN_SPAN_S || rate < TINY_MIN_RATE || rpb > TINY_MAX_RECORDS_PER_BATCH)
        return;
    bpr = (double)b->batches / (double)b->requests;
    rpr = (double)b->records / (double)b->requests;
    bypr = (double)b->bytes / (double)b->requests;
    kt_finding *f = kt_finding_add(l, "tiny_batches",
                                   rate >= TINY_WARN_RATE ? KT_SEV_WARNING : KT_SEV_INFO,
                                   rate / TINY_MIN_RATE);
    if (!f)
        return;
    kt_label_client_id(id, sizeof id, c->client_id);
    kt_subject(f, "client id %s", id);
    kt_summary(f, "Tiny batches: client id %s sent %" PRIu64 " Produce requests at %.1f/s for "
               "%.1f s with %.2f records per batch (%.2f batches, %.2f records and %.0f bytes "
               "of records per request, codec %s): records are not batched; set linger.ms "
               "(5-50 ms) and batch.size (16384 or more) on the producer, and compression "
               "once batches are larger",
               id, b->requests, rate, span_s, rpb, bpr, rpr, bypr, kt_codec_label(b->codec_batches));
    kt_finding_metric(f, "requests", (double)b->requests);
    kt_finding_metric(f, "requests_per_s", rate);
    kt_finding_metric(f, "span_s", span_s);
    kt_finding_metric(f, "batches", (double)b->batches);
    kt_finding_metric(f, "records", (double)b->records);
    kt_finding_metric(f, "records_per_batch", rpb);
    kt_finding_metric(f, "batches_per_request", bpr);
    kt_finding_metric(f, "records_per_request", rpr);
    kt_finding_metric(f, "bytes_per_request", bypr);
}

void kt_rules_batching(kt_finding_list *l, const kt_findings_input *in)
{
    if (!in->stats)
        return;
    for (size_t i = 0; i < in->stats->nclients; i++)
        tiny_batches(l, in->stats->clients[i]);
}
