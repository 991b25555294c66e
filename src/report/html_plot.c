/* html_plot.c - line plots, heat maps and bars as inline SVG for the HTML
 * report (see html_plot.h). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/escape.h"
#include "report/html_plot.h"
#include "report/report_timeline_out.h"

#define SVG_W 960
#define PLOT_R 24            /* right margin */
#define PLOT_TOP 46          /* title and subtitle above the plot area */
#define PLOT_H 220
#define AXIS_B 44            /* tick labels and the x axis' title */
#define LEGEND_ROW 18
#define LEGEND_COLS 3
#define LABEL_CHARS 44       /* a label's characters shown (all in its <title>) */

static const char *const palette[KT_PLOT_MAX_LINES] = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
};

static const char *const value_name[] = {
    [KT_PV_P50] = "p50", [KT_PV_P99] = "p99", [KT_PV_ERRORS_S] = "errors/s",
    [KT_PV_THROTTLE_MS] = "throttle", [KT_PV_RECORDS_S] = "records/s",
};

static void esc(FILE *out, const char *s)
{
    kt_html_escape(out, s, strlen(s));
}

/* s escaped, cut to max code points (an ellipsis when cut). */
static void esc_cut(FILE *out, const char *s, size_t max)
{
    size_t n = 0, chars = 0;
    while (s[n] && chars < max) {
        n++;
        while (((unsigned char)s[n] & 0xc0) == 0x80)
            n++;
        chars++;
    }
    kt_html_escape(out, s, n);
    if (s[n])
        fputs("\xe2\x80\xa6", out);
}

/* A number for a tick or a note: 3 significant digits, k/M for large. */
static void num_text(char *buf, size_t len, double v)
{
    if (v >= 1e6)
        snprintf(buf, len, "%.3gM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%.3gk", v / 1e3);
    else if (v >= 1e3)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.3g", v);
}

/* ---- time columns ---------------------------------------------------------- */

typedef struct cols {
    const kt_timeline *tl;
    size_t per, n;                 /* buckets per column, columns */
    uint64_t t0_ns, t1_ns;         /* the axis' span */
} cols;

static void cols_of(cols *c, const kt_timeline *tl, size_t max)
{
    c->tl = tl;
    c->per = (tl->nbuckets + max - 1) / max;
    if (!c->per)
        c->per = 1;
    c->n = (tl->nbuckets + c->per - 1) / c->per;
    c->t0_ns = tl->start_ns;
    c->t1_ns = kt_tl_bucket_start(tl, tl->nbuckets);
    if (c->t1_ns <= c->t0_ns)
        c->t1_ns = c->t0_ns + 1;
}

static double x_of_ns(const cols *c, int x0, int pw, double t_ns)
{
    return x0 + (t_ns - (double)c->t0_ns) / (double)(c->t1_ns - c->t0_ns) * pw;
}

/* The middle of column col, nanoseconds since the epoch. */
static double col_mid_ns(const cols *c, size_t col)
{
    size_t from = col * c->per, to = from + c->per;
    if (to > c->tl->nbuckets)
        to = c->tl->nbuckets;
    return (double)c->t0_ns + ((double)from + (double)(to - from) / 2.0) * (double)c->tl->width_ns;
}

/* The value of series s over column col (NAN: no latency there). */
static double col_value(const cols *c, const kt_tl_series *s, size_t col, int what)
{
    size_t from = col * c->per, to = from + c->per;
    double v = NAN, sum = 0;
    if (to > c->tl->nbuckets)
        to = c->tl->nbuckets;
    for (size_t i = from; i < to; i++) {
        const kt_tl_cell *cell = s->cell[i];
        double x;
        if (!cell)
            continue;
        switch (what) {
        case KT_PV_P50:
        case KT_PV_P99:
            if (!cell->latency.count)
                continue;
            x = (double)kt_tl_percentile(&cell->latency, what == KT_PV_P50 ? 50 : 99) / 1000.0;
            if (isnan(v) || x > v)
                v = x;
            break;
        case KT_PV_THROTTLE_MS:
            sum = fmax(sum, (double)cell->throttle_ms_max);
            break;
        case KT_PV_ERRORS_S:
            sum += (double)(cell->errored + cell->unanswered);
            break;
        default:
            sum += (double)cell->records;
            break;
        }
    }
    if (what == KT_PV_P50 || what == KT_PV_P99)
        return v;
    if (what == KT_PV_THROTTLE_MS)
        return sum;
    return sum / ((double)(to - from) * (double)c->tl->width_ns / 1e9);
}

/* ---- axes ------------------------------------------------------------------ */

/* Ticks and labels of the time axis under a plot area [x0, x0+pw] whose
 * bottom is y. */
static void x_axis(FILE *out, const cols *c, int x0, int pw, int y)
{
    static const uint64_t step_ms[] = {
        1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000,
        60000, 120000, 300000, 600000, 900000, 1800000, 3600000, 7200000, 10800000,
        21600000, 43200000, 86400000,
    };
    uint64_t span_ms = (c->t1_ns - c->t0_ns) / 1000000u, step = 0, t;
    char buf[32];

    for (size_t i = 0; i < sizeof step_ms / sizeof step_ms[0] && !step; i++)
        if (span_ms / step_ms[i] <= 7)
            step = step_ms[i];
    if (!step)
        step = 86400000;
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", x0, y,
            x0 + pw, y);
    for (t = (c->t0_ns / 1000000u + step - 1) / step * step; t * 1000000u <= c->t1_ns; t += step) {
        double x = x_of_ns(c, x0, pw, (double)t * 1e6);
        kt_report_clock(buf, sizeof buf, t * 1000000u, step < 1000);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                     "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x, y, x, y + 5, x, y + 18, buf);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">time (UTC)</text>\n",
            x0 + pw / 2, y + 36);
}

typedef struct yaxis {
    int log;
    double lo, hi;
} yaxis;

static double nice_step(double span, int n)
{
    double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void y_range(yaxis *y, double minpos, double max, int allow_log)
{
    if (allow_log && minpos > 0 && max / minpos >= 30) {
        y->log = 1;
        y->lo = pow(10, floor(log10(minpos)));
        y->hi = pow(10, ceil(log10(max)));
        if (y->hi <= y->lo)
            y->hi = y->lo * 10;
        return;
    }
    y->log = 0;
    y->lo = 0;
    if (max <= 0)
        max = 1;
    y->hi = ceil(max / nice_step(max, 5)) * nice_step(max, 5);
}

static double y_of(const yaxis *y, int top, int h, double v)
{
    double f;
    if (y->log) {
        if (v < y->lo)
            v = y->lo;
        f = (log10(v) - log10(y->lo)) / (log10(y->hi) - log10(y->lo));
    } else {
        f = (v - y->lo) / (y->hi - y->lo);
    }
    if (f > 1)
        f = 1;
    if (f < 0)
        f = 0;
    return top + h - f * h;
}

/* Grid lines, tick labels and the unit of the y axis left of x0. */
static void y_axis(FILE *out, const yaxis *y, int x0, int pw, int top, int h, const char *unit)
{
    char buf[32];
    if (y->log) {
        int decades = (int)lround(log10(y->hi) - log10(y->lo));
        int every = decades > 6 ? 2 : 1;
        for (int d = 0; d <= decades; d += every) {
            double v = y->lo * pow(10, d), yy = y_of(y, top, h, v);
            num_text(buf, sizeof buf, v);
            fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                         "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    x0, yy, x0 + pw, yy, x0 - 6, yy + 4, buf);
        }
    } else {
        double step = nice_step(y->hi, 5);
        for (double v = 0; v <= y->hi + step / 2; v += step) {
            double yy = y_of(y, top, h, v);
            num_text(buf, sizeof buf, v);
            fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                         "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    x0, yy, x0 + pw, yy, x0 - 6, yy + 4, buf);
        }
    }
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", x0, top, x0,
            top + h);
    fprintf(out, "<text class=\"axis\" transform=\"translate(16 %d) rotate(-90)\" "
                 "text-anchor=\"middle\">", top + h / 2);
    esc(out, unit);
    fprintf(out, "%s</text>\n", y->log ? " (log scale)" : "");
}

static void svg_begin(FILE *out, const char *id, const char *title, int height)
{
    fprintf(out, "<figure>\n<svg id=\"%s\" class=\"plot\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", id, SVG_W, height, SVG_W,
            height);
    esc(out, title);
    fputs("\">\n<title>", out);
    esc(out, title);
    fputs("</title>\n<text x=\"8\" y=\"20\" class=\"title\">", out);
    esc(out, title);
    fputs("</text>\n", out);
}

static void svg_end(FILE *out)
{
    fputs("</svg>\n</figure>\n", out);
}

/* ---- lines ------------------------------------------------------------------ */

/* Chooses at most KT_PLOT_MAX_LINES rows with the highest peak of `what`,
 * kept in their order; returns how many. */
static size_t pick_rows(const cols *c, const kt_report_tl_row *rows, size_t nrows, int what,
                        size_t *pick)
{
    double peak[KT_PLOT_MAX_LINES];
    size_t n = 0;
    for (size_t r = 0; r < nrows; r++) {
        double pk = 0;
        for (size_t col = 0; col < c->n; col++) {
            double v = col_value(c, rows[r].s, col, what);
            if (!isnan(v) && v > pk)
                pk = v;
        }
        if (n < KT_PLOT_MAX_LINES) {
            pick[n] = r;
            peak[n++] = pk;
            continue;
        }
        size_t low = 0;
        for (size_t k = 1; k < n; k++)
            if (peak[k] < peak[low])
                low = k;
        if (pk > peak[low]) {           /* replace, keeping the order */
            memmove(pick + low, pick + low + 1, (n - low - 1) * sizeof *pick);
            memmove(peak + low, peak + low + 1, (n - low - 1) * sizeof *peak);
            pick[n - 1] = r;
            peak[n - 1] = pk;
        }
    }
    return n;
}

static void legend(FILE *out, int top, const kt_report_tl_row *rows, const size_t *pick,
                   size_t n)
{
    int colw = (SVG_W - 80) / LEGEND_COLS;
    for (size_t k = 0; k < n; k++) {
        int x = 80 + (int)(k % LEGEND_COLS) * colw, y = top + (int)(k / LEGEND_COLS) * LEGEND_ROW;
        fprintf(out, "<g class=\"legend\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                     "stroke=\"%s\" stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">", x, y - 4,
                x + 22, y - 4, palette[k], x + 28, y);
        esc_cut(out, rows[pick[k]].label, LABEL_CHARS);
        fputs("<title>", out);
        esc(out, rows[pick[k]].label);
        fputs("</title></text></g>\n", out);
    }
}

void kt_svg_lines(FILE *out, const kt_line_plot *p)
{
    cols c;
    size_t pick[KT_PLOT_MAX_LINES], n;
    double minpos = 0, max = 0;
    double *v;
    yaxis y;
    int x0 = 80, pw = SVG_W - x0 - PLOT_R, height;
    size_t gap;
    char title[400], sub[300];

    cols_of(&c, p->tl, KT_PLOT_MAX_COLS);
    gap = c.n / 20 + 1;
    n = pick_rows(&c, p->rows, p->nrows, p->what[0], pick);
    v = calloc(n * 2 * c.n + 1, sizeof *v);
    if (!v)
        return;
    for (size_t k = 0; k < n; k++)
        for (int w = 0; w < p->nwhat; w++)
            for (size_t col = 0; col < c.n; col++) {
                double x = col_value(&c, p->rows[pick[k]].s, col, p->what[w]);
                v[(k * 2 + (size_t)w) * c.n + col] = x;
                if (isnan(x))
                    continue;
                if (x > max)
                    max = x;
                if (x > 0 && (minpos == 0 || x < minpos))
                    minpos = x;
            }
    y_range(&y, minpos, max, p->allow_log);

    if (p->nrows > n)
        snprintf(title, sizeof title, "%s (the %zu highest of %zu)", p->title, n, p->nrows);
    else
        snprintf(title, sizeof title, "%s", p->title);
    height = PLOT_TOP + PLOT_H + AXIS_B + (int)((n + LEGEND_COLS - 1) / LEGEND_COLS) * LEGEND_ROW + 10;
    svg_begin(out, p->id, title, height);
    snprintf(sub, sizeof sub, "%s%s%s", p->nwhat > 1 ? "solid: p99, dashed: p50; " : "",
             c.per > 1 ? "each point the highest of its buckets; " : "",
             max > 0 ? "" : "all zero in this capture; ");
    if (c.per > 1 && (p->what[0] == KT_PV_ERRORS_S || p->what[0] == KT_PV_RECORDS_S))
        snprintf(sub, sizeof sub, "each point over %zu buckets; ", c.per);
    {
        char w[32];
        snprintf(w, sizeof w, "%g", (double)p->tl->width_ns / 1e6);
        fprintf(out, "<text x=\"8\" y=\"38\" class=\"sub\">");
        esc(out, sub);
        fprintf(out, "buckets of %s ms</text>\n", w);
    }
    y_axis(out, &y, x0, pw, PLOT_TOP, PLOT_H, p->unit);
    x_axis(out, &c, x0, pw, PLOT_TOP + PLOT_H);

    for (size_t k = 0; k < n; k++)
        for (int w = 0; w < p->nwhat; w++) {
            const double *vv = v + (k * 2 + (size_t)w) * c.n;
            size_t npts = 0, last = 0;
            fprintf(out, "<path class=\"series\" data-series=\"");
            esc(out, p->rows[pick[k]].label);
            fprintf(out, "\" data-stat=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s "
                         "stroke-linecap=\"round\" stroke-linejoin=\"round\" d=\"",
                    value_name[p->what[w]], palette[k], w ? "1.4" : "2",
                    w ? " stroke-dasharray=\"5 3\"" : "");
            for (size_t col = 0; col < c.n; col++) {
                if (isnan(vv[col]))
                    continue;
                /* a line across short gaps only; a lone point a dot */
                fprintf(out, "%s%.1f %.1f", !npts ? "M" : col - last > gap ? "l0 0M" : "L",
                        x_of_ns(&c, x0, pw, col_mid_ns(&c, col)), y_of(&y, PLOT_TOP, PLOT_H, vv[col]));
                npts++;
                last = col;
            }
            fprintf(out, "%s\"><title>", npts ? "l0 0" : "");
            esc(out, p->rows[pick[k]].label);
            fprintf(out, " %s</title></path>\n", value_name[p->what[w]]);
        }
    legend(out, PLOT_TOP + PLOT_H + AXIS_B + 12, p->rows, pick, n);
    svg_end(out);
    free(v);
}

/* ---- heat map -------------------------------------------------------------- */

/* The colour of t in (0, 1]: pale yellow through orange to dark red. */
static void heat_color(char *buf, size_t len, double t)
{
    static const double stop[3][3] = { { 255, 240, 170 }, { 240, 130, 40 }, { 130, 0, 20 } };
    int i = t < 0.5 ? 0 : 1;
    double f = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    snprintf(buf, len, "#%02x%02x%02x", (int)(stop[i][0] + (stop[i + 1][0] - stop[i][0]) * f),
             (int)(stop[i][1] + (stop[i + 1][1] - stop[i][1]) * f),
             (int)(stop[i][2] + (stop[i + 1][2] - stop[i][2]) * f));
}

#define HEAT_ROW 20
#define HEAT_X 250           /* the rows' labels left of it */
#define HEAT_STEPS 6

void kt_svg_heat(FILE *out, const char *id, const char *title, const kt_timeline *tl,
                 const kt_report_tl_row *rows, size_t nrows)
{
    cols c;
    double max = 0;
    int pw = SVG_W - HEAT_X - PLOT_R, ph = (int)nrows * HEAT_ROW, height;
    char color[16], a[32], buf[32];

    cols_of(&c, tl, KT_PLOT_HEAT_COLS);
    for (size_t r = 0; r < nrows; r++)
        for (size_t col = 0; col < c.n; col++)
            max = fmax(max, col_value(&c, rows[r].s, col, KT_PV_RECORDS_S));
    height = PLOT_TOP + ph + AXIS_B + 40;
    svg_begin(out, id, title, height);
    fprintf(out, "<text x=\"8\" y=\"38\" class=\"sub\">records/s per %s bucket%s; blank: none</text>\n",
            c.per > 1 ? "group of" : "time", c.per > 1 ? "s" : "");
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f7f7f7\"/>\n", HEAT_X,
            PLOT_TOP, pw, ph);
    for (size_t r = 0; r < nrows; r++) {
        int y = PLOT_TOP + (int)r * HEAT_ROW;
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"rowlabel\">", HEAT_X - 6,
                y + 14);
        esc_cut(out, rows[r].label, 36);
        fputs("<title>", out);
        esc(out, rows[r].label);
        fputs("</title></text>\n", out);
        for (size_t col = 0; col < c.n; col++) {
            double v = col_value(&c, rows[r].s, col, KT_PV_RECORDS_S);
            double x = x_of_ns(&c, HEAT_X, pw, (double)c.t0_ns + (double)(col * c.per) *
                                                   (double)tl->width_ns);
            double x2 = x_of_ns(&c, HEAT_X, pw, (double)c.t0_ns + (double)((col + 1) * c.per) *
                                                    (double)tl->width_ns);
            if (!(v > 0) || max <= 0)
                continue;
            if (x2 > HEAT_X + pw)
                x2 = HEAT_X + pw;
            heat_color(color, sizeof color, sqrt(v / max));
            kt_report_clock(a, sizeof a, (uint64_t)col_mid_ns(&c, col), tl->width_ns < 1000000000u);
            num_text(buf, sizeof buf, v);
            fprintf(out, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">"
                         "<title>%s: %s records/s</title></rect>\n", x, y + 1, x2 - x + 0.3,
                    HEAT_ROW - 2, color, a, buf);
        }
    }
    x_axis(out, &c, HEAT_X, pw, PLOT_TOP + ph);
    /* the colour scale: the value at each step's top */
    {
        int ly = PLOT_TOP + ph + AXIS_B + 8;
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"legend\">records/s</text>\n",
                HEAT_X - 6, ly + 13);
        for (int k = 1; k <= HEAT_STEPS; k++) {
            double t = (double)k / HEAT_STEPS;
            heat_color(color, sizeof color, t);
            num_text(buf, sizeof buf, t * t * max);
            fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"26\" height=\"16\" fill=\"%s\"/>"
                         "<text x=\"%d\" y=\"%d\" class=\"legend\">&#8804; %s</text>\n",
                    HEAT_X + (k - 1) * 100, ly, color, HEAT_X + (k - 1) * 100 + 30, ly + 13, buf);
        }
    }
    svg_end(out);
}

/* ---- bars ------------------------------------------------------------------ */

#define BAR_ROW 22
#define BAR_X 250
#define BAR_NOTE 250         /* room for the notes right of the bars */

void kt_svg_bars(FILE *out, const kt_bar_plot *p)
{
    size_t n = p->nbars < KT_PLOT_MAX_BARS ? p->nbars : KT_PLOT_MAX_BARS;
    int pw = SVG_W - BAR_X - BAR_NOTE, ph = (int)n * BAR_ROW, height, top = PLOT_TOP - 10;
    double max = p->max > 0 ? p->max : 1, step = max / 4;
    int nticks = 4;
    char buf[32];

    if (!p->percent) {          /* round ticks, the axis ending on one */
        step = nice_step(max, 4);
        nticks = (int)ceil(max / step - 1e-9);
        max = step * nticks;
    }
    height = top + ph + AXIS_B + 30;
    svg_begin(out, p->id, p->title, height);
    for (int k = 0; k <= nticks; k++) {
        double v = step * k, x = BAR_X + (double)pw * k / nticks;
        if (p->percent)
            snprintf(buf, sizeof buf, "%g%%", 100.0 * k / nticks);
        else
            num_text(buf, sizeof buf, v);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                     "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x, top, x, top + ph, x, top + ph + 16, buf);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">", BAR_X + pw / 2,
            top + ph + 34);
    esc(out, p->unit);
    fputs("</text>\n", out);
    for (size_t i = 0; i < n; i++) {
        const kt_bar *b = &p->bars[i];
        int y = top + (int)i * BAR_ROW;
        double x = BAR_X;
        fprintf(out, "<g class=\"bar\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"rowlabel\">",
                BAR_X - 6, y + 15);
        esc_cut(out, b->label, 36);
        fputs("<title>", out);
        esc(out, b->label);
        fputs("</title></text>", out);
        for (int k = 0; k < p->nparts; k++) {
            double w = b->part[k] / max * pw;
            if (!(w > 0))
                continue;
            fprintf(out, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">"
                         "<title>", x, y + 3, w, BAR_ROW - 6, p->part_color[k]);
            esc(out, p->part_name[k]);
            num_text(buf, sizeof buf, b->part[k]);
            fprintf(out, ": %s</title></rect>", buf);
            x += w;
        }
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"note\">", x + 6, y + 15);
        esc(out, b->note);
        fputs("</text></g>\n", out);
    }
    if (p->marker >= 0 && p->marker <= max) {
        double x = BAR_X + p->marker / max * pw;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\" "
                     "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" class=\"legend\">",
                x, top - 2, x, top + ph, x + 4, top - 4);
        esc(out, p->marker_label);
        fputs("</text>\n", out);
    }
    /* legend of the parts */
    for (int k = 0; k < p->nparts && p->nparts > 1; k++) {
        int lx = BAR_X + k * 140, ly = top + ph + AXIS_B + 6;
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" fill=\"%s\"/>"
                     "<text x=\"%d\" y=\"%d\" class=\"legend\">", lx, ly, p->part_color[k],
                lx + 18, ly + 11);
        esc(out, p->part_name[k]);
        fputs("</text>\n", out);
    }
    svg_end(out);
}
