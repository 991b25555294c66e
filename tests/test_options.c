/* test_options.c - unit tests of command line parsing (src/cli/options.[ch]).
 *
 * Expectations come from the interface the issue and man/kafkatap.1
 * document: exactly one of -r FILE / -i INTERFACE; -P ports 1-65535
 * separated by commas (default 9092); --no-autodetect; --json;
 * --events[=json]; -I SECONDS (live only); -s SNAPLEN 64-262144; -B MB;
 * --max-frame BYTES with K/M/G suffixes (default 100M); --ooo-budget (4M);
 * --max-pending (1024); --max-connections (65536); --request-timeout (120 s);
 * --hole-timeout (5 s); -h; -V; the words after the options are the BPF
 * expression, joined with spaces as tcpdump does.  A usage error is one line
 * of text and a -1 return (the caller exits 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/options.h"

#define MAXARGS 32

static char err[256];

/* Parses a NULL-terminated list of arguments (without argv[0]). */
static int parse(kt_options *o, ...)
{
    /* each call gets argument strings of its own, as separate processes
     * would (glibc's getopt may keep a pointer into the previous argv) */
    static char *argv[MAXARGS + 2];
    static char pool[1 << 20];
    static size_t used;
    va_list ap;
    int argc = 0;
    argv[argc++] = (char *)"kafkatap";
    va_start(ap, o);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        size_t n = strlen(a) + 1;
        assert_true(argc <= MAXARGS);
        assert_true(used + n <= sizeof pool);
        memcpy(pool + used, a, n);
        argv[argc++] = pool + used;
        used += n;
    }
    va_end(ap);
    argv[argc] = NULL;
    err[0] = 0;
    return kt_options_parse(o, argc, argv, err, sizeof err);
}

/* A usage error: -1 and one line of text. */
static void bad(kt_options *o, int rc, const char *what)
{
    if (rc != -1)
        fail_msg("%s was accepted", what);
    if (err[0] == 0 || strchr(err, '\n'))
        fail_msg("%s: error message '%s'", what, err);
    kt_options_free(o);
}

#define OK(o, ...) do {                                                 \
        int rc_ = parse(o, __VA_ARGS__, (const char *)NULL);            \
        if (rc_ != 0)                                                   \
            fail_msg("rejected: %s", err);                              \
    } while (0)
#define BAD(o, ...) bad(o, parse(o, __VA_ARGS__, (const char *)NULL), #__VA_ARGS__)

static void test_defaults(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "x.pcap");
    assert_string_equal(o.capture.read_file, "x.pcap");
    assert_null(o.capture.interface);
    assert_null(o.capture.bpf);
    assert_int_equal(o.session.nports, 1);
    assert_int_equal(o.session.broker_ports[0], 9092);
    assert_int_equal(o.session.autodetect, 1);
    assert_true(o.session.max_frame == 100u * 1024 * 1024);
    assert_int_equal(o.session.max_pending, 1024);
    assert_true(o.session.request_timeout_us == 120ull * 1000000);
    assert_true(o.tcp.ooo_budget == 4u * 1024 * 1024);
    assert_true(o.tcp.hole_timeout_us == 5ull * 1000000);
    assert_true(o.tcp.max_connections == 65536);
    assert_int_equal(o.capture.snaplen, 262144);
    assert_int_equal(o.capture.buffer_mb, 64);
    assert_int_equal(o.output, KT_OUT_TEXT);
    assert_int_equal(o.events, KT_EVENTS_NONE);
    assert_true(o.interval_s == 0);
    assert_int_equal(o.help, 0);
    assert_int_equal(o.version, 0);
    kt_options_free(&o);
}

static void test_source_exactly_one(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "-");
    assert_string_equal(o.capture.read_file, "-");
    kt_options_free(&o);
    OK(&o, "--read", "a.pcapng.gz");
    assert_string_equal(o.capture.read_file, "a.pcapng.gz");
    kt_options_free(&o);
    OK(&o, "-i", "eth0");
    assert_string_equal(o.capture.interface, "eth0");
    assert_null(o.capture.read_file);
    kt_options_free(&o);
    OK(&o, "--interface", "lo");
    assert_string_equal(o.capture.interface, "lo");
    kt_options_free(&o);
    BAD(&o, "--json");                         /* neither */
    BAD(&o, "-r", "a.pcap", "-i", "eth0");     /* both */
    BAD(&o, "-r");                             /* no value */
    BAD(&o, "-i");
}

static void test_ports(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "f", "-P", "9092,9093,19092");
    assert_int_equal(o.session.nports, 3);
    assert_int_equal(o.session.broker_ports[0], 9092);
    assert_int_equal(o.session.broker_ports[1], 9093);
    assert_int_equal(o.session.broker_ports[2], 19092);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--ports", "1,65535");
    assert_int_equal(o.session.nports, 2);
    assert_int_equal(o.session.broker_ports[0], 1);
    assert_int_equal(o.session.broker_ports[1], 65535);
    kt_options_free(&o);
    OK(&o, "-r", "f", "-P", "36333");
    assert_int_equal(o.session.nports, 1);
    assert_int_equal(o.session.broker_ports[0], 36333);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "-P", "0");
    BAD(&o, "-r", "f", "-P", "65536");
    BAD(&o, "-r", "f", "-P", "-1");
    BAD(&o, "-r", "f", "-P", "kafka");
    BAD(&o, "-r", "f", "-P", "9092x");
    BAD(&o, "-r", "f", "-P", "9092;9093");
    BAD(&o, "-r", "f", "-P", "");
    BAD(&o, "-r", "f", "-P", ",");
    /* more ports than the table holds */
    char many[KT_MAX_BROKER_PORTS * 6 + 16] = "";
    for (int i = 0; i <= KT_MAX_BROKER_PORTS; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s%d", i ? "," : "", 1000 + i);
    BAD(&o, "-r", "f", "-P", many);
}

static void test_output_flags(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "f", "--json");
    assert_int_equal(o.output, KT_OUT_JSON);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--events");
    assert_int_equal(o.events, KT_EVENTS_TEXT);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--events=json");
    assert_int_equal(o.events, KT_EVENTS_JSON);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--events=text");
    assert_int_equal(o.events, KT_EVENTS_TEXT);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "--events=xml");
    BAD(&o, "-r", "f", "--json=yes");
    OK(&o, "-r", "f", "--no-autodetect");
    assert_int_equal(o.session.autodetect, 0);
    kt_options_free(&o);
}

static void test_live_flags(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-i", "eth0", "-I", "10");
    assert_true(o.interval_s == 10);
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "--interval", "0.5");
    assert_true(o.interval_s == 0.5);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "-I", "10");            /* live only */
    BAD(&o, "-i", "eth0", "-I", "0");
    BAD(&o, "-i", "eth0", "-I", "-3");
    BAD(&o, "-i", "eth0", "-I", "soon");
    BAD(&o, "-i", "eth0", "-I", "5s");

    OK(&o, "-i", "eth0", "-s", "64");
    assert_int_equal(o.capture.snaplen, 64);
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "--snaplen", "262144");
    assert_int_equal(o.capture.snaplen, 262144);
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "-s", "1500");
    assert_int_equal(o.capture.snaplen, 1500);
    kt_options_free(&o);
    BAD(&o, "-i", "eth0", "-s", "63");
    BAD(&o, "-i", "eth0", "-s", "262145");
    BAD(&o, "-i", "eth0", "-s", "lots");

    OK(&o, "-i", "eth0", "-B", "256");
    assert_int_equal(o.capture.buffer_mb, 256);
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "--buffer-size", "1");
    assert_int_equal(o.capture.buffer_mb, 1);
    kt_options_free(&o);
    BAD(&o, "-i", "eth0", "-B", "0");
    BAD(&o, "-i", "eth0", "-B", "4097");
    BAD(&o, "-i", "eth0", "-B", "-1");
}

static void test_sizes_and_limits(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "f", "--max-frame", "1M");
    assert_true(o.session.max_frame == 1048576);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--max-frame", "64k");
    assert_true(o.session.max_frame == 65536);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--max-frame", "2G");
    assert_true(o.session.max_frame == 2147483648u);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--max-frame", "5000");
    assert_true(o.session.max_frame == 5000);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "--max-frame", "63");
    BAD(&o, "-r", "f", "--max-frame", "3G");
    BAD(&o, "-r", "f", "--max-frame", "10X");
    BAD(&o, "-r", "f", "--max-frame", "-5");
    BAD(&o, "-r", "f", "--max-frame", "");
    BAD(&o, "-r", "f", "--max-frame", "99999999999999999999999");

    OK(&o, "-r", "f", "--ooo-budget", "16M");
    assert_true(o.tcp.ooo_budget == 16u << 20);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--ooo-budget", "0");
    assert_true(o.tcp.ooo_budget == 0);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "--ooo-budget", "5G");

    OK(&o, "-r", "f", "--max-pending", "10");
    assert_int_equal(o.session.max_pending, 10);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "--max-pending", "0");
    BAD(&o, "-r", "f", "--max-pending", "1000001");

    OK(&o, "-r", "f", "--max-connections", "100");
    assert_true(o.tcp.max_connections == 100);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "--max-connections", "0");

    OK(&o, "-r", "f", "--request-timeout", "30");
    assert_true(o.session.request_timeout_us == 30000000);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--request-timeout", "0.25");
    assert_true(o.session.request_timeout_us == 250000);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "--request-timeout", "0");
    BAD(&o, "-r", "f", "--request-timeout", "-1");
    BAD(&o, "-r", "f", "--request-timeout", "never");

    OK(&o, "-r", "f", "--hole-timeout", "0");
    assert_true(o.tcp.hole_timeout_us == 0);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--hole-timeout", "2.5");
    assert_true(o.tcp.hole_timeout_us == 2500000);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "--hole-timeout", "-1");
    BAD(&o, "-r", "f", "--hole-timeout", "x");
}

/* The words after the options are the BPF expression, joined by spaces;
 * options may still come after them (GNU getopt, as tcpdump). */
static void test_bpf_joining(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "f", "tcp", "port", "9092", "and", "host", "10.0.0.1");
    assert_string_equal(o.capture.bpf, "tcp port 9092 and host 10.0.0.1");
    kt_options_free(&o);
    OK(&o, "-r", "f", "tcp port 9092 or tcp port 9093");
    assert_string_equal(o.capture.bpf, "tcp port 9092 or tcp port 9093");
    kt_options_free(&o);
    OK(&o, "-r", "f", "not", "port", "22", "--json");
    assert_string_equal(o.capture.bpf, "not port 22");
    assert_int_equal(o.output, KT_OUT_JSON);
    kt_options_free(&o);
    OK(&o, "-r", "f", "--", "not", "port", "22");
    assert_string_equal(o.capture.bpf, "not port 22");
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "-P", "9092", "(", "tcp", ")");
    assert_string_equal(o.capture.bpf, "( tcp )");
    kt_options_free(&o);
}

static void test_help_version_unknown(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-h");
    assert_int_equal(o.help, 1);
    kt_options_free(&o);
    OK(&o, "--help");
    assert_int_equal(o.help, 1);
    kt_options_free(&o);
    OK(&o, "-V");
    assert_int_equal(o.version, 1);
    kt_options_free(&o);
    OK(&o, "--version");
    assert_int_equal(o.version, 1);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "-x");
    assert_non_null(strstr(err, "-x"));
    BAD(&o, "-r", "f", "--frobnicate");
    assert_non_null(strstr(err, "frobnicate"));
    BAD(&o, "-r", "f", "--max-frame");
    BAD(&o, "-r", "f", "-P");
}

/* Error messages, word for word (the man page and scripts quote them). */
static void test_messages(void **state)
{
    kt_options o;
    (void)state;
    BAD(&o, "-i", "eth0", "-s", "63");
    assert_string_equal(err, "-s wants a snap length from 64 to 262144, not '63'");
    BAD(&o, "-i", "eth0", "--snaplen", "262145");
    assert_string_equal(err, "-s wants a snap length from 64 to 262144, not '262145'");
    BAD(&o, "-r", "f", "-P", "0");
    assert_string_equal(err, "-P wants ports 1-65535 separated by commas, not '0'");
    BAD(&o, "-r", "f", "--max-frame", "3G");
    assert_string_equal(err, "--max-frame wants bytes from 64 to 2G, not '3G'");
    BAD(&o, "-r", "f", "--ooo-total", "2T");
    assert_string_equal(err, "--ooo-total wants bytes up to 1T (0: no cap), not '2T'");
    BAD(&o, "-r", "f", "--events=xml");
    assert_string_equal(err, "--events takes 'text' or 'json', not 'xml'");
    BAD(&o, "-r", "f", "--hole-timeout", "x");
    assert_string_equal(err, "--hole-timeout wants a number of seconds, not 'x'");
    BAD(&o, "-i", "eth0", "-I", "0");
    assert_string_equal(err, "-I wants a positive number of seconds, not '0'");
    BAD(&o, "-r", "f", "-x");
    assert_string_equal(err, "unknown option '-x'");
    BAD(&o, "-r", "f", "--frobnicate");
    assert_string_equal(err, "unknown option '--frobnicate'");
    BAD(&o, "-r", "f", "-I", "10");
    assert_string_equal(err, "-I works with live capture (-i) only");
    BAD(&o, "--json");
    assert_string_equal(err, "give exactly one of -r FILE or -i INTERFACE");
}

/* tcpdump's letters mean what they mean in tcpdump; the old -p PORTS is
 * refused with a pointer to -P; a missing argument and contradicting
 * options are named. */
static void test_tcpdump_conventions(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-i", "eth0");
    assert_int_equal(o.capture.promisc, 1);
    assert_null(o.user);
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "-p", "-c", "100", "-w", "out.pcap", "-Z", "kafkatap",
       "--duration", "30", "--idle-timeout", "60", "tcp");
    assert_int_equal(o.capture.promisc, 0);
    assert_int_equal(o.capture.count, 100);
    assert_string_equal(o.capture.write_file, "out.pcap");
    assert_string_equal(o.user, "kafkatap");
    assert_true(o.capture.duration_s == 30.0);
    assert_int_equal(o.tcp.idle_timeout_us, 60000000);
    assert_string_equal(o.capture.bpf, "tcp");
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "--no-promiscuous-mode", "-I", "5", "--cumulative");
    assert_int_equal(o.capture.promisc, 0);
    assert_int_equal(o.cumulative, 1);
    kt_options_free(&o);
    BAD(&o, "-i", "eth0", "-p", "9092,9093");
    assert_string_equal(err, "-p means no promiscuous mode, as in tcpdump; "
                        "broker ports are -P 9092,9093");
    BAD(&o, "-r", "f", "-c");
    assert_string_equal(err, "option '-c' needs a value");
    BAD(&o, "-r", "f", "--write");
    assert_string_equal(err, "option '--write' needs a value");
    BAD(&o, "-r", "f", "-c", "0");
    assert_string_equal(err, "-c wants a positive number of packets, not '0'");
    BAD(&o, "-r", "f", "--json", "--events");
    assert_string_equal(err, "--json and --events contradict each other: --events "
                        "prints records instead of the report (--events=json for "
                        "JSON records)");
    BAD(&o, "-i", "eth0", "--cumulative");
    assert_string_equal(err, "--cumulative works with -I only");
    BAD(&o, "-r", "f", "-w", "-");
    assert_string_equal(err, "-w - would mix packets with the report on standard output");
    BAD(&o, "-r", "f", "--duration", "0");
    BAD(&o, "-r", "f", "--idle-timeout", "0");
}

/* tcpdump's -C (millions of bytes, or k/M/G binary units), -G (whole
 * seconds) and -W: their values, and their errors without -w. */
static void test_rotation(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "f", "-w", "out.pcap", "-C", "1");
    assert_int_equal(o.capture.write_file_size, 1000000);
    assert_int_equal(o.capture.rotate_s, 0);
    assert_int_equal(o.capture.file_count, 0);
    kt_options_free(&o);
    OK(&o, "-i", "eth0", "-w", "k-%H%M%S.pcap", "-G", "300", "-W", "12",
       "--file-size", "512k");
    assert_int_equal(o.capture.write_file_size, 512 * 1024);
    assert_int_equal(o.capture.rotate_s, 300);
    assert_int_equal(o.capture.file_count, 12);
    kt_options_free(&o);
    OK(&o, "-r", "f", "-w", "o", "-C", "2M", "--rotate-seconds", "1",
       "--file-count", "3");
    assert_int_equal(o.capture.write_file_size, 2 << 20);
    assert_int_equal(o.capture.rotate_s, 1);
    assert_int_equal(o.capture.file_count, 3);
    kt_options_free(&o);
    OK(&o, "-r", "f", "-w", "o", "-C", "1G");
    assert_int_equal(o.capture.write_file_size, 1ull << 30);
    kt_options_free(&o);
    BAD(&o, "-r", "f", "-C", "1");
    assert_string_equal(err, "-C rotates the -w file: give -w FILE too");
    BAD(&o, "-i", "eth0", "-G", "60");
    assert_string_equal(err, "-G rotates the -w file: give -w FILE too");
    BAD(&o, "-r", "f", "-w", "o", "-W", "3");
    assert_string_equal(err, "-W counts the files of -C or -G: give one of them too");
    BAD(&o, "-r", "f", "-w", "o", "-C", "0");
    assert_string_equal(err, "-C wants a positive file size in millions of bytes "
                        "(or with k, M or G: KiB, MiB, GiB), not '0'");
    BAD(&o, "-r", "f", "-w", "o", "-C", "1.5");
    BAD(&o, "-r", "f", "-w", "o", "-C", "10MB");
    BAD(&o, "-r", "f", "-w", "o", "-C", "-1");
    BAD(&o, "-r", "f", "-w", "o", "-C", "99999999999999999999");
    BAD(&o, "-r", "f", "-w", "o", "-G", "5m");
    assert_string_equal(err, "-G wants a positive whole number of seconds, not '5m'");
    BAD(&o, "-r", "f", "-w", "o", "-G", "0");
    BAD(&o, "-r", "f", "-w", "o", "-G", "");
    BAD(&o, "-r", "f", "-w", "o", "-G", "1", "-W", "0");
    assert_string_equal(err, "-W wants 1 to 1000000 files, not '0'");
    BAD(&o, "-r", "f", "-w", "o", "-C", "1", "-W", "x");
    BAD(&o, "-r", "f", "-w", "", "-C", "1");
    assert_string_equal(err, "-w needs a file name");
    BAD(&o, "-r", "f", "-w", "o", "-G");
    assert_string_equal(err, "option '-G' needs a value");
}

/* --help, word for word: the options, their arguments and the defaults
 * the parser starts from. */
static void test_usage(void **state)
{
    static const char expected[] =
        "usage: kafkatap -r FILE | -i INTERFACE [options] [BPF expression]\n"
        "       kafkatap merge [--json] REPORT.json... (kafkatap merge --help)\n"
        "  -r FILE              read a capture (pcap, pcapng, .gz; - for stdin); several files or a glob: one stream, in time order\n"
        "  --since TIME         files: report only requests sent at or after TIME\n"
        "  --until TIME         files: stop reading at TIME\n"
        "  --file-gap S         files: report time missing between files above S s (default 10)\n"
        "  -q, --quiet          no progress line or notices on standard error\n"
        "  -i INTERFACE         capture live until interrupted\n"
        "  -P PORTS             broker ports, comma separated (default 9092)\n"
        "  --no-autodetect      only treat traffic on -P ports as Kafka\n"
        "  --json               the report as one JSON document\n"
        "  --html FILE          also the report as a self-contained HTML page, to FILE\n"
        "  --events[=json]      one record per request instead of the report\n"
        "  -I SECONDS           live: print a report of the last SECONDS every SECONDS\n"
        "  --cumulative         -I reports cover the whole run so far\n"
        "  -c COUNT             stop after COUNT packets\n"
        "  --duration SECONDS   stop after SECONDS (files: of capture time)\n"
        "  -w FILE              also save the packets read to FILE (pcap)\n"
        "  -C FILE_SIZE         -w: a new file when it passes FILE_SIZE x 1,000,000 bytes\n"
        "  -G SECONDS           -w: a new file every SECONDS, named by strftime(3)\n"
        "  -W FILECOUNT         -C: keep a ring of FILECOUNT files; -G: stop after FILECOUNT\n"
        "  -p, --no-promiscuous-mode  live: do not put the interface in promiscuous mode\n"
        "  -Z USER              as root: run as USER once the capture is open (default nobody)\n"
        "  --top N              rows of the topic-partition table (default 20)\n"
        "  --sort KEY           order of the topic-partition table (default records)\n"
        "  --slow-produce-ms N  findings: Produce taking N ms or more is slow (default 100)\n"
        "  --slow-fetch-ms N    findings: Fetch with data taking N ms or more is slow (default 1000)\n"
        "  --bucket SECONDS     timeline bucket width (default: from the capture's length)\n"
        "  --ascii              sparklines in ASCII, not Unicode blocks\n"
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
        "  --idle-timeout S     forget a connection idle for S seconds (default 600)\n"
        "  --prometheus [ADDR:]PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
        "  --prometheus-top N   partitions and client ids with their own metrics (default 10)\n"
        "  --prometheus-linger S  keep serving metrics S seconds after the capture ends\n"
        "  -h, --help           this help\n"
        "  -V, --version        version\n";
    char got[sizeof expected + 256];
    size_t n;
    FILE *f = tmpfile();
    (void)state;
    assert_non_null(f);
    kt_usage(f);
    rewind(f);
    n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = 0;
    assert_string_equal(got, expected);
}

/* Several -r, and file operands after -r (a glob the shell expanded)
 * before the filter; --since / --until in their three spellings. */
static void test_inputs_and_window(void **state)
{
    kt_options o;
    (void)state;
    OK(&o, "-r", "a.pcap", "-r", "b*.pcap");
    assert_int_equal(o.capture.nread_files, 2);
    assert_string_equal(o.capture.read_files[1], "b*.pcap");
    kt_options_free(&o);
    /* leading operands naming regular files are capture files, the rest
     * the filter */
    char tmp[] = "/tmp/kt-options-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    OK(&o, "-r", "a.pcap", tmp, "port", "9092");
    assert_int_equal(o.capture.nread_files, 2);
    assert_string_equal(o.capture.read_files[1], tmp);
    assert_string_equal(o.capture.bpf, "port 9092");
    kt_options_free(&o);
    OK(&o, "-r", "a.pcap", "/dev/null", tmp);      /* no regular file: the filter */
    assert_int_equal(o.capture.nread_files, 1);
    kt_options_free(&o);
    unlink(tmp);
    OK(&o, "-r", "a.pcap", "--since", "2026-11-29T10:00:00Z", "--until", "+5m");
    assert_true(o.capture.since.set && !o.capture.since.relative);
    assert_int_equal(o.capture.since.us, 1795946400LL * 1000000);
    assert_true(o.capture.until.relative);
    assert_int_equal(o.capture.until.us, 300LL * 1000000);
    kt_options_free(&o);
    OK(&o, "-r", "a.pcap", "--since", "1795946400.5", "--until", "2026-11-29T12:00:00+01:00");
    assert_int_equal(o.capture.since.us, 1795946400500000LL);
    assert_int_equal(o.capture.until.us, 1795950000LL * 1000000);
    kt_options_free(&o);
    OK(&o, "-r", "a.pcap", "--since", "+30s", "--until", "+1.5h");
    assert_int_equal(o.capture.since.us, 30LL * 1000000);
    assert_int_equal(o.capture.until.us, 5400LL * 1000000);
    kt_options_free(&o);
    BAD(&o, "-r", "a.pcap", "--since", "yesterday");
    BAD(&o, "-r", "a.pcap", "--since", "2026-13-01T00:00:00Z");
    BAD(&o, "-r", "a.pcap", "--since", "+5d");
    BAD(&o, "-r", "a.pcap", "--since", "+5m", "--until", "+1m");
    BAD(&o, "-i", "lo", "--since", "+5m");
}

/* Parsing twice in one process starts from a clean slate (optind reset):
 * an error does not leak into the next parse. */
static void test_reparse(void **state)
{
    kt_options o;
    (void)state;
    BAD(&o, "-r", "f", "-P", "0");
    OK(&o, "-r", "g", "-P", "9093");
    assert_string_equal(o.capture.read_file, "g");
    assert_int_equal(o.session.broker_ports[0], 9093);
    kt_options_free(&o);
    OK(&o, "-hV");              /* returns at -h, getopt left inside "-hV" */
    kt_options_free(&o);
    OK(&o, "-i", "eth1", "--json");
    assert_string_equal(o.capture.interface, "eth1");
    assert_int_equal(o.output, KT_OUT_JSON);
    assert_int_equal(o.help, 0);
    kt_options_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_source_exactly_one),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_output_flags),
        cmocka_unit_test(test_live_flags),
        cmocka_unit_test(test_sizes_and_limits),
        cmocka_unit_test(test_bpf_joining),
        cmocka_unit_test(test_help_version_unknown),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_tcpdump_conventions),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_inputs_and_window),
        cmocka_unit_test(test_reparse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
