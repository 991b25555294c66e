/* ip_defrag.h - IPv4 defragmentation, done by libnids (its TCP engine off).
 *
 * libnids keeps global state, so there is one defragmenter per process:
 * kt_ipdefrag_open() fails if it is already open.  Datagrams go in as raw
 * IPv4 (link layer already removed); whole datagrams come out through the
 * callback, from inside kt_ipdefrag_feed(), while the fed bytes are valid.
 */
#ifndef KT_IP_DEFRAG_H
#define KT_IP_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

/* A whole IPv4 datagram (len = its total length).  reassembled is 1 when it
 * was put together from fragments (ip then points into libnids' memory). */
typedef void (*kt_ipdefrag_fn)(void *ctx, const uint8_t *ip, uint32_t len,
                               int reassembled, uint64_t ts_us);

/* Returns 0, or -1 with one line in err. */
int kt_ipdefrag_open(kt_ipdefrag_fn fn, void *ctx, char *err, size_t errlen);
/* One IPv4 datagram or fragment, exactly len bytes (no link header, no
 * padding).  libnids drops (and warns about) datagrams shorter than their
 * total length, so feed only fully captured ones. */
void kt_ipdefrag_feed(const uint8_t *ip, uint32_t len, uint64_t ts_us);
void kt_ipdefrag_close(void);

#endif
