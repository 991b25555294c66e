/* main.c - kafkatap: wires the pipeline together.
 *
 *   capture -> (IPv4 defrag) -> TCP reassembly -> Kafka framing ->
 *   correlation -> exchanges -> statistics / event log -> report
 *
 * Signals: SIGINT and SIGTERM end the capture promptly (a second one kills
 * at once); SIGUSR1 prints a report of the whole run so far.
 *
 * Windows (live -I without --cumulative): every exchange is added twice,
 * to the whole-run statistics and to the window's; an interval report
 * shows the window (its statistics, and the capture's and session's
 * counters since the last report), then the window's statistics are freed
 * and started afresh, so memory does not grow with the number of windows.
 * Connections and pending requests belong to the session and carry over.
 * The final report, and SIGUSR1's, show the whole run.
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
#include "cli/privileges.h"
#include "cli/prometheus_server.h"
#include "cli/time_window.h"
#include "report/report_prometheus.h"
#include "stats/partition_stats.h"
#include "stats/client_partition_stats.h"
#include "stats/txn_stats.h"
#include "report/report.h"
#include "report/report_html.h"
#include "cli/report_file.h"
#include "stats/stats.h"
#include "stats/timeline.h"
#include "stats/conn_stats.h"
#include "cli/merge_main.h"
#include "reassembly/tcp_reassembly.h"

static volatile sig_atomic_t stop_flag, report_flag;
static kt_capture *volatile signal_capture;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
    kt_capture_breakloop(signal_capture);
}

static void on_report_signal(int sig)
{
    (void)sig;
    report_flag = 1;
}

/* SIGINT and SIGTERM interrupt a blocked read (no SA_RESTART) and are
 * handled once (SA_RESETHAND: a second one kills); SIGUSR1 restarts it. */
static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_report_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
}

/* One interval's statistics, and the counters at its start. */
typedef struct window {
    kt_stats *stats;
    kt_partitions *partitions;
    kt_client_parts *client_parts;
    kt_timeline *timeline;
    kt_txn_stats *txn;
    kt_capture_stats capture_at_start;
    kt_session_totals totals_at_start;
    uint64_t start_us;      /* wall clock */
} window;

typedef struct app {
    kt_options opt;
    kt_capture *cap;
    kt_tcp_reassembler *tcp;
    kt_kafka *kafka;
    kt_stats *stats;
    kt_partitions *partitions;
    kt_client_parts *client_parts;   /* per-client delivery */
    kt_timeline *timeline;
    kt_txn_stats *txn;
    kt_conn_stats *conn_stats;  /* --json: per connection, for kafkatap merge */
    window win;             /* live -I without --cumulative */
    char source[512];
    char win_source[600];   /* a window report's source: the model keeps a
                               pointer to it, so not on build_model's stack */
    uint64_t last_ts_us;
    double next_report;     /* wall clock, live -I */
    kt_time_window tw;      /* --since/--until */
    int windowed;           /* either was given */
    kt_prom_server *prom;   /* --prometheus, or NULL */
    double next_prom;       /* wall clock: when to publish metrics again */
    kt_report_file html;    /* --html */
} app;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sparklines in Unicode only when the locale's environment says UTF-8
 * (the first of LC_ALL, LC_CTYPE, LANG that is set, as setlocale reads). */
static int utf8_locale(void)
{
    const char *names[] = { "LC_ALL", "LC_CTYPE", "LANG" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = getenv(names[i]);
        if (v && *v) {
            char low[64];
            size_t k = 0;
            for (; v[k] && k + 1 < sizeof low; k++)
                low[k] = (char)(v[k] >= 'A' && v[k] <= 'Z' ? v[k] - 'A' + 'a' : v[k]);
            low[k] = 0;
            return strstr(low, "utf-8") || strstr(low, "utf8");
        }
    }
    return 0;
}

static void on_exchange(void *ctx, const kt_exchange *ex)
{
    app *a = ctx;
    uint64_t since_us, until_us;

    if (a->windowed) {
        kt_capture_window(a->cap, &since_us, &until_us);
        if (!kt_window_exchange(&a->tw, since_us, ex))
            return;
    }
    kt_stats_add(a->stats, ex);
    kt_partitions_add(a->partitions, ex);
    kt_client_parts_add(a->client_parts, ex);
    kt_timeline_add(a->timeline, ex);
    kt_txn_stats_add(a->txn, ex);
    if (a->conn_stats)
        kt_conn_stats_add(a->conn_stats, ex);
    if (a->win.stats) {
        kt_stats_add(a->win.stats, ex);
        kt_partitions_add(a->win.partitions, ex);
        kt_client_parts_add(a->win.client_parts, ex);
        kt_timeline_add(a->win.timeline, ex);
        kt_txn_stats_add(a->win.txn, ex);
    }
    if (a->opt.events == KT_EVENTS_TEXT)
        kt_event_write_text(stdout, ex);
    else if (a->opt.events == KT_EVENTS_JSON)
        kt_event_write_json(stdout, ex);
}

#define SINCE(field) (now->field - then->field)

/* The capture's counters since `then`: a window's. */
static kt_capture_stats capture_since(const kt_capture_stats *now,
                                      const kt_capture_stats *then,
                                      uint64_t start_us, uint64_t now_us)
{
    kt_capture_stats w = *now;
    w.packets = SINCE(packets);
    w.bytes = SINCE(bytes);
    w.dropped = SINCE(dropped);
    w.if_dropped = SINCE(if_dropped);
    w.tcp_segments = SINCE(tcp_segments);
    w.non_tcp = SINCE(non_tcp);
    w.first_ts_us = start_us;
    w.last_ts_us = now_us;
    return w;
}

#undef SINCE

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Starts a window now (freeing the last one's statistics).  Returns -1 when
 * out of memory. */
static int window_start(app *a)
{
    kt_stats_free(a->win.stats);
    kt_partitions_free(a->win.partitions);
    kt_client_parts_free(a->win.client_parts);
    kt_timeline_free(a->win.timeline);
    kt_txn_stats_free(a->win.txn);
    a->win.stats = kt_stats_new();
    a->win.partitions = kt_partitions_new();
    a->win.client_parts = kt_client_parts_new();
    a->win.timeline = kt_timeline_new(a->opt.bucket_s, 0);
    a->win.txn = kt_txn_stats_new();
    kt_capture_get_stats(a->cap, &a->win.capture_at_start);
    a->win.totals_at_start = *kt_kafka_totals(a->kafka);
    a->win.start_us = wall_us();
    return a->win.stats && a->win.partitions && a->win.client_parts && a->win.timeline &&
           a->win.txn ? 0 : -1;
}

/* The model of a report of the whole run (window NULL) or of the window;
 * NULL when out of memory. */
static kt_report_model *build_model(app *a, int final, const window *win)
{
    kt_capture_stats cs, wcs;
    kt_session_totals wt;
    kt_report_input in;
    kt_report_model *model;
    kt_conn_summary *conns = NULL;
    uint64_t not_kept = 0;
    size_t nconns = kt_kafka_connections(a->kafka, &conns, &not_kept);
    const kt_memcap *mem[KT_REPORT_MAX_MEMORY];
    size_t nmem = 0;

    kt_capture_get_stats(a->cap, &cs);
    memset(&in, 0, sizeof in);
    in.source = a->source;
    in.capture = &cs;
    in.totals = kt_kafka_totals(a->kafka);
    in.ninputs = kt_capture_inputs(a->cap, &in.inputs);
    kt_capture_window(a->cap, &in.since_us, &in.until_us);
    if (a->windowed) {
        wt = kt_window_totals(&a->tw, in.totals);
        in.totals = &wt;
    }
    in.stats = a->stats;
    in.partitions = a->partitions;
    in.client_parts = a->client_parts;
    in.timeline = a->timeline;
    in.ascii = a->opt.ascii || !utf8_locale();
    in.txn = a->txn;
    if (win) {
        wcs = capture_since(&cs, &win->capture_at_start, win->start_us, wall_us());
        wt = kt_totals_since(in.totals, &win->totals_at_start);
        snprintf(a->win_source, sizeof a->win_source, "%s, the last %g s", a->source,
                 a->opt.interval_s);
        in.source = a->win_source;
        in.capture = &wcs;
        in.totals = &wt;
        in.stats = win->stats;
        in.partitions = win->partitions;
        in.client_parts = win->client_parts;
        in.timeline = win->timeline;
        in.txn = win->txn;
    } else
        in.conn_stats = a->conn_stats;
    in.top_n = a->opt.top_n;
    in.sort = a->opt.sort;
    in.slow_produce_ms = a->opt.slow_produce_ms;
    in.slow_fetch_ms = a->opt.slow_fetch_ms;
    in.conns = conns;
    in.nconns = nconns;
    in.conns_not_kept = not_kept;
    in.final = final;
    in.tls = kt_kafka_tls(a->kafka);
    mem[nmem++] = kt_tcp_memory(a->tcp);
    nmem += kt_kafka_memory(a->kafka, mem + nmem, KT_REPORT_MAX_MEMORY - 6 - nmem);
    mem[nmem++] = &a->stats->mem;
    mem[nmem++] = &a->partitions->mem;
    mem[nmem++] = &a->client_parts->mem;
    mem[nmem++] = win ? &win->timeline->mem : &a->timeline->mem;
    mem[nmem++] = &a->txn->mem;
    if (in.conn_stats)
        mem[nmem++] = &a->conn_stats->mem;
    in.memory = mem;
    in.nmemory = nmem;
    model = kt_report_build(&in);
    free(conns);
    return model;
}

/* The page of --html, rendered whole in memory, then replacing the file. */
static void write_html(app *a, const kt_report_model *model)
{
    char *page = NULL, err[512];
    size_t len = 0;
    FILE *f = open_memstream(&page, &len);

    if (!f) {
        fprintf(stderr, "kafkatap: out of memory writing %s\n", a->opt.html);
        return;
    }
    kt_report_html(f, model);
    if (fclose(f) != 0)
        fprintf(stderr, "kafkatap: out of memory writing %s\n", a->opt.html);
    else if (kt_report_file_write(&a->html, page, len, err, sizeof err) < 0)
        fprintf(stderr, "kafkatap: %s\n", err);
    free(page);
}

/* A report of the whole run (window NULL) or of the window: on standard
 * output unless --events prints records there, and to the --html file. */
static void report(app *a, int final, const window *win)
{
    int to_stdout = a->opt.events == KT_EVENTS_NONE;
    kt_report_model *model;

    if (!to_stdout && !a->opt.html)
        return;
    model = build_model(a, final, win);
    if (!model) {
        fprintf(stderr, "kafkatap: out of memory building the report\n");
        return;
    }
    if (to_stdout && a->opt.output == KT_OUT_JSON)
        kt_report_json(stdout, model);
    else if (to_stdout)
        kt_report_text(stdout, model);
    if (a->opt.html) {
        fflush(stdout);
        write_html(a, model);
    }
    kt_report_model_free(model);
}

/* Renders the metrics for the --prometheus server from the whole run
 * (counters are cumulative; Prometheus's rate() makes the windows): at most
 * once a second, and at most a tenth of the time when rendering is slow (a
 * huge partition table). */
static void prom_publish(app *a, int final)
{
    double t0 = wall_now(), cost;
    char *text = NULL;
    size_t len = 0;
    kt_report_model *model = build_model(a, final, NULL);
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
    if (seg && a->windowed) {
        uint64_t since_us, until_us;
        kt_capture_window(a->cap, &since_us, &until_us);
        kt_window_segment(&a->tw, since_us, seg->ts_us, kt_kafka_totals(a->kafka));
    }
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
    if (report_flag) {
        report_flag = 0;
        report(a, 0, NULL);
        fflush(stdout);
    }
    if (a->opt.interval_s > 0 && a->opt.events == KT_EVENTS_NONE) {
        double w = wall_now();
        if (w >= a->next_report) {
            report(a, 0, a->win.stats ? &a->win : NULL);
            fflush(stdout);
            if (a->win.stats && window_start(a) < 0) {
                fprintf(stderr, "kafkatap: out of memory\n");
                stop_flag = 1;
            }
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
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return kt_merge_main(argc - 1, argv + 1);
    if (kt_options_parse(&a.opt, argc, argv, err, sizeof err) < 0) {
        fprintf(stderr, "kafkatap: %s\n", err);
        fprintf(stderr, "Try 'kafkatap --help'.\n");
        kt_options_free(&a.opt);
        return 2;
    }
    if (a.opt.help) {
        kt_usage(stdout);
        kt_options_free(&a.opt);
        return 0;
    }
    if (a.opt.version) {
        printf("kafkatap %s\n", PACKAGE_VERSION);
        kt_options_free(&a.opt);
        return 0;
    }
    install_signals();      /* before the (maybe slow) open: a stop is kept */
    a.cap = kt_capture_open(&a.opt.capture, err, sizeof err);
    if (!a.cap && stop_flag) {     /* interrupted waiting for the file header */
        fprintf(stderr, "kafkatap: interrupted before the capture began\n");
        kt_options_free(&a.opt);
        return 0;
    }
    if (!a.cap) {
        fprintf(stderr, "kafkatap: %s\n", err);
        kt_options_free(&a.opt);
        return 1;
    }
    if (a.opt.html && kt_report_file_open(&a.html, a.opt.html, a.opt.capture.quiet, err,
                                          sizeof err) < 0) {
        fprintf(stderr, "kafkatap: %s\n", err);
        kt_capture_close(a.cap);
        kt_options_free(&a.opt);
        return 1;
    }
    /* Everything is open: hostile bytes are parsed without privileges. */
    if (kt_drop_privileges(a.opt.user, err, sizeof err) < 0) {
        fprintf(stderr, "kafkatap: %s\n", err);
        kt_capture_close(a.cap);
        kt_options_free(&a.opt);
        return 1;
    }
    /* -w rotation: every file is created as the user we now run as */
    if (kt_capture_start_output(a.cap, err, sizeof err) < 0) {
        fprintf(stderr, "kafkatap: %s\n", err);
        kt_capture_close(a.cap);
        kt_options_free(&a.opt);
        return 1;
    }
    if (a.opt.capture.read_file) {
        const kt_input_file *files;
        size_t nfiles = kt_capture_inputs(a.cap, &files);
        if (nfiles > 1)
            snprintf(a.source, sizeof a.source, "%s and %zu more files",
                     files[0].path, nfiles - 1);
        else
            snprintf(a.source, sizeof a.source, "%s",
                     strcmp(files[0].path, "-") ? files[0].path : "(stdin)");
        a.windowed = a.opt.capture.since.set || a.opt.capture.until.set;
    } else
        snprintf(a.source, sizeof a.source, "interface %s", a.opt.capture.interface);

    a.stats = kt_stats_new();
    a.partitions = kt_partitions_new();
    a.client_parts = kt_client_parts_new();
    a.timeline = kt_timeline_new(a.opt.bucket_s, 0);
    a.txn = kt_txn_stats_new();
    if (a.opt.output == KT_OUT_JSON)
        a.conn_stats = kt_conn_stats_new();
    a.kafka = kt_kafka_new(&a.opt.session, on_exchange, &a);
    a.tcp = kt_tcp_new(&a.opt.tcp, &kt_kafka_tcp_callbacks, a.kafka);
    if (!a.stats || !a.partitions || !a.client_parts || !a.timeline || !a.txn || !a.kafka || !a.tcp ||
        (a.opt.output == KT_OUT_JSON && !a.conn_stats) ||
        (a.opt.interval_s > 0 && !a.opt.cumulative && window_start(&a) < 0)) {
        fprintf(stderr, "kafkatap: out of memory\n");
        rc = 1;
        goto out;
    }

    /* after the privileges are dropped: its thread parses nothing but
     * holds no privilege either (a port above 1023 then) */
    if (a.opt.prometheus) {
        a.prom = kt_prom_start(a.opt.prometheus, err, sizeof err);
        if (!a.prom) {
            fprintf(stderr, "kafkatap: %s\n", err);
            rc = 1;
            goto out;
        }
        prom_publish(&a, 0);
    }

    signal_capture = a.cap;
    a.next_report = wall_now() + a.opt.interval_s;

    if (kt_capture_run(a.cap, on_segment, &a, &stop_flag, err, sizeof err) < 0) {
        fprintf(stderr, "kafkatap: %s\n", err);
        rc = 1;
    }
    kt_tcp_flush(a.tcp, a.last_ts_us);
    report(&a, 1, NULL);
    fflush(stdout);
    kt_capture_print_counts(a.cap, stderr);
    signal_capture = NULL;
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

out:
    kt_tcp_free(a.tcp);
    kt_kafka_free(a.kafka);
    kt_stats_free(a.stats);
    kt_partitions_free(a.partitions);
    kt_client_parts_free(a.client_parts);
    kt_timeline_free(a.timeline);
    kt_conn_stats_free(a.conn_stats);
    kt_stats_free(a.win.stats);
    kt_partitions_free(a.win.partitions);
    kt_client_parts_free(a.win.client_parts);
    kt_timeline_free(a.win.timeline);
    kt_txn_stats_free(a.txn);
    kt_txn_stats_free(a.win.txn);
    kt_capture_close(a.cap);
    if (a.opt.html)
        kt_report_file_close(&a.html);
    kt_options_free(&a.opt);
    return rc;
}
