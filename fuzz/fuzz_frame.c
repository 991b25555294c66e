/* fuzz_frame.c - libFuzzer target: one Kafka frame (the bytes after the size
 * prefix) through the header parsers, the generic schema walker and the
 * response summary.
 *
 * Input: byte 0 = flags (bit 0: response; bit 1: walk with
 * KT_WALK_ALL_FIELDS; bit 2: KT_WALK_NO_PREPASS), bytes 1-2 = api key,
 * bytes 3-4 = api version (big-endian int16; used for responses, whose
 * header does not carry them), then the frame.  A request is parsed for its
 * own key and version, checked for plausibility and, for Produce, its acks;
 * a request's Produce/Fetch detail is built as the session keeps it; a
 * response is parsed with the header version its request implies and
 * summarised (throttle, error codes, topics).  Every event's slices are read, so
 * ASan sees any slice that points outside the frame.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/cursor.h"
#include "kafka/exchange.h"
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_frame_header.h"
#include "dissectors/kafka_records.h"
#include "dissectors/kafka_walk.h"
#include "kafka/message_detail.h"
#include "kafka/response_summary.h"
#include "kafka/topics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned sink;

static void touch(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        sink += p[i];
}

static int on_event(void *arg, const kt_event *ev)
{
    size_t *events = arg;
    if (ev->s.ptr)
        touch(ev->s.ptr, ev->s.len);
    if (!ev->topic.is_null && ev->topic.ptr)
        touch(ev->topic.ptr, ev->topic.len);
    if (ev->topic_id)
        touch(ev->topic_id, 16);
    if (ev->field)
        sink += (unsigned)strlen(kt_role_name(ev->role));
    (*events)++;
    return 0;
}

static void walk(int key, int version, int is_response, const uint8_t *body,
                 size_t len, unsigned flags)
{
    kt_cursor c;
    kt_walk_result r;
    size_t events = 0;

    kt_cur_init(&c, body, len);
    kt_walk(key, version, is_response, &c, flags, on_event, &events, &r);
    if (r.status == KT_WALK_MALFORMED && r.offset > len)
        abort();                    /* the offset must be inside the body */
    if (r.status == KT_WALK_OK && kt_cur_left(&c) != 0)
        abort();                    /* OK means the whole body was read */
    sink += (unsigned)strlen(kt_walk_status_name(r.status));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned flags, wflags = 0;
    int key, version;
    const uint8_t *frame;
    size_t len;
    uint8_t *copy;

    kt_topics topics;
    kt_intern txn_ids;

    if (size < 5)
        return 0;
    if (kt_topics_init(&topics, 64) < 0)
        return 0;
    if (kt_intern_init(&txn_ids, 64) < 0) {
        kt_topics_free(&topics);
        return 0;
    }
    flags = data[0];
    key = (int16_t)((data[1] << 8) | data[2]);
    version = (int16_t)((data[3] << 8) | data[4]);
    /* an exact-size heap copy, so a read one byte past the frame is caught */
    len = size - 5;
    copy = malloc(len ? len : 1);
    if (!copy)
        return 0;
    memcpy(copy, data + 5, len);
    frame = copy;
    if (flags & 2)
        wflags |= KT_WALK_ALL_FIELDS;
    if (flags & 4)
        wflags |= KT_WALK_NO_PREPASS;

    if (!(flags & 1)) {
        kt_request_header h;
        int st = kt_parse_request_header(frame, len, &h);
        sink += (unsigned)kt_request_header_plausible(frame, len);
        if (st != KT_HDR_MALFORMED) {
            kt_request_detail *d;
            if (h.body_offset > len)
                abort();
            d = kt_detail_from_request(h.api_key, h.api_version, frame + h.body_offset,
                                       len - h.body_offset, &topics, &txn_ids,
                                       KT_RECORDS_MAX_INFLATE);
            if (d)
                sink += (unsigned)kt_detail_size(d);
            free(d);
            if (h.client_id.ptr)
                touch(h.client_id.ptr, h.client_id.len);
            if (h.api_key == 0)
                sink += (unsigned)kt_produce_request_acks(frame + h.body_offset,
                                                          len - h.body_offset, h.api_version);
            walk(h.api_key, h.api_version, 0, frame + h.body_offset,
                 len - h.body_offset, wflags);
        }
    } else {
        const kt_api_info *api = kt_api_lookup(key);
        kt_response_header rh;
        kt_exchange ex;
        int hv = kt_response_header_version(api, version);

        if (kt_parse_response_header(frame, len, hv, &rh) == KT_HDR_OK) {
            if (rh.body_offset > len)
                abort();
            memset(&ex, 0, sizeof ex);
            ex.throttle_ms = -1;
            /* the request's detail, as the session keeps it: rebuilt from
             * nothing here, so the response fills a fresh one */
            kt_summarize_response(key, version, frame + rh.body_offset,
                                  len - rh.body_offset, &topics,
                                  KT_RECORDS_MAX_INFLATE, &ex);
            free(ex.detail);
            if (ex.nnodes > KT_MAX_EXCHANGE_NODES)
                abort();
            free(ex.nodes);
            if (ex.nerrors < 0 || ex.nerrors > KT_MAX_EXCHANGE_ERRORS)
                abort();
            walk(key, version, 1, frame + rh.body_offset, len - rh.body_offset,
                 wflags);
        }
    }
    kt_topics_free(&topics);
    kt_intern_free(&txn_ids);
    free(copy);
    return 0;
}
