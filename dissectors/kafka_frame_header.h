/* kafka_frame_header.h - request and response headers of one Kafka frame.
 *
 * A frame is the bytes after the 4-byte size prefix.  Request headers are
 * v0 (api key, version, correlation id), v1 (+ int16 client_id string) or
 * v2 (+ tagged fields; client_id stays a classic string); the version follows
 * from the API and its version (kafka_apis.h).  Response headers are v0
 * (correlation id) or v1 (+ tagged fields), chosen from the matched request.
 */
#ifndef KT_KAFKA_FRAME_HEADER_H
#define KT_KAFKA_FRAME_HEADER_H

#include <stddef.h>
#include <stdint.h>
#include "common/cursor.h"
#include "dissectors/kafka_apis.h"

enum kt_hdr_status {
    KT_HDR_OK = 0,
    KT_HDR_MALFORMED,        /* the header does not decode */
    KT_HDR_UNKNOWN_API,      /* decoded assuming header v1; body unknown */
    KT_HDR_UNKNOWN_VERSION,  /* version beyond the schema; body unknown */
};

typedef struct kt_request_header {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    kt_slice client_id;          /* points into the frame */
    int header_version;
    const kt_api_info *api;      /* NULL if the key is unknown */
    size_t body_offset;          /* where the body starts in the frame */
} kt_request_header;

typedef struct kt_response_header {
    int32_t correlation_id;
    size_t body_offset;
} kt_response_header;

/* Minimum frame sizes: a request header v0, a response header v0. */
#define KT_MIN_REQUEST_FRAME 8
#define KT_MIN_RESPONSE_FRAME 4

int kt_parse_request_header(const uint8_t *frame, size_t len, kt_request_header *h);
/* header_version is the one the matched request implies (0 or 1). */
int kt_parse_response_header(const uint8_t *frame, size_t len, int header_version,
                             kt_response_header *h);

/* Strict plausibility test for finding a frame boundary in the middle of a
 * stream: the header decodes, the API and version are known (versions up to
 * KT_VERSION_SLACK beyond the schema are allowed), the client id is null or
 * printable ASCII.  Returns 1 if plausible. */
#define KT_VERSION_SLACK 4
int kt_request_header_plausible(const uint8_t *frame, size_t len);

#endif
