/* html_plot.h - plain inline SVG plots for the HTML report (report_html.c):
 * lines over time and a heat map over time, both of timeline rows
 * (report_timeline.h), and horizontal bars.  Every plot is one <svg> with
 * a <title>, a visible title, axes with units and a legend; no script, no
 * external reference.  Text from the wire is escaped (common/escape.h).
 *
 * Bounds: at most KT_PLOT_MAX_COLS points per line (past that, adjacent
 * buckets are grouped: a latency point is the highest of its buckets, a
 * rate their sum over their time; KT_PLOT_HEAT_COLS columns of a heat
 * map), KT_PLOT_MAX_LINES series per line plot
 * (the highest peaks; the title says how many more), KT_PLOT_MAX_BARS
 * bars.  Time axes are UTC. */
#ifndef KT_HTML_PLOT_H
#define KT_HTML_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include "report/report_timeline.h"

#define KT_PLOT_MAX_COLS 300
#define KT_PLOT_HEAT_COLS 100
#define KT_PLOT_MAX_LINES 12
#define KT_PLOT_MAX_BARS 20

/* What a point of a series is, per group of buckets. */
enum kt_plot_value {
    KT_PV_P50,          /* latency p50, ms (highest of the group) */
    KT_PV_P99,          /* latency p99, ms (highest of the group) */
    KT_PV_ERRORS_S,     /* errored + unanswered responses per second */
    KT_PV_THROTTLE_MS,  /* largest throttle time announced, ms */
    KT_PV_RECORDS_S,    /* records per second */
};

typedef struct kt_line_plot {
    const char *id;                 /* the svg's id */
    const char *title;
    const char *unit;               /* the y axis */
    const kt_timeline *tl;          /* with buckets */
    const kt_report_tl_row *rows;
    size_t nrows;
    int what[2];                    /* enum kt_plot_value: solid, dashed */
    int nwhat;                      /* 1 or 2 */
    int allow_log;                  /* a log y axis when values span 30x */
} kt_line_plot;

/* One <path> per shown row and value (class "series", data-series the
 * row's label, data-stat the value's name), rows' colours in the legend.
 * A line joins the points across gaps (buckets without a value) shorter
 * than a twentieth of the axis and breaks at longer ones; a point alone is
 * a dot. */
void kt_svg_lines(FILE *out, const kt_line_plot *p);

/* Records per second of each row (a topic-partition) per group of
 * buckets, one rect per non-empty cell, a colour scale as its legend. */
void kt_svg_heat(FILE *out, const char *id, const char *title, const kt_timeline *tl,
                 const kt_report_tl_row *rows, size_t nrows);

#define KT_BAR_PARTS 4

typedef struct kt_bar {
    char label[160];                /* escaped on output */
    double part[KT_BAR_PARTS];      /* stacked, in the bar's unit */
    char note[200];                 /* at the bar's end */
} kt_bar;

typedef struct kt_bar_plot {
    const char *id, *title, *unit;  /* unit: the x axis */
    const kt_bar *bars;
    size_t nbars;                   /* at most KT_PLOT_MAX_BARS shown */
    double max;                     /* the axis' end */
    int nparts;
    const char *part_name[KT_BAR_PARTS];
    const char *part_color[KT_BAR_PARTS];
    double marker;                  /* a dashed line at this value, < 0 none */
    const char *marker_label;
    int percent;                    /* ticks as percentages of max */
} kt_bar_plot;

void kt_svg_bars(FILE *out, const kt_bar_plot *p);

#endif
