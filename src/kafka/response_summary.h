/* response_summary.h - what a response body says about how it went: its
 * throttle_time_ms and the error codes it carries (top-level and per
 * topic/partition), taken from the generic schema walker. */
#ifndef KT_RESPONSE_SUMMARY_H
#define KT_RESPONSE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include "kafka/exchange.h"
#include "kafka/topics.h"

/* Fills ex->throttle_ms, ex->errors/nerrors and ex->body_decoded from the
 * response body of (api_key, api_version), completes ex->detail (which it
 * may reallocate: take ex->detail back) and teaches `topics` the name/id
 * pairs the body shows.  Leaves them untouched when the body cannot be
 * decoded (unknown API or version, malformed: counted). */
void kt_summarize_response(int api_key, int api_version, const uint8_t *body,
                           size_t len, kt_topics *topics, size_t max_inflate,
                           kt_exchange *ex);

#endif
