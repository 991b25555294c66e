/* test_report_model.c - unit tests of the report model
 * (src/report/report_model.c) and of the labels it uses
 * (src/stats/labels.c).
 *
 * Statistics are built through kt_stats_add() and kt_partitions_add() from
 * hand-made exchanges.  Checked: the rows come out in the documented orders
 * whatever order the statistics hold them in; error lists are sorted in
 * the model and left as they were in the statistics (a checksum of the
 * statistics, taken before and after a build, is unchanged); the overflow
 * broker and the overflow topic carry their one spelling, in the report
 * and in the event log; the plain label escaping matches the JSON writer's
 * byte for byte.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/json_writer.h"
#include "kafka/kafka_session.h"
#include "report/event_log.h"
#include "report/report.h"
#include "report/report_model.h"

#define PRODUCE 0
#define METADATA 3
#define NOT_LEADER_OR_FOLLOWER 6
#define REQUEST_TIMED_OUT 7
#define UNKNOWN_TOPIC_OR_PARTITION 3

typedef struct world {
    kt_stats *stats;
    kt_partitions *parts;
    kt_topics topics;
    kt_intern ids;
    kt_endpoint client;
    uint64_t ts;
} world;

static world *world_new(size_t max_topics)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->stats = kt_stats_new();
    w->parts = kt_partitions_new();
    assert_non_null(w->stats);
    assert_non_null(w->parts);
    assert_int_equal(kt_topics_init(&w->topics, max_topics), 0);
    assert_int_equal(kt_intern_init(&w->ids, 1000), 0);
    w->client.family = 4;
    w->client.addr[0] = 192;
    w->client.addr[3] = 7;
    w->client.port = 40000;
    return w;
}

static void world_free(world *w)
{
    kt_partitions_free(w->parts);
    kt_stats_free(w->stats);
    kt_topics_free(&w->topics);
    kt_intern_free(&w->ids);
    free(w);
}

static kt_slice sl(const char *s)
{
    kt_slice x = { (const uint8_t *)s, strlen(s), 0 };
    return x;
}

static kt_endpoint broker(uint32_t n)
{
    kt_endpoint e;
    memset(&e, 0, sizeof e);
    e.family = 4;
    e.addr[0] = 10;
    e.addr[1] = (uint8_t)(n >> 16);
    e.addr[2] = (uint8_t)(n >> 8);
    e.addr[3] = (uint8_t)n;
    e.port = 9092;
    return e;
}

/* One exchange, times times: error 0 for none, latency_us < 0 unanswered;
 * topic (may be NULL) names one partition. */
static void add(world *w, int16_t api, uint32_t b, const char *client, int64_t latency_us,
                int16_t error, const char *topic, int times)
{
    kt_endpoint be = broker(b);
    for (int k = 0; k < times; k++) {
        kt_exchange ex;
        kt_request_detail *d = NULL;
        memset(&ex, 0, sizeof ex);
        ex.client = &w->client;
        ex.broker = &be;
        ex.client_id = kt_intern_get(&w->ids, sl(client));
        ex.api_key = api;
        ex.api_version = 9;
        ex.correlation_id = (int32_t)w->ts;
        ex.request_ts_us = 1000000 + w->ts++ * 1000;
        ex.latency_us = latency_us;
        ex.throttle_ms = -1;
        ex.status = latency_us < 0 ? KT_STATUS_UNANSWERED
                    : error ? KT_STATUS_ERROR : KT_STATUS_OK;
        ex.body_decoded = latency_us >= 0;
        if (error && latency_us >= 0) {
            ex.nerrors = 1;
            ex.errors[0].code = error;
            ex.errors[0].count = 1;
        }
        if (topic) {
            d = calloc(1, sizeof *d + sizeof d->parts[0]);
            assert_non_null(d);
            d->acks = -1;
            d->timeout_ms = 30000;
            d->max_wait_ms = -1;
            d->replica_id = -1;
            d->nparts = 1;
            d->parts[0].topic = kt_topic_by_name(&w->topics, sl(topic));
            d->parts[0].answered = latency_us >= 0;
            d->parts[0].error = latency_us >= 0 ? error : KT_PART_NO_ANSWER;
            d->parts[0].records = 3;
            d->parts[0].fetch_offset = -1;
            d->parts[0].high_watermark = -1;
            d->parts[0].last_offset = -1;
            ex.detail = d;
        }
        kt_stats_add(w->stats, &ex);
        kt_partitions_add(w->parts, &ex);
        free(d);
    }
}

/* ---- a checksum of everything the statistics hold ------------------------ */

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;        /* FNV-1a */
    return h;
}

#define MIX(h, v) ((h) = mix((h), &(v), sizeof (v)))

static uint64_t sum_hist(uint64_t h, const kt_histogram *x)
{
    MIX(h, x->count);
    MIX(h, x->sum);
    MIX(h, x->min);
    MIX(h, x->max);
    for (int r = 0; r < KT_HIST_ROWS; r++)
        if (x->row[r])
            h = mix(h, x->row[r], sizeof x->row[r][0] << KT_HIST_SUB_BITS);
    return h;
}

static uint64_t sum_codes(uint64_t h, const kt_code_count *c, int n)
{
    for (int i = 0; i < n; i++) {          /* in their stored order */
        MIX(h, c[i].code);
        MIX(h, c[i].count);
    }
    return h;
}

static uint64_t sum_agg(uint64_t h, const kt_agg *a)
{
    MIX(h, a->requests);
    MIX(h, a->matched);
    MIX(h, a->errored);
    MIX(h, a->unanswered);
    MIX(h, a->no_response);
    MIX(h, a->throttled);
    MIX(h, a->throttle_ms_total);
    MIX(h, a->throttle_ms_max);
    h = sum_hist(h, &a->latency);
    return sum_codes(h, a->errors, a->nerrors);
}

static uint64_t checksum(const world *w)
{
    const kt_stats *s = w->stats;
    const kt_partitions *p = w->parts;
    uint64_t h = 14695981039346656037ull;

    for (int i = 0; i < KT_STATS_API_SLOTS; i++)
        if (s->api[i]) {
            MIX(h, s->api[i]->api_key);
            h = mix(h, s->api[i]->versions, sizeof s->api[i]->versions);
            h = sum_agg(h, &s->api[i]->agg);
        }
    for (size_t i = 0; i < s->nbrokers; i++) {     /* in their stored order */
        h = mix(h, &s->brokers[i]->broker, sizeof s->brokers[i]->broker);
        h = sum_agg(h, &s->brokers[i]->agg);
        h = sum_agg(h, &s->brokers[i]->produce);
    }
    for (size_t i = 0; i < s->nclients; i++) {
        MIX(h, s->clients[i]->client_id);
        h = sum_agg(h, &s->clients[i]->agg);
    }
    for (size_t i = 0; i < s->throttle_table.n; i++)
        h = mix(h, s->throttle_table.entries[i], sizeof(kt_throttle_stats));
    h = sum_agg(h, &s->total);
    for (size_t i = 0; i < p->table.n; i++) {
        const kt_partition_stats *e = p->table.entries[i];
        MIX(h, e->topic);
        MIX(h, e->partition);
        MIX(h, e->produce.requests);
        MIX(h, e->produce.latency_total_us);
        h = sum_hist(h, &e->produce.latency);
        h = sum_codes(h, e->produce.errors, e->produce.nerrors);
        h = sum_codes(h, e->fetch.errors, e->fetch.nerrors);
    }
    return h;
}

static kt_report_model *build(world *w)
{
    kt_report_input in;
    kt_report_model *m;
    memset(&in, 0, sizeof in);
    in.source = "test";
    in.stats = w->stats;
    in.partitions = w->parts;
    in.top_n = 20;
    in.final = 1;
    m = kt_report_build(&in);
    assert_non_null(m);
    return m;
}

static char *render(const kt_report_model *m, int json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (json)
        kt_report_json(f, m);
    else
        kt_report_text(f, m);
    fclose(f);
    return buf;
}

/* ---- orders and sorted error lists ------------------------------------------ */

/* Metadata errors added rarest first (1 x UNKNOWN_TOPIC, 2 x TIMED_OUT, 3 x
 * NOT_LEADER), so the stored list is in the opposite of the reported order.
 * Produce on broker 2 is worse (more failed) than Metadata on broker 1. */
static world *errors_world(void)
{
    world *w = world_new(100);
    add(w, METADATA, 1, "quiet", 1000, 0, NULL, 10);
    add(w, METADATA, 1, "quiet", 1000, UNKNOWN_TOPIC_OR_PARTITION, NULL, 1);
    add(w, METADATA, 1, "quiet", 1000, REQUEST_TIMED_OUT, NULL, 2);
    add(w, METADATA, 1, "quiet", 1000, NOT_LEADER_OR_FOLLOWER, NULL, 3);
    add(w, PRODUCE, 2, "loud", 5000, NOT_LEADER_OR_FOLLOWER, "orders", 4);
    add(w, PRODUCE, 2, "loud", -1, 0, "orders", 4);
    add(w, PRODUCE, 2, "loud", 2000, UNKNOWN_TOPIC_OR_PARTITION, "orders", 1);
    return w;
}

static void test_orders(void **state)
{
    (void)state;
    world *w = errors_world();
    kt_report_model *m = build(w);

    assert_int_equal(m->napis, 2);
    assert_string_equal(m->apis[0].name, "Produce");     /* 9 failed */
    assert_string_equal(m->apis[1].name, "Metadata");    /* 6 failed */
    const kt_report_agg *md = &m->apis[1].agg;
    assert_int_equal(md->nerrors, 3);
    assert_int_equal(md->errors[0].code, NOT_LEADER_OR_FOLLOWER);
    assert_int_equal(md->errors[1].code, REQUEST_TIMED_OUT);
    assert_int_equal(md->errors[2].code, UNKNOWN_TOPIC_OR_PARTITION);
    /* the statistics keep their own order */
    assert_int_equal(w->stats->api[METADATA]->agg.errors[0].code, UNKNOWN_TOPIC_OR_PARTITION);

    assert_int_equal(m->nbrokers, 2);
    assert_string_equal(m->brokers[0].label, "10.0.0.2:9092");
    assert_string_equal(m->brokers[1].label, "10.0.0.1:9092");
    assert_int_equal(m->nclients, 2);
    assert_string_equal(m->clients[0].client_id->s, "loud");

    assert_int_equal(m->npartitions, 1);
    assert_string_equal(m->partitions[0].topic.name, "orders");
    assert_true(m->partitions[0].topic.resolved);
    const kt_produce_agg *pp = &m->partitions[0].stats->produce;
    assert_int_equal(pp->nerrors, 2);
    assert_int_equal(pp->errors[0].code, NOT_LEADER_OR_FOLLOWER);

    /* findings come with the model: the Produce error rate */
    assert_true(m->nfindings >= 1);
    assert_string_equal(m->findings[0].kind, "error_storm");
    kt_report_model_free(m);
    world_free(w);
}

/* Connections in any order come out worst first: most missed bytes, then
 * mid-stream, then most requests, then the earliest. */
static void test_connection_order(void **state)
{
    (void)state;
    kt_conn_summary c[4];
    kt_report_input in;
    memset(c, 0, sizeof c);
    for (int i = 0; i < 4; i++) {
        c[i].client = broker((uint32_t)(100 + i));
        c[i].broker = broker(1);
        c[i].first_ts_us = (uint64_t)(10 - i);
    }
    c[0].requests = 50;                 /* 4th */
    c[1].requests = 5;                  /* 3rd: mid-stream */
    c[1].midstream = 1;
    c[2].missed_bytes = 10;             /* 2nd */
    c[3].missed_bytes = 900;            /* 1st */
    c[3].open = 1;
    memset(&in, 0, sizeof in);
    in.source = "test";
    in.conns = c;
    in.nconns = 4;
    in.conns_not_kept = 7;
    kt_report_model *m = kt_report_build(&in);
    assert_non_null(m);
    assert_int_equal(m->nconns, 4);
    assert_int_equal(m->conns[0].missed_bytes, 900);
    assert_true(m->conns[0].open);
    assert_int_equal(m->conns[1].missed_bytes, 10);
    assert_true(m->conns[2].midstream);
    assert_int_equal(m->conns[3].requests, 50);
    assert_int_equal(m->conns_not_kept, 7);
    assert_int_equal(c[0].requests, 50);              /* the input is untouched */
    char *j = render(m, 1);
    assert_non_null(strstr(j, "\"connections_not_listed\": 7"));
    free(j);
    kt_report_model_free(m);
}

/* ---- building changes nothing -------------------------------------------------- */

static void test_no_mutation(void **state)
{
    (void)state;
    world *w = errors_world();
    uint64_t before = checksum(w);
    for (int json = 0; json < 2; json++) {
        kt_report_model *m = build(w);
        char *out = render(m, json);
        free(out);
        kt_report_model_free(m);
        assert_true(checksum(w) == before);
    }
    /* two builds of the same statistics render the same bytes */
    kt_report_model *a = build(w), *b = build(w);
    char *ta = render(a, 0), *tb = render(b, 0);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    kt_report_model_free(a);
    kt_report_model_free(b);
    world_free(w);
}

/* ---- the overflow labels ------------------------------------------------------ */

/* One broker more than the table holds: the last is counted as "(other)". */
static void test_other_broker(void **state)
{
    (void)state;
    world *w = world_new(100);
    for (uint32_t b = 0; b <= KT_STATS_MAX_BROKERS; b++)
        add(w, METADATA, b, "app", 1000, 0, NULL, 1);
    add(w, METADATA, KT_STATS_MAX_BROKERS + 5, "app", 1000, 0, NULL, 2);
    kt_report_model *m = build(w);
    size_t other = 0;
    for (size_t i = 0; i < m->nbrokers; i++)
        if (!strcmp(m->brokers[i].label, KT_LABEL_OTHER_BROKER))
            other++;
    assert_int_equal(other, 1);
    assert_string_equal(KT_LABEL_OTHER_BROKER, "(other)");
    char *j = render(m, 1);
    assert_non_null(strstr(j, "\"broker\": \"(other)\""));
    free(j);
    kt_report_model_free(m);
    world_free(w);
}

/* With room for one topic, the second maps to the overflow topic: the
 * report and the event log both call it KT_LABEL_OTHER_TOPICS. */
static void test_other_topics(void **state)
{
    (void)state;
    world *w = world_new(1);
    add(w, PRODUCE, 1, "app", 1000, 0, "first", 3);
    add(w, PRODUCE, 1, "app", 1000, 0, "second", 5);
    kt_report_model *m = build(w);
    size_t found = 0;
    for (size_t i = 0; i < m->npartitions; i++) {
        const kt_topic_label *t = &m->partitions[i].topic;
        if (t->name && !strcmp(t->name, KT_LABEL_OTHER_TOPICS)) {
            found++;
            assert_false(t->resolved);
        }
    }
    assert_int_equal(found, 1);
    char *text = render(m, 0), *json = render(m, 1);
    assert_non_null(strstr(text, "\n  (other topics) "));
    assert_non_null(strstr(json, "\"topic\": \"(other topics)\""));
    free(text);
    free(json);
    kt_report_model_free(m);

    /* the event log */
    kt_endpoint be = broker(1);
    kt_exchange ex;
    kt_request_detail *d = calloc(1, sizeof *d + sizeof d->parts[0]);
    assert_non_null(d);
    memset(&ex, 0, sizeof ex);
    ex.client = &w->client;
    ex.broker = &be;
    ex.client_id = kt_intern_get(&w->ids, sl("app"));
    ex.latency_us = 100;
    ex.throttle_ms = -1;
    d->acks = -1;
    d->nparts = 1;
    d->parts[0].topic = kt_topic_by_name(&w->topics, sl("third"));
    d->parts[0].answered = 1;
    ex.detail = d;
    for (int jsn = 0; jsn < 2; jsn++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        if (jsn)
            kt_event_write_json(f, &ex);
        else
            kt_event_write_text(f, &ex);
        fclose(f);
        assert_non_null(strstr(buf, jsn ? "\"topic\":\"(other topics)\"" : "partitions=(other topics)/0:"));
        free(buf);
    }
    free(d);
    world_free(w);
}

/* ---- escaping without the JSON writer ------------------------------------------ */

static char *json_escaped(const uint8_t *s, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    kt_json_escape(f, s, n);
    fclose(f);
    return buf;
}

/* Every byte alone, every pair of bytes, some UTF-8 edge cases and random
 * strings escape as the JSON writer escapes them; a short buffer holds the
 * first bytes of the same text. */
static void test_escaping(void **state)
{
    (void)state;
    char got[256];
    uint8_t s[8];
    for (int a = 0; a < 256; a++)
        for (int b = -1; b < 256; b++) {
            size_t n = b < 0 ? 1 : 2;
            s[0] = (uint8_t)a;
            s[1] = (uint8_t)b;
            char *want = json_escaped(s, n);
            kt_label_escaped(got, sizeof got, (const char *)s, n);
            assert_string_equal(got, want);
            free(want);
        }
    static const char *edge[] = {
        "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf",
        "\xf4\x90\x80\x80", "\xf0\x82\x82\xac", "\xe2\x82", "a\"b\\c\n\r\t\x7f",
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        char *want = json_escaped((const uint8_t *)edge[i], strlen(edge[i]));
        kt_label_escaped(got, sizeof got, edge[i], strlen(edge[i]));
        assert_string_equal(got, want);
        free(want);
    }
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        uint8_t r[40];
        size_t n = (size_t)(round % 40);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            r[i] = (uint8_t)(x >> 16);
        }
        char *want = json_escaped(r, n);
        for (size_t cap = 1; cap < 12; cap += 5) {   /* cut short, even inside an escape */
            char shortb[12];
            kt_label_escaped(shortb, cap, (const char *)r, n);
            assert_int_equal(strncmp(shortb, want, cap - 1), 0);
            assert_int_equal(strlen(shortb), strlen(want) < cap - 1 ? strlen(want) : cap - 1);
        }
        kt_label_escaped(got, sizeof got, (const char *)r, n);
        assert_string_equal(got, want);
        free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_connection_order),
        cmocka_unit_test(test_no_mutation),
        cmocka_unit_test(test_other_broker),
        cmocka_unit_test(test_other_topics),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
