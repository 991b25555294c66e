/* kafka_walk.h - the one generic decoder of Kafka request and response
 * bodies.
 *
 * kt_walk() reads a body through a kt_cursor, guided by the generated
 * schema tables (kafka_schema.h), and hands typed events to a callback.
 * Nothing in it is specific to one API or version: every message of every
 * version in the schema decodes the same way.
 *
 * Calling
 * -------
 *
 *     kt_walk_result r;
 *     int st = kt_walk(api_key, api_version, is_response, &cur, 0,
 *                      on_event, my_state, &r);
 *
 * `cur` is positioned at the first byte of the body (after the request or
 * response header) and ends where the frame ends.  On KT_WALK_OK the whole
 * body was consumed (trailing bytes are an error) and `cur` is at its end.
 *
 * Status (the return value, also r.status):
 *   KT_WALK_OK               the body decoded; every event was delivered.
 *   KT_WALK_UNKNOWN_API      the key is not in the schema.  No events.
 *   KT_WALK_UNKNOWN_VERSION  the version is outside what the schema
 *                            describes (newer than the schema, or older
 *                            than any schema it was generated from).  No
 *                            events; the body is never guessed at.
 *   KT_WALK_MALFORMED        the body does not decode: r.cur_err is the
 *                            kt_cur_error (short, bad varint, bad length,
 *                            bad count, limit, trailing), r.field the
 *                            schema name of the field being read, r.offset
 *                            the byte offset into the body.  Unless
 *                            KT_WALK_NO_PREPASS was given, no events were
 *                            delivered (the body is checked before any
 *                            event is emitted).
 *   KT_WALK_STOPPED          the callback returned nonzero; the walk ended
 *                            at once.
 *
 * Flags:
 *   KT_WALK_ALL_FIELDS   emit a FIELD event for every primitive value, not
 *                        only for those with a semantic role.
 *   KT_WALK_NO_PREPASS   do not validate before emitting (faster; on a
 *                        malformed body the events before the bad byte
 *                        have already been delivered).
 *
 * Events
 * ------
 *
 * The callback gets one kt_event at a time, in wire order.  The event and
 * everything it points to are valid only during the call; slices point into
 * the caller's frame (nothing is copied) and stay valid as long as it does.
 *
 *   KT_EV_ENTER  a struct begins: the body itself (depth 0, field NULL), a
 *                nested struct, or one element of an array of structs
 *                (index = element number, else -1).  `st` is the struct,
 *                `scope` what it stands for (root, topic, partition, group,
 *                other).
 *   KT_EV_LEAVE  the same struct ends.  Its context (below) is now
 *                complete, and `error_code` holds the struct's own error
 *                code field (KT_ROLE_ERROR_CODE) or KT_EV_NO_ERROR.  This
 *                is the place to attribute per-partition / per-topic
 *                results, because some structs carry their error code
 *                before their name or index (Metadata does).
 *   KT_EV_ARRAY  an array field is about to be read: `count` elements, or
 *                -1 for a null array.
 *   KT_EV_FIELD  a primitive value (or one element of an array of
 *                primitives, index >= 0).  Emitted when the field has a
 *                role (KT_ROLE_*, kafka_schema.h) or KT_WALK_ALL_FIELDS is
 *                set.  The value is in `i` (bool, integers, uint32;
 *                float64 bits), `f` (float64), or `s` (string, bytes,
 *                records, uuid as 16 bytes); `is_null` marks a null
 *                string, bytes or records.
 *
 * Context.  Every event carries the nearest enclosing topic name, topic
 * id and partition index seen *so far* (an inner struct inherits its
 * parent's; a scalar topic name/id/partition field sets them for the
 * struct it is in): `topic` (is_null when none), `topic_id` (16 bytes or
 * NULL), `partition` (-1 when none).  `depth` is 0 for the body, 1 for the
 * structs inside it...  `scope` of a FIELD event is the scope of the struct
 * that holds it: an error code with scope KT_SCOPE_ROOT is a top-level
 * error, KT_SCOPE_TOPIC per topic, KT_SCOPE_PARTITION per partition.
 *
 * ApiVersions: a broker that does not support the requested version
 * answers in version 0 format with error UNSUPPORTED_VERSION (KIP-511).
 * This is the one place that knows it: a response body starting with that
 * error code (the first field of every version) is read as version 0,
 * whatever version was asked for; r.version says which version was used
 * and r.version_rejected is set.  When it is set the body's error is
 * UNSUPPORTED_VERSION even if the rest does not decode (some brokers get
 * the version 0 body wrong): callers read that here, never off the bytes.
 *
 * Tagged fields of flexible versions are decoded when the schema knows the
 * tag (their events come after the struct's other fields, before its
 * LEAVE), and skipped otherwise.
 *
 * Limits: structs nest at most KT_WALK_MAX_DEPTH deep; a walk visits at
 * most KT_WALK_MAX_ELEMENTS array elements; every array count is checked
 * against the bytes left (times the smallest encoded element) before the
 * walker loops.  The walker never allocates; its state is on the stack.
 */
#ifndef KT_KAFKA_WALK_H
#define KT_KAFKA_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "common/cursor.h"
#include "dissectors/kafka_schema.h"

#define KT_WALK_MAX_DEPTH 16
#define KT_WALK_MAX_ELEMENTS (1L << 24)

enum kt_walk_status {
    KT_WALK_OK = 0,
    KT_WALK_UNKNOWN_API,
    KT_WALK_UNKNOWN_VERSION,
    KT_WALK_MALFORMED,
    KT_WALK_STOPPED,
};

#define KT_WALK_ALL_FIELDS 0x01u
#define KT_WALK_NO_PREPASS 0x02u

enum kt_event_kind {
    KT_EV_ENTER,
    KT_EV_LEAVE,
    KT_EV_ARRAY,
    KT_EV_FIELD,
};

#define KT_EV_NO_ERROR INT32_MIN

typedef struct kt_event {
    int kind;                  /* enum kt_event_kind */
    int role;                  /* enum kt_role of `field` (NONE if none) */
    int type;                  /* enum kt_ftype of the value / element */
    const kt_sfield *field;    /* the schema field; NULL for the body */
    const kt_sstruct *st;      /* ENTER/LEAVE: the struct; FIELD/ARRAY:
                                  the struct holding the field */
    int scope;                 /* enum kt_scope (see above) */
    int depth;
    int64_t index;             /* array element number, -1 if none */
    int64_t count;             /* ARRAY: element count, -1 = null */
    int is_null;
    int64_t i;                 /* integer value */
    double f;                  /* float64 value */
    kt_slice s;                /* string / bytes / records / uuid */
    int32_t error_code;        /* LEAVE: the struct's error code or
                                  KT_EV_NO_ERROR */
    /* context */
    kt_slice topic;            /* is_null when no topic name seen */
    const uint8_t *topic_id;   /* 16 bytes, NULL when none seen */
    int32_t partition;         /* -1 when none seen */
} kt_event;

/* Return 0 to go on, nonzero to stop the walk (KT_WALK_STOPPED). */
typedef int (*kt_walk_fn)(void *arg, const kt_event *ev);

typedef struct kt_walk_result {
    int status;                /* enum kt_walk_status */
    int version;               /* the version the body was read as */
    int version_rejected;      /* an ApiVersions response refusing the
                                  requested version (see above) */
    int cur_err;               /* kt_cur_error when MALFORMED */
    const char *field;         /* MALFORMED: schema name of the field */
    size_t offset;             /* MALFORMED: byte offset into the body */
} kt_walk_result;

/* Walks one body; see the top of this file.  fn may be NULL (validate
 * only); res may be NULL. */
int kt_walk(int api_key, int api_version, int is_response, kt_cursor *cur,
            unsigned flags, kt_walk_fn fn, void *arg, kt_walk_result *res);

/* Reads a body only as far as the first primitive field with semantic role
 * `role` (KT_ROLE_*) and copies its FIELD event to *found (slices point
 * into the body).  The body may be cut short after that field (a truncated
 * frame).  Returns 1 when found; 0 when not (unknown API or version, the
 * body ends or is malformed before it, no such field in this version).
 * *body is not moved. */
int kt_walk_find(int api_key, int api_version, int is_response,
                 const kt_cursor *body, int role, kt_event *found);

/* Does the schema describe this message version?  (No walk.) */
int kt_walk_known(int api_key, int api_version, int is_response);

const char *kt_walk_status_name(int status);   /* "ok", "unknown_version" */
const char *kt_role_name(int role);            /* "topic_name", ... */
const char *kt_scope_name(int scope);          /* "root", "partition", ... */

#endif
