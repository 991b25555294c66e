/* prometheus_server.c - serves the last published metrics text over HTTP
 * from libmicrohttpd's own thread (see prometheus_server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "cli/prometheus_server.h"
#include "report/report_prometheus.h"

struct kt_prom_server {
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock;     /* guards text and len */
    char *text;
    size_t len;
};

static const char not_found[] = "Not found: the metrics are at /metrics\n";
static const char not_ready[] = "No metrics yet\n";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             const char *body, size_t len, const char *type)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Runs in the server thread. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_size, void **req_cls)
{
    kt_prom_server *s = cls;
    enum MHD_Result ret;
    (void)version; (void)upload_data; (void)upload_size; (void)req_cls;

    if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "", 0, "text/plain");
    if (strcmp(url, "/metrics"))
        return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof not_found - 1,
                     "text/plain");
    pthread_mutex_lock(&s->lock);
    if (s->text)
        ret = reply(conn, MHD_HTTP_OK, s->text, s->len, KT_PROM_CONTENT_TYPE);
    else
        ret = reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, not_ready,
                    sizeof not_ready - 1, "text/plain");
    pthread_mutex_unlock(&s->lock);
    return ret;
}

/* "PORT", "A.B.C.D:PORT", "[V6]:PORT" -> the address to bind (family
 * AF_UNSPEC for "every address") and the port. */
static int parse_listen(const char *arg, struct sockaddr_storage *ss, unsigned *port)
{
    char host[64];
    const char *p = strrchr(arg, ':');
    char *end;
    long v;

    memset(ss, 0, sizeof *ss);
    ss->ss_family = AF_UNSPEC;
    if (p) {
        size_t n = (size_t)(p - arg);
        if (n == 0 || n >= sizeof host)
            return -1;
        memcpy(host, arg, n);
        host[n] = 0;
        p++;
    } else {
        p = arg;
        host[0] = 0;
    }
    errno = 0;
    v = strtol(p, &end, 10);
    if (errno || end == p || *end || v < 1 || v > 65535)
        return -1;
    *port = (unsigned)v;
    if (!host[0])
        return 0;
    if (host[0] == '[') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        size_t n = strlen(host);
        if (n < 3 || host[n - 1] != ']')
            return -1;
        host[n - 1] = 0;
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            return -1;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)v);
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        return -1;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)v);
    return 0;
}

kt_prom_server *kt_prom_start(const char *listen, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    unsigned port;
    sigset_t all, old;
    kt_prom_server *s;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

    if (parse_listen(listen, &ss, &port) < 0) {
        snprintf(err, errlen, "--prometheus wants PORT, ADDR:PORT or [ADDR6]:PORT, not '%s'",
                 listen);
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    /* the server thread inherits this mask: no signal is ever delivered to
     * it, so the packet loop sees every SIGINT and SIGTERM */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    if (ss.ss_family == AF_UNSPEC) {
        s->daemon = MHD_start_daemon(flags | MHD_USE_DUAL_STACK, (uint16_t)port, NULL,
                                     NULL, on_request, s, MHD_OPTION_END);
        if (!s->daemon)   /* no IPv6 on this host */
            s->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
                                         on_request, s, MHD_OPTION_END);
    } else {
        s->daemon = MHD_start_daemon(flags | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                                     (uint16_t)port, NULL, NULL, on_request, s,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                     MHD_OPTION_END);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!s->daemon) {
        snprintf(err, errlen, "--prometheus: cannot listen on %s", listen);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

void kt_prom_publish(kt_prom_server *s, char *text, size_t len)
{
    char *old;
    if (!text)
        return;
    pthread_mutex_lock(&s->lock);
    old = s->text;
    s->text = text;
    s->len = len;
    pthread_mutex_unlock(&s->lock);
    free(old);
}

void kt_prom_stop(kt_prom_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->lock);
    free(s->text);
    free(s);
}
