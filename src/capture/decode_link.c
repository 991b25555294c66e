/* decode_link.c - link layer, IPv4/IPv6 and TCP header decoding of one
 * captured packet into a kt_segment (see decode_link.h).  All reads go
 * through the bounds-checked cursor; nothing is copied. */
#include <string.h>
#include <pcap/pcap.h>
#include "common/anomaly.h"
#include "common/cursor.h"
#include "capture/decode_link.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#define KT_LINKTYPE_RAW 101     /* LINKTYPE_RAW as written in files */

#define KT_MAX_VLAN_TAGS 8      /* QinQ nests two; more is suspicious */
#define KT_MAX_IPV6_EXT 8       /* extension headers walked before giving up */

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd

int kt_decode_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
    case DLT_NULL: case DLT_LOOP: case DLT_RAW: case KT_LINKTYPE_RAW:
    case DLT_IPV4: case DLT_IPV6:
        return 1;
    default:
        return 0;
    }
}

/* A link header that did not fit in the captured bytes. */
static int short_frame(void)
{
    kt_anomaly_add(KT_AN_TRUNCATED_PACKET, 1);
    return KT_DEC_BAD;
}

/* The cursor stands on the first byte of an IP header of version v. */
static int set_l3(const kt_cursor *c, const uint8_t *pkt, uint32_t wirelen,
                  int v, kt_l3 *l3)
{
    uint32_t off = (uint32_t)(c->ptr - pkt);

    l3->p = c->ptr;
    l3->caplen = (uint32_t)kt_cur_left(c);
    l3->wirelen = wirelen > off ? wirelen - off : 0;
    if (l3->wirelen < l3->caplen)
        l3->wirelen = l3->caplen;     /* some files carry len < caplen */
    l3->version = v;
    return KT_DEC_TCP;
}

/* Walks VLAN tags from ethertype et; the cursor stands after et. */
static int from_ethertype(kt_cursor *c, uint16_t et, const uint8_t *pkt,
                          uint32_t wirelen, kt_l3 *l3)
{
    int tags = 0;

    while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
        if (++tags > KT_MAX_VLAN_TAGS)
            return KT_DEC_OTHER;
        kt_cur_skip(c, 2);              /* PCP, DEI, VLAN id */
        et = kt_cur_u16(c);
        if (!kt_cur_ok(c))
            return short_frame();
    }
    if (et == ETH_IPV4)
        return set_l3(c, pkt, wirelen, 4, l3);
    if (et == ETH_IPV6)
        return set_l3(c, pkt, wirelen, 6, l3);
    return KT_DEC_OTHER;
}

/* The version nibble decides (raw IP, loopback). */
static int from_version(kt_cursor *c, const uint8_t *pkt, uint32_t wirelen,
                        kt_l3 *l3)
{
    kt_cursor peek = *c;
    uint8_t v = kt_cur_u8(&peek) >> 4;

    if (!kt_cur_ok(&peek))
        return short_frame();
    if (v == 4 || v == 6)
        return set_l3(c, pkt, wirelen, v, l3);
    kt_anomaly_add(KT_AN_BAD_IP, 1);
    return KT_DEC_BAD;
}

int kt_decode_link(int dlt, const uint8_t *pkt, uint32_t caplen,
                   uint32_t wirelen, kt_l3 *l3)
{
    kt_cursor c;
    uint16_t et;
    uint32_t af;

    kt_cur_init(&c, pkt, caplen);
    switch (dlt) {
    case DLT_EN10MB:
        kt_cur_skip(&c, 12);            /* destination, source MAC */
        et = kt_cur_u16(&c);
        if (!kt_cur_ok(&c))
            return short_frame();
        return from_ethertype(&c, et, pkt, wirelen, l3);
    case DLT_LINUX_SLL:
        kt_cur_skip(&c, 14);            /* packet type .. address */
        et = kt_cur_u16(&c);
        if (!kt_cur_ok(&c))
            return short_frame();
        return from_ethertype(&c, et, pkt, wirelen, l3);
    case DLT_LINUX_SLL2:
        et = kt_cur_u16(&c);            /* protocol type first */
        kt_cur_skip(&c, 18);
        if (!kt_cur_ok(&c))
            return short_frame();
        return from_ethertype(&c, et, pkt, wirelen, l3);
    case DLT_NULL:
    case DLT_LOOP:
        /* Address family in the capturing host's byte order (DLT_NULL) or
         * big-endian (DLT_LOOP); files travel, so accept either. */
        af = kt_cur_u32(&c);
        if (!kt_cur_ok(&c))
            return short_frame();
        if (af > 0xffff)
            af = ((af & 0xff) << 24) | ((af & 0xff00) << 8) |
                 ((af >> 8) & 0xff00) | (af >> 24);
        if (af == 2)
            return set_l3(&c, pkt, wirelen, 4, l3);
        if (af == 10 || af == 24 || af == 28 || af == 30)  /* Linux, BSDs, macOS */
            return set_l3(&c, pkt, wirelen, 6, l3);
        return KT_DEC_OTHER;
    case DLT_RAW:
    case KT_LINKTYPE_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return from_version(&c, pkt, wirelen, l3);
    default:
        kt_anomaly_add(KT_AN_UNKNOWN_LINKTYPE, 1);
        return KT_DEC_BAD;
    }
}

/* A header that did not fit: cut by the snap length, or just wrong. */
static int header_short(int truncated, kt_anomaly_kind otherwise)
{
    kt_anomaly_add(truncated ? KT_AN_TRUNCATED_PACKET : otherwise, 1);
    return KT_DEC_BAD;
}

/* c covers the captured part of the TCP header and payload; wire is their
 * length on the wire. */
static int decode_tcp(kt_cursor *c, uint32_t wire, kt_segment *seg)
{
    uint32_t thl, cap = (uint32_t)kt_cur_left(c);
    int truncated = cap < wire;

    seg->src.port = kt_cur_u16(c);
    seg->dst.port = kt_cur_u16(c);
    seg->seq = kt_cur_u32(c);
    seg->ack = kt_cur_u32(c);
    thl = (uint32_t)(kt_cur_u8(c) >> 4) * 4;
    seg->flags = kt_cur_u8(c);
    kt_cur_skip(c, 6);                  /* window, checksum, urgent */
    if (!kt_cur_ok(c))
        return header_short(truncated, KT_AN_BAD_TCP);
    if (thl < 20 || thl > wire) {
        kt_anomaly_add(KT_AN_BAD_TCP, 1);
        return KT_DEC_BAD;
    }
    kt_cur_skip(c, thl - 20);           /* options: not needed here */
    if (!kt_cur_ok(c))
        return header_short(truncated, KT_AN_BAD_TCP);
    seg->len = (uint32_t)kt_cur_left(c);
    seg->payload = c->ptr;
    seg->missing = wire - thl - seg->len;
    if (seg->missing)
        kt_anomaly_add(KT_AN_TRUNCATED_PACKET, 1);
    return KT_DEC_TCP;
}

static void set_addr(kt_endpoint *e, int family, const uint8_t *a)
{
    e->family = (uint8_t)family;
    memcpy(e->addr, a, family == 4 ? 4 : 16);
}

static int decode_ipv4(kt_l3 *l3, kt_segment *seg)
{
    kt_cursor c, t;
    uint32_t ihl, total, cap;
    uint16_t frag;
    uint8_t proto;
    const uint8_t *src, *dst;
    int truncated = l3->caplen < l3->wirelen;

    kt_cur_init(&c, l3->p, l3->caplen);
    ihl = (uint32_t)(kt_cur_u8(&c) & 0x0f) * 4;
    kt_cur_skip(&c, 1);                 /* DSCP/ECN */
    total = kt_cur_u16(&c);
    kt_cur_skip(&c, 2);                 /* identification */
    frag = kt_cur_u16(&c);
    kt_cur_skip(&c, 1);                 /* TTL */
    proto = kt_cur_u8(&c);
    kt_cur_skip(&c, 2);                 /* checksum: not verified (offload) */
    src = kt_cur_take(&c, 4);
    dst = kt_cur_take(&c, 4);
    if (!kt_cur_ok(&c))
        return header_short(truncated, KT_AN_BAD_IP);
    if (ihl < 20) {
        kt_anomaly_add(KT_AN_BAD_IP, 1);
        return KT_DEC_BAD;
    }
    kt_cur_skip(&c, ihl - 20);          /* options */
    if (!kt_cur_ok(&c))
        return header_short(truncated, KT_AN_BAD_IP);
    if (total == 0)                     /* TSO on the capturing host */
        total = l3->wirelen;
    if (total < ihl) {
        kt_anomaly_add(KT_AN_BAD_IP, 1);
        return KT_DEC_BAD;
    }
    /* The total length rules: cut padding, remember what was not captured. */
    if (l3->caplen > total)
        l3->caplen = total;
    l3->wirelen = total;
    if (frag & 0x3fff)                  /* more fragments, or an offset */
        return KT_DEC_FRAGMENT;
    if (proto != 6)
        return KT_DEC_OTHER;
    cap = (uint32_t)kt_cur_left(&c);
    if (cap > total - ihl)
        cap = total - ihl;
    kt_cur_init(&t, c.ptr, cap);
    set_addr(&seg->src, 4, src);
    set_addr(&seg->dst, 4, dst);
    return decode_tcp(&t, total - ihl, seg);
}

static int decode_ipv6(kt_l3 *l3, kt_segment *seg)
{
    kt_cursor c, t;
    uint32_t plen, cap, hl, got;
    uint8_t nh;
    uint16_t fo;
    const uint8_t *src, *dst;
    int i, truncated = l3->caplen < l3->wirelen;

    kt_cur_init(&c, l3->p, l3->caplen);
    kt_cur_skip(&c, 4);                 /* version, class, flow label */
    plen = kt_cur_u16(&c);
    nh = kt_cur_u8(&c);
    kt_cur_skip(&c, 1);                 /* hop limit */
    src = kt_cur_take(&c, 16);
    dst = kt_cur_take(&c, 16);
    if (!kt_cur_ok(&c))
        return header_short(truncated, KT_AN_BAD_IP);
    if (plen == 0)                      /* jumbogram or TSO */
        plen = l3->wirelen > 40 ? l3->wirelen - 40 : 0;
    l3->wirelen = 40 + plen;
    if (l3->caplen > l3->wirelen)
        l3->caplen = l3->wirelen;
    cap = (uint32_t)kt_cur_left(&c);
    if (cap > plen)
        cap = plen;
    kt_cur_init(&t, c.ptr, cap);
    truncated = cap < plen;
    for (i = 0; i < KT_MAX_IPV6_EXT; i++) {
        switch (nh) {
        case 6:
            set_addr(&seg->src, 6, src);
            set_addr(&seg->dst, 6, dst);
            return decode_tcp(&t, plen, seg);
        case 0:                         /* hop-by-hop */
        case 43:                        /* routing */
        case 60:                        /* destination options */
            nh = kt_cur_u8(&t);
            hl = ((uint32_t)kt_cur_u8(&t) + 1) * 8;
            got = 2;
            break;
        case 51:                        /* authentication header */
            nh = kt_cur_u8(&t);
            hl = ((uint32_t)kt_cur_u8(&t) + 2) * 4;
            got = 2;
            break;
        case 44:                        /* fragment */
            nh = kt_cur_u8(&t);
            kt_cur_skip(&t, 1);
            fo = kt_cur_u16(&t);
            hl = 8;
            got = 4;
            if (!kt_cur_ok(&t))
                return header_short(truncated, KT_AN_BAD_IP);
            if (fo & 0xfff9) {          /* offset or more-fragments: real */
                if ((fo & 0xfff8) == 0)
                    kt_anomaly_add(KT_AN_IP_FRAGMENTS, 1);
                return KT_DEC_OTHER;    /* IPv6 reassembly: not done */
            }
            break;                      /* atomic fragment: go on */
        default:
            return KT_DEC_OTHER;
        }
        if (!kt_cur_ok(&t))
            return header_short(truncated, KT_AN_BAD_IP);
        if (hl > plen) {
            kt_anomaly_add(KT_AN_BAD_IP, 1);
            return KT_DEC_BAD;
        }
        /* skip the rest of the extension header (`got` bytes were read) */
        kt_cur_skip(&t, hl - got);
        plen -= hl;
        if (!kt_cur_ok(&t))
            return header_short(truncated, KT_AN_BAD_IP);
    }
    kt_anomaly_add(KT_AN_BAD_IP, 1);
    return KT_DEC_BAD;
}

int kt_decode_ip(kt_l3 *l3, uint64_t ts_us, kt_segment *seg)
{
    kt_cursor c;
    int v;

    memset(seg, 0, sizeof *seg);
    seg->ts_us = ts_us;
    kt_cur_init(&c, l3->p, l3->caplen);
    v = kt_cur_u8(&c) >> 4;
    if (!kt_cur_ok(&c))
        return header_short(1, KT_AN_BAD_IP);
    if (v == 4 && l3->version == 4)
        return decode_ipv4(l3, seg);
    if (v == 6 && l3->version == 6)
        return decode_ipv6(l3, seg);
    kt_anomaly_add(KT_AN_BAD_IP, 1);
    return KT_DEC_BAD;
}

int kt_decode_packet(int dlt, const uint8_t *pkt, uint32_t caplen,
                     uint32_t wirelen, uint64_t ts_us, kt_segment *seg,
                     kt_l3 *l3)
{
    kt_l3 local;
    int r;

    if (!l3)
        l3 = &local;
    r = kt_decode_link(dlt, pkt, caplen, wirelen, l3);
    if (r != KT_DEC_TCP)
        return r;
    return kt_decode_ip(l3, ts_us, seg);
}
