/* tls_detect.h - does a TLS record start here?
 *
 * A Kafka listener configured for SSL speaks TLS on its port: its bytes
 * are encrypted and cannot be framed.  The session asks this test about
 * the first bytes of a connection so that such a connection is counted as
 * TLS (tls_brokers.h) instead of being cut into frames that do not decode.
 * A TLS record header is a content type, a protocol version (major 3,
 * minor 0 to 4) and a 16-bit length of at most 2^14 + 2048 (RFC 5246
 * 6.2.3; TLS 1.3 allows less).  As a Kafka size prefix these bytes read as
 * a frame of more than 300 MB, far above any frame a broker accepts, so the
 * two cannot be confused at the start of a stream.
 *
 * Only looks: every read goes through a cursor (common/cursor.h).
 */
#ifndef KT_TLS_DETECT_H
#define KT_TLS_DETECT_H

#include <stddef.h>
#include <stdint.h>

#define KT_TLS_MAX_RECORD (16384 + 2048)

enum kt_tls_where {
    KT_TLS_AT_START = 0,  /* the stream's first bytes: a handshake record
                             that holds a ClientHello or a ServerHello */
    KT_TLS_ANYWHERE,      /* picked up mid-stream or after a hole: that, or
                             an application data record of TLS 1.2 / 1.3
                             (version 3.3) */
};

/* 1 if the len bytes at p begin a TLS record as `where` allows, else 0.
 * Needs the 5 bytes of the record header; the handshake type is checked
 * when its byte is there. */
int kt_tls_record_start(const uint8_t *p, size_t len, int where);

#endif
