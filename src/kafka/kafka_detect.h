/* kafka_detect.h - does a Kafka frame start here?
 *
 * The tests the session uses to tell Kafka from other traffic while the
 * roles of a connection are unknown (auto-detection), and to find a frame
 * boundary again in the middle of a stream (the framer's candidate test).
 * They only look: nothing is kept, nothing is counted.
 *
 * A "frame" is the bytes after the 4-byte size prefix; a candidate test is
 * given the bytes from a possible size prefix on.  Every read goes through
 * a cursor (common/cursor.h) and the headers are decoded by
 * dissectors/kafka_frame_header.h.
 */
#ifndef KT_KAFKA_DETECT_H
#define KT_KAFKA_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include "kafka/correlation.h"

/* A whole request frame whose header decodes: does its body decode by the
 * schema?  Versions beyond the schema cannot be checked: yes.  Bytes after
 * a complete body are tolerated, as brokers do.  Returns 1 or 0. */
int kt_request_body_ok(const uint8_t *frame, size_t len);

/* Does a whole response frame decode as the answer to pending request pd?
 * Versions beyond the schema cannot be checked: yes.  Returns 1 or 0. */
int kt_response_body_ok(const kt_pending *pd, const uint8_t *frame, size_t len);

/* Index in q of the request that a response frame names by its correlation
 * id, or -1 (also when the frame is too short to hold one). */
int kt_response_pending_index(const kt_pending_queue *q, const uint8_t *frame,
                              size_t len);

/* Candidate tests: does a request (a response to one of the requests in q)
 * start at p, avail bytes being readable?  The size prefix must lie within
 * [smallest header, max_frame]; a frame up to KT_CANDIDATE_MAX bytes is
 * waited for and its body must decode.  A request's header must be
 * plausible (kt_request_header_plausible), and so must the next frame's
 * when its bytes are here; a response's correlation id must be pending in
 * q.  What is here of a request's body must decode, and the body must
 * end within a few bytes of the frame's end.  Return enum
 * kt_candidate_answer (kafka/kafka_framing.h); with KT_CAND_MORE, *need is
 * how many bytes from p to wait for before asking again (the answer does
 * not change before).  The answer depends only on the avail bytes. */
int kt_request_candidate(const uint8_t *p, size_t avail, size_t max_frame, size_t *need);
int kt_response_candidate(kt_pending_queue *q, const uint8_t *p, size_t avail,
                          size_t max_frame, size_t *need);

#endif
