/* response_summary.c - what a response body says, from one walk of the
 * generic schema walker:
 *   - every field whose role is an error code (top-level, per topic or per
 *     partition) counts once per non-zero value; throttle_time_ms is taken
 *     as is;
 *   - Produce and Fetch: each partition's error code (for Fetch its
 *     records and high watermark, for Produce the base offset the leader
 *     gave its records) completes the request's detail;
 *   - any topic struct that carries both a name and a topic id (Metadata
 *     v10+, CreateTopics v7+, DescribeTopicPartitions, ...) teaches the
 *     topic table that pairing;
 *   - Metadata: the brokers it lists (node id, host, port) go with the
 *     exchange (kt_exchange.nodes), to name brokers by id. */
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "common/anomaly.h"
#include "dissectors/kafka_records.h"
#include "dissectors/kafka_walk.h"
#include "kafka/message_detail.h"
#include "kafka/response_summary.h"


typedef struct summary {
    kt_exchange *ex;
    kt_topics *topics;
    int api_key;
    uint32_t hint;             /* where the last partition matched */
    /* the partition struct being read (Fetch) */
    int64_t records, control_records, high_watermark, last_offset;
    int64_t base_offset;       /* (Produce) */
    uint64_t bytes;
    kt_part_result batches;    /* only its batches and codec_batches */
    size_t inflate_left;       /* gzip output left for this body */
    uint32_t nodes_cap;        /* of ex->nodes */
} summary;

/* Metadata's Brokers[]: NodeId starts an entry, Host and Port complete it. */
static void add_node(summary *s, const kt_event *ev)
{
    kt_exchange *ex = s->ex;
    kt_broker_node *n;
    if (ev->role == KT_ROLE_BROKER_NODE_ID) {
        if (ex->nnodes == s->nodes_cap) {
            uint32_t cap = s->nodes_cap ? s->nodes_cap * 2 : 8;
            kt_broker_node *nn;
            if (ex->nnodes >= KT_MAX_EXCHANGE_NODES)
                return;
            nn = realloc(ex->nodes, (size_t)cap * sizeof *nn);
            if (!nn)
                return;
            ex->nodes = nn;
            s->nodes_cap = cap;
        }
        n = &ex->nodes[ex->nnodes++];
        memset(n, 0, sizeof *n);
        n->node_id = (int32_t)ev->i;
        n->port = -1;
        return;
    }
    if (!ex->nnodes)
        return;
    n = &ex->nodes[ex->nnodes - 1];
    if (ev->role == KT_ROLE_BROKER_PORT) {
        n->port = (int32_t)ev->i;
    } else if (!ev->is_null) {
        size_t len = ev->s.len < KT_NODE_HOST_MAX ? ev->s.len : KT_NODE_HOST_MAX;
        memcpy(n->host, ev->s.ptr, len);
        n->host_len = (uint8_t)len;
    }
}

static void add_error(kt_exchange *ex, int16_t code)
{
    for (int i = 0; i < ex->nerrors; i++) {
        if (ex->errors[i].code == code) {
            ex->errors[i].count++;
            return;
        }
    }
    if (ex->nerrors < KT_MAX_EXCHANGE_ERRORS) {
        ex->errors[ex->nerrors].code = code;
        ex->errors[ex->nerrors].count = 1;
        ex->nerrors++;
    }
}

/* The request's entry for this partition; responses list partitions in
 * request order, so the search starts after the last match.  A Fetch
 * response may name partitions its request did not (incremental fetch
 * sessions): they are added. */
static kt_part_result *find_part(summary *s, const kt_topic *tp, int32_t partition)
{
    kt_request_detail *d = s->ex->detail, *nd;
    uint32_t i, n = d->nparts;
    kt_part_result *p;
    for (i = 0; i < n; i++) {
        p = &d->parts[(s->hint + i) % n];
        if (p->topic == tp && p->partition == partition) {
            s->hint = (s->hint + i + 1) % n;
            return p;
        }
    }
    if (s->api_key != KT_API_FETCH || n >= KT_MAX_DETAIL_PARTS)
        return NULL;
    nd = realloc(d, sizeof *d + ((size_t)n + 1) * sizeof d->parts[0]);
    if (!nd)
        return NULL;
    s->ex->detail = nd;
    p = &nd->parts[nd->nparts++];
    kt_part_init(p, tp, partition);
    return p;
}

static int on_event(void *arg, const kt_event *ev)
{
    summary *s = arg;
    kt_exchange *ex = s->ex;

    switch (ev->kind) {
    case KT_EV_FIELD:
        if (ev->role == KT_ROLE_ERROR_CODE && ev->i != 0)
            add_error(ex, (int16_t)ev->i);
        else if (ev->role == KT_ROLE_THROTTLE_TIME_MS && ev->scope == KT_SCOPE_ROOT)
            ex->throttle_ms = (int32_t)ev->i;
        else if (ev->role == KT_ROLE_PRODUCER_ID && ex->detail && ev->scope == KT_SCOPE_ROOT &&
                 s->api_key == KT_API_INIT_PRODUCER_ID)
            ex->detail->txn.resp_producer_id = ev->i;
        else if (ev->role == KT_ROLE_PRODUCER_EPOCH && ex->detail && ev->scope == KT_SCOPE_ROOT &&
                 s->api_key == KT_API_INIT_PRODUCER_ID)
            ex->detail->txn.resp_producer_epoch = (int16_t)ev->i;
        else if (ev->role == KT_ROLE_HIGH_WATERMARK)
            s->high_watermark = ev->i;
        else if (ev->role == KT_ROLE_BASE_OFFSET && s->api_key == KT_API_PRODUCE)
            s->base_offset = ev->i;
        else if (ev->role == KT_ROLE_BROKER_NODE_ID || ev->role == KT_ROLE_BROKER_HOST ||
                 ev->role == KT_ROLE_BROKER_PORT)
            add_node(s, ev);
        else if (ev->role == KT_ROLE_RECORDS && s->api_key == KT_API_FETCH) {
            kt_records_summary rs;
            kt_detail_scan_records(ev->s, &s->inflate_left, &rs);
            s->records = (int64_t)(rs.records - rs.control_records);
            s->control_records = (int64_t)rs.control_records;
            s->bytes = ev->is_null ? 0 : ev->s.len;
            s->last_offset = rs.batches ? rs.last_offset : -1;
            kt_part_set_batches(&s->batches, &rs);
        }
        break;
    case KT_EV_ENTER:
        if (ev->scope == KT_SCOPE_PARTITION) {
            s->records = 0;
            s->control_records = 0;
            s->bytes = 0;
            s->high_watermark = -1;
            s->last_offset = -1;
            s->base_offset = -1;
            memset(&s->batches, 0, sizeof s->batches);
        }
        break;
    case KT_EV_LEAVE:
        if (ev->scope == KT_SCOPE_PARTITION && ex->detail && ev->partition >= 0) {
            kt_part_result *p = find_part(s, kt_event_topic(s->topics, ev), ev->partition);
            if (p) {
                p->answered = 1;
                p->error = ev->error_code == KT_EV_NO_ERROR ? 0 : (int16_t)ev->error_code;
                if (s->api_key == KT_API_PRODUCE)
                    p->base_offset = s->base_offset;
                if (s->api_key == KT_API_FETCH) {
                    p->records = s->records;
                    p->control_records = s->control_records;
                    p->bytes = s->bytes;
                    p->high_watermark = s->high_watermark;
                    p->last_offset = s->last_offset;
                    p->batches = s->batches.batches;
                    memcpy(p->codec_batches, s->batches.codec_batches,
                           sizeof p->codec_batches);
                }
            }
        } else if (ev->scope == KT_SCOPE_TOPIC && ev->topic_id &&
                   !ev->topic.is_null && ev->topic.len > 0) {
            kt_topics_pair(s->topics, ev->topic, ev->topic_id);
        }
        break;
    default:
        break;
    }
    return 0;
}

void kt_summarize_response(int api_key, int api_version, const uint8_t *body,
                           size_t len, kt_topics *topics, size_t max_inflate,
                           kt_exchange *ex)
{
    kt_cursor c;
    kt_walk_result r;
    summary s;

    memset(&s, 0, sizeof s);
    s.ex = ex;
    s.topics = topics;
    s.api_key = api_key;
    s.inflate_left = max_inflate;
    kt_cur_init(&c, body, len);
    kt_walk(api_key, api_version, 1, &c, 0, on_event, &s, &r);
    switch (r.status) {
    case KT_WALK_OK:
        ex->body_decoded = 1;
        break;
    case KT_WALK_MALFORMED:
        kt_anomaly_add(KT_AN_MALFORMED_BODY, 1);
        if (r.cur_err == KT_CUR_LIMIT)
            kt_anomaly_add(KT_AN_WALKER_LIMIT, 1);
        /* a refused ApiVersions version: the error is known even though
         * the rest does not decode */
        if (r.version_rejected)
            add_error(ex, KT_ERR_UNSUPPORTED_VERSION);
        break;
    default:
        break;
    }
}
