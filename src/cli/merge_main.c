/* merge_main.c - the merge subcommand: reads the --json reports named on
 * the command line, adds them up (each connection once) and prints the
 * report of the sums, as text or JSON, like a report of one capture. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/merge_main.h"
#include "common/anomaly.h"
#include "findings/findings.h"
#include "report/report.h"
#include "report/report_html.h"
#include "report/report_merge.h"

static const char usage_text[] =
    "Usage: kafkatap merge [OPTION]... REPORT.json...\n"
    "Adds the --json reports of several hosts into one cluster report: counts\n"
    "summed, latency percentiles from the merged histograms, a connection\n"
    "captured at both ends counted once, findings computed on the sums.\n"
    "\n"
    "      --json               print the merged report as JSON\n"
    "      --html FILE          also write it as a self-contained HTML page\n"
    "      --top N              rows of the topic-partition table (default 20)\n"
    "      --sort KEY           records|bytes|time|errors|lag (default records)\n"
    "      --slow-produce-ms N  findings: Produce taking N ms or more is slow\n"
    "      --slow-fetch-ms N    findings: Fetch with data taking N ms or more is slow\n"
    "  -h, --help               this help\n";

typedef struct merge_opts {
    int json, top_n, sort, slow_produce_ms, slow_fetch_ms;
    const char *html;           /* --html FILE, NULL: none */
} merge_opts;

static int number(const char *arg, const char *name, int max, int *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end || end == arg || v < 1 || v > max) {
        fprintf(stderr, "kafkatap merge: --%s takes a number from 1 to %d, not '%s'\n",
                name, max, arg);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Returns the index of the first file operand, -1 on a usage error, 0 for
 * --help (printed). */
static int parse(merge_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "html", required_argument, NULL, 'H' },
        { "top", required_argument, NULL, 't' },
        { "sort", required_argument, NULL, 's' },
        { "slow-produce-ms", required_argument, NULL, 'p' },
        { "slow-fetch-ms", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;

    memset(o, 0, sizeof *o);
    o->top_n = 20;
    o->slow_produce_ms = KT_SLOW_PRODUCE_MS_DEFAULT;
    o->slow_fetch_ms = KT_SLOW_FETCH_MS_DEFAULT;
    optind = 0;
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            o->json = 1;
            break;
        case 'H':
            o->html = optarg;
            break;
        case 't':
            if (number(optarg, "top", 1000000, &o->top_n) < 0)
                return -1;
            break;
        case 's':
            o->sort = kt_partition_sort_parse(optarg);
            if (o->sort < 0) {
                fprintf(stderr, "kafkatap merge: --sort takes records, bytes, time, "
                                "errors or lag, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'p':
            if (number(optarg, "slow-produce-ms", 3600000, &o->slow_produce_ms) < 0)
                return -1;
            break;
        case 'f':
            if (number(optarg, "slow-fetch-ms", 3600000, &o->slow_fetch_ms) < 0)
                return -1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "kafkatap merge: no report to merge (give the files "
                        "kafkatap --json wrote)\n");
        return -1;
    }
    return optind;
}

/* The merged report as a page (report_html.h), written whole. */
static int write_html(const char *path, const kt_report_model *m)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "kafkatap merge: --html %s: %s\n", path, strerror(errno));
        return -1;
    }
    kt_report_html(f, m);
    if (fclose(f) != 0) {
        fprintf(stderr, "kafkatap merge: --html %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int print_report(const merge_opts *o, kt_loaded_report *sum, const char *source)
{
    kt_report_input in;
    kt_report_model *m;
    const kt_memcap *mem[1];

    memset(&in, 0, sizeof in);
    in.source = source;
    in.not_merged = KT_MERGE_NOT_MERGED;
    in.capture = &sum->capture;
    in.totals = &sum->totals;
    in.stats = sum->stats;
    in.partitions = sum->partitions;
    in.client_parts = sum->client_parts;
    in.tls = sum->tls;
    in.txn = sum->txn;
    in.top_n = o->top_n;
    in.sort = o->sort;
    in.slow_produce_ms = o->slow_produce_ms;
    in.slow_fetch_ms = o->slow_fetch_ms;
    in.conns = sum->conns;
    in.nconns = sum->nconns;
    in.conns_not_kept = sum->conns_not_listed;
    in.final = 1;
    in.conn_stats = sum->conn_stats;
    if (sum->conn_stats) {
        mem[0] = &sum->conn_stats->mem;
        in.memory = mem;
        in.nmemory = 1;
    }
    kt_anomaly = sum->anomalies;        /* the model copies the counters */
    m = kt_report_build(&in);
    if (!m) {
        fprintf(stderr, "kafkatap merge: out of memory building the report\n");
        return 1;
    }
    if (o->json)
        kt_report_json(stdout, m);
    else
        kt_report_text(stdout, m);
    if (o->html && write_html(o->html, m) < 0) {
        kt_report_model_free(m);
        return 1;
    }
    kt_report_model_free(m);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* "merge of a.json, b.json" (cut to fit). */
static void source_of(char *buf, size_t len, char **files, int n)
{
    size_t used = (size_t)snprintf(buf, len, "merge of ");
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", files[i]);
}

int kt_merge_main(int argc, char **argv)
{
    merge_opts o;
    kt_report_names names;
    kt_loaded_report *in, sum;
    kt_merge_info info;
    char err[512], source[1024];
    int first = parse(&o, argc, argv), n, rc = 0;

    if (first <= 0) {
        if (first < 0)
            fprintf(stderr, "Try 'kafkatap merge --help'.\n");
        return first < 0 ? 2 : 0;
    }
    n = argc - first;
    if (kt_report_names_init(&names) < 0 || !(in = calloc((size_t)n, sizeof *in))) {
        fprintf(stderr, "kafkatap merge: out of memory\n");
        return 1;
    }
    for (int i = 0; i < n && !rc; i++) {
        if (kt_report_load(&in[i], argv[first + i], &names, err, sizeof err) < 0) {
            fprintf(stderr, "kafkatap merge: %s\n", err);
            rc = 1;
        }
    }
    memset(&sum, 0, sizeof sum);
    if (!rc && kt_report_merge(&sum, in, (size_t)n, &info) < 0) {
        fprintf(stderr, "kafkatap merge: out of memory\n");
        rc = 1;
    }
    if (!rc) {
        source_of(source, sizeof source, argv + first, n);
        fprintf(stderr, "kafkatap merge: %d reports; %llu connections seen in more "
                        "than one, counted once", n,
                (unsigned long long)info.duplicate_connections);
        if (info.partitions_unchecked)
            fprintf(stderr, "; %llu of them with partitions not all known (taken out in part)",
                    (unsigned long long)info.partitions_unchecked);
        if (info.unchecked_exchanges)
            fprintf(stderr, "; %llu requests on connections not tracked, not checked",
                    (unsigned long long)info.unchecked_exchanges);
        fputc('\n', stderr);
        rc = print_report(&o, &sum, source);
    }
    kt_loaded_report_free(&sum);
    for (int i = 0; i < n; i++)
        kt_loaded_report_free(&in[i]);
    free(in);
    kt_report_names_free(&names);
    return rc;
}
