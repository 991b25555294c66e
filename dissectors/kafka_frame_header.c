/* kafka_frame_header.c - decode Kafka request/response headers. */
#include "dissectors/kafka_frame_header.h"

int kt_parse_request_header(const uint8_t *frame, size_t len, kt_request_header *h)
{
    kt_cursor c;
    int status = KT_HDR_OK;

    kt_cur_init(&c, frame, len);
    h->api_key = kt_cur_i16(&c);
    h->api_version = kt_cur_i16(&c);
    h->correlation_id = kt_cur_i32(&c);
    h->client_id = kt_null_slice();
    h->api = NULL;
    h->header_version = 1;
    if (!kt_cur_ok(&c))
        return KT_HDR_MALFORMED;
    if (h->api_version < 0)
        return KT_HDR_MALFORMED;
    h->api = kt_api_lookup(h->api_key);
    if (!h->api)
        status = KT_HDR_UNKNOWN_API;
    else {
        h->header_version = kt_request_header_version(h->api, h->api_version);
        if (h->api_version > h->api->max_version)
            status = KT_HDR_UNKNOWN_VERSION;
        else if (h->api_version < h->api->min_version)
            status = KT_HDR_UNKNOWN_VERSION;
    }
    if (h->header_version >= 1)
        h->client_id = kt_cur_string(&c);
    if (h->header_version >= 2)
        kt_cur_skip_tagged_fields(&c);
    if (!kt_cur_ok(&c))
        return KT_HDR_MALFORMED;
    h->body_offset = len - kt_cur_left(&c);
    return status;
}

int kt_parse_response_header(const uint8_t *frame, size_t len, int header_version,
                             kt_response_header *h)
{
    kt_cursor c;
    kt_cur_init(&c, frame, len);
    h->correlation_id = kt_cur_i32(&c);
    if (header_version >= 1)
        kt_cur_skip_tagged_fields(&c);
    if (!kt_cur_ok(&c))
        return KT_HDR_MALFORMED;
    h->body_offset = len - kt_cur_left(&c);
    return KT_HDR_OK;
}

int kt_request_header_plausible(const uint8_t *frame, size_t len)
{
    kt_request_header h;
    int st = kt_parse_request_header(frame, len, &h);
    if (st == KT_HDR_MALFORMED || st == KT_HDR_UNKNOWN_API)
        return 0;
    if (h.api_version < h.api->min_version ||
        h.api_version > h.api->max_version + KT_VERSION_SLACK)
        return 0;
    if (h.correlation_id < 0)
        return 0;
    if (h.header_version >= 1 && !h.client_id.is_null) {
        for (size_t i = 0; i < h.client_id.len; i++)
            if (h.client_id.ptr[i] < 0x20 || h.client_id.ptr[i] > 0x7e)
                return 0;
    }
    return 1;
}
