/* main.c - kafkatap: wires the pipeline together.
 *
 *   capture -> (IPv4 defrag) -> TCP reassembly -> Kafka framing ->
 *   correlation -> exchanges -> statistics / event log -> report
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "capture/capture.h"
#include "report/event_log.h"
#include "kafka/kafka_framing.h"
#include "kafka/kafka_session.h"
#include "kafka/message_detail.h"
#include "cli/options.h"
#include "cli/prometheus_server.h"
#include "report/report_prometheus.h"
#include "stats/partition_stats.h"
#include "report/report.h"
#include "stats/stats.h"
#include "reassembly/tcp_reassembly.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

typedef struct app {
    kt_options opt;
    kt_capture *cap;
    kt_tcp_reassembler *tcp;
    kt_kafka *kafka;
    kt_stats *stats;
    kt_partitions *partitions;
    char source[512];
    uint64_t last_ts_us;
    double next_report;     /* wall clock, live -I */
    kt_prom_server *prom;   /* --prometheus, or NULL */
    double next_prom;       /* wall clock: when to publish metrics again */
} app;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_exchange(void *ctx, const kt_exchange *ex)
{
    app *a = ctx;
    kt_stats_add(a->stats, ex);
    kt_partitions_add(a->partitions, ex);
    if (a->opt.events == KT_EVENTS_TEXT)
        kt_event_write_text(stdout, ex);
    else if (a->opt.events == KT_EVENTS_JSON)
        kt_event_write_json(stdout, ex);
}

static kt_report_model *build_model(app *a, int final)
{
    kt_capture_stats cs;
    kt_report_input in;
    kt_report_model *model;
    kt_conn_summary *conns = NULL;
    uint64_t not_kept = 0;
    size_t nconns = kt_kafka_connections(a->kafka, &conns, &not_kept);
    kt_capture_get_stats(a->cap, &cs);
    in.source = a->source;
    in.capture = &cs;
    in.totals = kt_kafka_totals(a->kafka);
    in.stats = a->stats;
    in.partitions = a->partitions;
    in.top_n = a->opt.top_n;
    in.sort = a->opt.sort;
    in.slow_produce_ms = a->opt.slow_produce_ms;
    in.slow_fetch_ms = a->opt.slow_fetch_ms;
    in.conns = conns;
    in.nconns = nconns;
    in.conns_not_kept = not_kept;
    in.final = final;
    {
        const kt_memcap *mem[KT_REPORT_MAX_MEMORY];
        size_t n = 0;
        mem[n++] = kt_tcp_memory(a->tcp);
        n += kt_kafka_memory(a->kafka, mem + n, KT_REPORT_MAX_MEMORY - n);
        in.memory = mem;
        in.nmemory = n;
        model = kt_report_build(&in);
    }
    free(conns);
    return model;
}

static void report(app *a, int final)
{
    kt_report_model *model = build_model(a, final);
    if (!model) {
        fprintf(stderr, "kafkatap: out of memory building the report\n");
        return;
    }
    if (a->opt.output == KT_OUT_JSON)
        kt_report_json(stdout, model);
    else
        kt_report_text(stdout, model);
    kt_report_model_free(model);
}

/* Renders the metrics for the --prometheus server: at most once a second,
 * and at most a tenth of the time when rendering is slow (a huge partition
 * table). */
static void prom_publish(app *a, int final)
{
    double t0 = wall_now(), cost;
    char *text = NULL;
    size_t len = 0;
    kt_report_model *model = build_model(a, final);
    FILE *f;

    if (!model)
        return;
    f = open_memstream(&text, &len);
    if (f) {
        kt_report_prometheus(f, model, (size_t)a->opt.prometheus_top);
        if (fclose(f) != 0) {
            free(text);
            text = NULL;
        }
    }
    kt_report_model_free(model);
    kt_prom_publish(a->prom, text, len);
    cost = wall_now() - t0;
    a->next_prom = t0 + cost + (cost * 10 > 1 ? cost * 10 : 1);
}

static void on_segment(void *ctx, const kt_segment *seg, uint64_t now_us)
{
    app *a = ctx;
    if (seg) {
        kt_tcp_segment(a->tcp, seg);
        now_us = seg->ts_us;
    } else if (now_us) {
        kt_tcp_tick(a->tcp, now_us);
    }
    if (now_us > a->last_ts_us)
        a->last_ts_us = now_us;
    kt_kafka_tick(a->kafka, a->last_ts_us);
    if (a->prom && wall_now() >= a->next_prom)
        prom_publish(a, 0);
    if (a->opt.interval_s > 0 && a->opt.events == KT_EVENTS_NONE) {
        double w = wall_now();
        if (w >= a->next_report) {
            report(a, 0);
            a->next_report = w + a->opt.interval_s;
        }
    }
    if (a->opt.events != KT_EVENTS_NONE && kt_capture_is_live(a->cap))
        fflush(stdout);
}

int main(int argc, char **argv)
{
    app a;
    char err[512];
    int rc = 0;

    memset(&a, 0, sizeof a);
    if (kt_options_parse(&a.opt, argc, argv, err, sizeof err) < 0) {
        fprintf(stderr, "kafkatap: %s\n", err);
        fprintf(stderr, "Try 'kafkatap --help'.\n");
        return 2;
    }
    if (a.opt.help) {
        kt_usage(stdout);
        return 0;
    }
    if (a.opt.version) {
        printf("kafkatap %s\n", PACKAGE_VERSION);
        return 0;
    }
    a.cap = kt_capture_open(&a.opt.capture, err, sizeof err);
    if (!a.cap) {
        fprintf(stderr, "kafkatap: %s\n", err);
        kt_options_free(&a.opt);
        return 1;
    }
    if (a.opt.capture.read_file)
        snprintf(a.source, sizeof a.source, "%s",
                 strcmp(a.opt.capture.read_file, "-") ? a.opt.capture.read_file : "(stdin)");
    else
        snprintf(a.source, sizeof a.source, "interface %s", a.opt.capture.interface);

    a.stats = kt_stats_new();
    a.partitions = kt_partitions_new();
    a.kafka = kt_kafka_new(&a.opt.session, on_exchange, &a);
    a.tcp = kt_tcp_new(&a.opt.tcp, &kt_kafka_tcp_callbacks, a.kafka);
    if (!a.stats || !a.partitions || !a.kafka || !a.tcp) {
        fprintf(stderr, "kafkatap: out of memory\n");
        return 1;
    }

    if (a.opt.prometheus) {
        a.prom = kt_prom_start(a.opt.prometheus, err, sizeof err);
        if (!a.prom) {
            fprintf(stderr, "kafkatap: %s\n", err);
            return 1;
        }
        prom_publish(&a, 0);
    }

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    a.next_report = wall_now() + a.opt.interval_s;

    if (kt_capture_run(a.cap, on_segment, &a, &stop_flag, err, sizeof err) < 0) {
        fprintf(stderr, "kafkatap: %s\n", err);
        rc = 1;
    }
    kt_tcp_flush(a.tcp, a.last_ts_us);
    if (a.opt.events == KT_EVENTS_NONE)
        report(&a, 1);
    fflush(stdout);
    if (a.prom) {
        /* the final numbers, served until the linger ends or a signal */
        double end = wall_now() + a.opt.prometheus_linger_s;
        prom_publish(&a, 1);
        while (!stop_flag && wall_now() < end) {
            struct timespec nap = { 0, 100 * 1000 * 1000 };
            nanosleep(&nap, NULL);
        }
        kt_prom_stop(a.prom);
    }

    kt_tcp_free(a.tcp);
    kt_kafka_free(a.kafka);
    kt_stats_free(a.stats);
    kt_partitions_free(a.partitions);
    kt_capture_close(a.cap);
    kt_options_free(&a.opt);
    return rc;
}
