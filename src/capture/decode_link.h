/* decode_link.h - one captured packet -> IP datagram -> TCP segment.
 *
 * Link layers: Ethernet (with any number of 802.1Q / 802.1ad tags, up to a
 * small bound), Linux cooked v1 and v2, BSD loopback (DLT_NULL and DLT_LOOP,
 * either byte order) and raw IP.  IPv4 (options skipped) and IPv6 (hop-by-
 * hop, routing, destination options and AH headers skipped; fragments are
 * counted and dropped).  Every byte is read through src/common/cursor.h.
 *
 * Lengths: the IP total length (IPv4) or payload length (IPv6) is the truth
 * about the datagram: captured bytes beyond it (Ethernet padding) are cut;
 * bytes it promises that were not captured (snap length) become
 * kt_segment.missing, so reassembly treats them as a hole.
 */
#ifndef KT_DECODE_LINK_H
#define KT_DECODE_LINK_H

#include <stdint.h>
#include "reassembly/tcp_reassembly.h"

enum kt_decode_result {
    KT_DEC_BAD = -1,       /* malformed or unknown: an anomaly was counted */
    KT_DEC_OTHER = 0,      /* fine, but not a TCP segment we can use */
    KT_DEC_TCP = 1,        /* *seg holds a TCP segment */
    KT_DEC_FRAGMENT = 2,   /* an IPv4 fragment: *l3 holds it for ip_defrag */
};

/* The network-layer datagram inside a packet. */
typedef struct kt_l3 {
    const uint8_t *p;      /* first byte of the IP header */
    uint32_t caplen;       /* bytes captured from p on */
    uint32_t wirelen;      /* bytes on the wire from p on (>= caplen) */
    int version;           /* 4 or 6 */
} kt_l3;

/* Link layer only: finds the IP datagram.  Returns KT_DEC_OTHER for
 * non-IP frames (ARP...), KT_DEC_BAD for an unknown link type or a frame
 * too short for its link header, else KT_DEC_TCP (meaning: *l3 is set). */
int kt_decode_link(int dlt, const uint8_t *pkt, uint32_t caplen,
                   uint32_t wirelen, kt_l3 *l3);

/* IP and TCP.  Fills seg (payload points into the datagram; ts_us is set)
 * and returns KT_DEC_TCP, or KT_DEC_FRAGMENT for an IPv4 fragment, or
 * KT_DEC_OTHER / KT_DEC_BAD.  Trims l3->caplen and l3->wirelen to the
 * datagram's own length (IPv4 total length, IPv6 40 + payload length). */
int kt_decode_ip(kt_l3 *l3, uint64_t ts_us, kt_segment *seg);

/* Both of the above. */
int kt_decode_packet(int dlt, const uint8_t *pkt, uint32_t caplen,
                     uint32_t wirelen, uint64_t ts_us, kt_segment *seg,
                     kt_l3 *l3);

/* Link types kt_decode_link understands (pcap DLT_ values). */
int kt_decode_link_supported(int dlt);

#endif
