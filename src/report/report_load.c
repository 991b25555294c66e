/* report_load.c - a --json report read back into statistics (see
 * report_load.h), with jansson.  Every member is checked for its type;
 * the first problem found is the error reported. */
#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_names.h"
#include "dissectors/kafka_records.h"
#include "kafka/client_role.h"
#include "report/report_load.h"
#include "report/report_merge_json.h"
#include "stats/labels.h"

#define MAX_NAMES 1000000   /* client ids and topics kept across the inputs */

int kt_report_names_init(kt_report_names *n)
{
    memset(n, 0, sizeof *n);
    if (kt_intern_init(&n->client_ids, MAX_NAMES) < 0)
        return -1;
    if (kt_topics_init(&n->topics, MAX_NAMES) < 0) {
        kt_intern_free(&n->client_ids);
        return -1;
    }
    return 0;
}

void kt_report_names_free(kt_report_names *n)
{
    kt_topics_free(&n->topics);
    kt_intern_free(&n->client_ids);
}

int kt_endpoint_parse(kt_endpoint *e, const char *s)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    size_t hl;
    char *end;
    unsigned long port;

    memset(e, 0, sizeof *e);
    if (!colon || colon == s)
        return -1;
    port = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port > 65535)
        return -1;
    if (s[0] == '[') {
        if (colon[-1] != ']')
            return -1;
        hl = (size_t)(colon - 1 - (s + 1));
        s++;
    } else
        hl = (size_t)(colon - s);
    if (hl >= sizeof host)
        return -1;
    memcpy(host, s, hl);
    host[hl] = 0;
    if (inet_pton(AF_INET, host, e->addr) == 1)
        e->family = 4;
    else if (inet_pton(AF_INET6, host, e->addr) == 1)
        e->family = 6;
    else
        return -1;
    e->port = (uint16_t)port;
    return 0;
}

/* ---- typed access with one error ---------------------------------------- */

typedef struct ld {
    const char *path;
    char *err;
    size_t errlen;
    int failed;
    kt_report_names *names;
    char where[96];         /* the part being read, for messages */
} ld;

static void fail(ld *c, const char *fmt, ...)
{
    va_list ap;
    char msg[256];
    if (c->failed)
        return;
    c->failed = 1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: %s%s%s", c->path, c->where, *c->where ? ": " : "", msg);
}

static json_t *member(ld *c, json_t *obj, const char *key, json_type type)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (c->failed)
        return NULL;
    if (!v) {
        fail(c, "no \"%s\" (not a kafkatap --json report of this version?)", key);
        return NULL;
    }
    if (json_typeof(v) != type) {
        fail(c, "\"%s\" has the wrong type", key);
        return NULL;
    }
    return v;
}

static uint64_t u64(ld *c, json_t *obj, const char *key)
{
    json_t *v = member(c, obj, key, JSON_INTEGER);
    if (!v)
        return 0;
    if (json_integer_value(v) < 0) {
        fail(c, "\"%s\" is negative", key);
        return 0;
    }
    return (uint64_t)json_integer_value(v);
}

/* An integer, -1 for null. */
static int64_t opt_i64(ld *c, json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (v && json_is_null(v))
        return -1;
    v = member(c, obj, key, JSON_INTEGER);
    return v ? (int64_t)json_integer_value(v) : -1;
}

/* A number scaled (seconds -> us: 1e6, ms -> us: 1e3) and rounded; null
 * is 0. */
static uint64_t scaled(ld *c, json_t *obj, const char *key, double scale)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    double d;
    if (!c->failed && !v) {
        fail(c, "no \"%s\"", key);
        return 0;
    }
    if (c->failed || json_is_null(v))
        return 0;
    if (!json_is_number(v)) {
        fail(c, "\"%s\" is not a number", key);
        return 0;
    }
    d = json_number_value(v) * scale;
    if (!(d >= 0 && d < 1.8e19)) {
        fail(c, "\"%s\" is out of range", key);
        return 0;
    }
    return (uint64_t)llround(d);
}

static int flag(ld *c, json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!c->failed && (!v || !json_is_boolean(v)))
        fail(c, "\"%s\" is not true or false", key);
    return v && json_is_true(v);
}

/* A boolean that may be absent (false then). */
static int opt_flag(ld *c, json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    return v ? flag(c, obj, key) : 0;
}

/* A client id: null is the Kafka null string. */
static const kt_istr *client_id_of(ld *c, json_t *v)
{
    kt_slice sl = { NULL, 0, 1 };
    const kt_istr *id;
    if (c->failed)
        return NULL;
    if (!v || !(json_is_null(v) || json_is_string(v))) {
        fail(c, "a client id is neither a string nor null");
        return NULL;
    }
    if (json_is_string(v)) {
        sl.ptr = (const uint8_t *)json_string_value(v);
        sl.len = json_string_length(v);
        sl.is_null = 0;
    }
    id = kt_intern_get(&c->names->client_ids, sl);
    if (!id)
        fail(c, "out of memory");
    return id;
}

static void endpoint_of(ld *c, json_t *obj, const char *key, kt_endpoint *e)
{
    json_t *v = member(c, obj, key, JSON_STRING);
    if (v && kt_endpoint_parse(e, json_string_value(v)) < 0)
        fail(c, "\"%s\" is not an address:port", key);
}

/* An error code from its label ("NOT_LEADER_OR_FOLLOWER" or "error_123"). */
static int code_of(const char *label, int16_t *code)
{
    char buf[32];
    char *end;
    long v;
    if (strncmp(label, "error_", 6) == 0) {
        v = strtol(label + 6, &end, 10);
        if (*end || end == label + 6 || v < INT16_MIN || v > INT16_MAX)
            return -1;
        *code = (int16_t)v;
        return 0;
    }
    for (int i = -1; i < 1024; i++) {
        if (strcmp(kt_error_label(i, buf, sizeof buf), label) == 0) {
            *code = (int16_t)i;
            return 0;
        }
    }
    return -1;
}

static void codes_of(ld *c, json_t *obj, kt_code_count **list, int *n, int *cap)
{
    json_t *errs = member(c, obj, "errors", JSON_OBJECT);
    const char *label;
    json_t *v;
    json_object_foreach(errs, label, v) {
        int16_t code;
        if (!json_is_integer(v) || json_integer_value(v) < 0 || code_of(label, &code) < 0) {
            fail(c, "error count \"%s\" is not understood", label);
            return;
        }
        kt_code_counts_add(list, n, cap, code, (uint64_t)json_integer_value(v));
    }
}

static void hist_of(ld *c, json_t *obj, const char *key, kt_histogram *h)
{
    json_t *o = member(c, obj, key, JSON_OBJECT), *b, *pair;
    json_t *scheme = o ? json_object_get(o, "scheme") : NULL;
    size_t i;
    uint64_t total = 0;

    if (!o)
        return;
    if (!json_is_string(scheme) || strcmp(json_string_value(scheme), KT_HIST_SCHEME) ||
        u64(c, o, "sub_bits") != KT_HIST_SUB_BITS) {
        fail(c, "\"%s\" is not a histogram this kafkatap reads", key);
        return;
    }
    h->count = u64(c, o, "count");
    h->sum = u64(c, o, "sum_us");
    h->min = u64(c, o, "min_us");
    h->max = u64(c, o, "max_us");
    b = member(c, o, "buckets", JSON_ARRAY);
    json_array_foreach(b, i, pair) {
        json_t *ix = json_array_get(pair, 0), *n = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(ix) ||
            !json_is_integer(n) || json_integer_value(ix) < 0 ||
            json_integer_value(ix) >= KT_HIST_BUCKETS || json_integer_value(n) < 0) {
            fail(c, "\"%s\": bucket %zu is not [index, count]", key, i);
            return;
        }
        if (kt_hist_bucket_add(h, (unsigned)json_integer_value(ix),
                               (uint64_t)json_integer_value(n)) < 0) {
            fail(c, "out of memory");
            return;
        }
        total += (uint64_t)json_integer_value(n);
    }
    if (!c->failed && total != h->count)
        fail(c, "\"%s\": its buckets hold %llu values, its count says %llu", key,
             (unsigned long long)total, (unsigned long long)h->count);
}

/* A queue wait / service split (report_partition_json.h). */
static void split_of(ld *c, json_t *o, kt_split *s)
{
    hist_of(c, o, "queue_wait_hist", &s->queue);
    hist_of(c, o, "service_hist", &s->service);
    s->unknown = u64(c, o, "split_unknown");
    s->pipelined = u64(c, o, "pipelined_requests");
    s->pipelined_conns = u64(c, o, "pipelined_connections");
    s->depth_sum = u64(c, o, "depth_sum");
    s->depth_n = u64(c, o, "depth_n");
}

/* "codec_batches" {"none": n, ...}: every codec's count. */
static void codec_batches_of(ld *c, json_t *o, uint64_t codec_batches[KT_CODECS])
{
    json_t *cb = member(c, o, "codec_batches", JSON_OBJECT);
    for (int k = 0; cb && k < KT_CODECS; k++)
        codec_batches[k] = u64(c, cb, kt_codec_name(k));
}

/* "codecs" ["lz4", ...] as bits (1 << codec). */
static unsigned codecs_of(ld *c, json_t *o)
{
    json_t *arr = member(c, o, "codecs", JSON_ARRAY), *v;
    unsigned mask = 0;
    size_t i;
    json_array_foreach(arr, i, v) {
        int k;
        for (k = 0; k < KT_CODECS && !(json_is_string(v) &&
                                        !strcmp(json_string_value(v), kt_codec_name(k))); k++)
            ;
        if (k == KT_CODECS) {
            fail(c, "\"codecs\" names an unknown codec");
            return 0;
        }
        mask |= 1u << k;
    }
    return mask;
}

static void agg_of(ld *c, json_t *o, kt_agg *a)
{
    a->requests = u64(c, o, "requests");
    a->matched = u64(c, o, "matched");
    a->unanswered = u64(c, o, "unanswered");
    a->no_response = u64(c, o, "no_response_expected");
    a->errored = u64(c, o, "errored");
    a->throttled = u64(c, o, "throttled");
    a->throttle_ms_total = u64(c, o, "throttle_ms_total");
    a->throttle_ms_max = u64(c, o, "throttle_ms_max");
    hist_of(c, o, "latency_hist", &a->latency);
    split_of(c, o, &a->split);
    codes_of(c, o, &a->errors, &a->nerrors, &a->caperrors);
}

/* Each element of obj[key], an array of objects, read by fn; where names
 * it in messages. */
#define EACH(c, obj, key, i, el)                                                 \
    for (json_t *arr_ = ((c)->where[0] = 0, member(c, obj, key, JSON_ARRAY));  \
         arr_; arr_ = NULL)                                                      \
        for (i = 0; !(c)->failed && i < json_array_size(arr_) &&                  \
                    (el = json_array_get(arr_, i)) != NULL &&                     \
                    (snprintf((c)->where, sizeof (c)->where, "%s[%zu]", key, i),  \
                     json_is_object(el) || (fail(c, "not an object"), 0));        \
             i++)

static void capture_of(ld *c, json_t *root, kt_loaded_report *r)
{
    json_t *o = member(c, root, "capture", JSON_OBJECT);
    snprintf(c->where, sizeof c->where, "capture");
    r->capture.packets = u64(c, o, "packets");
    r->capture.bytes = u64(c, o, "bytes");
    r->capture.first_ts_us = scaled(c, o, "first_ts", 1e6);
    r->capture.last_ts_us = scaled(c, o, "last_ts", 1e6);
    r->capture.dropped = u64(c, o, "dropped");
    r->capture.if_dropped = u64(c, o, "if_dropped");
    r->capture.tcp_segments = u64(c, o, "tcp_segments");
}

static void totals_of(ld *c, json_t *root, kt_session_totals *t)
{
    json_t *o = member(c, root, "totals", JSON_OBJECT);
    snprintf(c->where, sizeof c->where, "totals");
    t->requests = u64(c, o, "requests");
    t->matched = u64(c, o, "matched");
    t->unanswered = u64(c, o, "unanswered");
    t->no_response_expected = u64(c, o, "no_response_expected");
    t->unknown_capture_loss = u64(c, o, "unknown_capture_loss");
    t->orphan_responses = u64(c, o, "orphan_responses");
    t->lost_request_responses = u64(c, o, "lost_request_responses");
    t->malformed = u64(c, o, "malformed");
    t->connections = u64(c, o, "connections");
    t->midstream_connections = u64(c, o, "midstream_connections");
    t->missed_bytes = u64(c, o, "missed_bytes");
    t->ignored_connections = u64(c, o, "ignored_connections");
    t->tls_connections = u64(c, o, "tls_connections");
    t->tls_bytes = u64(c, o, "tls_bytes");
}

/* The "transactions" object (txn_stats.h). */
static void txn_of(ld *c, json_t *root, kt_txn_stats *t)
{
    json_t *o = member(c, root, "transactions", JSON_OBJECT), *ids, *el;
    size_t i;
    snprintf(c->where, sizeof c->where, "transactions");
    t->txn_records_produced = u64(c, o, "transactional_records_produced");
    t->producers_dropped = u64(c, o, "producers_untracked");
    t->marker_requests = u64(c, o, "marker_requests");
    t->markers_commit = u64(c, o, "markers_commit");
    t->markers_abort = u64(c, o, "markers_abort");
    t->marker_errors = u64(c, o, "marker_errors");
    t->control_records_fetched = u64(c, o, "control_records_fetched");
    ids = member(c, o, "transactional_ids", JSON_ARRAY);
    json_array_foreach(ids, i, el) {
        json_t *id = json_is_object(el) ? json_object_get(el, "transactional_id") : NULL;
        int other = json_is_string(id) && !strcmp(json_string_value(id), KT_LABEL_OTHER_TXN);
        const kt_istr *s = other ? NULL : client_id_of(c, id);
        kt_txn_id_stats *e;
        if (c->failed)
            return;
        if (!json_is_object(el) || !(e = kt_txn_stats_entry(t, s))) {
            fail(c, "transactional id %zu is not an object (or out of memory)", i);
            return;
        }
        e->committed += u64(c, el, "committed");
        e->aborted += u64(c, el, "aborted");
        e->records_committed += u64(c, el, "records_committed");
        e->records_aborted += u64(c, el, "records_aborted");
        e->aborted_by_coordinator += u64(c, el, "aborted_by_coordinator");
        e->records_aborted_by_coordinator += u64(c, el, "records_aborted_by_coordinator");
        e->end_txn += u64(c, el, "end_txn");
        e->end_txn_failed += u64(c, el, "end_txn_failed");
        e->fenced += u64(c, el, "fenced");
        e->init_producer_id += u64(c, el, "init_producer_id");
        e->add_partitions += u64(c, el, "add_partitions_to_txn");
        e->add_offsets += u64(c, el, "add_offsets_to_txn");
        e->txn_offset_commit += u64(c, el, "txn_offset_commit");
        codes_of(c, el, &e->errors, &e->nerrors, &e->caperrors);
    }
}

/* The "tls" rows (tls_brokers.h); "(other)" into the overflow entry. */
static void tls_of(ld *c, json_t *root, kt_tls_brokers *t)
{
    size_t i;
    json_t *el;
    EACH(c, root, "tls", i, el) {
        json_t *label = member(c, el, "broker", JSON_STRING);
        kt_tls_broker *b = NULL;
        kt_endpoint ep;
        if (!label)
            return;
        if (strcmp(json_string_value(label), KT_LABEL_OTHER_BROKER) == 0)
            b = kt_table_overflow(&t->table);
        else if (kt_endpoint_parse(&ep, json_string_value(label)) < 0) {
            fail(c, "\"broker\" is not an address:port");
            return;
        } else
            b = kt_tls_brokers_entry(t, &ep);
        if (!b) {
            fail(c, "out of memory");
            return;
        }
        b->connections += u64(c, el, "connections");
        b->midstream += u64(c, el, "midstream_connections");
        b->bytes += u64(c, el, "bytes");
    }
}

static void apis_of(ld *c, json_t *root, kt_stats *s)
{
    size_t i, k;
    json_t *el, *v;
    EACH(c, root, "apis", i, el) {
        int64_t key = opt_i64(c, el, "api_key");
        json_t *versions = member(c, el, "versions", JSON_ARRAY);
        kt_api_stats *a;
        if (c->failed)
            return;
        if (key < INT16_MIN || key > INT16_MAX) {
            fail(c, "\"api_key\" is out of range");
            return;
        }
        if (!(a = kt_stats_api(s, (int16_t)key, opt_flag(c, el, "follower")))) {
            fail(c, "out of memory");
            return;
        }
        json_array_foreach(versions, k, v) {
            json_int_t ver = json_is_integer(v) ? json_integer_value(v) : -1;
            if (ver < 0 || ver > 127) {
                fail(c, "a version is not 0 to 127");
                return;
            }
            a->versions[ver / 64] |= 1ull << (ver % 64);
        }
        agg_of(c, el, &a->agg);
    }
}

static void brokers_of(ld *c, json_t *root, kt_stats *s)
{
    size_t i;
    json_t *el;
    EACH(c, root, "brokers", i, el) {
        json_t *label = member(c, el, "broker", JSON_STRING);
        kt_broker_stats *b;
        kt_endpoint ep;
        if (!label)
            return;
        if (strcmp(json_string_value(label), KT_LABEL_OTHER_BROKER) == 0) {
            b = s->broker_table.overflow;       /* read, not listed: rare */
        } else {
            if (kt_endpoint_parse(&ep, json_string_value(label)) < 0) {
                fail(c, "\"broker\" is not an address:port");
                return;
            }
            b = kt_stats_broker(s, &ep);
        }
        if (!b) {
            fail(c, "too many brokers");
            return;
        }
        agg_of(c, el, &b->agg);
        agg_of(c, member(c, el, "produce", JSON_OBJECT), &b->produce);
    }
}

/* The role bits a "role" name stands for (kafka/client_role.h); absent or
 * "client": none known. */
static unsigned role_of(json_t *v)
{
    static const struct { const char *name; unsigned bits; } roles[] = {
        { "follower", KT_CROLE_FOLLOWER | KT_CROLE_BROKER }, { "broker", KT_CROLE_BROKER },
        { "producer", KT_CROLE_PRODUCER }, { "consumer", KT_CROLE_CONSUMER },
    };
    const char *s = v && json_is_string(v) ? json_string_value(v) : "";
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(s, roles[i].name))
            return roles[i].bits;
    return 0;
}

static const kt_topic *topic_of(ld *c, json_t *el);

/* Delivery counts (client_partition_stats.h), added into d. */
static void delivery_of(ld *c, json_t *o, kt_delivery *d)
{
    json_t *failed = member(c, o, "failed_by_error", JSON_OBJECT), *v;
    const char *label;
    d->produce_requests += u64(c, o, "produce_requests");
    d->records_sent += u64(c, o, "records_sent");
    d->bytes_sent += u64(c, o, "bytes_sent");
    d->records_acked += u64(c, o, "records_acked");
    d->records_failed += u64(c, o, "records_failed");
    d->records_unanswered += u64(c, o, "records_unanswered");
    d->records_acks0 += u64(c, o, "records_acks0");
    d->fetch_requests += u64(c, o, "fetch_requests");
    d->records_fetched += u64(c, o, "records_fetched");
    d->bytes_fetched += u64(c, o, "bytes_fetched");
    json_object_foreach(failed, label, v) {
        int16_t code;
        if (!json_is_integer(v) || json_integer_value(v) < 0 || code_of(label, &code) < 0) {
            fail(c, "failed record count \"%s\" is not understood", label);
            return;
        }
        kt_code_counts_add(&d->failed, &d->nfailed, &d->capfailed, code,
                           (uint64_t)json_integer_value(v));
    }
}

/* A client's "produce_batching" (batch_stats.h). */
static void batching_of(ld *c, json_t *o, kt_batch_agg *b)
{
    json_t *rpb = member(c, o, "batches_by_records_per_batch", JSON_OBJECT);
    b->requests = u64(c, o, "requests");
    b->batches = u64(c, o, "batches");
    b->records = u64(c, o, "records");
    b->bytes = u64(c, o, "bytes");
    codec_batches_of(c, o, b->codec_batches);
    for (int i = 0; rpb && i < KT_RPB_BUCKETS; i++)
        b->by_records[i] = u64(c, rpb, kt_rpb_bucket_names[i]);
    b->first_ts_us = scaled(c, o, "first_ts", 1e6);
    b->last_ts_us = scaled(c, o, "last_ts", 1e6);
}

/* A client's "delivery": its totals and its partitions. */
static void client_delivery_of(ld *c, json_t *o, const kt_istr *id, kt_client_parts *p)
{
    json_t *parts = member(c, o, "partitions", JSON_ARRAY), *el;
    kt_delivery *d = kt_client_parts_totals(p, id);
    size_t i;
    if (!d) {
        fail(c, "out of memory");
        return;
    }
    delivery_of(c, o, d);
    json_array_foreach(parts, i, el) {
        const kt_topic *tp = json_is_object(el) ? topic_of(c, el) : NULL;
        int64_t part = json_is_object(el) ? opt_i64(c, el, "partition") : -1;
        kt_client_partition *e;
        if (c->failed)
            return;
        if (!json_is_object(el) || part < INT32_MIN || part > INT32_MAX) {
            fail(c, "delivery partition %zu is not an object with a partition", i);
            return;
        }
        if (!(e = kt_client_parts_entry(p, id, tp, (int32_t)part))) {
            fail(c, "too many client partitions");
            return;
        }
        delivery_of(c, el, &e->d);
    }
}

static void clients_of(ld *c, json_t *root, kt_stats *s, kt_client_parts *p)
{
    size_t i;
    json_t *el, *d;
    EACH(c, root, "clients", i, el) {
        const kt_istr *id = client_id_of(c, json_object_get(el, "client_id"));
        kt_client_stats *cl = id ? kt_stats_client(s, id) : NULL;
        if (!cl) {
            fail(c, "out of memory");
            return;
        }
        agg_of(c, el, &cl->agg);
        agg_of(c, member(c, el, "produce", JSON_OBJECT), &cl->produce);
        cl->roles |= role_of(json_object_get(el, "role"));
        batching_of(c, member(c, el, "produce_batching", JSON_OBJECT), &cl->batching);
        if ((d = json_object_get(el, "delivery")) != NULL)
            client_delivery_of(c, member(c, el, "delivery", JSON_OBJECT), id, p);
    }
    if ((d = json_object_get(root, "client_partitions_other")) != NULL) {
        kt_client_partition *o = kt_client_parts_other(p);
        snprintf(c->where, sizeof c->where, "client_partitions_other");
        if (!o)
            fail(c, "out of memory");
        else
            delivery_of(c, member(c, root, "client_partitions_other", JSON_OBJECT), &o->d);
    }
}

static void throttle_of(ld *c, json_t *root, kt_stats *s)
{
    size_t i;
    json_t *el;
    EACH(c, root, "throttle", i, el) {
        const kt_istr *id = client_id_of(c, json_object_get(el, "client_id"));
        kt_endpoint ep;
        kt_throttle_stats *t;
        endpoint_of(c, el, "broker", &ep);
        if (c->failed)
            return;
        if (!(t = kt_stats_throttle(s, id, &ep))) {
            fail(c, "too many throttle pairs");
            return;
        }
        t->responses = u64(c, el, "responses");
        t->throttled = u64(c, el, "throttled");
        t->throttle_ms_total = u64(c, el, "throttle_ms_total");
        t->throttle_ms_max = u64(c, el, "throttle_ms_max");
    }
}

/* The 22-character text of a topic id back into its 16 bytes. */
static int topic_id_parse(const char *s, uint8_t id[16])
{
    char back[23];
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t six[22];
    if (strlen(s) != 22)
        return -1;
    for (int i = 0; i < 22; i++) {
        const char *p = strchr(b64, s[i]);
        if (!p || !s[i])
            return -1;
        six[i] = (uint8_t)(p - b64);
    }
    for (int g = 0; g < 5; g++) {
        uint32_t v = (uint32_t)six[4 * g] << 18 | (uint32_t)six[4 * g + 1] << 12 |
                     (uint32_t)six[4 * g + 2] << 6 | six[4 * g + 3];
        id[3 * g] = (uint8_t)(v >> 16);
        id[3 * g + 1] = (uint8_t)(v >> 8);
        id[3 * g + 2] = (uint8_t)v;
    }
    id[15] = (uint8_t)(six[20] << 2 | six[21] >> 4);
    kt_topic_id_text(id, back);
    return strcmp(back, s) == 0 ? 0 : -1;
}

static const kt_topic *topic_of(ld *c, json_t *el)
{
    json_t *name = json_object_get(el, "topic"), *tid = json_object_get(el, "topic_id");
    int resolved = flag(c, el, "topic_resolved");
    kt_topics *t = &c->names->topics;
    uint8_t id[16];
    int has_id = 0;
    kt_slice sl = { NULL, 0, 0 };

    if (c->failed)
        return NULL;
    if (tid && json_is_string(tid)) {
        if (topic_id_parse(json_string_value(tid), id) < 0) {
            fail(c, "\"topic_id\" is not a topic id");
            return NULL;
        }
        has_id = 1;
    }
    if (resolved && json_is_string(name)) {
        sl.ptr = (const uint8_t *)json_string_value(name);
        sl.len = json_string_length(name);
        if (has_id)
            kt_topics_pair(t, sl, id);
        return kt_topic_by_name(t, sl);
    }
    if (has_id)
        return kt_topic_by_id(t, id);
    if (json_is_string(name) && !strcmp(json_string_value(name), KT_LABEL_OTHER_TOPICS))
        return t->overflow;
    return NULL;
}

static void produce_of(ld *c, json_t *o, kt_produce_agg *p)
{
    json_t *acks = member(c, o, "acks", JSON_OBJECT), *leader;
    p->requests = u64(c, o, "requests");
    p->records = u64(c, o, "records");
    p->bytes = u64(c, o, "bytes");
    p->acked_records = u64(c, o, "acked_records");
    p->unanswered = u64(c, o, "unanswered");
    p->acks[0] = u64(c, acks, "-1");
    p->acks[1] = u64(c, acks, "0");
    p->acks[2] = u64(c, acks, "1");
    p->timeout_ms_max = (int32_t)opt_i64(c, o, "timeout_ms_max");
    p->first_ts_us = scaled(c, o, "first_ts", 1e6);
    p->last_ts_us = scaled(c, o, "last_ts", 1e6);
    leader = json_object_get(o, "leader");
    if (leader && !json_is_null(leader))
        endpoint_of(c, o, "leader", &p->leader);
    p->leader_records = u64(c, o, "leader_records");
    p->batches = u64(c, o, "batches");
    codec_batches_of(c, o, p->codec_batches);
    p->latency_total_us = scaled(c, o, "broker_time_ms", 1e3);
    hist_of(c, o, "latency_hist", &p->latency);
    if (o && json_object_get(o, "queue_wait_hist")) {   /* split only once allocated */
        if (!(p->split = calloc(1, sizeof *p->split)))
            fail(c, "out of memory");
        else
            split_of(c, o, p->split);
    }
    codes_of(c, o, &p->errors, &p->nerrors, &p->caperrors);
}

static void fetch_of(ld *c, json_t *o, kt_fetch_agg *f)
{
    f->requests = u64(c, o, "requests");
    f->records = u64(c, o, "records");
    f->bytes = u64(c, o, "bytes");
    f->control_records = u64(c, o, "control_records");
    f->batches = u64(c, o, "batches");
    f->codecs = codecs_of(c, o);
    f->with_data = u64(c, o, "with_data");
    f->empty = u64(c, o, "empty");
    f->unanswered = u64(c, o, "unanswered");
    f->latency_total_us = scaled(c, o, "broker_time_ms", 1e3);
    hist_of(c, o, "latency_hist", &f->latency_data);
    hist_of(c, o, "empty_latency_hist", &f->latency_empty);
    f->high_watermark = opt_i64(c, o, "high_watermark");
    f->fetch_offset = opt_i64(c, o, "fetch_offset");
    f->lag = opt_i64(c, o, "lag");
    f->lag_max = opt_i64(c, o, "lag_max");
    codes_of(c, o, &f->errors, &f->nerrors, &f->caperrors);
}

/* The "partitions" array of obj (a report or a connection's statistics). */
static void partitions_of(ld *c, json_t *obj, kt_partitions *p)
{
    size_t i;
    json_t *el;
    EACH(c, obj, "partitions", i, el) {
        const kt_topic *tp = topic_of(c, el);
        int64_t part = opt_i64(c, el, "partition");
        kt_partition_stats *e;
        if (c->failed)
            return;
        if (part < INT32_MIN || part > INT32_MAX) {
            fail(c, "\"partition\" is out of range");
            return;
        }
        if (!(e = kt_partitions_entry(p, tp, (int32_t)part))) {
            fail(c, "too many partitions");
            return;
        }
        if (e->produce.requests || e->fetch.requests) {
            fail(c, "the partition is listed twice");
            return;
        }
        produce_of(c, member(c, el, "produce", JSON_OBJECT), &e->produce);
        fetch_of(c, member(c, el, "fetch", JSON_OBJECT), &e->fetch);
    }
}

/* The "metadata_brokers" (broker ids named by Metadata, "host:port")
 * back into the nodes table. */
static void nodes_of(ld *c, json_t *root, kt_partitions *p)
{
    size_t i;
    json_t *el, *v;
    EACH(c, root, "metadata_brokers", i, el) {
        int64_t id = opt_i64(c, el, "node_id");
        const char *s, *colon;
        char *end;
        long port = -1;
        if (!(v = member(c, el, "broker", JSON_STRING)))
            return;
        s = json_string_value(v);
        colon = strrchr(s, ':');
        if (*s && (!colon || (port = strtol(colon + 1, &end, 10)) < 0 || port > 65535 || *end)) {
            fail(c, "\"broker\" is not host:port");
            return;
        }
        if (id < INT32_MIN || id > INT32_MAX ||
            kt_nodes_set(&p->nodes, (int32_t)id, s, *s ? (size_t)(colon - s) : 0,
                         (int32_t)port) < 0) {
            fail(c, "\"node_id\" is out of range (or too many brokers)");
            return;
        }
    }
}

/* The "replication" rows (replication_stats.h), into p->replicas. */
static void replication_of(ld *c, json_t *root, kt_partitions *p)
{
    size_t i;
    json_t *el, *fc;
    EACH(c, root, "replication", i, el) {
        const kt_topic *tp = topic_of(c, el);
        int64_t id = opt_i64(c, el, "follower_id"), part = opt_i64(c, el, "partition");
        kt_replica_stats *x;
        kt_endpoint leader;
        endpoint_of(c, el, "leader", &leader);
        if (c->failed)
            return;
        if (id < 0 || id > INT32_MAX || part < INT32_MIN || part > INT32_MAX) {
            fail(c, "\"follower_id\" or \"partition\" is out of range");
            return;
        }
        if (!(x = kt_replicas_entry(&p->replicas, (int32_t)id, &leader, tp, (int32_t)part))) {
            fail(c, "too many replication rows");
            return;
        }
        if (x->fetches) {
            fail(c, "the row is listed twice");
            return;
        }
        fc = member(c, el, "follower_client", JSON_STRING);
        if (fc && kt_endpoint_parse(&x->follower, json_string_value(fc)) < 0)
            memset(&x->follower, 0, sizeof x->follower);     /* none seen */
        x->fetches = u64(c, el, "fetches");
        x->answered = u64(c, el, "answered");
        x->unanswered = u64(c, el, "unanswered");
        x->records = u64(c, el, "records");
        x->bytes = u64(c, el, "bytes");
        hist_of(c, el, "latency_hist", &x->latency_data);
        x->fetch_offset = opt_i64(c, el, "fetch_offset");
        x->high_watermark = opt_i64(c, el, "high_watermark");
        x->lag = opt_i64(c, el, "lag");
        x->lag_max = opt_i64(c, el, "lag_max");
        x->behind_max_us = u64(c, el, "behind_max_us");
        x->behind_lag = opt_i64(c, el, "behind_lag");
        x->silence_max_us = u64(c, el, "silence_max_us");
        x->first_ts_us = scaled(c, el, "first_ts", 1e6);
        x->last_ts_us = scaled(c, el, "last_ts", 1e6);
    }
    snprintf(c->where, sizeof c->where, "replication_dropped");
    p->replicas_dropped = u64(c, root, "replication_dropped");
    nodes_of(c, root, p);
}

static void conns_of(ld *c, json_t *root, kt_loaded_report *r)
{
    json_t *arr = member(c, root, "connections", JSON_ARRAY), *el;
    size_t i;
    r->conns_not_listed = u64(c, root, "connections_not_listed");
    if (!arr || !(r->conns = calloc(json_array_size(arr) + 1, sizeof *r->conns))) {
        fail(c, "out of memory");
        return;
    }
    EACH(c, root, "connections", i, el) {
        kt_conn_summary *cs = &r->conns[i];
        endpoint_of(c, el, "client", &cs->client);
        endpoint_of(c, el, "broker", &cs->broker);
        cs->client_id = client_id_of(c, json_object_get(el, "client_id"));
        cs->roles = role_of(json_object_get(el, "role"));
        cs->midstream = flag(c, el, "midstream");
        cs->open = flag(c, el, "open");
        cs->missed_bytes = u64(c, el, "missed_bytes");
        cs->requests = u64(c, el, "requests");
        cs->first_ts_us = scaled(c, el, "first_ts", 1e6);
        cs->last_ts_us = scaled(c, el, "last_ts", 1e6);
        r->nconns = i + 1;
    }
}

static void conn_api_of(ld *c, json_t *o, kt_conn_stats *cs, kt_conn_stats_entry *e)
{
    int64_t key = opt_i64(c, o, "api_key");
    const kt_istr *id = flag(c, o, "has_client_id") ? client_id_of(c, json_object_get(o, "client_id"))
                                                    : NULL;
    json_t *codes = member(c, o, "error_codes", JSON_ARRAY), *pair;
    kt_conn_api *a;
    size_t i;

    if (c->failed)
        return;
    if (key < INT16_MIN || key > INT16_MAX || !(a = kt_conn_stats_api(cs, e, (int16_t)key, opt_flag(c, o, "follower"), id))) {
        fail(c, "a connection's api_key is out of range (or out of memory)");
        return;
    }
    a->agg.requests += u64(c, o, "requests");
    a->agg.matched += u64(c, o, "matched");
    a->agg.unanswered += u64(c, o, "unanswered");
    a->agg.no_response += u64(c, o, "no_response_expected");
    a->agg.errored += u64(c, o, "errored");
    a->throttle_responses += u64(c, o, "throttle_responses");
    a->agg.throttled += u64(c, o, "throttled");
    a->agg.throttle_ms_total += u64(c, o, "throttle_ms_total");
    a->agg.throttle_ms_max = u64(c, o, "throttle_ms_max");
    hist_of(c, o, "latency_hist", &a->agg.latency);
    split_of(c, o, &a->agg.split);
    json_array_foreach(codes, i, pair) {
        json_t *k = json_array_get(pair, 0), *n = json_array_get(pair, 1);
        if (!json_is_integer(k) || !json_is_integer(n) || json_integer_value(n) < 0 ||
            json_integer_value(k) < INT16_MIN || json_integer_value(k) > INT16_MAX) {
            fail(c, "\"error_codes\" are not [code, count] pairs");
            return;
        }
        kt_code_counts_add(&a->agg.errors, &a->agg.nerrors, &a->agg.caperrors,
                           (int16_t)json_integer_value(k), (uint64_t)json_integer_value(n));
    }
}

static void conn_stats_of(ld *c, json_t *root, kt_loaded_report *r)
{
    size_t i, k;
    json_t *el, *api;
    if (!json_object_get(root, "connection_stats"))
        return;                         /* a report without them: no dedup */
    r->conn_stats_not_tracked = u64(c, root, "connection_stats_not_tracked");
    if (!(r->conn_stats = kt_conn_stats_new())) {
        fail(c, "out of memory");
        return;
    }
    EACH(c, root, "connection_stats", i, el) {
        kt_endpoint client, broker;
        kt_conn_stats_entry *e;
        json_t *apis = member(c, el, "apis", JSON_ARRAY);
        endpoint_of(c, el, "client", &client);
        endpoint_of(c, el, "broker", &broker);
        if (c->failed)
            return;
        if (!(e = kt_conn_stats_entry_of(r->conn_stats, &client, &broker))) {
            fail(c, "too many connections");
            return;
        }
        json_array_foreach(apis, k, api) {
            if (!json_is_object(api)) {
                fail(c, "\"apis\" holds a non-object");
                return;
            }
            conn_api_of(c, api, r->conn_stats, e);
        }
        e->parts_incomplete = !flag(c, el, "partitions_complete");
        if (!kt_conn_stats_parts(r->conn_stats, e)) {
            fail(c, "out of memory");
            return;
        }
        partitions_of(c, el, e->parts);
    }
}

static void anomalies_of(ld *c, json_t *root, kt_anomalies *an)
{
    json_t *o = member(c, root, "anomalies", JSON_OBJECT), *v;
    const char *name;
    snprintf(c->where, sizeof c->where, "anomalies");
    json_object_foreach(o, name, v) {
        int k;
        for (k = 0; k < KT_AN__COUNT && strcmp(kt_anomaly_name(k), name); k++)
            ;
        if (k == KT_AN__COUNT || !json_is_integer(v) || json_integer_value(v) < 0) {
            fail(c, "unknown anomaly \"%s\"", name);
            return;
        }
        an->count[k] += (uint64_t)json_integer_value(v);
    }
}

kt_tls_brokers *kt_report_tls_new(void)
{
    kt_tls_brokers *t = calloc(1, sizeof *t);
    if (t && kt_tls_brokers_init(t) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

int kt_report_load(kt_loaded_report *r, const char *path, kt_report_names *names,
                   char *err, size_t errlen)
{
    ld c;
    json_error_t jerr;
    json_t *root, *source;

    memset(r, 0, sizeof *r);
    memset(&c, 0, sizeof c);
    c.path = path;
    c.err = err;
    c.errlen = errlen;
    c.names = names;
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (jerr.line > 0)
            snprintf(err, errlen, "%s: not valid JSON (line %d, column %d): %s", path,
                     jerr.line, jerr.column, jerr.text);
        else
            snprintf(err, errlen, "%s: %s", path, jerr.text);
        return -1;
    }
    r->path = strdup(path);
    r->stats = kt_stats_new();
    r->partitions = kt_partitions_new();
    r->client_parts = kt_client_parts_new();
    r->tls = kt_report_tls_new();
    r->txn = kt_txn_stats_new();
    if (!r->path || !r->stats || !r->partitions || !r->client_parts || !r->tls || !r->txn)
        fail(&c, "out of memory");
    if (!json_is_object(root))
        fail(&c, "not a kafkatap --json report (not an object)");
    source = member(&c, root, "source", JSON_STRING);
    if (source && !(r->source = strdup(json_string_value(source))))
        fail(&c, "out of memory");
    capture_of(&c, root, r);
    totals_of(&c, root, &r->totals);
    apis_of(&c, root, r->stats);
    brokers_of(&c, root, r->stats);
    clients_of(&c, root, r->stats, r->client_parts);
    throttle_of(&c, root, r->stats);
    /* the total over every API: what kt_stats_add keeps beside them */
    for (int i = 0; !c.failed && i < KT_STATS_API_SLOTS; i++)
        if (r->stats->api[i])
            kt_agg_merge(&r->stats->total, &r->stats->api[i]->agg);
    if (!c.failed && r->stats->api_other)
        kt_agg_merge(&r->stats->total, &r->stats->api_other->agg);
    partitions_of(&c, root, r->partitions);
    snprintf(c.where, sizeof c.where, "partitions_dropped");
    r->partitions->dropped = u64(&c, root, "partitions_dropped");
    replication_of(&c, root, r->partitions);
    conns_of(&c, root, r);
    conn_stats_of(&c, root, r);
    if (r->tls)
        tls_of(&c, root, r->tls);
    if (r->txn)
        txn_of(&c, root, r->txn);
    anomalies_of(&c, root, &r->anomalies);
    json_decref(root);
    if (c.failed) {
        kt_loaded_report_free(r);
        return -1;
    }
    return 0;
}

void kt_loaded_report_free(kt_loaded_report *r)
{
    free(r->path);
    free(r->source);
    kt_stats_free(r->stats);
    kt_partitions_free(r->partitions);
    kt_client_parts_free(r->client_parts);
    if (r->tls)
        kt_tls_brokers_free(r->tls);
    free(r->tls);
    kt_txn_stats_free(r->txn);
    free(r->conns);
    kt_conn_stats_free(r->conn_stats);
    memset(r, 0, sizeof *r);
}
