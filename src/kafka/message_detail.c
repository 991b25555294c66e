/* message_detail.c - per-partition facts of Produce and Fetch requests and
 * the transactional facts of Produce and the transaction APIs
 * (message_detail.h); the response side is in response_summary.c, which
 * walks each response once for everything. */
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "common/anomaly.h"
#include "dissectors/kafka_records.h"
#include "dissectors/kafka_walk.h"
#include "kafka/message_detail.h"

void kt_detail_scan_records(kt_slice records, size_t *left, kt_records_summary *rs)
{
    /* kt_records_scan takes 0 as "the default": an empty budget is 1 byte */
    kt_records_scan(records, *left ? *left : 1, rs);
    *left = rs->inflated_bytes < *left ? *left - (size_t)rs->inflated_bytes : 0;
    if (rs->inflate_capped)
        kt_anomaly_add(KT_AN_INFLATE_CAPPED, rs->inflate_capped);
}

void kt_part_init(kt_part_result *p, const kt_topic *topic, int32_t partition)
{
    memset(p, 0, sizeof *p);
    p->topic = topic;
    p->partition = partition;
    p->error = KT_PART_NO_ANSWER;
    p->fetch_offset = -1;
    p->high_watermark = -1;
    p->last_offset = -1;
    p->base_offset = -1;
}

void kt_part_set_batches(kt_part_result *p, const kt_records_summary *rs)
{
    /* control batches are never compressed: taken from "none" */
    uint32_t control = rs->control_batches;
    p->batches = rs->batches > control ? rs->batches - control : 0;
    for (int c = 0; c < KT_CODECS; c++)
        p->codec_batches[c] = rs->codec_batches[c];
    p->codec_batches[KT_CODEC_NONE] -= control < p->codec_batches[KT_CODEC_NONE]
                                           ? control : p->codec_batches[KT_CODEC_NONE];
}

int kt_detail_has_parts(int api_key)
{
    return api_key == KT_API_PRODUCE || api_key == KT_API_FETCH;
}

int kt_detail_wanted(int api_key)
{
    switch (api_key) {
    case KT_API_PRODUCE:
    case KT_API_FETCH:
    case KT_API_INIT_PRODUCER_ID:
    case KT_API_ADD_PARTITIONS_TO_TXN:
    case KT_API_ADD_OFFSETS_TO_TXN:
    case KT_API_END_TXN:
    case KT_API_WRITE_TXN_MARKERS:
    case KT_API_TXN_OFFSET_COMMIT:
        return 1;
    default:
        return 0;
    }
}

int kt_produce_request_acks(const uint8_t *body, size_t len, int api_version)
{
    kt_cursor c;
    kt_event ev;
    kt_cur_init(&c, body, len);
    if (!kt_walk_find(KT_API_PRODUCE, api_version, 0, &c, KT_ROLE_ACKS, &ev))
        return -2;
    return (int)ev.i;
}

size_t kt_detail_size(const kt_request_detail *d)
{
    return d ? sizeof *d + (size_t)d->nparts * sizeof d->parts[0] : 0;
}

typedef struct collector {
    kt_topics *topics;
    kt_intern *txn_ids;
    kt_txn_detail txn;
    int marker_result;         /* WriteTxnMarkers: the marker being read */
    int api_key;
    int16_t acks;
    int32_t timeout_ms, max_wait_ms, replica_id;
    kt_part_result *parts;
    uint32_t n, cap, dropped;
    size_t inflate_left;
} collector;

const kt_topic *kt_event_topic(kt_topics *topics, const kt_event *ev)
{
    if (!ev->topic.is_null && ev->topic.len > 0)
        return kt_topic_by_name(topics, ev->topic);
    if (ev->topic_id)
        return kt_topic_by_id(topics, ev->topic_id);
    return kt_topic_by_name(topics, ev->topic);
}

static kt_part_result *add_part(collector *c, const kt_event *ev)
{
    kt_part_result *p;
    if (c->n == c->cap) {
        uint32_t ncap = c->cap ? c->cap * 2 : 16;
        kt_part_result *np;
        if (c->n >= KT_MAX_DETAIL_PARTS) {
            c->dropped++;
            return NULL;
        }
        np = realloc(c->parts, (size_t)ncap * sizeof *np);
        if (!np) {
            c->dropped++;
            return NULL;
        }
        c->parts = np;
        c->cap = ncap;
    }
    p = &c->parts[c->n++];
    kt_part_init(p, kt_event_topic(c->topics, ev), ev->partition);
    return p;
}

/* The transactional facts: the first transactional id, producer id and
 * epoch the request names; EndTxn's result; WriteTxnMarkers' markers, one
 * per partition, by the result of the marker they belong to. */
static void on_txn_field(collector *c, const kt_event *ev)
{
    switch (ev->role) {
    case KT_ROLE_TRANSACTIONAL_ID:
        if (!c->txn.txn_id && !ev->is_null && c->txn_ids)
            c->txn.txn_id = kt_intern_get(c->txn_ids, ev->s);
        break;
    case KT_ROLE_PRODUCER_ID:
        if (c->txn.producer_id < 0)
            c->txn.producer_id = ev->i;
        break;
    case KT_ROLE_PRODUCER_EPOCH:
        if (c->txn.producer_epoch < 0)
            c->txn.producer_epoch = (int16_t)ev->i;
        break;
    case KT_ROLE_TXN_RESULT:
        if (c->api_key == KT_API_END_TXN)
            c->txn.result = ev->i ? 1 : 0;
        c->marker_result = ev->i ? 1 : 0;
        break;
    case KT_ROLE_PARTITION_INDEX:
        if (c->api_key == KT_API_WRITE_TXN_MARKERS) {
            if (c->marker_result)
                c->txn.markers_commit++;
            else
                c->txn.markers_abort++;
        }
        break;
    default:
        break;
    }
}

static int on_request_event(void *arg, const kt_event *ev)
{
    collector *c = arg;
    if (ev->kind != KT_EV_FIELD)
        return 0;
    on_txn_field(c, ev);
    switch (ev->role) {
    case KT_ROLE_ACKS:
        c->acks = (int16_t)ev->i;
        break;
    case KT_ROLE_TIMEOUT_MS:
        if (ev->scope == KT_SCOPE_ROOT)
            c->timeout_ms = (int32_t)ev->i;
        break;
    case KT_ROLE_MAX_WAIT_MS:
        c->max_wait_ms = (int32_t)ev->i;
        break;
    case KT_ROLE_REPLICA_ID:
        /* Fetch v<15 at the top, v15+ inside the tagged ReplicaState */
        if (c->api_key == KT_API_FETCH)
            c->replica_id = (int32_t)ev->i;
        break;
    case KT_ROLE_RECORDS:
        if (c->api_key == KT_API_PRODUCE) {
            kt_records_summary rs;
            kt_part_result *p = add_part(c, ev);
            if (p) {
                kt_detail_scan_records(ev->s, &c->inflate_left, &rs);
                p->records = (int64_t)(rs.records - rs.control_records);
                p->txn_records = (int64_t)rs.transactional_records;
                p->bytes = ev->is_null ? 0 : ev->s.len;
                kt_part_set_batches(p, &rs);
                if (c->txn.producer_id < 0 && rs.txn_producer_id >= 0) {
                    c->txn.producer_id = rs.txn_producer_id;
                    c->txn.producer_epoch = rs.txn_producer_epoch;
                }
            }
        }
        break;
    case KT_ROLE_FETCH_OFFSET:
        if (c->api_key == KT_API_FETCH && ev->partition >= 0) {
            kt_part_result *p = add_part(c, ev);
            if (p)
                p->fetch_offset = ev->i;
        }
        break;
    default:
        break;
    }
    return 0;
}

kt_request_detail *kt_detail_from_request(int api_key, int api_version,
                                          const uint8_t *body, size_t len,
                                          kt_topics *topics, kt_intern *txn_ids,
                                          size_t max_inflate)
{
    collector c;
    kt_cursor cur;
    kt_walk_result r;
    kt_request_detail *d;

    if (!kt_detail_wanted(api_key))
        return NULL;
    memset(&c, 0, sizeof c);
    c.topics = topics;
    c.txn_ids = txn_ids;
    c.txn.producer_id = -1;
    c.txn.producer_epoch = -1;
    c.txn.result = -1;
    c.txn.resp_producer_id = -1;
    c.txn.resp_producer_epoch = -1;
    c.api_key = api_key;
    c.acks = -2;
    c.timeout_ms = -1;
    c.max_wait_ms = -1;
    c.replica_id = -1;
    c.inflate_left = max_inflate;
    kt_cur_init(&cur, body, len);
    if (kt_walk(api_key, api_version, 0, &cur, 0, on_request_event, &c, &r) != KT_WALK_OK) {
        if (r.status == KT_WALK_MALFORMED && r.cur_err == KT_CUR_LIMIT)
            kt_anomaly_add(KT_AN_WALKER_LIMIT, 1);
        free(c.parts);
        return NULL;
    }
    d = malloc(sizeof *d + (size_t)c.n * sizeof d->parts[0]);
    if (d) {
        d->acks = api_key == KT_API_PRODUCE ? c.acks : -2;
        d->timeout_ms = c.timeout_ms;
        d->max_wait_ms = c.max_wait_ms;
        d->replica_id = c.replica_id < 0 ? -1 : c.replica_id;
        d->nparts = c.n;
        d->parts_dropped = c.dropped;
        d->txn = c.txn;
        if (c.n)
            memcpy(d->parts, c.parts, (size_t)c.n * sizeof d->parts[0]);
    }
    free(c.parts);
    return d;
}
