/* test_frame_header.c - unit tests of Kafka request/response header decoding
 * (dissectors/kafka_frame_header.[ch]) and of the header version rules
 * (kafka_apis.h).
 *
 * Ground truth:
 *   - real request and response frames from third-party captures and a
 *     Kafka 4.4 capture (tests/real_frames.h), with the API key, version,
 *     correlation id, client id and the offset of the first body field as
 *     tshark 4.0 decodes them (for versions tshark 4.0 does not know, the
 *     offsets follow from the header rules: 8 bytes, int16-length client id,
 *     one tagged-field byte in header v2);
 *   - the header versions from "flexibleVersions" of the official message
 *     schema (the JSON files in dissectors/schema/, written out by hand below), and the
 *     schema's rule that ApiVersions responses keep header v0;
 *   - Produce acks as tshark decodes kafka.required_acks (acks is read by
 *     the walker, kt_produce_request_acks in src/kafka/message_detail.c; it
 *     is tested here because these frames and their decode are here).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_frame_header.h"
#include "kafka/message_detail.h"
#include "real_frames.h"

#define FRAME(a) (a) + 4, sizeof(a) - 4

typedef struct req_case {
    const char *name;
    const uint8_t *frame;   /* after the size prefix */
    size_t len;
    int16_t api_key, api_version;
    int32_t correlation_id;
    const char *client_id;
    int header_version;
    size_t body_offset;
} req_case;

static const req_case req_cases[] = {
    /* ApiVersions v3, header v2: tshark shows the tagged-field byte at 26 and
     * client_software_name at 27 */
    { "ntop f4", FRAME(ntop_v2023_f4), 18, 3, 3, "console-producer", 2, 27 },
    { "ntop f8", FRAME(ntop_v2023_f8), 22, 4, 4, "console-producer", 2, 27 },
    { "ntop f11", FRAME(ntop_v2023_f11), 3, 12, 5, "console-producer", 2, 27 },
    { "ntop f14", FRAME(ntop_v2023_f14), 0, 9, 6, "console-producer", 2, 27 },
    { "mixed f1", FRAME(mixed_f1), 1, 13, 15551976, "consumer-frauddetectionservice-1", 2, 43 },
    /* tshark: tagged fields at 42, consumer group at 43 */
    { "mixed f3", FRAME(mixed_f3), 8, 8, 15551977, "consumer-frauddetectionservice-1", 2, 43 },
    { "mixed f6", FRAME(mixed_f6), 12, 4, 15551978, "consumer-frauddetectionservice-1", 2, 43 },
    /* tshark: required_acks at 26 */
    { "produce v2 f1", FRAME(produce_v2_f1), 0, 2, 1, "console-producer", 1, 26 },
    /* tshark: transactional_id at 33 */
    { "produce v7 f4", FRAME(produce_v7_f4), 0, 7, 1, "kafka-python-producer-1", 1, 33 },
    { "produce v9 f1", FRAME(produce_v9_f1), 0, 9, 47, "console-producer", 2, 27 },
    { "fetch v12 f1", FRAME(fetch_v12_f1), 1, 12, 15603, "consumer-console-consumer-8919-1", 2, 43 },
    /* tshark: topic array at 33 */
    { "go-sniffer f4", FRAME(go_sniffer_f4), 3, 0, 1, "kafka-python-producer-1", 1, 33 },
    /* client id of length 0 (00 00), not null (ff ff) */
    { "arkime f4", FRAME(arkime_f4), 2, 0, 0, "", 1, 10 },
    /* Kafka 4.4 Java client; tshark: tagged fields at 22, body at 23 */
    { "kafka44 f4", FRAME(kafka44_codecs_f4), 18, 5, 0, "admin-codecs", 2, 23 },
    { "kafka44 f8", FRAME(kafka44_codecs_f8), 3, 13, 1, "admin-codecs", 2, 23 },
};

static void test_real_request_headers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof req_cases / sizeof req_cases[0]; i++) {
        const req_case *c = &req_cases[i];
        kt_request_header h;
        int st = kt_parse_request_header(c->frame, c->len, &h);
        if (st != KT_HDR_OK)
            fail_msg("%s: status %d", c->name, st);
        assert_int_equal(h.api_key, c->api_key);
        assert_int_equal(h.api_version, c->api_version);
        assert_int_equal(h.correlation_id, c->correlation_id);
        assert_false(h.client_id.is_null);
        assert_int_equal(h.client_id.len, strlen(c->client_id));
        assert_memory_equal(h.client_id.ptr, c->client_id, h.client_id.len);
        if (h.header_version != c->header_version)
            fail_msg("%s: header v%d, want v%d", c->name, h.header_version, c->header_version);
        if (h.body_offset != c->body_offset)
            fail_msg("%s: body at %zu, want %zu", c->name, h.body_offset, c->body_offset);
        assert_non_null(h.api);
        assert_int_equal(h.api->key, c->api_key);
        /* the client id slice points into the frame */
        assert_true(h.client_id.ptr == c->frame + 10);
        assert_true(kt_request_header_plausible(c->frame, c->len));
    }
}

typedef struct resp_case {
    const char *name;
    const uint8_t *frame;
    size_t len;
    int16_t req_api_key, req_api_version;   /* of the matched request */
    int32_t correlation_id;
    int header_version;
    size_t body_offset;
} resp_case;

static const resp_case resp_cases[] = {
    /* ApiVersions v3 response: tshark shows error_code at 4 (header v0) */
    { "ntop f6", FRAME(ntop_v2023_f6), 18, 3, 3, 0, 4 },
    /* tshark: tagged fields at 4, throttle_time at 5 */
    { "ntop f9", FRAME(ntop_v2023_f9), 22, 4, 4, 1, 5 },
    { "ntop f12", FRAME(ntop_v2023_f12), 3, 12, 5, 1, 5 },
    { "ntop f15", FRAME(ntop_v2023_f15), 0, 9, 6, 1, 5 },
    { "mixed f4", FRAME(mixed_f4), 8, 8, 15551977, 1, 5 },
    { "mixed f7", FRAME(mixed_f7), 12, 4, 15551978, 1, 5 },
    { "mixed f9", FRAME(mixed_f9), 1, 13, 15551976, 1, 5 },
    { "fetch v12 f2", FRAME(fetch_v12_f2), 1, 12, 15603, 1, 5 },
    /* tshark: topics array at 4 */
    { "produce v2 f2", FRAME(produce_v2_f2), 0, 2, 1, 0, 4 },
    /* tshark: brokers array at 4 */
    { "go-sniffer f6", FRAME(go_sniffer_f6), 3, 0, 1, 0, 4 },
    { "kafka44 f9", FRAME(kafka44_codecs_f9), 3, 13, 1, 1, 5 },
};

static void test_real_response_headers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof resp_cases / sizeof resp_cases[0]; i++) {
        const resp_case *c = &resp_cases[i];
        const kt_api_info *api = kt_api_lookup(c->req_api_key);
        kt_response_header h;
        assert_non_null(api);
        int hv = kt_response_header_version(api, c->req_api_version);
        if (hv != c->header_version)
            fail_msg("%s: response header v%d, want v%d", c->name, hv, c->header_version);
        assert_int_equal(kt_parse_response_header(c->frame, c->len, hv, &h), KT_HDR_OK);
        assert_int_equal(h.correlation_id, c->correlation_id);
        if (h.body_offset != c->body_offset)
            fail_msg("%s: body at %zu, want %zu", c->name, h.body_offset, c->body_offset);
    }
}

/* The ApiVersions v3 response body starts with error_code 0 (tshark) and
 * then the compact array of API keys, whose first entry tshark decodes as
 * Produce (0) versions 0-9.  Read in header v0, the body is where tshark
 * says; header v1 would shift it by one byte. */
static void test_api_versions_response_is_header_v0(void **state)
{
    const uint8_t *f = ntop_v2023_f6 + 4;
    kt_response_header h;
    (void)state;
    assert_int_equal(kt_parse_response_header(f, sizeof ntop_v2023_f6 - 4, 0, &h), KT_HDR_OK);
    const uint8_t *b = f + h.body_offset;
    assert_int_equal((b[0] << 8) | b[1], 0);              /* error_code */
    /* b[2]: compact array length (N+1); then api_key 0, min 0, max 9 */
    assert_int_equal((b[3] << 8) | b[4], 0);
    assert_int_equal((b[5] << 8) | b[6], 0);
    assert_int_equal((b[7] << 8) | b[8], 9);
    for (int v = 0; v <= 5; v++)
        assert_int_equal(kt_response_header_version(kt_api_lookup(18), v), 0);
}

/* Header versions per the schema's flexibleVersions (request header v2 and
 * response header v1 from the first flexible version; ControlledShutdown v0
 * alone uses request header v0). */
static void test_header_versions_from_schema(void **state)
{
    static const struct {
        int key;
        int first_flexible;   /* -1: none */
        int max_version;      /* of the 4.4 schema */
    } t[] = {
        { 0, 9, 13 },    /* Produce: "flexibleVersions": "9+" */
        { 1, 12, 18 },   /* Fetch */
        { 2, 6, 11 },    /* ListOffsets */
        { 3, 9, 13 },    /* Metadata */
        { 8, 8, 10 },    /* OffsetCommit */
        { 9, 6, 10 },    /* OffsetFetch */
        { 10, 3, 6 },    /* FindCoordinator */
        { 11, 6, 9 },    /* JoinGroup */
        { 12, 4, 4 },    /* Heartbeat */
        { 13, 4, 5 },    /* LeaveGroup */
        { 14, 4, 5 },    /* SyncGroup */
        { 19, 5, 7 },    /* CreateTopics */
        { 22, 2, 6 },    /* InitProducerId */
        { 32, 4, 4 },    /* DescribeConfigs */
        { 17, -1, 1 },   /* SaslHandshake: "none" */
        { 36, 2, 2 },    /* SaslAuthenticate */
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const kt_api_info *api = kt_api_lookup(t[i].key);
        assert_non_null(api);
        assert_int_equal(api->max_version, t[i].max_version);
        for (int v = 0; v <= t[i].max_version + 2; v++) {
            int flex = t[i].first_flexible >= 0 && v >= t[i].first_flexible;
            if (kt_request_header_version(api, v) != (flex ? 2 : 1))
                fail_msg("api %d v%d: request header v%d", t[i].key, v,
                         kt_request_header_version(api, v));
            if (kt_response_header_version(api, v) != (flex ? 1 : 0))
                fail_msg("api %d v%d: response header v%d", t[i].key, v,
                         kt_response_header_version(api, v));
        }
    }
    /* ApiVersions: request flexible from 3, response header always v0 */
    const kt_api_info *av = kt_api_lookup(18);
    assert_int_equal(kt_request_header_version(av, 2), 1);
    assert_int_equal(kt_request_header_version(av, 3), 2);
    assert_int_equal(kt_response_header_version(av, 3), 0);
    /* ControlledShutdown (legacy schema 0-3, flexible 3+): v0 has no client id */
    const kt_api_info *cs = kt_api_lookup(7);
    assert_non_null(cs);
    assert_int_equal(kt_request_header_version(cs, 0), 0);
    assert_int_equal(kt_request_header_version(cs, 1), 1);
    assert_int_equal(kt_request_header_version(cs, 3), 2);
    /* unknown API: header v1 (v1 and v2 read the client id alike), response v0 */
    assert_null(kt_api_lookup(-1));
    assert_null(kt_api_lookup(32767));
    assert_int_equal(kt_request_header_version(NULL, 5), 1);
    assert_int_equal(kt_response_header_version(NULL, 5), 0);
}

/* ControlledShutdown v0 (request header v0): api key 7, version 0,
 * correlation id; the body (broker id int32) follows at 8. */
static void test_header_v0(void **state)
{
    static const uint8_t f[] = { 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,
                                 0x00, 0x00, 0x00, 0x01 };
    kt_request_header h;
    (void)state;
    assert_int_equal(kt_parse_request_header(f, sizeof f, &h), KT_HDR_OK);
    assert_int_equal(h.header_version, 0);
    assert_int_equal(h.correlation_id, 42);
    assert_true(h.client_id.is_null);
    assert_int_equal(h.body_offset, 8);
}

/* Null client id (length -1) in header v1. */
static void test_null_client_id(void **state)
{
    uint8_t f[sizeof produce_v2_f1 - 4 - 16];
    kt_request_header h;
    (void)state;
    /* Produce v2 frame 1 with its "console-producer" replaced by null */
    memcpy(f, produce_v2_f1 + 4, 8);
    f[8] = 0xff;
    f[9] = 0xff;
    memcpy(f + 10, produce_v2_f1 + 4 + 10 + 16, sizeof f - 10);
    assert_int_equal(kt_parse_request_header(f, sizeof f, &h), KT_HDR_OK);
    assert_true(h.client_id.is_null);
    assert_int_equal(h.body_offset, 10);
    assert_true(kt_request_header_plausible(f, sizeof f));
    assert_int_equal(kt_produce_request_acks(f + h.body_offset, sizeof f - h.body_offset, 2), 1);
}

static void test_malformed_and_unknown(void **state)
{
    uint8_t f[64];
    kt_request_header h;
    const uint8_t *real = ntop_v2023_f4 + 4;
    const size_t rlen = sizeof ntop_v2023_f4 - 4;
    (void)state;
    /* every prefix shorter than the header is malformed, never a crash */
    for (size_t n = 0; n < 27; n++)
        assert_int_equal(kt_parse_request_header(real, n, &h), KT_HDR_MALFORMED);
    assert_int_equal(kt_parse_request_header(real, 27, &h), KT_HDR_OK);
    assert_int_equal(h.body_offset, 27);
    for (size_t n = 0; n < 4; n++) {
        kt_response_header rh;
        assert_int_equal(kt_parse_response_header(real, n, 0, &rh), KT_HDR_MALFORMED);
        assert_int_equal(kt_parse_response_header(real, n + 1, 1, &rh), KT_HDR_MALFORMED);
    }
    /* client id length beyond the frame */
    memcpy(f, real, rlen);
    f[8] = 0x7f;
    assert_int_equal(kt_parse_request_header(f, rlen, &h), KT_HDR_MALFORMED);
    assert_false(kt_request_header_plausible(f, rlen));
    /* client id length below -1 */
    f[8] = 0xff;
    f[9] = 0xfe;
    assert_int_equal(kt_parse_request_header(f, rlen, &h), KT_HDR_MALFORMED);
    /* negative version */
    memcpy(f, real, rlen);
    f[2] = 0x80;
    assert_int_equal(kt_parse_request_header(f, rlen, &h), KT_HDR_MALFORMED);
    /* unknown API key: decoded as header v1, client id still read */
    memcpy(f, real, rlen);
    f[0] = 0x7f;
    f[1] = 0x00;
    assert_int_equal(kt_parse_request_header(f, rlen, &h), KT_HDR_UNKNOWN_API);
    assert_null(h.api);
    assert_int_equal(h.header_version, 1);
    assert_int_equal(h.client_id.len, 16);
    assert_int_equal(h.body_offset, 26);
    assert_false(kt_request_header_plausible(f, rlen));
    /* a version beyond the 4.4 schema (ApiVersions max 5): unknown, but
     * plausible up to KT_VERSION_SLACK beyond */
    memcpy(f, real, rlen);
    f[3] = 6;
    assert_int_equal(kt_parse_request_header(f, rlen, &h), KT_HDR_UNKNOWN_VERSION);
    assert_true(kt_request_header_plausible(f, rlen));
    f[3] = 5 + KT_VERSION_SLACK;
    assert_true(kt_request_header_plausible(f, rlen));
    f[3] = 5 + KT_VERSION_SLACK + 1;
    assert_false(kt_request_header_plausible(f, rlen));
}

static void test_plausibility(void **state)
{
    uint8_t f[256];
    const uint8_t *real = ntop_v2023_f14 + 4;
    const size_t rlen = sizeof ntop_v2023_f14 - 4;
    (void)state;
    assert_true(kt_request_header_plausible(real, rlen));
    /* negative correlation id */
    memcpy(f, real, rlen);
    f[4] = 0x80;
    assert_false(kt_request_header_plausible(f, rlen));
    /* a control character or a byte above 0x7e in the client id */
    memcpy(f, real, rlen);
    f[12] = 0x01;
    assert_false(kt_request_header_plausible(f, rlen));
    f[12] = 0x7f;
    assert_false(kt_request_header_plausible(f, rlen));
    f[12] = 0xc3;
    assert_false(kt_request_header_plausible(f, rlen));
    f[12] = '~';
    assert_true(kt_request_header_plausible(f, rlen));
    /* header cut short */
    assert_false(kt_request_header_plausible(real, 20));
    /* random bytes: not plausible */
    static const uint8_t junk[] = { 0x9c, 0xc3, 0xe2, 0xd5, 0xd3, 0x8f, 0xcb, 0xe4, 0xd0, 0xb0,
                                    0xfd, 0xfb, 0xa9, 0xd3 };
    assert_false(kt_request_header_plausible(junk, sizeof junk));
}

/* Produce acks, as tshark decodes kafka.required_acks. */
static void test_produce_acks(void **state)
{
    static const struct {
        const char *name;
        const uint8_t *frame;
        size_t len;
        int acks;
    } t[] = {
        { "produce v2 f1", FRAME(produce_v2_f1), 1 },
        { "produce v7 f4", FRAME(produce_v7_f4), 1 },
        { "produce v9 f1", FRAME(produce_v9_f1), 1 },
        { "ntop f14 (v9)", FRAME(ntop_v2023_f14), -1 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        kt_request_header h;
        assert_int_equal(kt_parse_request_header(t[i].frame, t[i].len, &h), KT_HDR_OK);
        int acks = kt_produce_request_acks(t[i].frame + h.body_offset,
                                           t[i].len - h.body_offset, h.api_version);
        if (acks != t[i].acks)
            fail_msg("%s: acks %d, want %d", t[i].name, acks, t[i].acks);
        /* a body cut right after acks (a truncated frame) is enough; one
         * cut before acks does not decode.  TransactionalId (v3+) is null
         * in these frames: int16 -1, or compact 0 in v9+. */
        size_t need = h.api_version >= 9 ? 1 + 2 : h.api_version >= 3 ? 2 + 2 : 2;
        assert_int_equal(kt_produce_request_acks(t[i].frame + h.body_offset, need,
                                                 h.api_version), t[i].acks);
        assert_int_equal(kt_produce_request_acks(t[i].frame + h.body_offset, need - 1,
                                                 h.api_version), -2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_request_headers),
        cmocka_unit_test(test_real_response_headers),
        cmocka_unit_test(test_api_versions_response_is_header_v0),
        cmocka_unit_test(test_header_versions_from_schema),
        cmocka_unit_test(test_header_v0),
        cmocka_unit_test(test_null_client_id),
        cmocka_unit_test(test_malformed_and_unknown),
        cmocka_unit_test(test_plausibility),
        cmocka_unit_test(test_produce_acks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
