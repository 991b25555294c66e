/* response_summary.c - throttle_time_ms and error codes of a response body,
 * from the generic schema walker: every field whose role is an error code
 * (top-level, per topic or per partition) counts once per non-zero value,
 * and the body's throttle_time_ms is taken as is. */
#include "anomaly.h"
#include "kafka_walk.h"
#include "response_summary.h"

static void add_error(kt_exchange *ex, int16_t code)
{
    for (int i = 0; i < ex->nerrors; i++) {
        if (ex->errors[i].code == code) {
            ex->errors[i].count++;
            return;
        }
    }
    if (ex->nerrors < KT_MAX_EXCHANGE_ERRORS) {
        ex->errors[ex->nerrors].code = code;
        ex->errors[ex->nerrors].count = 1;
        ex->nerrors++;
    }
}

static int on_event(void *arg, const kt_event *ev)
{
    kt_exchange *ex = arg;
    if (ev->kind != KT_EV_FIELD)
        return 0;
    if (ev->role == KT_ROLE_ERROR_CODE && ev->i != 0)
        add_error(ex, (int16_t)ev->i);
    else if (ev->role == KT_ROLE_THROTTLE_TIME_MS && ev->scope == KT_SCOPE_ROOT)
        ex->throttle_ms = (int32_t)ev->i;
    return 0;
}

#define API_VERSIONS 18
#define UNSUPPORTED_VERSION 35

void kt_summarize_response(int api_key, int api_version, const uint8_t *body,
                           size_t len, kt_exchange *ex)
{
    kt_cursor c;
    kt_walk_result r;
    kt_cur_init(&c, body, len);
    /* A broker that does not support the requested ApiVersions version
     * answers in version 0.  ErrorCode is the first field in every version,
     * so it is known even when the rest does not decode. */
    if (api_key == API_VERSIONS && len >= 2 &&
        (int16_t)((body[0] << 8) | body[1]) == UNSUPPORTED_VERSION) {
        kt_cursor v0;
        kt_cur_init(&v0, body, len);
        if (kt_walk(api_key, 0, 1, &v0, 0, NULL, NULL, NULL) == KT_WALK_OK)
            api_version = 0;
        else {
            add_error(ex, UNSUPPORTED_VERSION);
            kt_anomaly_add(KT_AN_MALFORMED_BODY, 1);
            return;
        }
    }
    kt_walk(api_key, api_version, 1, &c, 0, on_event, ex, &r);
    switch (r.status) {
    case KT_WALK_OK:
        ex->body_decoded = 1;
        break;
    case KT_WALK_MALFORMED:
        kt_anomaly_add(KT_AN_MALFORMED_BODY, 1);
        break;
    default:
        break;
    }
}
