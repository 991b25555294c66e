/* options.c - command line parsing (getopt_long). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kafka/kafka_framing.h"
#include "dissectors/kafka_records.h"
#include "cli/options.h"

void kt_usage(FILE *out)
{
    fputs("usage: kafkatap -r FILE | -i INTERFACE [options] [BPF expression]\n"
          "  -r FILE              read a capture (pcap, pcapng, .gz; - for stdin)\n"
          "  -i INTERFACE         capture live until interrupted\n"
          "  -p PORTS             broker ports, comma separated (default 9092)\n"
          "  --no-autodetect      only treat traffic on -p ports as Kafka\n"
          "  --json               the report as one JSON document\n"
          "  --events[=json]      one record per request instead of the report\n"
          "  -I SECONDS           live: print a report every SECONDS\n"
          "  --top N              rows of the topic-partition table (default 20)\n"
          "  -s SNAPLEN           live: snap length (default 262144)\n"
          "  -B MEGABYTES         live: kernel capture buffer (default 64)\n"
          "  --max-frame BYTES    frame size cap (default 100M)\n"
          "  --ooo-budget BYTES   out-of-order bytes kept per direction (default 4M)\n"
          "  --max-pending N      pending requests per connection (default 1024)\n"
          "  --max-pending-total N  pending requests of all connections (default 1000000)\n"
          "  --max-connections N  TCP connections tracked (default 65536)\n"
          "  --ooo-total BYTES    out-of-order bytes of all connections (default 256M, 0: no cap)\n"
          "  --frame-buffer-total BYTES  bytes of partial frames of all connections (default 256M)\n"
          "  --max-client-ids N   distinct client ids kept (default 10000)\n"
          "  --max-topics N       distinct topic names and ids kept (default 100000)\n"
          "  --max-inflate BYTES  gzip output per message body, to count legacy sets (default 16M)\n"
          "  --request-timeout S  unanswered after S seconds (default 120)\n"
          "  --hole-timeout S     skip a TCP hole after S seconds (default 5)\n"
          "  -h, --help           this help\n"
          "  -V, --version        version\n",
          out);
}

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

enum {
    OPT_JSON = 1000, OPT_EVENTS, OPT_NO_AUTODETECT, OPT_MAX_FRAME, OPT_OOO,
    OPT_MAX_PENDING, OPT_MAX_CONN, OPT_REQ_TIMEOUT, OPT_HOLE_TIMEOUT, OPT_TOP, OPT_MAX_PENDING_TOTAL, OPT_OOO_TOTAL, OPT_FRAME_TOTAL,
    OPT_MAX_CLIENT_IDS, OPT_MAX_TOPICS, OPT_MAX_INFLATE,
};

static const struct option longopts[] = {
    { "read", required_argument, NULL, 'r' },
    { "interface", required_argument, NULL, 'i' },
    { "ports", required_argument, NULL, 'p' },
    { "interval", required_argument, NULL, 'I' },
    { "snaplen", required_argument, NULL, 's' },
    { "buffer-size", required_argument, NULL, 'B' },
    { "json", no_argument, NULL, OPT_JSON },
    { "events", optional_argument, NULL, OPT_EVENTS },
    { "no-autodetect", no_argument, NULL, OPT_NO_AUTODETECT },
    { "max-frame", required_argument, NULL, OPT_MAX_FRAME },
    { "ooo-budget", required_argument, NULL, OPT_OOO },
    { "max-pending", required_argument, NULL, OPT_MAX_PENDING },
    { "max-pending-total", required_argument, NULL, OPT_MAX_PENDING_TOTAL },
    { "ooo-total", required_argument, NULL, OPT_OOO_TOTAL },
    { "frame-buffer-total", required_argument, NULL, OPT_FRAME_TOTAL },
    { "max-client-ids", required_argument, NULL, OPT_MAX_CLIENT_IDS },
    { "max-topics", required_argument, NULL, OPT_MAX_TOPICS },
    { "max-inflate", required_argument, NULL, OPT_MAX_INFLATE },
    { "max-connections", required_argument, NULL, OPT_MAX_CONN },
    { "request-timeout", required_argument, NULL, OPT_REQ_TIMEOUT },
    { "hole-timeout", required_argument, NULL, OPT_HOLE_TIMEOUT },
    { "top", required_argument, NULL, OPT_TOP },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int kt_options_parse(kt_options *o, int argc, char **argv, char *err, size_t errlen)
{
    int ch;
    uint64_t v;
    double d;

    memset(o, 0, sizeof *o);
    kt_session_config_defaults(&o->session);
    kt_tcp_config_defaults(&o->tcp);
    o->capture.snaplen = 262144;
    o->capture.promisc = 1;
    o->capture.buffer_mb = 64;
    o->top_n = 20;
    o->frame_buffer_total = KT_FRAMER_TOTAL_BUDGET;
    o->max_inflate = KT_RECORDS_MAX_INFLATE;
    /* 0, not 1: a full reset of getopt (glibc, musl and BSD alike), or a
     * second parse resumes inside the argv of the first (after "-hV") */
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "r:i:p:I:s:B:hV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r': o->capture.read_file = optarg; break;
        case 'i': o->capture.interface = optarg; break;
        case 'p':
            if (parse_ports(o, optarg) < 0)
                FAIL("-p wants ports 1-65535 separated by commas, not '%s'", optarg);
            break;
        case 'I':
            if (parse_seconds(optarg, &o->interval_s) < 0 || o->interval_s <= 0)
                FAIL("-I wants a positive number of seconds, not '%s'", optarg);
            break;
        case 's':
            if (parse_size(optarg, &v) < 0 || v < 64 || v > 262144)
                FAIL("-s wants a snap length from 64 to 262144, not '%s'", optarg);
            o->capture.snaplen = (int)v;
            break;
        case 'B':
            if (parse_size(optarg, &v) < 0 || v < 1 || v > 4096)
                FAIL("-B wants megabytes from 1 to 4096, not '%s'", optarg);
            o->capture.buffer_mb = (int)v;
            break;
        case OPT_JSON: o->output = KT_OUT_JSON; break;
        case OPT_EVENTS:
            if (!optarg || strcmp(optarg, "text") == 0)
                o->events = KT_EVENTS_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->events = KT_EVENTS_JSON;
            else
                FAIL("--events takes 'text' or 'json', not '%s'", optarg);
            break;
        case OPT_NO_AUTODETECT: o->session.autodetect = 0; break;
        case OPT_MAX_FRAME:
            if (parse_size(optarg, &v) < 0 || v < 64 || v > (1ull << 31))
                FAIL("--max-frame wants bytes from 64 to 2G, not '%s'", optarg);
            o->session.max_frame = (size_t)v;
            break;
        case OPT_OOO:
            if (parse_size(optarg, &v) < 0 || v > (1ull << 32))
                FAIL("--ooo-budget wants bytes up to 4G, not '%s'", optarg);
            o->tcp.ooo_budget = (size_t)v;
            break;
        case OPT_MAX_PENDING:
            if (parse_size(optarg, &v) < 0 || v < 1 || v > 1000000)
                FAIL("--max-pending wants 1 to 1000000, not '%s'", optarg);
            o->session.max_pending = (uint32_t)v;
            break;
        case OPT_MAX_PENDING_TOTAL:
            if (parse_size(optarg, &v) < 0 || v < 1 || v > 1000000000)
                FAIL("--max-pending-total wants 1 to 1000000000, not '%s'", optarg);
            o->session.max_pending_total = v;
            break;
        case OPT_OOO_TOTAL:
            if (parse_size(optarg, &v) < 0 || v > (1ull << 40))
                FAIL("--ooo-total wants bytes up to 1T (0: no cap), not '%s'", optarg);
            o->tcp.ooo_total_budget = (size_t)v;
            break;
        case OPT_FRAME_TOTAL:
            if (parse_size(optarg, &v) < 0 || v > (1ull << 40))
                FAIL("--frame-buffer-total wants bytes up to 1T (0: no cap), not '%s'", optarg);
            o->frame_buffer_total = (size_t)v;
            break;
        case OPT_MAX_CLIENT_IDS:
            if (parse_size(optarg, &v) < 0 || v < 1 || v > 100000000)
                FAIL("--max-client-ids wants 1 to 100000000, not '%s'", optarg);
            o->session.max_client_ids = (size_t)v;
            break;
        case OPT_MAX_TOPICS:
            if (parse_size(optarg, &v) < 0 || v < 1 || v > 100000000)
                FAIL("--max-topics wants 1 to 100000000, not '%s'", optarg);
            o->session.max_topics = (size_t)v;
            break;
        case OPT_MAX_INFLATE:
            if (parse_size(optarg, &v) < 0 || v < 1 || v > (1ull << 32))
                FAIL("--max-inflate wants 1 byte to 4G, not '%s'", optarg);
            o->max_inflate = (size_t)v;
            break;
        case OPT_MAX_CONN:
            if (parse_size(optarg, &v) < 0 || v < 1 || v > 100000000)
                FAIL("--max-connections wants 1 to 100000000, not '%s'", optarg);
            o->tcp.max_connections = (size_t)v;
            break;
        case OPT_REQ_TIMEOUT:
            if (parse_seconds(optarg, &d) < 0 || d <= 0)
                FAIL("--request-timeout wants a positive number of seconds, not '%s'", optarg);
            o->session.request_timeout_us = (uint64_t)(d * 1e6);
            break;
        case OPT_HOLE_TIMEOUT:
            if (parse_seconds(optarg, &d) < 0)
                FAIL("--hole-timeout wants a number of seconds, not '%s'", optarg);
            o->tcp.hole_timeout_us = (uint64_t)(d * 1e6);
            break;
        case OPT_TOP:
            if (parse_size(optarg, &v) < 0 || v < 1 || v > 1000000)
                FAIL("--top wants 1 to 1000000 rows, not '%s'", optarg);
            o->top_n = (int)v;
            break;
        case 'h': o->help = 1; return 0;
        case 'V': o->version = 1; return 0;
        case ':':
            FAIL("option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt && optopt < 256)
                FAIL("unknown option '-%c'", optopt);
            FAIL("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!!o->capture.read_file == !!o->capture.interface)
        FAIL("give exactly one of -r FILE or -i INTERFACE");
    if (o->interval_s > 0 && !o->capture.interface)
        FAIL("-I works with live capture (-i) only");
    if (optind < argc) {
        size_t len = 0;
        for (int i = optind; i < argc; i++)
            len += strlen(argv[i]) + 1;
        o->bpf_owned = malloc(len);
        if (!o->bpf_owned)
            FAIL("out of memory");
        o->bpf_owned[0] = 0;
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                strcat(o->bpf_owned, " ");
            strcat(o->bpf_owned, argv[i]);
        }
        o->capture.bpf = o->bpf_owned;
    }
    return 0;
}

void kt_options_free(kt_options *o)
{
    free(o->bpf_owned);
    o->bpf_owned = NULL;
}
