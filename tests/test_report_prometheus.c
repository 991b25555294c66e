/* test_report_prometheus.c - unit tests of the Prometheus renderer
 * (src/report/report_prometheus.c) on a report model made by hand.
 *
 * Checked: the families and samples the man page lists are there with
 * their labels; histogram buckets are cumulative, in seconds, and end in a
 * +Inf bucket equal to _count, with _sum in seconds; only the busiest
 * top_n partitions and client ids get series while the totals cover all; label values
 * from the wire (a topic name with a quote, a backslash, a newline and a
 * control byte) are escaped so Prometheus reads them; findings are counted
 * by kind and severity.  When promtool (Debian's prometheus package) is
 * installed, it must accept the whole text (`promtool check metrics`).
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

#include "report/report_prometheus.h"

static kt_istr *istr(const char *s, size_t n)
{
    kt_istr *i = calloc(1, sizeof *i + n + 1);
    assert_non_null(i);
    memcpy(i->s, s, n);
    i->len = (uint32_t)n;
    return i;
}

typedef struct fixture {
    kt_report_model m;
    kt_report_api apis[2];
    kt_report_broker brokers[1];
    kt_report_partition parts[3];
    kt_partition_stats ps[3];
    kt_topic topics[3];
    kt_istr *names[3];
    kt_histogram lat_produce, lat_meta;
    kt_code_count errors[2];
    kt_finding findings[3];
    kt_report_delivery deliveries[3];
    kt_istr *ids[3];
    kt_code_count refused[1];
    char *text;
    size_t len;
} fixture;

static void render(fixture *f, size_t top_n)
{
    FILE *out = open_memstream(&f->text, &f->len);
    assert_non_null(out);
    kt_report_prometheus(out, &f->m, top_n);
    assert_int_equal(fclose(out), 0);
}

static void build(fixture *f)
{
    static const char *topic_names[3] = { "orders", "we\"ird\\na\nme\x01", "audit" };
    memset(f, 0, sizeof *f);
    kt_hist_init(&f->lat_produce);
    kt_hist_init(&f->lat_meta);
    /* 10 Produce latencies: 40 us, 300 us x4, 2 ms x4, 40 ms */
    kt_hist_add(&f->lat_produce, 40);
    for (int i = 0; i < 4; i++) {
        kt_hist_add(&f->lat_produce, 300);
        kt_hist_add(&f->lat_produce, 2000);
    }
    kt_hist_add(&f->lat_produce, 40000);
    kt_hist_add(&f->lat_meta, 700);

    f->errors[0] = (kt_code_count){ 6, 3 };   /* NOT_LEADER_OR_FOLLOWER */
    f->errors[1] = (kt_code_count){ 7, 1 };   /* REQUEST_TIMED_OUT */
    f->apis[0].api_key = 0;
    strcpy(f->apis[0].name, "Produce");
    f->apis[0].agg = (kt_report_agg){ .requests = 12, .matched = 10, .unanswered = 1,
        .no_response = 1, .errored = 4, .throttled = 2, .throttle_ms_total = 1500,
        .latency = &f->lat_produce, .errors = f->errors, .nerrors = 2 };
    f->apis[1].api_key = 3;
    strcpy(f->apis[1].name, "Metadata");
    f->apis[1].agg = (kt_report_agg){ .requests = 1, .matched = 1,
        .latency = &f->lat_meta };
    strcpy(f->brokers[0].label, "10.0.0.1:9092");
    f->brokers[0].agg = f->apis[0].agg;

    for (int i = 0; i < 3; i++) {
        f->names[i] = istr(topic_names[i], strlen(topic_names[i]));
        f->topics[i].name = f->names[i];
        f->ps[i].topic = &f->topics[i];
        f->ps[i].partition = i;
        f->ps[i].produce.records = 100u * (unsigned)(i + 1);
        f->ps[i].produce.bytes = 1000u * (unsigned)(i + 1);
        f->ps[i].produce.acked_records = 100u * (unsigned)(i + 1);
        f->ps[i].fetch.records = 7;
        kt_hist_init(&f->ps[i].produce.latency);
        kt_hist_add(&f->ps[i].produce.latency, 1000);
        kt_hist_init(&f->ps[i].fetch.latency_data);
        f->parts[i].stats = &f->ps[i];
    }

    /* client ids: "quiet" (1 record), "busy" (500 + 50 fetched, 30 refused),
     * "mid" (300): with top_n 2, busy and mid get series */
    static const char *client_names[3] = { "quiet", "busy", "mid" };
    static const uint64_t sent[3] = { 1, 500, 300 };
    f->refused[0] = (kt_code_count){ 10, 30 };  /* MESSAGE_TOO_LARGE */
    for (int i = 0; i < 3; i++) {
        f->ids[i] = istr(client_names[i], strlen(client_names[i]));
        f->deliveries[i].client_id = f->ids[i];
        f->deliveries[i].d.records_sent = sent[i];
        f->deliveries[i].d.records_acked = sent[i];
    }
    f->deliveries[1].d.records_acked = 470;
    f->deliveries[1].d.records_failed = 30;
    f->deliveries[1].d.failed = f->refused;
    f->deliveries[1].d.nfailed = 1;
    f->deliveries[1].d.records_fetched = 50;
    f->m.deliveries = f->deliveries;
    f->m.ndeliveries = 3;

    f->findings[0] = (kt_finding){ .kind = "slow_broker", .severity = KT_SEV_WARNING };
    f->findings[1] = (kt_finding){ .kind = "slow_broker", .severity = KT_SEV_WARNING };
    f->findings[2] = (kt_finding){ .kind = "error_storm", .severity = KT_SEV_CRITICAL };

    f->m.source = "test";
    f->m.final = 1;
    f->m.capture = (kt_capture_stats){ .packets = 50, .bytes = 5000, .dropped = 2 };
    f->m.totals = (kt_report_totals){ .requests = 13, .missed_bytes = 77, .connections = 3 };
    f->m.apis = f->apis;
    f->m.napis = 2;
    f->m.brokers = f->brokers;
    f->m.nbrokers = 1;
    f->m.partitions = f->parts;
    f->m.npartitions = 3;
    f->m.findings = f->findings;
    f->m.nfindings = 3;
}

static void done(fixture *f)
{
    kt_hist_free(&f->lat_produce);
    kt_hist_free(&f->lat_meta);
    for (int i = 0; i < 3; i++) {
        kt_hist_free(&f->ps[i].produce.latency);
        free(f->names[i]);
        free(f->ids[i]);
    }
    free(f->text);
}

/* The line must be in the text, whole. */
static void has_line(const fixture *f, const char *line)
{
    size_t n = strlen(line);
    const char *p = f->text;
    while ((p = strstr(p, line)) != NULL) {
        if ((p == f->text || p[-1] == '\n') && p[n] == '\n')
            return;
        p += n;
    }
    fail_msg("missing line: %s", line);
}

static void test_samples(void **state)
{
    fixture f;
    (void)state;
    build(&f);
    render(&f, 2);
    has_line(&f, "# TYPE kafkatap_requests_total counter");
    has_line(&f, "kafkatap_capture_packets_total 50");
    has_line(&f, "kafkatap_capture_dropped_packets_total 2");
    has_line(&f, "kafkatap_missed_bytes_total 77");
    has_line(&f, "kafkatap_requests_total{api=\"Produce\"} 12");
    has_line(&f, "kafkatap_requests_total{api=\"Metadata\"} 1");
    has_line(&f, "kafkatap_unanswered_requests_total{api=\"Produce\"} 1");
    has_line(&f, "kafkatap_errors_total{api=\"Produce\",code=\"NOT_LEADER_OR_FOLLOWER\"} 3");
    has_line(&f, "kafkatap_errors_total{api=\"Produce\",code=\"REQUEST_TIMED_OUT\"} 1");
    has_line(&f, "kafkatap_throttle_seconds_total{api=\"Produce\"} 1.500");
    has_line(&f, "kafkatap_broker_requests_total{broker=\"10.0.0.1:9092\"} 12");
    /* histogram: cumulative, seconds, +Inf = count */
    has_line(&f, "# TYPE kafkatap_request_latency_seconds histogram");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"2.5e-05\"} 0");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"5e-05\"} 1");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"0.00025\"} 1");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"0.0005\"} 5");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"0.0025\"} 9");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"0.05\"} 10");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"60\"} 10");
    has_line(&f, "kafkatap_request_latency_seconds_bucket{api=\"Produce\",le=\"+Inf\"} 10");
    has_line(&f, "kafkatap_request_latency_seconds_sum{api=\"Produce\"} 0.049240");
    has_line(&f, "kafkatap_request_latency_seconds_count{api=\"Produce\"} 10");
    /* totals over all three partitions, series for the top two only */
    has_line(&f, "kafkatap_produce_records_total 600");
    has_line(&f, "kafkatap_fetch_records_total 21");
    has_line(&f, "kafkatap_partition_produce_records_total{topic=\"orders\",partition=\"0\"} 100");
    assert_null(strstr(f.text, "topic=\"audit\""));
    /* a quote, backslash and newline as Prometheus escapes them; the
     * control byte as the text report shows it (\u0001), its backslash
     * escaped */
    has_line(&f, "kafkatap_partition_produce_records_total{topic=\"we\\\"ird\\\\na\\nme\\\\u0001\",partition=\"1\"} 200");
    /* per-client delivery: the two busiest client ids only */
    has_line(&f, "kafkatap_client_produce_records_total{client_id=\"busy\"} 500");
    has_line(&f, "kafkatap_client_produce_acked_records_total{client_id=\"busy\"} 470");
    has_line(&f, "kafkatap_client_produce_failed_records_total{client_id=\"busy\",code=\"MESSAGE_TOO_LARGE\"} 30");
    has_line(&f, "kafkatap_client_fetch_records_total{client_id=\"busy\"} 50");
    has_line(&f, "kafkatap_client_produce_records_total{client_id=\"mid\"} 300");
    assert_null(strstr(f.text, "client_id=\"quiet\""));
    has_line(&f, "kafkatap_findings{kind=\"slow_broker\",severity=\"warning\"} 2");
    has_line(&f, "kafkatap_findings{kind=\"error_storm\",severity=\"critical\"} 1");
    done(&f);
}

/* Every family once, HELP then TYPE, samples named after it. */
static void test_families_grouped(void **state)
{
    fixture f;
    char family[256] = "";
    char *save = NULL, *copy;
    int families = 0;
    (void)state;
    build(&f);
    render(&f, 10);
    copy = strdup(f.text);
    assert_non_null(copy);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "# HELP ", 7)) {
            char name[256];
            assert_int_equal(sscanf(line + 7, "%255s", name), 1);
            /* a family's name appears in one HELP line only */
            char probe[300];
            snprintf(probe, sizeof probe, "# HELP %s ", name);
            assert_null(strstr(strstr(f.text, probe) + 1, probe));
            strcpy(family, name);
            families++;
        } else if (!strncmp(line, "# TYPE ", 7)) {
            assert_int_equal(strncmp(line + 7, family, strlen(family)), 0);
        } else {
            assert_int_equal(strncmp(line, family, strlen(family)), 0);
        }
    }
    assert_true(families > 30);
    free(copy);
    done(&f);
}

static void test_promtool(void **state)
{
    fixture f;
    FILE *p;
    (void)state;
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        skip();
        return;
    }
    build(&f);
    render(&f, 10);
    p = popen("promtool check metrics", "w");
    assert_non_null(p);
    assert_int_equal(fwrite(f.text, 1, f.len, p), f.len);
    assert_int_equal(pclose(p), 0);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_families_grouped),
        cmocka_unit_test(test_promtool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
