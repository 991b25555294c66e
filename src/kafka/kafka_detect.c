/* kafka_detect.c - is this a Kafka request or response?  The plausibility
 * tests behind auto-detection and frame-boundary search (see
 * kafka_detect.h). */
#include <string.h>
#include "common/cursor.h"
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_frame_header.h"
#include "dissectors/kafka_walk.h"
#include "kafka/kafka_detect.h"
#include "kafka/kafka_framing.h"

/* librdkafka sends ApiVersions v0 with four bytes after the body. */
int kt_request_body_ok(const uint8_t *frame, size_t len)
{
    kt_request_header h;
    kt_cursor c;
    kt_walk_result r;
    int st = kt_parse_request_header(frame, len, &h);
    if (st == KT_HDR_UNKNOWN_VERSION)
        return 1;
    if (st != KT_HDR_OK)
        return 0;
    kt_cur_init(&c, frame, len);
    kt_cur_skip(&c, h.body_offset);
    kt_walk(h.api_key, h.api_version, 0, &c, 0, NULL, NULL, &r);
    return r.status == KT_WALK_OK ||
           (r.status == KT_WALK_MALFORMED && r.cur_err == KT_CUR_TRAILING &&
            (r.field == NULL || strcmp(r.field, "(body)") == 0));
}

int kt_response_body_ok(const kt_pending *pd, const uint8_t *frame, size_t len)
{
    kt_response_header rh;
    kt_cursor cur;
    kt_walk_result r;
    if (kt_parse_response_header(frame, len, pd->response_header_version, &rh) != KT_HDR_OK)
        return 0;
    if (!kt_walk_known(pd->api_key, pd->api_version, 1))
        return 1;
    kt_cur_init(&cur, frame, len);
    kt_cur_skip(&cur, rh.body_offset);
    kt_walk(pd->api_key, pd->api_version, 1, &cur, 0, NULL, NULL, &r);
    /* An ApiVersions refusal answers in another version than the one
     * asked for; the walker says so (version_rejected) and it is still the
     * answer to this request. */
    return r.status == KT_WALK_OK || r.version_rejected;
}

int kt_response_pending_index(const kt_pending_queue *q, const uint8_t *frame,
                              size_t len)
{
    kt_response_header rh;
    /* the correlation id comes first whatever the header version */
    if (kt_parse_response_header(frame, len, 0, &rh) != KT_HDR_OK)
        return -1;
    return kt_pending_find(q, rh.correlation_id);
}

#define KT_TAGGED_WAIT 64   /* bytes of header tagged fields worth waiting for */

/* A boundary candidate's body may end at most this many bytes before its
 * frame does (librdkafka's ApiVersions v0 carries 4 more): record data read
 * as a header (zeros read as a Produce v0 request with no topics) claims a
 * frame far longer than the body it holds. */
#define KT_CANDIDATE_TRAILING_MAX 16

/* KT_CAND_MORE, asking to be asked again once `want` bytes are readable. */
static int more(size_t *need, size_t want)
{
    *need = want;
    return KT_CAND_MORE;
}

/* The next question about a frame of `size` bytes of which avail - 4 are
 * here: twice as many bytes, at most the whole frame or KT_CANDIDATE_MAX,
 * so that a frame is walked O(1) times per byte. */
static size_t next_look(size_t avail, uint32_t size)
{
    size_t want = avail * 2;
    if (want > 4 + (size_t)size)
        want = 4 + (size_t)size;
    return want > KT_CANDIDATE_MAX ? KT_CANDIDATE_MAX : want;
}

/* Reads the size prefix of a possible frame at c into *size.  Returns
 * KT_CAND_MORE if the prefix and min bytes after it are not all here,
 * KT_CAND_NO if the size is out of [min, max_frame], else KT_CAND_YES. */
static int frame_size(kt_cursor *c, size_t min, size_t max_frame, uint32_t *size)
{
    if (kt_cur_left(c) < 4 + min)
        return KT_CAND_MORE;
    *size = kt_cur_u32(c);
    return *size < min || *size > max_frame ? KT_CAND_NO : KT_CAND_YES;
}

/* The first have bytes of a request frame of size bytes whose header is
 * plausible: KT_CAND_NO if they rule it out already (a field that cannot
 * decode, a body that ends more than KT_CANDIDATE_TRAILING_MAX bytes before
 * the frame), KT_CAND_YES if the frame is all here and decodes, else
 * KT_CAND_MORE.  The answer for a prefix never contradicts the answer for
 * a longer one, except MORE. */
static int request_body(const uint8_t *frame, size_t have, size_t size)
{
    kt_request_header h;
    kt_cursor c;
    kt_walk_result r;
    int partial = have < size;
    int st = kt_parse_request_header(frame, have, &h);

    if (st == KT_HDR_UNKNOWN_VERSION)
        return partial ? KT_CAND_MORE : KT_CAND_YES;
    if (st != KT_HDR_OK)
        return KT_CAND_NO;
    kt_cur_init(&c, frame, have);
    kt_cur_skip(&c, h.body_offset);
    kt_walk(h.api_key, h.api_version, 0, &c, 0, NULL, NULL, &r);
    if (r.status == KT_WALK_OK ||
        (r.status == KT_WALK_MALFORMED && r.cur_err == KT_CUR_TRAILING &&
         (r.field == NULL || strcmp(r.field, "(body)") == 0))) {
        size_t end = r.status == KT_WALK_OK ? have : h.body_offset + r.offset;
        if (size - end > KT_CANDIDATE_TRAILING_MAX)
            return KT_CAND_NO;
        return partial ? KT_CAND_MORE : KT_CAND_YES;
    }
    /* a prefix runs out of bytes, or of the bytes an array count needs */
    if (partial && r.status == KT_WALK_MALFORMED &&
        (r.cur_err == KT_CUR_SHORT || r.cur_err == KT_CUR_BAD_COUNT))
        return KT_CAND_MORE;
    return KT_CAND_NO;
}

int kt_request_candidate(const uint8_t *p, size_t avail, size_t max_frame, size_t *need)
{
    kt_cursor c, fixed, ahead;
    const kt_api_info *api;
    const uint8_t *hp;
    int16_t api_key, version;
    int32_t correlation_id;
    int hv, st;
    uint32_t size, nsize;
    size_t hdr, want;

    kt_cur_init(&c, p, avail);
    st = frame_size(&c, KT_MIN_REQUEST_FRAME, max_frame, &size);
    if (st == KT_CAND_MORE)
        return more(need, 4 + KT_MIN_REQUEST_FRAME);
    if (st != KT_CAND_YES)
        return st;
    /* the fixed part of the header is here: an unknown API key, a version
     * out of range or a negative correlation id rule a boundary out at
     * once, before waiting for a client id whose length is read off
     * garbage.  `fixed` reads ahead; c stays at the frame's start. */
    fixed = c;
    api_key = kt_cur_i16(&fixed);
    version = kt_cur_i16(&fixed);
    correlation_id = kt_cur_i32(&fixed);
    api = kt_api_lookup(api_key);
    if (!api || version < api->min_version ||
        version > api->max_version + KT_VERSION_SLACK || correlation_id < 0)
        return KT_CAND_NO;
    /* wait for the whole header: fixed part, client id length, client id,
     * and in header v2 the tagged-field count */
    hv = kt_request_header_version(api, version);
    want = 4 + KT_MIN_REQUEST_FRAME;
    if (hv >= 1) {
        int16_t client_id_len = kt_cur_i16(&fixed);
        if (!kt_cur_ok(&fixed))
            return more(need, want + 2);
        want += 2 + (size_t)(client_id_len < 0 ? 0 : client_id_len);
    }
    if (hv >= 2)
        want += 1;
    if (want <= 4 + (size_t)size && avail < want) {
        /* what is here of the client id must be printable (a length read
         * off record bytes asks for thousands of them) */
        for (size_t i = 4 + KT_MIN_REQUEST_FRAME + 2; i < avail; i++)
            if (p[i] < 0x20 || p[i] > 0x7e)
                return KT_CAND_NO;
        return more(need, avail * 2 < want ? avail * 2 : want);
    }
    hdr = kt_cur_left(&c) < size ? kt_cur_left(&c) : size;
    ahead = c;
    hp = kt_cur_take(&ahead, hdr);
    if (!kt_request_header_plausible(hp, hdr)) {
        kt_request_header h;
        /* tagged fields of a v2 header (rare) not all here yet */
        if (hv >= 2 && hdr < size && hdr < want - 4 + KT_TAGGED_WAIT &&
            kt_parse_request_header(hp, hdr, &h) == KT_HDR_MALFORMED)
            return more(need, avail + 1);
        return KT_CAND_NO;
    }
    if (kt_cur_left(&c) < size) {
        if (avail >= KT_CANDIDATE_MAX)
            return KT_CAND_YES;     /* too long to wait for: its header decides */
        /* what is here of the body must decode */
        st = request_body(hp, hdr, size);
        return st == KT_CAND_MORE ? more(need, next_look(avail, size)) : st;
    }
    if (request_body(kt_cur_take(&c, size), size, size) != KT_CAND_YES)
        return KT_CAND_NO;
    /* the next frame, if its size prefix and fixed header are here */
    st = frame_size(&c, KT_MIN_REQUEST_FRAME, max_frame, &nsize);
    if (st == KT_CAND_NO)
        return KT_CAND_NO;
    if (st == KT_CAND_YES) {
        size_t nhdr = kt_cur_left(&c) < nsize ? kt_cur_left(&c) : nsize;
        hp = kt_cur_take(&c, nhdr);
        if (!kt_request_header_plausible(hp, nhdr)) {
            kt_request_header h;
            if (nhdr < nsize && kt_parse_request_header(hp, nhdr, &h) == KT_HDR_MALFORMED)
                return KT_CAND_YES; /* next header not all here yet: accept on the first */
            return KT_CAND_NO;
        }
    }
    return KT_CAND_YES;
}

int kt_response_candidate(kt_pending_queue *q, const uint8_t *p, size_t avail,
                          size_t max_frame, size_t *need)
{
    kt_cursor c, ahead;
    uint32_t size;
    size_t hdr;
    int idx, st;

    kt_cur_init(&c, p, avail);
    st = frame_size(&c, KT_MIN_RESPONSE_FRAME, max_frame, &size);
    if (st == KT_CAND_MORE)
        return more(need, 4 + KT_MIN_RESPONSE_FRAME);
    if (st != KT_CAND_YES)
        return st;
    hdr = kt_cur_left(&c) < size ? kt_cur_left(&c) : size;
    ahead = c;
    idx = kt_response_pending_index(q, kt_cur_take(&ahead, hdr), hdr);
    if (idx < 0)
        return KT_CAND_NO;
    if (kt_cur_left(&c) < size) {
        if (avail >= KT_CANDIDATE_MAX)
            return KT_CAND_YES;
        size_t want = 4 + (size_t)size;
        return more(need, want < KT_CANDIDATE_MAX ? want : KT_CANDIDATE_MAX);
    }
    return kt_response_body_ok(kt_pending_at(q, (uint32_t)idx), kt_cur_take(&c, size), size)
               ? KT_CAND_YES
               : KT_CAND_NO;
}
