/* report_replication.c - the report model's replication rows (one per
 * follower, leader and topic-partition, replication_stats.h): labelled and
 * sorted for the report, and handed to the replication findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats/labels.h"
#include "report/report_model.h"
#include "report/report_replication.h"

static int64_t lag_of(const kt_replica_stats *r)
{
    return r->lag_max;
}

/* Largest lag first, then the longest behind, the longest silence, then by
 * follower id, leader, topic label and partition (a total order). */
static int cmp_replica(const void *a, const void *b)
{
    const kt_report_replica *x = a, *y = b;
    const kt_replica_stats *p = x->stats, *q = y->stats;
    int c;
    if (lag_of(p) != lag_of(q))
        return lag_of(p) > lag_of(q) ? -1 : 1;
    if (p->behind_max_us != q->behind_max_us)
        return p->behind_max_us > q->behind_max_us ? -1 : 1;
    if (p->silence_max_us != q->silence_max_us)
        return p->silence_max_us > q->silence_max_us ? -1 : 1;
    if (p->follower_id != q->follower_id)
        return p->follower_id < q->follower_id ? -1 : 1;
    if ((c = strcmp(x->leader, y->leader)) != 0)
        return c;
    if ((c = memcmp(x->topic.id, y->topic.id, sizeof x->topic.id)) != 0)
        return c;
    if (x->topic.name_len != y->topic.name_len)
        return x->topic.name_len < y->topic.name_len ? -1 : 1;
    if (x->topic.name && y->topic.name && (c = memcmp(x->topic.name, y->topic.name,
                                                      x->topic.name_len)) != 0)
        return c;
    return p->partition < q->partition ? -1 : p->partition > q->partition;
}

void kt_report_node_name(char *buf, size_t len, const kt_node_stats *n)
{
    size_t at;
    buf[0] = 0;
    if (!n || !n->host_len)
        return;
    kt_label_escaped(buf, len, n->host, n->host_len);
    at = strlen(buf);
    if (n->port >= 0 && at < len)
        snprintf(buf + at, len - at, ":%d", (int)n->port);
}

int kt_report_replicas_of(kt_report_model *m, const kt_partitions *p, kt_findings_input *fi)
{
    const kt_table *t;
    size_t n;
    if (!p)
        return 0;
    t = &p->replicas;
    n = t->n;
    m->nodes = &p->nodes;
    m->replicas_dropped = p->replicas_dropped;
    if (!n)
        return 0;
    m->replicas = calloc(n, sizeof *m->replicas);
    m->replica_list_ = calloc(n, sizeof *m->replica_list_);
    m->replica_unfetched_ = calloc(n, sizeof *m->replica_unfetched_);
    m->replica_names_ = calloc(n, sizeof *m->replica_names_);
    if (!m->replicas || !m->replica_list_ || !m->replica_unfetched_ || !m->replica_names_)
        return -1;
    for (size_t i = 0; i < n; i++) {
        kt_report_replica *r = &m->replicas[i];
        char *colon;
        r->stats = t->entries[i];
        kt_topic_label_of(&r->topic, kt_topic_canon(r->stats->topic));
        kt_endpoint_format(&r->stats->leader, r->leader, sizeof r->leader);
        kt_endpoint_format(&r->stats->follower, r->follower, sizeof r->follower);
        colon = strrchr(r->follower, ':');   /* an ephemeral port says nothing */
        if (colon)
            *colon = 0;
        kt_report_node_name(r->follower_broker, sizeof r->follower_broker,
                    kt_nodes_find(&p->nodes, r->stats->follower_id));
    }
    m->nreplicas = n;
    qsort(m->replicas, n, sizeof *m->replicas, cmp_replica);
    for (size_t i = 0; i < n; i++) {
        kt_report_replica *r = &m->replicas[i];
        r->name = r->follower_broker[0] ? r->follower_broker : r->follower;
        m->replica_names_[i] = r->name;
        m->replica_list_[i] = m->replicas[i].stats;
        m->replica_unfetched_[i] = kt_partitions_unfetched_us(p, m->replicas[i].stats);
    }
    fi->replicas = m->replica_list_;
    fi->replicas_unfetched_us = m->replica_unfetched_;
    fi->replicas_name = m->replica_names_;
    fi->nreplicas = n;
    return 0;
}
