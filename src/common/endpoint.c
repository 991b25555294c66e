/* endpoint.c - text form and comparison of an IP address plus TCP port. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "common/endpoint.h"

char *kt_endpoint_format(const kt_endpoint *e, char *buf, size_t len)
{
    char addr[INET6_ADDRSTRLEN];

    if (!len)
        return buf;
    if (e->family == 6) {
        if (!inet_ntop(AF_INET6, e->addr, addr, sizeof addr))
            strcpy(addr, "?");
        snprintf(buf, len, "[%s]:%u", addr, (unsigned)e->port);
    } else if (e->family == 4) {
        if (!inet_ntop(AF_INET, e->addr, addr, sizeof addr))
            strcpy(addr, "?");
        snprintf(buf, len, "%s:%u", addr, (unsigned)e->port);
    } else {
        snprintf(buf, len, "?:%u", (unsigned)e->port);
    }
    return buf;
}

int kt_endpoint_equal(const kt_endpoint *a, const kt_endpoint *b)
{
    return a->family == b->family && a->port == b->port &&
           memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

kt_endpoint kt_endpoint_key(const kt_endpoint *ep)
{
    kt_endpoint key;
    memset(&key, 0, sizeof key);
    key.family = ep->family;
    memcpy(key.addr, ep->addr, sizeof key.addr);
    key.port = ep->port;
    return key;
}
