/* endpoint.h - an IPv4 or IPv6 address plus TCP port, and its text form. */
#ifndef KT_ENDPOINT_H
#define KT_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

typedef struct kt_endpoint {
    uint8_t family;      /* 4 or 6 */
    uint8_t addr[16];    /* IPv4 uses the first 4 bytes, the rest are zero */
    uint16_t port;
} kt_endpoint;

#define KT_ENDPOINT_STRLEN 56   /* "[ffff:...:ffff]:65535" plus NUL */

/* "10.0.0.1:9092" or "[::1]:9092"; returns buf. */
char *kt_endpoint_format(const kt_endpoint *e, char *buf, size_t len);
int kt_endpoint_equal(const kt_endpoint *a, const kt_endpoint *b);
/* A copy with its padding zeroed: the form tables hash and compare. */
kt_endpoint kt_endpoint_key(const kt_endpoint *ep);

#endif
