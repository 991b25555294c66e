/* report_html.c - the report model as one self-contained HTML page: the
 * capture in one line, the findings first (severity colours, their numbers,
 * since when), then plots (html_plot.h): latency per broker and per API
 * over time, records/s per topic-partition as a heat map, errors and
 * throttle over time, the partitions' shares of the produced records and
 * the per-client delivery; then the per broker and per API numbers.  No
 * script, no network: inline CSS and SVG only.  Like the text and JSON
 * writers it only reads the model. */
#include "config.h"
#include <inttypes.h>
#include <string.h>
#include "common/escape.h"
#include "dissectors/kafka_names.h"
#include "report/html_plot.h"
#include "report/report_html.h"
#include "report/report_timeline_out.h"
#include "common/utc.h"

#define TABLE_ROWS 20         /* rows of the broker and API tables */
#define FINDINGS_SHOWN 100    /* the rest are in the text and JSON reports */

static void esc(FILE *out, const char *s)
{
    kt_html_escape(out, s, strlen(s));
}

static const char style[] =
    "body{font-family:sans-serif;margin:16px 24px;color:#222;max-width:1000px}"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 8px;"
    "border-bottom:1px solid #ccc}"
    ".meta{color:#444;font-size:13px;margin:2px 0}"
    ".finding{border-left:6px solid #888;background:#f6f6f6;margin:8px 0;padding:6px 10px}"
    ".finding.critical{border-color:#c62828;background:#fdecea}"
    ".finding.warning{border-color:#ef8f00;background:#fff4e0}"
    ".finding.info{border-color:#1e6fb8;background:#e8f1fb}"
    ".sev{font-weight:bold;text-transform:uppercase;font-size:12px;margin-right:8px}"
    ".critical .sev{color:#c62828}.warning .sev{color:#b36b00}.info .sev{color:#1e6fb8}"
    ".kind{font-family:monospace;font-size:13px;margin-right:8px}"
    ".summary{margin:4px 0}.when{margin:4px 0;font-size:13px;color:#333}"
    ".metrics{font-family:monospace;font-size:12px;color:#444}"
    ".metrics span{margin-right:14px;white-space:nowrap}"
    "figure{margin:10px 0}svg.plot{background:#fff;border:1px solid #ddd;font-size:12px}"
    "svg .title{font-size:15px;font-weight:bold}svg .sub{font-size:12px;fill:#555}"
    "svg .axis{font-size:12px;fill:#333}svg .grid{stroke:#e4e4e4}"
    "svg .legend,svg .note{font-size:12px}svg .rowlabel{font-size:12px}"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}"
    "th:first-child,td:first-child{text-align:left}"
    "nav a{margin-right:12px;font-size:13px}";

static void head(FILE *out, const kt_report_model *m)
{
    const kt_capture_stats *c = &m->capture;
    const kt_report_totals *t = &m->totals;
    char a[32], b[32];

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width\">\n<title>kafkatap report: ", out);
    esc(out, m->source);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>kafkatap report%s: ", style,
            m->final ? "" : " (so far)");
    esc(out, m->source);
    fputs("</h1>\n", out);
    if (m->not_merged) {
        fputs("<p class=\"meta\">Not merged (see each host's own report): ", out);
        esc(out, m->not_merged);
        fputs("</p>\n", out);
    }
    fputs("<p class=\"meta\">", out);
    if (c->packets) {
        kt_utc_date_time(a, sizeof a, c->first_ts_us);
        kt_utc_date_time(b, sizeof b, c->last_ts_us);
        fprintf(out, "%" PRIu64 " packets, %" PRIu64 " bytes, %s to %s UTC (%.3f s)", c->packets,
                c->bytes, a, b, (double)(c->last_ts_us - c->first_ts_us) / 1e6);
    } else {
        fputs("0 packets", out);
    }
    if (c->dropped || c->if_dropped)
        fprintf(out, ", <b>%" PRIu64 " dropped by the capture</b>", c->dropped + c->if_dropped);
    fprintf(out, "</p>\n<p class=\"meta\">%" PRIu64 " Kafka connections, %" PRIu64
                 " requests: %" PRIu64 " answered, %" PRIu64 " unanswered, %" PRIu64
                 " acks=0; %" PRIu64 " malformed frames</p>\n",
            t->connections, t->requests, t->matched, t->unanswered, t->no_response_expected,
            t->malformed);
    fputs("<nav><a href=\"#findings\">Findings</a><a href=\"#latency\">Latency</a>"
          "<a href=\"#load\">Load</a><a href=\"#errors\">Errors and throttling</a>"
          "<a href=\"#delivery\">Delivery</a><a href=\"#tables\">Numbers</a></nav>\n", out);
}

static void findings(FILE *out, const kt_report_model *m)
{
    const kt_report_timeline *r = &m->timeline;
    int ms = r->tl && r->tl->width_ns < 1000000000u;

    fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", out);
    if (!m->nfindings)
        fputs("<p>No findings.</p>\n", out);
    for (size_t i = 0; i < m->nfindings && i < FINDINGS_SHOWN; i++) {
        const kt_finding *f = &m->findings[i];
        const kt_report_when *w = r->when ? &r->when[i] : NULL;
        const char *sev = kt_severity_name(f->severity);
        char a[32], b[32];

        fprintf(out, "<div class=\"finding %s\" data-kind=\"%s\" data-severity=\"%s\">"
                     "<span class=\"sev\">%s</span><span class=\"kind\">%s</span>"
                     "<span class=\"subject\">", sev, f->kind, sev, sev, f->kind);
        esc(out, f->subject);
        fputs("</span>\n<p class=\"summary\">", out);
        esc(out, f->summary);
        fputs("</p>\n<p class=\"when\">", out);
        if (w && w->known && w->buckets) {
            kt_report_clock(a, sizeof a, w->started_ns, ms);
            kt_report_clock(b, sizeof b, w->ended_ns, ms);
            fprintf(out, "Since <b>%s UTC</b>, %s %s UTC (%zu bucket%s of the condition)", a,
                    w->ongoing ? "still at the end of the capture," : "until", b, w->buckets,
                    w->buckets == 1 ? "" : "s");
        } else if (w && w->known) {
            fputs("In no single time bucket: over the whole capture only", out);
        } else {
            fputs("Over the whole capture (not placed in time)", out);
        }
        fputs("</p>\n<div class=\"metrics\">", out);
        for (int k = 0; k < f->nmetrics; k++)
            fprintf(out, "<span>%s <b>%.6g</b></span>\n", f->metric[k].key, f->metric[k].value);
        fputs("</div></div>\n", out);
    }
    if (m->nfindings > FINDINGS_SHOWN)
        fprintf(out, "<p>%zu more findings, less severe, in the text and JSON reports.</p>\n",
                m->nfindings - FINDINGS_SHOWN);
    fputs("</section>\n", out);
}

static const kt_report_timeline *timeline_of(const kt_report_model *m)
{
    const kt_report_timeline *r = &m->timeline;
    return r->tl && r->tl->nbuckets ? r : NULL;
}

static void latency(FILE *out, const kt_report_model *m)
{
    const kt_report_timeline *r = timeline_of(m);
    kt_line_plot p = { .unit = "latency, ms", .what = { KT_PV_P99, KT_PV_P50 }, .nwhat = 2,
                       .allow_log = 1 };

    fputs("<section id=\"latency\">\n<h2>Latency over time</h2>\n", out);
    if (!r) {
        fputs("<p>No requests in the timeline: no plots.</p>\n</section>\n", out);
        return;
    }
    p.tl = r->tl;
    if (r->nrows[KT_TL_BROKER]) {
        p.id = "plot-latency-broker";
        p.title = "Latency per broker, all APIs (p99 and p50, ms)";
        p.rows = r->rows[KT_TL_BROKER];
        p.nrows = r->nrows[KT_TL_BROKER];
        kt_svg_lines(out, &p);
    }
    if (r->nrows[KT_TL_API]) {
        p.id = "plot-latency-api";
        p.title = "Latency per API (p99 and p50, ms)";
        p.rows = r->rows[KT_TL_API];
        p.nrows = r->nrows[KT_TL_API];
        kt_svg_lines(out, &p);
    }
    fputs("</section>\n", out);
}

/* "topic P", the topic as the text report shows it. */
static void partition_label(char *buf, size_t len, const kt_report_partition *p)
{
    char topic[140];
    if (p->topic.name)
        kt_label_escaped(topic, sizeof topic, p->topic.name, p->topic.name_len);
    else if (p->topic.has_id)
        snprintf(topic, sizeof topic, "%s (unresolved id)", p->topic.id);
    else
        snprintf(topic, sizeof topic, "(unknown topic)");
    snprintf(buf, len, "%s %" PRId32, topic, p->stats->partition);
}

static void share_bars(FILE *out, const kt_report_model *m)
{
    kt_bar bars[KT_PLOT_MAX_BARS];
    size_t n = 0, producing = 0;
    kt_bar_plot p = { .id = "plot-share", .unit = "share of the capture's produced records",
                      .nparts = 1, .part_name = { "records" }, .part_color = { "#1f77b4" },
                      .max = 1, .percent = 1, .marker = -1 };
    char title[200], fair[64];

    for (size_t i = 0; i < m->npartitions; i++)
        producing += m->partitions[i].stats->produce.records > 0;
    if (!m->produced_records || !producing) {
        fputs("<p>No records produced: no load shares.</p>\n", out);
        return;
    }
    for (size_t i = 0; i < m->npartitions && n < KT_PLOT_MAX_BARS; i++) {
        const kt_report_partition *pt = &m->partitions[i];
        if (!pt->stats->produce.records)
            continue;
        memset(&bars[n], 0, sizeof bars[n]);
        partition_label(bars[n].label, sizeof bars[n].label, pt);
        bars[n].part[0] = pt->records_share;
        snprintf(bars[n].note, sizeof bars[n].note, "%.1f%% (%" PRIu64 " records, %.1f/s)",
                 pt->records_share * 100, pt->stats->produce.records, pt->records_per_s);
        n++;
    }
    snprintf(title, sizeof title, "Share of produced records per topic-partition (%zu of %zu "
             "partitions that took Produce)", n, producing);
    snprintf(fair, sizeof fair, "fair share %.1f%%", 100.0 / (double)producing);
    p.title = title;
    p.bars = bars;
    p.nbars = n;
    p.marker = 1.0 / (double)producing;
    p.marker_label = fair;
    kt_svg_bars(out, &p);
}

static void load(FILE *out, const kt_report_model *m)
{
    const kt_report_timeline *r = timeline_of(m);

    fputs("<section id=\"load\">\n<h2>Load</h2>\n", out);
    if (r && r->nrows[KT_TL_PART_PRODUCE])
        kt_svg_heat(out, "plot-heat-produce",
                    "Records produced per second per topic-partition (the busiest)", r->tl,
                    r->rows[KT_TL_PART_PRODUCE], r->nrows[KT_TL_PART_PRODUCE]);
    if (r && r->nrows[KT_TL_PART_FETCH])
        kt_svg_heat(out, "plot-heat-fetch",
                    "Records fetched per second per topic-partition (the busiest)", r->tl,
                    r->rows[KT_TL_PART_FETCH], r->nrows[KT_TL_PART_FETCH]);
    share_bars(out, m);
    fputs("</section>\n", out);
}

static void errors(FILE *out, const kt_report_model *m)
{
    const kt_report_timeline *r = timeline_of(m);
    kt_line_plot p = { .nwhat = 1 };
    int throttled = 0;

    fputs("<section id=\"errors\">\n<h2>Errors and throttling over time</h2>\n", out);
    if (!r || !r->nrows[KT_TL_BROKER]) {
        fputs("<p>No requests in the timeline: no plots.</p>\n</section>\n", out);
        return;
    }
    p.tl = r->tl;
    p.rows = r->rows[KT_TL_BROKER];
    p.nrows = r->nrows[KT_TL_BROKER];
    p.id = "plot-errors";
    p.title = "Errors and unanswered requests per second, per broker";
    p.unit = "errors + unanswered, per s";
    p.what[0] = KT_PV_ERRORS_S;
    kt_svg_lines(out, &p);
    for (size_t i = 0; i < m->nbrokers; i++)
        throttled |= m->brokers[i].agg.throttled > 0;
    if (!throttled) {
        fputs("<p>No throttling.</p>\n</section>\n", out);
        return;
    }
    p.id = "plot-throttle";
    p.title = "Throttle time announced per broker (the longest in each bucket, ms)";
    p.unit = "throttle time, ms";
    p.what[0] = KT_PV_THROTTLE_MS;
    kt_svg_lines(out, &p);
    fputs("</section>\n", out);
}

static void delivery(FILE *out, const kt_report_model *m)
{
    kt_bar bars[KT_PLOT_MAX_BARS];
    size_t n = 0, fetch_only = 0;
    double max = 0;
    char eb[32];
    kt_bar_plot p = { .id = "plot-delivery", .unit = "records produced",
                      .title = "Per client delivery: produced records acknowledged, failed, "
                               "unanswered (worst first)",
                      .nparts = 4,
                      .part_name = { "acknowledged", "failed", "unanswered", "acks=0" },
                      .part_color = { "#2e9d47", "#d62728", "#ef8f00", "#9e9e9e" },
                      .marker = -1 };

    fputs("<section id=\"delivery\">\n<h2>Delivery</h2>\n", out);
    for (size_t i = 0; i < m->ndeliveries; i++) {
        const kt_report_delivery *d = &m->deliveries[i];
        if (!d->d.records_sent) {
            fetch_only++;
            continue;
        }
        if (n == KT_PLOT_MAX_BARS)
            continue;
        memset(&bars[n], 0, sizeof bars[n]);
        kt_label_client_id(bars[n].label, sizeof bars[n].label, d->client_id);
        bars[n].part[0] = (double)d->d.records_acked;
        bars[n].part[1] = (double)d->d.records_failed;
        bars[n].part[2] = (double)d->d.records_unanswered;
        bars[n].part[3] = (double)d->d.records_acks0;
        if (d->d.nfailed)
            snprintf(bars[n].note, sizeof bars[n].note, "%" PRIu64 " sent, %" PRIu64 " acked, %"
                     PRIu64 " failed (%s %" PRIu64 ")", d->d.records_sent, d->d.records_acked,
                     d->d.records_failed, kt_error_label(d->d.failed[0].code, eb, sizeof eb),
                     d->d.failed[0].count);
        else
            snprintf(bars[n].note, sizeof bars[n].note, "%" PRIu64 " sent, %" PRIu64 " acked, %"
                     PRIu64 " failed", d->d.records_sent, d->d.records_acked,
                     d->d.records_failed);
        if ((double)d->d.records_sent > max)
            max = (double)d->d.records_sent;
        n++;
    }
    if (n) {
        p.bars = bars;
        p.nbars = n;
        p.max = max;
        kt_svg_bars(out, &p);
    } else {
        fputs("<p>No client produced records.</p>\n", out);
    }
    if (fetch_only)
        fprintf(out, "<p class=\"meta\">%zu client id%s only fetched.</p>\n", fetch_only,
                fetch_only == 1 ? "" : "s");
    fputs("</section>\n", out);
}

static void agg_cells(FILE *out, const kt_report_agg *a)
{
    fprintf(out, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>", a->requests,
            a->errored, a->unanswered);
    if (a->latency->count)
        fprintf(out, "<td>%.3f</td><td>%.3f</td><td>%.3f</td>",
                (double)kt_hist_percentile(a->latency, 50) / 1000.0,
                (double)kt_hist_percentile(a->latency, 99) / 1000.0,
                (double)a->latency->max / 1000.0);
    else
        fputs("<td>-</td><td>-</td><td>-</td>", out);
    fprintf(out, "<td>%" PRIu64 "</td></tr>\n", a->throttled);
}

static void table_head(FILE *out, const char *title, const char *first)
{
    fprintf(out, "<h3>%s</h3>\n<table><tr><th>%s</th><th>requests</th><th>errors</th>"
                 "<th>unanswered</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th>"
                 "<th>throttled</th></tr>\n", title, first);
}

static void tables(FILE *out, const kt_report_model *m)
{
    fputs("<section id=\"tables\">\n<h2>Numbers (worst first)</h2>\n", out);
    if (m->nbrokers) {
        table_head(out, "Per broker", "broker");
        for (size_t i = 0; i < m->nbrokers && i < TABLE_ROWS; i++) {
            fputs("<tr><td>", out);
            esc(out, m->brokers[i].label);
            fputs("</td>", out);
            agg_cells(out, &m->brokers[i].agg);
        }
        fputs("</table>\n", out);
        if (m->nbrokers > TABLE_ROWS)
            fprintf(out, "<p class=\"meta\">%zu more brokers in the text and JSON reports.</p>\n",
                    m->nbrokers - TABLE_ROWS);
    }
    if (m->napis) {
        table_head(out, "Per API", "API");
        for (size_t i = 0; i < m->napis && i < TABLE_ROWS; i++) {
            fputs("<tr><td>", out);
            esc(out, m->apis[i].name);
            fputs("</td>", out);
            agg_cells(out, &m->apis[i].agg);
        }
        fputs("</table>\n", out);
    }
    fputs("</section>\n", out);
}

void kt_report_html(FILE *out, const kt_report_model *m)
{
    head(out, m);
    findings(out, m);
    latency(out, m);
    load(out, m);
    errors(out, m);
    delivery(out, m);
    tables(out, m);
    fputs("<p class=\"meta\">Written by kafkatap " PACKAGE_VERSION ". Latency: request sent to "
          "the first byte of its response. Times in UTC.</p>\n</body>\n</html>\n", out);
}
