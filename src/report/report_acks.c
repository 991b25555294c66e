/* report_acks.c - which follower acks=all Produce waited for
 * (stats/acks_wait.h), in the report: the model's rows, one per
 * (partition, follower), by topic, partition and follower id; the text
 * section "acks=all: the follower the leader waited for" and the --json
 * "acks_waits" array. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/report_acks.h"
#include "report/report.h"
#include "report/report_partition_json.h"
#include "report/report_replication.h"
#include "stats/labels.h"

static int cmp_topic(const kt_topic_label *x, const kt_topic_label *y)
{
    int c;
    if (x->name && y->name) {
        size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
        if ((c = memcmp(x->name, y->name, n)) != 0)
            return c;
        if (x->name_len != y->name_len)
            return x->name_len < y->name_len ? -1 : 1;
    } else if (x->name || y->name) {
        return x->name ? -1 : 1;
    }
    return memcmp(x->id, y->id, sizeof x->id);
}

static int cmp_acks(const void *a, const void *b)
{
    const kt_report_acks *x = a, *y = b;
    int c = cmp_topic(&x->topic, &y->topic);
    if (c)
        return c;
    if (x->row.part->partition != y->row.part->partition)
        return x->row.part->partition < y->row.part->partition ? -1 : 1;
    if (x->row.part != y->row.part)          /* same label, two topics */
        return strcmp(x->leader, y->leader);
    return x->row.f->id < y->row.f->id ? -1 : x->row.f->id > y->row.f->id;
}

int kt_report_acks_of(kt_report_model *m, const kt_partitions *p, kt_findings_input *fi)
{
    const kt_table *t;
    size_t n = 0, k = 0;
    if (!p)
        return 0;
    t = &p->acks;
    m->acks_dropped = p->acks_dropped;
    for (size_t i = 0; i < t->n; i++)
        n += ((const kt_acks_partition *)t->entries[i])->nfollowers;
    if (!n)
        return 0;
    m->acks = calloc(n, sizeof *m->acks);
    m->acks_rows_ = calloc(n, sizeof *m->acks_rows_);
    if (!m->acks || !m->acks_rows_)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        const kt_acks_partition *r = t->entries[i];
        for (uint32_t f = 0; f < r->nfollowers; f++, k++) {
            kt_report_acks *a = &m->acks[k];
            a->row.part = r;
            a->row.f = &r->f[f];
            kt_topic_label_of(&a->topic, kt_topic_canon(r->topic));
            kt_endpoint_format(&r->leader, a->leader, sizeof a->leader);
            kt_report_node_name(a->name, sizeof a->name, kt_nodes_find(&p->nodes, r->f[f].id));
        }
    }
    m->nacks = n;
    qsort(m->acks, n, sizeof *m->acks, cmp_acks);
    for (size_t i = 0; i < n; i++) {
        m->acks[i].row.name = m->acks[i].name[0] ? m->acks[i].name : NULL;
        m->acks_rows_[i] = m->acks[i].row;
    }
    fi->acks = m->acks_rows_;
    fi->nacks = n;
    return 0;
}

void kt_report_acks_free(kt_report_model *m)
{
    free(m->acks);
    free(m->acks_rows_);
}

/* A percentile of h in ms, or "-" when h is empty. */
static void pct_ms(char *buf, size_t len, const kt_histogram *h, double p)
{
    if (h->count)
        snprintf(buf, len, "%.3f", (double)kt_hist_percentile(h, p) / 1000.0);
    else
        snprintf(buf, len, "-");
}

/* Batches of the partition not attributed to a follower: no follower
 * fetched past them before the response, or still waiting at the end. */
static uint64_t unmatched_of(const kt_acks_partition *r)
{
    return r->unattributed + kt_acks_unresolved(r);
}

void kt_report_text_acks(FILE *out, const kt_report_model *m)
{
    size_t n = m->nacks, show;
    char who[200], topic[160], w50[24], w99[24], c50[24];

    if (!n)
        return;
    show = m->top_n > 0 && n > (size_t)m->top_n ? (size_t)m->top_n : n;
    fprintf(out, "\nacks=all: the follower the leader waited for (top %zu of %zu; per partition, "
                 "acks=all writes = a Produce request's records for it, answered without error; "
                 "matched: writes the followers' fetches resolved; last: of them, those whose "
                 "last confirming fetch (fetch offset past the write) was this follower's; wait "
                 "= that fetch after the leader's append (Produce arrival + queue wait); "
                 "fetch_p50: this follower's confirming fetch after the append, every write it "
                 "confirmed; unmatched: writes no follower fetch resolved)\n", show, n);
    fprintf(out, "  %-20s %5s %-24s %-22s %8s %8s %6s %9s %9s %9s %9s\n", "topic", "part",
            "follower", "leader", "matched", "last", "last%", "wait_p50", "wait_p99",
            "fetch_p50", "unmatched");
    for (size_t i = 0; i < show; i++) {
        const kt_report_acks *a = &m->acks[i];
        const kt_acks_partition *r = a->row.part;
        const kt_acks_follower *f = a->row.f;
        snprintf(who, sizeof who, "%" PRId32 "%s%s%s", f->id, a->name[0] ? " (" : "", a->name,
                 a->name[0] ? ")" : "");
        kt_topic_label_text(topic, sizeof topic, &a->topic);
        pct_ms(w50, sizeof w50, &f->wait_last, 50);
        pct_ms(w99, sizeof w99, &f->wait_last, 99);
        pct_ms(c50, sizeof c50, &f->confirm, 50);
        fprintf(out, "  %-20s %5" PRId32 " %-24s %-22s %8" PRIu64 " %8" PRIu64 " %6.1f %9s %9s %9s"
                     " %9" PRIu64 "\n", topic, r->partition, who, a->leader, r->resolved,
                f->last_count, r->resolved ? 100.0 * (double)f->last_count / (double)r->resolved
                                           : 0.0, w50, w99, c50, unmatched_of(r));
    }
    if (show < n)
        fprintf(out, "  (%zu more: --top, or all of them in --json)\n", n - show);
    if (m->acks_dropped)
        fprintf(out, "  %" PRIu64 " acks=all partition results were not tracked (table full)\n",
                m->acks_dropped);
}

void kt_report_json_acks(kt_json *j, const kt_report_model *m)
{
    char topic[300];
    kt_json_key(j, "acks_waits");
    kt_json_array_begin(j);
    for (size_t i = 0; i < m->nacks; i++) {
        const kt_report_acks *a = &m->acks[i];
        const kt_acks_partition *r = a->row.part;
        const kt_acks_follower *f = a->row.f;
        kt_json_object_begin(j);
        kt_label_topic(topic, sizeof topic, r->topic);
        kt_json_key(j, "topic");
        kt_json_string(j, topic);
        kt_json_kv_uint(j, "partition", (uint64_t)(r->partition >= 0 ? r->partition : 0));
        kt_json_key(j, "leader");
        kt_json_string(j, a->leader);
        kt_json_kv_uint(j, "follower_id", (uint64_t)(f->id >= 0 ? f->id : 0));
        kt_json_key(j, "follower_broker");          /* from Metadata; null: not seen */
        if (a->name[0])
            kt_json_string(j, a->name);
        else
            kt_json_null(j);
        kt_json_kv_uint(j, "produced", r->produced);
        kt_json_kv_uint(j, "matched", r->resolved);
        kt_json_kv_uint(j, "waited_for", f->last_count);
        kt_json_key(j, "waited_share");
        kt_json_fixed(j, r->resolved ? (double)f->last_count / (double)r->resolved : 0, 4);
        kt_report_latency_json(j, "wait_ms", NULL, &f->wait_last);
        kt_report_latency_json(j, "fetch_after_append_ms", NULL, &f->confirm);
        kt_json_kv_uint(j, "unattributed", r->unattributed);
        kt_json_kv_uint(j, "window_full", r->window_full);
        kt_json_kv_uint(j, "unresolved", kt_acks_unresolved(r));
        kt_json_kv_uint(j, "followers_dropped", r->followers_dropped);
        kt_json_object_end(j);
    }
    kt_json_array_end(j);
    kt_json_kv_uint(j, "acks_waits_dropped", m->acks_dropped);
}
