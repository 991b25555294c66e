/* prometheus_server.h - the --prometheus HTTP endpoint (libmicrohttpd).
 *
 * kafkatap's pipeline is single-threaded and must never wait for a
 * scraper, and a scraper must not wait for the packet loop (which blocks
 * in pcap while the link is quiet).  So libmicrohttpd runs its own thread
 * and answers every GET /metrics at once with the last text the packet
 * loop published; the packet loop renders a fresh text (report model ->
 * report_prometheus.c) about once a second and hands it over with
 * kt_prom_publish().  The handover is one pointer swap under a mutex; the
 * server thread copies the text into its response under the same mutex,
 * so neither side ever sees the other's half-written state.
 *
 * Invariants:
 *  - Only kt_prom_publish() and kt_prom_stop() are called from the packet
 *    loop; nothing of the statistics is ever read by the server thread.
 *  - The server thread blocks every signal: SIGINT and SIGTERM always
 *    reach the packet loop.
 *  - Before the first publish, /metrics answers 503.
 */
#ifndef KT_PROMETHEUS_SERVER_H
#define KT_PROMETHEUS_SERVER_H

#include <stddef.h>

typedef struct kt_prom_server kt_prom_server;

/* Listens on "PORT" (every address, IPv6 and IPv4 when the host has IPv6),
 * "ADDR:PORT" (an IPv4 address) or "[ADDR]:PORT" (an IPv6 address).
 * Returns NULL with a message in err when the argument is not one of those
 * or the port cannot be bound. */
kt_prom_server *kt_prom_start(const char *listen, char *err, size_t errlen);

/* Hands a rendered text to the server (it takes ownership of the malloc'd
 * text; NULL is ignored). */
void kt_prom_publish(kt_prom_server *s, char *text, size_t len);

/* Stops the server thread and frees everything. */
void kt_prom_stop(kt_prom_server *s);

#endif
