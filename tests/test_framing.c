/* test_framing.c - unit tests of the Kafka framer (src/kafka_framing.[ch]).
 *
 * The input is real: both directions of one connection of the third-party
 * capture ntop__nDPI__kafka-v2023.pcapng (four requests from a Java client
 * and the broker's four responses, tests/real_frames.h), concatenated as
 * the TCP stream carried them.  The frame boundaries expected are those
 * tshark gives (kafka.len of each PDU), so the framer must hand on exactly
 * those byte ranges, whatever way the stream is cut into deliveries:
 *   - every 2-way split, every 3-way split of the request stream, one byte
 *     at a time; first/last timestamps are those of the deliveries that
 *     carried the frame's first and last byte;
 *   - a size prefix above max_frame: a counted desync, never an allocation;
 *   - resynchronisation after garbage / mid-stream start, with the skipped
 *     bytes counted exactly;
 *   - a hole inside a frame of known size keeps sync (truncated frame handed
 *     on, the rest of it discarded); a hole at or across a boundary makes
 *     the framer search again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/anomaly.h"
#include "dissectors/kafka_frame_header.h"
#include "kafka/kafka_framing.h"
#include "real_frames.h"

/* ---- the streams --------------------------------------------------------- */

#define MAXF 16

typedef struct stream {
    uint8_t bytes[4096];
    size_t len;
    size_t start[MAXF], end[MAXF];   /* frame byte ranges (size prefix included) */
    int n;
} stream;

static void add(stream *s, const uint8_t *p, size_t n)
{
    assert_true(s->len + n <= sizeof s->bytes);
    s->start[s->n] = s->len;
    memcpy(s->bytes + s->len, p, n);
    s->len += n;
    s->end[s->n] = s->len;
    s->n++;
}

static stream requests, responses;

static int setup_streams(void **state)
{
    (void)state;
    memset(&requests, 0, sizeof requests);
    memset(&responses, 0, sizeof responses);
    /* client -> broker: frames 4, 8, 11, 14 (tshark: 4 PDUs of kafka.len
     * 52, 43, 60, 136) */
    add(&requests, ntop_v2023_f4, sizeof ntop_v2023_f4);
    add(&requests, ntop_v2023_f8, sizeof ntop_v2023_f8);
    add(&requests, ntop_v2023_f11, sizeof ntop_v2023_f11);
    add(&requests, ntop_v2023_f14, sizeof ntop_v2023_f14);
    /* broker -> client: frames 6, 9, 12, 15 (kafka.len 442, 22, 122, 58) */
    add(&responses, ntop_v2023_f6, sizeof ntop_v2023_f6);
    add(&responses, ntop_v2023_f9, sizeof ntop_v2023_f9);
    add(&responses, ntop_v2023_f12, sizeof ntop_v2023_f12);
    add(&responses, ntop_v2023_f15, sizeof ntop_v2023_f15);
    /* the sizes tshark decoded */
    static const size_t req_len[] = { 52, 43, 60, 136 }, resp_len[] = { 442, 22, 122, 58 };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(requests.end[i] - requests.start[i], 4 + req_len[i]);
        assert_int_equal(responses.end[i] - responses.start[i], 4 + resp_len[i]);
    }
    return 0;
}

/* ---- the owner: records every frame ---------------------------------------- */

typedef struct got_frame {
    uint8_t *data;
    size_t len, size;
    uint64_t first_ts, last_ts;
    int truncated;
} got_frame;

typedef struct owner {
    got_frame f[128];
    int n;
    int overflow;
    /* candidate test: 0 = request header plausibility, 1 = any size prefix
     * within 8..max_frame followed by a known correlation id */
    int mode;
    size_t max_frame;
    int32_t known_corr[8];
    int nknown;
    /* frames whose first 4 data bytes equal this are answered DESYNC */
    int reject_set;
    uint8_t reject[4];
    int handed_rejected;
} owner;

static int on_frame(void *ctx, const kt_frame *fr)
{
    owner *o = ctx;
    if (o->reject_set && fr->len >= 4 && memcmp(fr->data, o->reject, 4) == 0) {
        o->handed_rejected++;
        return KT_FRAME_DESYNC;
    }
    if (o->n == 128) {
        o->overflow = 1;
        return KT_FRAME_OK;
    }
    got_frame *g = &o->f[o->n++];
    g->data = malloc(fr->len ? fr->len : 1);
    assert_non_null(g->data);
    memcpy(g->data, fr->data, fr->len);
    g->len = fr->len;
    g->size = fr->size;
    g->first_ts = fr->first_ts_us;
    g->last_ts = fr->last_ts_us;
    g->truncated = fr->truncated;
    return KT_FRAME_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int on_candidate(void *ctx, const uint8_t *p, size_t avail, size_t *need)
{
    (void)need;    /* asked again at every byte */
    owner *o = ctx;
    uint32_t size;
    if (avail < 4 + KT_MIN_REQUEST_FRAME)
        return KT_CAND_MORE;
    size = be32(p);
    if (size < KT_MIN_REQUEST_FRAME || size > o->max_frame)
        return KT_CAND_NO;
    if (o->mode == 1) {
        int32_t corr = (int32_t)be32(p + 4);
        for (int i = 0; i < o->nknown; i++)
            if (o->known_corr[i] == corr)
                return KT_CAND_YES;
        return KT_CAND_NO;
    }
    /* request header: api key, version, correlation id, then the client
     * id's int16 length; wait for more bytes only while the header could
     * still fit in the frame */
    size_t have = avail - 4 < size ? avail - 4 : size;
    const kt_api_info *api = kt_api_lookup((int16_t)((p[4] << 8) | p[5]));
    int16_t version = (int16_t)((p[6] << 8) | p[7]);
    if (!api || version < api->min_version || version > api->max_version + KT_VERSION_SLACK ||
        (p[8] & 0x80))
        return KT_CAND_NO;
    if (have < 10)
        return KT_CAND_MORE;
    int16_t idlen = (int16_t)((p[4 + 8] << 8) | p[4 + 9]);
    if (idlen < -1 || (idlen > 0 && (size_t)idlen > size - 10))
        return KT_CAND_NO;
    if (idlen > 0 && have < 10 + (size_t)idlen)
        return KT_CAND_MORE;
    if (!kt_request_header_plausible(p + 4, have)) {
        kt_request_header h;
        /* a flexible header's tagged fields may not be here yet */
        if (have < size && have < 10 + (size_t)(idlen > 0 ? idlen : 0) + 16 &&
            kt_parse_request_header(p + 4, have, &h) == KT_HDR_MALFORMED)
            return KT_CAND_MORE;
        return KT_CAND_NO;
    }
    /* as the session does: the next frame's header must be plausible too
     * (one header alone is fooled by record bytes such as 00 00 00 51 00 00
     * 00 00 00 00 00 00 00 00 inside a Produce body, which read as a
     * Produce v0 request); wait for it */
    if (avail - 4 - have < 4 + 10)
        return KT_CAND_MORE;
    const uint8_t *n = p + 4 + size;
    uint32_t nsize = be32(n);
    const kt_api_info *napi = kt_api_lookup((int16_t)((n[4] << 8) | n[5]));
    int16_t nversion = (int16_t)((n[6] << 8) | n[7]);
    if (nsize < KT_MIN_REQUEST_FRAME || nsize > o->max_frame || !napi ||
        nversion < napi->min_version || nversion > napi->max_version + KT_VERSION_SLACK)
        return KT_CAND_NO;
    return KT_CAND_YES;
}

static const kt_framer_ops ops = { on_frame, on_candidate };

static void owner_init(owner *o, int mode, size_t max_frame)
{
    memset(o, 0, sizeof *o);
    o->mode = mode;
    o->max_frame = max_frame;
}

static void owner_free(owner *o)
{
    for (int i = 0; i < o->n; i++)
        free(o->f[i].data);
    o->n = 0;
}

/* Real traffic goes on after a resync: the request stream 14 more times
 * (4298 bytes).  A candidate test may ask for more bytes (KT_CAND_MORE) at
 * a false boundary inside a body (the Produce record bytes 00 00 51 00 00
 * 00 ... read as a plausible 20 KB Produce v0 request), and the framer only
 * moves on from it once KT_CANDIDATE_MAX bytes are buffered; this is the
 * traffic that gets it there.  Returns the number of frames it holds. */
#define MORE_TRAFFIC_REPEAT 14
static int more_traffic(kt_framer *f, uint64_t ts)
{
    for (int i = 0; i < MORE_TRAFFIC_REPEAT; i++)
        kt_framer_data(f, requests.bytes, requests.len, ts);
    return MORE_TRAFFIC_REPEAT * requests.n;
}

/* Frame k of the stream came out as got frame g, whole. */
static void expect_frame(const owner *o, int g, const stream *s, int k)
{
    size_t flen = s->end[k] - s->start[k] - 4;
    assert_true(g < o->n);
    assert_int_equal(o->f[g].len, flen);
    assert_int_equal(o->f[g].size, flen);
    assert_int_equal(o->f[g].truncated, 0);
    assert_memory_equal(o->f[g].data, s->bytes + s->start[k] + 4, flen);
}

/* ---- splits -------------------------------------------------------------- */

#define TS1 1000000ull
#define TS2 2000000ull
#define TS3 3000000ull

static void split2(const stream *s, int mode)
{
    for (size_t cut = 0; cut <= s->len; cut++) {
        owner o;
        kt_framer f;
        owner_init(&o, mode, 1 << 20);
        kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
        kt_framer_data(&f, s->bytes, cut, TS1);
        kt_framer_data(&f, s->bytes + cut, s->len - cut, TS2);
        assert_int_equal(o.n, s->n);
        for (int k = 0; k < s->n; k++) {
            expect_frame(&o, k, s, k);
            assert_true(o.f[k].first_ts == (s->start[k] < cut ? TS1 : TS2));
            assert_true(o.f[k].last_ts == (s->end[k] <= cut ? TS1 : TS2));
        }
        assert_true(f.frames == (uint64_t)s->n);
        assert_true(f.desyncs == 0 && f.skipped == 0);
        assert_int_equal(f.len, 0);
        kt_framer_free(&f);
        owner_free(&o);
    }
}

static void test_split2_requests(void **state)
{
    (void)state;
    split2(&requests, 0);
}

static void test_split2_responses(void **state)
{
    (void)state;
    split2(&responses, 0);
}

static void test_split3_requests(void **state)
{
    const stream *s = &requests;
    (void)state;
    for (size_t a = 0; a <= s->len; a++) {
        for (size_t b = a; b <= s->len; b++) {
            owner o;
            kt_framer f;
            owner_init(&o, 0, 1 << 20);
            kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
            kt_framer_data(&f, s->bytes, a, TS1);
            kt_framer_data(&f, s->bytes + a, b - a, TS2);
            kt_framer_data(&f, s->bytes + b, s->len - b, TS3);
            assert_int_equal(o.n, s->n);
            for (int k = 0; k < s->n; k++) {
                uint64_t first = s->start[k] < a ? TS1 : s->start[k] < b ? TS2 : TS3;
                uint64_t last = s->end[k] <= a ? TS1 : s->end[k] <= b ? TS2 : TS3;
                expect_frame(&o, k, s, k);
                assert_true(o.f[k].first_ts == first);
                assert_true(o.f[k].last_ts == last);
            }
            kt_framer_free(&f);
            owner_free(&o);
        }
    }
}

static void bytewise(const stream *s)
{
    owner o;
    kt_framer f;
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
    for (size_t i = 0; i < s->len; i++)
        kt_framer_data(&f, s->bytes + i, 1, 5000 + i);
    assert_int_equal(o.n, s->n);
    for (int k = 0; k < s->n; k++) {
        expect_frame(&o, k, s, k);
        assert_true(o.f[k].first_ts == 5000 + s->start[k]);
        assert_true(o.f[k].last_ts == 5000 + s->end[k] - 1);
    }
    assert_true(f.desyncs == 0);
    kt_framer_free(&f);
    owner_free(&o);
}

static void test_one_byte_at_a_time(void **state)
{
    (void)state;
    bytewise(&requests);
    bytewise(&responses);
}

/* A frame gathered from more deliveries than the framer keeps timestamp
 * marks for (KT_FRAMER_MARKS), whose last delivery also carries the start
 * of the next frame: the next frame's first timestamp is that of its own
 * first byte's delivery (it is what a response latency is measured to). */
static void test_many_deliveries_next_frame_ts(void **state)
{
    const stream *s = &responses;
    (void)state;
    for (size_t pieces = KT_FRAMER_MARKS - 2; pieces <= 3 * KT_FRAMER_MARKS; pieces++) {
        owner o;
        kt_framer f;
        size_t e0 = s->end[0], step = e0 / pieces, off = 0;
        uint64_t ts = TS1;
        owner_init(&o, 0, 1 << 20);
        kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
        while (e0 - off > step) {
            kt_framer_data(&f, s->bytes + off, step, ts++);
            off += step;
        }
        /* the rest of frame 1 and the first 10 bytes of frame 2 */
        kt_framer_data(&f, s->bytes + off, e0 - off + 10, TS2);
        kt_framer_data(&f, s->bytes + e0 + 10, s->len - e0 - 10, TS3);
        assert_int_equal(o.n, 4);
        for (int k = 0; k < 4; k++)
            expect_frame(&o, k, s, k);
        assert_true(o.f[0].first_ts == TS1);
        assert_true(o.f[0].last_ts == TS2);
        if (o.f[1].first_ts != TS2)
            fail_msg("%zu pieces: frame 2 first_ts %llu, want %llu", pieces,
                     (unsigned long long)o.f[1].first_ts, (unsigned long long)TS2);
        assert_true(o.f[1].last_ts == TS3);
        kt_framer_free(&f);
        owner_free(&o);
    }
}

/* All 8 frames in one delivery: handed on in place, same timestamps. */
static void test_one_delivery(void **state)
{
    owner o;
    kt_framer f;
    (void)state;
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
    kt_framer_data(&f, responses.bytes, responses.len, TS1);
    assert_int_equal(o.n, 4);
    for (int k = 0; k < 4; k++) {
        expect_frame(&o, k, &responses, k);
        assert_true(o.f[k].first_ts == TS1 && o.f[k].last_ts == TS1);
    }
    assert_true(f.cap == 0);   /* nothing was gathered */
    kt_framer_free(&f);
    owner_free(&o);
}

/* ---- bad sizes ------------------------------------------------------------ */

static void test_oversized_prefix_never_allocated(void **state)
{
    static const uint8_t huge[] = { 0x7f, 0xff, 0xff, 0xf0, 0x00, 0x01 };
    owner o;
    kt_framer f;
    (void)state;
    kt_anomaly_reset();
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
    kt_framer_data(&f, requests.bytes, requests.end[0], TS1);   /* one good frame */
    kt_framer_data(&f, huge, sizeof huge, TS2);
    assert_int_equal(o.n, 1);
    assert_true(f.desyncs == 1);
    assert_int_equal(f.synced, 0);
    assert_true(kt_anomaly.count[KT_AN_OVERSIZED_FRAME] == 1);
    assert_true(kt_anomaly.count[KT_AN_DESYNC] == 1);
    assert_true(f.cap < 65536);
    /* what follows the bad prefix: more garbage, then the other frames */
    kt_framer_data(&f, requests.bytes + requests.start[1],
                   requests.len - requests.start[1], TS3);
    assert_int_equal(o.n, 4);
    for (int k = 1; k < 4; k++)
        expect_frame(&o, k, &requests, k);
    assert_true(f.skipped == sizeof huge);
    assert_int_equal(f.synced, 1);
    assert_true(kt_anomaly.count[KT_AN_RESYNC] == 1);
    assert_true(kt_anomaly.count[KT_AN_RESYNC_SKIPPED_BYTES] == sizeof huge);
    assert_true(f.cap < 65536);
    kt_framer_free(&f);
    owner_free(&o);
}

/* A prefix just above the cap is refused, one at the cap is taken. */
static void test_max_frame_boundary(void **state)
{
    const size_t flen = sizeof ntop_v2023_f14 - 4;   /* 136 */
    owner o;
    kt_framer f;
    (void)state;
    owner_init(&o, 0, flen);
    kt_framer_init(&f, &ops, &o, flen, 1, NULL);
    kt_framer_data(&f, ntop_v2023_f14, sizeof ntop_v2023_f14, TS1);
    assert_int_equal(o.n, 1);
    assert_true(f.desyncs == 0);
    kt_framer_free(&f);
    owner_free(&o);

    kt_anomaly_reset();
    owner_init(&o, 0, flen - 1);
    kt_framer_init(&f, &ops, &o, flen - 1, 1, NULL);
    for (size_t i = 0; i < sizeof ntop_v2023_f14; i++)   /* the gathering path too */
        kt_framer_data(&f, ntop_v2023_f14 + i, 1, TS1);
    assert_int_equal(o.n, 0);
    assert_true(f.desyncs == 1);
    assert_true(kt_anomaly.count[KT_AN_OVERSIZED_FRAME] == 1);
    assert_true(f.cap < 65536);
    kt_framer_free(&f);
    owner_free(&o);
}

/* Size prefixes too small to hold any header (0..3) lose sync. */
static void test_tiny_prefix(void **state)
{
    for (uint8_t sz = 0; sz < 4; sz++) {
        uint8_t bad[] = { 0, 0, 0, sz, 0xee, 0xee, 0xee };
        owner o;
        kt_framer f;
        (void)state;
        owner_init(&o, 0, 1 << 20);
        kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
        kt_framer_data(&f, bad, sizeof bad, TS1);
        kt_framer_data(&f, requests.bytes, requests.len, TS2);
        assert_true(f.desyncs == 1);
        assert_int_equal(o.n, 4);
        for (int k = 0; k < 4; k++)
            expect_frame(&o, k, &requests, k);
        assert_true(f.skipped == sizeof bad);
        kt_framer_free(&f);
        owner_free(&o);
    }
}

/* ---- resynchronisation ------------------------------------------------------ */

/* A connection picked up mid-stream: the tail of the Produce request
 * (frame 14 without its first 23 bytes, so the cut falls inside the
 * client id) followed by the whole request stream; every 2-way split. */
static void test_midstream_resync(void **state)
{
    uint8_t buf[4096];
    const size_t tail = sizeof ntop_v2023_f14 - 23;
    size_t len;
    (void)state;
    memcpy(buf, ntop_v2023_f14 + 23, tail);
    memcpy(buf + tail, requests.bytes, requests.len);
    len = tail + requests.len;
    for (size_t cut = 0; cut <= len; cut++) {
        owner o;
        kt_framer f;
        owner_init(&o, 0, 1 << 20);
        kt_framer_init(&f, &ops, &o, 1 << 20, 0, NULL);
        kt_framer_data(&f, buf, cut, TS1);
        kt_framer_data(&f, buf + cut, len - cut, TS2);
        int extra = more_traffic(&f, TS3);
        assert_int_equal(o.overflow, 0);
        assert_int_equal(o.n, 4 + extra);
        for (int k = 0; k < 4; k++) {
            expect_frame(&o, k, &requests, k);
            assert_true(o.f[k].first_ts == (tail + requests.start[k] < cut ? TS1 : TS2));
        }
        for (int k = 4; k < o.n; k++)
            expect_frame(&o, k, &requests, k % 4);
        assert_true(f.skipped == tail);
        assert_int_equal(f.synced, 1);
        kt_framer_free(&f);
        owner_free(&o);
    }
}

/* Responses picked up mid-stream: the owner knows which correlation ids are
 * pending (as the session does); garbage before them is skipped. */
static void test_resync_responses_by_correlation(void **state)
{
    uint8_t buf[4096];
    static const uint8_t garbage[] = { 0x00, 0x00, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef,
                                       0x00, 0x00, 0x00, 0x07, 0x01, 0x02, 0x03 };
    size_t len = 0;
    owner o;
    kt_framer f;
    (void)state;
    memcpy(buf, garbage, sizeof garbage);
    len = sizeof garbage;
    /* responses 2..4 (correlation ids 4, 5, 6 per tshark) */
    memcpy(buf + len, responses.bytes + responses.start[1], responses.len - responses.start[1]);
    len += responses.len - responses.start[1];
    owner_init(&o, 1, 1 << 20);
    o.known_corr[0] = 4;
    o.known_corr[1] = 5;
    o.known_corr[2] = 6;
    o.nknown = 3;
    kt_framer_init(&f, &ops, &o, 1 << 20, 0, NULL);
    for (size_t i = 0; i < len; i += 7)
        kt_framer_data(&f, buf + i, len - i < 7 ? len - i : 7, TS1 + i);
    assert_int_equal(o.n, 3);
    for (int k = 1; k < 4; k++)
        expect_frame(&o, k - 1, &responses, k);
    assert_true(f.skipped == sizeof garbage);
    kt_framer_free(&f);
    owner_free(&o);
}

/* Garbage that never holds a frame: every byte is counted as skipped, the
 * buffer stays bounded. */
static void test_garbage_only_bounded(void **state)
{
    uint8_t junk[1000];
    owner o;
    kt_framer f;
    uint64_t x = 12345;
    (void)state;
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 0, NULL);
    for (int round = 0; round < 300; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            junk[i] = (uint8_t)(x >> 56) | 0x80;   /* every size prefix is huge */
        }
        kt_framer_data(&f, junk, sizeof junk, TS1 + (uint64_t)round);
        assert_true(f.len < KT_CANDIDATE_MAX + sizeof junk);
    }
    assert_int_equal(o.n, 0);
    assert_true(f.skipped + f.len == 300 * sizeof junk);
    assert_true(f.len < 4 + KT_MIN_REQUEST_FRAME);   /* kept for a candidate test */
    kt_framer_free(&f);
    owner_free(&o);
}

/* The owner rejects a frame (KT_FRAME_DESYNC): the framer searches again
 * from the byte after that frame's start, so the rejected frame is not
 * handed on a second time and the frames after it are found. */
static void test_owner_rejects_frame(void **state)
{
    (void)state;
    for (int gather = 0; gather < 2; gather++) {
        owner o;
        kt_framer f;
        owner_init(&o, 0, 1 << 20);
        /* reject the InitProducerId request (api key 22, version 4) */
        o.reject_set = 1;
        memcpy(o.reject, ntop_v2023_f8 + 4, 4);
        kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
        if (gather) {
            for (size_t i = 0; i < requests.len; i++)
                kt_framer_data(&f, requests.bytes + i, 1, TS1 + i);
        } else {
            kt_framer_data(&f, requests.bytes, requests.len, TS1);
        }
        o.reject_set = 0;
        int extra = more_traffic(&f, TS3);
        assert_int_equal(o.handed_rejected, 1);
        assert_int_equal(o.n, 3 + extra);
        expect_frame(&o, 0, &requests, 0);
        expect_frame(&o, 1, &requests, 2);
        expect_frame(&o, 2, &requests, 3);
        assert_true(f.desyncs == 1);
        /* everything of the rejected frame was skipped */
        assert_true(f.skipped == requests.end[1] - requests.start[1]);
        kt_framer_free(&f);
        owner_free(&o);
    }
}

/* ---- holes ------------------------------------------------------------------ */

/* A hole inside the Produce request (frame 4 of the stream): the frame is
 * handed on truncated, the rest of it (delivered in pieces) discarded, and
 * the framer stays in sync for the next frame. */
static void test_hole_inside_frame_keeps_sync(void **state)
{
    const size_t s3 = requests.start[3];
    const size_t flen = requests.end[3] - s3;       /* 140 */
    (void)state;
    for (size_t have = 4; have < flen; have += 9) {
        for (size_t missed = 1; have + missed <= flen; missed += 13) {
            owner o;
            kt_framer f;
            size_t after = s3 + have + missed;      /* first byte after the hole */
            owner_init(&o, 0, 1 << 20);
            kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
            kt_framer_data(&f, requests.bytes, s3 + have, TS1);
            kt_framer_gap(&f, missed, TS2);
            /* the rest of frame 4 in two pieces, then frames 1-2 again */
            size_t rest = flen - have - missed, half = rest / 2;
            kt_framer_data(&f, requests.bytes + after, half, TS3);
            kt_framer_data(&f, requests.bytes + after + half, rest - half, TS3);
            kt_framer_data(&f, requests.bytes, requests.end[1], TS3 + 1);
            assert_int_equal(o.n, 6);
            for (int k = 0; k < 3; k++)
                expect_frame(&o, k, &requests, k);
            assert_int_equal(o.f[3].truncated, 1);
            assert_int_equal(o.f[3].size, flen - 4);
            assert_int_equal(o.f[3].len, have - 4);
            assert_memory_equal(o.f[3].data, requests.bytes + s3 + 4, have - 4);
            assert_true(o.f[3].first_ts == TS1);
            expect_frame(&o, 4, &requests, 0);
            expect_frame(&o, 5, &requests, 1);
            assert_true(o.f[4].first_ts == TS3 + 1);
            assert_true(f.desyncs == 0);
            assert_true(f.skipped == 0);
            kt_framer_free(&f);
            owner_free(&o);
        }
    }
}

/* A hole that starts exactly at a frame boundary: the size of what follows
 * is unknown, so the framer searches; the next whole frame is found and
 * the partial one after the hole is skipped. */
static void test_hole_at_boundary_resyncs(void **state)
{
    owner o;
    kt_framer f;
    const size_t lost = 30;   /* the first 30 bytes of frame 2 */
    (void)state;
    kt_anomaly_reset();
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
    kt_framer_data(&f, requests.bytes, requests.end[0], TS1);
    kt_framer_gap(&f, lost, TS2);
    assert_int_equal(f.synced, 0);
    assert_true(f.desyncs == 1);
    kt_framer_data(&f, requests.bytes + requests.start[1] + lost,
                   requests.len - requests.start[1] - lost, TS3);
    assert_int_equal(o.n, 3);
    expect_frame(&o, 0, &requests, 0);
    expect_frame(&o, 1, &requests, 2);
    expect_frame(&o, 2, &requests, 3);
    assert_true(f.skipped == requests.end[1] - requests.start[1] - lost);
    assert_int_equal(f.synced, 1);
    assert_true(kt_anomaly.count[KT_AN_DESYNC] == 1);
    assert_true(kt_anomaly.count[KT_AN_RESYNC] == 1);
    kt_framer_free(&f);
    owner_free(&o);
}

/* A hole inside the size prefix itself (2 of its 4 bytes seen). */
static void test_hole_in_size_prefix(void **state)
{
    owner o;
    kt_framer f;
    (void)state;
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
    kt_framer_data(&f, requests.bytes, requests.start[1] + 2, TS1);
    kt_framer_gap(&f, 10, TS2);
    kt_framer_data(&f, requests.bytes + requests.start[1] + 12,
                   requests.len - requests.start[1] - 12, TS3);
    assert_int_equal(o.n, 3);
    expect_frame(&o, 0, &requests, 0);
    expect_frame(&o, 1, &requests, 2);
    expect_frame(&o, 2, &requests, 3);
    assert_true(f.desyncs == 1);
    kt_framer_free(&f);
    owner_free(&o);
}

/* A hole that starts inside a frame and runs past its end: the frame is
 * handed on truncated, then the framer searches. */
/* Where the search ends depends only on the bytes, not on the deliveries.
 * Twelve false headers first (zeros read as Produce v0 requests claiming
 * 900 KB frames: more than there are waiting slots), then the request
 * stream: fed whole, one byte at a time and in chunks of 3, 7 and 100
 * bytes, the framer hands on the same frames from the first real one and
 * skips the same bytes. */
static void search_in_chunks(size_t chunk, owner *o, uint64_t *skipped)
{
    static const uint8_t fake[14] = { 0x00, 0x0e, 0x00, 0x00 };   /* then zeros */
    uint8_t buf[sizeof fake * 12 + sizeof requests.bytes];
    size_t len = 0;
    kt_framer f;
    for (int i = 0; i < 12; i++, len += sizeof fake)
        memcpy(buf + len, fake, sizeof fake);
    memcpy(buf + len, requests.bytes, requests.len);
    len += requests.len;
    owner_init(o, 0, 1 << 20);
    kt_framer_init(&f, &ops, o, 1 << 20, 0, NULL);
    for (size_t off = 0; off < len; off += chunk)
        kt_framer_data(&f, buf + off, len - off < chunk ? len - off : chunk, TS1);
    *skipped = f.skipped;
    kt_framer_free(&f);
}

static void test_search_ignores_segmentation(void **state)
{
    static const size_t chunks[] = { 1, 3, 7, 100 };
    owner whole, o;
    uint64_t skipped_whole, skipped;
    (void)state;
    search_in_chunks(sizeof whole, &whole, &skipped_whole);
    assert_int_equal(whole.n, requests.n);
    for (int k = 0; k < whole.n; k++)
        expect_frame(&whole, k, &requests, k);
    assert_true(skipped_whole == 14 * 12);
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        search_in_chunks(chunks[i], &o, &skipped);
        assert_int_equal(o.n, whole.n);
        for (int k = 0; k < o.n; k++)
            expect_frame(&o, k, &requests, k);
        assert_true(skipped == skipped_whole);
        owner_free(&o);
    }
    owner_free(&whole);
}

static void test_hole_across_boundary(void **state)
{
    owner o;
    kt_framer f;
    const size_t s1 = requests.start[1], e1 = requests.end[1];
    (void)state;
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
    kt_framer_data(&f, requests.bytes, s1 + 20, TS1);
    /* lose the rest of frame 2 and 5 bytes of frame 3 */
    kt_framer_gap(&f, e1 - s1 - 20 + 5, TS2);
    kt_framer_data(&f, requests.bytes + e1 + 5, requests.len - e1 - 5, TS3);
    int extra = more_traffic(&f, TS3 + 1);
    assert_int_equal(o.n, 3 + extra);
    expect_frame(&o, 0, &requests, 0);
    assert_int_equal(o.f[1].truncated, 1);
    assert_int_equal(o.f[1].len, 16);
    assert_int_equal(o.f[1].size, e1 - s1 - 4);
    assert_true(o.f[1].last_ts == TS2);
    expect_frame(&o, 2, &requests, 3);
    assert_true(o.f[2].first_ts == TS3);
    expect_frame(&o, 3, &requests, 0);
    assert_true(o.f[3].first_ts == TS3 + 1);
    assert_true(f.desyncs == 1);
    assert_true(f.skipped == requests.end[2] - e1 - 5);
    kt_framer_free(&f);
    owner_free(&o);
}

/* Two holes inside the same frame, both within its size: still in sync. */
static void test_two_holes_in_one_frame(void **state)
{
    owner o;
    kt_framer f;
    const size_t s3 = requests.start[3];
    (void)state;
    owner_init(&o, 0, 1 << 20);
    kt_framer_init(&f, &ops, &o, 1 << 20, 1, NULL);
    kt_framer_data(&f, requests.bytes, s3 + 40, TS1);
    kt_framer_gap(&f, 20, TS2);                       /* bytes 40..59 */
    kt_framer_data(&f, requests.bytes + s3 + 60, 10, TS2);
    kt_framer_gap(&f, 30, TS2);                       /* bytes 70..99 */
    kt_framer_data(&f, requests.bytes + s3 + 100, requests.len - s3 - 100, TS3);
    kt_framer_data(&f, requests.bytes, requests.end[0], TS3);
    assert_int_equal(o.n, 5);
    assert_int_equal(o.f[3].truncated, 1);
    assert_int_equal(o.f[3].len, 36);
    expect_frame(&o, 4, &requests, 0);
    assert_true(f.desyncs == 0);
    kt_framer_free(&f);
    owner_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split2_requests),
        cmocka_unit_test(test_split2_responses),
        cmocka_unit_test(test_split3_requests),
        cmocka_unit_test(test_one_byte_at_a_time),
        cmocka_unit_test(test_one_delivery),
        cmocka_unit_test(test_many_deliveries_next_frame_ts),
        cmocka_unit_test(test_oversized_prefix_never_allocated),
        cmocka_unit_test(test_max_frame_boundary),
        cmocka_unit_test(test_tiny_prefix),
        cmocka_unit_test(test_midstream_resync),
        cmocka_unit_test(test_resync_responses_by_correlation),
        cmocka_unit_test(test_garbage_only_bounded),
        cmocka_unit_test(test_owner_rejects_frame),
        cmocka_unit_test(test_hole_inside_frame_keeps_sync),
        cmocka_unit_test(test_hole_at_boundary_resyncs),
        cmocka_unit_test(test_hole_in_size_prefix),
        cmocka_unit_test(test_hole_across_boundary),
        cmocka_unit_test(test_search_ignores_segmentation),
        cmocka_unit_test(test_two_holes_in_one_frame),
    };
    return cmocka_run_group_tests(tests, setup_streams, NULL);
}
