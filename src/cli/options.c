/* options.c - command line parsing (getopt_long), driven by one table.
 *
 * Each option is one row of `options` below: its long name and letter, how
 * its argument is read and the range accepted, where the value goes in
 * kt_options, the phrase of its error message and its --help line.  The
 * getopt tables and --help are built from the rows.  Defaults are written
 * once: the stages' own defaults functions (capture, session, reassembly)
 * set theirs, a row's `def` the rest, and --help prints them from a
 * kt_options filled the way parsing starts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "capture/time_bound.h"
#include "kafka/kafka_framing.h"
#include "dissectors/kafka_records.h"
#include "cli/options.h"
#include "findings/findings.h"
#include "report/report_model.h"

#define KT_STR_(x) #x
#define KT_STR(x) KT_STR_(x)

/* How an argument is read. */
enum arg_kind {
    ARG_NONE,           /* no argument: stores `set` */
    ARG_STRING,         /* kept as given */
    ARG_SIZE,           /* a number with an optional k/M/G suffix, min..max */
    ARG_SECONDS,        /* seconds, fractions allowed, 0 to 1e7; more than
                           0 when min is 1 */
    ARG_PORTS,          /* comma separated broker ports */
    ARG_EVENTS,         /* optional 'text' or 'json' */
    ARG_SORT,           /* a name of kt_partition_sort_parse() */
    ARG_INPUT,          /* a capture file or glob, added to the list (-r) */
    ARG_TIME,           /* kt_time_bound_parse(), into a kt_time_bound */
    ARG_COUNT,          /* a plain decimal integer, min..max */
    ARG_FILE_SIZE,      /* tcpdump's -C: millions of bytes, or k/M/G for
                           KiB/MiB/GiB; min..max bytes */
};

/* Where the value goes: the type of the kt_options field at `offset`. */
enum dest_type { T_INT, T_U32, T_U64, T_SIZE, T_SECONDS, T_MICROS, T_STR, T_NONE };

/* How --help shows the default. */
enum show { SHOW_NONE, SHOW_NUMBER, SHOW_BYTES, SHOW_SECONDS, SHOW_PORTS };

#define STOP 1          /* flags: parsing ends at this option (-h, -V) */
#define OWN_DEFAULT 2   /* flags: `def` is the default (no stage sets it) */

typedef struct opt_row {
    const char *name;       /* long name */
    int letter;             /* short option, 0 for long only */
    enum arg_kind arg;
    uint64_t min, max;      /* ARG_SIZE: accepted range */
    enum dest_type type;    /* the field at offset */
    size_t offset;          /* into kt_options */
    int set;                /* ARG_NONE: the value stored */
    uint64_t def;           /* the default, with OWN_DEFAULT */
    int flags;
    const char *wants;      /* error: "<option> <wants>, not '<argument>'" */
    const char *metavar;    /* --help: the argument's name */
    const char *help;       /* --help: what it does */
    enum show show;         /* --help: how its default is written */
    const char *note;       /* --help: after the default, or NULL */
} opt_row;

#define AT(field) offsetof(kt_options, field)

/* In the order of --help. */
static const opt_row options[] = {
    { .name = "read", .letter = 'r', .arg = ARG_INPUT, .type = T_NONE,
      .metavar = "FILE",
      .help = "read a capture (pcap, pcapng, .gz; - for stdin); several "
              "files or a glob: one stream, in time order" },
    { .name = "since", .arg = ARG_TIME, .type = T_NONE,
      .offset = AT(capture.since), .metavar = "TIME",
      .wants = "wants a time (2026-11-29T10:00:00Z, epoch seconds) or an "
               "offset from the first packet (+30s, +5m, +1h)",
      .help = "files: report only requests sent at or after TIME" },
    { .name = "until", .arg = ARG_TIME, .type = T_NONE,
      .offset = AT(capture.until), .metavar = "TIME",
      .wants = "wants a time (2026-11-29T10:00:00Z, epoch seconds) or an "
               "offset from the first packet (+30s, +5m, +1h)",
      .help = "files: stop reading at TIME" },
    { .name = "file-gap", .arg = ARG_SECONDS, .min = 1, .type = T_SECONDS,
      .offset = AT(capture.file_gap_s),
      .wants = "wants a positive number of seconds", .metavar = "S",
      .help = "files: report time missing between files above S s (default "
              KT_STR(KT_FILE_GAP_DEFAULT_S) ")" },
    { .name = "quiet", .letter = 'q', .arg = ARG_NONE, .type = T_INT,
      .offset = AT(capture.quiet), .set = 1,
      .help = "no progress line or notices on standard error" },
    { .name = "interface", .letter = 'i', .arg = ARG_STRING, .type = T_STR,
      .offset = AT(capture.interface), .metavar = "INTERFACE",
      .help = "capture live until interrupted" },
    { .name = "ports", .letter = 'P', .arg = ARG_PORTS, .type = T_NONE,
      .wants = "wants ports 1-65535 separated by commas", .metavar = "PORTS",
      .help = "broker ports, comma separated", .show = SHOW_PORTS },
    { .name = "no-autodetect", .arg = ARG_NONE, .type = T_INT,
      .offset = AT(session.autodetect), .set = 0,
      .help = "only treat traffic on -P ports as Kafka" },
    { .name = "json", .arg = ARG_NONE, .type = T_INT, .offset = AT(output),
      .set = KT_OUT_JSON, .help = "the report as one JSON document" },
    { .name = "html", .arg = ARG_STRING, .type = T_STR, .offset = AT(html),
      .metavar = "FILE",
      .help = "also the report as a self-contained HTML page, to FILE" },
    { .name = "events", .arg = ARG_EVENTS, .type = T_INT, .offset = AT(events),
      .wants = "takes 'text' or 'json'", .metavar = "[=json]",
      .help = "one record per request instead of the report" },
    { .name = "interval", .letter = 'I', .arg = ARG_SECONDS, .min = 1,
      .type = T_SECONDS, .offset = AT(interval_s),
      .wants = "wants a positive number of seconds", .metavar = "SECONDS",
      .help = "live: print a report of the last SECONDS every SECONDS" },
    { .name = "cumulative", .arg = ARG_NONE, .type = T_INT,
      .offset = AT(cumulative), .set = 1,
      .help = "-I reports cover the whole run so far" },
    { .name = "count", .letter = 'c', .arg = ARG_SIZE, .min = 1,
      .max = UINT64_MAX >> 1, .type = T_U64, .offset = AT(capture.count),
      .wants = "wants a positive number of packets", .metavar = "COUNT",
      .help = "stop after COUNT packets" },
    { .name = "duration", .arg = ARG_SECONDS, .min = 1, .type = T_SECONDS,
      .offset = AT(capture.duration_s),
      .wants = "wants a positive number of seconds", .metavar = "SECONDS",
      .help = "stop after SECONDS (files: of capture time)" },
    { .name = "write", .letter = 'w', .arg = ARG_STRING, .type = T_STR,
      .offset = AT(capture.write_file), .metavar = "FILE",
      .help = "also save the packets read to FILE (pcap)" },
    { .name = "file-size", .letter = 'C', .arg = ARG_FILE_SIZE, .min = 1,
      .max = 1ull << 50, .type = T_U64, .offset = AT(capture.write_file_size),
      .wants = "wants a positive file size in millions of bytes (or with "
               "k, M or G: KiB, MiB, GiB)", .metavar = "FILE_SIZE",
      .help = "-w: a new file when it passes FILE_SIZE x 1,000,000 bytes" },
    { .name = "rotate-seconds", .letter = 'G', .arg = ARG_COUNT, .min = 1,
      .max = 1u << 30, .type = T_U32, .offset = AT(capture.rotate_s),
      .wants = "wants a positive whole number of seconds", .metavar = "SECONDS",
      .help = "-w: a new file every SECONDS, named by strftime(3)" },
    { .name = "file-count", .letter = 'W', .arg = ARG_COUNT, .min = 1,
      .max = 1000000, .type = T_U32, .offset = AT(capture.file_count),
      .wants = "wants 1 to 1000000 files", .metavar = "FILECOUNT",
      .help = "-C: keep a ring of FILECOUNT files; -G: stop after FILECOUNT" },
    { .name = "no-promiscuous-mode", .letter = 'p', .arg = ARG_NONE,
      .type = T_INT, .offset = AT(capture.promisc), .set = 0,
      .help = "live: do not put the interface in promiscuous mode" },
    { .name = "relinquish-privileges", .letter = 'Z', .arg = ARG_STRING,
      .type = T_STR, .offset = AT(user), .metavar = "USER",
      .help = "as root: run as USER once the capture is open (default nobody)" },
    { .name = "top", .arg = ARG_SIZE, .min = 1, .max = 1000000, .type = T_INT,
      .offset = AT(top_n), .def = 20, .flags = OWN_DEFAULT,
      .wants = "wants 1 to 1000000 rows", .metavar = "N",
      .help = "rows of the topic-partition table", .show = SHOW_NUMBER },
    { .name = "sort", .arg = ARG_SORT, .type = T_INT, .offset = AT(sort),
      .def = KT_SORT_RECORDS, .flags = OWN_DEFAULT,
      .wants = "takes records, bytes, time, errors or lag", .metavar = "KEY",
      .help = "order of the topic-partition table (default records)" },
    { .name = "slow-produce-ms", .arg = ARG_SIZE, .min = 1, .max = 3600000,
      .type = T_INT, .offset = AT(slow_produce_ms), .def = KT_SLOW_PRODUCE_MS_DEFAULT,
      .flags = OWN_DEFAULT, .wants = "wants 1 to 3600000 ms", .metavar = "N",
      .help = "findings: Produce taking N ms or more is slow", .show = SHOW_NUMBER },
    { .name = "slow-fetch-ms", .arg = ARG_SIZE, .min = 1, .max = 3600000,
      .type = T_INT, .offset = AT(slow_fetch_ms), .def = KT_SLOW_FETCH_MS_DEFAULT,
      .flags = OWN_DEFAULT, .wants = "wants 1 to 3600000 ms", .metavar = "N",
      .help = "findings: Fetch with data taking N ms or more is slow",
      .show = SHOW_NUMBER },
    { .name = "bucket", .arg = ARG_SECONDS, .min = 1, .type = T_SECONDS,
      .offset = AT(bucket_s), .wants = "wants a positive number of seconds",
      .metavar = "SECONDS",
      .help = "timeline bucket width (default: from the capture's length)" },
    { .name = "ascii", .arg = ARG_NONE, .type = T_INT, .offset = AT(ascii),
      .set = 1, .help = "sparklines in ASCII, not Unicode blocks" },
    { .name = "snaplen", .letter = 's', .arg = ARG_SIZE, .min = 64,
      .max = KT_SNAPLEN_MAX, .type = T_INT, .offset = AT(capture.snaplen),
      .wants = "wants a snap length from 64 to " KT_STR(KT_SNAPLEN_MAX),
      .metavar = "SNAPLEN", .help = "live: snap length", .show = SHOW_NUMBER },
    { .name = "buffer-size", .letter = 'B', .arg = ARG_SIZE, .min = 1,
      .max = 4096, .type = T_INT, .offset = AT(capture.buffer_mb),
      .wants = "wants megabytes from 1 to 4096", .metavar = "MEGABYTES",
      .help = "live: kernel capture buffer", .show = SHOW_NUMBER },
    { .name = "max-frame", .arg = ARG_SIZE, .min = 64, .max = 1ull << 31,
      .type = T_SIZE, .offset = AT(session.max_frame),
      .wants = "wants bytes from 64 to 2G", .metavar = "BYTES",
      .help = "frame size cap", .show = SHOW_BYTES },
    { .name = "ooo-budget", .arg = ARG_SIZE, .min = 0, .max = 1ull << 32,
      .type = T_SIZE, .offset = AT(tcp.ooo_budget),
      .wants = "wants bytes up to 4G", .metavar = "BYTES",
      .help = "out-of-order bytes kept per direction", .show = SHOW_BYTES },
    { .name = "max-pending", .arg = ARG_SIZE, .min = 1, .max = 1000000,
      .type = T_U32, .offset = AT(session.max_pending),
      .wants = "wants 1 to 1000000", .metavar = "N",
      .help = "pending requests per connection", .show = SHOW_NUMBER },
    { .name = "max-pending-total", .arg = ARG_SIZE, .min = 1,
      .max = 1000000000, .type = T_U64, .offset = AT(session.max_pending_total),
      .wants = "wants 1 to 1000000000", .metavar = "N",
      .help = "pending requests of all connections", .show = SHOW_NUMBER },
    { .name = "max-connections", .arg = ARG_SIZE, .min = 1, .max = 100000000,
      .type = T_SIZE, .offset = AT(tcp.max_connections),
      .wants = "wants 1 to 100000000", .metavar = "N",
      .help = "TCP connections tracked", .show = SHOW_NUMBER },
    { .name = "ooo-total", .arg = ARG_SIZE, .min = 0, .max = 1ull << 40,
      .type = T_SIZE, .offset = AT(tcp.ooo_total_budget),
      .wants = "wants bytes up to 1T (0: no cap)", .metavar = "BYTES",
      .help = "out-of-order bytes of all connections", .show = SHOW_BYTES,
      .note = ", 0: no cap" },
    { .name = "frame-buffer-total", .arg = ARG_SIZE, .min = 0,
      .max = 1ull << 40, .type = T_SIZE, .offset = AT(session.frame_buffer_total),
      .wants = "wants bytes up to 1T (0: no cap)", .metavar = "BYTES",
      .help = "bytes of partial frames of all connections", .show = SHOW_BYTES },
    { .name = "max-client-ids", .arg = ARG_SIZE, .min = 1, .max = 100000000,
      .type = T_SIZE, .offset = AT(session.max_client_ids),
      .wants = "wants 1 to 100000000", .metavar = "N",
      .help = "distinct client ids kept", .show = SHOW_NUMBER },
    { .name = "max-topics", .arg = ARG_SIZE, .min = 1, .max = 100000000,
      .type = T_SIZE, .offset = AT(session.max_topics),
      .wants = "wants 1 to 100000000", .metavar = "N",
      .help = "distinct topic names and ids kept", .show = SHOW_NUMBER },
    { .name = "max-inflate", .arg = ARG_SIZE, .min = 1, .max = 1ull << 32,
      .type = T_SIZE, .offset = AT(session.max_inflate),
      .wants = "wants 1 byte to 4G", .metavar = "BYTES",
      .help = "gzip output per message body, to count legacy sets",
      .show = SHOW_BYTES },
    { .name = "request-timeout", .arg = ARG_SECONDS, .min = 1,
      .type = T_MICROS, .offset = AT(session.request_timeout_us),
      .wants = "wants a positive number of seconds", .metavar = "S",
      .help = "unanswered after S seconds", .show = SHOW_SECONDS },
    { .name = "hole-timeout", .arg = ARG_SECONDS, .min = 0, .type = T_MICROS,
      .offset = AT(tcp.hole_timeout_us),
      .wants = "wants a number of seconds", .metavar = "S",
      .help = "skip a TCP hole after S seconds", .show = SHOW_SECONDS },
    { .name = "idle-timeout", .arg = ARG_SECONDS, .min = 1, .type = T_MICROS,
      .offset = AT(tcp.idle_timeout_us),
      .wants = "wants a positive number of seconds", .metavar = "S",
      .help = "forget a connection idle for S seconds", .show = SHOW_SECONDS },
    { .name = "prometheus", .arg = ARG_STRING, .type = T_STR,
      .offset = AT(prometheus), .metavar = "[ADDR:]PORT",
      .help = "serve Prometheus metrics at http://ADDR:PORT/metrics" },
    { .name = "prometheus-top", .arg = ARG_SIZE, .min = 1, .max = 10000,
      .type = T_INT, .offset = AT(prometheus_top), .def = 10,
      .flags = OWN_DEFAULT, .wants = "wants 1 to 10000 partitions",
      .metavar = "N", .help = "partitions and client ids with their own metrics",
      .show = SHOW_NUMBER },
    { .name = "prometheus-linger", .arg = ARG_SECONDS, .min = 0,
      .type = T_SECONDS, .offset = AT(prometheus_linger_s),
      .wants = "wants a number of seconds", .metavar = "S",
      .help = "keep serving metrics S seconds after the capture ends" },
    { .name = "help", .letter = 'h', .arg = ARG_NONE, .type = T_INT,
      .offset = AT(help), .set = 1, .flags = STOP, .help = "this help" },
    { .name = "version", .letter = 'V', .arg = ARG_NONE, .type = T_INT,
      .offset = AT(version), .set = 1, .flags = STOP, .help = "version" },
};

#define N_OPTIONS (sizeof options / sizeof options[0])
#define LONG_ONLY_ID 1000   /* getopt's id of a long-only row: this + index */

/* "100M", "4k", "123" -> bytes. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    default: return -1;
    }
    if (*end == 'i' || *end == 'B')
        end++;
    if (*end == 'B')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* "12" -> 12: digits only. */
static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* tcpdump's -C: "100" is 100,000,000 bytes; "100k", "100M", "1G" are
 * binary units. */
static int parse_file_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v, unit = 1000000;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': unit = 1ull << 10; end++; break;
    case 'm': case 'M': unit = 1ull << 20; end++; break;
    case 'g': case 'G': unit = 1ull << 30; end++; break;
    default: return -1;
    }
    if (*end || v > UINT64_MAX / unit)
        return -1;
    *out = v * unit;
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || v < 0 || v > 1e7)
        return -1;
    *out = v;
    return 0;
}

static int parse_ports(kt_options *o, const char *arg)
{
    char *copy = strdup(arg), *tok, *save = NULL;
    int n = 0;
    if (!copy)
        return -1;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        long p = strtol(tok, &end, 10);
        if (*end || end == tok || p < 1 || p > 65535 || n >= KT_MAX_BROKER_PORTS) {
            free(copy);
            return -1;
        }
        o->session.broker_ports[n++] = (uint16_t)p;
    }
    free(copy);
    if (n == 0)
        return -1;
    o->session.nports = n;
    return 0;
}

/* Stores v (seconds for T_SECONDS and T_MICROS) in the row's field. */
static void store_number(kt_options *o, const opt_row *r, uint64_t v, double seconds)
{
    char *at = (char *)o + r->offset;
    switch (r->type) {
    case T_INT: *(int *)at = (int)v; break;
    case T_U32: *(uint32_t *)at = (uint32_t)v; break;
    case T_U64: *(uint64_t *)at = v; break;
    case T_SIZE: *(size_t *)at = (size_t)v; break;
    case T_SECONDS: *(double *)at = seconds; break;
    case T_MICROS: *(uint64_t *)at = (uint64_t)(seconds * 1e6); break;
    case T_STR: case T_NONE: break;
    }
}

/* The row's integer field (the default --help prints). */
static uint64_t load_number(const kt_options *o, const opt_row *r)
{
    const char *at = (const char *)o + r->offset;
    switch (r->type) {
    case T_INT: return (uint64_t)*(const int *)at;
    case T_U32: return *(const uint32_t *)at;
    case T_U64: case T_MICROS: return *(const uint64_t *)at;
    case T_SIZE: return *(const size_t *)at;
    case T_SECONDS: case T_STR: case T_NONE: break;
    }
    return 0;
}

/* The options as parsing starts: every default set. */
static void set_defaults(kt_options *o)
{
    size_t i;
    memset(o, 0, sizeof *o);
    kt_capture_config_defaults(&o->capture);
    kt_session_config_defaults(&o->session);
    kt_tcp_config_defaults(&o->tcp);
    for (i = 0; i < N_OPTIONS; i++)
        if (options[i].flags & OWN_DEFAULT)
            store_number(o, &options[i], options[i].def, 0);
}

/* "-s" or "--max-frame", as error messages name an option. */
static void option_name(const opt_row *r, char *buf, size_t len)
{
    if (r->letter)
        snprintf(buf, len, "-%c", r->letter);
    else
        snprintf(buf, len, "--%s", r->name);
}

/* One more capture file (or glob) to read. */
static int add_input(kt_options *o, const char *arg, char *err, size_t errlen)
{
    const char **f = realloc(o->inputs_owned, (o->capture.nread_files + 1) * sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    f[o->capture.nread_files++] = arg;
    o->inputs_owned = f;
    o->capture.read_files = f;
    o->capture.read_file = f[0];
    return 0;
}

/* An operand after -r FILE that names a regular file is one more capture
 * file (a shell-expanded glob: -r kafka-*.pcap), not the filter. */
static int is_capture_file(const char *s)
{
    struct stat sb;
    return stat(s, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Reads one option's argument (NULL when it has none) into o.  Returns 0,
 * or -1 with the message in err. */
static int apply(kt_options *o, const opt_row *r, const char *arg, char *err, size_t errlen)
{
    uint64_t v = 0;
    double d = 0;
    int ok = 1;
    char name[64];

    switch (r->arg) {
    case ARG_NONE:
        store_number(o, r, (uint64_t)r->set, 0);
        return 0;
    case ARG_STRING:
        *(const char **)((char *)o + r->offset) = arg;
        return 0;
    case ARG_INPUT:
        return add_input(o, arg, err, errlen);
    case ARG_TIME:
        ok = kt_time_bound_parse(arg, (kt_time_bound *)((char *)o + r->offset)) == 0;
        if (ok)
            return 0;
        break;
    case ARG_SIZE:
        ok = parse_size(arg, &v) == 0 && v >= r->min && v <= r->max;
        break;
    case ARG_SECONDS:
        ok = parse_seconds(arg, &d) == 0 && (r->min == 0 || d > 0);
        break;
    case ARG_COUNT:
        ok = parse_count(arg, &v) == 0 && v >= r->min && v <= r->max;
        break;
    case ARG_FILE_SIZE:
        ok = parse_file_size(arg, &v) == 0 && v >= r->min && v <= r->max;
        break;
    case ARG_PORTS:
        ok = parse_ports(o, arg) == 0;
        break;
    case ARG_SORT: {
        int k = kt_partition_sort_parse(arg);
        ok = k >= 0;
        v = ok ? (uint64_t)k : 0;
        break;
    }
    case ARG_EVENTS:
        if (!arg || strcmp(arg, "text") == 0)
            v = KT_EVENTS_TEXT;
        else if (strcmp(arg, "json") == 0)
            v = KT_EVENTS_JSON;
        else
            ok = 0;
        break;
    }
    if (!ok) {
        option_name(r, name, sizeof name);
        snprintf(err, errlen, "%s %s, not '%s'", name, r->wants, arg);
        return -1;
    }
    store_number(o, r, v, d);
    return 0;
}

/* "9092" or "9092,9093": what the old `-p PORTS` left behind as a BPF
 * expression (-p meant broker ports before it took tcpdump's meaning). */
static int looks_like_ports(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((*s < '0' || *s > '9') && *s != ',')
            return 0;
    return 1;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int kt_options_parse(kt_options *o, int argc, char **argv, char *err, size_t errlen)
{
    struct option longopts[N_OPTIONS + 1];
    char shortopts[2 * N_OPTIONS + 2];
    size_t i, ns = 0;
    int ch;

    set_defaults(o);
    shortopts[ns++] = ':';      /* a missing argument is ':', not '?' */
    for (i = 0; i < N_OPTIONS; i++) {
        const opt_row *r = &options[i];
        int id = r->letter ? r->letter : LONG_ONLY_ID + (int)i;
        longopts[i] = (struct option){
            r->name,
            r->arg == ARG_NONE ? no_argument :
            r->arg == ARG_EVENTS ? optional_argument : required_argument,
            NULL, id };
        if (r->letter) {
            shortopts[ns++] = (char)r->letter;
            if (r->arg != ARG_NONE)
                shortopts[ns++] = ':';
        }
    }
    longopts[N_OPTIONS] = (struct option){ NULL, 0, NULL, 0 };
    shortopts[ns] = 0;

    /* 0, not 1: a full reset of getopt (glibc, musl and BSD alike), or a
     * second parse resumes inside the argv of the first (after "-hV") */
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const opt_row *r = NULL;
        if (ch >= LONG_ONLY_ID && ch < LONG_ONLY_ID + (int)N_OPTIONS)
            r = &options[ch - LONG_ONLY_ID];
        for (i = 0; !r && ch < 256 && i < N_OPTIONS; i++)
            if (options[i].letter == ch)
                r = &options[i];
        if (r) {
            if (apply(o, r, optarg, err, errlen) < 0)
                return -1;
            if (r->flags & STOP)
                return 0;
            continue;
        }
        if (ch == ':')
            FAIL("option '%s' needs a value", argv[optind - 1]);
        if (optopt && optopt < 256)
            FAIL("unknown option '-%c'", optopt);
        FAIL("unknown option '%s'", argv[optind - 1]);
    }
    while (o->capture.read_file && strcmp(o->capture.read_file, "-") &&
           optind < argc && is_capture_file(argv[optind]))
        if (add_input(o, argv[optind++], err, errlen) < 0)
            return -1;
    if (!!o->capture.read_file == !!o->capture.interface)
        FAIL("give exactly one of -r FILE or -i INTERFACE");
    if ((o->capture.since.set || o->capture.until.set) && !o->capture.read_file)
        FAIL("--since and --until work with capture files (-r) only");
    if (o->capture.since.set && o->capture.until.set &&
        o->capture.since.relative == o->capture.until.relative &&
        o->capture.since.us >= o->capture.until.us)
        FAIL("--since must come before --until");
    if (o->interval_s > 0 && !o->capture.interface)
        FAIL("-I works with live capture (-i) only");
    if (o->cumulative && o->interval_s <= 0)
        FAIL("--cumulative works with -I only");
    if (o->output == KT_OUT_JSON && o->events != KT_EVENTS_NONE)
        FAIL("--json and --events contradict each other: --events prints "
             "records instead of the report (--events=json for JSON records)");
    if (o->capture.write_file && strcmp(o->capture.write_file, "-") == 0)
        FAIL("-w - would mix packets with the report on standard output");
    if (o->capture.write_file_size && !o->capture.write_file)
        FAIL("-C rotates the -w file: give -w FILE too");
    if (o->capture.rotate_s && !o->capture.write_file)
        FAIL("-G rotates the -w file: give -w FILE too");
    if (o->capture.file_count && !o->capture.write_file_size && !o->capture.rotate_s)
        FAIL("-W counts the files of -C or -G: give one of them too");
    if (o->capture.write_file && !o->capture.write_file[0])
        FAIL("-w needs a file name");
    if (!o->capture.promisc && optind < argc && looks_like_ports(argv[optind]))
        FAIL("-p means no promiscuous mode, as in tcpdump; broker ports are "
             "-P %s", argv[optind]);
    if (optind < argc) {
        size_t len = 0;
        for (int k = optind; k < argc; k++)
            len += strlen(argv[k]) + 1;
        o->bpf_owned = malloc(len);
        if (!o->bpf_owned)
            FAIL("out of memory");
        o->bpf_owned[0] = 0;
        for (int k = optind; k < argc; k++) {
            if (k > optind)
                strcat(o->bpf_owned, " ");
            strcat(o->bpf_owned, argv[k]);
        }
        o->capture.bpf = o->bpf_owned;
    }
    return 0;
}

void kt_options_free(kt_options *o)
{
    free(o->bpf_owned);
    o->bpf_owned = NULL;
    free(o->inputs_owned);
    o->inputs_owned = NULL;
}

/* The default of a row as --help writes it: "9092", "100M", "120". */
static void default_text(const kt_options *o, const opt_row *r, char *buf, size_t len)
{
    uint64_t v = load_number(o, r);
    size_t n = 0;
    int i;

    switch (r->show) {
    case SHOW_NONE:
        buf[0] = 0;
        break;
    case SHOW_NUMBER:
        snprintf(buf, len, "%llu", (unsigned long long)v);
        break;
    case SHOW_BYTES:
        if (v && v % (1ull << 30) == 0)
            snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
        else if (v && v % (1ull << 20) == 0)
            snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
        else if (v && v % (1ull << 10) == 0)
            snprintf(buf, len, "%lluk", (unsigned long long)(v >> 10));
        else
            snprintf(buf, len, "%llu", (unsigned long long)v);
        break;
    case SHOW_SECONDS:
        snprintf(buf, len, "%g", (double)v / 1e6);
        break;
    case SHOW_PORTS:
        buf[0] = 0;
        for (i = 0; i < o->session.nports && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s%u", i ? "," : "",
                                  (unsigned)o->session.broker_ports[i]);
        break;
    }
}

void kt_usage(FILE *out)
{
    kt_options o;
    size_t i;

    set_defaults(&o);
    fputs("usage: kafkatap -r FILE | -i INTERFACE [options] [BPF expression]\n"
          "       kafkatap merge [--json] REPORT.json... (kafkatap merge --help)\n", out);
    for (i = 0; i < N_OPTIONS; i++) {
        const opt_row *r = &options[i];
        char label[64], def[64];
        int n;

        if (r->letter && r->arg == ARG_NONE)
            n = snprintf(label, sizeof label, "-%c, --%s", r->letter, r->name);
        else if (r->letter)
            n = snprintf(label, sizeof label, "-%c %s", r->letter, r->metavar);
        else if (r->arg == ARG_EVENTS)
            n = snprintf(label, sizeof label, "--%s%s", r->name, r->metavar);
        else
            n = snprintf(label, sizeof label, "--%s%s%s", r->name,
                         r->metavar ? " " : "", r->metavar ? r->metavar : "");
        /* descriptions start in column 23, or two spaces after a longer
         * label */
        fprintf(out, "  %s%*s%s", label, n + 2 < 21 ? 21 - n : 2, "", r->help);
        default_text(&o, r, def, sizeof def);
        if (def[0])
            fprintf(out, " (default %s%s)", def, r->note ? r->note : "");
        fputc('\n', out);
    }
}
