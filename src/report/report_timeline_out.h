/* report_timeline_out.h - the timeline rendered: the --json "timeline"
 * section and the findings' started/ended, the text "When" section and a
 * finding's "(since HH:MM:SS UTC)".  They only read the report's timeline
 * (report_timeline.h). */
#ifndef KT_REPORT_TIMELINE_OUT_H
#define KT_REPORT_TIMELINE_OUT_H

#include <stddef.h>
#include <stdio.h>
#include "common/json_writer.h"
#include "report/report_timeline.h"

/* "timeline": {...}, or null when there is none. */
void kt_report_json_timeline(kt_json *j, const kt_report_timeline *r);
/* "started", "ended" (seconds since the epoch) and "ongoing" of finding
 * number `finding`: null when it was not placed in time. */
void kt_report_json_when(kt_json *j, const kt_report_timeline *r, size_t finding);
/* " (since HH:MM:SS UTC)", or "" when the finding was not placed in time. */
void kt_report_text_since(char *buf, size_t len, const kt_report_timeline *r, size_t finding);
/* "HH:MM:SS" (UTC) of ns since the epoch; "HH:MM:SS.mmm" when ms. */
void kt_report_clock(char *buf, size_t len, uint64_t ns, int ms);
/* The "When" section; nothing without a timeline.  ascii: sparklines in
 * ASCII rather than Unicode block characters. */
void kt_report_text_when(FILE *out, const kt_report_timeline *r, const kt_finding *f,
                         size_t nfindings, int ascii);

#endif
