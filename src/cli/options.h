/* options.h - the command line, parsed into one struct (see man/kafkatap.1
 * for what each flag means). */
#ifndef KT_OPTIONS_H
#define KT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "capture/capture.h"
#include "kafka/kafka_session.h"
#include "reassembly/tcp_reassembly.h"

enum kt_output { KT_OUT_TEXT = 0, KT_OUT_JSON };
enum kt_events { KT_EVENTS_NONE = 0, KT_EVENTS_TEXT, KT_EVENTS_JSON };

typedef struct kt_options {
    kt_capture_config capture;
    kt_session_config session;
    kt_tcp_config tcp;
    int output;               /* enum kt_output */
    int events;               /* enum kt_events */
    double interval_s;        /* -I: live interim reports, 0 = none */
    int cumulative;           /* --cumulative: -I reports cover the whole run */
    const char *user;         /* -Z: the user to run as once the capture is
                                 open (root only; default "nobody") */
    int top_n;                /* --top: partition table rows, default 20 */
    const char *prometheus;   /* --prometheus [ADDR:]PORT, NULL = no endpoint */
    int prometheus_top;       /* --prometheus-top: partitions with series, default 10 */
    double prometheus_linger_s; /* --prometheus-linger: serve on after the end */
    int sort;                 /* --sort: enum kt_partition_sort, default records */
    int slow_produce_ms;      /* --slow-produce-ms, default 100 */
    int slow_fetch_ms;        /* --slow-fetch-ms, default 1000 */
    double bucket_s;          /* --bucket: timeline bucket width, 0 = auto */
    int ascii;                /* --ascii: sparklines without Unicode */
    const char *html;         /* --html FILE: the report as an HTML page too */
    char *bpf_owned;          /* the joined filter expression */
    const char **inputs_owned; /* capture.read_files */
    int help, version;
} kt_options;

/* Returns 0 on success; on a usage error writes one line to err and returns
 * -1.  Fills defaults first. */
int kt_options_parse(kt_options *o, int argc, char **argv, char *err, size_t errlen);
void kt_options_free(kt_options *o);
void kt_usage(FILE *out);

#endif
