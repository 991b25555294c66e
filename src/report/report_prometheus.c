/* report_prometheus.c - the report model as Prometheus metrics (see
 * report_prometheus.h; names and labels are documented in the man page). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "dissectors/kafka_names.h"
#include "stats/labels.h"
#include "report/report_prometheus.h"

/* 25 us (a broker on the same host) to 60 s, in 1-2.5-5 steps. */
const uint64_t kt_prom_bucket_us[KT_PROM_BUCKETS] = {
    25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
    250000, 500000, 1000000, 2500000, 5000000, 10000000, 30000000, 60000000,
};

#define LABELS_LEN 1024

/* Appends ,key="value" (no comma when first) to buf.  value is text as
 * escape.h prints it: its \" \\ and \n are Prometheus's escapes too; the
 * backslash of any other escape (and a backslash left alone where a label
 * was cut) is escaped, so that the value reads as it does in the text
 * report. */
static void add_label(char *buf, const char *key, const char *value)
{
    size_t at = strlen(buf);
    const size_t end = LABELS_LEN - 4;   /* room for the closing quote */

    at += (size_t)snprintf(buf + at, LABELS_LEN - at, "%s%s=\"", at ? "," : "", key);
    for (const char *s = value; *s && at < end; s++) {
        if (*s == '\\') {
            buf[at++] = '\\';
            if (s[1] == '"' || s[1] == '\\' || s[1] == 'n')
                buf[at++] = *++s;
            else
                buf[at++] = '\\';
        } else if (*s == '"' || *s == '\n') {   /* not expected: plain text */
            buf[at++] = '\\';
            buf[at++] = *s == '"' ? '"' : 'n';
        } else {
            buf[at++] = *s;
        }
    }
    buf[at++] = '"';
    buf[at] = 0;
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *out, const char *name, const char *labels, uint64_t v)
{
    if (labels && labels[0])
        fprintf(out, "%s{%s} %llu\n", name, labels, (unsigned long long)v);
    else
        fprintf(out, "%s %llu\n", name, (unsigned long long)v);
}

/* Microseconds or milliseconds as seconds, exactly. */
static void sample_seconds(FILE *out, const char *name, const char *labels,
                           uint64_t units, int per_second)
{
    int digits = per_second == 1000000 ? 6 : 3;
    fprintf(out, "%s%s%s%s %llu.%0*llu\n", name, labels[0] ? "{" : "", labels,
            labels[0] ? "}" : "", (unsigned long long)(units / (uint64_t)per_second),
            digits, (unsigned long long)(units % (uint64_t)per_second));
}

/* The samples of one histogram: its buckets, sum and count. */
static void histogram(FILE *out, const char *name, const char *labels,
                      const kt_histogram *h)
{
    uint64_t cum[KT_PROM_BUCKETS];
    char lb[LABELS_LEN + 32];
    kt_hist_cumulative(h, kt_prom_bucket_us, KT_PROM_BUCKETS, cum);
    for (int i = 0; i <= KT_PROM_BUCKETS; i++) {
        if (i < KT_PROM_BUCKETS)
            snprintf(lb, sizeof lb, "%s%sle=\"%g\"", labels, labels[0] ? "," : "",
                     (double)kt_prom_bucket_us[i] / 1e6);
        else
            snprintf(lb, sizeof lb, "%s%sle=\"+Inf\"", labels, labels[0] ? "," : "");
        fprintf(out, "%s_bucket{%s} %llu\n", name, lb,
                (unsigned long long)(i < KT_PROM_BUCKETS ? cum[i] : h->count));
    }
    snprintf(lb, sizeof lb, "%s_sum", name);
    sample_seconds(out, lb, labels, h->sum, 1000000);
    snprintf(lb, sizeof lb, "%s_count", name);
    sample(out, lb, labels, h->count);
}

/* Rows of one dimension (APIs or brokers): each its label and aggregate. */
typedef struct dim_row {
    char labels[LABELS_LEN];
    const kt_report_agg *agg;
} dim_row;

/* What one aggregate counter family reads. */
typedef struct agg_counter {
    const char *suffix, *help;
    size_t offset;            /* of a uint64_t in kt_report_agg */
} agg_counter;

#define AGG(field) offsetof(kt_report_agg, field)

static const agg_counter agg_counters[] = {
    { "requests_total", "Requests seen, whatever became of them.", AGG(requests) },
    { "answered_requests_total", "Requests answered by a response.", AGG(matched) },
    { "unanswered_requests_total",
      "Requests with no response within the request timeout or by the end.",
      AGG(unanswered) },
    { "no_response_requests_total",
      "Produce requests with acks=0, which get no response.", AGG(no_response) },
    { "errored_responses_total", "Responses that carried an error code.",
      AGG(errored) },
    { "throttled_responses_total", "Responses with a throttle time above 0.",
      AGG(throttled) },
};

/* Every family of one dimension: prefix "kafkatap_" or "kafkatap_broker_". */
static void dimension(FILE *out, const char *prefix, const char *what,
                      const dim_row *rows, size_t n)
{
    char name[128], help[256], lb[LABELS_LEN];

    for (size_t k = 0; k < sizeof agg_counters / sizeof agg_counters[0]; k++) {
        snprintf(name, sizeof name, "%s%s", prefix, agg_counters[k].suffix);
        snprintf(help, sizeof help, "%s %s", agg_counters[k].help, what);
        family(out, name, "counter", help);
        for (size_t i = 0; i < n; i++)
            sample(out, name, rows[i].labels,
                   *(const uint64_t *)((const char *)rows[i].agg + agg_counters[k].offset));
    }

    snprintf(name, sizeof name, "%serrors_total", prefix);
    snprintf(help, sizeof help, "Error codes in responses, by code name. %s", what);
    family(out, name, "counter", help);
    for (size_t i = 0; i < n; i++) {
        const kt_report_agg *g = rows[i].agg;
        for (int e = 0; e < g->nerrors; e++) {
            char eb[32];
            memcpy(lb, rows[i].labels, sizeof lb);
            add_label(lb, "code", kt_error_label(g->errors[e].code, eb, sizeof eb));
            sample(out, name, lb, g->errors[e].count);
        }
    }

    snprintf(name, sizeof name, "%sthrottle_seconds_total", prefix);
    snprintf(help, sizeof help, "Throttle time the responses asked for. %s", what);
    family(out, name, "counter", help);
    for (size_t i = 0; i < n; i++)
        sample_seconds(out, name, rows[i].labels, rows[i].agg->throttle_ms_total, 1000);

    snprintf(name, sizeof name, "%srequest_latency_seconds", prefix);
    snprintf(help, sizeof help,
             "Time from the packet that completes a request to the first byte of its "
             "response, answered requests. %s", what);
    family(out, name, "histogram", help);
    for (size_t i = 0; i < n; i++)
        histogram(out, name, rows[i].labels, rows[i].agg->latency);

    /* latency = queue wait + service time (kafka/queue_clock.h) */
    snprintf(name, sizeof name, "%srequest_service_seconds", prefix);
    snprintf(help, sizeof help,
             "Time the broker took on a request once the requests before it on its "
             "connection were answered, to the first byte of its response. %s", what);
    family(out, name, "histogram", help);
    for (size_t i = 0; i < n; i++)
        if (rows[i].agg->split)
            histogram(out, name, rows[i].labels, &rows[i].agg->split->service);
    snprintf(name, sizeof name, "%srequest_queue_wait_seconds_total", prefix);
    snprintf(help, sizeof help,
             "Time requests waited behind earlier requests of their connection. %s", what);
    family(out, name, "counter", help);
    for (size_t i = 0; i < n; i++)
        if (rows[i].agg->split)
            sample_seconds(out, name, rows[i].labels, rows[i].agg->split->queue.sum, 1000000);
}

/* A counter or gauge without labels. */
static void single(FILE *out, const char *name, const char *type,
                   const char *help, uint64_t v)
{
    family(out, name, type, help);
    sample(out, name, "", v);
}

static void capture_and_session(FILE *out, const kt_report_model *m)
{
    const kt_capture_stats *c = &m->capture;
    const kt_report_totals *t = &m->totals;
    single(out, "kafkatap_capture_packets_total", "counter",
           "Packets read from the capture.", c->packets);
    single(out, "kafkatap_capture_bytes_total", "counter",
           "Wire bytes of the packets read.", c->bytes);
    single(out, "kafkatap_capture_dropped_packets_total", "counter",
           "Packets the kernel dropped for lack of buffer (pcap_stats ps_drop; live only).",
           c->dropped);
    single(out, "kafkatap_capture_interface_dropped_packets_total", "counter",
           "Packets the interface or driver dropped (pcap_stats ps_ifdrop; live only).",
           c->if_dropped);
    single(out, "kafkatap_missed_bytes_total", "counter",
           "TCP bytes of Kafka connections that were never captured (sequence gaps).",
           t->missed_bytes);
    single(out, "kafkatap_connections_total", "counter",
           "Kafka connections seen.", t->connections);
    single(out, "kafkatap_midstream_connections_total", "counter",
           "Kafka connections picked up after their start.", t->midstream_connections);
    single(out, "kafkatap_orphan_responses_total", "counter",
           "Responses whose request was not seen.", t->orphan_responses);
    single(out, "kafkatap_lost_request_responses_total", "counter",
           "Responses whose request was lost in a capture hole (not orphans).",
           t->lost_request_responses);
    single(out, "kafkatap_unknown_capture_loss_requests_total", "counter",
           "Requests whose response may have been lost in a capture hole (not unanswered).",
           t->unknown_capture_loss);
    single(out, "kafkatap_malformed_frames_total", "counter",
           "Kafka frames that did not decode.", t->malformed);
    if (m->nmemory) {
        family(out, "kafkatap_memory_used_bytes", "gauge",
               "Bytes held against each memory account (--json memory).");
        for (size_t i = 0; i < m->nmemory; i++) {
            char l[64];
            snprintf(l, sizeof l, "account=\"%s\"", m->memory[i].name);
            sample(out, "kafkatap_memory_used_bytes", l, m->memory[i].used);
        }
        family(out, "kafkatap_memory_cap_bytes", "gauge",
               "Cap of each memory account, 0: none.");
        for (size_t i = 0; i < m->nmemory; i++) {
            char l[64];
            snprintf(l, sizeof l, "account=\"%s\"", m->memory[i].name);
            sample(out, "kafkatap_memory_cap_bytes", l, m->memory[i].cap);
        }
    }
}

/* Records and bytes of all partitions, then per partition for the first
 * top_n. */
static void partitions(FILE *out, const kt_report_model *m, size_t top_n)
{
    static const struct {
        const char *name, *help;
        int produce;          /* else fetch */
        size_t offset;        /* of a uint64_t in the produce or fetch agg */
    } counters[] = {
        { "produce_records_total", "Records sent in Produce requests.", 1,
          offsetof(kt_produce_agg, records) },
        { "produce_bytes_total", "Record batch bytes sent in Produce requests.", 1,
          offsetof(kt_produce_agg, bytes) },
        { "produce_acked_records_total",
          "Records in Produce responses with partition error 0.", 1,
          offsetof(kt_produce_agg, acked_records) },
        { "fetch_records_total", "Records returned by Fetch responses.", 0,
          offsetof(kt_fetch_agg, records) },
        { "fetch_bytes_total", "Record batch bytes returned by Fetch responses.", 0,
          offsetof(kt_fetch_agg, bytes) },
        { "produce_batches_total", "Record batches sent in Produce requests.", 1,
          offsetof(kt_produce_agg, batches) },
        { "fetch_batches_total", "Record batches returned by Fetch responses.", 0,
          offsetof(kt_fetch_agg, batches) },
    };
    enum { NC = sizeof counters / sizeof counters[0] };
    size_t shown = m->npartitions < top_n ? m->npartitions : top_n;
    char name[128], help[256];
    dim_row *rows = calloc(shown + 1, sizeof *rows);

#define FIELD(ps, k) (*(const uint64_t *)((counters[k].produce ? \
        (const char *)&(ps)->produce : (const char *)&(ps)->fetch) + counters[k].offset))

    for (int k = 0; k < NC; k++) {
        uint64_t total = 0;
        for (size_t i = 0; i < m->npartitions; i++)
            total += FIELD(m->partitions[i].stats, k);
        snprintf(name, sizeof name, "kafkatap_%s", counters[k].name);
        snprintf(help, sizeof help, "%s All partitions.", counters[k].help);
        single(out, name, "counter", help, total);
    }
    single(out, "kafkatap_partitions_untracked_total", "counter",
           "Partition results not kept per partition: the partition table was full.",
           m->partitions_dropped);
    if (!rows)
        return;

    for (size_t i = 0; i < shown; i++) {
        char topic[256], part[16];
        kt_label_topic(topic, sizeof topic, m->partitions[i].stats->topic);
        snprintf(part, sizeof part, "%d", (int)m->partitions[i].stats->partition);
        add_label(rows[i].labels, "topic", topic);
        add_label(rows[i].labels, "partition", part);
    }
    for (int k = 0; k < NC; k++) {
        snprintf(name, sizeof name, "kafkatap_partition_%s", counters[k].name);
        snprintf(help, sizeof help, "%s The busiest partitions (--prometheus-top).",
                 counters[k].help);
        family(out, name, "counter", help);
        for (size_t i = 0; i < shown; i++)
            sample(out, name, rows[i].labels, FIELD(m->partitions[i].stats, k));
    }
#undef FIELD
    family(out, "kafkatap_partition_produce_latency_seconds", "histogram",
           "Latency of answered Produce requests naming the partition.");
    for (size_t i = 0; i < shown; i++)
        histogram(out, "kafkatap_partition_produce_latency_seconds", rows[i].labels,
                  &m->partitions[i].stats->produce.latency);
    family(out, "kafkatap_partition_fetch_latency_seconds", "histogram",
           "Latency of answered Fetch requests that returned records of the "
           "partition (empty long-poll waits are left out).");
    for (size_t i = 0; i < shown; i++)
        histogram(out, "kafkatap_partition_fetch_latency_seconds", rows[i].labels,
                  &m->partitions[i].stats->fetch.latency_data);
    free(rows);
}

static uint64_t client_load(const kt_report_delivery *r)
{
    return r->d.records_sent + r->d.records_fetched;
}

static int cmp_busiest(const void *a, const void *b)
{
    const kt_report_delivery *x = *(const kt_report_delivery *const *)a;
    const kt_report_delivery *y = *(const kt_report_delivery *const *)b;
    if (client_load(x) != client_load(y))
        return client_load(x) < client_load(y) ? 1 : -1;
    return x < y ? -1 : x > y;          /* the model's order: worst first */
}

/* Per-client delivery for the top_n busiest client ids (records produced
 * plus fetched): label client_id; failed records also by code. */
static void clients(FILE *out, const kt_report_model *m, size_t top_n)
{
    static const struct { const char *name, *help; size_t offset; } counters[] = {
        { "produce_records_total", "Records the client sent in Produce requests.",
          offsetof(kt_delivery, records_sent) },
        { "produce_bytes_total", "Record batch bytes the client sent in Produce requests.",
          offsetof(kt_delivery, bytes_sent) },
        { "produce_acked_records_total", "Records of the client acknowledged (partition error 0).",
          offsetof(kt_delivery, records_acked) },
        { "produce_unanswered_records_total",
          "Records of the client in Produce requests (acks != 0) left unanswered.",
          offsetof(kt_delivery, records_unanswered) },
        { "fetch_records_total", "Records returned to the client by Fetch responses.",
          offsetof(kt_delivery, records_fetched) },
        { "fetch_bytes_total", "Record batch bytes returned to the client by Fetch responses.",
          offsetof(kt_delivery, bytes_fetched) },
    };
    size_t shown = m->ndeliveries < top_n ? m->ndeliveries : top_n;
    const kt_report_delivery **busy = malloc((m->ndeliveries + 1) * sizeof *busy);
    dim_row *rows = calloc(shown + 1, sizeof *rows);
    char name[128], help[320], label[160], eb[32];

    if (!busy || !rows)
        goto out;
    for (size_t i = 0; i < m->ndeliveries; i++)
        busy[i] = &m->deliveries[i];
    qsort(busy, m->ndeliveries, sizeof *busy, cmp_busiest);
    for (size_t i = 0; i < shown; i++) {
        kt_label_client_id(label, sizeof label, busy[i]->client_id);
        add_label(rows[i].labels, "client_id", label);
    }
    for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++) {
        snprintf(name, sizeof name, "kafkatap_client_%s", counters[k].name);
        snprintf(help, sizeof help, "%s The busiest client ids (--prometheus-top).",
                 counters[k].help);
        family(out, name, "counter", help);
        for (size_t i = 0; i < shown; i++)
            sample(out, name, rows[i].labels,
                   *(const uint64_t *)((const char *)&busy[i]->d + counters[k].offset));
    }
    family(out, "kafkatap_client_produce_failed_records_total", "counter",
           "Records of the client refused with a partition error, by code. The busiest "
           "client ids (--prometheus-top).");
    for (size_t i = 0; i < shown; i++)
        for (int c = 0; c < busy[i]->d.nfailed; c++) {
            char lb[LABELS_LEN];
            snprintf(lb, sizeof lb, "%s", rows[i].labels);
            add_label(lb, "code", kt_error_label(busy[i]->d.failed[c].code, eb, sizeof eb));
            sample(out, "kafkatap_client_produce_failed_records_total", lb,
                   busy[i]->d.failed[c].count);
        }
out:
    free(busy);
    free(rows);
}

/* Transactions: totals, and per transactional id for the first top_n (most
 * aborted first) so the label set stays bounded. */
static void transactions(FILE *out, const kt_report_model *m, size_t top_n)
{
    static const struct {
        const char *name, *help;
        size_t offset;        /* of a uint64_t in kt_txn_id_stats */
    } counters[] = {
        { "committed_total", "Transactions committed (EndTxn answered without error).",
          offsetof(kt_txn_id_stats, committed) },
        { "aborted_total", "Transactions aborted (EndTxn answered without error).",
          offsetof(kt_txn_id_stats, aborted) },
        { "records_committed_total", "Transactional records in committed transactions.",
          offsetof(kt_txn_id_stats, records_committed) },
        { "records_aborted_total", "Transactional records in aborted transactions.",
          offsetof(kt_txn_id_stats, records_aborted) },
        { "fenced_total", "Responses with a fencing error (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH...).",
          offsetof(kt_txn_id_stats, fenced) },
    };
    const kt_txn_stats *t = m->txn;
    size_t shown = m->ntxns < top_n ? m->ntxns : top_n;
    char name[128], help[256], label[160], lb[LABELS_LEN];

    single(out, "kafkatap_txn_markers_commit_total", "counter",
           "Commit markers written by WriteTxnMarkers requests (one per partition).",
           t ? t->markers_commit : 0);
    single(out, "kafkatap_txn_markers_abort_total", "counter",
           "Abort markers written by WriteTxnMarkers requests (one per partition).",
           t ? t->markers_abort : 0);
    single(out, "kafkatap_fetch_control_records_total", "counter",
           "Control records (transaction markers) in Fetch responses, not counted as records.",
           t ? t->control_records_fetched : 0);
    for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++) {
        snprintf(name, sizeof name, "kafkatap_txn_%s", counters[k].name);
        snprintf(help, sizeof help, "%s Per transactional id, the most aborted first "
                 "(--prometheus-top).", counters[k].help);
        family(out, name, "counter", help);
        for (size_t i = 0; i < shown; i++) {
            const kt_txn_id_stats *e = m->txns[i];
            kt_label_txn_id(label, sizeof label, e->txn_id, e->is_other);
            lb[0] = 0;
            add_label(lb, "transactional_id", label);
            sample(out, name, lb, *(const uint64_t *)((const char *)e + counters[k].offset));
        }
    }
}

/* The followers' rows with the largest lag (at most top_n, --prometheus-top):
 * lag now and at most, records replicated. */
static void replication(FILE *out, const kt_report_model *m, size_t top_n)
{
    static const struct { const char *name, *type, *help; } fams[] = {
        { "kafkatap_replication_lag_records", "gauge",
          "Leader's high watermark minus the follower's fetch offset at its last answered "
          "Fetch (the followers with the largest lag, --prometheus-top)." },
        { "kafkatap_replication_lag_max_records", "gauge",
          "The largest replication lag seen, in records." },
        { "kafkatap_replication_records_total", "counter",
          "Records returned to the follower's Fetch requests." },
    };
    size_t shown = m->nreplicas < top_n ? m->nreplicas : top_n;
    char (*labels)[LABELS_LEN] = calloc(shown + 1, sizeof *labels);

    single(out, "kafkatap_replication_untracked_total", "counter",
           "Follower fetch results not kept: the replication table was full.",
           m->replicas_dropped);
    if (!labels)
        return;
    for (size_t i = 0; i < shown; i++) {
        const kt_report_replica *r = &m->replicas[i];
        char topic[256], num[16];
        snprintf(num, sizeof num, "%d", (int)r->stats->follower_id);
        add_label(labels[i], "follower_id", num);
        add_label(labels[i], "leader", r->leader);
        kt_label_topic(topic, sizeof topic, r->stats->topic);
        add_label(labels[i], "topic", topic);
        snprintf(num, sizeof num, "%d", (int)r->stats->partition);
        add_label(labels[i], "partition", num);
    }
    for (size_t k = 0; k < sizeof fams / sizeof fams[0]; k++) {
        family(out, fams[k].name, fams[k].type, fams[k].help);
        for (size_t i = 0; i < shown; i++) {
            const kt_replica_stats *x = m->replicas[i].stats;
            int64_t v = k == 0 ? x->lag : k == 1 ? x->lag_max : (int64_t)x->records;
            if (v >= 0)
                sample(out, fams[k].name, labels[i], (uint64_t)v);
        }
    }
    free(labels);
}

/* Most waited for first (then the report's order). */
static int cmp_waited(const void *a, const void *b)
{
    const kt_report_acks *x = *(const kt_report_acks *const *)a;
    const kt_report_acks *y = *(const kt_report_acks *const *)b;
    if (x->row.f->last_count != y->row.f->last_count)
        return x->row.f->last_count > y->row.f->last_count ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The (partition, follower) pairs acks=all Produce waited for most (at
 * most top_n, --prometheus-top): how often, and how long. */
static void acks_waits(FILE *out, const kt_report_model *m, size_t top_n)
{
    size_t shown = m->nacks < top_n ? m->nacks : top_n;
    const kt_report_acks **rows = calloc(m->nacks + 1, sizeof *rows);
    char (*labels)[LABELS_LEN] = calloc(shown + 1, sizeof *labels);

    single(out, "kafkatap_acks_untracked_total", "counter",
           "acks=all Produce partition results not kept: the acks table was full.",
           m->acks_dropped);
    if (!rows || !labels) {
        free(rows);
        free(labels);
        return;
    }
    for (size_t i = 0; i < m->nacks; i++)
        rows[i] = &m->acks[i];
    qsort(rows, m->nacks, sizeof *rows, cmp_waited);
    for (size_t i = 0; i < shown; i++) {
        char topic[256], num[16];
        kt_label_topic(topic, sizeof topic, rows[i]->row.part->topic);
        add_label(labels[i], "topic", topic);
        snprintf(num, sizeof num, "%d", (int)rows[i]->row.part->partition);
        add_label(labels[i], "partition", num);
        snprintf(num, sizeof num, "%d", (int)rows[i]->row.f->id);
        add_label(labels[i], "follower_id", num);
    }
    family(out, "kafkatap_acks_matched_total", "counter",
           "acks=all Produce writes to the partition matched to the followers' fetches "
           "(the pairs most waited for, --prometheus-top).");
    for (size_t i = 0; i < shown; i++)
        sample(out, "kafkatap_acks_matched_total", labels[i], rows[i]->row.part->resolved);
    family(out, "kafkatap_acks_waited_total", "counter",
           "Of them, the writes whose last confirming fetch was this follower's.");
    for (size_t i = 0; i < shown; i++)
        sample(out, "kafkatap_acks_waited_total", labels[i], rows[i]->row.f->last_count);
    family(out, "kafkatap_acks_wait_seconds", "histogram",
           "The wait of those writes: the follower's confirming fetch after the leader's append.");
    for (size_t i = 0; i < shown; i++)
        histogram(out, "kafkatap_acks_wait_seconds", labels[i], &rows[i]->row.f->wait_last);
    free(rows);
    free(labels);
}

/* The findings, counted by kind and severity. */
static void findings(FILE *out, const kt_report_model *m)
{
    family(out, "kafkatap_findings", "gauge",
           "Findings of the report now, by kind and severity (absent: none).");
    for (size_t i = 0; i < m->nfindings; i++) {
        const kt_finding *f = &m->findings[i];
        uint64_t n = 0;
        size_t j;
        for (j = 0; j < i; j++)          /* counted with an earlier one */
            if (!strcmp(m->findings[j].kind, f->kind) &&
                m->findings[j].severity == f->severity)
                break;
        if (j < i)
            continue;
        for (j = i; j < m->nfindings; j++)
            n += !strcmp(m->findings[j].kind, f->kind) &&
                 m->findings[j].severity == f->severity;
        char lb[LABELS_LEN] = "";
        add_label(lb, "kind", f->kind);
        add_label(lb, "severity", kt_severity_name(f->severity));
        sample(out, "kafkatap_findings", lb, n);
    }
}

/* One counter per TLS broker: its connections, or (bytes) their bytes. */
static void tls_family(FILE *out, const kt_report_model *m, const char *name,
                       const char *help, int bytes)
{
    family(out, name, "counter", help);
    for (size_t i = 0; i < m->ntls; i++) {
        char lb[LABELS_LEN] = "";
        add_label(lb, "broker", m->tls[i].broker);
        sample(out, name, lb, bytes ? m->tls[i].bytes : m->tls[i].connections);
    }
}

/* The TLS connections on broker ports, per broker (when there were any). */
static void tls(FILE *out, const kt_report_model *m)
{
    if (!m->ntls)
        return;
    tls_family(out, m, "kafkatap_tls_connections_total",
               "Connections on a broker port that spoke TLS (not decoded).", 0);
    tls_family(out, m, "kafkatap_tls_bytes_total",
               "TCP payload bytes of those TLS connections, both directions.", 1);
}

void kt_report_prometheus(FILE *out, const kt_report_model *m, size_t top_n)
{
    size_t n = m->napis > m->nbrokers ? m->napis : m->nbrokers;
    dim_row *rows = calloc(n + 1, sizeof *rows);
    char lb[LABELS_LEN] = "";

    family(out, "kafkatap_info", "gauge", "The kafkatap version; always 1.");
    add_label(lb, "version", PACKAGE_VERSION);
    sample(out, "kafkatap_info", lb, 1);
    capture_and_session(out, m);
    if (rows) {
        for (size_t i = 0; i < m->napis; i++) {
            add_label(rows[i].labels, "api", m->apis[i].name);
            rows[i].agg = &m->apis[i].agg;
        }
        dimension(out, "kafkatap_", "By API.", rows, m->napis);
        for (size_t i = 0; i < m->nbrokers; i++) {
            rows[i].labels[0] = 0;
            add_label(rows[i].labels, "broker", m->brokers[i].label);
            rows[i].agg = &m->brokers[i].agg;
        }
        dimension(out, "kafkatap_broker_", "By broker.", rows, m->nbrokers);
        free(rows);
    }
    partitions(out, m, top_n);
    clients(out, m, top_n);
    transactions(out, m, top_n);
    replication(out, m, top_n);
    tls(out, m);
    acks_waits(out, m, top_n);
    findings(out, m);
}
