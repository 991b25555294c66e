/* report_split.c - where the time goes, as text (report_split.h). */
#include <inttypes.h>
#include <string.h>
#include "report/report_split.h"
#include "stats/labels.h"

#define LABEL_W 28

static void ms_or_dash(char *buf, size_t len, const kt_histogram *h, double p)
{
    if (h->count)
        snprintf(buf, len, "%.3f", (double)kt_hist_percentile(h, p) / 1000.0);
    else
        snprintf(buf, len, "-");
}

static int worth(const kt_split *s)
{
    return s && (s->queue.count || s->unknown);
}

static void header(FILE *out, const char *first)
{
    fprintf(out, "  %-*s %7s %9s %9s %9s %9s %9s %6s %7s %5s %5s %7s\n", LABEL_W, first,
            "split", "p50_ms", "queue_p50", "queue_p99", "serv_p50", "serv_p99", "queue%",
            "piped", "conns", "depth", "unknown");
}

static void row(FILE *out, const char *label, const kt_histogram *latency, const kt_split *s)
{
    char l50[24], q50[24], q99[24], s50[24], s99[24], share[16];
    uint64_t total = s->queue.sum + s->service.sum;
    ms_or_dash(l50, sizeof l50, latency, 50);
    ms_or_dash(q50, sizeof q50, &s->queue, 50);
    ms_or_dash(q99, sizeof q99, &s->queue, 99);
    ms_or_dash(s50, sizeof s50, &s->service, 50);
    ms_or_dash(s99, sizeof s99, &s->service, 99);
    if (total)
        snprintf(share, sizeof share, "%.1f", 100.0 * (double)s->queue.sum / (double)total);
    else
        snprintf(share, sizeof share, "-");
    fprintf(out, "  %-*s %7" PRIu64 " %9s %9s %9s %9s %9s %6s %7" PRIu64 " %5" PRIu64
                 " %5.2f %7" PRIu64 "\n",
            LABEL_W, label, s->queue.count, l50, q50, q99, s50, s99, share, s->pipelined,
            s->pipelined_conns, kt_split_mean_depth(s), s->unknown);
}

static void topic_label(char *buf, size_t len, const kt_report_partition *p)
{
    char t[160];
    if (p->topic.name)
        kt_label_escaped(t, sizeof t, p->topic.name, p->topic.name_len);
    else if (p->topic.has_id)
        snprintf(t, sizeof t, "%s", p->topic.id);
    else
        snprintf(t, sizeof t, "(unknown topic)");
    snprintf(buf, len, "%s/%" PRId32, t, p->stats->partition);
}

void kt_report_split_text(FILE *out, const kt_report_model *m)
{
    char label[200];
    int any = 0;
    size_t shown = 0, nparts;

    for (size_t i = 0; i < m->napis; i++)
        any |= worth(m->apis[i].agg.split);
    if (!any)
        return;
    fprintf(out, "\nWhere the time goes (answered requests: latency = queue wait behind earlier"
                 " requests of the same connection + broker service time; queue%%: share of"
                 " their summed latency; piped: requests that found another in flight; conns:"
                 " connections where that happened; depth: mean requests in flight at arrival)\n");
    header(out, "api");
    for (size_t i = 0; i < m->napis; i++)
        if (worth(m->apis[i].agg.split))
            row(out, m->apis[i].name, m->apis[i].agg.latency, m->apis[i].agg.split);
    header(out, "broker");
    for (size_t i = 0; i < m->nbrokers; i++)
        if (worth(m->brokers[i].agg.split))
            row(out, m->brokers[i].label, m->brokers[i].agg.latency, m->brokers[i].agg.split);
    header(out, "client_id");
    for (size_t i = 0; i < m->nclients; i++) {
        if (!worth(m->clients[i].agg.split))
            continue;
        kt_label_client_id(label, sizeof label, m->clients[i].client_id);
        row(out, label, m->clients[i].agg.latency, m->clients[i].agg.split);
    }
    nparts = m->top_n > 0 && m->npartitions > (size_t)m->top_n ? (size_t)m->top_n
                                                                 : m->npartitions;
    for (size_t i = 0; i < nparts; i++) {
        const kt_produce_agg *p = &m->partitions[i].stats->produce;
        if (!worth(p->split))
            continue;
        if (!shown++)
            header(out, "produce topic/partition");
        topic_label(label, sizeof label, &m->partitions[i]);
        row(out, label, &p->latency, p->split);
    }
}
